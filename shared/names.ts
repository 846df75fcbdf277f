/**
 * Every AWS name a stack derives from its StackName, each within AWS's limit for that kind of name. One definition,
 * used by the constructs that create the resources and by the tools that find them (the doctor, operators' scripts).
 *
 * A StackName may have up to 128 characters (CloudFormation's limit, kept from the seed); most names fit as they are.
 * A name that would exceed its limit is shortened deterministically: the StackName cut short, `-`, the first
 * {@link NAME_HASH_LENGTH} hex digits of the SHA-256 of the full name, then the name's usual ending. Names that fit
 * are never changed, so existing deployments see no change.
 */
import { createHash } from 'node:crypto';

/** AWS's limits on the names derived from StackName, in characters. */
export const NAME_LIMITS = {
  /** Elastic Load Balancing: load balancer and target group names. */
  loadBalancer: 32,
  targetGroup: 32,
  iamRole: 64,
  iamPolicy: 128,
  instanceProfile: 128,
  lambdaFunction: 64,
  eventBridgeRule: 64,
  sqsQueue: 80,
  snsTopic: 256,
  /** SNS topic display names (shown as the sender of SMS and e-mail notifications). */
  snsDisplayName: 100,
  /** S3 bucket names have at most 63 characters and Terraform appends 26 to a bucket_prefix. */
  s3BucketPrefix: 37,
  /** AWS allows 128; the Terraform provider (hashicorp/aws 5.100.0) refuses more than 125 at plan. */
  launchTemplate: 125,
  autoscalingGroup: 255,
  scalingPolicy: 255,
  cloudWatchAlarm: 255,
  securityGroup: 255,
  ecsCluster: 255,
  ecsService: 255,
  ecsTaskFamily: 255,
  ecsCapacityProvider: 255,
  logGroup: 512,
  secret: 512,
} as const;

/** Hex digits of the hash in a shortened name: 32 bits, enough to tell apart the stacks of one account. */
export const NAME_HASH_LENGTH = 8;

/**
 * `${head}${stackName}${tail}` when it has at most `limit` characters; else stackName cut short (trailing hyphens
 * dropped), `-` and the first {@link NAME_HASH_LENGTH} hex digits of the SHA-256 of the full name, between the same head
 * and tail. Two StackNames that differ anywhere give different full names and so (but for a 32-bit collision)
 * different shortened names.
 */
export function fitName(head: string, stackName: string, tail: string, limit: number): string {
  const full = `${head}${stackName}${tail}`;
  if (full.length <= limit) return full;
  const room = limit - head.length - tail.length - 1 - NAME_HASH_LENGTH;
  if (room < 1) throw new Error(`fitName: no room for the stack name in ${limit} characters around ${JSON.stringify(head)} and ${JSON.stringify(tail)}`);
  const hash = createHash('sha256').update(full).digest('hex').slice(0, NAME_HASH_LENGTH);
  return `${head}${stackName.slice(0, room).replace(/-+$/, '')}-${hash}${tail}`;
}

/**
 * A load balancer's name: `<StackName>-<kind>`, or `<kind>-<StackName>` when that would begin with `internal-`, which
 * Elastic Load Balancing refuses (CreateLoadBalancer, every type).
 */
function loadBalancerName(stackName: string, kind: 'nlb' | 'gwlb'): string {
  const name = fitName('', stackName, `-${kind}`, NAME_LIMITS.loadBalancer);
  return /^internal-/i.test(name) ? fitName(`${kind}-`, stackName, '', NAME_LIMITS.loadBalancer) : name;
}

/** Name of the secret the stack creates when no existing secret is given. */
export function createdTokenSecretName(stackName: string): string {
  return fitName('', stackName, '/traceable-refresh-token', NAME_LIMITS.secret);
}

/** The IAM policy name of a stack's generated permissions boundary (`npm run permissions` writes `<name>.json`). */
export function boundaryPolicyName(stackName: string): string {
  return fitName('', stackName, '-boundary', NAME_LIMITS.iamPolicy);
}

/** Name of the topic the stack creates when the configuration names none. */
export function alarmTopicName(stackName: string): string {
  return fitName('', stackName, '-alarms', NAME_LIMITS.snsTopic);
}

/** The names of one stack's resources (those of each agent group: {@link agentGroups}). */
export function resourceNames(stackName: string) {
  const name = (tail: string, limit: number) => fitName('', stackName, tail, limit);
  const sessionFunction = name('-mirror-sessions', NAME_LIMITS.lambdaFunction);
  const cleanupFunction = name('-mirror-sessions-cleanup', NAME_LIMITS.lambdaFunction);
  return {
    /** The mirror target network load balancer. */
    loadBalancer: loadBalancerName(stackName, 'nlb'),
    /** Its security group. */
    loadBalancerSecurityGroup: name('-nlb', NAME_LIMITS.securityGroup),
    /** Its UDP 4789 target group. */
    targetGroup: name('-vxlan', NAME_LIMITS.targetGroup),
    /** MirrorTargetType GWLB_ENDPOINT: the Gateway Load Balancer and its GENEVE target group. */
    gatewayLoadBalancer: loadBalancerName(stackName, 'gwlb'),
    geneveTargetGroup: name('-geneve', NAME_LIMITS.targetGroup),
    /** The agent hosts' autoscaling group; with the ECS fleet also the cluster and the service. */
    agentGroup: name('-agents', Math.min(NAME_LIMITS.autoscalingGroup, NAME_LIMITS.ecsCluster, NAME_LIMITS.ecsService)),
    /** The agent hosts' security group. */
    agentSecurityGroup: name('-agents', NAME_LIMITS.securityGroup),
    /** The agent hosts' IAM role and instance profile. */
    agentRole: name('-agent', NAME_LIMITS.iamRole),
    agentInstanceProfile: name('-agent', NAME_LIMITS.instanceProfile),
    /** Prefix of the bucket that holds the bootstrap bundle (lowercase: S3 bucket names are). */
    bootstrapBucketPrefix: fitName('', stackName.toLowerCase(), '-bootstrap-', NAME_LIMITS.s3BucketPrefix),
    /** Where the EC2 agent hosts' CloudWatch agent writes their metrics documents (embedded metric format). */
    hostMetricsLogGroup: fitName('/traceable/', stackName, '/host-metrics', NAME_LIMITS.logGroup),
    /** The ECS fleet: the agent task's family, log group and roles, and the capacity provider. */
    agentTaskFamily: name('-agent', NAME_LIMITS.ecsTaskFamily),
    agentTaskLogGroup: fitName('/traceable/', stackName, '/agents', NAME_LIMITS.logGroup),
    agentTaskExecutionRole: name('-agent-execution', NAME_LIMITS.iamRole),
    agentTaskRole: name('-agent-task', NAME_LIMITS.iamRole),
    capacityProvider: fitName('traceable-', stackName, '', NAME_LIMITS.ecsCapacityProvider),
    /** The session Lambda, its role, schedule and log group. */
    sessionFunction,
    sessionRole: name('-mirror-sessions', NAME_LIMITS.iamRole),
    sessionSchedule: name('-mirror-sessions', NAME_LIMITS.eventBridgeRule),
    sessionLogGroup: `/aws/lambda/${sessionFunction}`,
    /** The destroy-time cleanup function (same code) and its log group. */
    cleanupFunction,
    cleanupLogGroup: `/aws/lambda/${cleanupFunction}`,
    /** The session Lambda's event queue and its dead-letter queue. */
    eventQueue: name('-mirror-sessions-events', NAME_LIMITS.sqsQueue),
    eventDeadLetterQueue: name('-mirror-sessions-events-dlq', NAME_LIMITS.sqsQueue),
    /** The EventBridge rule of a launch event (`ec2-running`, `asg-launch`, `ecs-task-running`) feeding the queue. */
    eventRule: (event: string) => name(`-mirror-${event}`, NAME_LIMITS.eventBridgeRule),
    /** A session Lambda alarm (`errors`, `failed-sources`, `session-errors`). */
    sessionAlarm: (kind: string) => name(`-mirror-sessions-${kind}`, NAME_LIMITS.cloudWatchAlarm),
    /** The token secret the stack creates when no existing secret is given. */
    tokenSecret: createdTokenSecretName(stackName),
    /** The alarm topic the stack creates when the configuration names none, and its display name. */
    alarmTopic: alarmTopicName(stackName),
    alarmTopicDisplayName: name(' traffic mirroring alarms', NAME_LIMITS.snsDisplayName),
  };
}

/** The names of one agent group: the whole fleet's, or with SameZoneDelivery one subnet's. */
export interface AgentGroupNames {
  /** The autoscaling group. */
  readonly autoscalingGroup: string;
  readonly launchTemplate: string;
  /** Scaling policies on CPU, memory, packets per host and kernel drops. */
  readonly cpuPolicy: string;
  readonly memoryPolicy: string;
  readonly packetsPolicy: string;
  readonly dropsPolicy: string;
  /** Loss alarms. */
  readonly kernelDropsAlarm: string;
  readonly feedSendErrorsAlarm: string;
  readonly truncatedPacketsAlarm: string;
}

/** The names of the agent group of a subnet (SameZoneDelivery), or of the whole fleet when no subnet is given. */
export function agentGroup(stackName: string, subnetId?: string): AgentGroupNames {
  const zone = subnetId === undefined ? '' : `-${subnetId}`;
  const policy = (kind: string) => fitName('', stackName, `${zone}-${kind}`, NAME_LIMITS.scalingPolicy);
  const alarm = (kind: string) => fitName('', stackName, `${zone}-${kind}`, NAME_LIMITS.cloudWatchAlarm);
  return {
    autoscalingGroup: fitName('', stackName, `-agents${zone}`, NAME_LIMITS.autoscalingGroup),
    launchTemplate: fitName('', stackName, `-agent${zone}`, NAME_LIMITS.launchTemplate),
    cpuPolicy: policy('cpu'),
    memoryPolicy: policy('memory'),
    packetsPolicy: policy('packets'),
    dropsPolicy: policy('drops'),
    kernelDropsAlarm: alarm('kernel-drops'),
    feedSendErrorsAlarm: alarm('feed-send-errors'),
    truncatedPacketsAlarm: alarm('truncated-packets'),
  };
}

/** The agent groups: one, or with SameZoneDelivery one per subnet, in SubnetIds order. */
export function agentGroups(stackName: string, subnetIds: readonly string[], sameZoneDelivery: boolean): AgentGroupNames[] {
  return sameZoneDelivery ? subnetIds.map((subnetId) => agentGroup(stackName, subnetId)) : [agentGroup(stackName)];
}

/** The agent hosts' autoscaling group names (`<StackName>-agents`, or `<StackName>-agents-<subnet id>` per subnet). */
export function agentGroupNames(stackName: string, subnetIds: readonly string[], sameZoneDelivery: boolean): string[] {
  return agentGroups(stackName, subnetIds, sameZoneDelivery).map((group) => group.autoscalingGroup);
}

// ---------------------------------------------------------------------------------------------------------------
// What AWS accepts in each kind of name besides its length: checked at synth against every derived name, so a
// StackName that would give a name AWS refuses is refused with the name and the rule (config/aws-names.ts).

/** A rule of one kind of name, in words that follow the name ("... "sg-shop-nlb" may not begin with sg-"). */
export interface NameRule {
  readonly rule: string;
  readonly breaks: (name: string) => boolean;
}

const only = (allowed: RegExp, characters: string, owner: string): NameRule => ({
  rule: `may hold only ${characters} (${owner})`,
  breaks: (name) => !allowed.test(name),
});
const atMost = (limit: number): NameRule => ({ rule: `may have at most ${limit} characters`, breaks: (name) => name.length > limit });
/** One rule per prefix, so a message names the prefix the name has. */
const notStartingWith = (prefixes: readonly string[], why: string, anyCase = false): NameRule[] =>
  prefixes.map((prefix) => ({
    rule: `may not begin with ${prefix}${anyCase ? ' in any case' : ''} (${why})`,
    breaks: (name) => (anyCase ? name.toLowerCase() : name).startsWith(prefix),
  }));

const ELB = 'Elastic Load Balancing';
const elbName = (limit: number): NameRule[] => [
  atMost(limit),
  only(/^[A-Za-z0-9-]*$/, 'letters, digits and hyphens', ELB),
  { rule: `may not begin or end with a hyphen (${ELB})`, breaks: (name) => name.startsWith('-') || name.endsWith('-') },
];
const IAM_NAME = only(/^[\w+=,.@-]*$/, 'letters, digits and _+=,.@-', 'IAM');
const ECS_NAME = only(/^[A-Za-z0-9_-]*$/, 'letters, digits, hyphens and underscores', 'Amazon ECS');

/** Digits standing in for the 26 characters Terraform appends to a bucket_prefix (an increasing 26-digit value). */
const BUCKET_SUFFIX = '0'.repeat(26);
/** General purpose bucket naming rules (Amazon S3 User Guide), checked on the prefix with the suffix Terraform adds. */
const BUCKET_NAME_RULES: NameRule[] = [
  { rule: 'may hold only lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit (Amazon S3)', breaks: (name) => !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name) },
  { rule: 'may not hold two adjacent dots (Amazon S3)', breaks: (name) => name.includes('..') },
  ...notStartingWith(['xn--', 'sthree-', 'amzn-s3-demo-'], 'Amazon S3 reserves the prefix'),
  {
    rule: 'may not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3 (Amazon S3 reserves these suffixes)',
    breaks: (name) => ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].some((suffix) => name.endsWith(suffix)),
  },
];
const BUCKET_RULES = BUCKET_NAME_RULES.map(({ rule, breaks }): NameRule => ({ rule, breaks: (prefix) => breaks(`${prefix}${BUCKET_SUFFIX}`) }));

/** The rules of each kind of derived name, from each service's API reference (and the provider's where stricter). */
export const NAME_RULES: Record<keyof typeof NAME_LIMITS, readonly NameRule[]> = {
  loadBalancer: [...elbName(NAME_LIMITS.loadBalancer), ...notStartingWith(['internal-'], `${ELB} refuses it`, true)],
  targetGroup: elbName(NAME_LIMITS.targetGroup),
  iamRole: [atMost(NAME_LIMITS.iamRole), IAM_NAME],
  iamPolicy: [atMost(NAME_LIMITS.iamPolicy), IAM_NAME],
  instanceProfile: [atMost(NAME_LIMITS.instanceProfile), IAM_NAME],
  lambdaFunction: [atMost(NAME_LIMITS.lambdaFunction), only(/^[A-Za-z0-9_-]*$/, 'letters, digits, hyphens and underscores', 'AWS Lambda')],
  eventBridgeRule: [atMost(NAME_LIMITS.eventBridgeRule), only(/^[A-Za-z0-9._-]*$/, 'letters, digits and ._-', 'Amazon EventBridge')],
  sqsQueue: [atMost(NAME_LIMITS.sqsQueue), only(/^[A-Za-z0-9_-]*$/, 'letters, digits, hyphens and underscores', 'Amazon SQS')],
  snsTopic: [atMost(NAME_LIMITS.snsTopic), only(/^[A-Za-z0-9_-]*$/, 'ASCII letters, digits, hyphens and underscores', 'Amazon SNS')],
  snsDisplayName: [atMost(NAME_LIMITS.snsDisplayName)],
  s3BucketPrefix: [atMost(NAME_LIMITS.s3BucketPrefix), ...BUCKET_RULES],
  // 3 to 128 of these in EC2's API; the provider (hashicorp/aws 5.100.0) allows 125.
  launchTemplate: [atMost(NAME_LIMITS.launchTemplate), only(/^[A-Za-z0-9()./_-]{3,}$/, '3 or more letters, digits and ()./_-', 'Amazon EC2')],
  autoscalingGroup: [atMost(NAME_LIMITS.autoscalingGroup)],
  scalingPolicy: [atMost(NAME_LIMITS.scalingPolicy)],
  cloudWatchAlarm: [atMost(NAME_LIMITS.cloudWatchAlarm)],
  // EC2 compares security group names ignoring case; the prefix is refused in any case to be safe.
  securityGroup: [
    atMost(NAME_LIMITS.securityGroup),
    only(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/, 'letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*', 'Amazon EC2'),
    ...notStartingWith(['sg-'], 'EC2 reserves the prefix for security group IDs', true),
  ],
  ecsCluster: [atMost(NAME_LIMITS.ecsCluster), ECS_NAME],
  ecsService: [atMost(NAME_LIMITS.ecsService), ECS_NAME],
  ecsTaskFamily: [atMost(NAME_LIMITS.ecsTaskFamily), ECS_NAME],
  ecsCapacityProvider: [atMost(NAME_LIMITS.ecsCapacityProvider), ECS_NAME, ...notStartingWith(['aws', 'ecs', 'fargate'], 'Amazon ECS reserves the prefix', true)],
  logGroup: [atMost(NAME_LIMITS.logGroup), only(/^[A-Za-z0-9._\-/#]*$/, 'letters, digits and ._-/#', 'CloudWatch Logs')],
  secret: [atMost(NAME_LIMITS.secret), only(/^[A-Za-z0-9/_+=.@-]*$/, 'ASCII letters, digits and /_+=.@-', 'Secrets Manager')],
};

type NameKind = keyof typeof NAME_LIMITS;

/** One name a stack derives: what it names, the kinds of name it is (the agent group's name is also the ECS cluster's). */
export interface DerivedName {
  readonly what: string;
  readonly name: string;
  readonly kinds: readonly NameKind[];
}

type FixedNames = Omit<ReturnType<typeof resourceNames>, 'eventRule' | 'sessionAlarm'>;

/** What each of resourceNames' names is, in words, and its kinds (the compiler asks for a new name's entry). */
const RESOURCE_NAME_KINDS: { readonly [K in keyof FixedNames]: readonly [string, ...NameKind[]] } = {
  loadBalancer: ['the load balancer name', 'loadBalancer'],
  loadBalancerSecurityGroup: ["the load balancer's security group name", 'securityGroup'],
  targetGroup: ['the target group name', 'targetGroup'],
  gatewayLoadBalancer: ['the Gateway Load Balancer name', 'loadBalancer'],
  geneveTargetGroup: ["the Gateway Load Balancer's target group name", 'targetGroup'],
  agentGroup: ["the agents' autoscaling group (and ECS cluster and service) name", 'autoscalingGroup', 'ecsCluster', 'ecsService'],
  agentSecurityGroup: ["the agents' security group name", 'securityGroup'],
  agentRole: ["the agents' IAM role name", 'iamRole'],
  agentInstanceProfile: ["the agents' instance profile name", 'instanceProfile'],
  bootstrapBucketPrefix: ["the bootstrap bucket's name prefix", 's3BucketPrefix'],
  hostMetricsLogGroup: ['the host metrics log group name', 'logGroup'],
  agentTaskFamily: ["the agent task's family", 'ecsTaskFamily'],
  agentTaskLogGroup: ["the agent task's log group name", 'logGroup'],
  agentTaskExecutionRole: ["the agent task's execution role name", 'iamRole'],
  agentTaskRole: ["the agent task's role name", 'iamRole'],
  capacityProvider: ['the ECS capacity provider name', 'ecsCapacityProvider'],
  sessionFunction: ['the session Lambda function name', 'lambdaFunction'],
  sessionRole: ["the session Lambda's role name", 'iamRole'],
  sessionSchedule: ["the session Lambda's schedule rule name", 'eventBridgeRule'],
  sessionLogGroup: ["the session Lambda's log group name", 'logGroup'],
  cleanupFunction: ['the cleanup Lambda function name', 'lambdaFunction'],
  cleanupLogGroup: ["the cleanup Lambda's log group name", 'logGroup'],
  eventQueue: ['the event queue name', 'sqsQueue'],
  eventDeadLetterQueue: ['the dead-letter queue name', 'sqsQueue'],
  tokenSecret: ['the token secret name', 'secret'],
  alarmTopic: ['the alarm topic name', 'snsTopic'],
  alarmTopicDisplayName: ["the alarm topic's display name", 'snsDisplayName'],
};

/** The launch events and session alarms resourceNames' eventRule and sessionAlarm name (modules/session-lambda.ts). */
const EVENT_RULE_NAMES = ['ec2-running', 'asg-launch', 'ecs-task-running'];
const SESSION_ALARM_NAMES = ['errors', 'failed-sources', 'session-errors'];

const AGENT_GROUP_KINDS: { readonly [K in keyof AgentGroupNames]: readonly [string, ...NameKind[]] } = {
  autoscalingGroup: ['autoscaling group name', 'autoscalingGroup'],
  launchTemplate: ['launch template name', 'launchTemplate'],
  cpuPolicy: ['CPU scaling policy name', 'scalingPolicy'],
  memoryPolicy: ['memory scaling policy name', 'scalingPolicy'],
  packetsPolicy: ['packets scaling policy name', 'scalingPolicy'],
  dropsPolicy: ['drops scaling policy name', 'scalingPolicy'],
  kernelDropsAlarm: ['kernel drops alarm name', 'cloudWatchAlarm'],
  feedSendErrorsAlarm: ['feed send errors alarm name', 'cloudWatchAlarm'],
  truncatedPacketsAlarm: ['truncated packets alarm name', 'cloudWatchAlarm'],
};

/** Every AWS name a stack of this name derives, with SubnetIds as the agent groups use them (a few dozen names). */
export function derivedNames(stackName: string, subnetIds: readonly string[] = [], sameZoneDelivery = false): DerivedName[] {
  const names = resourceNames(stackName);
  const entry = (name: string, [what, ...kinds]: readonly [string, ...NameKind[]]): DerivedName => ({ what, name, kinds });
  return [
    ...Object.entries(RESOURCE_NAME_KINDS).map(([key, described]) => entry(names[key as keyof FixedNames], described)),
    ...EVENT_RULE_NAMES.map((event) => entry(names.eventRule(event), ['a launch event rule name', 'eventBridgeRule'])),
    ...SESSION_ALARM_NAMES.map((kind) => entry(names.sessionAlarm(kind), ['a session Lambda alarm name', 'cloudWatchAlarm'])),
    entry(boundaryPolicyName(stackName), ['the permissions boundary policy name', 'iamPolicy']),
    ...agentGroups(stackName, subnetIds, sameZoneDelivery).flatMap((group) =>
      Object.entries(AGENT_GROUP_KINDS).map(([key, [what, ...kinds]]) => entry(group[key as keyof AgentGroupNames], [`the agents' ${what}`, ...kinds])),
    ),
  ];
}

/** A derived name AWS would refuse, with the first rule it breaks. */
export interface BrokenName extends DerivedName {
  readonly rule: string;
}

/** The derived names of a stack that break a rule of their kind, each once with its first broken rule. */
export function brokenDerivedNames(stackName: string, subnetIds: readonly string[] = [], sameZoneDelivery = false): BrokenName[] {
  return derivedNames(stackName, subnetIds, sameZoneDelivery).flatMap((derived) => {
    const broken = derived.kinds.flatMap((kind) => NAME_RULES[kind]).find(({ breaks }) => breaks(derived.name));
    return broken ? [{ ...derived, rule: broken.rule }] : [];
  });
}
