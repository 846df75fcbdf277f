/**
 * What the mirrored sources send to (MirrorTargetType): the collector's NLB, or a Gateway Load Balancer endpoint in
 * each source VPC (PrivateLink toward the collector's Gateway Load Balancer, which hands the packets to the agent hosts
 * in GENEVE).
 */
export const MIRROR_TARGET_TYPES = ['NLB', 'GWLB_ENDPOINT'] as const;
export type MirrorTargetType = (typeof MIRROR_TARGET_TYPES)[number];

/** One source VPC of GWLB_ENDPOINT mode: an endpoint (and a traffic mirror target on it) in each of its subnets. */
export interface EndpointVpc {
  readonly VpcId: string;
  /** One subnet per Availability Zone where the VPC's sources run. */
  readonly SubnetIds: readonly string[];
}

/** Subnets per endpoint VPC: one per Availability Zone, and no region has more than 6 zones. */
export const MAX_ENDPOINT_SUBNETS_PER_VPC = 6;

/**
 * Endpoint VPCs per stack (the collector's, or one source account's): each subnet is an endpoint and a traffic mirror
 * target, so 200 VPCs are up to 2,400 resources in one plan, past which a plan is no longer reviewable; split the VPCs
 * over several stacks beyond it.
 */
export const MAX_ENDPOINT_VPCS = 200;

/** GatewayLoadBalancerCidrs: each is named in the hosts' capture filter and takes two security group rules (GENEVE, health check). */
export const MAX_GATEWAY_LOAD_BALANCER_CIDRS = 16;
