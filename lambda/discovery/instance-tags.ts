import { EC2_FILTER_VALUES_PER_CALL, EC2_PAGE_SIZE } from '../../shared';
import { paginateDescribeInstances, type Filter } from '@aws-sdk/client-ec2';
import { chunk, collectPages, type AwsClients } from '../aws';
import type { DiscoveryResult, EventScope } from '../types';
import { emptyDiscovery, recordFailure } from './load-balancers';


/** Label of a tag selector as a source: `tag/Mirror=True`, `tag/traceable-app`. */
const instanceTagSource = (selector: string) => `tag/${selector}`;

/** `key=value` -> EC2's `tag:key` filter; `key` -> `tag-key` (any value). Same matching as LOAD_BALANCER_TAGS (`matchesAnyTag` in lookup.ts). */
export function tagFilter(selector: string): Filter {
  const separator = selector.indexOf('=');
  if (separator < 0) return { Name: 'tag-key', Values: [selector.trim()] };
  return { Name: `tag:${selector.slice(0, separator).trim()}`, Values: [selector.slice(separator + 1).trim()] };
}

/**
 * INSTANCE_TAGS: running EC2 instances in the given VPCs with at least one matching tag, each a target of its own
 * (the primary interface, as for instance targets of a load balancer). EC2 filters AND across names, so each
 * selector is one filtered, paginated DescribeInstances. An instance matching several selectors counts once, under
 * the first selector in the configured order. There is no load balancer health: a running instance is healthy.
 *
 * With a scope (event-driven run) only the named instances are asked for (200 ids per call).
 * A selector whose listing fails is a failed source: sessions tagged with it are kept, not deleted.
 */
export async function discoverInstancesByTags(
  clients: AwsClients,
  selectors: readonly string[],
  vpcIds: readonly string[],
  scope?: EventScope,
): Promise<DiscoveryResult> {
  const result = emptyDiscovery();
  const sourceOf = new Map<string, string>();
  const idBatches = scope ? chunk([...scope.instanceIds].sort(), EC2_FILTER_VALUES_PER_CALL) : [undefined];
  for (const selector of selectors) {
    const source = instanceTagSource(selector);
    try {
      for (const ids of idBatches) {
        const Filters: Filter[] = [
          { Name: 'vpc-id', Values: [...vpcIds] },
          { Name: 'instance-state-name', Values: ['running'] },
          tagFilter(selector),
          ...(ids ? [{ Name: 'instance-id', Values: ids }] : []),
        ];
        const pages = await collectPages(paginateDescribeInstances({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters }));
        for (const instance of pages.flatMap((page) => page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
          if (instance.InstanceId && !sourceOf.has(instance.InstanceId)) sourceOf.set(instance.InstanceId, source);
        }
      }
    } catch (error) {
      recordFailure(result, source, error);
    }
  }
  for (const [instanceId, source] of sourceOf) result.targets.push({ ref: { kind: 'instance', instanceId }, source, healthy: true });
  return result;
}
