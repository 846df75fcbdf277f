import { paginateDescribeTargetGroups, type TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { collectPages, type AwsClients } from '../aws';
import type { DiscoveryResult } from '../types';
import { discoverTargetGroupTargets, emptyDiscovery, type TargetGroupRef } from './load-balancers';
import { lookupByNames } from './lookup';

const targetGroupSource = (nameOrArn: string) => `tg/${nameOrArn}`;

/** TARGET_GROUP: target group names or ARNs, looked up 20 per call, then DescribeTargetHealth per group. */
export async function discoverTargetGroups(clients: AwsClients, namesOrArns: readonly string[]): Promise<DiscoveryResult> {
  const result = emptyDiscovery();
  const arns = namesOrArns.filter((entry) => entry.startsWith('arn:'));
  const names = namesOrArns.filter((entry) => !entry.startsWith('arn:'));
  const describe = (key: 'Names' | 'TargetGroupArns') => async (batch: string[]) =>
    (await collectPages(paginateDescribeTargetGroups({ client: clients.elbv2 }, { [key]: batch }))).flatMap((page) => page.TargetGroups ?? []);
  const byName = await lookupByNames<TargetGroup>(names, 20, describe('Names'));
  const byArn = await lookupByNames<TargetGroup>(arns, 20, describe('TargetGroupArns'));

  for (const lookup of [byName, byArn]) {
    result.missingSources.push(...lookup.missing.map(targetGroupSource));
    for (const failure of lookup.failed) result.failedSources.push({ source: targetGroupSource(failure.name), error: failure.error });
  }
  // The source label is the configured entry (name or ARN), so it stays the same from run to run.
  const refs: TargetGroupRef[] = [
    ...byName.found.map((group) => ({ group, entry: group.TargetGroupName ?? '' })),
    ...byArn.found.map((group) => ({ group, entry: group.TargetGroupArn ?? '' })),
  ].map(({ group, entry }) => ({
    arn: group.TargetGroupArn ?? '', targetType: group.TargetType, vpcId: group.VpcId, source: targetGroupSource(entry),
    loadBalanced: (group.LoadBalancerArns ?? []).length > 0,
  }));
  await discoverTargetGroupTargets(clients, refs, result);
  return result;
}
