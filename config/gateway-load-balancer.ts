/**
 * MirrorTargetType GWLB_ENDPOINT (issue 22): a Gateway Load Balancer endpoint in each source VPC instead of the
 * collector's NLB. The endpoint VPCs (the collector's GatewayLoadBalancerEndpoints and each source account's) are
 * checked entry by entry, then the rules between the mode and the other keys; problems name `Key[i].Inner`.
 */
import { MAX_ENDPOINT_SUBNETS_PER_VPC, MAX_ENDPOINT_VPCS, type EndpointVpc } from '../shared';
import { inWords } from './mirror-source-rules';
import { CONFIG_FIELDS, ENDPOINT_VPC_KEYS, SUBNET_ID, VPC_ID, fromJsonObjectString, type MirroringConfig } from './schema';
import { nameOf, own, show } from './show';

/** Keys that mean something in GWLB_ENDPOINT mode only. */
const GWLB_ONLY_KEYS = ['GatewayLoadBalancerEndpoints', 'GatewayLoadBalancerCidrs', 'SharedEndpointServiceName'] as const;

/**
 * The endpoint VPCs written at `name` (a list of `{VpcId, SubnetIds}`), validated; undefined (with `problems`) when
 * any entry is wrong. `seen` collects the VPCs and subnets across every list of the configuration: each once.
 */
export function checkEndpointVpcs(name: string, value: unknown, seen: Map<string, string>, problems: string[]): EndpointVpc[] | undefined {
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value)) {
    problems.push(`${name}: got ${show(value)}; expected ${CONFIG_FIELDS.GatewayLoadBalancerEndpoints.allowed}`);
    return undefined;
  }
  if (value.length > MAX_ENDPOINT_VPCS) {
    problems.push(`${name}: got ${value.length} VPCs; expected at most ${MAX_ENDPOINT_VPCS} (each subnet is an endpoint and a traffic mirror target; split the VPCs over several stacks)`);
    return undefined;
  }
  const before = problems.length;
  const vpcs = value.map((entry, index) => checkEndpointVpc(`${name}[${index}]`, entry, seen, problems));
  return problems.length > before ? undefined : (vpcs as EndpointVpc[]);
}

function checkEndpointVpc(name: string, entry: unknown, seen: Map<string, string>, problems: string[]): EndpointVpc | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push(`${name}: got ${show(entry)}; expected an object with ${inWords(ENDPOINT_VPC_KEYS)}`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(entry)) {
    if (!(ENDPOINT_VPC_KEYS as readonly string[]).includes(key)) problems.push(`${name}.${nameOf(key)}: unknown key; expected ${inWords(ENDPOINT_VPC_KEYS)}`);
  }
  const vpcId = own(entry, 'VpcId');
  if (typeof vpcId !== 'string' || !VPC_ID.test(vpcId)) {
    problems.push(`${name}.VpcId: ${vpcId === undefined ? 'required' : `got ${show(vpcId)}`}; expected a VPC ID such as vpc-0123456789abcdef0`);
  } else if (seen.has(vpcId)) {
    problems.push(`${name}.VpcId: got ${show(vpcId)}; expected each VPC once (also ${seen.get(vpcId)}): one endpoint per zone serves the whole VPC`);
  } else seen.set(vpcId, `${name}.VpcId`);
  const subnetIds = own(entry, 'SubnetIds');
  const expected = `1 to ${MAX_ENDPOINT_SUBNETS_PER_VPC} subnet IDs such as subnet-0123456789abcdef0, one per Availability Zone of the VPC where its sources run (a GatewayLoadBalancer endpoint sits in one subnet)`;
  if (!Array.isArray(subnetIds) || subnetIds.length === 0 || subnetIds.length > MAX_ENDPOINT_SUBNETS_PER_VPC) {
    problems.push(`${name}.SubnetIds: ${subnetIds === undefined ? 'required' : `got ${show(subnetIds)}`}; expected ${expected}`);
  } else {
    subnetIds.forEach((subnetId: unknown, index) => {
      if (typeof subnetId !== 'string' || !SUBNET_ID.test(subnetId)) problems.push(`${name}.SubnetIds[${index}]: got ${show(subnetId)}; expected a subnet ID such as subnet-0123456789abcdef0`);
      else if (seen.has(subnetId)) problems.push(`${name}.SubnetIds[${index}]: got ${show(subnetId)}; expected each subnet once (also ${seen.get(subnetId)}): a subnet holds one endpoint of the service`);
      else seen.set(subnetId, `${name}.SubnetIds[${index}]`);
    });
  }
  return problems.length > before ? undefined : { VpcId: vpcId as string, SubnetIds: subnetIds as string[] };
}

/**
 * The rules of MirrorTargetType with the other keys; replaces `values.GatewayLoadBalancerEndpoints` with the validated
 * list. Runs after checkSourceAccounts (whose entries' GatewayLoadBalancerEndpoints it checks against the mode).
 */
export function checkMirrorTargetType(values: Partial<Record<keyof MirroringConfig, unknown>>, given: Record<string, unknown>, problems: string[]): void {
  const v = values as Partial<MirroringConfig>;
  const mode = v.MirrorTargetType;
  if (mode === undefined) return;
  const seen = new Map<string, string>();
  const endpoints = checkEndpointVpcs('GatewayLoadBalancerEndpoints', fromJsonObjectString(own(given, 'GatewayLoadBalancerEndpoints')), seen, problems);
  if (endpoints !== undefined) values.GatewayLoadBalancerEndpoints = endpoints;
  const accounts = v.SourceAccounts ?? [];
  if (mode === 'NLB') {
    for (const key of GWLB_ONLY_KEYS) {
      const value = own(given, key);
      if (value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)) {
        problems.push(`${key}: got ${show(value)}; expected it unset with MirrorTargetType NLB (it applies to GWLB_ENDPOINT only)`);
      }
    }
    accounts.forEach((account, index) => {
      if (account.GatewayLoadBalancerEndpoints.length > 0) {
        problems.push(`SourceAccounts[${index}].GatewayLoadBalancerEndpoints: got ${show(account.GatewayLoadBalancerEndpoints)}; expected it unset with MirrorTargetType NLB (it applies to GWLB_ENDPOINT only)`);
      }
    });
    return;
  }
  const gwlb = (key: string, expected: string, why: string) => {
    const value = own(given, key);
    problems.push(`${key}: ${value === undefined ? 'required' : `got ${show(value)}`}; expected ${expected} with MirrorTargetType GWLB_ENDPOINT (${why})`);
  };
  if (v.AccountId === '') gwlb('AccountId', "the collector's 12-digit account ID", "the endpoint service allows the collector's own account to create its endpoints by this ID");
  if (v.MirrorSourceType === 'FARGATE') gwlb('MirrorSourceType', 'a type other than FARGATE', "the FARGATE sidecars send to the NLB's private name");
  if (v.SameZoneDelivery === true) gwlb('SameZoneDelivery', 'false', "a Gateway Load Balancer without cross-zone load balancing already delivers each endpoint's packets to the agents of its zone");
  if (v.GatewayLoadBalancerCidrs !== undefined && v.GatewayLoadBalancerCidrs.length === 0) {
    gwlb('GatewayLoadBalancerCidrs', 'the CIDR blocks of SubnetIds (or of VpcId)', "where the Gateway Load Balancer's nodes are: the only senders the agent hosts admit");
  }
  if (v.ShareMirrorTargetWith !== undefined && v.ShareMirrorTargetWith !== 'accounts') {
    gwlb('ShareMirrorTargetWith', '"accounts"', "an endpoint service's allowed principals are accounts, users or roles, not an organization or OU");
  }
  if (endpoints !== undefined && endpoints.length === 0 && v.MirrorSourceType !== undefined && accounts.length === 0) {
    gwlb('GatewayLoadBalancerEndpoints', 'at least one VPC with its subnets', 'the VPCs whose interfaces are mirrored: each subnet gets an endpoint and a traffic mirror target');
  }
  if (endpoints !== undefined) problems.push(...vpcsWithoutEndpoint('', v.MirrorSourceVpcId, endpoints, given));
  accounts.forEach((account, index) => {
    if (account.GatewayLoadBalancerEndpoints.length === 0) {
      problems.push(`SourceAccounts[${index}].GatewayLoadBalancerEndpoints: required with MirrorTargetType GWLB_ENDPOINT; expected at least one VPC of account ${account.AccountId} with its subnets (the source stack creates an endpoint and a traffic mirror target in each)`);
    }
    problems.push(...vpcsWithoutEndpoint(`SourceAccounts[${index}].`, account.MirrorSourceVpcId, account.GatewayLoadBalancerEndpoints, account));
    account.GatewayLoadBalancerEndpoints.forEach((vpc, vpcIndex) => {
      const name = `SourceAccounts[${index}].GatewayLoadBalancerEndpoints[${vpcIndex}]`;
      for (const id of [vpc.VpcId, ...vpc.SubnetIds]) {
        if (seen.has(id)) problems.push(`${name}: got ${show(id)}; expected each VPC and subnet once (also ${seen.get(id)})`);
        else seen.set(id, name);
      }
    });
  });
}

/** A searched VPC (MirrorSourceVpcId) without an endpoint: its interfaces could only be reported, never mirrored. */
function vpcsWithoutEndpoint(prefix: string, searched: readonly string[] | undefined, endpoints: readonly EndpointVpc[], given: object): string[] {
  const withEndpoint = new Set(endpoints.map((vpc) => vpc.VpcId));
  const missing = (searched ?? []).filter((vpcId) => !withEndpoint.has(vpcId));
  if (missing.length === 0) return [];
  return [`${prefix}MirrorSourceVpcId: got ${show(own(given, 'MirrorSourceVpcId'))}; expected VPCs of ${prefix}GatewayLoadBalancerEndpoints with MirrorTargetType GWLB_ENDPOINT (an interface is mirrored only to an endpoint of its own VPC); without an endpoint: ${missing.slice(0, 5).join(', ')}`];
}
