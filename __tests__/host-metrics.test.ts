/**
 * modules/host-metrics.ts: the loss alarms take the stack's alarm actions (the SNS topic the stack wires in) and refuse
 * settings CloudWatch would refuse, naming them.
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { addLossAlarms, packetsPerHostTarget } from '../modules/host-metrics';
import { HOST_METRICS, TRUNCATION_ALARM_MINUTES, agentGroup } from '../shared';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:traceable-alarms';

function synthAlarms(settings: Parameters<typeof addLossAlarms>[1]) {
  const app = new App();
  const stack = new TerraformStack(app, 'alarms');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  addLossAlarms(stack, settings);
  const alarms = JSON.parse(Testing.synth(stack)).resource.aws_cloudwatch_metric_alarm;
  return [alarms.kernel_drops_alarm, alarms.feed_send_errors_alarm, alarms.truncated_packets_alarm];
}

test('alarmActions notify on alarm and on OK; the drop alarm also runs the scale-out actions', () => {
  const [drops, feed] = synthAlarms({
    alarmNames: agentGroup('prod'),
    agentGroupName: 'prod-agents',
    alarmActions: [TOPIC],
    scaleOutActions: ['arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:x'],
    dropAlarmPercent: 0.5,
    dropAlarmMinutes: 5,
  });
  expect(drops).toMatchObject({
    alarm_name: 'prod-kernel-drops',
    threshold: 0.5,
    evaluation_periods: 5,
    datapoints_to_alarm: 5,
    alarm_actions: [TOPIC, 'arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:x'],
    ok_actions: [TOPIC],
  });
  expect(feed).toMatchObject({ alarm_name: 'prod-feed-send-errors', alarm_actions: [TOPIC], ok_actions: [TOPIC], evaluation_periods: 5 });
});

test('sustained truncation: cut mirrored packets in 15 minutes in a row of the group notify (no scale-out: hosts cannot help)', () => {
  const [, , truncation] = synthAlarms({
    alarmNames: agentGroup('prod'),
    agentGroupName: 'prod-agents',
    alarmActions: [TOPIC],
    scaleOutActions: ['arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:x'],
  });
  expect(TRUNCATION_ALARM_MINUTES).toBe(15);
  expect(truncation).toEqual({
    alarm_name: 'prod-truncated-packets',
    alarm_description:
      "Mirrored packets reach prod-agents cut at the mirror session's PacketLength (8500 bytes): sources send packets over 8500 bytes (9001-byte MTU), so HTTP bodies have holes; lower the sources' MTU (README: Cut packets)",
    namespace: 'Traceable/TrafficMirroring',
    metric_name: HOST_METRICS.truncatedPackets,
    dimensions: { AutoScalingGroupName: 'prod-agents' },
    statistic: 'Sum',
    period: 60,
    comparison_operator: 'GreaterThanThreshold',
    threshold: 0,
    evaluation_periods: 15,
    datapoints_to_alarm: 15,
    treat_missing_data: 'notBreaching',
    alarm_actions: [TOPIC],
    ok_actions: [TOPIC],
  });
});

test.each([
  [{ dropAlarmPercent: 0 }, 'host metrics: dropAlarmPercent must be a number greater than 0 and at most 100, got 0'],
  [{ dropAlarmMinutes: 1.5 }, 'host metrics: dropAlarmMinutes must be a whole number from 1 to 60, got 1.5'],
  [{ targetPacketsPerHostPerMinute: -1 }, 'host metrics: targetPacketsPerHostPerMinute must be a positive number, got -1'],
  [{ alarmActions: ['my-topic'] }, 'host metrics: alarmActions must be ARNs, got "my-topic"'],
])('refuses %j', (settings, message) => {
  expect(() => packetsPerHostTarget(settings)).toThrow(message);
});
