/**
 * The fleet's CloudWatch metrics: published by the hosts (bootstrap/) and read by the autoscaling policies and alarms
 * (constructs/), so both sides use these names.
 */

/** CloudWatch namespace the fleet's metrics are published under. */
export const METRICS_NAMESPACE = 'Traceable/TrafficMirroring';

/** Metric name of memory utilization (percent) in {@link METRICS_NAMESPACE}. */
export const MEMORY_METRIC_NAME = 'mem_used_percent';

/** The one dimension of {@link MEMORY_METRIC_NAME}; its value is the autoscaling group's name. */
export const MEMORY_METRIC_DIMENSION = 'AutoScalingGroupName';

/** Per-host loss and throughput metrics published by bootstrap/files/metrics.py in {@link METRICS_NAMESPACE}, each a count
 * per publishing interval (one minute), with the dimension {@link MEMORY_METRIC_DIMENSION} (the agent group) and that
 * plus `Host`. */
export const HOST_METRICS = {
  kernelPackets: 'KernelPackets',
  kernelDrops: 'KernelDrops',
  vxlanPackets: 'VxlanPackets',
  httpTransactions: 'HttpTransactions',
  reassemblyGaps: 'ReassemblyGaps',
  feedEventsSent: 'FeedEventsSent',
  feedSendErrors: 'FeedSendErrors',
  /** HTTP/1 responses Suricata's parser swallowed that the Lua output could not recover (the feed's http_responses_lost):
   * their events carry no status. */
  httpResponsesLost: 'HttpResponsesLost',
  /** Mirrored packets that arrived cut (inner IPv4 length over what arrived), each rewritten by the hosts' fixer. */
  truncatedPackets: 'TruncatedPackets',
  /** New flows on the mirrored ports that Suricata recognized as TLS: encrypted, nothing to decode. */
  tlsFlows: 'TlsFlows',
} as const;

/** Consecutive minutes with cut mirrored packets that raise the truncation alarm: a source that sends packets over
 * the mirror session's PacketLength keeps doing so (its MTU), unlike a burst. */
export const TRUNCATION_ALARM_MINUTES = 15;

/** Seconds between two samples of {@link HOST_METRICS}. */
export const HOST_METRICS_INTERVAL_SECONDS = 60;
