import type { SourceInstanceTypeFacts, SkipReason } from './types';

/**
 * Xen instance families that do support Traffic Mirroring; every other Xen family does not (T2 included).
 * Source: AWS, "Traffic Mirroring limitations" (docs.aws.amazon.com/vpc/latest/mirroring/traffic-mirroring-network-limitations.html),
 * and the seed template's support matrix.
 */
const XEN_FAMILIES_WITH_MIRRORING: ReadonlySet<string> = new Set([
  'c4', 'd2', 'g3', 'g3s', 'h1', 'i3', 'm4', 'p2', 'p3', 'r4', 'x1', 'x1e',
]);

/**
 * Virtualized Nitro families AWS lists as not supporting Traffic Mirroring as a source, as of the page
 * "Traffic Mirroring limitations" (docs.aws.amazon.com/vpc/latest/mirroring/traffic-mirroring-network-limitations.html):
 *   General purpose: M8g, M6a, M6i, M6id, M6idn, M6in, M7a, M7g, M7gd, M7i, M7i-flex
 *   Compute optimized: C8g, C6a, C6gd, C6gn, C6i, C6id, C6in, C7a, C7g, C7gd, C7gn, C7i
 *   Memory optimized: R8g, R6a, R6i, R6id, R6idn, R6in, R7a, R7g, R7gd, R7i, R7iz, X8g, X2idn, X2iedn, X2iezn
 *   Storage optimized: I4g, I4i, Im4gn, Is4gen
 *   Accelerated computing: Inf2, P5, Trn1, Trn1n
 *   High-performance computing: Hpc6a, Hpc6id, Hpc7a, Hpc7g
 * The list grows; it is only a pre-filter. EC2's `NetworkInterfaceNotSupported` on create stays the final word.
 */
const NITRO_FAMILIES_WITHOUT_MIRRORING: ReadonlySet<string> = new Set([
  'm8g', 'm6a', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7a', 'm7g', 'm7gd', 'm7i', 'm7i-flex',
  'c8g', 'c6a', 'c6gd', 'c6gn', 'c6i', 'c6id', 'c6in', 'c7a', 'c7g', 'c7gd', 'c7gn', 'c7i',
  'r8g', 'r6a', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7a', 'r7g', 'r7gd', 'r7i', 'r7iz', 'x8g', 'x2idn', 'x2iedn', 'x2iezn',
  'i4g', 'i4i', 'im4gn', 'is4gen',
  'inf2', 'p5', 'trn1', 'trn1n',
  'hpc6a', 'hpc6id', 'hpc7a', 'hpc7g',
]);

/** `m6i.large` -> `m6i`; `m7i-flex.xlarge` -> `m7i-flex`. */
function instanceFamily(instanceType: string): string {
  return instanceType.split('.')[0].toLowerCase();
}

/**
 * Why an instance type cannot be a mirror source, or undefined when it can (as far as we know before asking EC2).
 * @param facts DescribeInstanceTypes facts; when absent only the documented family lists decide.
 * @param rejectedByEc2 types for which EC2 answered `NetworkInterfaceNotSupported` earlier in this run.
 */
export function instanceTypeSkipReason(
  instanceType: string,
  facts: SourceInstanceTypeFacts | undefined,
  rejectedByEc2: ReadonlySet<string> = new Set(),
): SkipReason | undefined {
  if (rejectedByEc2.has(instanceType)) return 'instance-type-rejected-by-ec2';
  const family = instanceFamily(instanceType);
  if (facts?.bareMetal || instanceType.endsWith('.metal') || /\.metal-/.test(instanceType)) return 'instance-bare-metal';
  if (facts?.hypervisor === 'xen' && !XEN_FAMILIES_WITH_MIRRORING.has(family)) return 'instance-type-xen-not-supported';
  if (NITRO_FAMILIES_WITHOUT_MIRRORING.has(family)) return 'instance-type-not-supported';
  return undefined;
}
