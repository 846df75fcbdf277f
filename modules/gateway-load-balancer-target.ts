import { Construct } from 'constructs';
import type { Ec2TrafficMirrorFilter } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter';
import { Ec2TrafficMirrorTarget } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-target';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcEndpointService } from '@cdktf/provider-aws/lib/vpc-endpoint-service';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { EndpointVpcPlan } from '../plan';
import { GENEVE_UDP_PORT, HEALTH_CHECK_PORT, resourceNames } from '../shared';
import { AGENT_HEALTH_CHECK, addMirrorFilter, type MirrorFilterProps } from './mirror-target';

export interface GatewayLoadBalancerTargetProps {
  /** Prefix of every resource name (the stack name). */
  readonly namePrefix: string;
  /** VPC of the subnets and of the agent fleet. */
  readonly vpcId: string;
  /** Subnets of the Gateway Load Balancer (one per Availability Zone of the agent fleet). */
  readonly subnetIds: readonly string[];
  /** GatewayLoadBalancerCidrs: where the load balancer's nodes are, the only senders the agent hosts admit. */
  readonly gatewayLoadBalancerCidrs: readonly string[];
  /** The collector account's source VPCs: an endpoint and a traffic mirror target in each subnet. */
  readonly endpoints: readonly EndpointVpcPlan[];
  /** IAM principals (account roots) allowed to create endpoints of the service. */
  readonly allowedPrincipals: readonly string[];
  /** See {@link MirrorFilterProps.tcpPorts}. */
  readonly tcpPorts?: MirrorFilterProps['tcpPorts'];
  /** See {@link MirrorFilterProps.rulesManagedAtRunTime}. */
  readonly rulesManagedAtRunTime?: boolean;
}

/**
 * The receiving end of MirrorTargetType GWLB_ENDPOINT: a Gateway Load Balancer in front of the agent fleet (GENEVE
 * target group, health-checked on the agents' health port), its endpoint service, and in each source subnet of the
 * collector's account an endpoint of that service with a traffic mirror target on it; plus the filter.
 */
export class GatewayLoadBalancerTarget extends Construct {
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  readonly listener: LbListener;
  readonly endpointService: VpcEndpointService;
  /** The endpoints and their traffic mirror targets, by subnet ID (in the plan's order). */
  readonly endpoints: GatewayLoadBalancerEndpoints;
  readonly mirrorFilter: Ec2TrafficMirrorFilter;

  constructor(scope: Construct, id: string, private readonly props: GatewayLoadBalancerTargetProps) {
    super(scope, id);
    const { namePrefix } = props;
    const names = resourceNames(namePrefix);

    this.loadBalancer = new Lb(this, 'gwlb', {
      name: names.gatewayLoadBalancer,
      loadBalancerType: 'gateway',
      subnets: [...props.subnetIds],
      // Each zone's node delivers to the agents of its zone: no cross-zone data charge, and an endpoint's packets stay in its zone.
      enableCrossZoneLoadBalancing: false,
    });

    this.targetGroup = new LbTargetGroup(this, 'geneve_target_group', {
      name: names.geneveTargetGroup,
      port: GENEVE_UDP_PORT,
      protocol: 'GENEVE',
      targetType: 'instance',
      vpcId: props.vpcId,
      deregistrationDelay: '30',
      // Both directions of a mirrored connection have the interface's and the endpoint's addresses as outer source and
      // destination but different outer UDP source ports: the default 5-tuple hash could split them over two agents.
      stickiness: { enabled: true, type: 'source_ip_dest_ip' },
      // An interface's mirrored traffic is one endless flow to the GWLB: without rebalancing, a failed or drained agent
      // would keep it until the flow idles out, which a mirrored interface never does.
      targetFailover: [{ onDeregistration: 'rebalance', onUnhealthy: 'rebalance' }],
      // GENEVE cannot be health-checked: the agent host answers HTTP on its own port.
      healthCheck: AGENT_HEALTH_CHECK,
    });

    // A Gateway Load Balancer's listener takes every packet: no port, no protocol.
    this.listener = new LbListener(this, 'geneve_listener', {
      loadBalancerArn: this.loadBalancer.arn,
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
    });

    this.endpointService = new VpcEndpointService(this, 'endpoint_service', {
      gatewayLoadBalancerArns: [this.loadBalancer.arn],
      // The allowed principals are the gate: their endpoints connect without a manual acceptance.
      acceptanceRequired: false,
      allowedPrincipals: [...props.allowedPrincipals],
      tags: { Name: namePrefix },
    });

    this.endpoints = addGatewayLoadBalancerEndpoints(this, { namePrefix, serviceName: this.endpointService.serviceName, endpoints: props.endpoints });
    this.mirrorFilter = addMirrorFilter(this, { namePrefix, tcpPorts: props.tcpPorts, rulesManagedAtRunTime: props.rulesManagedAtRunTime });
  }

  /**
   * Opens the agent fleet's security group to the load balancer's nodes: GENEVE and the health check from each
   * GatewayLoadBalancerCidrs block (a Gateway Load Balancer has no security group to reference).
   */
  admitFleet(fleetSecurityGroupId: string): void {
    const ports = [
      { name: 'geneve', ipProtocol: 'udp', port: GENEVE_UDP_PORT, description: 'GENEVE (mirrored traffic)' },
      { name: 'health', ipProtocol: 'tcp', port: HEALTH_CHECK_PORT, description: 'Agent health check' },
    ];
    for (const cidr of this.props.gatewayLoadBalancerCidrs) {
      for (const { name, ipProtocol, port, description } of ports) {
        new VpcSecurityGroupIngressRule(this, `fleet_${name}_from_${cidr.replace(/[./]/g, '_')}`, {
          securityGroupId: fleetSecurityGroupId,
          description: `${description} from the Gateway Load Balancer`,
          ipProtocol,
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      }
    }
  }
}

/** Gateway Load Balancer endpoints and the traffic mirror targets on them, by subnet ID. */
export interface GatewayLoadBalancerEndpoints {
  readonly endpoints: Readonly<Record<string, VpcEndpoint>>;
  readonly mirrorTargets: Readonly<Record<string, Ec2TrafficMirrorTarget>>;
}

export interface GatewayLoadBalancerEndpointsProps {
  /** Prefix of the Name tags and descriptions (the stack name). */
  readonly namePrefix: string;
  /** The endpoint service (the collector's: a Terraform reference, or a variable in a source account's stack). */
  readonly serviceName: string;
  /** The VPCs and their subnets: one endpoint and one traffic mirror target per subnet. */
  readonly endpoints: readonly EndpointVpcPlan[];
}

/**
 * Per subnet, directly in `scope`, a GatewayLoadBalancer endpoint of the service and a traffic mirror target on it:
 * `endpoint_<subnet id>` and `mirror_target_<subnet id>` (hyphens as underscores), so that adding or removing a VPC
 * or a subnet touches only its own resources. They carry the stack tag (the session Lambda finds its targets by it)
 * and `Name` = `<namePrefix>-<vpc id>-<subnet id>`.
 */
export function addGatewayLoadBalancerEndpoints(scope: Construct, props: GatewayLoadBalancerEndpointsProps): GatewayLoadBalancerEndpoints {
  const endpoints: Record<string, VpcEndpoint> = {};
  const mirrorTargets: Record<string, Ec2TrafficMirrorTarget> = {};
  for (const { vpcId, subnetIds } of props.endpoints) {
    for (const subnetId of subnetIds) {
      const key = subnetId.replace(/-/g, '_');
      const name = `${props.namePrefix}-${vpcId}-${subnetId}`;
      const endpoint = new VpcEndpoint(scope, `endpoint_${key}`, {
        vpcId,
        serviceName: props.serviceName,
        vpcEndpointType: 'GatewayLoadBalancer',
        subnetIds: [subnetId],
        tags: { Name: name },
      });
      endpoints[subnetId] = endpoint;
      mirrorTargets[subnetId] = new Ec2TrafficMirrorTarget(scope, `mirror_target_${key}`, {
        description: `Traceable ${props.namePrefix}: Gateway Load Balancer endpoint in ${subnetId} (${vpcId})`,
        gatewayLoadBalancerEndpointId: endpoint.id,
        tags: { Name: name },
      });
    }
  }
  return { endpoints, mirrorTargets };
}
