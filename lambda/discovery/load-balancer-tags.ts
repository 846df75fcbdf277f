import {
  DescribeTagsCommand as DescribeClassicTagsCommand,
  paginateDescribeLoadBalancers as paginateClassicLoadBalancers,
} from '@aws-sdk/client-elastic-load-balancing';
import { DescribeTagsCommand, paginateDescribeLoadBalancers } from '@aws-sdk/client-elastic-load-balancing-v2';
import { chunk, collectPages, type AwsClients } from '../aws';
import type { DiscoveryResult } from '../types';
import {
  classicRef,
  discoverClassicTargets,
  discoverTargetGroupTargets,
  emptyDiscovery,
  loadBalancerSource,
  targetGroupsOfLoadBalancers,
} from './load-balancers';
import { matchesAnyTag } from './lookup';

/** Both DescribeTags APIs take at most 20 load balancers per call. */
const TAGS_BATCH = 20;

/**
 * LOAD_BALANCER_TAGS: every load balancer (v2 and Classic) in the given VPCs with at least one matching tag.
 * Listing failures propagate: without the list we cannot tell which sessions are unwanted, so the run must not delete.
 */
export async function discoverLoadBalancersByTags(clients: AwsClients, selectors: readonly string[], vpcIds: readonly string[]): Promise<DiscoveryResult> {
  const result = emptyDiscovery();
  const inVpcs = (vpcId: string | undefined) => vpcId !== undefined && vpcIds.includes(vpcId);

  const v2 = (await collectPages(paginateDescribeLoadBalancers({ client: clients.elbv2 }, {})))
    .flatMap((page) => page.LoadBalancers ?? [])
    .filter((lb) => inVpcs(lb.VpcId) && lb.LoadBalancerArn && lb.LoadBalancerName);
  const nameByArn = new Map(v2.map((lb) => [lb.LoadBalancerArn as string, lb.LoadBalancerName as string]));
  const matchingV2: { arn: string; source: string }[] = [];
  for (const batch of chunk([...nameByArn.keys()], TAGS_BATCH)) {
    const tags = await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: batch }));
    for (const description of tags.TagDescriptions ?? []) {
      const arn = description.ResourceArn ?? '';
      if (nameByArn.has(arn) && matchesAnyTag(description.Tags ?? [], selectors)) {
        matchingV2.push({ arn, source: loadBalancerSource(nameByArn.get(arn) as string) });
      }
    }
  }

  const classic = (await collectPages(paginateClassicLoadBalancers({ client: clients.elb }, {})))
    .flatMap((page) => page.LoadBalancerDescriptions ?? [])
    .filter((lb) => inVpcs(lb.VPCId) && lb.LoadBalancerName);
  const classicByName = new Map(classic.map((lb) => [lb.LoadBalancerName as string, lb]));
  const matchingClassic: string[] = [];
  for (const batch of chunk([...classicByName.keys()], TAGS_BATCH)) {
    const tags = await clients.elb.send(new DescribeClassicTagsCommand({ LoadBalancerNames: batch }));
    for (const description of tags.TagDescriptions ?? []) {
      if (description.LoadBalancerName && matchesAnyTag(description.Tags ?? [], selectors)) matchingClassic.push(description.LoadBalancerName);
    }
  }

  await discoverTargetGroupTargets(clients, await targetGroupsOfLoadBalancers(clients, matchingV2, result), result);
  await discoverClassicTargets(
    clients,
    matchingClassic.map((name) => classicRef(classicByName.get(name)!, loadBalancerSource(name))),
    result,
  );
  return result;
}
