/**
 * The package as a consumer gets it: what `npm pack` ships, and a fresh cdktf app of its own that installs the tarball,
 * adds the construct twice next to its own provider and resource, synthesizes and runs the real offline terraform plan.
 * Both packs build in the repository (prepack: dist/ and the prebuilt Lambda zip), so they run one after the other in
 * this one file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildSessionLambdaZip, PREBUILT_BUNDLE, storedZipEntry } from '../modules/lambda-bundle';
import { terraformPlan, type PlanResult } from './helpers/terraform';

const root = join(__dirname, '..');
const PACKAGE_NAME = 'traceable-traffic-mirroring-cdktf';

/** The environment of a child npm without what an outer `npm test` or `npx` sets about itself (its project folder as
 * local_prefix, its package, its script); the user's npm settings (cache, registry, CA file) stay. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(lifecycle_|package_|command$|config_local_prefix$|config_call$)/i.test(key)));
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env: { ...cleanEnv(), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status}):\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

interface PackResult {
  readonly filename: string;
  readonly version: string;
  readonly integrity: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

const npmPack = (...args: string[]): PackResult => (JSON.parse(run('npm', ['pack', '--json', ...args], root)) as PackResult[])[0];

/** What the package is meant to ship, and nothing else. */
const INTENDED = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/,
  /^dist\/.+\.(js|d\.ts)$/, new RegExp(`^${PREBUILT_BUNDLE.replace(/\./g, '\\.')}$`),
  /^bootstrap\/files\//,
];

describe('npm pack', () => {
  let packed: PackResult;
  let prebuilt: Buffer;
  beforeAll(() => {
    packed = npmPack('--dry-run');
    prebuilt = readFileSync(join(root, PREBUILT_BUNDLE));
  }, 300_000);

  it('ships exactly the compiled package, the prebuilt Lambda code, the bootstrap files and the docs', () => {
    const paths = packed.files.map((file) => file.path).sort();
    expect(paths.filter((path) => !INTENDED.some((pattern) => pattern.test(path)))).toEqual([]);
    expect(paths.filter((path) => /(^|\/)(__tests__|cdktf\.out|\.terraform|node_modules|build)(\/|$)|\.tfstate|\.test\./.test(path))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', PREBUILT_BUNDLE]));
    const bootstrapFiles = run('git', ['ls-files', 'bootstrap/files'], root).split('\n').filter(Boolean).sort();
    expect(paths.filter((path) => path.startsWith('bootstrap/'))).toEqual(bootstrapFiles);
  });

  it('ships the Lambda code the sources build, byte for byte (a second build gives the same zip)', () => {
    expect(prebuilt.equals(buildSessionLambdaZip())).toBe(true);
    expect(storedZipEntry(prebuilt, 'index.js').length).toBeGreaterThan(100_000);
  });
  it('declares what the compiled code requires: zod at run time, cdktf, constructs and the provider as peers', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const compiled = readdirSync(join(root, 'dist'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));

    // Act: the packages named by require() (`@scope/name` or `name`), node's own modules aside.
    const required = new Set(compiled.flatMap((code) => [...code.matchAll(/\brequire\(["']([^"'.][^"']*)["']\)/g)]
      .map((match) => match[1].split('/').slice(0, match[1].startsWith('@') ? 2 : 1).join('/'))
      .filter((name) => !name.startsWith('node:'))));

    // Assess: esbuild is required only to bundle from the sources, which the package does not ship.
    expect([...required].sort()).toEqual(['@cdktf/provider-aws', 'cdktf', 'constructs', 'esbuild', 'zod']);
    expect(Object.keys(manifest.dependencies)).toEqual(['zod']);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['@cdktf/provider-aws', 'cdktf', 'constructs']);
    expect(manifest.devDependencies.esbuild).toBeDefined();
  });
});

describe('a consumer cdktf app that installs the tarball', () => {
  const work = mkdtempSync(join(tmpdir(), 'consumer-'));
  const appDir = join(work, 'app');
  const installed = join(appDir, 'node_modules', PACKAGE_NAME);
  let entry: string;
  let stackDir: string;
  let synthesized: { resource: Record<string, Record<string, { '//'?: { metadata?: { path?: string } }; [key: string]: unknown }>>; variable?: Record<string, object> };
  let plan: PlanResult;

  beforeAll(async () => {
    // Prepare: the tarball, and an app of the user's with its own package.json and lockfile: `npm ci --offline` installs
    // the tarball and its one dependency (zod, from the cache `npm ci` filled here). The peers the user brings (cdktf
    // 0.21.0, constructs, @cdktf/provider-aws 20.1.0) are this repository's, linked rather than copied (the provider
    // is 360 MB).
    const packed = npmPack('--pack-destination', work);
    const tarball = `file:../${packed.filename}`;
    const ours = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
    const zod = ours['node_modules/zod'];
    const app = { name: 'platform-infrastructure', version: '1.0.0', private: true, dependencies: { [PACKAGE_NAME]: tarball } };
    mkdirSync(appDir);
    writeFileSync(join(appDir, 'package.json'), JSON.stringify(app, null, 2));
    writeFileSync(join(appDir, 'package-lock.json'), JSON.stringify({
      ...app, lockfileVersion: 3, requires: true, packages: {
        '': app,
        [`node_modules/${PACKAGE_NAME}`]: { version: packed.version, resolved: tarball, integrity: packed.integrity, dependencies: ours[''].dependencies, peerDependencies: ours[''].peerDependencies },
        'node_modules/zod': { version: zod.version, resolved: zod.resolved, integrity: zod.integrity },
      },
    }, null, 2));
    run('npm', ['ci', '--offline', '--legacy-peer-deps', '--ignore-scripts'], appDir);
    for (const peer of ['cdktf', 'constructs', '@cdktf/provider-aws']) {
      mkdirSync(dirname(join(appDir, 'node_modules', peer)), { recursive: true });
      symlinkSync(join(root, 'node_modules', peer), join(appDir, 'node_modules', peer));
    }
    writeFileSync(join(appDir, 'main.js'), `
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { S3Bucket } = require('@cdktf/provider-aws/lib/s3-bucket');
const { TraceableTrafficMirroring } = require('${PACKAGE_NAME}');

const app = new App({ outdir: process.argv[2] });
const stack = new TerraformStack(app, 'platform');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
new S3Bucket(stack, 'audit_logs', { bucket: 'platform-audit-logs-eu-west-1' });
const common = {
  region: 'eu-west-1',
  vpcId: 'vpc-0a9b8c7d6e5f40312',
  subnetIds: ['subnet-0a9b8c7d6e5f40311', 'subnet-0a9b8c7d6e5f40322'],
  traceableServiceName: 'shop',
};
new TraceableTrafficMirroring(stack, 'mirroring_staging', {
  ...common, stackName: 'mirroring-staging', traceableEnvironment: 'staging', mirrorSourceType: 'LOAD_BALANCER', mirrorSources: ['shop-staging-alb'],
});
new TraceableTrafficMirroring(stack, 'mirroring_prod', {
  ...common, stackName: 'mirroring-prod', traceableEnvironment: 'production', mirrorSourceType: 'TARGET_GROUP', mirrorSources: ['shop-prod-web'],
  traceableRefreshTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/refresh-token-Ab12Cd',
});
app.synth();
process.stdout.write(JSON.stringify({ entry: require.resolve('${PACKAGE_NAME}') }));
`);

    // Act
    const outdir = join(work, 'cdktf.out');
    entry = (JSON.parse(run('node', ['main.js', outdir], appDir)) as { entry: string }).entry;
    stackDir = join(outdir, 'stacks', 'platform');
    synthesized = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    // The created token secret's variable (one per instance that creates one); the others have defaults.
    const required = Object.entries(synthesized.variable ?? {}).filter(([, variable]) => !Object.hasOwn(variable as object, 'default'));
    const tokens = Object.fromEntries(required.map(([name]) => [`TF_VAR_${name}`, 'token-for-plan']));
    plan = await terraformPlan(stackDir, { env: tokens });
  }, 600_000);

  /** The synthesized addresses of the resources inside one construct instance, from cdktf's construct path. */
  const addressesUnder = (id: string) => Object.entries(synthesized.resource)
    .flatMap(([type, byName]) => Object.entries(byName)
      .filter(([, body]) => body['//']?.metadata?.path?.startsWith(`platform/${id}/`))
      .map(([name]) => `${type}.${name}`))
    .sort();

  it('uses the installed package, not this repository', () => {
    expect(realpathSync(entry)).toBe(realpathSync(join(installed, 'dist', 'index.js')));
    expect(relative(root, realpathSync(entry)).startsWith('..')).toBe(true);
    // The per-stack zips went to the temporary directory, not into node_modules.
    expect(existsSync(join(installed, 'build'))).toBe(false);
  });

  it('deploys the prebuilt Lambda code the package ships', () => {
    const code = storedZipEntry(readFileSync(join(installed, PREBUILT_BUNDLE)), 'index.js');
    const functions = Object.values(synthesized.resource.aws_lambda_function);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(storedZipEntry(readFileSync(join(stackDir, fn.filename as string)), 'index.js').equals(code)).toBe(true);
  });

  it('types the construct for a TypeScript app: the installed .d.ts files resolve, a misspelt prop is refused', () => {
    // Prepare: `@ts-expect-error` fails the compile if the error it expects does not occur (props typed as any).
    writeFileSync(join(appDir, 'typed.ts'), `
import { TerraformStack } from 'cdktf';
import { TraceableTrafficMirroring, type TraceableTrafficMirroringProps } from '${PACKAGE_NAME}';

export function addMirroring(stack: TerraformStack): TraceableTrafficMirroring {
  const props: TraceableTrafficMirroringProps = {
    region: 'eu-west-1', vpcId: 'vpc-0a9b8c7d6e5f40312', subnetIds: ['subnet-0a9b8c7d6e5f40311'],
    mirrorSourceType: 'LOAD_BALANCER', mirrorSources: ['shop-alb'], traceableEnvironment: 'production', traceableServiceName: 'shop',
  };
  // @ts-expect-error: no such prop
  const misspelt: TraceableTrafficMirroringProps = { ...props, stackNmae: 'mirroring-prod' };
  // @ts-expect-error: a number, not the JSON file's string
  const loose: TraceableTrafficMirroringProps = { ...props, autoscalingMaxSize: '3' };
  void loose;
  const mirroring = new TraceableTrafficMirroring(stack, 'mirroring', misspelt);
  const targetId: string = mirroring.mirrorTargetId;
  void targetId;
  return mirroring;
}
`);
    writeFileSync(join(appDir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'commonjs', moduleResolution: 'node', target: 'ES2022', types: [], skipLibCheck: true }, files: ['typed.ts'],
    }));

    // Act / Assess: tsc prints nothing and exits 0 (run throws otherwise, with its output).
    expect(run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', appDir], appDir)).toBe('');
  }, 120_000);

  it('plans both instances, each with its own addresses and AWS names, and the user\'s own bucket', () => {
    const staging = addressesUnder('mirroring_staging');
    const prod = addressesUnder('mirroring_prod');
    expect(staging.length).toBeGreaterThan(10);
    expect(prod.length).toBeGreaterThan(10);
    expect(staging.filter((address) => prod.includes(address))).toEqual([]);
    for (const address of [...staging, ...prod, 'aws_s3_bucket.audit_logs']) expect([address, plan.actions[address]]).toEqual([address, ['create']]);
    // Names AWS keeps unique per account and region: each instance has its own.
    const named = (plan.json.resource_changes as Array<{ type: string; change: { after: { name?: string; function_name?: string } } }>)
      .filter((change) => ['aws_lb', 'aws_lambda_function', 'aws_iam_role', 'aws_sqs_queue', 'aws_cloudwatch_log_group', 'aws_autoscaling_group', 'aws_cloudwatch_event_rule'].includes(change.type))
      .map((change) => `${change.type} ${change.change.after.name ?? change.change.after.function_name}`);
    expect(named.length).toBeGreaterThan(14);
    expect(named.filter((name, index) => named.indexOf(name) !== index)).toEqual([]);
    const lbNames = named.filter((name) => name.startsWith('aws_lb ')).sort();
    expect(lbNames).toHaveLength(2);
    expect(lbNames.map((name) => /staging|prod/.test(name))).toEqual([true, true]);
    const bucket = (plan.json.resource_changes as Array<{ address: string; change: { after: { bucket?: string } } }>).find((change) => change.address === 'aws_s3_bucket.audit_logs');
    expect(bucket?.change.after.bucket).toBe('platform-audit-logs-eu-west-1');
  });
});
