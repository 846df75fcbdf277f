/**
 * MirrorTargetType GWLB_ENDPOINT, planned offline with the real Terraform CLI and hashicorp/aws 5.100.0: the collector
 * with the EC2 and with the ECS fleet, and a source account's stack with its own endpoints toward the collector's
 * endpoint service (the provider checks every argument of the Gateway Load Balancer resources at plan).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from '../stacks/app';
import { synthConfig } from './helpers/synth';
import { plannedTogether, terraformPlan, type PlanResult } from './helpers/terraform';

jest.setTimeout(1_200_000);

import { COLLECTOR, GWLB, SERVICE_NAME, SOURCE, SOURCE_ACCOUNT } from './helpers/gwlb-config';

const COLLECTOR_SUBNETS = { 'subnet-0123456789abcde11': 'vpc-0123456789abcdef1', 'subnet-0123456789abcde12': 'vpc-0123456789abcdef1', 'subnet-0123456789abcde21': 'vpc-0123456789abcdef2' };

/** The collector and its source account as the app synthesizes them from one configuration file. */
function synthApp(): (stack: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'gwlb-app-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...GWLB, SourceAccounts: [SOURCE_ACCOUNT] }));
  expect(runApp(join(dir, 'config.json'), join(dir, 'out'))).toEqual({ exitCode: 0, stderr: '' });
  return (stack) => join(dir, 'out', 'stacks', stack);
}

const afterOf = (plan: PlanResult) => (address: string) => {
  const change = plan.json.resource_changes.find((candidate: { address: string }) => candidate.address === address);
  if (!change) throw new Error(`${address} is not in the plan`);
  return change.change.after;
};
const unknownOf = (plan: PlanResult) => (address: string) => plan.json.resource_changes.find((candidate: { address: string }) => candidate.address === address).change.after_unknown;

/** The Gateway Load Balancer side, as the provider plans it (the same for both fleets). */
function expectGatewayLoadBalancer(plan: PlanResult): void {
  const after = afterOf(plan);
  expect(after('aws_lb.mirror_gwlb')).toMatchObject({ name: 'mirroring-gwlb-gwlb', load_balancer_type: 'gateway', enable_cross_zone_load_balancing: false, subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] });
  expect(after('aws_lb_target_group.mirror_geneve_target_group')).toMatchObject({
    name: 'mirroring-gwlb-geneve',
    protocol: 'GENEVE',
    port: 6081,
    target_type: 'instance',
    vpc_id: 'vpc-0123456789abcdef0',
    stickiness: [{ enabled: true, type: 'source_ip_dest_ip' }],
    target_failover: [{ on_deregistration: 'rebalance', on_unhealthy: 'rebalance' }],
    health_check: [expect.objectContaining({ protocol: 'HTTP', port: '8089', path: '/healthz', matcher: '200', interval: 10, healthy_threshold: 3, unhealthy_threshold: 3 })],
  });
  expect(after('aws_lb_listener.mirror_geneve_listener')).toMatchObject({ default_action: [expect.objectContaining({ type: 'forward' })] });
  expect(after('aws_lb_listener.mirror_geneve_listener').port ?? null).toBeNull();
  expect(after('aws_vpc_endpoint_service.mirror_endpoint_service')).toMatchObject({
    acceptance_required: false,
    allowed_principals: [`arn:aws:iam::${COLLECTOR}:root`, `arn:aws:iam::${SOURCE}:root`],
  });
  for (const [subnetId, vpcId] of Object.entries(COLLECTOR_SUBNETS)) {
    const key = subnetId.replace(/-/g, '_');
    expect(after(`aws_vpc_endpoint.mirror_endpoint_${key}`)).toMatchObject({ vpc_endpoint_type: 'GatewayLoadBalancer', vpc_id: vpcId, subnet_ids: [subnetId] });
    expect(unknownOf(plan)(`aws_vpc_endpoint.mirror_endpoint_${key}`)).toMatchObject({ service_name: true });
    expect(unknownOf(plan)(`aws_ec2_traffic_mirror_target.mirror_mirror_target_${key}`)).toMatchObject({ gateway_load_balancer_endpoint_id: true });
  }
  for (const cidr of ['10.40.1.0/24', '10.40.2.0/24']) {
    const key = cidr.replace(/[./]/g, '_');
    expect(after(`aws_vpc_security_group_ingress_rule.mirror_fleet_geneve_from_${key}`)).toMatchObject({ ip_protocol: 'udp', from_port: 6081, to_port: 6081, cidr_ipv4: cidr });
    expect(after(`aws_vpc_security_group_ingress_rule.mirror_fleet_health_from_${key}`)).toMatchObject({ ip_protocol: 'tcp', from_port: 8089, to_port: 8089, cidr_ipv4: cidr });
  }
  const addresses = Object.keys(plan.actions);
  expect(addresses.filter((address) => /nlb|vxlan|aws_ram_/.test(address))).toEqual([]);
  expect(Object.values(plan.actions).every((actions) => actions.join() === 'create')).toBe(true);
}

// The three stacks that plan are planned in one terraform run (terraformPlans): each result is that stack's own plan.
const stackDir = synthApp();
const planned = plannedTogether({
  collector: () => ({ stackDir: stackDir('mirroring-gwlb') }),
  source: () => ({ stackDir: stackDir(`mirroring-gwlb-${SOURCE}`), env: { TF_VAR_endpoint_service_name: SERVICE_NAME } }),
  ecsCollector: () => ({ stackDir: synthConfig({ ...GWLB, DeployTraceableAgentInECS: 'true', SourceAccounts: [SOURCE_ACCOUNT] }).stackDir }),
});

describe('GWLB_ENDPOINT collector with the EC2 fleet, and its source account', () => {
  test('terraform plan of the collector: the Gateway Load Balancer, its GENEVE target group, service, endpoints and targets; the autoscaling group registers in it', async () => {
    const { plan } = await planned('collector');
    expectGatewayLoadBalancer(plan);
    expect(afterOf(plan)('aws_autoscaling_group.fleet_autoscaling_group')).toMatchObject({ health_check_type: 'ELB' });
    expect(unknownOf(plan)('aws_autoscaling_group.fleet_autoscaling_group')).toMatchObject({ target_group_arns: true });
    expect(Object.keys(plan.json.planned_values.outputs).sort()).toEqual(['alarm_topic_arn', 'autoscaling_group_name', 'endpoint_service_name', 'gateway_load_balancer_arn', 'mirror_filter_id', 'mirror_target_ids', 'token_secret_arn']);
  });

  test('terraform plan of the source account: its endpoints of the collector\'s service and a traffic mirror target on each, no variable of a shared target', async () => {
    const { plan } = await planned('source');
    const after = afterOf(plan);
    for (const subnetId of ['subnet-0123456789abcde31', 'subnet-0123456789abcde32']) {
      const key = subnetId.replace(/-/g, '_');
      expect(after(`aws_vpc_endpoint.source_endpoint_${key}`)).toMatchObject({
        service_name: SERVICE_NAME,
        vpc_endpoint_type: 'GatewayLoadBalancer',
        vpc_id: 'vpc-0123456789abcdef3',
        subnet_ids: [subnetId],
        tags: { Name: `mirroring-gwlb-${SOURCE}-vpc-0123456789abcdef3-${subnetId}` },
      });
      expect(after(`aws_ec2_traffic_mirror_target.source_mirror_target_${key}`)).toMatchObject({ tags: { Name: `mirroring-gwlb-${SOURCE}-vpc-0123456789abcdef3-${subnetId}` } });
      expect(unknownOf(plan)(`aws_ec2_traffic_mirror_target.source_mirror_target_${key}`)).toMatchObject({ gateway_load_balancer_endpoint_id: true });
    }
    expect(plan.actions['aws_lambda_function.source_sessions_function']).toEqual(['create']);
    expect(Object.keys(plan.json.variables)).toEqual(['endpoint_service_name']);
    expect(Object.keys(plan.actions).filter((address) => address.startsWith('aws_ram_') || address.startsWith('aws_lb'))).toEqual([]);
  });

  test('a source stack refuses an endpoint_service_name that is not a service name, naming the collector\'s output', async () => {
    await expect(terraformPlan(stackDir(`mirroring-gwlb-${SOURCE}`), { env: { TF_VAR_endpoint_service_name: 'vpce-svc-0123456789abcdef0' } })).rejects.toThrow(
      "endpoint_service_name must be an endpoint service name such as com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0: the collector stack's endpoint_service_name output (apply the collector first).",
    );
  });
});

describe('GWLB_ENDPOINT collector with the ECS fleet', () => {
  test('terraform plan: the capacity group registers its instances in the GENEVE target group; the service has no load balancer', async () => {
    const { plan } = await planned('ecsCollector');
    expectGatewayLoadBalancer(plan);
    expect(unknownOf(plan)('aws_autoscaling_group.ecs_fleet_autoscaling_group')).toMatchObject({ target_group_arns: true });
    expect(afterOf(plan)('aws_autoscaling_group.ecs_fleet_autoscaling_group')).toMatchObject({ health_check_type: 'EC2' });
    expect(afterOf(plan)('aws_ecs_service.ecs_fleet_service')).toMatchObject({ load_balancer: [] });
  });
});
