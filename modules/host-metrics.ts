import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { HOST_METRICS, HOST_METRICS_INTERVAL_SECONDS, MEMORY_METRIC_DIMENSION, METRICS_NAMESPACE, TRUNCATION_ALARM_MINUTES, type AgentGroupNames } from '../shared';

/** Settings of the loss alarms and of the packet-rate scaling, shared by both fleet kinds. */
export interface LossMonitoringSettings {
  /**
   * Actions of the loss alarms (e.g. the stack's SNS topic ARN), on alarm and back to OK.
   * @default [] (the drop alarm still scales the fleet out)
   */
  readonly alarmActions?: readonly string[];
  /**
   * Kernel drops, percent of the packets a host's capture saw, above which a minute counts as dropping.
   * @default 1
   */
  readonly dropAlarmPercent?: number;
  /**
   * Consecutive dropping minutes that raise the drop alarm (and add a host).
   * @default 3
   */
  readonly dropAlarmMinutes?: number;
  /**
   * Mirrored packets per host per minute (`KernelPackets`, average over the hosts) that the packet-rate target tracking
   * keeps the fleet at: a starting value (50,000 packets/s); measure yours with `npm run bench:suricata`.
   * @default 3,000,000
   */
  readonly targetPacketsPerHostPerMinute?: number;
}

/** The host metric `name` of the agent group, as metrics.py publishes it. */
export function hostMetric(name: string, agentGroupName: string) {
  return {
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensions: { [MEMORY_METRIC_DIMENSION]: agentGroupName },
  };
}

/** Refuses settings CloudWatch would refuse later, naming the setting. */
function checkSettings(settings: LossMonitoringSettings): void {
  const checks: [string, number | undefined, (value: number) => boolean, string][] = [
    ['dropAlarmPercent', settings.dropAlarmPercent, (v) => v > 0 && v <= 100, 'a number greater than 0 and at most 100'],
    ['dropAlarmMinutes', settings.dropAlarmMinutes, (v) => Number.isInteger(v) && v >= 1 && v <= 60, 'a whole number from 1 to 60'],
    ['targetPacketsPerHostPerMinute', settings.targetPacketsPerHostPerMinute, (v) => v > 0 && Number.isFinite(v), 'a positive number'],
  ];
  for (const [name, value, valid, allowed] of checks) {
    if (value !== undefined && !valid(value)) throw new Error(`host metrics: ${name} must be ${allowed}, got ${JSON.stringify(value)}`);
  }
  for (const action of settings.alarmActions ?? []) {
    if (typeof action !== 'string' || !(action.startsWith('arn:') || action.startsWith('${'))) {
      throw new Error(`host metrics: alarmActions must be ARNs, got ${JSON.stringify(action)}`);
    }
  }
}

/** Target value of the packet-rate target tracking. */
export function packetsPerHostTarget(settings: LossMonitoringSettings): number {
  checkSettings(settings);
  return settings.targetPacketsPerHostPerMinute ?? 3_000_000;
}

/**
 * The loss alarms of an agent group, created directly in `scope` (addresses `<fleet>_kernel_drops_alarm`,
 * `<fleet>_feed_send_errors_alarm`):
 * - kernel drops: the share of packets the hosts' capture dropped, above `dropAlarmPercent` for `dropAlarmMinutes`
 *   minutes in a row; notifies `alarmActions` and runs `scaleOutActions` (a step scaling policy adding a host);
 * - feed send errors: events Suricata could not hand to the agent, in `dropAlarmMinutes` minutes in a row;
 * - truncated packets (`<fleet>_truncated_packets_alarm`): mirrored packets arriving cut at the sessions' PacketLength in
 *   {@link TRUNCATION_ALARM_MINUTES} minutes in a row (sources sending packets larger than 8,500 bytes: their bodies
 *   have holes); notifies `alarmActions` (more hosts would not help: the fix is the sources' MTU).
 * Minutes without data (no host publishing) are not breaching: the NLB health check covers dead hosts.
 */
export function addLossAlarms(
  scope: Construct,
  props: LossMonitoringSettings & {
    readonly alarmNames: Pick<AgentGroupNames, 'kernelDropsAlarm' | 'feedSendErrorsAlarm' | 'truncatedPacketsAlarm'>;
    readonly agentGroupName: string;
    readonly scaleOutActions: readonly string[];
  },
): { dropsAlarm: CloudwatchMetricAlarm; feedErrorsAlarm: CloudwatchMetricAlarm; truncationAlarm: CloudwatchMetricAlarm } {
  checkSettings(props);
  const alarmActions = [...(props.alarmActions ?? [])];
  const minutes = props.dropAlarmMinutes ?? 3;
  const sum = (id: string, name: string) => ({
    id,
    returnData: false,
    metric: { ...hostMetric(name, props.agentGroupName), period: HOST_METRICS_INTERVAL_SECONDS, stat: 'Sum' },
  });
  const dropsAlarm = new CloudwatchMetricAlarm(scope, 'kernel_drops_alarm', {
    alarmName: props.alarmNames.kernelDropsAlarm,
    alarmDescription: `Agent hosts of ${props.agentGroupName} drop mirrored packets in the kernel (capture cannot keep up): adds a host`,
    comparisonOperator: 'GreaterThanThreshold',
    threshold: props.dropAlarmPercent ?? 1,
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    treatMissingData: 'notBreaching',
    metricQuery: [
      sum('drops', HOST_METRICS.kernelDrops),
      sum('packets', HOST_METRICS.kernelPackets),
      { id: 'drop_percent', expression: 'IF(packets > 0, 100 * drops / packets, 0)', label: 'Kernel drops (% of packets)', returnData: true },
    ],
    alarmActions: [...alarmActions, ...props.scaleOutActions],
    okActions: alarmActions,
  });
  const feedErrorsAlarm = new CloudwatchMetricAlarm(scope, 'feed_send_errors_alarm', {
    alarmName: props.alarmNames.feedSendErrorsAlarm,
    alarmDescription: `Suricata on ${props.agentGroupName} cannot hand HTTP events to the Traceable agent (feed send errors)`,
    namespace: METRICS_NAMESPACE,
    metricName: HOST_METRICS.feedSendErrors,
    dimensions: { [MEMORY_METRIC_DIMENSION]: props.agentGroupName },
    statistic: 'Sum',
    period: HOST_METRICS_INTERVAL_SECONDS,
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 0,
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    treatMissingData: 'notBreaching',
    alarmActions,
    okActions: alarmActions,
  });
  const truncationAlarm = new CloudwatchMetricAlarm(scope, 'truncated_packets_alarm', {
    alarmName: props.alarmNames.truncatedPacketsAlarm,
    alarmDescription: `Mirrored packets reach ${props.agentGroupName} cut at the mirror session's PacketLength (8500 bytes): sources send packets over 8500 bytes (9001-byte MTU), so HTTP bodies have holes; lower the sources' MTU (README: Cut packets)`,
    ...hostMetric(HOST_METRICS.truncatedPackets, props.agentGroupName),
    statistic: 'Sum',
    period: HOST_METRICS_INTERVAL_SECONDS,
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 0,
    evaluationPeriods: TRUNCATION_ALARM_MINUTES,
    datapointsToAlarm: TRUNCATION_ALARM_MINUTES,
    treatMissingData: 'notBreaching',
    alarmActions,
    okActions: alarmActions,
  });
  return { dropsAlarm, feedErrorsAlarm, truncationAlarm };
}
