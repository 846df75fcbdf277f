import type { AwsClients } from '../aws';
import type { SessionSourceType } from '../../shared';
import type { DiscoveredTarget, DiscoveryResult, EventScope } from '../types';
import { discoverEcsCluster } from './ecs-cluster';
import { discoverInstancesByTags } from './instance-tags';
import { describeInterfaces } from './interfaces';
import { discoverLoadBalancersByTags } from './load-balancer-tags';
import { discoverLoadBalancersByName } from './load-balancers';
import { discoverTargetGroups } from './target-groups';

export interface SourceSelection {
  sourceType: SessionSourceType;
  /** Load balancer names, tag selectors (of load balancers or instances), target group names/ARNs, or one cluster name. */
  sources: readonly string[];
  /** VPCs searched for LOAD_BALANCER_TAGS and INSTANCE_TAGS. */
  sourceVpcIds: readonly string[];
}

/**
 * Members of the configured sources, per MirrorSourceType. With a scope (event-driven run) only the members that
 * are the scope's instances and tasks are kept: load balancers and target groups are still looked up and their
 * health read once each (that is what membership and health are), but nothing else of the fleet is resolved.
 */
export async function discoverSources(clients: AwsClients, selection: SourceSelection, scope?: EventScope): Promise<DiscoveryResult> {
  switch (selection.sourceType) {
    case 'LOAD_BALANCER':
      return narrowToScope(clients, await discoverLoadBalancersByName(clients, selection.sources), scope);
    case 'LOAD_BALANCER_TAGS':
      return narrowToScope(clients, await discoverLoadBalancersByTags(clients, selection.sources, selection.sourceVpcIds), scope);
    case 'TARGET_GROUP':
      return narrowToScope(clients, await discoverTargetGroups(clients, selection.sources), scope);
    case 'ECS_CLUSTER':
      return discoverEcsCluster(clients, selection.sources[0], scope);
    case 'INSTANCE_TAGS':
      return discoverInstancesByTags(clients, selection.sources, selection.sourceVpcIds, scope);
  }
}

/**
 * Keeps the targets that are the scope's instances: instance targets by id, ip targets by the private IPs of the
 * instances' interfaces (one DescribeNetworkInterfaces per 200 instances, only when there are ip targets).
 */
async function narrowToScope(clients: AwsClients, result: DiscoveryResult, scope: EventScope | undefined): Promise<DiscoveryResult> {
  if (!scope) return result;
  const ips = new Set<string>();
  if (scope.instanceIds.size > 0 && result.targets.some((target) => target.ref.kind === 'ip')) {
    for (const eni of await describeInterfaces(clients, 'attachment.instance-id', [...scope.instanceIds])) {
      for (const address of eni.PrivateIpAddresses ?? []) if (address.PrivateIpAddress) ips.add(`${eni.VpcId ?? ''}|${address.PrivateIpAddress}`);
    }
  }
  const inScope = ({ ref }: DiscoveredTarget) =>
    (ref.kind === 'instance' && scope.instanceIds.has(ref.instanceId))
    || (ref.kind === 'ip' && (ips.has(`${ref.vpcId ?? ''}|${ref.ip}`) || (!ref.vpcId && [...ips].some((key) => key.endsWith(`|${ref.ip}`)))))
    || (ref.kind === 'interface' && ref.instanceId !== undefined && scope.instanceIds.has(ref.instanceId));
  const targets = result.targets.filter(inScope);
  const kept = new Set(targets.map(({ ref }) => (ref.kind === 'instance' ? ref.instanceId : ref.kind === 'ip' ? ref.ip : ref.interfaceId)));
  return { ...result, targets, skips: result.skips.filter((skip) => scope.instanceIds.has(skip.target) || kept.has(skip.target)) };
}
