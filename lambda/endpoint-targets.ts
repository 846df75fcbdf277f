/**
 * Target selection `vpc-endpoint` (Gateway Load Balancer mode): the stack has one traffic mirror target per Gateway
 * Load Balancer endpoint, one endpoint per (VPC, zone). Each run finds them (describeEndpointTargets) and gives each
 * source interface the target of its own VPC (chooseEndpointTargets, pure): never another VPC's.
 */
import { paginateDescribeSubnets, paginateDescribeTrafficMirrorTargets, paginateDescribeVpcEndpoints } from '@aws-sdk/client-ec2';
import { chunk, collectPages, type AwsClients } from './aws';
import { STACK_TAG_KEY, EC2_FILTER_VALUES_PER_CALL, EC2_PAGE_SIZE } from '../shared';
import type { CandidateInterface } from './types';


/** One of the stack's traffic mirror targets on a Gateway Load Balancer endpoint, with what its endpoint is. */
export interface EndpointTarget {
  targetId: string;
  endpointId: string;
  /** Undefined when DescribeVpcEndpoints did not return the endpoint (deleted). */
  vpcId?: string;
  /** The endpoint's state as EC2 reports it (`available`, `pendingAcceptance`, `rejected` ...); `missing` when not found. */
  state: string;
  /** Availability Zones of the endpoint's subnets (a GatewayLoadBalancer endpoint has one). */
  zones: string[];
}

/** Only an endpoint in this state carries traffic. EC2 answers lowercase; the SDK's enum is capitalized. */
export function isAvailable(target: Pick<EndpointTarget, 'state'>): boolean {
  return target.state.toLowerCase() === 'available';
}

/**
 * The stack's targets on Gateway Load Balancer endpoints: the targets carrying `traceable:stack` = stackName (the
 * provider's default tags) with a GatewayLoadBalancerEndpointId, their endpoints (VpcId, SubnetIds, State) and those
 * subnets' zones. DescribeTrafficMirrorTargets documents no tag filter, so the tag is checked here; the endpoints and
 * subnets are asked for 200 ids per call, 1000 per page.
 */
export async function describeEndpointTargets(clients: AwsClients, stackName: string): Promise<EndpointTarget[]> {
  const targetPages = await collectPages(paginateDescribeTrafficMirrorTargets({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, {}));
  const targets = targetPages
    .flatMap((page) => page.TrafficMirrorTargets ?? [])
    .filter((target) => target.TrafficMirrorTargetId && target.GatewayLoadBalancerEndpointId)
    .filter((target) => (target.Tags ?? []).some((tag) => tag.Key === STACK_TAG_KEY && tag.Value === stackName));
  const endpointIds = [...new Set(targets.map((target) => target.GatewayLoadBalancerEndpointId!))].sort();

  const endpoints = new Map<string, { vpcId?: string; state: string; subnetIds: string[] }>();
  for (const batch of chunk(endpointIds, EC2_FILTER_VALUES_PER_CALL)) {
    const pages = await collectPages(paginateDescribeVpcEndpoints({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: [{ Name: 'vpc-endpoint-id', Values: batch }] }));
    for (const endpoint of pages.flatMap((page) => page.VpcEndpoints ?? [])) {
      if (endpoint.VpcEndpointId) endpoints.set(endpoint.VpcEndpointId, { vpcId: endpoint.VpcId, state: String(endpoint.State ?? 'unknown'), subnetIds: endpoint.SubnetIds ?? [] });
    }
  }

  const subnetIds = [...new Set([...endpoints.values()].flatMap((endpoint) => endpoint.subnetIds))].sort();
  const zoneOfSubnet = new Map<string, string>();
  for (const batch of chunk(subnetIds, EC2_FILTER_VALUES_PER_CALL)) {
    const pages = await collectPages(paginateDescribeSubnets({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: [{ Name: 'subnet-id', Values: batch }] }));
    for (const subnet of pages.flatMap((page) => page.Subnets ?? [])) {
      if (subnet.SubnetId && subnet.AvailabilityZone) zoneOfSubnet.set(subnet.SubnetId, subnet.AvailabilityZone);
    }
  }

  return targets
    .map((target): EndpointTarget => {
      const endpoint = endpoints.get(target.GatewayLoadBalancerEndpointId!);
      const zones = (endpoint?.subnetIds ?? []).flatMap((subnetId) => (zoneOfSubnet.has(subnetId) ? [zoneOfSubnet.get(subnetId)!] : []));
      return {
        targetId: target.TrafficMirrorTargetId!,
        endpointId: target.GatewayLoadBalancerEndpointId!,
        ...(endpoint?.vpcId ? { vpcId: endpoint.vpcId } : {}),
        state: endpoint?.state ?? 'missing',
        zones: [...new Set(zones)].sort(),
      };
    })
    .sort((a, b) => compare(a.targetId, b.targetId));
}

/** A VPC of source interfaces with no available endpoint target, and the states of the endpoints it does have. */
export interface VpcWithoutTarget {
  /** `unknown` for interfaces whose VPC EC2 did not report. */
  vpcId: string;
  interfaces: number;
  /** `endpointId state` of each of the stack's endpoints in that VPC that is not available (empty: none at all). */
  endpoints: string[];
}

export interface EndpointTargetChoice {
  /** Every target of the stack (available or not): the only targets whose sessions are ours to judge. */
  ourTargetIds: ReadonlySet<string>;
  /** The chosen target per candidate interface that has one. */
  targetOf: ReadonlyMap<string, string>;
  /** Candidate interfaces without a target, by VPC (sorted). */
  vpcsWithoutTarget: VpcWithoutTarget[];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Each candidate gets the target of an available endpoint in its VPC: in its own zone when there is one, else the
 * first of that VPC by zone and target id (deterministic, so runs agree and nothing churns). An interface whose VPC
 * has none gets none: it is reported, never mirrored to another VPC's target.
 */
export function chooseEndpointTargets(candidates: readonly CandidateInterface[], targets: readonly EndpointTarget[]): EndpointTargetChoice {
  const availableByVpc = new Map<string, EndpointTarget[]>();
  for (const target of targets) {
    if (!target.vpcId || !isAvailable(target)) continue;
    availableByVpc.set(target.vpcId, [...(availableByVpc.get(target.vpcId) ?? []), target]);
  }
  for (const list of availableByVpc.values()) list.sort((a, b) => compare(a.zones[0] ?? '', b.zones[0] ?? '') || compare(a.targetId, b.targetId));

  const targetOf = new Map<string, string>();
  const without = new Map<string, number>();
  for (const candidate of candidates) {
    const inVpc = candidate.vpcId ? availableByVpc.get(candidate.vpcId) : undefined;
    if (!inVpc) {
      const vpcId = candidate.vpcId ?? 'unknown';
      without.set(vpcId, (without.get(vpcId) ?? 0) + 1);
      continue;
    }
    const sameZone = candidate.availabilityZone ? inVpc.find((target) => target.zones.includes(candidate.availabilityZone!)) : undefined;
    targetOf.set(candidate.interfaceId, (sameZone ?? inVpc[0]).targetId);
  }
  const vpcsWithoutTarget = [...without].sort(([a], [b]) => compare(a, b)).map(([vpcId, interfaces]) => ({
    vpcId,
    interfaces,
    endpoints: targets.filter((target) => target.vpcId === vpcId).map((target) => `${target.endpointId} ${target.state}`),
  }));
  return { ourTargetIds: new Set(targets.map((target) => target.targetId)), targetOf, vpcsWithoutTarget };
}

/** The one log line of a run with interfaces that have no target: which VPCs, how many interfaces, and the endpoints' states. */
export function withoutTargetLogLine(stackName: string, vpcs: readonly VpcWithoutTarget[]): string {
  const interfaces = vpcs.reduce((sum, vpc) => sum + vpc.interfaces, 0);
  const described = vpcs.map((vpc) => `${vpc.vpcId} (${vpc.interfaces} interface${vpc.interfaces === 1 ? '' : 's'}; ${vpc.endpoints.length > 0 ? `endpoints ${vpc.endpoints.join(', ')}` : 'no endpoint'})`);
  return JSON.stringify({
    message: `${interfaces} source interface${interfaces === 1 ? '' : 's'} not mirrored: no available Gateway Load Balancer endpoint of ${stackName} in VPC ${described.join(', ')}`,
    level: 'WARN',
    vpcsWithoutTarget: vpcs,
  });
}
