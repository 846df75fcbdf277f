/**
 * The capability set a container gets, computed as Docker computes it (moby's TweakCapabilities) from the rendered
 * `docker run` lines and from an ECS container definition's `linuxParameters.capabilities` (the ECS agent passes
 * them to Docker as CapAdd / CapDrop), in capsh's names (`cap_net_raw`), sorted.
 */

/** Docker's default set (moby oci/caps/defaults.go), granted unless dropped. */
export const DOCKER_DEFAULT_CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

const normalized = (capability: string) => capability.toUpperCase().replace(/^CAP_/, '');

/** The set from Docker's adds and drops: ALL dropped leaves the adds; otherwise the defaults less the drops, plus the
 * adds. A container given every capability (add ALL, privileged) is refused: no test of a block would make sense. */
export function containerCapabilities(add: readonly string[], drop: readonly string[]): string[] {
  const adds = add.map(normalized);
  const drops = drop.map(normalized);
  if (adds.includes('ALL')) throw new Error('a container is given every capability (ALL)');
  const kept = drops.includes('ALL') ? adds : [...DOCKER_DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds];
  return [...new Set(kept)].map((c) => `cap_${c.toLowerCase()}`).sort();
}

/** The `docker run` commands in a unit or script (continuation lines joined), as their words without quotes. */
export function dockerRunCommands(text: string): string[][] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/(?:^|[\s=])(?:\/usr\/bin\/)?docker run (.*)$/gm)].map((m) => m[1].split(/\s+/).map((word) => word.replace(/^"|"$/g, '')));
}

/** The capability set of a `docker run` command's words (`--cap-add X`, `--cap-add=X`, the same for `--cap-drop`). */
export function dockerRunCapabilities(words: readonly string[]): string[] {
  if (words.includes('--privileged')) throw new Error('a container runs --privileged');
  const values = (flag: string) =>
    words.flatMap((word, i) => (word === flag ? [words[i + 1]] : word.startsWith(`${flag}=`) ? [word.slice(flag.length + 1)] : []));
  return containerCapabilities(values('--cap-add'), values('--cap-drop'));
}

/** The capability set of an ECS container definition (`linuxParameters.capabilities`). */
export function ecsContainerCapabilities(definition: { privileged?: boolean; linuxParameters?: { capabilities?: { add?: string[]; drop?: string[] } } }): string[] {
  if (definition.privileged) throw new Error('a container is privileged');
  const { add = [], drop = [] } = definition.linuxParameters?.capabilities ?? {};
  return containerCapabilities(add, drop);
}
