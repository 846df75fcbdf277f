import { Construct } from 'constructs';
import { Ec2TrafficMirrorFilter } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter';
import { Ec2TrafficMirrorFilterRule } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter-rule';
import { Ec2TrafficMirrorTarget } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-target';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { HEALTH_CHECK_PATH, HEALTH_CHECK_PORT, VXLAN_UDP_PORT, resourceNames } from '../shared';

export interface MirrorTargetProps {
  /** Prefix of every resource name (the stack name; at most 24 characters so NLB names fit in 32). */
  readonly namePrefix: string;
  /** VPC of the subnets. */
  readonly vpcId: string;
  /** Subnets of the internal network load balancer (one per Availability Zone). */
  readonly subnetIds: readonly string[];
  /** Networks allowed to send mirrored (VXLAN) traffic to the load balancer. */
  readonly sourceCidrs: readonly string[];
  /**
   * What the target group registers: EC2 instances (autoscaling group) or IP addresses.
   * @default 'instance'
   */
  readonly targetType?: 'instance' | 'ip';
  /**
   * TCP ports to mirror (MirrorTcpPorts): one accept rule per range and direction, to the port inbound and from it
   * outbound (at most 10 ranges: AWS's limit per direction).
   * @default [] (all TCP)
   */
  readonly tcpPorts?: readonly { from: number; to: number }[];
  /**
   * The session Lambda owns the filter's rules (MirrorTcpPortsFromTargets): no rule is created here.
   * @default false
   */
  readonly rulesManagedAtRunTime?: boolean;
  /**
   * SameZoneDelivery: cross-zone load balancing off on the NLB and on the target group (whose setting decides), so
   * each zone's NLB node sends only to the agents in its zone.
   * @default false (any node to any agent)
   */
  readonly sameZoneDelivery?: boolean;
}

/** The target groups' health check (NLB and GWLB alike): the agent host's own HTTP endpoint, 200 while both agents run. */
export const AGENT_HEALTH_CHECK = {
  protocol: 'HTTP',
  port: String(HEALTH_CHECK_PORT),
  path: HEALTH_CHECK_PATH,
  matcher: '200',
  interval: 10,
  healthyThreshold: 3,
  unhealthyThreshold: 3,
} as const;

/**
 * The receiving end of traffic mirroring: an internal NLB with a UDP 4789 (VXLAN) listener, registered as a
 * traffic mirror target, plus the filter that selects what is mirrored (TCP both ways, not Amazon DNS).
 */
export class MirrorTarget extends Construct {
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  /** The UDP 4789 listener; a fleet that registers itself (ECS) must wait for it. */
  readonly listener: LbListener;
  readonly mirrorTarget: Ec2TrafficMirrorTarget;
  readonly mirrorFilter: Ec2TrafficMirrorFilter;
  /** Security group of the NLB; the fleet admits traffic from it (works with client IP preservation). */
  readonly loadBalancerSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: MirrorTargetProps) {
    super(scope, id);
    const { namePrefix } = props;
    const names = resourceNames(namePrefix);

    this.loadBalancerSecurityGroup = new SecurityGroup(this, 'nlb_security_group', {
      name: names.loadBalancerSecurityGroup,
      description: 'Traceable mirror target NLB: VXLAN from the mirrored sources',
      vpcId: props.vpcId,
      tags: { Name: names.loadBalancerSecurityGroup },
    });
    props.sourceCidrs.forEach((cidr, index) => {
      new VpcSecurityGroupIngressRule(this, `nlb_vxlan_from_source_${index}`, {
        securityGroupId: this.loadBalancerSecurityGroup.id,
        description: 'VXLAN (mirrored traffic) from the mirrored sources',
        ipProtocol: 'udp',
        fromPort: VXLAN_UDP_PORT,
        toPort: VXLAN_UDP_PORT,
        cidrIpv4: cidr,
      });
    });

    this.loadBalancer = new Lb(this, 'nlb', {
      name: names.loadBalancer,
      loadBalancerType: 'network',
      internal: true,
      subnets: [...props.subnetIds],
      securityGroups: [this.loadBalancerSecurityGroup.id],
      // Sources in every zone must reach agents in any zone, unless each zone has its own agents (SameZoneDelivery).
      enableCrossZoneLoadBalancing: !props.sameZoneDelivery,
    });

    this.targetGroup = new LbTargetGroup(this, 'vxlan_target_group', {
      name: names.targetGroup,
      port: VXLAN_UDP_PORT,
      protocol: 'UDP',
      targetType: props.targetType ?? 'instance',
      vpcId: props.vpcId,
      deregistrationDelay: '30',
      ...(props.sameZoneDelivery ? { loadBalancingCrossZoneEnabled: 'false' } : {}),
      // Flow affinity: both directions of a mirrored connection arrive with the mirrored interface's address as outer
      // source IP but different outer UDP source ports, so the default 5-tuple hash can split them over two agents.
      // Source-IP stickiness sends every packet of one interface to the same healthy agent (see README).
      stickiness: { enabled: true, type: 'source_ip' },
      // UDP cannot be health-checked: the agent host answers HTTP on its own port.
      healthCheck: AGENT_HEALTH_CHECK,
    });

    this.listener = new LbListener(this, 'vxlan_listener', {
      loadBalancerArn: this.loadBalancer.arn,
      port: VXLAN_UDP_PORT,
      protocol: 'UDP',
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
    });

    this.mirrorTarget = new Ec2TrafficMirrorTarget(this, 'mirror_target', {
      description: `Traceable ${namePrefix}: agent fleet behind ${names.loadBalancer}`,
      networkLoadBalancerArn: this.loadBalancer.arn,
      tags: { Name: namePrefix },
    });

    this.mirrorFilter = addMirrorFilter(this, { namePrefix, tcpPorts: props.tcpPorts, rulesManagedAtRunTime: props.rulesManagedAtRunTime });
  }

  /**
   * Opens the path from this NLB to an agent fleet's security group: VXLAN and the health check, both ways
   * of the security-group pair (the NLB's egress, the fleet's ingress referencing the NLB's group).
   */
  admitFleet(fleetSecurityGroupId: string): void {
    const ports = [
      { name: 'vxlan', ipProtocol: 'udp', port: VXLAN_UDP_PORT, description: 'VXLAN (mirrored traffic)' },
      { name: 'health', ipProtocol: 'tcp', port: HEALTH_CHECK_PORT, description: 'Agent health check' },
    ];
    for (const { name, ipProtocol, port, description } of ports) {
      new VpcSecurityGroupEgressRule(this, `nlb_${name}_to_fleet`, {
        securityGroupId: this.loadBalancerSecurityGroup.id,
        description: `${description} to the agent fleet`,
        ipProtocol,
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: fleetSecurityGroupId,
      });
      new VpcSecurityGroupIngressRule(this, `fleet_${name}_from_nlb`, {
        securityGroupId: fleetSecurityGroupId,
        description: `${description} from the mirror target NLB`,
        ipProtocol,
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: this.loadBalancerSecurityGroup.id,
      });
    }
  }
}

/** What a traffic mirror filter selects: the rules every filter of a deployment shares (the collector's and each source account's). */
export interface MirrorFilterProps {
  /** Prefix of the filter's description and Name tag. */
  readonly namePrefix: string;
  /** See {@link MirrorTargetProps.tcpPorts}. @default [] (all TCP) */
  readonly tcpPorts?: readonly { from: number; to: number }[];
  /** See {@link MirrorTargetProps.rulesManagedAtRunTime}. @default false */
  readonly rulesManagedAtRunTime?: boolean;
}

/**
 * The traffic mirror filter and its accept rules, created directly in `scope` (their Terraform addresses are the
 * scope's: `mirror_mirror_filter`, `mirror_accept_tcp_ingress` ...). A filter cannot be shared through RAM, so each
 * source account gets one with the same rules.
 */
export function addMirrorFilter(scope: Construct, props: MirrorFilterProps): Ec2TrafficMirrorFilter {
  const { namePrefix } = props;
  const filter = new Ec2TrafficMirrorFilter(scope, 'mirror_filter', {
    description: `Traceable ${namePrefix}: TCP (HTTP, gRPC-web) both ways, no Amazon DNS`,
    networkServices: ['amazon-dns'],
    tags: { Name: namePrefix },
  });
  const tcpPorts = props.tcpPorts ?? [];
  if (tcpPorts.length > 10) throw new Error(`MirrorFilter: at most 10 TCP port ranges (AWS's filter rules per direction), got ${tcpPorts.length}`);
  // Port-narrowed: the sources' API ports only, so database, cache and SSH traffic is neither mirrored nor billed.
  tcpPorts.forEach(({ from, to }, index) => {
    const ports = from === to ? `${from}` : `${from}-${to}`;
    for (const direction of ['ingress', 'egress'] as const) {
      new Ec2TrafficMirrorFilterRule(scope, `accept_tcp_port_${index}_${direction}`, {
        trafficMirrorFilterId: filter.id,
        description: direction === 'ingress' ? `Accept TCP to port ${ports} (requests)` : `Accept TCP from port ${ports} (responses)`,
        trafficDirection: direction,
        ruleNumber: 100 + index,
        ruleAction: 'accept',
        protocol: 6,
        sourceCidrBlock: '0.0.0.0/0',
        destinationCidrBlock: '0.0.0.0/0',
        ...(direction === 'ingress' ? { destinationPortRange: { fromPort: from, toPort: to } } : { sourcePortRange: { fromPort: from, toPort: to } }),
      });
    }
  });
  for (const direction of tcpPorts.length > 0 || props.rulesManagedAtRunTime ? [] : (['ingress', 'egress'] as const)) {
    new Ec2TrafficMirrorFilterRule(scope, `accept_tcp_${direction}`, {
      trafficMirrorFilterId: filter.id,
      description: `Accept all TCP (${direction})`,
      trafficDirection: direction,
      ruleNumber: 100,
      ruleAction: 'accept',
      protocol: 6,
      sourceCidrBlock: '0.0.0.0/0',
      destinationCidrBlock: '0.0.0.0/0',
    });
  }
  return filter;
}
