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
