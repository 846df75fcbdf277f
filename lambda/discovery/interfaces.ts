import { EC2_FILTER_VALUES_PER_CALL, EC2_PAGE_SIZE } from '../../shared';
import {
  paginateDescribeInstances,
  paginateDescribeInstanceTypes,
  paginateDescribeNetworkInterfaces,
  type Instance,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { chunk, collectPages, TimeBudgetExhaustedError, type AwsClients } from '../aws';
import type { CandidateInterface, DiscoveredTarget, SourceInstanceTypeFacts, TargetSkip } from '../types';

/** DescribeInstanceTypes takes at most 100 types per call. */
const INSTANCE_TYPES_PER_CALL = 100;

/** Instance-type facts never change: cached for the life of the Lambda container, across warm invocations. */
export class InstanceTypeCache {
  private readonly facts = new Map<string, SourceInstanceTypeFacts>();

  async lookup(clients: AwsClients, instanceTypes: Iterable<string>): Promise<Map<string, SourceInstanceTypeFacts>> {
    const wanted = [...new Set(instanceTypes)];
    const unknown = wanted.filter((type) => !this.facts.has(type));
    for (const batch of chunk(unknown, INSTANCE_TYPES_PER_CALL)) {
      try {
        const pages = await collectPages(paginateDescribeInstanceTypes({ client: clients.ec2 }, { InstanceTypes: batch as never[] }));
        for (const info of pages.flatMap((page) => page.InstanceTypes ?? [])) {
          if (info.InstanceType) this.facts.set(info.InstanceType, { hypervisor: info.Hypervisor, bareMetal: info.BareMetal });
        }
      } catch (error) {
        if (error instanceof TimeBudgetExhaustedError) throw error;
        // Only a pre-filter: without facts the documented family lists and EC2's own answer on create still decide.
      }
    }
    return new Map(wanted.flatMap((type) => (this.facts.has(type) ? [[type, this.facts.get(type)!] as const] : [])));
  }
}

interface InstanceFacts {
  instanceType?: string;
  vpcId?: string;
  availabilityZone?: string;
  primaryInterfaceId?: string;
  primaryInterfaceType?: string;
}

async function describeInstances(clients: AwsClients, instanceIds: readonly string[]): Promise<Map<string, InstanceFacts>> {
  const facts = new Map<string, InstanceFacts>();
  for (const batch of chunk(instanceIds, EC2_FILTER_VALUES_PER_CALL)) {
    const pages = await collectPages(
      paginateDescribeInstances({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: [{ Name: 'instance-id', Values: batch }] }),
    );
    for (const instance of pages.flatMap((page) => page.Reservations ?? []).flatMap((r) => r.Instances ?? []) as Instance[]) {
      if (!instance.InstanceId) continue;
      const primary = (instance.NetworkInterfaces ?? []).find(
        (eni) => eni.Attachment?.DeviceIndex === 0 && (eni.Attachment?.NetworkCardIndex ?? 0) === 0,
      );
      facts.set(instance.InstanceId, {
        instanceType: instance.InstanceType,
        vpcId: instance.VpcId,
        availabilityZone: instance.Placement?.AvailabilityZone,
        primaryInterfaceId: primary?.NetworkInterfaceId,
        primaryInterfaceType: primary?.InterfaceType ?? 'interface',
      });
    }
  }
  return facts;
}

export async function describeInterfaces(clients: AwsClients, filterName: string, values: readonly string[], extraFilters: { Name: string; Values: string[] }[] = []): Promise<NetworkInterface[]> {
  const found: NetworkInterface[] = [];
  for (const batch of chunk(values, EC2_FILTER_VALUES_PER_CALL)) {
    const pages = await collectPages(
      paginateDescribeNetworkInterfaces({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: [{ Name: filterName, Values: batch }, ...extraFilters] }),
    );
    found.push(...pages.flatMap((page) => page.NetworkInterfaces ?? []));
  }
  return found;
}

type Placement = Pick<CandidateInterface, 'vpcId' | 'availabilityZone'>;

/** Only the facts EC2 gave: a candidate without them simply has no key (target selection reports it). */
function placementOf(vpcId: string | undefined, availabilityZone: string | undefined): Placement {
  return { ...(vpcId ? { vpcId } : {}), ...(availabilityZone ? { availabilityZone } : {}) };
}

export interface ResolvedInterfaces {
  candidates: CandidateInterface[];
  skips: TargetSkip[];
  instanceTypes: Map<string, SourceInstanceTypeFacts>;
}

/**
 * Discovered targets -> network interfaces, with batched lookups only: instance targets to the instance's
 * primary interface (device index 0), ip targets to the interface holding that private IP, task interfaces by id.
 * One interface reached from several sources becomes one candidate.
 */
export async function resolveInterfaces(clients: AwsClients, targets: readonly DiscoveredTarget[], typeCache: InstanceTypeCache): Promise<ResolvedInterfaces> {
  const skips: TargetSkip[] = [];
  const ipsByVpc = new Map<string, Set<string>>();
  const interfaceIds = new Set<string>();
  const instanceIds = new Set<string>();
  for (const { ref } of targets) {
    if (ref.kind === 'instance') instanceIds.add(ref.instanceId);
    if (ref.kind === 'interface') interfaceIds.add(ref.interfaceId);
    if (ref.kind === 'ip') {
      const vpc = ref.vpcId ?? '';
      ipsByVpc.set(vpc, (ipsByVpc.get(vpc) ?? new Set()).add(ref.ip));
    }
  }

  const interfaceByIp = new Map<string, NetworkInterface>();
  for (const [vpcId, ips] of ipsByVpc) {
    const vpcFilter = vpcId ? [{ Name: 'vpc-id', Values: [vpcId] }] : [];
    for (const eni of await describeInterfaces(clients, 'addresses.private-ip-address', [...ips], vpcFilter)) {
      for (const address of eni.PrivateIpAddresses ?? []) {
        if (address.PrivateIpAddress && ips.has(address.PrivateIpAddress)) interfaceByIp.set(`${vpcId}|${address.PrivateIpAddress}`, eni);
      }
    }
  }
  const interfaceById = new Map<string, NetworkInterface>();
  for (const eni of await describeInterfaces(clients, 'network-interface-id', [...interfaceIds])) {
    if (eni.NetworkInterfaceId) interfaceById.set(eni.NetworkInterfaceId, eni);
  }
  for (const eni of [...interfaceByIp.values(), ...interfaceById.values()]) {
    if (eni.Attachment?.InstanceId) instanceIds.add(eni.Attachment.InstanceId);
  }
  const instances = await describeInstances(clients, [...instanceIds]);

  const byInterface = new Map<string, CandidateInterface>();
  const add = (target: DiscoveredTarget, interfaceId: string, interfaceType: string, instanceId: string | undefined, placement: Placement) => {
    const instanceType = instanceId ? instances.get(instanceId)?.instanceType : undefined;
    const existing = byInterface.get(interfaceId);
    if (target.loadBalanced !== false) servedThrough.add(`${interfaceId}|${target.source}`);
    if (existing) {
      if (!existing.sources.includes(target.source)) existing.sources = [...existing.sources, target.source].sort();
      existing.healthy ||= target.healthy;
      return;
    }
    byInterface.set(interfaceId, { interfaceId, interfaceType, instanceId, instanceType, ...placement, sources: [target.source], healthy: target.healthy });
  };
  /** `interface|source` pairs through which traffic reaches the interface (not a target group without a load balancer). */
  const servedThrough = new Set<string>();

  for (const target of targets) {
    const { ref } = target;
    if (ref.kind === 'instance') {
      const instance = instances.get(ref.instanceId);
      if (!instance) skips.push({ reason: 'instance-not-found', source: target.source, target: ref.instanceId });
      else if (!instance.primaryInterfaceId) skips.push({ reason: 'instance-without-primary-interface', source: target.source, target: ref.instanceId });
      else add(target, instance.primaryInterfaceId, instance.primaryInterfaceType ?? 'interface', ref.instanceId, placementOf(instance.vpcId, instance.availabilityZone));
      continue;
    }
    const eni = ref.kind === 'ip' ? interfaceByIp.get(`${ref.vpcId ?? ''}|${ref.ip}`) : interfaceById.get(ref.interfaceId);
    if (!eni?.NetworkInterfaceId) {
      skips.push({ reason: 'interface-not-found', source: target.source, target: ref.kind === 'ip' ? ref.ip : ref.interfaceId });
      continue;
    }
    const instanceId = eni.Attachment?.InstanceId ?? (ref.kind === 'interface' ? ref.instanceId : undefined);
    add(target, eni.NetworkInterfaceId, eni.InterfaceType ?? 'interface', instanceId, placementOf(eni.VpcId, eni.AvailabilityZone));
  }

  const candidates = [...byInterface.values()];
  for (const candidate of candidates) {
    candidate.label = candidate.sources.find((source) => servedThrough.has(`${candidate.interfaceId}|${source}`)) ?? candidate.sources[0];
  }
  const instanceTypes = await typeCache.lookup(clients, candidates.flatMap((c) => (c.instanceType ? [c.instanceType] : [])));
  return { candidates, skips, instanceTypes };
}
