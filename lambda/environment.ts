/**
 * The environment contract between modules/session-lambda.ts (which sets it) and lambda/handler.ts (which reads
 * it). No secrets: only ids and names. Kept free of imports so the infrastructure code can use it cheaply.
 */
export const SESSION_LAMBDA_ENV = {
  /** Stack name: the value of the ownership tag; the IAM conditions use the same value. */
  stackName: 'STACK_NAME',
  /** Traffic mirror target id (tmt-...). */
  targetId: 'MIRROR_TARGET_ID',
  /** Traffic mirror filter id (tmf-...). */
  filterId: 'MIRROR_FILTER_ID',
  /** LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP or ECS_CLUSTER. */
  sourceType: 'MIRROR_SOURCE_TYPE',
  /** JSON array of strings: load balancer names, tag selectors, target group names/ARNs, or one cluster. */
  sources: 'MIRROR_SOURCES',
  /** JSON array of VPC ids searched with LOAD_BALANCER_TAGS. */
  sourceVpcIds: 'MIRROR_SOURCE_VPC_IDS',
  /** `true` or `false` (default). */
  mirrorUnhealthyTargets: 'MIRROR_UNHEALTHY_TARGETS',
  /** Optional, milliseconds; default: a tenth of the time left at start, between 5 and 30 seconds. */
  safetyMarginMs: 'SAFETY_MARGIN_MS',
  /** URL of the function's event queue (fast path): retries of not-yet-healthy targets go there. Unset: no retries. */
  eventQueueUrl: 'EVENT_QUEUE_URL',
  /** JSON array of seconds (each 0 to 900): the delays of the retries; their number bounds the attempts. */
  eventRetryDelaysSeconds: 'EVENT_RETRY_DELAYS_SECONDS',
} as const;

/** Default delays of the retries of a target not yet healthy: 30 s, 1, 2 and 4 minutes (7.5 minutes in all). */
export const DEFAULT_EVENT_RETRY_DELAYS_SECONDS: readonly number[] = [30, 60, 120, 240];

/** CloudWatch namespace of the run metrics (embedded metric format). */
export const SESSION_METRICS_NAMESPACE = 'Traceable/TrafficMirroring';
