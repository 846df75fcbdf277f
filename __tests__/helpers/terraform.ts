/**
 * Runs the real Terraform CLI offline against a synthesized stack: the provider comes from the machine's local
 * filesystem mirror, credentials are fake, and the provider's skip_* flags live in a test-only override file
 * (never in the product's output).
 */
import { createHash } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROVIDER_FILE = 'terraform-provider-aws_v5.100.0';

/**
 * Where the suite's workers share what they compute once per jest run (the mirror's path, the CLI configuration,
 * one initialized `.terraform` per provider requirements): TF_TEST_CACHE_DIR, made by jest's globalSetup
 * (helpers/global-setup.js); outside jest, a folder of this process's own.
 */
let processCacheDir: string | undefined;
function cacheDir(): string {
  if (process.env.TF_TEST_CACHE_DIR) return process.env.TF_TEST_CACHE_DIR;
  processCacheDir ??= mkdtempSync(join(tmpdir(), 'tf-test-cache-'));
  return processCacheDir;
}

/** The path of `name` in the shared cache, made once by `make(tempPath)`: workers racing for it keep the first. */
function cached(name: string, make: (tempPath: string) => void): string {
  const path = join(cacheDir(), name);
  if (existsSync(path)) return path;
  const temp = join(cacheDir(), `.${name}.${process.pid}`);
  make(temp);
  moveIntoPlace(temp, path);
  return path;
}

/** Renames a folder made aside into its shared place; a worker that was first keeps its own. */
function moveIntoPlace(temp: string, path: string): void {
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true }); // another worker was first
    if (!existsSync(path)) throw error;
  }
}

/** The folder above `registry.terraform.io/` that holds the aws provider (TF_PROVIDER_MIRROR overrides the search). */
export function findProviderMirror(): string {
  if (process.env.TF_PROVIDER_MIRROR) return process.env.TF_PROVIDER_MIRROR;
  // One search per jest run: `find /` takes seconds.
  const file = cached('provider-mirror', (temp) => {
    const found = spawnSync('find', ['/', '-maxdepth', '8', '-type', 'f', '-name', `${PROVIDER_FILE}*`], { encoding: 'utf8' })
      .stdout.split('\n')
      .find((path) => path.includes('/registry.terraform.io/'));
    if (!found) throw new Error(`hashicorp/aws 5.100.0 is not in any local filesystem mirror (find / -maxdepth 8 -name '${PROVIDER_FILE}*' found nothing)`);
    writeFileSync(temp, found.slice(0, found.indexOf('/registry.terraform.io/')));
  });
  return readFileSync(file, 'utf8');
}

/** A Terraform CLI configuration that installs providers only from the local mirror. */
export function offlineCliConfig(): string {
  const mirror = findProviderMirror();
  return cached(`terraform-${createHash('sha256').update(mirror).digest('hex').slice(0, 12)}.rc`, (temp) =>
    writeFileSync(
      temp,
      `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
    ),
  );
}

/** Provider settings that let `terraform plan` run without AWS: test-only, written next to a copy of the stack. */
const OFFLINE_PROVIDER_OVERRIDE = {
  provider: {
    aws: {
      access_key: 'AKIAIOSFODNN7EXAMPLE',
      secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    },
  },
};

/**
 * Writes the test-only override into a stack folder; `provider` adds settings (e.g. `endpoints` of a local stand-in). With `localBackend`, a remote backend (S3, HCP Terraform) is
 * swapped for a local one, which Terraform allows in override files. A source account's provider assumes a role
 * (STS, online) and refuses any account but its own (unknown offline): an override cannot remove a nested block, so
 * `assume_role` and `allowed_account_ids` are taken out of the copy's cdk.tf.json instead.
 */
export function writeOfflineOverride(stackDir: string, options: { localBackend?: boolean; provider?: Record<string, unknown> } = {}): void {
  const provider = { aws: { ...OFFLINE_PROVIDER_OVERRIDE.provider.aws, ...options.provider } };
  const override = options.localBackend ? { provider, terraform: { backend: { local: { path: 'terraform.tfstate' } } } } : { provider };
  writeFileSync(join(stackDir, 'zz_offline_test_override.tf.json'), JSON.stringify(override, null, 2));
  const stackFile = join(stackDir, 'cdk.tf.json');
  if (!existsSync(stackFile)) return;
  const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { provider?: { aws?: Record<string, unknown>[] } };
  const providers = stack.provider?.aws ?? [];
  if (!providers.some((provider) => 'assume_role' in provider || 'allowed_account_ids' in provider)) return;
  for (const provider of providers) {
    delete provider.assume_role;
    delete provider.allowed_account_ids;
  }
  writeFileSync(stackFile, JSON.stringify(stack, null, 2));
}

/** Environment for running the terraform CLI offline. */
export function offlineTerraformEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: offlineCliConfig(),
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export interface PlanResult {
  /** Planned resource addresses with their actions, e.g. `aws_lb.mirror_nlb` -> ['create']. */
  readonly actions: Record<string, string[]>;
  /** The plan as `terraform show -json` prints it. */
   
  readonly json: any;
  /** Human-readable plan output. */
  readonly stdout: string;
  /** Working directory (a copy of the stack plus the override). */
  readonly workDir: string;
}

export interface PlanOptions {
  /** Extra environment, e.g. TF_VAR_mirror_target_id. */
  readonly env?: Record<string, string>;
  /** Prior state to plan against (for upgrade tests). */
  readonly stateFile?: string;
}

/** Copies a synthesized stack folder, adds the offline override, and runs `terraform init` and `terraform plan`. */
export async function terraformPlan(stackDir: string, options: PlanOptions = {}): Promise<PlanResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'tf-plan-'));
  cpSync(stackDir, workDir, { recursive: true });
  writeOfflineOverride(workDir, { localBackend: true });
  if (options.stateFile) cpSync(options.stateFile, join(workDir, 'terraform.tfstate'));
  const env = offlineTerraformEnv(options.env);
  const terraform = async (...args: string[]) => {
    try {
      return await run('terraform', [`-chdir=${workDir}`, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      const failure = error as Error & { stdout?: string; stderr?: string };
      // Terraform wraps diagnostics at 78 columns: fold white space so tests can match whole messages.
      const diagnostics = (failure.stderr || '').replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ').trim();
      throw new Error(`terraform ${args[0]} failed in ${workDir}: ${diagnostics}\n${failure.stdout || ''}`, { cause: error });
    }
  };
  await initOffline(workDir, (...args) => terraform(...args));
  const plan = await terraform('plan', '-input=false', '-no-color', '-lock=false', '-out=plan.bin');
  const shown = await terraform('show', '-json', 'plan.bin');
  const json = JSON.parse(shown.stdout);
  const actions: Record<string, string[]> = {};
  for (const change of json.resource_changes ?? []) actions[change.address] = change.change.actions;
  return { actions, json, stdout: plan.stdout, workDir };
}

/** The local backend the offline override gives every stack copy (writeOfflineOverride with localBackend). */
const OFFLINE_BACKEND = { local: { path: 'terraform.tfstate' } };

/**
 * `terraform init` for a stack copy that has the offline override with the local backend. A stack without modules
 * gets what one real `terraform init` of its provider requirements and that backend made, shared by every plan of
 * the jest run: the lock file, the backend's record and a link to the installed providers (the provider binary is
 * 700 MB: init hashes it each time). Anything else gets its own `terraform init`.
 */
export async function initOffline(dir: string, terraform: (...args: string[]) => Promise<unknown>): Promise<void> {
  const stack = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { module?: unknown; terraform?: { required_providers?: unknown } };
  const requiredProviders = stack.terraform?.required_providers;
  if (stack.module || !requiredProviders) {
    await terraform('init', '-input=false', '-no-color');
    return;
  }
  const config = JSON.stringify({ terraform: { required_providers: requiredProviders, backend: OFFLINE_BACKEND } });
  const key = createHash('sha256').update(offlineCliConfig()).update(config).digest('hex').slice(0, 12);
  const template = await cachedInit(`init-${key}`, config);
  mkdirSync(join(dir, '.terraform'));
  symlinkSync(join(template, '.terraform', 'providers'), join(dir, '.terraform', 'providers'));
  cpSync(join(template, '.terraform', 'terraform.tfstate'), join(dir, '.terraform', 'terraform.tfstate'));
  cpSync(join(template, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
}

const initsInFlight = new Map<string, Promise<string>>();

/** A folder initialized once from `config` (main.tf.json), shared through the cache folder. */
function cachedInit(name: string, config: string): Promise<string> {
  const path = join(cacheDir(), name);
  if (existsSync(path)) return Promise.resolve(path);
  let pending = initsInFlight.get(name);
  if (!pending) {
    pending = (async () => {
      const temp = mkdtempSync(join(cacheDir(), `.${name}-`));
      writeFileSync(join(temp, 'main.tf.json'), config);
      try {
        await run('terraform', [`-chdir=${temp}`, 'init', '-input=false', '-no-color'], { env: offlineTerraformEnv() });
      } catch (error) {
        throw new Error(`terraform init of the shared provider folder ${temp} failed: ${(error as { stderr?: string }).stderr ?? error}`, { cause: error });
      }
      moveIntoPlace(temp, path);
      return path;
    })();
    initsInFlight.set(name, pending);
  }
  return pending;
}
