/**
 * What a container may do, read from where it is declared: the `docker run` of an EC2 unit or script and the container
 * definitions of the synthesized ECS task (the ECS agent passes `linuxParameters.capabilities` to Docker as CapAdd /
 * CapDrop). For the tests that check those declarations and run processes with exactly these sets.
 */
import { resource, type TerraformJson } from './synth';

/** The `docker run` commands in a unit or script (continuation lines joined), as their words without quotes. */
export function dockerRunCommands(text: string): string[][] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/(?:^|[\s=])(?:\/usr\/bin\/)?docker run (.*)$/gm)].map((m) => m[1].trim().split(/\s+/).map((word) => word.replace(/^"|"$/g, '')));
}

/** The arguments of the one `docker run` of a unit or script. */
export function dockerRunArguments(unitOrScript: string): string[] {
  const commands = dockerRunCommands(unitOrScript);
  if (commands.length !== 1) throw new Error(`expected one docker run, found ${commands.length}`);
  return commands[0];
}

/** The synthesized ECS task's container definitions by name. */
export function ecsContainerDefinitions(json: TerraformJson): Record<string, Record<string, any>> {
  const definitions = JSON.parse(resource(json, 'aws_ecs_task_definition', 'ecs_fleet_task_definition').container_definitions) as { name: string }[];
  return Object.fromEntries(definitions.map((definition) => [definition.name, definition]));
}

/** Every value given to `option` (`--cap-add X --cap-add=Y` gives [X, Y]), in order. */
export function optionValues(args: readonly string[], option: string): string[] {
  return args.flatMap((arg, i) => (arg === option ? [args[i + 1]] : arg.startsWith(`${option}=`) ? [arg.slice(option.length + 1)] : []));
}

/** The capabilities a container gets, as Docker and ECS name them: what it drops and what it adds back. */
export interface CapabilitySet {
  drop: string[];
  add: string[];
}

/** From `--cap-drop` and `--cap-add` (Docker takes any case; upper-cased as ECS writes them). A privileged container
 * has every capability: refused, no test of a boundary would make sense. */
export function dockerCapabilities(args: readonly string[]): CapabilitySet {
  if (args.includes('--privileged')) throw new Error('a container runs --privileged');
  const upper = (values: string[]) => values.map((value) => value.toUpperCase());
  return { drop: upper(optionValues(args, '--cap-drop')), add: upper(optionValues(args, '--cap-add')) };
}

/** From an ECS container definition's `linuxParameters.capabilities` (no `add`: none). */
export function ecsCapabilities(container: { privileged?: boolean; linuxParameters?: { capabilities?: Partial<CapabilitySet> } }): CapabilitySet {
  if (container.privileged) throw new Error('a container is privileged');
  const capabilities = container.linuxParameters?.capabilities ?? {};
  return { drop: capabilities.drop ?? [], add: capabilities.add ?? [] };
}

/** Docker's default set (moby oci/caps/defaults.go), granted unless dropped. */
export const DOCKER_DEFAULT_CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** The set a container ends up with, computed as Docker does (moby's TweakCapabilities): ALL dropped leaves the adds;
 * otherwise the defaults less the drops, plus the adds. In capsh's names (`cap_net_raw`), sorted. */
export function effectiveCapabilities(set: CapabilitySet): string[] {
  const normalized = (capability: string) => capability.toUpperCase().replace(/^CAP_/, '');
  const adds = set.add.map(normalized);
  const drops = set.drop.map(normalized);
  if (adds.includes('ALL')) throw new Error('a container is given every capability (ALL)');
  const kept = drops.includes('ALL') ? adds : [...DOCKER_DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c)), ...adds];
  return [...new Set(kept)].map((c) => `cap_${c.toLowerCase()}`).sort();
}

/** setpriv's `--bounding-set` for exactly `set` on top of dropping ALL (root's capabilities after exec are its bounding set). */
export function setprivBoundingSet(set: CapabilitySet): string {
  if (set.drop.join() !== 'ALL') throw new Error(`expected a set that drops ALL, got drop ${set.drop.join(',')}`);
  return ['-all', ...set.add.map((name) => `+${name.toLowerCase()}`)].join(',');
}

/** Linux's capability numbers (include/uapi/linux/capability.h) of the names used here. */
const CAPABILITY_NUMBERS: Record<string, number> = { NET_ADMIN: 12, NET_RAW: 13, IPC_LOCK: 14, SETUID: 7, SETGID: 6, SETPCAP: 8, SYS_NICE: 23 };

/** The /proc/<pid>/status mask (CapEff, CapBnd: 16 hex digits) of exactly these capabilities. */
export function capabilityMask(names: string[]): string {
  const mask = names.reduce((bits, name) => {
    const number = CAPABILITY_NUMBERS[name];
    if (number === undefined) throw new Error(`unknown capability ${name}`);
    return bits | (1n << BigInt(number));
  }, 0n);
  return mask.toString(16).padStart(16, '0');
}
