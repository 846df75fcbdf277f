/**
 * MirrorTargetType GWLB_ENDPOINT: the doctor's checks of the Gateway Load Balancer, its endpoint service, and the
 * endpoints (each with a traffic mirror target on it) in the configured subnets. The endpoint check is the same in the
 * collector's account and, toward the collector's service name, in a source account (source-accounts.ts).
 * Zones are compared by zone ID: zone names map to different zones in different accounts.
 */
import {
  paginateDescribeSubnets, paginateDescribeTrafficMirrorTargets, paginateDescribeVpcEndpoints, paginateDescribeVpcEndpointServiceConfigurations,
  paginateDescribeVpcEndpointServicePermissions, type EC2Client, type ServiceConfiguration, type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, LoadBalancerNotFoundException, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { chunk, collectPages } from '../../lambda/aws';
import type { MirroringConfig } from '../../config';
import { planDeployment, type EndpointVpcPlan } from '../../plan';
import { EC2_FILTER_VALUES_PER_CALL } from '../../shared';
import { couldNotCheck, plural, type CheckResult } from './checks';

export const GWLB_TITLES = { loadBalancer: 'Gateway Load Balancer', service: 'Endpoint service', endpoints: 'Mirror target endpoints' } as const;

/** Where a subnet is: its VPC and zone (name and ID). */
interface SubnetPlace {
  vpcId: string;
  zoneName: string;
  zoneId: string;
}

/** The subnets among `subnetIds` that exist in the account and region, by ID (a subnet-id filter: a missing one is no error). */
async function subnetPlaces(ec2: EC2Client, subnetIds: readonly string[]): Promise<Map<string, SubnetPlace>> {
  const places = new Map<string, SubnetPlace>();
  for (const Values of chunk(subnetIds, EC2_FILTER_VALUES_PER_CALL)) {
    for (const page of await collectPages(paginateDescribeSubnets({ client: ec2 }, { Filters: [{ Name: 'subnet-id', Values }] }))) {
      for (const subnet of page.Subnets ?? []) {
        if (subnet.SubnetId) places.set(subnet.SubnetId, { vpcId: subnet.VpcId ?? '?', zoneName: subnet.AvailabilityZone ?? '?', zoneId: subnet.AvailabilityZoneId ?? '?' });
      }
    }
  }
  return places;
}

export interface GatewayLoadBalancerFound {
  arn: string;
  name: string;
  /** The zone IDs of its subnets: the zones it serves. */
  zoneIds: string[];
}

/** The stack's GWLB: exists, active, in which zones. `found` when it exists (the next checks need its ARN and zones). */
async function checkGatewayLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client, ec2: EC2Client, config: MirroringConfig,
): Promise<{ check: CheckResult; found?: GatewayLoadBalancerFound }> {
  const title = GWLB_TITLES.loadBalancer;
  const name = planDeployment(config).names.gatewayLoadBalancer;
  try {
    let loadBalancer;
    try {
      loadBalancer = (await elbv2.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0];
    } catch (error) {
      if (!(error instanceof LoadBalancerNotFoundException)) throw error;
    }
    if (!loadBalancer?.LoadBalancerArn) return { check: { title, status: 'fail', summary: `${name} not found in ${config.Region} (is the stack applied?)`, details: [] } };
    const subnetIds = (loadBalancer.AvailabilityZones ?? []).flatMap((zone) => (zone.SubnetId ? [zone.SubnetId] : []));
    const places = await subnetPlaces(ec2, subnetIds);
    const zoneIds = [...new Set(subnetIds.map((id) => places.get(id)?.zoneId ?? '?'))].sort();
    const found = { arn: loadBalancer.LoadBalancerArn, name, zoneIds };
    const state = loadBalancer.State?.Code ?? 'unknown';
    const details = [loadBalancer.LoadBalancerArn, ...subnetIds.map((id) => `${id}: ${places.get(id)?.zoneName ?? '?'} (${places.get(id)?.zoneId ?? '?'})`)];
    if (state !== 'active') {
      const reason = loadBalancer.State?.Reason ? ` (${loadBalancer.State.Reason})` : '';
      return { check: { title, status: 'fail', summary: `${name} is ${state}${reason}, not active: it delivers nothing`, details }, found };
    }
    return { check: { title, status: 'ok', summary: `${name} active in ${plural(zoneIds.length, 'zone')} (${zoneIds.join(', ')})`, details }, found };
  } catch (error) {
    return { check: couldNotCheck(title, error) };
  }
}

export interface EndpointServiceFound {
  serviceId: string;
  serviceName: string;
}

/** The endpoint service of the GWLB: Available, no acceptance, and exactly the planned allowed principals. */
async function checkEndpointService(
  ec2: EC2Client, config: MirroringConfig, loadBalancer: GatewayLoadBalancerFound | undefined,
): Promise<{ check: CheckResult; found?: EndpointServiceFound }> {
  const title = GWLB_TITLES.service;
  if (!loadBalancer) return { check: { title, status: 'skip', summary: 'no Gateway Load Balancer to look for its service', details: [] } };
  const plan = planDeployment(config).mirrorTarget;
  const planned = plan.kind === 'gwlb-endpoints' ? plan.allowedPrincipals : [];
  try {
    const pages = await collectPages(paginateDescribeVpcEndpointServiceConfigurations({ client: ec2 }, {}));
    const service: ServiceConfiguration | undefined = pages.flatMap((page) => page.ServiceConfigurations ?? [])
      .find((candidate) => (candidate.GatewayLoadBalancerArns ?? []).includes(loadBalancer.arn));
    if (!service?.ServiceId || !service.ServiceName) {
      return { check: { title, status: 'fail', summary: `no endpoint service of ${loadBalancer.name}: no endpoint can connect (is the stack applied?)`, details: [] } };
    }
    const found = { serviceId: service.ServiceId, serviceName: service.ServiceName };
    const permissions = await collectPages(paginateDescribeVpcEndpointServicePermissions({ client: ec2 }, { ServiceId: service.ServiceId }));
    const allowed = new Set(permissions.flatMap((page) => page.AllowedPrincipals ?? []).flatMap((principal) => (principal.Principal ? [principal.Principal] : [])));
    const modify = `aws ec2 modify-vpc-endpoint-service-permissions --region ${config.Region} --service-id ${service.ServiceId}`;
    const problems: string[] = [];
    const details = [service.ServiceName];
    if (service.ServiceState !== 'Available') problems.push(`state ${service.ServiceState ?? 'unknown'}, not Available`);
    if (service.AcceptanceRequired) {
      problems.push('acceptance required');
      details.push(`acceptance required: every new endpoint waits in pendingAcceptance until accepted; the stack sets it off (apply it again), or: aws ec2 modify-vpc-endpoint-service-configuration --region ${config.Region} --service-id ${service.ServiceId} --no-acceptance-required`);
    }
    const missing = planned.filter((principal) => !allowed.has(principal));
    const extra = [...allowed].filter((principal) => !planned.includes(principal)).sort();
    for (const principal of missing) details.push(`missing allowed principal ${principal}: that account cannot connect its endpoints; apply the stack, or: ${modify} --add-allowed-principals ${principal}`);
    for (const principal of extra) details.push(`extra allowed principal ${principal}: neither AccountId nor a SourceAccounts account, yet it may connect endpoints and send traffic to the fleet; remove it: ${modify} --remove-allowed-principals ${principal}`);
    if (missing.length > 0) problems.push(`${plural(missing.length, 'allowed principal')} missing`);
    if (extra.length > 0) problems.push(`${plural(extra.length, 'allowed principal')} not configured`);
    if (problems.length > 0) return { check: { title, status: 'fail', summary: `${service.ServiceId}: ${problems.join(', ')}`, details }, found };
    return {
      check: { title, status: 'ok', summary: `${service.ServiceId} Available, acceptance not required, allowed principals as configured (${planned.length})`, details: [...details, ...planned.map((principal) => `allowed: ${principal}`)] },
      found,
    };
  } catch (error) {
    return { check: couldNotCheck(title, error) };
  }
}

/** What the endpoint check looks for in one account. */
export interface EndpointsToCheck {
  title: string;
  region: string;
  vpcs: readonly EndpointVpcPlan[];
  serviceName: string;
  /** For the accept command of a pendingAcceptance endpoint. */
  serviceId?: string;
  /** The zone IDs the GWLB serves; undefined when they cannot be known (then zones are not compared). */
  servedZoneIds?: readonly string[];
  /** Who serves them, for the line: the GWLB's name or "the endpoint service". */
  servedBy: string;
}

export interface EndpointsResult {
  check: CheckResult;
  /** The traffic mirror targets on the configured subnets' endpoints (whatever their state). */
  targetIds: string[];
}

/** Why an endpoint that is not available does not work, and what to do (states as DescribeVpcEndpoints spells them). */
function stateProblem(endpoint: VpcEndpoint, input: EndpointsToCheck): string {
  const id = endpoint.VpcEndpointId ?? '?';
  const state = endpoint.State ?? 'unknown';
  const error = endpoint.LastError?.Message ?? endpoint.FailureReason;
  switch (state.toLowerCase()) {
    case 'pendingacceptance':
      return `${id} ${state}: service not accepted; accept it: aws ec2 accept-vpc-endpoint-connections --region ${input.region} --service-id ${input.serviceId ?? '<the service ID>'} --vpc-endpoint-ids ${id} (in the collector's account)`;
    case 'rejected':
      return `${id} ${state}: the service's owner rejected it; delete the endpoint (aws ec2 delete-vpc-endpoints --region ${input.region} --vpc-endpoint-ids ${id}) and apply the stack again`;
    case 'failed':
      return `${id} ${state}${error ? ` (${error})` : ''}; delete the endpoint (aws ec2 delete-vpc-endpoints --region ${input.region} --vpc-endpoint-ids ${id}) and apply the stack again`;
    default:
      return `${id} ${state}, not available${error ? ` (${error})` : ''}`;
  }
}

/** What the account holds: the service's endpoints, the mirror target on each endpoint, the configured subnets' places. */
interface AccountView {
  endpoints: VpcEndpoint[];
  targetOf: Map<string, string>;
  places: Map<string, SubnetPlace>;
}

/** One configured subnet: its line (ok or its problems), the endpoint accounted for, and the target on it. */
function subnetFinding(input: EndpointsToCheck, view: AccountView, vpcId: string, subnetId: string): { line: string; ok: boolean; endpoint?: VpcEndpoint; targetId?: string } {
  const place = view.places.get(subnetId);
  const where = `${vpcId} ${subnetId}${place ? ` (${place.zoneId})` : ''}`;
  const found = view.endpoints.filter((endpoint) => endpoint.VpcId === vpcId && (endpoint.SubnetIds ?? []).includes(subnetId));
  const endpoint = found.find((candidate) => isAvailable(candidate)) ?? found[0];
  const targetId = endpoint?.VpcEndpointId ? view.targetOf.get(endpoint.VpcEndpointId) : undefined;
  const problems: string[] = [];
  if (!place) problems.push(`subnet not found in ${input.region}`);
  else if (place.vpcId !== vpcId) problems.push(`the subnet is in ${place.vpcId}, not ${vpcId}`);
  if (!endpoint) problems.push(`no endpoint of ${input.serviceName} in this subnet (is the stack applied?)`);
  else {
    if (!isAvailable(endpoint)) problems.push(stateProblem(endpoint, input));
    if (!targetId) problems.push(`no traffic mirror target on ${endpoint.VpcEndpointId}: sessions in this VPC have nothing to target (apply the stack)`);
  }
  // AWS creates a GWLB endpoint only in a zone the load balancer supports (PrivateLink guide): this also explains a missing one.
  if (place && input.servedZoneIds && !input.servedZoneIds.includes(place.zoneId)) {
    problems.push(`zone ${place.zoneId} not served by ${input.servedBy} (its zones: ${input.servedZoneIds.join(', ')}): give the collector a subnet in ${place.zoneId} or use a subnet of a served zone`);
  }
  const line = problems.length > 0 ? `${where}: ${problems.join('; ')}` : `${where}: ${endpoint!.VpcEndpointId} available, target ${targetId}`;
  return { line, ok: problems.length === 0, endpoint, targetId };
}

/** DescribeVpcEndpoints spells states in lower camel case (`available`), the SDK's enum capitalized: compare either. */
const isAvailable = (endpoint: VpcEndpoint) => endpoint.State?.toLowerCase() === 'available';

/** Per configured VPC and subnet: one endpoint of the service there, available, in a zone the GWLB serves, with a mirror target on it. */
export async function checkEndpoints(ec2: EC2Client, input: EndpointsToCheck): Promise<EndpointsResult> {
  const { title } = input;
  try {
    const endpointPages = await collectPages(paginateDescribeVpcEndpoints({ client: ec2 }, { Filters: [{ Name: 'service-name', Values: [input.serviceName] }] }));
    const targetPages = await collectPages(paginateDescribeTrafficMirrorTargets({ client: ec2 }, {}));
    const view: AccountView = {
      endpoints: endpointPages.flatMap((page) => page.VpcEndpoints ?? []),
      targetOf: new Map(targetPages.flatMap((page) => page.TrafficMirrorTargets ?? [])
        .flatMap((target) => (target.GatewayLoadBalancerEndpointId && target.TrafficMirrorTargetId ? [[target.GatewayLoadBalancerEndpointId, target.TrafficMirrorTargetId] as const] : []))),
      places: await subnetPlaces(ec2, input.vpcs.flatMap((vpc) => vpc.subnetIds)),
    };
    const findings = input.vpcs.flatMap((vpc) => vpc.subnetIds.map((subnetId) => subnetFinding(input, view, vpc.vpcId, subnetId)));
    const details = findings.map((finding) => finding.line);
    const targetIds = findings.flatMap((finding) => (finding.targetId ? [finding.targetId] : []));
    // Endpoints of the service that no configured subnet accounts for: left behind, or made by hand.
    const accounted = new Set(findings.map((finding) => finding.endpoint));
    const stray = view.endpoints.filter((endpoint) => !accounted.has(endpoint));
    for (const endpoint of stray) {
      details.push(`${endpoint.VpcId ?? '?'} ${(endpoint.SubnetIds ?? []).join(', ')}: ${endpoint.VpcEndpointId ?? '?'} ${endpoint.State ?? 'unknown'}, not in the configured subnets (each endpoint is billed by the hour; delete it when it is not wanted)`);
    }
    if (!input.servedZoneIds) details.push(`zones not compared: the description of ${input.serviceName} carries no zone IDs`);
    const broken = findings.filter((finding) => !finding.ok).length;
    if (broken > 0) return { check: { title, status: 'fail', summary: `${broken} of ${plural(findings.length, 'configured subnet')} without a working mirror target endpoint`, details }, targetIds };
    const summary = `${plural(findings.length, 'subnet')} in ${plural(input.vpcs.length, 'VPC')}: each an available endpoint with a traffic mirror target`;
    return {
      check: { title, status: stray.length > 0 ? 'warn' : 'ok', summary: stray.length > 0 ? `${summary}; ${plural(stray.length, 'endpoint')} of the service outside them` : summary, details },
      targetIds,
    };
  } catch (error) {
    return { check: couldNotCheck(title, error), targetIds: [] };
  }
}

/** The collector's three GWLB checks, in report order, and the targets its endpoints carry. */
export async function checkGatewayLoadBalancerMode(
  clients: { ec2: EC2Client; elbv2: ElasticLoadBalancingV2Client }, config: MirroringConfig,
): Promise<{ checks: CheckResult[]; targetIds: string[] }> {
  const plan = planDeployment(config).mirrorTarget;
  if (plan.kind !== 'gwlb-endpoints') return { checks: [], targetIds: [] };
  const loadBalancer = await checkGatewayLoadBalancer(clients.elbv2, clients.ec2, config);
  const service = await checkEndpointService(clients.ec2, config, loadBalancer.found);
  const title = GWLB_TITLES.endpoints;
  if (plan.endpoints.length === 0) {
    return { checks: [loadBalancer.check, service.check, { title, status: 'skip', summary: 'no GatewayLoadBalancerEndpoints in the collector\'s account (source accounts: npm run doctor:source)', details: [] }], targetIds: [] };
  }
  if (!service.found) return { checks: [loadBalancer.check, service.check, { title, status: 'skip', summary: 'no endpoint service to look for endpoints of', details: [] }], targetIds: [] };
  const endpoints = await checkEndpoints(clients.ec2, {
    title, region: config.Region, vpcs: plan.endpoints, serviceName: service.found.serviceName, serviceId: service.found.serviceId,
    servedZoneIds: loadBalancer.found?.zoneIds, servedBy: loadBalancer.found?.name ?? 'the Gateway Load Balancer',
  });
  return { checks: [loadBalancer.check, service.check, endpoints.check], targetIds: endpoints.targetIds };
}
