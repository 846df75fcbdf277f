/**
 * The refresh token stays out of Terraform, proven with the real `terraform` (TF_LOG=debug) and the real provider
 * against a local stand-in for Secrets Manager (helpers/secrets-manager-stand-in.ts, reached through the AWS SDK's
 * AWS_ENDPOINT_URL_SECRETS_MANAGER): a minimal stack holding the token secret exactly as the product synthesizes it
 * (the product's provider block, the secret, the `removed` block) is applied and planned, and `npm run token:put`
 * puts a canary token into the secret. The canary must appear in no debug log, plan output, plan JSON, state or
 * synthesized file, in no process's argv while the put runs, and no plan may call GetSecretValue.
 * The upgrade from 0.2.0 (the secret version in state) is applied the same way: forgotten, not destroyed, the
 * value kept. 0.2.0's own apply is the positive control: its debug log does hold the canary, so the search works.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { everyArgv } from './helpers/processes';
import { SecretsManagerStandIn } from './helpers/secrets-manager-stand-in';
import { BASE_CONFIG, synthConfig, type TerraformJson } from './helpers/synth';
import { initOffline, offlineTerraformEnv, writeOfflineOverride } from './helpers/terraform';
import { asSynthesizedBy020 } from './helpers/token-secret-0.2';

jest.setTimeout(600_000);

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const REGION = BASE_CONFIG.Region;
const CANARY = 'CANARY-traceable-token-5b1e9d2a7c';
const OLD_CANARY = 'CANARY-traceable-token-0.2.0-8e4f1c';

/** The product's stack cut to what the token secret is made of: terraform settings, provider, the secret, `removed`. */
function tokenSecretStack(stackName: string): { json: TerraformJson; stackDir: string } {
  const { json, stackDir } = synthConfig({ StackName: stackName });
  // Nothing else in the product's stack names the secret's value or Secrets Manager.
  expect(Object.keys(json.resource).filter((type) => type.startsWith('aws_secretsmanager'))).toEqual(['aws_secretsmanager_secret']);
  const { terraform, provider, removed } = json;
  return { json: { terraform, provider, removed, resource: { aws_secretsmanager_secret: json.resource.aws_secretsmanager_secret } }, stackDir };
}

interface Workspace {
  readonly dir: string;
  /** Runs terraform with TF_LOG=debug into `<dir>/<logName>.log`; returns stdout. */
  terraform(logName: string, args: string[], env?: Record<string, string>): Promise<string>;
  log(logName: string): string;
}

async function workspaceFor(json: TerraformJson, endpoint: string): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'tf-token-'));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  writeOfflineOverride(dir, { localBackend: true });
  // The AWS SDK's own variables point the provider at the stand-in. An `endpoints` block in the provider override does
  // too, but the provider validates its hundreds of attributes in every step: 3 s CPU more per command (measured).
  const standIn = { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, AWS_ENDPOINT_URL_STS: endpoint };
  const terraform = async (logName: string, args: string[], env: Record<string, string> = {}) => {
    const logPath = join(dir, `${logName}.log`);
    try {
      const result = await run('terraform', [`-chdir=${dir}`, ...args], {
        env: offlineTerraformEnv({ ...standIn, TF_LOG: 'debug', TF_LOG_PATH: logPath, ...env }),
        maxBuffer: 256 * 1024 * 1024,
      });
      return result.stdout;
    } catch (error) {
      const failure = error as Error & { stdout?: string; stderr?: string };
      throw new Error(`terraform ${args[0]} failed in ${dir}: ${failure.stderr}\n${failure.stdout}`, { cause: error });
    }
  };
  // The jest run's shared init (no token exists yet, and init reads only the configuration).
  await initOffline(dir, (...args) => terraform('init', args));
  return { dir, terraform, log: (logName) => readFileSync(join(dir, `${logName}.log`), 'utf8') };
}

/** Every file under a folder, as text, with its path. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({ path: join(entry.parentPath, entry.name), text: readFileSync(join(entry.parentPath, entry.name)).toString('latin1') }));
}

interface PutResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Argv lines of all processes, sampled while PutSecretValue was in flight. */
  readonly argvDuringPut: string[];
  readonly ownArgv: string;
}

/** Runs `npm run token:put` as a user would, the token on stdin, and samples every process's argv mid-call. */
async function tokenPut(standIn: SecretsManagerStandIn, endpoint: string, stackName: string, token: string): Promise<PutResult> {
  const configFile = join(mkdtempSync(join(tmpdir(), 'token-put-')), 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...BASE_CONFIG, StackName: stackName }));
  const argv = ['run', '--silent', 'token:put', '--', '--stack', stackName, '--config', configFile];
  const child = spawn('npm', argv, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      // The SDK's notice about Node.js versions would be the only line on stderr.
      NODE_NO_WARNINGS: '1',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(`${token}\n`);
  standIn.putDelayMs = 1_500;
  const argvDuringPut: string[] = [];
  const putsBefore = standIn.calls.filter((call) => call.operation === 'PutSecretValue').length;
  const sampler = setInterval(() => {
    if (standIn.calls.filter((call) => call.operation === 'PutSecretValue').length > putsBefore) argvDuringPut.push(...everyArgv());
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  standIn.putDelayMs = 0;
  return { code, stdout, stderr, argvDuringPut, ownArgv: ['npm', ...argv].join(' ') };
}

describe('a created token secret: Terraform never sees the token', () => {
  const standIn = new SecretsManagerStandIn(REGION);
  let endpoint: string;
  const stackName = 'token-fresh';
  const secretName = `${stackName}/traceable-refresh-token`;
  let workspace: Workspace;
  let stackDir: string;
  let put: PutResult;
  let planCalls: string[];
  let planText: string;
  let planJson: string;

  beforeAll(async () => {
    endpoint = await standIn.start();
    const stack = tokenSecretStack(stackName);
    stackDir = stack.stackDir;
    workspace = await workspaceFor(stack.json, endpoint);
    await workspace.terraform('apply-create', ['apply', '-input=false', '-no-color', '-auto-approve']);
    put = await tokenPut(standIn, endpoint, stackName, CANARY);
    const before = standIn.calls.length;
    planText = await workspace.terraform('plan', ['plan', '-input=false', '-no-color', '-out=plan.bin']);
    planCalls = standIn.operationsSince(before);
    planJson = await workspace.terraform('show', ['show', '-json', 'plan.bin']);
    // The saved plan applied, as a pipeline applies what its pull request showed: the refreshed state is written.
    await workspace.terraform('apply-saved', ['apply', '-input=false', '-no-color', 'plan.bin']);
  });

  afterAll(() => standIn.stop());

  test('apply creates the secret without a value; the put command puts the canary as the hosts read it', () => {
    expect(standIn.calls.filter((call) => call.operation === 'CreateSecret')).toEqual([{ operation: 'CreateSecret', secretId: secretName }]);
    expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(new RegExp(`^token:put: put the refresh token into ${secretName} in ${REGION} \\(version [0-9a-f-]{36}, AWSCURRENT\\)\\.\\n`));
    expect(JSON.parse(standIn.currentValue(secretName)!)).toEqual({ refresh_token: CANARY });
  });

  test('a plan after the put calls no GetSecretValue (metadata and policy only) and plans no change', () => {
    expect(new Set(planCalls)).toEqual(new Set(['DescribeSecret', 'GetResourcePolicy']));
    expect(planText).toContain('No changes.');
    expect(standIn.calls.map((call) => call.operation)).not.toContain('GetSecretValue');
  });

  test('the canary is in no debug log, plan output, plan JSON, state or synthesized file', () => {
    for (const name of ['apply-create', 'plan', 'show', 'apply-saved']) {
      const log = workspace.log(name);
      expect(log.length).toBeGreaterThan(0);
      expect(log).not.toContain(CANARY);
    }
    // The debug logs are the provider's: they do show the calls it made.
    expect(workspace.log('plan')).toContain('DescribeSecret');
    expect(planText + planJson).not.toContain(CANARY);
    const leaks = [...filesUnder(workspace.dir), ...filesUnder(stackDir)].filter((file) => file.text.includes(CANARY)).map((file) => file.path);
    expect(leaks).toEqual([]);
    expect(readFileSync(join(workspace.dir, 'terraform.tfstate'), 'utf8')).toContain(secretName);
  });

  test('the canary is in no argv while the put runs, nor in its own', () => {
    expect(put.argvDuringPut.some((argv) => argv.includes('token-put.ts'))).toBe(true); // sampled while it ran
    expect(put.argvDuringPut.filter((argv) => argv.includes(CANARY))).toEqual([]);
    expect(put.ownArgv).not.toContain(CANARY);
    expect(put.stdout + put.stderr).not.toContain(CANARY);
  });
});

describe('upgrade from 0.2.0: the secret version is forgotten, not destroyed, and the value stays', () => {
  const standIn = new SecretsManagerStandIn(REGION);
  const stackName = 'token-upgrade';
  const secretName = `${stackName}/traceable-refresh-token`;
  let workspace: Workspace;
  let current: TerraformJson;
  let planCalls: string[];
  let applyCalls: string[];
   
  let planJson: any;

  beforeAll(async () => {
    const endpoint = await standIn.start();
    current = tokenSecretStack(stackName).json;
    workspace = await workspaceFor(asSynthesizedBy020(current), endpoint);
    await workspace.terraform('apply-0.2.0', ['apply', '-input=false', '-no-color', '-auto-approve'], { TF_VAR_traceable_refresh_token: OLD_CANARY });
    writeFileSync(join(workspace.dir, 'cdk.tf.json'), JSON.stringify(current, null, 2));
    let before = standIn.calls.length;
    await workspace.terraform('plan-upgrade', ['plan', '-input=false', '-no-color', '-out=plan.bin']);
    planCalls = standIn.operationsSince(before);
    planJson = JSON.parse(await workspace.terraform('show-upgrade', ['show', '-json', 'plan.bin']));
    before = standIn.calls.length;
    await workspace.terraform('apply-upgrade', ['apply', '-input=false', '-no-color', 'plan.bin']);
    applyCalls = standIn.operationsSince(before);
  });

  afterAll(() => standIn.stop());

  test("positive control: 0.2.0 wrote the token through Terraform, and its debug log holds it", () => {
    expect(standIn.calls.map((call) => call.operation)).toContain('PutSecretValue');
    expect(JSON.parse(standIn.currentValue(secretName)!)).toEqual({ refresh_token: OLD_CANARY });
    expect(workspace.log('apply-0.2.0')).toContain(OLD_CANARY);
  });

  test('the upgrade plans to forget the version and to change nothing else', () => {
    const changes = planJson.resource_changes.map((change: { address: string; change: { actions: string[] } }) => [change.address, change.change.actions.join('+')]);
    expect(changes).toEqual([
      ['aws_secretsmanager_secret.token_secret', 'no-op'],
      ['aws_secretsmanager_secret_version.token_value', 'forget'],
    ]);
  });

  test('applying it calls nothing that removes a value or a label; the token stays AWSCURRENT; the state forgets the version', () => {
    expect(applyCalls.filter((operation) => ['DeleteSecret', 'UpdateSecretVersionStage', 'PutSecretValue'].includes(operation))).toEqual([]);
    expect(JSON.parse(standIn.currentValue(secretName)!)).toEqual({ refresh_token: OLD_CANARY });
    const state = JSON.parse(readFileSync(join(workspace.dir, 'terraform.tfstate'), 'utf8'));
    expect(state.resources.map((resource: { type: string }) => resource.type)).toEqual(['aws_secretsmanager_secret']);
  });

  test('neither the upgrade plan nor its apply reads the value: no GetSecretValue, no token in their debug logs', () => {
    // Terraform does not refresh an instance a `removed` block forgets (measured: the orphan is planned as "forget").
    expect(new Set(planCalls)).toEqual(new Set(['DescribeSecret', 'GetResourcePolicy']));
    expect(applyCalls).toEqual([]); // applying a saved plan of one forget and one no-op calls AWS for neither
    for (const name of ['plan-upgrade', 'show-upgrade', 'apply-upgrade']) expect(workspace.log(name)).not.toContain(OLD_CANARY);
    expect(JSON.stringify(planJson)).not.toContain(OLD_CANARY);
  });
});
