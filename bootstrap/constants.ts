/**
 * Facts shared by what runs on the fleet (bootstrap/) and the infrastructure around it (modules/):
 * the NLB health check and the autoscaling policy must use exactly what the instances expose and publish.
 */

/** VXLAN, the encapsulation AWS Traffic Mirroring uses toward the mirror target. */
export const VXLAN_UDP_PORT = 4789;

/** TCP port of the fleet's health endpoint; answers 200 only while both `suricata` and `traceable` run. */
export const HEALTH_CHECK_PORT = 8089;

/** HTTP path of the health endpoint on {@link HEALTH_CHECK_PORT}. */
export const HEALTH_CHECK_PATH = '/healthz';

/** CloudWatch namespace the CloudWatch agent publishes the fleet's memory utilization under. */
export const METRICS_NAMESPACE = 'Traceable/TrafficMirroring';

/** Metric name of memory utilization (percent) in {@link METRICS_NAMESPACE}. */
export const MEMORY_METRIC_NAME = 'mem_used_percent';

/** The one dimension of {@link MEMORY_METRIC_NAME}; its value is the autoscaling group's name. */
export const MEMORY_METRIC_DIMENSION = 'AutoScalingGroupName';

/** Where the agent and the bootstrap write their logs on the instance (the seed's troubleshooting path). */
export const LOG_DIR = '/var/traceable/log';

/** Key of the refresh token inside the Secrets Manager secret (the seed's contract). */
export const REFRESH_TOKEN_SECRET_KEY = 'refresh_token';
