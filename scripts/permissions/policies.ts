/**
 * The deployer's IAM policies, derived from a synthesized stack (cdk.tf.json): every resource type in `resource` is
 * looked up in the permissions table, named by its synthesized settings, plus what the state backend needs.
 * plan: what `terraform plan` reads on refresh, and the state (no lock: a read-only plan runs with -lock=false).
 * apply: create, update and delete of exactly the stack's resource types, the state lock, and the plan policy; roles only
 * with the stack's permissions boundary (and explicitly denied otherwise).
 * boundary: the most the stack's roles may ever do (boundary.ts).
 */
import { partitionOf } from '../../modules/aws-partition';
import { STACK_TAG_KEY } from '../../shared';
import { boundaryPolicy } from './boundary';
import { BOUNDED_ROLE_ACTIONS, OPERATIONS, PERMISSIONS_TABLE, type Condition, type Operation, type ResourceContext, type TableRow } from './table';

/** IAM's limit for a customer managed policy, in characters without whitespace. */
export const MANAGED_POLICY_LIMIT = 6144;

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  terraform?: { backend?: Record<string, Record<string, unknown>>; cloud?: unknown };
  provider?: { aws?: { region?: string; default_tags?: { tags?: Record<string, string> }[] }[] };
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}
export interface DeployerPolicies {
  readonly plan: PolicyDocument[];
  readonly apply: PolicyDocument[];
  /** The permissions boundary of the stack's roles: one document (a role takes one boundary), see boundary.ts. */
  readonly boundary: PolicyDocument[];
  /** The boundary's ARN the stack's roles carry (what the apply policy requires on them). */
  readonly boundaryArn?: string;
  /** Every call the table says the provider makes for each synthesized resource (and its PassRole): what tests replay. */
  readonly calls: ProviderCall[];
  /** Resource types the policies cover, sorted. */
  readonly resourceTypes: string[];
  /** Backend type (local, s3, remote, cloud). */
  readonly backend: string;
}

export interface ProviderCall {
  /** `type.name` of the synthesized resource. */
  readonly address: string;
  readonly operation: Operation;
  readonly action: string;
  /** The resources (ARN patterns) the call acts on, as the policy names them. */
  readonly resources: readonly string[];
}

/** A stack the generator cannot describe (unknown resource type, unresolvable name): the message says what to do. */
export class PermissionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermissionsError';
  }
}

export interface Entry {
  actions: string[];
  resources: readonly string[];
  condition?: Condition;
}

/** A policy as JSON text, one statement per line (valid IAM JSON; short enough to read and diff). */
export function formatPolicy(document: PolicyDocument): string {
  const statements = document.Statement.map((statement) => `    ${JSON.stringify(statement)}`).join(',\n');
  return `{\n  "Version": "${document.Version}",\n  "Statement": [\n${statements}\n  ]\n}`;
}

/** Characters IAM counts against the managed-policy limit (whitespace excluded). */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g;
/** The setting that names a resource of each type (when not `name`): what references to it resolve to. */
const NAME_SETTING: Record<string, string> = {
  aws_lambda_function: 'function_name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_ecs_task_definition: 'family',
  aws_s3_bucket: 'bucket_prefix',
};

export function deployerPolicies(json: TerraformJson, options: { account?: string; table?: Record<string, TableRow> } = {}): DeployerPolicies {
  const table = options.table ?? PERMISSIONS_TABLE;
  const account = options.account ?? '*';
  const resources = json.resource ?? {};
  const providerBlock = json.provider?.aws?.[0];
  const region = providerBlock?.region;
  if (!region) throw new PermissionsError('the synthesized stack has no aws provider region');
  const stackTagValue = providerBlock?.default_tags?.[0]?.tags?.[STACK_TAG_KEY];
  if (!stackTagValue) throw new PermissionsError(`the synthesized stack has no provider default tag ${STACK_TAG_KEY}, which the policies scope EC2 resources by`);
  const partition = partitionOf(region);

  const resourceTypes = Object.keys(resources).sort();
  const unknown = resourceTypes.filter((type) => !table[type]);
  if (unknown.length > 0) {
    throw new PermissionsError(
      `no permissions known for resource type${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}: add ${unknown.length === 1 ? 'a row' : 'rows'} ` +
        '(actions to create, read, update and delete, the resource ARN, the sources) to PERMISSIONS_TABLE in scripts/permissions/table.ts',
    );
  }

  /** The name behind a setting: literal text, with `${type.name.attribute}` references replaced by that resource's name. */
  const resolve = (where: string, value: unknown): string => {
    if (typeof value !== 'string') throw new PermissionsError(`${where}: expected a name, got ${JSON.stringify(value)}`);
    return value.replace(REFERENCE, (_match, type: string, name: string, attribute: string) => {
      const target = resources[type]?.[name];
      // A setting of the target (resource_id), else its name: what its id, arn or url is built from.
      const setting = target?.[attribute] ?? target?.[NAME_SETTING[type] ?? 'name'];
      if (typeof setting !== 'string') throw new PermissionsError(`${where}: ${value} refers to ${type}.${name}, which has no literal name to scope a policy by`);
      return resolve(`${type}.${name}.${attribute}`, setting);
    });
  };
  const arn = (service: string, rest: string, arnOptions: { global?: boolean; accountless?: boolean } = {}) =>
    `arn:${partition}:${service}:${arnOptions.global ? '' : region}:${arnOptions.accountless ? '' : account}:${rest}`;
  const boundaryArn = roleBoundary(resources);

  const calls: ProviderCall[] = [];
  const reads: Entry[] = [];
  const writes: Entry[] = [];
  for (const type of resourceTypes) {
    const row = table[type];
    for (const [name, raw] of Object.entries(resources[type])) {
      const { '//': _metadata, ...settings } = raw;
      const address = `${type}.${name}`;
      const context: ResourceContext = {
        settings,
        arn,
        named: (attribute) => resolve(`${address}.${attribute}`, settings[attribute]),
        namedList: (attribute) => {
          const values = settings[attribute] ?? [];
          if (!Array.isArray(values)) throw new PermissionsError(`${address}.${attribute}: expected a list of names, got ${JSON.stringify(values)}`);
          return values.map((value, index) => resolve(`${address}.${attribute}[${index}]`, value));
        },
        stackTag: { key: STACK_TAG_KEY, value: stackTagValue },
        boundary: () => boundaryArn ?? missingBoundary(),
      };
      for (const grant of row.grants) {
        const where = grant.resources(context);
        if (where.length === 0) continue;
        if (where.includes('*') && !grant.anyResourceBecause) throw new PermissionsError(`${type}: a grant on * must say why (anyResourceBecause)`);
        const condition = grant.condition?.(context);
        for (const operation of OPERATIONS) {
          const actions = grant.actions[operation];
          if (!actions || actions.length === 0) continue;
          (operation === 'read' ? reads : writes).push({ actions: [...actions], resources: where, condition });
          calls.push(...actions.map((action) => ({ address, operation, action, resources: where })));
        }
      }
      for (const { attribute, service } of row.passesRole ?? []) {
        const value = settings[attribute];
        if (value === undefined) continue;
        const match = /^\$\{aws_iam_role\.([A-Za-z0-9_-]+)\.(arn|name|id)\}$/.exec(String(value));
        if (!match || !resources.aws_iam_role?.[match[1]]) {
          throw new PermissionsError(`${address}.${attribute}: ${JSON.stringify(value)} is not one of the stack's own roles; iam:PassRole is granted only for those`);
        }
        const roleName = resolve(`${address}.${attribute}`, value);
        const role = arn('iam', `role/${roleName}`, { global: true });
        calls.push({ address, operation: 'create', action: 'iam:PassRole', resources: [role] });
        writes.push({
          actions: ['iam:PassRole'],
          resources: [role],
          condition: { StringEquals: { 'iam:PassedToService': service } },
        });
      }
    }
  }

  const backend = backendEntries(json, account);
  const roles = Object.keys(resources.aws_iam_role ?? {}).map((name) => arn('iam', `role/${resolve(`aws_iam_role.${name}.name`, resources.aws_iam_role[name].name)}`, { global: true }));
  const boundary = boundaryPolicy(resources, { resolve, arn });
  if (policySize(boundary) > MANAGED_POLICY_LIMIT) throw new PermissionsError(`the boundary policy exceeds IAM's ${MANAGED_POLICY_LIMIT}-character managed-policy limit, and a role takes one boundary`);
  return {
    plan: splitPolicies(mergeStatements([...reads, ...backend.reads])),
    apply: splitPolicies([...mergeStatements([...reads, ...backend.reads, ...writes, ...backend.writes]), ...(boundaryArn ? boundaryGuards(roles, boundaryArn) : [])]),
    boundary: [boundary],
    calls,
    ...(boundaryArn ? { boundaryArn } : {}),
    resourceTypes,
    backend: backend.type,
  };
}

/** The one permissions boundary of the stack's roles; none when the stack has no role; an error when they differ. */
function roleBoundary(resources: NonNullable<TerraformJson['resource']>): string | undefined {
  const roles = Object.values(resources.aws_iam_role ?? {});
  if (roles.length === 0) return undefined;
  const boundaries = new Set(roles.map((role) => role.permissions_boundary));
  const [only] = boundaries;
  if (boundaries.size > 1) throw new PermissionsError(`the stack's IAM roles carry different permissions boundaries (${[...boundaries].join(', ')}); the apply policy requires one`);
  if (typeof only !== 'string') missingBoundary();
  return only;
}

function missingBoundary(): never {
  throw new PermissionsError(
    "the stack's IAM roles carry no permissions boundary: set AccountId (the roles then carry the generated <StackName>-boundary policy of that account) " +
      'or PermissionsBoundaryArn; without one, a deployer who may create the stack\'s roles and put their policies could make itself administrator',
  );
}

/**
 * Explicit denials that hold whatever else the deployer is allowed: no role of the stack changed without the boundary,
 * and the boundary never removed.
 */
function boundaryGuards(roles: readonly string[], boundaryArn: string): Statement[] {
  return [
    { Effect: 'Deny', Action: [...BOUNDED_ROLE_ACTIONS].sort(), Resource: [...roles].sort(), Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } } },
    { Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: [...roles].sort() },
  ];
}

/** What the state backend needs: S3 object and bucket, its lock file or DynamoDB table; nothing in AWS otherwise. */
function backendEntries(json: TerraformJson, account: string): { type: string; reads: Entry[]; writes: Entry[] } {
  if (json.terraform?.cloud) return { type: 'cloud', reads: [], writes: [] };
  const [type, settings] = Object.entries(json.terraform?.backend ?? { local: {} })[0] ?? ['local', {}];
  if (type === 'local' || type === 'remote' || type === 'cloud') return { type, reads: [], writes: [] };
  if (type !== 's3') throw new PermissionsError(`backend ${type}: no permissions known; expected local, s3, remote or cloud`);
  const bucket = String(settings.bucket);
  const key = String(settings.key);
  const region = String(settings.region);
  const partition = partitionOf(region);
  const object = `arn:${partition}:s3:::${bucket}/${key}`;
  const reads: Entry[] = [
    { actions: ['s3:ListBucket'], resources: [`arn:${partition}:s3:::${bucket}`] },
    { actions: ['s3:GetObject'], resources: [object] },
  ];
  const writes: Entry[] = [{ actions: ['s3:PutObject'], resources: [object] }];
  if (settings.use_lockfile === true) writes.push({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [`${object}.tflock`] });
  if (typeof settings.dynamodb_table === 'string') {
    const table = `arn:${partition}:dynamodb:${region}:${account}:table/${settings.dynamodb_table}`;
    // Reading the state checks its digest in the table; locking writes and deletes the lock item.
    reads.push({ actions: ['dynamodb:GetItem'], resources: [table] });
    writes.push({ actions: ['dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [table] });
  }
  return { type, reads, writes };
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/**
 * Fewest statements without widening anything: entries with the same resources and condition share one statement,
 * then statements with the same actions and condition share their resources.
 */
export function mergeStatements(entries: readonly Entry[]): Statement[] {
  const byResources = new Map<string, { actions: Set<string>; resources: string[]; condition?: Condition }>();
  for (const entry of entries) {
    const resources = sorted(entry.resources);
    const key = JSON.stringify([resources, entry.condition ?? null]);
    const found = byResources.get(key) ?? { actions: new Set<string>(), resources, condition: entry.condition };
    for (const action of entry.actions) found.actions.add(action);
    byResources.set(key, found);
  }
  const byActions = new Map<string, { actions: string[]; resources: Set<string>; condition?: Condition }>();
  for (const { actions, resources, condition } of byResources.values()) {
    const actionList = sorted(actions);
    const key = JSON.stringify([actionList, condition ?? null]);
    const found = byActions.get(key) ?? { actions: actionList, resources: new Set<string>(), condition };
    for (const resource of resources) found.resources.add(resource);
    byActions.set(key, found);
  }
  return [...byActions.values()]
    .map(({ actions, resources, condition }): Statement => ({ Effect: 'Allow', Action: actions, Resource: sorted(resources), ...(condition ? { Condition: condition } : {}) }))
    .sort((a, b) => JSON.stringify([a.Action, a.Resource]).localeCompare(JSON.stringify([b.Action, b.Resource])));
}

/**
 * One managed policy when the statements fit IAM's limit, else as few as fit (first fit, largest statements first),
 * each keeping the statements in their order.
 */
function splitPolicies(statements: readonly Statement[]): PolicyDocument[] {
  const documentOf = (indexes: number[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [...indexes].sort((a, b) => a - b).map((i) => statements[i]) });
  const bins: number[][] = [];
  const bySize = statements.map((statement, index) => ({ index, size: JSON.stringify(statement).length })).sort((a, b) => b.size - a.size || a.index - b.index);
  for (const { index } of bySize) {
    const bin = bins.find((indexes) => policySize(documentOf([...indexes, index])) <= MANAGED_POLICY_LIMIT);
    if (bin) bin.push(index);
    else if (policySize(documentOf([index])) <= MANAGED_POLICY_LIMIT) bins.push([index]);
    else throw new PermissionsError(`one statement alone exceeds IAM's ${MANAGED_POLICY_LIMIT}-character managed-policy limit: ${JSON.stringify(statements[index]).slice(0, 200)}…`);
  }
  return bins.map(documentOf).sort((a, b) => statements.indexOf(a.Statement[0]) - statements.indexOf(b.Statement[0]));
}
