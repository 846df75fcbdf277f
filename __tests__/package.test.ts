/**
 * The package as a consumer gets it: what `npm pack` ships, and a fresh cdktf app of its own that installs the tarball,
 * adds the construct twice next to its own provider and resource, synthesizes and runs the real offline terraform plan.
 * The package is packed once for the file (prepack builds dist/ and the prebuilt Lambda zip in the repository).
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildSessionLambdaZip, PREBUILT_BUNDLE } from '../modules/lambda-bundle';
import { zipEntryContent } from '../modules/zip';
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

let packedOnce: { result: PackResult; dir: string } | undefined;

/** The package as `npm pack` makes it (prepack builds dist/: the costly part), packed once for this file's suites; a
 * copy of the tarball is put in `destination` when given. */
function npmPack(destination?: string): PackResult {
  if (!packedOnce) {
    const dir = mkdtempSync(join(tmpdir(), 'pack-'));
    packedOnce = { result: (JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], root)) as PackResult[])[0], dir };
  }
  if (destination) copyFileSync(join(packedOnce.dir, packedOnce.result.filename), join(destination, packedOnce.result.filename));
  return packedOnce.result;
}

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
    packed = npmPack();
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
    expect(zipEntryContent(prebuilt, 'index.js').length).toBeGreaterThan(100_000);
  });
  it('declares what the compiled code requires: zod at run time; constructs, and cdktf or cdktn with their provider, as peers', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const files = readdirSync(join(root, 'dist'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
      .map((entry) => join(entry.parentPath, entry.name));
    /** The packages named by require() (`@scope/name` or `name`), node's own modules aside. */
    const requiredBy = (paths: string[]) => new Set(paths.map((file) => readFileSync(file, 'utf8')).flatMap((code) => [...code.matchAll(/\brequire\(["']([^"'.][^"']*)["']\)/g)]
      .map((match) => match[1].split('/').slice(0, match[1].startsWith('@') ? 2 : 1).join('/'))
      .filter((name) => !name.startsWith('node:'))));

    // Act: the library, and the commands bundled with the AWS SDK clients they use (dist/bin).
    const inBin = (file: string) => file.startsWith(join(root, 'dist', 'bin') + '/');
    const required = requiredBy(files.filter((file) => !inBin(file)));
    const requiredByCommands = requiredBy(files.filter(inBin));

    // Assess: esbuild is required only to bundle from the sources, which the package does not ship. cdktf and its
    // provider, or CDK Terrain's (dist/cdktn), are optional peers: an app brings one of the two.
    expect([...required].sort()).toEqual(['@cdktf/provider-aws', '@cdktn/provider-aws', 'cdktf', 'cdktn', 'constructs', 'esbuild', 'zod']);
    expect(Object.keys(manifest.dependencies)).toEqual(['zod']);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['@cdktf/provider-aws', '@cdktn/provider-aws', 'cdktf', 'cdktn', 'constructs']);
    expect(Object.keys(manifest.peerDependenciesMeta).sort()).toEqual(['@cdktf/provider-aws', '@cdktn/provider-aws', 'cdktf', 'cdktn']);
    expect(manifest.devDependencies.esbuild).toBeDefined();
    // The commands: the peers and zod from the app's node_modules; the SDK's optional signers (SigV4a, CRT) are required
    // inside a try only when a request needs them, which these clients' requests do not.
    expect([...requiredByCommands].sort()).toEqual(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a', '@cdktf/provider-aws', 'cdktf', 'constructs', 'esbuild', 'zod']);
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
    const packed = npmPack(work);
    const tarball = `file:../${packed.filename}`;
    const ours = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
    const zod = ours['node_modules/zod'];
    const app = { name: 'platform-infrastructure', version: '1.0.0', private: true, dependencies: { [PACKAGE_NAME]: tarball } };
    mkdirSync(appDir);
    writeFileSync(join(appDir, 'package.json'), JSON.stringify(app, null, 2));
    writeFileSync(join(appDir, 'package-lock.json'), JSON.stringify({
      ...app, lockfileVersion: 3, requires: true, packages: {
        '': app,
        [`node_modules/${PACKAGE_NAME}`]: {
          version: packed.version, resolved: tarball, integrity: packed.integrity, dependencies: ours[''].dependencies, peerDependencies: ours[''].peerDependencies,
          // npm ci links the commands the lockfile names
          bin: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin,
        },
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
    const code = zipEntryContent(readFileSync(join(installed, PREBUILT_BUNDLE)), 'index.js');
    const functions = Object.values(synthesized.resource.aws_lambda_function);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(zipEntryContent(readFileSync(join(stackDir, fn.filename as string)), 'index.js').equals(code)).toBe(true);
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

  it('runs the package\'s commands with npx from the installed package: --help, the permissions and the host files of a configuration, the doctor without credentials', () => {
    // Prepare: a configuration of the user's, and no AWS credentials anywhere the SDK looks.
    const config = join(appDir, 'mirroring.json');
    writeFileSync(config, JSON.stringify({
      StackName: 'mirroring-prod', Region: 'eu-west-1', AccountId: '123456789012', VpcId: 'vpc-0a9b8c7d6e5f40312', SubnetIds: 'subnet-0a9b8c7d6e5f40311',
      MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'shop-alb', TraceableEnvironment: 'production', TraceableServiceName: 'shop',
    }));
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const noCredentials = {
      ...cleanEnv(), AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'), AWS_CONFIG_FILE: join(work, 'none'),
      AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '',
    };
    const npx = (...args: string[]) => spawnSync('npx', ['--no-install', ...args], { cwd: appDir, env: noCredentials, encoding: 'utf8' });

    // Act
    const helps = Object.keys(manifest.bin).map((bin) => [bin, npx(bin, '--help')] as const);
    const permissions = npx('traceable-mirroring-permissions', '--stack', 'mirroring-prod', '--config', config, '--for', 'plan', '--out', join(work, 'policies'));
    const rendered = npx('traceable-mirroring-render-bootstrap', '--config', config, '--out', join(work, 'hosts'));
    const doctor = npx('traceable-mirroring-doctor', '--stack', 'mirroring-prod', '--config', config);

    // Assess
    expect(Object.keys(manifest.bin).sort()).toEqual(['traceable-mirroring-doctor', 'traceable-mirroring-doctor-source', 'traceable-mirroring-permissions', 'traceable-mirroring-render-bootstrap', 'traceable-mirroring-token-put']);
    for (const [bin, help] of helps) expect([bin, help.status, help.stdout.split('\n')[0], help.stderr]).toEqual([bin, 0, expect.stringMatching(new RegExp(`^usage: ${bin} --`)), '']);
    expect([permissions.status, permissions.stderr]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(join(work, 'policies', 'mirroring-prod-plan.json'), 'utf8')).Statement.length).toBeGreaterThan(3);
    expect([rendered.status, rendered.stderr]).toEqual([0, '']);
    expect(readFileSync(join(work, 'hosts', 'suricata.yaml'), 'utf8')).toContain('af-packet:');
    // The doctor's own lines (the AWS SDK may add its warning about the Node.js version).
    expect([doctor.status, doctor.stdout, doctor.stderr.split('\n').filter((line) => line.startsWith('doctor:'))]).toEqual([
      2, '', ["doctor: no usable AWS credentials for eu-west-1 (Could not load credentials from any providers); run with the credentials of the stack's account, e.g. AWS_PROFILE=<profile>"],
    ]);
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

/**
 * The peers today's users bring, with npm's strict peer resolution: cdktf with the provider of hashicorp/aws 5.x
 * (@cdktf/provider-aws 20) or 6.x (21), and CDK Terrain (cdktn with @cdktn/provider-aws, through the package's `/cdktn`
 * entry). Each app type-checks and synthesizes the same construct; the JSON must equal the one this repository's
 * peers (cdktf 0.21.0, @cdktf/provider-aws 20.1.0) synthesize, but for the provider's version and source. Those are
 * the 5.x flavour: npm resolves the tarball with them from the registry (`npm install --dry-run`, the same strict
 * resolution without extracting a 360 MB provider again) and the reference app type-checks and synthesizes with them.
 * The 6.x flavours are installed from the registry. Only hashicorp/aws 5.100.0 is on this machine, so their plans are
 * not run here (README: cdktf and CDK Terrain).
 */
describe('the peers a consumer brings', () => {
  /** This repository's own peers (package-lock.json), the reference app's. */
  const OWN_PEERS = { cdktf: '0.21.0', constructs: '10.4.2', '@cdktf/provider-aws': '20.1.0' };
  const FLAVOURS = {
    'cdktf 0.21 + @cdktf/provider-aws 21 (hashicorp/aws 6.x)': {
      library: 'cdktf', provider: '@cdktf/provider-aws', entry: PACKAGE_NAME,
      peers: { cdktf: '0.21.0', constructs: '10.4.2', '@cdktf/provider-aws': '21.9.1' }, awsVersion: /^6\./,
    },
    'CDK Terrain: cdktn 0.24 + @cdktn/provider-aws 25 (hashicorp/aws 6.x)': {
      library: 'cdktn', provider: '@cdktn/provider-aws', entry: `${PACKAGE_NAME}/cdktn`,
      peers: { cdktn: '0.24.0', constructs: '10.7.0', '@cdktn/provider-aws': '25.7.0' }, awsVersion: /^6\./,
    },
  } as const;
  type Flavour = (typeof FLAVOURS)[keyof typeof FLAVOURS];
  const work = mkdtempSync(join(tmpdir(), 'peers-'));
  const PROPS = `{
    stackName: 'mirroring-prod', region: 'eu-west-1', vpcId: 'vpc-0a9b8c7d6e5f40312',
    subnetIds: ['subnet-0a9b8c7d6e5f40311', 'subnet-0a9b8c7d6e5f40322'], mirrorSourceType: 'LOAD_BALANCER', mirrorSources: ['shop-frontend-alb'],
    traceableEnvironment: 'production', traceableServiceName: 'shop',
    traceableRefreshTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/refresh-token-Ab12Cd',
  }`;
  const appSource = (flavour: Pick<Flavour, 'library' | 'provider' | 'entry'>) => `
import { App, TerraformStack } from '${flavour.library}';
import { AwsProvider } from '${flavour.provider}/lib/provider';
import { TraceableTrafficMirroring, type TraceableTrafficMirroringProps } from '${flavour.entry}';

const app = new App({ outdir: 'cdktf.out' });
const stack = new TerraformStack(app, 'platform');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const props: TraceableTrafficMirroringProps = ${PROPS};
new TraceableTrafficMirroring(stack, 'mirroring_prod', props);
app.synth();
`;
  /** The synthesized JSON without what differs by design: construct metadata, the provider's version and source, paths. */
  const comparable = (file: string) => {
    const strip = (value: unknown): unknown => Array.isArray(value) ? value.map(strip)
      : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter(([key]) => key !== '//').map(([key, inner]) => [key, strip(inner)])) : value;
    const json = strip(JSON.parse(readFileSync(file, 'utf8'))) as { terraform: { required_providers: { aws: object }; backend?: object }; resource: { aws_lambda_function: Record<string, object> } };
    json.terraform.required_providers.aws = {};
    delete json.terraform.backend;
    for (const fn of Object.values(json.resource.aws_lambda_function)) Object.assign(fn, { filename: 'code.zip' });
    return json;
  };
  const runAsync = (command: string, args: string[], cwd: string) => new Promise<string>((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...cleanEnv(), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stderr}`)) : resolve(stdout));
  });
  /** tsc compiles the app to JavaScript against the peers' own type definitions, strictly; node runs it. */
  const typeCheckAndSynth = (dir: string) => {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'commonjs', moduleResolution: 'node', target: 'ES2022', types: [], skipLibCheck: true, outDir: 'out-js' }, files: ['main.ts'],
    }));
    expect(run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], dir)).toBe('');
    run(process.execPath, [join(dir, 'out-js', 'main.js')], dir);
    return join(dir, 'cdktf.out', 'stacks', 'platform', 'cdk.tf.json');
  };
  let reference: ReturnType<typeof comparable>;
  let referenceAwsVersion: string;
  let ownPeersResolved: string;

  beforeAll(async () => {
    // Prepare: this repository's own peers synthesize the reference and npm resolves them with the tarball; each
    // other flavour's app installs the tarball and its peers from the registry, all at once (the downloads dominate).
    const packed = npmPack(work);
    const ours = join(work, 'ours');
    mkdirSync(ours);
    writeFileSync(join(ours, 'main.ts'), appSource({ library: 'cdktf', provider: '@cdktf/provider-aws', entry: PACKAGE_NAME }));
    mkdirSync(join(ours, 'node_modules', '@cdktf'), { recursive: true });
    for (const name of Object.keys(OWN_PEERS)) symlinkSync(join(root, 'node_modules', name), join(ours, 'node_modules', name));
    symlinkSync(root, join(ours, 'node_modules', PACKAGE_NAME));
    const referenceFile = typeCheckAndSynth(ours);
    reference = comparable(referenceFile);
    referenceAwsVersion = JSON.parse(readFileSync(referenceFile, 'utf8')).terraform.required_providers.aws.version;
    const strictInstall = (dir: string, peers: Record<string, string>, ...options: string[]) =>
      runAsync('npm', ['install', '--strict-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', ...options, `file:../${packed.filename}`, ...Object.entries(peers).map(([name, version]) => `${name}@${version}`)], dir);
    const newApp = (name: string) => {
      const dir = join(work, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true }));
      return dir;
    };
    [ownPeersResolved] = await Promise.all([
      strictInstall(newApp('own-peers'), OWN_PEERS, '--dry-run'),
      Promise.all(Object.values(FLAVOURS).map(async (flavour, index) => {
        const dir = newApp(`app-${index}`);
        await strictInstall(dir, flavour.peers);
        writeFileSync(join(dir, 'main.ts'), appSource(flavour));
      })),
    ]);
  }, 900_000);

  it("cdktf 0.21 + @cdktf/provider-aws 20 (hashicorp/aws 5.x), this repository's own peers: resolve with strict peers; the reference type-checks and synthesizes with them", () => {
    const installedVersion = (name: string) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(Object.keys(OWN_PEERS).map((name) => [name, installedVersion(name)])).toEqual(Object.entries(OWN_PEERS));
    // npm lists what it would add: the tarball, its one dependency (zod) and the peers, each at the version asked for.
    const added = ownPeersResolved.split('\n').filter((line) => line.startsWith('add ') && !line.startsWith('add zod ')).sort();
    const ownVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    expect(added).toEqual([...Object.entries(OWN_PEERS).map(([name, version]) => `add ${name} ${version}`), `add ${PACKAGE_NAME} ${ownVersion}`].sort());
    expect(referenceAwsVersion).toMatch(/^5\./);
  });

  it.each(Object.keys(FLAVOURS))('%s: installs with strict peers, type-checks, synthesizes the same JSON', (name) => {
    // Act
    const index = Object.keys(FLAVOURS).indexOf(name);
    const flavour = FLAVOURS[name as keyof typeof FLAVOURS];
    const dir = join(work, `app-${index}`);
    const file = typeCheckAndSynth(dir);

    // Assess
    const synthesized = JSON.parse(readFileSync(file, 'utf8'));
    expect(synthesized.terraform.required_providers.aws.version).toMatch(flavour.awsVersion);
    expect(realpathSync(join(dir, 'node_modules', flavour.library))).toBe(join(dir, 'node_modules', flavour.library));
    expect(existsSync(join(dir, 'node_modules', flavour.library === 'cdktf' ? 'cdktn' : 'cdktf'))).toBe(false);
    expect(comparable(file)).toEqual(reference);
  });
});
