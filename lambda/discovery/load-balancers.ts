import {
  DescribeInstanceHealthCommand,
  paginateDescribeLoadBalancers as paginateClassicLoadBalancers,
  type LoadBalancerDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTargetHealthCommand,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { collectPages, errorCode, errorMessage, TimeBudgetExhaustedError, type AwsClients } from '../aws';
import type { DiscoveryResult } from '../types';
import { lookupByNames } from './lookup';

/** A target group to read targets from, with the configured source it belongs to. */
export interface TargetGroupRef {
  arn: string;
  targetType?: string;
  vpcId?: string;
  source: string;
  /** False when no load balancer uses the group. @default true */
  loadBalanced?: boolean;
}

/** A v2 (ALB/NLB) load balancer to read target groups from. */
export interface LoadBalancerRef {
  arn: string;
  source: string;
}

/** A Classic load balancer and its registered instances. */
export interface ClassicLoadBalancerRef {
  name: string;
  instanceIds: string[];
  /** The instance ports of its listeners: what its instances receive (MirrorTcpPortsFromTargets derives rules from them). */
  instancePorts: number[];
  source: string;
}

export function emptyDiscovery(): DiscoveryResult {
  return { targets: [], skips: [], missingSources: [], failedSources: [] };
}

/** Records a source whose discovery failed; running out of time is not a source failure and ends discovery. */
export function recordFailure(result: DiscoveryResult, source: string, error: unknown): void {
  if (error instanceof TimeBudgetExhaustedError) throw error;
  if (result.failedSources.some((failure) => failure.source === source)) return;
  result.failedSources.push({ source, error: `${errorCode(error)}: ${errorMessage(error)}` });
}

export const loadBalancerSource = (name: string) => `lb/${name}`;

/** DescribeTargetHealth once per target group (one call lists all its targets). */
export async function discoverTargetGroupTargets(clients: AwsClients, groups: readonly TargetGroupRef[], result: DiscoveryResult): Promise<void> {
  for (const group of groups) {
    try {
      const health = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.arn }));
      for (const description of health.TargetHealthDescriptions ?? []) {
        const id = description.Target?.Id;
        if (!id) continue;
        const healthy = description.TargetHealth?.State === 'healthy';
        const port = description.Target?.Port;
        if (port !== undefined && (group.targetType === 'ip' || group.targetType === 'instance' || id.startsWith('i-'))) {
          (result.targetPorts ??= []).push(port);
        }
        const loadBalanced = group.loadBalanced ?? true;
        if (group.targetType === 'ip') {
          result.targets.push({ ref: { kind: 'ip', ip: id, vpcId: group.vpcId }, source: group.source, healthy, loadBalanced });
        } else if (group.targetType === 'instance' || (group.targetType === undefined && id.startsWith('i-'))) {
          result.targets.push({ ref: { kind: 'instance', instanceId: id }, source: group.source, healthy, loadBalanced });
        } else {
          // lambda and alb targets have no network interface of ours to mirror
          result.skips.push({ reason: 'target-type-not-supported', source: group.source, target: id });
        }
      }
    } catch (error) {
      recordFailure(result, group.source, error);
    }
  }
}

/** The target groups of ALBs and NLBs: one paginated DescribeTargetGroups per load balancer. */
export async function targetGroupsOfLoadBalancers(clients: AwsClients, loadBalancers: readonly LoadBalancerRef[], result: DiscoveryResult): Promise<TargetGroupRef[]> {
  const groups: TargetGroupRef[] = [];
  for (const loadBalancer of loadBalancers) {
    try {
      for (const page of await collectPages(paginateDescribeTargetGroups({ client: clients.elbv2 }, { LoadBalancerArn: loadBalancer.arn }))) {
        for (const group of page.TargetGroups ?? []) {
          if (group.TargetGroupArn) groups.push({ arn: group.TargetGroupArn, targetType: group.TargetType, vpcId: group.VpcId, source: loadBalancer.source });
        }
      }
    } catch (error) {
      recordFailure(result, loadBalancer.source, error);
    }
  }
  return groups;
}

/** Registered instances of Classic load balancers, with DescribeInstanceHealth (one call per load balancer) for health. */
export async function discoverClassicTargets(clients: AwsClients, loadBalancers: readonly ClassicLoadBalancerRef[], result: DiscoveryResult): Promise<void> {
  for (const loadBalancer of loadBalancers) {
    if (loadBalancer.instanceIds.length === 0) continue;
    if (loadBalancer.instancePorts.length > 0) (result.targetPorts ??= []).push(...loadBalancer.instancePorts);
    try {
      const health = await clients.elb.send(new DescribeInstanceHealthCommand({ LoadBalancerName: loadBalancer.name }));
      const inService = new Set((health.InstanceStates ?? []).filter((s) => s.State === 'InService').map((s) => s.InstanceId));
      for (const instanceId of loadBalancer.instanceIds) {
        result.targets.push({ ref: { kind: 'instance', instanceId }, source: loadBalancer.source, healthy: inService.has(instanceId) });
      }
    } catch (error) {
      recordFailure(result, loadBalancer.source, error);
    }
  }
}

export function classicRef(description: LoadBalancerDescription, source: string): ClassicLoadBalancerRef {
  return {
    name: description.LoadBalancerName ?? '',
    instanceIds: (description.Instances ?? []).flatMap((instance) => (instance.InstanceId ? [instance.InstanceId] : [])),
    instancePorts: (description.ListenerDescriptions ?? []).flatMap(({ Listener }) => (Listener?.InstancePort ? [Listener.InstancePort] : [])),
    source,
  };
}

/**
 * LOAD_BALANCER: names of ALBs, NLBs and Classic load balancers. Names are looked up as v2 first (20 per call),
 * the rest as Classic; a name found in neither is reported missing and the others go on.
 */
export async function discoverLoadBalancersByName(clients: AwsClients, names: readonly string[]): Promise<DiscoveryResult> {
  const result = emptyDiscovery();
  const v2 = await lookupByNames<LoadBalancer>(names, 20, async (batch) =>
    (await collectPages(paginateDescribeLoadBalancers({ client: clients.elbv2 }, { Names: batch }))).flatMap((page) => page.LoadBalancers ?? []),
  );
  const classic = await lookupByNames<LoadBalancerDescription>(v2.missing, 20, async (batch) =>
    (await collectPages(paginateClassicLoadBalancers({ client: clients.elb }, { LoadBalancerNames: batch }))).flatMap((page) => page.LoadBalancerDescriptions ?? []),
  );
  result.missingSources.push(...classic.missing.map(loadBalancerSource));
  for (const failure of [...v2.failed, ...classic.failed]) result.failedSources.push({ source: loadBalancerSource(failure.name), error: failure.error });

  const loadBalancers = v2.found.flatMap((lb) => (lb.LoadBalancerArn && lb.LoadBalancerName ? [{ arn: lb.LoadBalancerArn, source: loadBalancerSource(lb.LoadBalancerName) }] : []));
  await discoverTargetGroupTargets(clients, await targetGroupsOfLoadBalancers(clients, loadBalancers, result), result);
  await discoverClassicTargets(clients, classic.found.map((d) => classicRef(d, loadBalancerSource(d.LoadBalancerName ?? ''))), result);
  return result;
}
