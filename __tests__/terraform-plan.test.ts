/**
 * The real `terraform plan`, offline, of synthesized stacks: what platform teams review in pull requests.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { synthConfig, synthValidated } from './helpers/synth';
import { terraformPlans, type PlanResult } from './helpers/terraform';

jest.setTimeout(240_000);

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

describe('terraform plan (offline, real CLI)', () => {
  // The shipped example, as a pipeline set up for 0.2.0 would plan it (the stack declares no token variable, Terraform
  // ignores this one); a named existing secret; private ECR images on both fleet kinds: one batched terraform run.
  const exampleDir = synthValidated(loadConfig(join(__dirname, '..', 'examples', 'config.json')).config).stackDir;
  let example: PlanResult, existingSecret: PlanResult, ec2: PlanResult, ecs: PlanResult;

  beforeAll(async () => {
    [example, existingSecret, ec2, ecs] = await terraformPlans([
      { stackDir: exampleDir, env: { TF_VAR_traceable_refresh_token: CANARY } },
      { stackDir: synthConfig({ MirrorSourceType: 'MANUAL', MirrorSource: '', TraceableRefreshTokenSecretArn: SECRET_ARN }).stackDir },
      { stackDir: synthConfig(IMAGES).stackDir },
      { stackDir: synthConfig({ ...IMAGES, DeployTraceableAgentInECS: true }).stackDir },
    ]);
  }, 1_200_000); // four stacks on a shared two-core machine: minutes when other jobs run

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
