/**
 * What a container may do, read from where it is declared: the `docker run` of an EC2 unit and the container
 * definitions of the synthesized ECS task. For the tests that run processes with exactly these sets.
 */
import { resource, type TerraformJson } from './synth';

/** The `docker run` arguments of a unit's ExecStart or a script's `exec docker run`, one element each, split at blanks
 * (continuation lines joined; the options read here are unquoted). */
export function dockerRunArguments(unitOrScript: string): string[] {
  const line = /^(?:ExecStart=\/usr\/bin\/docker|exec docker) run (.*)$/m.exec(unitOrScript.replace(/ \\\n\s*/g, ' '));
  if (!line) throw new Error('no ExecStart=/usr/bin/docker run or exec docker run');
  return line[1].split(/\s+/);
}

/** The synthesized ECS task's container definitions by name. */
export function ecsContainerDefinitions(json: TerraformJson): Record<string, Record<string, any>> {
  const definitions = JSON.parse(resource(json, 'aws_ecs_task_definition', 'ecs_fleet_task_definition').container_definitions) as { name: string }[];
  return Object.fromEntries(definitions.map((definition) => [definition.name, definition]));
}

/** Every value given to `option` (`--cap-add X --cap-add Y` gives [X, Y]), in order. */
export function optionValues(args: string[], option: string): string[] {
  return args.flatMap((arg, i) => (arg === option ? [args[i + 1]] : []));
}

/** The capabilities a container gets, as Docker and ECS name them: what it drops and what it adds back. */
export interface CapabilitySet {
  drop: string[];
  add: string[];
}

/** From `--cap-drop` and `--cap-add` (Docker takes any case; upper-cased as ECS writes them). */
export function dockerCapabilities(args: string[]): CapabilitySet {
  const upper = (values: string[]) => values.map((value) => value.toUpperCase());
  return { drop: upper(optionValues(args, '--cap-drop')), add: upper(optionValues(args, '--cap-add')) };
}

/** From an ECS container definition's `linuxParameters.capabilities` (no `add`: none). */
export function ecsCapabilities(container: { linuxParameters?: { capabilities?: Partial<CapabilitySet> } }): CapabilitySet {
  const capabilities = container.linuxParameters?.capabilities ?? {};
  return { drop: capabilities.drop ?? [], add: capabilities.add ?? [] };
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
