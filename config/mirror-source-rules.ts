/**
 * The rules of one set of mirror sources (MirrorSourceType, MirrorSource, MirrorSourceVpcId): the collector's own
 * top-level keys and each of SourceAccounts follow the same ones.
 */
import { TAG_SOURCE_TYPES, ZONE_VPC_SOURCE_TYPES, selectsByTag, usesSourceVpcIds, type MirrorSourceType, type TagSourceType } from '../shared';
import { own, show } from './show';

/** `A, B and C`. */
export function inWords(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What each tag source type searches the MirrorSourceVpcId VPCs for. */
const TAGGED_RESOURCES: Record<TagSourceType, string> = { LOAD_BALANCER_TAGS: 'load balancers', INSTANCE_TAGS: 'instances' };

/**
 * Problems of a set of sources whose keys were each valid on their own (an undefined value was invalid and is reported
 * already). `prefix` names where the keys are (`""` at the top level, `SourceAccounts[0].` in a source account);
 * `given` holds the values as written, for the messages.
 */
export function mirrorSourceProblems(
  prefix: string,
  type: MirrorSourceType,
  values: { source?: readonly string[]; vpcIds?: readonly string[] },
  given: object,
): string[] {
  const problems: string[] = [];
  if (values.source !== undefined) {
    const problem = checkMirrorSource(type, values.source);
    if (problem) problems.push(`${prefix}MirrorSource: got ${show(own(given, 'MirrorSource') ?? '')}; expected ${problem}`);
  }
  if (values.vpcIds !== undefined) {
    if (selectsByTag(type) && values.vpcIds.length === 0) {
      problems.push(`${prefix}MirrorSourceVpcId: got ${show(own(given, 'MirrorSourceVpcId') ?? '')}; expected at least one VPC ID with MirrorSourceType ${type} (the VPCs to search for tagged ${TAGGED_RESOURCES[type]})`);
    } else if (!usesSourceVpcIds(type) && values.vpcIds.length > 0) {
      problems.push(`${prefix}MirrorSourceVpcId: got ${show(own(given, 'MirrorSourceVpcId'))}; expected empty with MirrorSourceType ${type} (only ${inWords([...TAG_SOURCE_TYPES, ...ZONE_VPC_SOURCE_TYPES])} use it)`);
    }
  }
  return problems;
}

/** MirrorSource rules per type; returns what was expected when the value breaks them. */
function checkMirrorSource(type: MirrorSourceType, items: readonly string[]): string | undefined {
  const badItems = (pattern: RegExp) => items.filter((item) => !pattern.test(item));
  switch (type) {
    case 'LOAD_BALANCER': {
      const bad = badItems(/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/);
      if (items.length === 0 || bad.length > 0) return `a non-empty comma-separated list of load balancer names (1-32 letters, digits and hyphens) with MirrorSourceType LOAD_BALANCER${bad.length ? `; not a name: ${bad.join(', ')}` : ''}`;
      return undefined;
    }
    case 'TARGET_GROUP': {
      const bad = badItems(/^([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?|arn:aws(-[a-z]+)*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16})$/);
      if (items.length === 0 || bad.length > 0) return `a non-empty comma-separated list of target group names or ARNs with MirrorSourceType TARGET_GROUP${bad.length ? `; not a name or ARN: ${bad.join(', ')}` : ''}`;
      return undefined;
    }
    case 'LOAD_BALANCER_TAGS':
    case 'INSTANCE_TAGS': {
      const bad = badItems(/^[^=\s][^=]{0,127}(=[^=]{0,256})?$/);
      if (items.length === 0 || bad.length > 0) return `a non-empty comma-separated list of tags, each key=value or key, with MirrorSourceType ${type}${bad.length ? `; not a tag: ${bad.join(', ')}` : ''}`;
      return undefined;
    }
    case 'ECS_CLUSTER': {
      const ok = items.length === 1 && /^([A-Za-z0-9_-]{1,255}|arn:aws(-[a-z]+)*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/.test(items[0]);
      return ok ? undefined : 'exactly one ECS cluster name or ARN with MirrorSourceType ECS_CLUSTER';
    }
    case 'MANUAL':
    case 'FARGATE':
      return items.length === 0 ? undefined : `empty with MirrorSourceType ${type} (no sources are discovered)`;
  }
}
