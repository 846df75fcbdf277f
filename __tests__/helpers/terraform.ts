/**
 * Runs the real Terraform CLI offline against a synthesized stack: the provider comes from the machine's local
 * filesystem mirror, credentials are fake, and the provider's skip_* flags live in a test-only override file
 * (never in the product's output). terraformPlan plans one stack; terraformPlans plans several in one terraform run
 * (far less CPU: use it wherever a suite plans more than one stack that is expected to plan).
 */
import { createHash } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { installedProvider, withOwnProvider } from './provider-server';

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
  // One search per jest run. /tmp is searched last: the tests' own temporary folders make it the slowest part.
  const file = cached('provider-mirror', (temp) => {
    const found = findMirroredProvider('/', 8, ['/tmp']) ?? findMirroredProvider('/tmp', 7);
    if (!found) throw new Error(`hashicorp/aws 5.100.0 is not in any local filesystem mirror (no ${PROVIDER_FILE}* under a registry.terraform.io/ folder within 8 levels of /, kernel file systems, node_modules and .git aside; set TF_PROVIDER_MIRROR to the folder above registry.terraform.io/)`);
    writeFileSync(temp, found.slice(0, found.indexOf('/registry.terraform.io/')));
  });
  return readFileSync(file, 'utf8');
}

/** The first aws provider binary in a registry layout within `depth` levels of `root` (the kernel's file systems,
 * node_modules, .git and `skipped` are not searched). */
function findMirroredProvider(root: string, depth: number, skipped: string[] = []): string | undefined {
  const pruned = ['/proc', '/sys', '/dev', '/run', ...skipped].flatMap((path) => ['-path', path, '-o']);
  const args = [root, '-maxdepth', String(depth), '(', ...pruned, '-name', 'node_modules', '-o', '-name', '.git', ')', '-prune', '-o', '-type', 'f', '-name', `${PROVIDER_FILE}*`, '-print'];
  return spawnSync('find', args, { encoding: 'utf8' }).stdout.split('\n').find((path) => path.includes('/registry.terraform.io/'));
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

/** The local backend the offline override gives every stack copy (writeOfflineOverride with localBackend). */
const OFFLINE_BACKEND = { local: { path: 'terraform.tfstate' } };

/**
 * Writes the test-only override into a stack folder (`provider: false`: without the provider settings, for a module
 * that inherits its provider from a batch's root). With `localBackend`, a remote backend (S3, HCP Terraform) is
 * swapped for a local one, which Terraform allows in override files. A source account's provider assumes a role
 * (STS, online) and refuses any account but its own (unknown offline): an override cannot remove a nested block, so
 * `assume_role` and `allowed_account_ids` are taken out of the copy's cdk.tf.json instead.
 */
export function writeOfflineOverride(stackDir: string, options: { localBackend?: boolean; provider?: boolean } = {}): void {
  const { localBackend = false, provider = true } = options;
  const override = { ...(provider ? OFFLINE_PROVIDER_OVERRIDE : {}), ...(localBackend ? { terraform: { backend: OFFLINE_BACKEND } } : {}) };
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
  /** `false`: plan without refreshing (`-refresh=false`): against a prior state, a refresh would call AWS. */
  readonly refresh?: boolean;
}

/** Copies a synthesized stack folder, adds the offline override, and runs `terraform init` and `terraform plan`. */
export async function terraformPlan(stackDir: string, options: PlanOptions = {}): Promise<PlanResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'tf-plan-'));
  cpSync(stackDir, workDir, { recursive: true });
  writeOfflineOverride(workDir, { localBackend: true });
  if (options.stateFile) cpSync(options.stateFile, join(workDir, 'terraform.tfstate'));
  const terraform = offlineTerraform(workDir, offlineTerraformEnv(options.env));
  await initOffline(workDir, terraform);
  const plan = await terraform(...planArgs(options));
  const shown = await terraform('show', '-json', 'plan.bin');
  const json = JSON.parse(shown.stdout);
  return { actions: actionsOf(json), json, stdout: plan.stdout, workDir };
}

function planArgs(options: PlanOptions): string[] {
  return ['plan', '-input=false', '-no-color', '-lock=false', ...(options.refresh === false ? ['-refresh=false'] : []), '-out=plan.bin'];
}

/**
 * Runs the terraform CLI in `workDir`; a failure's error carries Terraform's diagnostics on one line. A command that
 * configures no aws provider (`show`, `providers schema`), and a `plan` or an `apply` of a saved plan in a root with
 * one aws provider configuration, runs on a provider process of its own (helpers/provider-server.ts).
 * `awsProviders`: how many aws provider configurations the root has (by default its cdk.tf.json's).
 */
export function offlineTerraform(workDir: string, env: NodeJS.ProcessEnv, awsProviders = awsProvidersOf(workDir)): (...args: string[]) => Promise<{ stdout: string }> {
  return async (...args: string[]) => {
    const terraform = (provider: Record<string, string>) => run('terraform', [`-chdir=${workDir}`, ...args], { env: { ...env, ...provider }, maxBuffer: 256 * 1024 * 1024 });
    try {
      return await (ownProviderServes(args, awsProviders) ? withOwnProvider(installedProvider(workDir), terraform) : terraform({}));
    } catch (error) {
      const failure = error as Error & { stdout?: string; stderr?: string };
      // Terraform wraps diagnostics at 78 columns: fold white space so tests can match whole messages.
      const diagnostics = (failure.stderr || '').replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ').trim();
      throw new Error(`terraform ${args[0]} failed in ${workDir}: ${diagnostics}\n${failure.stdout || ''}`, { cause: error });
    }
  };
}

 
/** Whether `terraform <args>` in a root with `awsProviders` configurations configures at most one, once (see provider-server.ts). */
function ownProviderServes(args: readonly string[], awsProviders: number): boolean {
  if (args[0] === 'show' || args[0] === 'providers') return true;
  const savedPlan = args[0] === 'apply' && !args[args.length - 1].startsWith('-');
  return (args[0] === 'plan' || savedPlan) && awsProviders <= 1;
}

/** The aws provider configurations of a stack folder's root; a stack with modules may have more than its own. */
function awsProvidersOf(workDir: string): number {
  const stack = stackJsonOf(workDir);
  return stack.module ? Infinity : (stack.provider?.aws?.length ?? 0);
}

function actionsOf(json: any): Record<string, string[]> {
  const actions: Record<string, string[]> = {};
  for (const change of json.resource_changes ?? []) actions[change.address] = change.change.actions;
  return actions;
}

/** A plan's JSON without what differs between two runs of the same plan: the time of the run, and the order Terraform
 * happens to list the relevant attributes in. */
export function comparablePlanJson({ timestamp: _time, relevant_attributes: relevant, ...json }: Record<string, unknown>): Record<string, unknown> {
  return { ...json, relevant_attributes: ((relevant ?? []) as object[]).map((attribute) => JSON.stringify(attribute)).sort() };
}

/** One stack to plan with terraformPlans: its synthesized folder and terraformPlan's options. */
export interface PlanRequest extends PlanOptions {
  readonly stackDir: string;
}

/** Stacks per batched terraform run: each stack's provider configuration is a provider process of its own (0.25 to 0.35
 * GB resident, measured), so the fourteen mode stacks fit one run. */
const STACKS_PER_BATCH = 16;

/**
 * Plans several stacks, each result as terraformPlan would give it, with far less CPU: the stacks of one shape (same
 * provider requirements, same environment but their TF_VAR_s) are planned together, as modules `s0`, `s1`, ... of one
 * root in one `terraform init`, one `terraform plan` and one `terraform show -json` (each loads the aws provider's
 * schema: a plan costs ~6.5 s CPU alone, ~2.6 s more per stack in a batch). Each stack keeps its own provider block
 * (region, default tags), unless all have the same one (planBatch), and its `TF_VAR_x` goes to its own variable `x`
 * (sensitive stays sensitive). Each result's `json` is that module's part with module-relative addresses, exactly what
 * its own plan shows (`resource_changes`, `planned_values` and `prior_state` with outputs, `output_changes`,
 * `configuration`, `variables`, `checks`, `relevant_attributes`; against a prior state `relevant_attributes` also lists
 * what the stack's outputs read); `stdout` and
 * `workDir` are the batch's (every stack of the batch, addresses `module.sN.`). Assets keep their relative paths: the
 * stacks' content-hashed `assets/` folders are merged into the root's. A `stateFile` becomes the module's part of the
 * root's state (its resources and outputs moved into `module.sN`); plans with and without `refresh` are not batched together. When a batch
 * fails, each of its stacks is planned alone, so a failing stack rejects with its own diagnostics, as in terraformPlan.
 */
export async function terraformPlans(requests: readonly PlanRequest[]): Promise<PlanResult[]> {
  const shapes = new Map<string, number[]>();
  requests.forEach((request, index) => {
    const shape = batchShape(request);
    shapes.set(shape, [...(shapes.get(shape) ?? []), index]);
  });
  const results: PlanResult[] = new Array(requests.length);
  // One batch at a time: a batch's plan already runs its stacks' providers in parallel.
  for (const indexes of shapes.values()) {
    const size = Math.ceil(indexes.length / Math.ceil(indexes.length / STACKS_PER_BATCH)); // even batches: 20 stacks -> 10 + 10
    for (let start = 0; start < indexes.length; start += size) {
      const batch = indexes.slice(start, start + size);
      const planned = await planBatch(batch.map((index) => requests[index])).catch((error: Error) => {
        // Expected only when a stack's own plan fails (then planned alone, it rejects with its own diagnostics).
        console.warn(`terraformPlans: the batch of ${batch.length} failed, planning each alone: ${error.message.slice(0, 2000)}`);
        return undefined;
      });
      for (const [i, index] of batch.entries()) results[index] = planned?.[i] ?? (await terraformPlan(requests[index].stackDir, requests[index]));
    }
  }
  return results;
}

/**
 * Named stacks a suite plans together, paid by whichever test asks first: `planned(name)` makes every stack (synth)
 * and plans them all in one terraformPlans call, once, then gives that stack with its plan.
 */
export function plannedTogether<Name extends string, Stack extends PlanRequest>(stacks: Record<Name, () => Stack>): (name: Name) => Promise<Stack & { plan: PlanResult }> {
  let batch: Promise<Map<Name, Stack & { plan: PlanResult }>> | undefined;
  return async (name) => {
    batch ??= (async () => {
      const made = (Object.entries(stacks) as [Name, () => Stack][]).map(([key, make]) => [key, make()] as const);
      const plans = await terraformPlans(made.map(([, stack]) => stack));
      return new Map(made.map(([key, stack], index) => [key, { ...stack, plan: plans[index] }]));
    })();
    return (await batch).get(name)!;
  };
}

const TF_VAR = 'TF_VAR_';

/** What stacks planned together must share: provider requirements and the environment but their own variables. */
function batchShape(request: PlanRequest): string {
  const stack = stackJsonOf(request.stackDir);
  const env = Object.entries(request.env ?? {}).filter(([name]) => !name.startsWith(TF_VAR));
  return JSON.stringify([stack.terraform?.required_providers ?? null, env.sort(), request.refresh ?? true]);
}

/** A stack's synthesized JSON, as far as batching reads it. */
interface StackJson {
  terraform?: { required_providers?: unknown };
  provider?: { aws?: unknown[] };
  module?: unknown;
  variable?: Record<string, Record<string, unknown>>;
  output?: Record<string, { sensitive?: boolean }>;
}

/** A synthesized stack folder's cdk.tf.json. */
function stackJsonOf(stackDir: string): StackJson {
  return JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as StackJson;
}

/** The keys of a stack's variable definition a root variable can copy (a validation names the stack's own `var.x`). */
const COPIED_VARIABLE_KEYS = ['type', 'default', 'sensitive', 'nullable', 'description'];

/** Plans the stacks (one shape) as modules of one root; see terraformPlans. A single stack is planned alone. */
async function planBatch(batch: readonly PlanRequest[]): Promise<PlanResult[]> {
  if (batch.length === 1) return [await terraformPlan(batch[0].stackDir, batch[0])];
  const workDir = mkdtempSync(join(tmpdir(), 'tf-plans-'));
  const root: { module: Record<string, Record<string, unknown>>; variable: Record<string, unknown>; output: Record<string, unknown>; provider?: unknown; terraform?: object } = { module: {}, variable: {}, output: {} };
  const env: Record<string, string> = {};
  const states: State[] = [];
  // Stacks whose provider blocks are the same share one configuration, the root's, which each module inherits: each
  // configuration costs terraform its own provider process in every step (14 stacks: 33 s CPU with one each, 14.5 s
  // with one for all, measured). The plan shows it as the stack's own plan does (`aws`, no module address).
  const shareProvider = new Set(batch.map((request) => JSON.stringify(stackJsonOf(request.stackDir).provider ?? null))).size === 1;
  batch.forEach((request, index) => {
    const key = `s${index}`;
    const moduleDir = join(workDir, key);
    cpSync(request.stackDir, moduleDir, { recursive: true });
    writeOfflineOverride(moduleDir, { localBackend: true, provider: !shareProvider });
    mergeAssets(join(moduleDir, 'assets'), join(workDir, 'assets'));
    if (shareProvider) root.provider = withoutProvider(moduleDir); // the same block from every stack
    const stack = stackJsonOf(moduleDir);
    const call: Record<string, unknown> = { source: `./${key}` };
    for (const [name, definition] of Object.entries(stack.variable ?? {})) {
      root.variable[`${key}__${name}`] = Object.fromEntries(COPIED_VARIABLE_KEYS.filter((k) => k in definition).map((k) => [k, definition[k]]));
      call[name] = `\${var.${key}__${name}}`;
    }
    root.module[key] = call;
    for (const [name, output] of Object.entries(stack.output ?? {})) {
      root.output[`${key}__${name}`] = { value: `\${module.${key}.${name}}`, ...(output.sensitive ? { sensitive: true } : {}) };
    }
    if (request.stateFile) states.push(stateInModule(JSON.parse(readFileSync(request.stateFile, 'utf8')) as State, key, shareProvider));
    for (const [name, value] of Object.entries(request.env ?? {})) {
      env[name.startsWith(TF_VAR) ? `${TF_VAR}${key}__${name.slice(TF_VAR.length)}` : name] = value;
    }
  });
  if (shareProvider) {
    // The provider's requirements where its configuration is: the plan shows its version constraint there.
    root.terraform = { required_providers: stackJsonOf(batch[0].stackDir).terraform?.required_providers };
    writeOfflineOverride(workDir);
  }
  // An empty `variable` or `output` object is a configuration error.
  const blocks = Object.entries(root).filter(([, block]) => block && Object.keys(block).length > 0);
  writeFileSync(join(workDir, 'main.tf.json'), JSON.stringify(Object.fromEntries(blocks), null, 2));
  if (states.length) {
    const state = { ...states[0], outputs: Object.assign({}, ...states.map((s) => s.outputs)), resources: states.flatMap((s) => s.resources) };
    writeFileSync(join(workDir, 'terraform.tfstate'), JSON.stringify(state, null, 2));
  }
  const terraform = offlineTerraform(workDir, offlineTerraformEnv(env), shareProvider ? 1 : Infinity);
  // The stacks share their provider requirements (batchShape); a stack with modules of its own needs a real init.
  const stacks = batch.map((request) => stackJsonOf(request.stackDir));
  const requiredProviders = stacks[0].terraform?.required_providers;
  if (stacks.some((stack) => stack.module) || !requiredProviders) await terraform('init', '-input=false', '-no-color');
  else await initFromTemplate(workDir, requiredProviders, { backend: false, localModules: Object.keys(root.module) });
  const plan = await terraform(...planArgs(batch[0]));
  const shown = JSON.parse((await terraform('show', '-json', 'plan.bin')).stdout);
  return batch.map((_, index) => {
    const json = moduleOfPlan(shown, `s${index}`);
    return { actions: actionsOf(json), json, stdout: plan.stdout, workDir };
  });
}

/** A Terraform state (version 4), as far as batching moves it. */
interface State {
  outputs: Record<string, unknown>;
  resources: { module?: string; provider: string }[];
}

/** A stack's state as module `key`'s part of a batch root's state: its resources in the module (with the module's
 * provider, or the root's when the batch shares it), its outputs the root's `<key>__x`. */
function stateInModule(state: State, key: string, rootProvider: boolean): State {
  return {
    ...state,
    outputs: Object.fromEntries(Object.entries(state.outputs ?? {}).map(([name, output]) => [`${key}__${name}`, output])),
    resources: state.resources.map((resource) => ({
      ...resource,
      module: resource.module ? `module.${key}.${resource.module}` : `module.${key}`,
      provider: rootProvider ? resource.provider : `module.${key}.${resource.provider}`,
    })),
  };
}

/** Copies a stack's assets into the batch root's `assets/`: their paths are content hashes, so the same path is the same file. */
function mergeAssets(from: string, to: string): void {
  if (!existsSync(from)) return;
  for (const file of readdirSync(from, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())) {
    const source = join(file.parentPath, file.name);
    const target = join(to, relative(from, source));
    if (!existsSync(target)) cpSync(source, target);
    else if (!readFileSync(target).equals(readFileSync(source))) throw new Error(`two stacks of a batch have different assets at ${relative(from, source)}`);
  }
}

/** Takes the provider block out of a stack copy's cdk.tf.json (its module then inherits the batch root's) and returns it. */
function withoutProvider(moduleDir: string): unknown {
  const { provider, ...stack } = JSON.parse(readFileSync(join(moduleDir, 'cdk.tf.json'), 'utf8'));
  writeFileSync(join(moduleDir, 'cdk.tf.json'), JSON.stringify(stack, null, 2));
  return provider;
}

/** The address `module.<key>.x` as the stack's own plan names it: `x`. */
function withoutModule(address: string, key: string): string {
  return address.startsWith(`module.${key}.`) ? address.slice(`module.${key}.`.length) : address;
}

/** A module's planned values with module-relative addresses. */
 
function plannedModule(module: any, key: string): any {
  const { address: _address, ...rest } = module;
  return {
    ...rest,
    ...(module.resources ? { resources: module.resources.map((r: { address: string; depends_on?: string[] }) => ownAddresses(r, key)) } : {}),
    ...(module.child_modules
      ? { child_modules: module.child_modules.map((child: { address: string }) => ({ ...plannedModule(child, key), address: withoutModule(child.address, key) })) }
      : {}),
  };
}

/** A resource of planned values or prior state with its address and its dependencies' (prior state) module-relative. */
function ownAddresses<R extends { address: string; depends_on?: string[] }>(resource: R, key: string): R {
  const dependsOn = resource.depends_on ? { depends_on: resource.depends_on.map((address) => withoutModule(address, key)) } : {};
  return { ...resource, address: withoutModule(resource.address, key), ...dependsOn };
}

/** Outputs named `<key>__x` in the batch root, as the stack's own outputs `x`. */
function ownOutputs(outputs: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  if (!outputs) return undefined;
  const prefix = `${key}__`;
  return Object.fromEntries(Object.entries(outputs).filter(([name]) => name.startsWith(prefix)).map(([name, value]) => [name.slice(prefix.length), value]));
}

/** The part of a batch's `terraform show -json` that is module `key`, as the stack's own plan shows it. */
 
function moduleOfPlan(plan: any, key: string): any {
  const inModule = (address: string) => address.startsWith(`module.${key}.`);
  const moduleAddress = `module.${key}`;
  const own = <T extends { address?: string; resource?: string }>(items: T[] | undefined) =>
    items?.filter((item) => inModule(item.address ?? item.resource ?? ''));
  const { module_calls: calls } = plan.configuration.root_module;
  const configs = Object.entries(plan.configuration.provider_config ?? {}) as [string, { module_address?: string }][];
  const ownConfigs = configs
    .filter(([, config]) => config.module_address === moduleAddress)
    .map(([name, config]): [string, object] => {
      const { module_address: _module, ...rest } = config;
      return [name.slice(`${moduleAddress}:`.length), rest];
    });
  // A batch's shared provider configuration is the root's, as in the stack's own plan.
  const providerConfig = Object.fromEntries(ownConfigs.length > 0 ? ownConfigs : configs.filter(([, config]) => !config.module_address));
  /** `planned_values` or `prior_state.values`: the module's resources and the root's outputs named after it. */
  const values = (all: any) => {
    const outputs = ownOutputs(all.outputs, key);
    const module = all.root_module?.child_modules?.find((m: { address: string }) => m.address === moduleAddress) ?? {};
    return { ...(outputs && Object.keys(outputs).length ? { outputs } : {}), root_module: plannedModule(module, key) };
  };
  const variables = ownOutputs(plan.variables, key);
  const outputChanges = ownOutputs(plan.output_changes, key);
  const { variables: _all, output_changes: _allOutputs, checks: _allChecks, ...rest } = plan;
  const checks = plan.checks
    ?.filter((check: any) => check.address.module === moduleAddress || check.address.module?.startsWith(`${moduleAddress}.`))
    .map((check: any) => ({
      ...check,
      address: ownCheckAddress(check.address, key),
      ...(check.instances ? { instances: check.instances.map((instance: any) => ({ ...instance, address: ownCheckAddress(instance.address, key) })) } : {}),
    }));
  return {
    ...rest,
    ...(variables && Object.keys(variables).length ? { variables } : {}),
    planned_values: values(plan.planned_values),
    ...(plan.prior_state ? { prior_state: { ...plan.prior_state, values: values(plan.prior_state.values ?? {}) } } : {}),
    ...(outputChanges && Object.keys(outputChanges).length ? { output_changes: outputChanges } : {}),
    resource_changes: own(plan.resource_changes)?.map((change: any) => {
      const { module_address: moduleOf, ...rest } = change;
      const nested = moduleOf && moduleOf !== moduleAddress ? { module_address: withoutModule(moduleOf, key) } : {};
      return { ...rest, ...nested, address: withoutModule(change.address, key) };
    }),
    relevant_attributes: own(plan.relevant_attributes)?.map((r: any) => ({ ...r, resource: withoutModule(r.resource, key) })),
    configuration: { ...plan.configuration, provider_config: providerConfig, root_module: ownProviderKeys(calls[key].module, key) },
    ...(checks?.length ? { checks } : {}),
  };
}

/** A module's configuration with its resources' `provider_config_key` as the stack's own plan shows it (`aws`, not `module.s0:aws`). */
 
function ownProviderKeys(value: any, key: string): any {
  if (Array.isArray(value)) return value.map((item) => ownProviderKeys(item, key));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) =>
      name === 'provider_config_key' && typeof item === 'string' ? [name, item.replace(`module.${key}:`, '')] : [name, ownProviderKeys(item, key)],
    ),
  );
}

/** A check's address (`{ module: 'module.s0', to_display: 'module.s0.var.x' }`) as the stack's own plan shows it. */
function ownCheckAddress(address: { module?: string; to_display: string }, key: string): object {
  const { module, ...rest } = address;
  const nested = module && module !== `module.${key}` ? { module: withoutModule(module, key) } : {};
  return { ...rest, ...nested, to_display: withoutModule(address.to_display, key) };
}

/**
 * `terraform init` for a stack copy that has the offline override with the local backend. A stack without modules
 * gets what one real `terraform init` of its provider requirements made (initFromTemplate); anything else gets its own
 * `terraform init`.
 */
export async function initOffline(dir: string, terraform: (...args: string[]) => Promise<unknown>): Promise<void> {
  const stack = stackJsonOf(dir);
  const requiredProviders = stack.terraform?.required_providers;
  if (stack.module || !requiredProviders) {
    await terraform('init', '-input=false', '-no-color');
    return;
  }
  await initFromTemplate(dir, requiredProviders, { backend: true, localModules: [] });
}

/**
 * What `terraform init` writes for a root with these provider requirements, the offline backend (`backend`) and
 * modules in its own subfolders (`localModules`), from one real `terraform init` shared by every plan of the jest run:
 * a link to the installed providers, the backend's record and the module manifest. Its lock file names the provider's
 * version without its hashes: terraform then no longer hashes the 700 MB provider in every command (about 0.7 s CPU
 * each), and every test still runs the provider the template's init installed from the mirror.
 */
async function initFromTemplate(dir: string, requiredProviders: unknown, options: { backend: boolean; localModules: readonly string[] }): Promise<void> {
  const config = JSON.stringify({ terraform: { required_providers: requiredProviders, backend: OFFLINE_BACKEND } });
  const key = createHash('sha256').update(offlineCliConfig()).update(config).digest('hex').slice(0, 12);
  const template = await cachedInit(`init-${key}`, config);
  mkdirSync(join(dir, '.terraform', 'modules'), { recursive: true });
  symlinkSync(join(template, '.terraform', 'providers'), join(dir, '.terraform', 'providers'));
  if (options.backend) cpSync(join(template, '.terraform', 'terraform.tfstate'), join(dir, '.terraform', 'terraform.tfstate'));
  const modules = [{ Key: '', Source: '', Dir: '.' }, ...options.localModules.map((name) => ({ Key: name, Source: `./${name}`, Dir: name }))];
  writeFileSync(join(dir, '.terraform', 'modules', 'modules.json'), JSON.stringify({ Modules: modules }));
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
      const lockFile = join(temp, '.terraform.lock.hcl');
      writeFileSync(lockFile, readFileSync(lockFile, 'utf8').replace(/^\s*hashes = \[[^\]]*\]\n/gm, ''));
      moveIntoPlace(temp, path);
      return path;
    })();
    initsInFlight.set(name, pending);
  }
  return pending;
}
