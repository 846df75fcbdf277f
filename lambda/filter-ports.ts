/**
 * Derived filter ports (MirrorTcpPortsFromTargets): the mirror filter accepts TCP to the ports the configured load
 * balancers send to on their targets (inbound) and from them (outbound), kept in step at every scheduled run. Terraform
 * creates the filter without rules; this run owns its rules (numbers 100 to 109 per direction).
 */
import {
  CreateTrafficMirrorFilterRuleCommand,
  DeleteTrafficMirrorFilterRuleCommand,
  DescribeTrafficMirrorFiltersCommand,
  type TrafficMirrorFilterRule,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './aws';

/** AWS's traffic mirror filter rules per direction. */
const MAX_RULES_PER_DIRECTION = 10;
const FIRST_RULE_NUMBER = 100;

export interface PortRange {
  from: number;
  to: number;
}

/** What a run did to the filter; in the run summary. */
export interface FilterPortsFigures {
  /** The ranges the targets' ports came to, e.g. `["443", "8080-8081"]`. */
  derived: string[];
  created: number;
  deleted: number;
  /** Why nothing changed, when nothing could be derived safely. */
  kept?: string;
}

const formatRange = ({ from, to }: PortRange) => (from === to ? `${from}` : `${from}-${to}`);

/**
 * Distinct ports -> at most 10 ranges: neighbours joined, then the narrowest gaps closed until 10 remain (a wider
 * range mirrors a few more ports rather than leaving a target's port out).
 */
export function portRanges(ports: readonly number[], max = MAX_RULES_PER_DIRECTION): PortRange[] {
  const sorted = [...new Set(ports)].filter((p) => Number.isInteger(p) && p >= 1 && p <= 65535).sort((a, b) => a - b);
  const ranges: PortRange[] = [];
  for (const port of sorted) {
    const last = ranges.at(-1);
    if (last && port === last.to + 1) last.to = port;
    else ranges.push({ from: port, to: port });
  }
  while (ranges.length > max) {
    let narrowest = 0;
    for (let i = 1; i < ranges.length - 1; i++) if (ranges[i + 1].from - ranges[i].to < ranges[narrowest + 1].from - ranges[narrowest].to) narrowest = i;
    ranges.splice(narrowest, 2, { from: ranges[narrowest].from, to: ranges[narrowest + 1].to });
  }
  return ranges;
}

const key = (direction: string, range: PortRange) => `${direction}|${formatRange(range)}`;

function ruleKey(rule: TrafficMirrorFilterRule, direction: 'ingress' | 'egress'): string | undefined {
  const range = direction === 'ingress' ? rule.DestinationPortRange : rule.SourcePortRange;
  if (rule.Protocol !== 6 || rule.RuleAction !== 'accept' || range?.FromPort === undefined || range.ToPort === undefined) return undefined;
  return key(direction, { from: range.FromPort, to: range.ToPort });
}

/**
 * Brings the filter's rules in step with the targets' ports. Adds only (deletes nothing) while a source's discovery
 * failed, and changes nothing when no port was found (no target, nothing to mirror yet).
 */
export async function syncFilterPorts(
  clients: AwsClients, filterId: string, ports: readonly number[], options: { sourcesFailed: boolean; dryRun: boolean },
): Promise<FilterPortsFigures> {
  const ranges = portRanges(ports);
  const figures: FilterPortsFigures = { derived: ranges.map(formatRange), created: 0, deleted: 0 };
  if (ranges.length === 0) return { ...figures, kept: 'no target ports found' };
  const filter = (await clients.ec2.send(new DescribeTrafficMirrorFiltersCommand({ TrafficMirrorFilterIds: [filterId] }))).TrafficMirrorFilters?.[0];
  const existing = (['ingress', 'egress'] as const).flatMap((direction) =>
    ((direction === 'ingress' ? filter?.IngressFilterRules : filter?.EgressFilterRules) ?? []).map((rule) => ({ rule, direction, key: ruleKey(rule, direction) })),
  );
  const wanted = (['ingress', 'egress'] as const).flatMap((direction) => ranges.map((range) => ({ direction, range, key: key(direction, range) })));
  const stale = existing.filter((e) => !wanted.some((w) => w.key === e.key));
  const missing = wanted.filter((w) => !existing.some((e) => e.key === w.key));
  if (options.dryRun) return { ...figures, created: missing.length, deleted: options.sourcesFailed ? 0 : stale.length, kept: 'dry run' };
  if (!options.sourcesFailed) {
    for (const { rule } of stale) {
      await clients.ec2.send(new DeleteTrafficMirrorFilterRuleCommand({ TrafficMirrorFilterRuleId: rule.TrafficMirrorFilterRuleId }));
      figures.deleted++;
    }
  }
  const kept = options.sourcesFailed ? existing : existing.filter((e) => !stale.includes(e));
  for (const { direction, range } of missing) {
    const used = new Set(kept.filter((e) => e.direction === direction).map((e) => e.rule.RuleNumber));
    let ruleNumber = FIRST_RULE_NUMBER;
    while (used.has(ruleNumber)) ruleNumber++;
    await clients.ec2.send(new CreateTrafficMirrorFilterRuleCommand({
      TrafficMirrorFilterId: filterId,
      TrafficDirection: direction,
      RuleNumber: ruleNumber,
      RuleAction: 'accept',
      Protocol: 6,
      SourceCidrBlock: '0.0.0.0/0',
      DestinationCidrBlock: '0.0.0.0/0',
      ...(direction === 'ingress' ? { DestinationPortRange: { FromPort: range.from, ToPort: range.to } } : { SourcePortRange: { FromPort: range.from, ToPort: range.to } }),
      Description: `Traceable: TCP ${direction === 'ingress' ? 'to' : 'from'} port ${formatRange(range)} (derived from the target groups)`,
    }));
    kept.push({ rule: { RuleNumber: ruleNumber }, direction, key: key(direction, range) });
    figures.created++;
  }
  return figures;
}
