/**
 * The real `terraform plan`, offline, of synthesized stacks: what platform teams review in pull requests. The shipped
 * example, an existing secret, private ECR images, SameZoneDelivery (examples/modes/same-zone.json), MirrorTcpPorts
 * and the session Lambda's two shapes: eight stacks planned in one batched terraform run (helpers/terraform.ts
 * terraformPlans), paid by whichever test asks first.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { manyLoadBalancerNames } from './helpers/load-balancer-names';
import { synthVpcEndpoint } from './helpers/session-lambda';
import { resource, synthConfig, synthValidated, userDataScript, type TerraformJson } from './helpers/synth';
import { plannedTogether, type PlanResult } from './helpers/terraform';

// Eight stacks on a shared two-core machine: minutes when other jobs run.
jest.setTimeout(1_200_000);

const CANARY = 'canary-refresh-token-7f3a9c';

/** Resources of the core stack (EC2 fleet, mirror target, created token secret) that every plan must create. */
const CORE_ADDRESSES = [
  'aws_autoscaling_group.fleet_autoscaling_group',
  'aws_autoscaling_policy.fleet_cpu_target_tracking',
  'aws_autoscaling_policy.fleet_memory_target_tracking',
  'aws_ec2_traffic_mirror_filter.mirror_mirror_filter',
  'aws_ec2_traffic_mirror_filter_rule.mirror_accept_tcp_egress',
  'aws_ec2_traffic_mirror_filter_rule.mirror_accept_tcp_ingress',
  'aws_ec2_traffic_mirror_target.mirror_mirror_target',
  'aws_iam_instance_profile.fleet_instance_profile',
  'aws_iam_role.fleet_role',
  'aws_iam_role_policy.fleet_read_token_secret',
  'aws_iam_role_policy_attachment.fleet_managed_AmazonSSMManagedInstanceCore',
  'aws_iam_role_policy.fleet_publish_metrics',
  'aws_launch_template.fleet_launch_template',
  'aws_lb.mirror_nlb',
  'aws_lb_listener.mirror_vxlan_listener',
  'aws_lb_target_group.mirror_vxlan_target_group',
  'aws_security_group.fleet_security_group',
  'aws_security_group.mirror_nlb_security_group',
  'aws_vpc_security_group_egress_rule.fleet_egress_http',
  'aws_vpc_security_group_egress_rule.fleet_egress_https',
  'aws_vpc_security_group_egress_rule.mirror_nlb_health_to_fleet',
  'aws_vpc_security_group_egress_rule.mirror_nlb_vxlan_to_fleet',
  'aws_vpc_security_group_ingress_rule.mirror_fleet_health_from_nlb',
  'aws_vpc_security_group_ingress_rule.mirror_fleet_vxlan_from_nlb',
  'aws_vpc_security_group_ingress_rule.mirror_nlb_vxlan_from_source_0',
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
}

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token-AbCdEf';
const IMAGES = { TraceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/traceable-agent:1.71.2', MirrorSourceType: 'MANUAL', MirrorSource: '' };

const TOKEN = { TF_VAR_traceable_refresh_token: 'token-for-plan' };
const { config: sameZoneConfig } = loadConfig(join(__dirname, '..', 'examples', 'modes', 'same-zone.json'));

/** The stacks this file plans, each synthesized once, with the environment its plan gets. */
const planned = plannedTogether({
  // The shipped example, as a pipeline set up for 0.2.0 would plan it (the stack declares no token variable, Terraform
  // ignores this one).
  example: () => ({ ...synthValidated(loadConfig(join(__dirname, '..', 'examples', 'config.json')).config), env: { TF_VAR_traceable_refresh_token: CANARY } }),
  existingSecret: () => ({ ...synthConfig({ MirrorSourceType: 'MANUAL', MirrorSource: '', TraceableRefreshTokenSecretArn: SECRET_ARN }), env: {} }),
  ec2Images: () => ({ ...synthConfig(IMAGES), env: {} }),
  ecsImages: () => ({ ...synthConfig({ ...IMAGES, DeployTraceableAgentInECS: true }), env: {} }),
  sameZone: () => ({ ...synthValidated(sameZoneConfig), env: TOKEN }),
  narrowedPorts: () => ({ ...synthConfig({ MirrorTcpPorts: [443, '8080-8089'] }), env: TOKEN }),
  manySources: () => ({ ...synthConfig({ MirrorSource: manyLoadBalancerNames().join(',') }), env: TOKEN }),
  vpcEndpoint: () => {
    const { resource: resources, stackDir } = synthVpcEndpoint({}, mkdtempSync(join(tmpdir(), 'cdktf-out-')));
    return { stackDir: stackDir!, json: { resource: resources } as TerraformJson, env: {} };
  },
});

describe('terraform plan (offline, real CLI)', () => {
  let example: PlanResult, existingSecret: PlanResult, ec2: PlanResult, ecs: PlanResult;
  let exampleDir: string;

  beforeAll(async () => {
    const stacks = await Promise.all([planned('example'), planned('existingSecret'), planned('ec2Images'), planned('ecsImages')]);
    [example, existingSecret, ec2, ecs] = stacks.map((stack) => stack.plan);
    exampleDir = stacks[0].stackDir;
  });

  test('the shipped example plans every core resource and the session Lambda; a token a pipeline still exports lands nowhere', () => {
    const [stackDir, plan] = [exampleDir, example];
    const created = Object.entries(plan.actions).filter(([, actions]) => actions.join() === 'create').map(([address]) => address);
    expect(created).toEqual(
      expect.arrayContaining([
        ...CORE_ADDRESSES,
        'aws_secretsmanager_secret.token_secret',
        'aws_lambda_function.sessions_function',
        'aws_lambda_invocation.sessions_apply_time_run',
        'aws_cloudwatch_event_rule.sessions_schedule',
      ]),
    );
    expect(Object.keys(plan.actions).filter((address) => address.startsWith('aws_secretsmanager'))).toEqual(['aws_secretsmanager_secret.token_secret']);
    const leaks = [...filesUnder(stackDir), join(plan.workDir, 'plan.bin')].filter((file) => readFileSync(file).includes(CANARY));
    expect(leaks).toEqual([]);
    expect(JSON.stringify(plan.json)).not.toContain(CANARY);
    expect(plan.stdout).not.toContain(CANARY);
  });

  test('with TraceableRefreshTokenSecretArn no secret or variable is created and the instance role reads exactly that secret', () => {
    const [plan, secretArn] = [existingSecret, SECRET_ARN];
    expect(Object.keys(plan.actions)).toEqual(expect.arrayContaining(CORE_ADDRESSES));
    expect(Object.keys(plan.actions).filter((address) => address.startsWith('aws_secretsmanager'))).toEqual([]);
    const policy = plan.json.resource_changes.find((c: { address: string }) => c.address === 'aws_iam_role_policy.fleet_read_token_secret');
    expect(JSON.parse(policy.change.after.policy).Statement).toEqual([
      { Sid: 'ReadRefreshToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
    ]);
  });

  test('agent images in private ECR plan a pull policy for exactly their repositories, on both fleet kinds', () => {
    const policyOf = (plan: typeof ec2, address: string) =>
      JSON.parse(plan.json.resource_changes.find((change: { address: string }) => change.address === address).change.after.policy);
    const pull = {
      Sid: 'PullAgentImages',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: ['arn:aws:ecr:eu-west-1:123456789012:repository/mirror/traceable-agent'],
    };
    expect(policyOf(ec2, 'aws_iam_role_policy.fleet_pull_agent_images').Statement).toContainEqual(pull);
    expect(ecs.actions['aws_iam_role_policy.ecs_fleet_execution_role_policy']).toEqual(['create']);
  });
});

/** The shipped example examples/modes/same-zone.json: SameZoneDelivery as `terraform plan` shows it. The default fleet's
 * addresses are covered by the upgrade.terraform-plan test. */
describe('SameZoneDelivery (terraform plan)', () => {
  const SUBNETS = sameZoneConfig.SubnetIds;
  const STACK = sameZoneConfig.StackName;
  /** The Terraform name prefix of a subnet's group: `fleet_zone_<subnet id with underscores>_`. */
  const zone = (subnet: string) => `fleet_zone_${subnet.replace(/-/g, '_')}`;
  let resources: { address: string; type: string; values: any }[];
  let json: TerraformJson;
  beforeAll(async () => {
    expect(sameZoneConfig).toMatchObject({ SameZoneDelivery: true, DeployTraceableAgentInECS: false });
    expect(SUBNETS.length).toBeGreaterThan(1);
    const { json: synthesized, plan } = await planned('sameZone');
    resources = plan.json.planned_values.root_module.resources;
    json = synthesized;
  });
  const plannedValues = (address: string) => {
    const found = resources.find((resource) => resource.address === address);
    if (!found) throw new Error(`${address} is not planned`);
    return found.values;
  };
  const addressesOf = (type: string) => resources.filter((resource) => resource.type === type).map((resource) => resource.address).sort();

  test('the NLB and its target group keep traffic in its zone', () => {
    expect(plannedValues('aws_lb.mirror_nlb').enable_cross_zone_load_balancing).toBe(false);
    expect(plannedValues('aws_lb_target_group.mirror_vxlan_target_group').load_balancing_cross_zone_enabled).toBe('false');
  });

  test('one autoscaling group and launch template per subnet, and no stack-wide group', () => {
    expect(addressesOf('aws_autoscaling_group')).toEqual(SUBNETS.map((subnet) => `aws_autoscaling_group.${zone(subnet)}_autoscaling_group`));
    expect(addressesOf('aws_launch_template')).toEqual(SUBNETS.map((subnet) => `aws_launch_template.${zone(subnet)}_launch_template`));
    for (const subnet of SUBNETS) {
      const group = plannedValues(`aws_autoscaling_group.${zone(subnet)}_autoscaling_group`);
      expect(group).toMatchObject({ name: `${STACK}-agents-${subnet}`, min_size: 1, max_size: sameZoneConfig.AutoscalingMaxSize, vpc_zone_identifier: [subnet], health_check_type: 'ELB' });
      expect(group.instance_refresh[0].preferences[0]).toMatchObject({ min_healthy_percentage: 100, max_healthy_percentage: 200 });
      const launchTemplate = plannedValues(`aws_launch_template.${zone(subnet)}_launch_template`);
      expect(launchTemplate.name).toBe(`${STACK}-agent-${subnet}`);
      // The hosts publish their metrics under their own group's name, which that group's policies and alarms read. The
      // plan knows the user data only after apply (it names the bundle bucket), so it is read from the synthesized stack.
      expect(userDataScript(resource(json, 'aws_launch_template', `${zone(subnet)}_launch_template`))).toContain(`TRACEABLE_METRICS_GROUP='${STACK}-agents-${subnet}'`);
    }
    // Shared by the groups: one security group, role and instance profile.
    expect(addressesOf('aws_security_group')).toEqual(['aws_security_group.fleet_security_group', 'aws_security_group.mirror_nlb_security_group']);
    expect(addressesOf('aws_iam_instance_profile')).toEqual(['aws_iam_instance_profile.fleet_instance_profile']);
  });

  test('each group scales and alarms on its own hosts', () => {
    for (const subnet of SUBNETS) {
      const prefix = `${STACK}-${subnet}`;
      const policy = (name: string) => plannedValues(`aws_autoscaling_policy.${zone(subnet)}_${name}`);
      expect(policy('cpu_target_tracking')).toMatchObject({ name: `${prefix}-cpu`, autoscaling_group_name: `${STACK}-agents-${subnet}` });
      expect(policy('memory_target_tracking').name).toBe(`${prefix}-memory`);
      const packets = policy('packets_target_tracking').target_tracking_configuration[0].customized_metric_specification[0];
      expect(packets.metric_dimension).toEqual([{ name: 'AutoScalingGroupName', value: `${STACK}-agents-${subnet}` }]);
      expect(policy('drops_step_scaling')).toMatchObject({ name: `${prefix}-drops`, autoscaling_group_name: `${STACK}-agents-${subnet}` });
      expect(plannedValues(`aws_cloudwatch_metric_alarm.${zone(subnet)}_kernel_drops_alarm`).alarm_name).toBe(`${prefix}-kernel-drops`);
      expect(plannedValues(`aws_cloudwatch_metric_alarm.${zone(subnet)}_feed_send_errors_alarm`).dimensions).toEqual({ AutoScalingGroupName: `${STACK}-agents-${subnet}` });
    }
  });
});

describe('MirrorTcpPorts (terraform plan)', () => {
  test('the real plan creates the port-narrowed rules with their ranges', async () => {
    const RULE = 'aws_ec2_traffic_mirror_filter_rule';
    const { plan } = await planned('narrowedPorts');
    const changes = (plan.json.resource_changes as { address: string; change: { actions: string[]; after: Record<string, unknown> } }[])
      .filter((c) => c.address.startsWith(`${RULE}.`));
    expect(changes.map((c) => [c.address, c.change.actions.join()])).toEqual([
      [`${RULE}.mirror_accept_tcp_port_0_egress`, 'create'], [`${RULE}.mirror_accept_tcp_port_0_ingress`, 'create'],
      [`${RULE}.mirror_accept_tcp_port_1_egress`, 'create'], [`${RULE}.mirror_accept_tcp_port_1_ingress`, 'create'],
    ]);
    const after = (address: string) => changes.find((c) => c.address === `${RULE}.${address}`)!.change.after;
    expect(after('mirror_accept_tcp_port_0_ingress')).toMatchObject({ destination_port_range: [{ from_port: 443, to_port: 443 }], source_port_range: [], protocol: 6, rule_number: 100 });
    expect(after('mirror_accept_tcp_port_1_egress')).toMatchObject({ source_port_range: [{ from_port: 8080, to_port: 8089 }], destination_port_range: [], rule_number: 101 });
  });
});

describe('the session Lambda with 300 load balancer names (terraform plan)', () => {
  it('plans, with an environment far under Lambda\'s 4 KB', async () => {
    // Act
    const { json, plan } = await planned('manySources');
    // Assess
    expect(plan.actions['aws_lambda_function.sessions_function']).toEqual(['create']);
    // The planned environment holds values known only after apply (target, filter, queue URL): measured on the
    // synthesized references, each longer than the id or URL it stands for.
    const variables = resource(json, 'aws_lambda_function', 'sessions_function').environment.variables;
    expect(Buffer.byteLength(Object.entries(variables).flat().join(''))).toBeLessThan(1024);
    expect(plan.actions['aws_lambda_invocation.sessions_cleanup_run_1']).toEqual(['create']);
    expect(JSON.parse(resource(json, 'aws_lambda_invocation', 'sessions_apply_time_run').input).sources).toHaveLength(300);
  });
});

describe('the session Lambda with target selection vpc-endpoint (terraform plan)', () => {
  it('plans the functions, the role policy, and the runs ordered after the endpoint targets', async () => {
    // Act
    const { plan } = await planned('vpcEndpoint');
    // Assess: every resource is created (cdktf suffixes the construct's addresses with a hash)
    const addressOf = (prefix: string) => Object.keys(plan.actions).find((address) => address.startsWith(prefix))!;
    for (const prefix of ['aws_ec2_traffic_mirror_target.target_a', 'aws_lambda_function.sessions_function_', 'aws_iam_role_policy.sessions_policy_', 'aws_lambda_invocation.sessions_apply_time_run_', 'aws_lambda_invocation.sessions_cleanup_run_1_']) {
      expect([prefix, plan.actions[addressOf(prefix)]]).toEqual([prefix, ['create']]);
    }
    // The environment and the policy hold values known only after apply (filter, queue, log groups): they are asserted on
    // the synth. Terraform's own graph orders the runs after the targets (and, on destroy, the cleanup before them).
    const dependsOn = (prefix: string) => plan.json.configuration.root_module.resources.find((r: { address: string }) => r.address === addressOf(prefix)).depends_on;
    const targets = ['aws_ec2_traffic_mirror_target.target_a', 'aws_ec2_traffic_mirror_target.target_b'];
    expect(dependsOn('aws_lambda_invocation.sessions_apply_time_run_')).toEqual(expect.arrayContaining(targets));
    expect(dependsOn('aws_lambda_invocation.sessions_cleanup_run_1_')).toEqual(expect.arrayContaining(targets));
  });
});
