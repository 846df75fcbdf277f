/**
 * The environment contract between modules/session-lambda.ts (which sets it) and lambda/handler.ts (which reads
 * it). No secrets: only ids and names. Kept free of imports so the infrastructure code can use it cheaply.
 */
export const SESSION_LAMBDA_ENV = {
  /** Stack name: the value of the ownership tag; the IAM conditions use the same value. */
  stackName: 'STACK_NAME',
  /** Traffic mirror target id (tmt-...): the one target of target selection `single`. */
  targetId: 'MIRROR_TARGET_ID',
  /**
   * {@link TARGET_SELECTIONS}: unset or `single`: every session toward MIRROR_TARGET_ID; `vpc-endpoint`: each interface
   * toward the stack's target on a Gateway Load Balancer endpoint of its own VPC (lambda/endpoint-targets.ts).
   */
  targetSelection: 'MIRROR_TARGET_SELECTION',
  /** Traffic mirror filter id (tmf-...). */
  filterId: 'MIRROR_FILTER_ID',
  /** LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER or INSTANCE_TAGS. */
  sourceType: 'MIRROR_SOURCE_TYPE',
  /**
   * JSON array of strings: load balancer names, tag selectors, target group names/ARNs, or one cluster. Tests set it;
   * the deployed functions read the list from {@link SOURCES_FILE_NAME} in their bundle instead (sourcesFile), since
   * Lambda's environment holds at most 4 KB (300 load balancer names are 10 KB).
   */
  sources: 'MIRROR_SOURCES',
  /** Name of the bundle's file holding the sources' JSON array (used when `sources` is unset). */
  sourcesFile: 'MIRROR_SOURCES_FILE',
  /** JSON array of VPC ids searched with LOAD_BALANCER_TAGS and INSTANCE_TAGS. */
  sourceVpcIds: 'MIRROR_SOURCE_VPC_IDS',
  /** `true` or `false` (default). */
  mirrorUnhealthyTargets: 'MIRROR_UNHEALTHY_TARGETS',
  /** Optional, milliseconds; default: a tenth of the time left at start, between 5 and 30 seconds. */
  safetyMarginMs: 'SAFETY_MARGIN_MS',
  /** URL of the function's event queue (fast path): retries of not-yet-healthy targets go there. Unset: no retries. */
  eventQueueUrl: 'EVENT_QUEUE_URL',
  /** JSON array of seconds (each 0 to 900): the delays of the retries; their number bounds the attempts. */
  eventRetryDelaysSeconds: 'EVENT_RETRY_DELAYS_SECONDS',
  /** Whole number: most sessions the stack may own (lambda/budget.ts); unset or 0: no budget. */
  sessionBudget: 'MIRROR_SESSION_BUDGET',
  /** `true`: keep the filter's rules in step with the target groups' ports (lambda/filter-ports.ts); default `false`. */
  tcpPortsFromTargets: 'MIRROR_TCP_PORTS_FROM_TARGETS',
  /** Cleanup function only: name of the session function it drains before deleting (lambda/drain.ts). */
  sessionFunctionName: 'SESSION_FUNCTION_NAME',
} as const;

/** How the function picks an interface's traffic mirror target (SESSION_LAMBDA_ENV.targetSelection). */
export const TARGET_SELECTIONS = ['single', 'vpc-endpoint'] as const;
export type TargetSelection = (typeof TARGET_SELECTIONS)[number];

/** The file of the deterministic bundle that carries the configured sources (modules/session-lambda.ts writes it). */
export const SOURCES_FILE_NAME = 'mirror-sources.json';

/** Default delays of the retries of a target not yet healthy: 15 s, 30 s, 1, 2 and 4 minutes (7.75 minutes in all, within one default interval). */
export const DEFAULT_EVENT_RETRY_DELAYS_SECONDS: readonly number[] = [15, 30, 60, 120, 240];

/** CloudWatch namespace of the run metrics (embedded metric format). */
export const SESSION_METRICS_NAMESPACE = 'Traceable/TrafficMirroring';

/** `source` and `detail-type` of the retry messages the function sends to its own queue. */
export const RETRY_EVENT_SOURCE = 'traceable.mirroring';
export const RETRY_DETAIL_TYPE = 'Mirror Source Retry';

/** The event patterns of the fast path's rules (lambda/events.ts parses what they match). */
export const EVENT_PATTERNS = {
  instanceRunning: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['running'] } },
  autoScalingLaunch: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'] },
  /** Matched to the configured cluster by the ARN's suffix, so a name or an ARN configures it. */
  ecsTaskRunning: (cluster: string) => ({
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: { lastStatus: ['RUNNING'], clusterArn: [{ suffix: `:cluster/${clusterName(cluster)}` }] },
  }),
} as const;

/** `arn:aws:ecs:eu-west-1:111122223333:cluster/prod` -> `prod`; a name stays as it is. */
function clusterName(cluster: string): string {
  return cluster.startsWith('arn:') ? cluster.slice(cluster.indexOf(':cluster/') + ':cluster/'.length) : cluster;
}
