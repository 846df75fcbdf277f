import type { AwsClients } from '../aws';
import type { DiscoveryResult, SessionSourceType } from '../types';
import { discoverEcsCluster } from './ecs-cluster';
import { discoverLoadBalancersByTags } from './load-balancer-tags';
import { discoverLoadBalancersByName } from './load-balancers';
import { discoverTargetGroups } from './target-groups';

export interface SourceSelection {
  sourceType: SessionSourceType;
  /** Load balancer names, tag selectors, target group names/ARNs, or one cluster name. */
  sources: readonly string[];
  /** VPCs searched for LOAD_BALANCER_TAGS. */
  sourceVpcIds: readonly string[];
}

/** Members of the configured sources, per MirrorSourceType. */
export async function discoverSources(clients: AwsClients, selection: SourceSelection): Promise<DiscoveryResult> {
  switch (selection.sourceType) {
    case 'LOAD_BALANCER':
      return discoverLoadBalancersByName(clients, selection.sources);
    case 'LOAD_BALANCER_TAGS':
      return discoverLoadBalancersByTags(clients, selection.sources, selection.sourceVpcIds);
    case 'TARGET_GROUP':
      return discoverTargetGroups(clients, selection.sources);
    case 'ECS_CLUSTER':
      return discoverEcsCluster(clients, selection.sources[0]);
  }
}
