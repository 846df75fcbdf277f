/**
 * MirrorTargetType GWLB_ENDPOINT, synthesized: the collector's Gateway Load Balancer, GENEVE target group, listener,
 * endpoint service, an endpoint and a traffic mirror target per subnet (addresses by subnet, stable when VPCs are
 * added), the agents' security group rules, both fleets' registration, the construct's attributes, and a source
 * account's stack with its own endpoints.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformOutput, TerraformResource, TerraformStack, Testing } from 'cdktf';
import type { IConstruct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TraceableTrafficMirroring, type TraceableTrafficMirroringProps } from '../index';
import { runApp } from '../stacks/app';
import { BASE_PROPS } from './helpers/base-config';
import { BASE_CONFIG, resource, resourceAddresses, synthConfig, type TerraformJson } from './helpers/synth';

import { COLLECTOR, GWLB, SERVICE_NAME, SOURCE, SOURCE_ACCOUNT, VPC_1, VPC_2 } from './helpers/gwlb-config';

const key = (id: string) => id.replace(/-/g, '_');
/** The resources of a type, by address, without cdktf's metadata. */
const resourcesOf = (json: TerraformJson, type: string) => Object.fromEntries(Object.keys(json.resource[type] ?? {}).map((name) => [name, resource(json, type, name)]));

describe('GWLB_ENDPOINT collector (EC2 fleet)', () => {
  const { json } = synthConfig({ ...GWLB, SourceAccounts: [SOURCE_ACCOUNT] });

  test('a Gateway Load Balancer in SubnetIds, cross-zone load balancing off', () => {
    expect(resource(json, 'aws_lb', 'mirror_gwlb')).toEqual({
      name: 'mirroring-gwlb-gwlb',
      load_balancer_type: 'gateway',
      subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      enable_cross_zone_load_balancing: false,
    });
  });

  test('a GENEVE 6081 target group of instances: HTTP health check on the agents\' port, stickiness on source and destination IP, rebalancing failover', () => {
    expect(resource(json, 'aws_lb_target_group', 'mirror_geneve_target_group')).toEqual({
      name: 'mirroring-gwlb-geneve',
      port: 6081,
      protocol: 'GENEVE',
      target_type: 'instance',
      vpc_id: 'vpc-0123456789abcdef0',
      deregistration_delay: '30',
      stickiness: { enabled: true, type: 'source_ip_dest_ip' },
      target_failover: [{ on_deregistration: 'rebalance', on_unhealthy: 'rebalance' }],
      health_check: { protocol: 'HTTP', port: '8089', path: '/healthz', matcher: '200', interval: 10, healthy_threshold: 3, unhealthy_threshold: 3 },
    });
  });

  test('a listener without port or protocol forwarding to it', () => {
    expect(resource(json, 'aws_lb_listener', 'mirror_geneve_listener')).toEqual({
      load_balancer_arn: '${aws_lb.mirror_gwlb.arn}',
      default_action: [{ type: 'forward', target_group_arn: '${aws_lb_target_group.mirror_geneve_target_group.arn}' }],
    });
  });

  test('an endpoint service of the load balancer, no acceptance, allowing the collector\'s and each source account\'s root', () => {
    expect(resource(json, 'aws_vpc_endpoint_service', 'mirror_endpoint_service')).toEqual({
      gateway_load_balancer_arns: ['${aws_lb.mirror_gwlb.arn}'],
      acceptance_required: false,
      allowed_principals: [`arn:aws:iam::${COLLECTOR}:root`, `arn:aws:iam::${SOURCE}:root`],
      tags: { Name: 'mirroring-gwlb' },
    });
  });

  test('per subnet of GatewayLoadBalancerEndpoints an endpoint of the service and a traffic mirror target on it, addressed by the subnet', () => {
    const expected = [VPC_1, VPC_2].flatMap(({ VpcId, SubnetIds }) => SubnetIds.map((subnetId) => ({ vpcId: VpcId, subnetId })));
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toEqual(Object.fromEntries(expected.map(({ vpcId, subnetId }) => [`mirror_endpoint_${key(subnetId)}`, {
      vpc_id: vpcId,
      service_name: '${aws_vpc_endpoint_service.mirror_endpoint_service.service_name}',
      vpc_endpoint_type: 'GatewayLoadBalancer',
      subnet_ids: [subnetId],
      tags: { Name: `mirroring-gwlb-${vpcId}-${subnetId}` },
    }])));
    expect(resourcesOf(json, 'aws_ec2_traffic_mirror_target')).toEqual(Object.fromEntries(expected.map(({ vpcId, subnetId }) => [`mirror_mirror_target_${key(subnetId)}`, {
      description: `Traceable mirroring-gwlb: Gateway Load Balancer endpoint in ${subnetId} (${vpcId})`,
      gateway_load_balancer_endpoint_id: `\${aws_vpc_endpoint.mirror_endpoint_${key(subnetId)}.id}`,
      tags: { Name: `mirroring-gwlb-${vpcId}-${subnetId}` },
    }])));
  });

  test('no NLB, no NLB security group, no RAM share, no NLB output; the Gateway Load Balancer\'s outputs instead', () => {
    const addresses = resourceAddresses(json);
    expect(addresses.filter((address) => /nlb|vxlan|aws_ram_/.test(address))).toEqual([]);
    expect(Object.keys(json.resource.aws_lb)).toEqual(['mirror_gwlb']);
    expect(Object.keys(json.output).sort()).toEqual(['alarm_topic_arn', 'autoscaling_group_name', 'endpoint_service_name', 'gateway_load_balancer_arn', 'mirror_filter_id', 'mirror_target_ids', 'token_secret_arn']);
    expect(json.output.mirror_target_ids.value).toEqual({
      'subnet-0123456789abcde11': '${aws_ec2_traffic_mirror_target.mirror_mirror_target_subnet_0123456789abcde11.id}',
      'subnet-0123456789abcde12': '${aws_ec2_traffic_mirror_target.mirror_mirror_target_subnet_0123456789abcde12.id}',
      'subnet-0123456789abcde21': '${aws_ec2_traffic_mirror_target.mirror_mirror_target_subnet_0123456789abcde21.id}',
    });
    expect(json.output.endpoint_service_name.value).toBe('${aws_vpc_endpoint_service.mirror_endpoint_service.service_name}');
    expect(json.output.gateway_load_balancer_arn.value).toBe('${aws_lb.mirror_gwlb.arn}');
  });

  test('the agents admit GENEVE and the health check from each GatewayLoadBalancerCidrs block only, and leave on HTTPS and HTTP', () => {
    expect(resource(json, 'aws_security_group', 'fleet_security_group').description).toBe('Traceable agent hosts: GENEVE and health checks from the Gateway Load Balancer only, no SSH');
    const rule = (ipProtocol: string, port: number, cidr: string, what: string) => ({
      security_group_id: '${aws_security_group.fleet_security_group.id}',
      description: `${what} from the Gateway Load Balancer`,
      ip_protocol: ipProtocol,
      from_port: port,
      to_port: port,
      cidr_ipv4: cidr,
    });
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).toEqual({
      mirror_fleet_geneve_from_10_40_1_0_24: rule('udp', 6081, '10.40.1.0/24', 'GENEVE (mirrored traffic)'),
      mirror_fleet_health_from_10_40_1_0_24: rule('tcp', 8089, '10.40.1.0/24', 'Agent health check'),
      mirror_fleet_geneve_from_10_40_2_0_24: rule('udp', 6081, '10.40.2.0/24', 'GENEVE (mirrored traffic)'),
      mirror_fleet_health_from_10_40_2_0_24: rule('tcp', 8089, '10.40.2.0/24', 'Agent health check'),
    });
    expect(Object.keys(json.resource.aws_vpc_security_group_egress_rule).sort()).toEqual(['fleet_egress_http', 'fleet_egress_https']);
  });

  test('the autoscaling group registers its instances in the GENEVE target group and replaces those the load balancer finds unhealthy', () => {
    expect(resource(json, 'aws_autoscaling_group', 'fleet_autoscaling_group')).toMatchObject({
      target_group_arns: ['${aws_lb_target_group.mirror_geneve_target_group.arn}'],
      health_check_type: 'ELB',
    });
  });
});

describe('GWLB_ENDPOINT: addresses are the subnets\'', () => {
  test('adding a VPC adds its endpoints and targets and changes none of the others', () => {
    const before = synthConfig({ ...GWLB, GatewayLoadBalancerEndpoints: [VPC_1], MirrorSourceVpcId: VPC_1.VpcId }).json;
    const after = synthConfig(GWLB).json;
    const added = resourceAddresses(after).filter((address) => !resourceAddresses(before).includes(address));
    expect(added).toEqual(['aws_ec2_traffic_mirror_target.mirror_mirror_target_subnet_0123456789abcde21', 'aws_vpc_endpoint.mirror_endpoint_subnet_0123456789abcde21']);
    expect(resourceAddresses(before).filter((address) => !resourceAddresses(after).includes(address))).toEqual([]);
    for (const subnetId of VPC_1.SubnetIds) {
      expect(resource(after, 'aws_vpc_endpoint', `mirror_endpoint_${key(subnetId)}`)).toEqual(resource(before, 'aws_vpc_endpoint', `mirror_endpoint_${key(subnetId)}`));
      expect(resource(after, 'aws_ec2_traffic_mirror_target', `mirror_mirror_target_${key(subnetId)}`)).toEqual(resource(before, 'aws_ec2_traffic_mirror_target', `mirror_mirror_target_${key(subnetId)}`));
    }
  });
});

describe('GWLB_ENDPOINT collector (ECS fleet)', () => {
  const { json } = synthConfig({ ...GWLB, DeployTraceableAgentInECS: 'true' });

  test('the capacity group registers its instances (ECS cannot register host-network tasks with a Gateway Load Balancer); the service has no load balancer', () => {
    const group = resource(json, 'aws_autoscaling_group', 'ecs_fleet_autoscaling_group');
    expect(group.target_group_arns).toEqual(['${aws_lb_target_group.mirror_geneve_target_group.arn}']);
    expect(group.health_check_type).toBe('EC2');
    const service = resource(json, 'aws_ecs_service', 'ecs_fleet_service');
    expect(service.load_balancer).toBeUndefined();
    expect(service.health_check_grace_period_seconds).toBeUndefined();
    expect(service.placement_constraints).toEqual([{ type: 'distinctInstance' }]);
  });

  test('the ECS hosts admit GENEVE and the health check from the Gateway Load Balancer\'s blocks', () => {
    expect(Object.keys(json.resource.aws_vpc_security_group_ingress_rule).sort()).toEqual([
      'mirror_fleet_geneve_from_10_40_1_0_24', 'mirror_fleet_geneve_from_10_40_2_0_24', 'mirror_fleet_health_from_10_40_1_0_24', 'mirror_fleet_health_from_10_40_2_0_24',
    ]);
    expect(resource(json, 'aws_vpc_security_group_ingress_rule', 'mirror_fleet_geneve_from_10_40_1_0_24').security_group_id).toBe('${aws_security_group.ecs_fleet_security_group.id}');
  });

  test('with the NLB the ECS service still registers its tasks (UDP 4789) and the group none', () => {
    const nlb = synthConfig({ ...BASE_CONFIG, DeployTraceableAgentInECS: 'true' }).json;
    expect(resource(nlb, 'aws_ecs_service', 'ecs_fleet_service').load_balancer).toEqual([{ target_group_arn: '${aws_lb_target_group.mirror_vxlan_target_group.arn}', container_name: 'suricata', container_port: 4789 }]);
    expect(resource(nlb, 'aws_autoscaling_group', 'ecs_fleet_autoscaling_group').target_group_arns).toBeUndefined();
  });
});

describe('GWLB_ENDPOINT MANUAL', () => {
  test('the example command leaves the target to the interface\'s VPC\'s, from mirror_target_ids', () => {
    const { json } = synthConfig({ ...GWLB, MirrorSourceType: 'MANUAL', MirrorSource: '', MirrorSourceVpcId: '' });
    expect(json.output.example_mirror_session_command.value).toBe(
      'aws ec2 create-traffic-mirror-session --region eu-west-1 --network-interface-id <eni-id> --traffic-mirror-target-id <target-id> --traffic-mirror-filter-id ${aws_ec2_traffic_mirror_filter.mirror_mirror_filter.id} --session-number 1',
    );
  });
});

describe('the construct\'s attributes by mode', () => {
  /** The construct in a user's stack, the given attributes read into outputs, and the synthesized stack. */
  const construct = (props: Partial<TraceableTrafficMirroringProps>, attributes: readonly (keyof TraceableTrafficMirroring)[]) => {
    const stack = new TerraformStack(Testing.app(), 'platform');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const mirroring = new TraceableTrafficMirroring(stack, 'mirroring', { ...BASE_PROPS, ...props });
    for (const attribute of attributes) new TerraformOutput(stack, attribute, { value: mirroring[attribute] });
    const json = JSON.parse(Testing.synth(stack, true)) as TerraformJson;
    /** A reference to the resource at a construct path below the construct. */
    const ref = (path: string, attribute: string) => {
      const element = path.split('/').reduce<IConstruct>((node, id) => node.node.findChild(id), mirroring) as TerraformResource;
      return `\${${element.terraformResourceType}.${stack.getLogicalId(element)}.${attribute}}`;
    };
    return { mirroring, output: (attribute: string) => json.output[attribute].value, ref };
  };

  test('GWLB_ENDPOINT: the Gateway Load Balancer\'s attributes are set; the NLB\'s throw, naming what to use instead', () => {
    const { mirroring, output, ref } = construct(
      { accountId: '111122223333', mirrorTargetType: 'GWLB_ENDPOINT', gatewayLoadBalancerCidrs: ['10.40.1.0/24'], gatewayLoadBalancerEndpoints: [{ vpcId: VPC_2.VpcId, subnetIds: VPC_2.SubnetIds }] },
      ['mirrorTargetIds', 'gatewayLoadBalancerArn', 'endpointServiceName'],
    );
    expect(output('mirrorTargetIds')).toEqual({ 'subnet-0123456789abcde21': ref('mirror/mirror_target_subnet_0123456789abcde21', 'id') });
    expect(output('gatewayLoadBalancerArn')).toBe(ref('mirror/gwlb', 'arn'));
    expect(output('endpointServiceName')).toBe(ref('mirror/endpoint_service', 'service_name'));
    expect(() => mirroring.mirrorTargetId).toThrow('TraceableTrafficMirroring platform/mirroring: mirrorTargetId exists with mirrorTargetType NLB only; this construct has GWLB_ENDPOINT, use mirrorTargetIds (the target of each endpoint, by subnet ID)');
    expect(() => mirroring.nlbArn).toThrow('nlbArn exists with mirrorTargetType NLB only; this construct has GWLB_ENDPOINT, use gatewayLoadBalancerArn');
    expect(() => mirroring.nlbDnsName).toThrow('nlbDnsName exists with mirrorTargetType NLB only; this construct has GWLB_ENDPOINT, use endpointServiceName');
    expect(() => mirroring.mirrorTarget).toThrow('mirrorTarget exists with mirrorTargetType NLB only; this construct has GWLB_ENDPOINT, use gatewayLoadBalancerTarget');
  });

  test('NLB: the NLB\'s attributes, none of the Gateway Load Balancer\'s', () => {
    const { mirroring, output, ref } = construct({}, ['mirrorTargetId', 'nlbArn', 'nlbDnsName']);
    expect(output('mirrorTargetId')).toBe(ref('mirror/mirror_target', 'id'));
    expect(output('nlbArn')).toBe(ref('mirror/nlb', 'arn'));
    expect(output('nlbDnsName')).toBe(ref('mirror/nlb', 'dns_name'));
    expect([mirroring.gatewayLoadBalancerTarget, mirroring.gatewayLoadBalancerArn, mirroring.endpointServiceName, mirroring.mirrorTargetIds]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('GWLB_ENDPOINT source account stack', () => {
  function synthApp(config: Record<string, unknown>): TerraformJson {
    const dir = mkdtempSync(join(tmpdir(), 'gwlb-source-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    expect(runApp(join(dir, 'config.json'), join(dir, 'out'))).toEqual({ exitCode: 0, stderr: '' });
    return JSON.parse(readFileSync(join(dir, 'out', 'stacks', `mirroring-gwlb-${SOURCE}`, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  }

  test('an endpoint_service_name variable (default SharedEndpointServiceName), no mirror_target_id variable', () => {
    const json = synthApp({ ...GWLB, SourceAccounts: [SOURCE_ACCOUNT], SharedEndpointServiceName: SERVICE_NAME });
    expect(Object.keys(json.variable)).toEqual(['endpoint_service_name']);
    expect(json.variable.endpoint_service_name).toMatchObject({ type: 'string', nullable: false, default: SERVICE_NAME });
    expect(synthApp({ ...GWLB, SourceAccounts: [SOURCE_ACCOUNT] }).variable.endpoint_service_name.default).toBeUndefined();
  });

  test('its own endpoints of the collector\'s service and a target on each, by subnet; its filter; no RAM, no load balancer', () => {
    const json = synthApp({ ...GWLB, SourceAccounts: [SOURCE_ACCOUNT] });
    const subnets = SOURCE_ACCOUNT.GatewayLoadBalancerEndpoints[0].SubnetIds;
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toEqual(Object.fromEntries(subnets.map((subnetId) => [`source_endpoint_${key(subnetId)}`, {
      vpc_id: 'vpc-0123456789abcdef3',
      service_name: '${var.endpoint_service_name}',
      vpc_endpoint_type: 'GatewayLoadBalancer',
      subnet_ids: [subnetId],
      tags: { Name: `mirroring-gwlb-${SOURCE}-vpc-0123456789abcdef3-${subnetId}` },
    }])));
    expect(Object.keys(json.resource.aws_ec2_traffic_mirror_target)).toEqual(subnets.map((subnetId) => `source_mirror_target_${key(subnetId)}`));
    expect(resource(json, 'aws_ec2_traffic_mirror_target', 'source_mirror_target_subnet_0123456789abcde31').gateway_load_balancer_endpoint_id).toBe('${aws_vpc_endpoint.source_endpoint_subnet_0123456789abcde31.id}');
    expect(Object.keys(json.resource.aws_ec2_traffic_mirror_filter)).toEqual(['source_mirror_filter']);
    expect(resourceAddresses(json).filter((address) => /aws_ram_|aws_lb/.test(address))).toEqual([]);
    expect(json.output.mirror_target_ids.value).toEqual(Object.fromEntries(subnets.map((subnetId) => [subnetId, `\${aws_ec2_traffic_mirror_target.source_mirror_target_${key(subnetId)}.id}`])));
  });
});
