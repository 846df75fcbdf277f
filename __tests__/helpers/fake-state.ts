/**
 * A Terraform state that stands for "this stack is deployed", built offline: planned values of the stack, with
 * every value known only after apply replaced by a typed stand-in, refined until Terraform plans no change.
 * Planning a changed configuration against it shows what an upgrade would do (update in place or replace),
 * decided by the real provider.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initOffline, offlineTerraform, offlineTerraformEnv, writeOfflineOverride } from './terraform';

const PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';
const FAKE_ACCOUNT = '123456789012';

 
type Json = any;

export interface Workspace {
  readonly dir: string;
  terraform(...args: string[]): Promise<string>;
}

/** A copy of a stack folder, initialized offline, with its state at terraform.tfstate. */
export async function workspaceFor(stackDir: string, env: Record<string, string> = {}): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'tf-upgrade-'));
  cpSync(stackDir, dir, { recursive: true });
  writeOfflineOverride(dir, { localBackend: true });
  const offline = offlineTerraform(dir, offlineTerraformEnv(env));
  const terraform = async (...args: string[]) => (await offline(...args)).stdout;
  await initOffline(dir, terraform);
  return { dir, terraform };
}

/** Replaces a stack folder's configuration in a workspace, keeping its state and providers. */
export function replaceConfiguration(workspace: Workspace, stackDir: string): void {
  cpSync(join(stackDir, 'cdk.tf.json'), join(workspace.dir, 'cdk.tf.json'));
  const assets = join(stackDir, 'assets');
  try {
    cpSync(assets, join(workspace.dir, 'assets'), { recursive: true });
  } catch {
    // stacks without assets
  }
}

/** Plans the workspace against its current state without refreshing (no AWS calls) and returns the JSON plan. */
export async function planAgainstState(workspace: Workspace): Promise<Json> {
  await workspace.terraform('plan', '-input=false', '-no-color', '-refresh=false', '-lock=false', '-out=plan.bin');
  return JSON.parse(await workspace.terraform('show', '-json', 'plan.bin'));
}

let schemaCache: Promise<Json> | undefined;
function providerSchema(workspace: Workspace): Promise<Json> {
  schemaCache ??= workspace
    .terraform('providers', 'schema', '-json')
    .then((text) => JSON.parse(text).provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas);
  return schemaCache;
}

/** EC2-style ID prefixes, which the provider validates where the IDs are referenced. */
const ID_PREFIX: Record<string, string> = {
  aws_launch_template: 'lt',
  aws_security_group: 'sg',
  aws_vpc_security_group_ingress_rule: 'sgr',
  aws_vpc_security_group_egress_rule: 'sgr',
  aws_ec2_traffic_mirror_target: 'tmt',
  aws_ec2_traffic_mirror_filter: 'tmf',
  aws_ec2_traffic_mirror_filter_rule: 'tmfr',
};

function serviceOf(resourceType: string): string {
  const known: [string, string][] = [
    ['aws_lb', 'elasticloadbalancing'],
    ['aws_iam', 'iam'],
    ['aws_secretsmanager', 'secretsmanager'],
    ['aws_lambda', 'lambda'],
    ['aws_autoscaling', 'autoscaling'],
    ['aws_cloudwatch_event', 'events'],
    ['aws_cloudwatch_log', 'logs'],
    ['aws_cloudwatch', 'cloudwatch'],
    ['aws_sqs', 'sqs'],
    ['aws_ecs', 'ecs'],
    ['aws_route53', 'route53'],
  ];
  return known.find(([prefix]) => resourceType.startsWith(prefix))?.[1] ?? 'ec2';
}

/** 17 hex digits derived from the address, so stand-ins are stable and distinct. */
function hexOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 17);
}

/** Values AWS gives attributes that a made-up stand-in would break (the provider validates them on plan). */
const KNOWN_AFTER_APPLY: Record<string, unknown> = {
  // A standard topic has no FIFO throughput scope; any other value fails validation.
  'aws_sns_topic.fifo_throughput_scope': '',
};

/** A typed, plausibly formatted stand-in for a value known only after apply. */
function standIn(type: Json, resourceType: string, name: string, attribute: string): unknown {
  if (`${resourceType}.${attribute}` in KNOWN_AFTER_APPLY) return KNOWN_AFTER_APPLY[`${resourceType}.${attribute}`];
  if (type === 'number') return 1;
  if (type === 'bool') return false;
  if (Array.isArray(type)) return type[0] === 'map' || type[0] === 'object' ? {} : [];
  const arn = `arn:aws:${serviceOf(resourceType)}:eu-west-1:${FAKE_ACCOUNT}:${resourceType.replace(/^aws_/, '')}/${name}/${hexOf(name)}`;
  if (attribute === 'arn' || attribute.endsWith('_arn')) return arn;
  if (attribute === 'id') return ID_PREFIX[resourceType] ? `${ID_PREFIX[resourceType]}-${hexOf(`${resourceType}.${name}`)}` : serviceOf(resourceType) === 'elasticloadbalancing' ? arn : `fake-${name}`;
  if (attribute.includes('policy')) return '{}';
  return `fake-${resourceType}-${name}-${attribute}`;
}

/**
 * Builds (in the workspace) a state in which the current configuration is deployed: each round plans against the state
 * so far and writes what the plan would create or change, until a plan shows nothing left. With `confirm: false` that
 * last plan is the caller's own next plan against the state (which then shows anything left): the rounds stop after a
 * round of in-place updates only, the values a plan computes from what the round before deployed.
 */
export async function deployOffline(workspace: Workspace, options: { confirm?: boolean; maxRounds?: number } = {}): Promise<void> {
  const { confirm = true, maxRounds = 6 } = options;
  const schema = await providerSchema(workspace);
  const resources = new Map<string, Json>();
  const configured: Json = JSON.parse(readFileSync(join(workspace.dir, 'cdk.tf.json'), 'utf8')).resource ?? {};
  let serial = 1;
  for (let round = 0; round < maxRounds; round++) {
    const plan = await planAgainstState(workspace);
    const pending = (plan.resource_changes ?? []).filter((change: Json) => change.mode === 'managed' && isEffective(change));
    if (pending.length === 0) return;
    for (const change of pending) {
      const { type, name } = change;
      const resourceSchema = schema[type];
      const attributes: Record<string, unknown> = { ...change.change.after };
      for (const [attribute, unknown] of Object.entries(change.change.after_unknown ?? {})) {
        if (unknown !== true) continue;
        const nestedBlock = resourceSchema.block.block_types?.[attribute];
        attributes[attribute] = nestedBlock
          ? ['list', 'set'].includes(nestedBlock.nesting_mode) ? [] : null
          : standIn(resourceSchema.block.attributes?.[attribute]?.type, type, name, attribute);
      }
      if (attributes.id === undefined || attributes.id === null) attributes.id = standIn('string', type, name, 'id');
      for (const [attribute, spec] of Object.entries<Json>(resourceSchema.block.attributes ?? {})) {
        if (spec.write_only) attributes[attribute] = null;
      }
      resources.set(change.address, {
        mode: 'managed',
        type,
        name,
        provider: PROVIDER,
        instances: [{ schema_version: resourceSchema.version ?? 0, attributes, sensitive_attributes: [] }],
      });
    }
    resolveReferences(pending, resources, configured);
    serial++;
    const state = { version: 4, terraform_version: '1.11.4', serial, lineage: 'offline-upgrade-test', outputs: {}, resources: [...resources.values()], check_results: null };
    writeFileSync(join(workspace.dir, 'terraform.tfstate'), JSON.stringify(state, null, 2));
    if (!confirm && pending.every((change: Json) => change.change.actions.join() === 'update')) return;
  }
  const left = plannedActions(await planAgainstState(workspace));
  if (Object.keys(left).length > 0) {
    throw new Error(`the offline state did not settle after ${maxRounds} rounds; still planned: ${JSON.stringify(left)}`);
  }
}

/** `${aws_x.name.attribute}`, the only expression resolveReferences evaluates (with literal text around it). */
const REFERENCE = /\$\{(aws_\w+)\.(\w+)\.(\w+)\}/g;
/** A value that is one reference and nothing else: it takes the referenced value as it is (a list stays a list). */
const ONLY_REFERENCE = new RegExp(`^${REFERENCE.source}$`);

/**
 * Gives a value known only after apply what Terraform will compute for it once its references are deployed, where the
 * configuration is literal text and `${aws_x.name.attribute}` references (an ARN, an ID, a URL): the next round then
 * plans no change for it, which saves a round of plan and show per level of references. Anything else (functions,
 * data sources) keeps its stand-in and settles in a later round, as before.
 */
function resolveReferences(pending: Json[], resources: Map<string, Json>, configured: Json): void {
  const valueAt = (type: string, name: string, attribute: string): unknown => resources.get(`${type}.${name}`)?.instances[0].attributes[attribute];
  const evaluate = (expression: string): unknown => {
    const whole = ONLY_REFERENCE.exec(expression);
    if (whole) return valueAt(whole[1], whole[2], whole[3]);
    if (expression.replace(REFERENCE, '').includes('${')) return undefined;
    const parts = [...expression.matchAll(REFERENCE)].map(([, type, name, attribute]) => valueAt(type, name, attribute));
    if (parts.some((part) => typeof part !== 'string' && typeof part !== 'number')) return undefined;
    let index = 0;
    return expression.replace(REFERENCE, () => String(parts[index++]));
  };
  /** The value of `current` with each unknown part that `config` spells as references replaced by their values. */
  const resolved = (current: unknown, config: unknown, unknown: unknown): unknown => {
    if (unknown === true) {
      if (typeof config === 'string' && config.includes('${')) return evaluate(config) ?? current;
      const items = Array.isArray(config) && config.every((item) => typeof item === 'string') ? config.map((item: string) => evaluate(item)) : [];
      return items.length > 0 && items.every((item) => item !== undefined) ? items : current;
    }
    if (Array.isArray(unknown) && Array.isArray(current)) {
      const configs = Array.isArray(config) ? config : [config]; // a block may be written as an object
      return current.map((item, i) => resolved(item, configs[i], unknown[i]));
    }
    if (unknown && typeof unknown === 'object' && current && typeof current === 'object' && config && typeof config === 'object') {
      // The plan leaves unknown keys out of `after`: they are the ones to fill.
      const keys = new Set([...Object.keys(current), ...Object.keys(unknown)]);
      const value = (key: string) => resolved((current as Json)[key], (config as Json)[key], (unknown as Json)[key]);
      return Object.fromEntries([...keys].map((key) => [key, value(key)]).filter(([, v]) => v !== undefined));
    }
    return current;
  };
  // A reference may point at a value resolved in the same pass: a few passes settle chains (ARN -> listener -> ...).
  for (let pass = 0; pass < 4; pass++) {
    for (const change of pending) {
      const instance = resources.get(change.address).instances[0];
      const config = configured[change.type]?.[change.name] ?? {};
      for (const [attribute, unknown] of Object.entries(change.change.after_unknown ?? {})) {
        instance.attributes[attribute] = resolved(instance.attributes[attribute], config[attribute], unknown);
      }
    }
  }
}

/**
 * A change that does something. An "update" whose values are all equal is not one: a write-only attribute
 * (0.2.0's token secret_string_wo) makes the provider plan such an update on every run.
 */
function isEffective(change: Json): boolean {
  const { actions, before, after, after_unknown: afterUnknown } = change.change;
  if (actions.join() === 'no-op') return false;
  if (actions.join() !== 'update') return true;
  const unknown = Object.values(afterUnknown ?? {}).some((value) => value === true);
  return unknown || JSON.stringify(sortKeys(before)) !== JSON.stringify(sortKeys(after));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

/** Planned actions by address, leaving out no-ops and updates that change nothing. */
export function plannedActions(plan: Json): Record<string, string> {
  return Object.fromEntries(
    (plan.resource_changes ?? []).filter((change: Json) => change.mode === 'managed' && isEffective(change)).map((change: Json) => [change.address, change.change.actions.join('+')]),
  );
}
