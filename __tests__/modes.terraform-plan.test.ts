/**
 * The real `terraform plan`, offline, of every deployment mode: the seven MirrorSourceTypes, each with the EC2 and the
 * ECS agent fleet. The fourteen stacks are planned in batches (helpers/terraform.ts terraformPlans).
 */
import { rmSync } from 'node:fs';
import { MIRROR_SOURCE_TYPES, type MirrorSourceType } from '../shared';
import { FLEET_ADDRESSES, type FleetKind } from './helpers/fleet-addresses';
import { SOURCES } from './helpers/mode-sources';
import { configOf, synthConfig } from './helpers/synth';
import { terraformPlans, type PlanResult } from './helpers/terraform';

// Fourteen stacks on a shared two-core machine: minutes when other jobs run.
jest.setTimeout(1_200_000);

const STACK_NAME = configOf().StackName;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token-AbCdEf';
const ZONE_ID = 'Z0123456789ABCDEFGHIJ';

const MIRROR_TARGET_ADDRESSES = [
  'aws_ec2_traffic_mirror_filter.mirror_mirror_filter',
  'aws_ec2_traffic_mirror_filter_rule.mirror_accept_tcp_egress',
  'aws_ec2_traffic_mirror_filter_rule.mirror_accept_tcp_ingress',
  'aws_ec2_traffic_mirror_target.mirror_mirror_target',
  'aws_lb.mirror_nlb',
  'aws_lb_listener.mirror_vxlan_listener',
  'aws_lb_target_group.mirror_vxlan_target_group',
  'aws_security_group.mirror_nlb_security_group',
  'aws_vpc_security_group_egress_rule.mirror_nlb_health_to_fleet',
  'aws_vpc_security_group_egress_rule.mirror_nlb_vxlan_to_fleet',
  'aws_vpc_security_group_ingress_rule.mirror_fleet_health_from_nlb',
  'aws_vpc_security_group_ingress_rule.mirror_fleet_vxlan_from_nlb',
  // The default MirrorSourceCidrs: the three RFC 1918 networks.
  'aws_vpc_security_group_ingress_rule.mirror_nlb_vxlan_from_source_0',
  'aws_vpc_security_group_ingress_rule.mirror_nlb_vxlan_from_source_1',
  'aws_vpc_security_group_ingress_rule.mirror_nlb_vxlan_from_source_2',
];
const CREATED_TOKEN_ADDRESSES = ['aws_secretsmanager_secret.token_secret'];

interface Combination {
  readonly sourceType: MirrorSourceType;
  readonly fleet: FleetKind;
  readonly overrides: Record<string, unknown>;
  /** The other paths, taken by some combinations so that they are planned too. */
  readonly existingSecret: boolean;
  readonly existingZone: boolean;
}

const COMBINATIONS: Combination[] = MIRROR_SOURCE_TYPES.flatMap((sourceType) =>
  (['ec2', 'ecs'] as const).map((fleet) => {
    // With the ECS fleet, MANUAL names an existing secret (the container definitions are then known at plan, so the
    // provider checks them) and FARGATE an existing zone (only the record is created).
    const existingSecret = fleet === 'ecs' && sourceType === 'MANUAL';
    const existingZone = fleet === 'ecs' && sourceType === 'FARGATE';
    return {
      sourceType,
      fleet,
      existingSecret,
      existingZone,
      // One stack name (the default) for all: their provider blocks are then the same, and the batched plan runs one
      // provider configuration for the fourteen instead of one each (helpers/terraform.ts planBatch).
      overrides: {
        MirrorSourceType: sourceType,
        ...SOURCES[sourceType],
        DeployTraceableAgentInECS: fleet === 'ecs',
        ...(existingSecret ? { TraceableRefreshTokenSecretArn: SECRET_ARN } : {}),
        ...(existingZone ? { Route53ZoneId: ZONE_ID } : {}),
      },
    };
  }),
);

/** What the plan of a combination must create, besides the session Lambda. */
function expectedAddresses(combination: Combination): string[] {
  const route53 =
    combination.sourceType !== 'FARGATE'
      ? []
      : combination.existingZone
        ? ['aws_route53_record.fargate_dns_record']
        : ['aws_route53_record.fargate_dns_record', 'aws_route53_zone.fargate_dns_zone'];
  return [
    ...MIRROR_TARGET_ADDRESSES,
    'aws_sns_topic.alarms_topic',
    ...(combination.existingSecret ? [] : CREATED_TOKEN_ADDRESSES),
    ...FLEET_ADDRESSES[combination.fleet],
    ...route53,
  ].sort();
}

const isSessionLambda = (address: string) => address.slice(address.indexOf('.') + 1).startsWith('sessions_');
const hasSessions = (sourceType: MirrorSourceType) => !['MANUAL', 'FARGATE'].includes(sourceType);

describe('terraform plan of every mode (offline, real CLI, seven source types x two fleet kinds)', () => {
  const plans = new Map<Combination, PlanResult>();

  beforeAll(async () => {
    const started = Date.now();
    const results = await terraformPlans(COMBINATIONS.map((combination) => ({ stackDir: synthConfig(combination.overrides).stackDir })));
    COMBINATIONS.forEach((combination, index) => plans.set(combination, results[index]));
    console.log(`${COMBINATIONS.length} plans, batched: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(() => {
    for (const plan of plans.values()) rmSync(plan.workDir, { recursive: true, force: true });
  });

  test.each(COMBINATIONS.map((combination) => [combination.sourceType, combination.fleet, combination] as const))(
    '%s with the %s fleet creates exactly its resources',
    (sourceType, _fleet, combination) => {
      const plan = plans.get(combination)!;
      const addresses = Object.keys(plan.actions).sort();
      expect(Object.entries(plan.actions).filter(([, actions]) => actions.join() !== 'create')).toEqual([]);
      expect(addresses.filter((address) => !isSessionLambda(address))).toEqual(expectedAddresses(combination));
      // The session Lambda's own resources are its module's business; here only whether it is there.
      expect(addresses.some(isSessionLambda)).toBe(hasSessions(sourceType));
    },
  );

  test('the ECS task definition passes the provider with no secret: the agent runs the token wrapper on mounted files', () => {
    const combination = COMBINATIONS.find((c) => c.existingSecret)!;
    const change = plans.get(combination)!.json.resource_changes.find(
      (c: { address: string }) => c.address === 'aws_ecs_task_definition.ecs_fleet_task_definition',
    );
    // The provider normalizes the definitions (sorted by name, defaults filled in).
    type Container = { name: string; secrets?: unknown; entryPoint?: string[]; environment: { name: string }[]; mountPoints: unknown[] };
    const containers = JSON.parse(change.change.after.container_definitions) as Container[];
    expect(containers.map((container) => container.name).sort()).toEqual(['health', 'metrics', 'suricata', 'traceable']);
    const agent = containers.find((container) => container.name === 'traceable')!;
    expect(agent.secrets).toBeUndefined();
    expect(agent.environment.map((variable) => variable.name)).not.toContain('TA_REFRESH_TOKEN');
    expect(agent.entryPoint).toEqual(['/bin/sh', '/opt/traceable/bin/agent-entrypoint.sh', '/run/secrets/traceable/refresh-token', 'TA_REFRESH_TOKEN']);
    expect(agent.mountPoints).toContainEqual({ sourceVolume: 'traceable-agent-files', containerPath: '/run/secrets/traceable', readOnly: true });
    expect(change.change.after.volume).toContainEqual(expect.objectContaining({ name: 'traceable-agent-files', host_path: '/run/traceable/agent' }));
    // Least privilege as the provider keeps it (no diff on the next plan): no shared PID namespace; every container
    // with no new privileges, a read-only root and only its capabilities (README "Containers: least privilege").
    expect(change.change.after.pid_mode).toBeNull();
    const privileges = Object.fromEntries(
      (containers as unknown as Record<string, unknown>[]).map(({ name, readonlyRootFilesystem, dockerSecurityOptions, linuxParameters }) => [
        name,
        { readonlyRootFilesystem, dockerSecurityOptions, linuxParameters },
      ]),
    );
    const locked = (linuxParameters: object) => ({ readonlyRootFilesystem: true, dockerSecurityOptions: ['no-new-privileges'], linuxParameters });
    expect(privileges).toEqual({
      health: locked({ capabilities: { drop: ['ALL'] } }),
      metrics: locked({ capabilities: { drop: ['ALL'] } }),
      suricata: locked({
        capabilities: { add: ['NET_RAW', 'IPC_LOCK'], drop: ['ALL'] },
        tmpfs: [{ containerPath: '/etc/traceable/suricata', mountOptions: ['nosuid', 'nodev', 'noexec'], size: 1 }],
      }),
      traceable: locked({ capabilities: { drop: ['ALL'] }, tmpfs: [{ containerPath: '/tmp', mountOptions: ['nosuid', 'nodev'], size: 64 }] }),
    });
    // The instance role reads the named secret (the execution role's policy names the log group, unknown until apply;
    // its statements are asserted in modes.test.ts).
    const policies = Object.fromEntries(
      plans.get(combination)!.json.resource_changes
        .filter((c: { type: string }) => c.type === 'aws_iam_role_policy')
        .map((c: { address: string; change: { after: { policy: string } } }) => [c.address, c.change.after.policy]),
    );
    expect(JSON.parse(policies['aws_iam_role_policy.ecs_fleet_read_token_secret']).Statement).toEqual([
      { Sid: 'ReadRefreshToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN },
    ]);
  });

  /** The planned values of one resource of a combination. */
  const after = (sourceType: MirrorSourceType, fleet: FleetKind, address: string) => {
    const combination = COMBINATIONS.find((c) => c.sourceType === sourceType && c.fleet === fleet)!;
    return plans.get(combination)!.json.resource_changes.find((c: { address: string }) => c.address === address).change.after;
  };

  test.each(['ec2', 'ecs'] as const)('%s fleet: the UDP target group keeps each mirrored interface on one agent (source-IP stickiness)', (fleet) => {
    expect(after('LOAD_BALANCER', fleet, 'aws_lb_target_group.mirror_vxlan_target_group')).toMatchObject({
      protocol: 'UDP',
      port: 4789,
      stickiness: [{ enabled: true, type: 'source_ip' }],
    });
  });

  test.each([
    ['ec2', 'fleet', 'aws_autoscaling_policy'],
    ['ecs', 'ecs_fleet', 'aws_appautoscaling_policy'],
  ] as const)('%s fleet: the drop alarm and the packet-rate and drop scaling policies plan with their values', (fleet, prefix, policyType) => {
    const drops = after('MANUAL', fleet, `aws_cloudwatch_metric_alarm.${prefix}_kernel_drops_alarm`);
    expect(drops).toMatchObject({
      alarm_name: `${STACK_NAME}-kernel-drops`,
      comparison_operator: 'GreaterThanThreshold',
      threshold: 1,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: 'notBreaching',
    });
    expect(drops.metric_query.map((query: { id: string; expression: string }) => [query.id, query.expression])).toEqual([
      ['drops', ''],
      ['packets', ''],
      ['drop_percent', 'IF(packets > 0, 100 * drops / packets, 0)'],
    ]);
    expect(after('MANUAL', fleet, `aws_cloudwatch_metric_alarm.${prefix}_feed_send_errors_alarm`)).toMatchObject({
      metric_name: 'FeedSendErrors',
      namespace: 'Traceable/TrafficMirroring',
      dimensions: { AutoScalingGroupName: `${STACK_NAME}-agents` },
      threshold: 0,
    });
    const packets = after('MANUAL', fleet, `${policyType}.${prefix}_packets_target_tracking`);
    const tracking = fleet === 'ec2' ? packets.target_tracking_configuration[0] : packets.target_tracking_scaling_policy_configuration[0];
    expect(tracking.target_value).toBe(3000000);
    expect(tracking.customized_metric_specification[0]).toMatchObject({ metric_name: 'KernelPackets', namespace: 'Traceable/TrafficMirroring', statistic: 'Average' });
    const step = after('MANUAL', fleet, `${policyType}.${prefix}_drops_step_scaling`);
    expect(step.policy_type).toBe('StepScaling');
    const adjustments = fleet === 'ec2' ? step.step_adjustment : step.step_scaling_policy_configuration[0].step_adjustment;
    expect(adjustments).toEqual([{ metric_interval_lower_bound: '0', metric_interval_upper_bound: '', scaling_adjustment: 1 }]);
  });

  test('the FARGATE record goes into the named zone when Route53ZoneId is given', () => {
    const combination = COMBINATIONS.find((c) => c.existingZone)!;
    const change = plans.get(combination)!.json.resource_changes.find((c: { address: string }) => c.address === 'aws_route53_record.fargate_dns_record');
    expect(change.change.after).toMatchObject({ zone_id: ZONE_ID, name: 'mirroring-fargate', type: 'A' });
  });
});
