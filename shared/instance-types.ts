/**
 * What we know about EC2 instance types without asking AWS (no data sources: plans stay offline and free).
 * The agent host needs at least 4 vCPU and 8 GiB (the seed's requirement). In every family listed here the
 * `xlarge` size is the first with 4 vCPU, and it has at least 8 GiB, so the size name alone decides.
 */

export type CpuArchitecture = 'x86_64' | 'arm64';

/** Instance families whose sizes we can judge; others are accepted as custom types with a warning. */
const KNOWN_FAMILIES = new Set([
  'a1', 'c4', 'c5', 'c5a', 'c5ad', 'c5d', 'c5n', 'c6a', 'c6g', 'c6gd', 'c6gn', 'c6i', 'c6id', 'c6in', 'c7a', 'c7g',
  'c7gd', 'c7gn', 'c7i', 'c7i-flex', 'c8g', 'd2', 'd3', 'd3en', 'g4dn', 'g5', 'h1', 'i3', 'i3en', 'i4g', 'i4i', 'im4gn',
  'is4gen', 'm4', 'm5', 'm5a', 'm5ad', 'm5d', 'm5dn', 'm5n', 'm5zn', 'm6a', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn',
  'm6in', 'm7a', 'm7g', 'm7gd', 'm7i', 'm7i-flex', 'm8g', 'r4', 'r5', 'r5a', 'r5ad', 'r5b', 'r5d', 'r5dn', 'r5n', 'r6a',
  'r6g', 'r6gd', 'r6i', 'r6id', 'r7a', 'r7g', 'r7gd', 'r7i', 'r8g', 't2', 't3', 't3a', 't4g', 'x1', 'x1e', 'x2gd', 'z1d',
]);

const SMALL_SIZES = new Set(['nano', 'micro', 'small', 'medium', 'large']);
const SIZE_PATTERN = /^(nano|micro|small|medium|large|xlarge|\d+xlarge|metal(-\d+xl)?)$/;

/** What the size name tells about an instance type as an agent host. */
export interface AgentInstanceTypeFacts {
  readonly family: string;
  readonly size: string;
  /** True when the size has fewer than 4 vCPU (nano ... large). */
  readonly belowAgentMinimum: boolean;
  readonly architecture: CpuArchitecture;
}

/** The syntax of any instance type name, known or not (`family.size`). */
export const INSTANCE_TYPE_SYNTAX = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

/** Facts about a known instance type, or undefined when the family or size is not one we can judge. */
export function describeInstanceType(instanceType: string): AgentInstanceTypeFacts | undefined {
  const [family, size, ...rest] = instanceType.split('.');
  if (rest.length > 0 || !KNOWN_FAMILIES.has(family) || !SIZE_PATTERN.test(size ?? '')) return undefined;
  return { family, size, belowAgentMinimum: SMALL_SIZES.has(size), architecture: architectureOfFamily(family) };
}

/**
 * Graviton families carry a `g` among the attribute letters after the generation digit (m6g, c7gn, t4g, is4gen),
 * plus the first-generation a1. GPU families start with g (g4dn) and are x86_64.
 */
export function architectureOfFamily(family: string): CpuArchitecture {
  if (family === 'a1') return 'arm64';
  const attributes = /^[a-z]+\d+([a-z-]*)$/.exec(family)?.[1] ?? '';
  return attributes.includes('g') ? 'arm64' : 'x86_64';
}

/** Instance types offered without CustomInstanceType (the seed's drop-down): known, with at least 4 vCPU. */
export function isOfferedInstanceType(instanceType: string): boolean {
  const facts = describeInstanceType(instanceType);
  return facts !== undefined && !facts.belowAgentMinimum;
}
