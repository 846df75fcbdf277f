/**
 * Validating a configuration: every key against its schema (schema.ts), the keys refused with a reason, the rules
 * that tie keys together, and every problem reported at once with the key, the value given and what is allowed.
 */
import type { z } from 'zod';
import { MAX_CONFIG_FILE_BYTES, SHOWN_PATH_ENDS, findDuplicateKeys } from './config-file';
import { TARGET_PORT_SOURCE_TYPES, architectureOfFamily, derivesPortsFromTargets, describeInstanceType, tokenPutCommand } from '../shared';
import { derivedNamesProblem } from './aws-names';
import { inWords, mirrorSourceProblems } from './mirror-source-rules';
import { partitionOfRegion } from './regions';
import { CONFIG_FIELDS, MAX_FILTER_RULES_PER_DIRECTION, fromJsonObjectString, type ConfigKey, type FieldSpec, type MirroringConfig } from './schema';
import { keyPath, nameOf, own, show } from './show';
import { checkMirrorTargetType } from './gateway-load-balancer';
import { checkSourceAccounts } from './source-accounts';

/** Keys given twice in a JSON text, or none when it is not JSON (the schema then says what is wrong). */
function duplicateKeysOfJson(text: string): ReturnType<typeof findDuplicateKeys> {
  try {
    JSON.parse(text);
  } catch {
    return [];
  }
  return findDuplicateKeys(text);
}

/** Whether any string in a value (its object keys too) passes `test`; a 1 MiB file holds fewer nodes than the walk
 * visits. */
function holdsString(value: unknown, test: (text: string) => boolean): boolean {
  const pending: unknown[] = [value];
  for (let visited = 0; pending.length > 0 && visited < 1_000_000; visited++) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (test(item)) return true;
    } else if (typeof item === 'object' && item !== null) {
      for (const key of Object.keys(item)) pending.push(key, own(item, key));
    }
  }
  return false;
}

/** Whether a value holds `${` or `%{` anywhere (Terraform would evaluate it as an expression in the JSON it reads). */
const holdsTemplateSequence = (value: unknown) => holdsString(value, (text) => /[$%]\{/.test(text));

/** No string of a configuration is longer than its file may be: a longer one (given to parseConfig in code) is refused
 * by its length before any pattern runs over it (a full test run once got "RangeError: Maximum call stack size
 * exceeded" from the schema's pattern over a ten-million-character value, instead of this message). */
const isLongerThanAFile = (value: unknown) => holdsString(value, (text) => text.length > MAX_CONFIG_FILE_BYTES);

/** Keys of the seed template that are refused here, with the reason. */
const REFUSED_KEYS: Record<string, (value: unknown) => string | undefined> = {
  TraceableRefreshToken: (value) =>
    value === '' || value === undefined || value === null
      ? undefined
      : 'TraceableRefreshToken: the refresh token is a secret and is not accepted in the configuration file (it would land in files and state). ' +
        'Supply it one of two ways: (1) TraceableRefreshTokenSecretArn, the ARN of an existing Secrets Manager secret whose key is refresh_token; ' +
        `or (2) leave that key empty: the stack creates the secret without a value, and \`${tokenPutCommand()}\` puts the token once (read from stdin or a file).`,
};

/** A hostile file can hold thousands of problems; the message lists the first ones. */
const MAX_LISTED_PROBLEMS = 50;

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  - ${p}`);
    if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`  - … and ${problems.length - MAX_LISTED_PROBLEMS} more`);
    super(`Invalid configuration ${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${listed.join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ParsedConfig {
  readonly config: MirroringConfig;
  /** Accepted, but worth a look (printed by the app). */
  readonly warnings: readonly string[];
}

/** Validates a configuration object (or a CloudFormation parameters list); reports every problem at once. */
export function parseConfig(raw: unknown, source = '(inline)'): ParsedConfig {
  const input = Array.isArray(raw) ? fromCloudFormationParameters(raw, source) : raw;
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError(source, [`the file must hold a JSON object of parameters or a CloudFormation parameters list; got ${show(input)}`]);
  }
  const entries = input as Record<string, unknown>;
  const problems: string[] = [];
  const warnings: string[] = [];
  const values: Partial<Record<ConfigKey, unknown>> = {};
  const known = Object.keys(CONFIG_FIELDS) as ConfigKey[];

  for (const [key, value] of Object.entries(entries)) {
    const refusal = own(REFUSED_KEYS, key) as ((value: unknown) => string | undefined) | undefined;
    if (refusal) {
      const message = refusal(value);
      if (message) problems.push(message);
    } else if (!Object.hasOwn(CONFIG_FIELDS, key)) {
      // Suggestions only for the keys the message lists (thousands of unknown keys stay fast).
      const suggestion = problems.length < MAX_LISTED_PROBLEMS ? closestKey(key, known) : undefined;
      problems.push(`${nameOf(key)}: unknown parameter${suggestion ? ` (did you mean ${suggestion}?)` : ''}; allowed parameters: ${known.join(', ')}`);
    }
  }

  for (const key of known) {
    const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
    const given = own(entries, key);
    if (given === undefined || given === null) {
      if (spec.default === undefined) problems.push(`${key}: required; expected ${spec.allowed}`);
      else values[key] = spec.default;
      continue;
    }
    if (isLongerThanAFile(given)) {
      problems.push(`${key}: got ${show(given)}; expected ${spec.allowed}`);
      continue;
    }
    // Objects may come as JSON strings (CloudFormation passes strings): their keys, too, must be given once.
    const embeddedDuplicates = typeof given === 'string' && given.trimStart().startsWith('{') ? duplicateKeysOfJson(given) : [];
    if (embeddedDuplicates.length > 0) {
      problems.push(...embeddedDuplicates.map(({ path, omitted, key: duplicate }) => `${keyPath([key, ...path, duplicate], omitted, 1 + SHOWN_PATH_ENDS)}: given twice in the JSON string; expected each key once (JSON would silently keep the last value)`));
      continue;
    }
    if (holdsTemplateSequence(given)) {
      problems.push(`${key}: got ${show(given)}; expected no \${ or %{ anywhere (Terraform would read it as an expression)`);
      continue;
    }
    const result = spec.schema.safeParse(given);
    if (result.success) values[key] = result.data;
    else if (spec.nested) problems.push(...nestedProblems(key, fromJsonObjectString(given), result.error.issues, spec.allowed));
    else problems.push(...flatProblems(key, given, result.error.issues, spec.allowed));
  }

  checkCrossKeyRules(values, entries, problems, warnings);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { config: values as MirroringConfig, warnings };
}

/**
 * The problems of a value checked as a whole: the first issue, or every issue that says itself what it got
 * (`params.got`, as the Tags rules do, one per tag).
 */
function flatProblems(key: string, given: unknown, issues: readonly z.core.$ZodIssue[], allowed: string): string[] {
  const described = issues.filter((issue) => typeof (issue as { params?: { got?: unknown } }).params?.got === 'string');
  if (described.length > 0) return described.map((issue) => `${key}: got ${(issue as unknown as { params: { got: string } }).params.got}; expected ${issue.message}`);
  return [`${key}: got ${show(given)}; expected ${issues[0]?.message ?? allowed}`];
}

/** One problem per issue inside an object value, named by its path (`Backend.bucket`). */
function nestedProblems(key: string, value: unknown, issues: readonly z.core.$ZodIssue[], allowed: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${key}: got ${show(value)}; expected ${allowed}`];
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((unknown) => `${keyPath([key, ...issue.path.map(String), unknown])}: unknown key; expected ${issue.message}`);
    }
    const received = issue.path.reduce<unknown>((inner, step) => (typeof inner === 'object' && inner !== null ? own(inner, String(step)) : undefined), value);
    const name = keyPath([key, ...issue.path.map(String)]);
    return [received === undefined ? `${name}: required; expected ${issue.message}` : `${name}: got ${show(received)}; expected ${issue.message}`];
  });
}

/** Rules that tie keys together; each runs only when the keys it reads are valid on their own. */
function checkCrossKeyRules(
  values: Partial<Record<ConfigKey, unknown>>,
  given: Record<string, unknown>,
  problems: string[],
  warnings: string[],
): void {
  const v = values as Partial<MirroringConfig>;
  const type = v.MirrorSourceType;
  if (type !== undefined) {
    problems.push(...mirrorSourceProblems('', type, { source: v.MirrorSource, vpcIds: v.MirrorSourceVpcId }, given));
  }
  if (v.StackName !== undefined) {
    const namesProblem = derivedNamesProblem(v.StackName, v.SubnetIds ?? [], v.SameZoneDelivery === true);
    if (namesProblem) problems.push(`StackName: got ${show(v.StackName)}; expected a name from which AWS accepts every name the stack derives: ${namesProblem}`);
  }
  checkSourceAccounts(v, given, problems);
  checkMirrorTargetType(values, given, problems);
  if (type !== undefined && type !== 'FARGATE') {
    for (const key of ['Route53ZoneName', 'Route53ZoneId', 'Route53SubdomainName', 'FargatePacketForwarderImage'] as const) {
      const value = own(given, key);
      if (value !== undefined && value !== '' && value !== CONFIG_FIELDS[key].default) {
        const what = key === 'FargatePacketForwarderImage' ? 'the sidecar applies' : 'Route53 settings apply';
        problems.push(`${key}: got ${show(value)}; expected it unset with MirrorSourceType ${type} (${what} only to FARGATE)`);
      }
    }
  }
  if (v.MirroringSessionLambdaInterval !== undefined && v.MirroringSessionLambdaTimeout !== undefined) {
    if (v.MirroringSessionLambdaInterval * 60 <= v.MirroringSessionLambdaTimeout) {
      problems.push(
        `MirroringSessionLambdaInterval: got ${show(given.MirroringSessionLambdaInterval ?? v.MirroringSessionLambdaInterval)}; expected more minutes than MirroringSessionLambdaTimeout (${v.MirroringSessionLambdaTimeout} s), so runs never overlap: at least ${Math.floor(v.MirroringSessionLambdaTimeout / 60) + 1}`,
      );
    }
  }
  if (v.TraceableRefreshTokenSecretArn && v.Region !== undefined) {
    // The hosts read the secret in Region, and an ARN's partition follows its region.
    const [, partition, , secretRegion] = v.TraceableRefreshTokenSecretArn.split(':');
    if (secretRegion !== v.Region || partition !== partitionOfRegion(v.Region)) {
      problems.push(
        `TraceableRefreshTokenSecretArn: got ${show(v.TraceableRefreshTokenSecretArn)}; expected a secret in Region ${v.Region} (arn:${partitionOfRegion(v.Region)}:secretsmanager:${v.Region}:...), where the hosts read it; replicate the secret there`,
      );
    }
  }
  if (v.PermissionsBoundaryArn && v.Region !== undefined) {
    // IAM attaches a boundary only from the role's own account, and an ARN's partition follows its region.
    const [, partition, , , account] = v.PermissionsBoundaryArn.split(':');
    const problem = partition !== partitionOfRegion(v.Region) ? `the partition of Region ${v.Region} (arn:${partitionOfRegion(v.Region)}:iam::...)` : v.AccountId && account !== v.AccountId ? `a policy of AccountId ${v.AccountId}, where the roles are (IAM takes a boundary from the role's own account)` : undefined;
    if (problem) problems.push(`PermissionsBoundaryArn: got ${show(v.PermissionsBoundaryArn)}; expected ${problem}`);
  }
  if (v.SameZoneDelivery === true) {
    if (v.DeployTraceableAgentInECS === true) {
      problems.push(`SameZoneDelivery: got ${show(given.SameZoneDelivery)}; expected false with DeployTraceableAgentInECS true (one ECS service cannot scale each zone on its own; use the EC2 fleet for same-zone delivery)`);
    }
    const seen = new Set<string>();
    const repeated = (v.SubnetIds ?? []).filter((id) => seen.size === seen.add(id).size);
    if (repeated.length > 0) {
      problems.push(`SubnetIds: got ${show(given.SubnetIds)}; expected each subnet once with SameZoneDelivery true (one autoscaling group per subnet); repeated: ${[...new Set(repeated)].join(', ')}`);
    }
    if (type === 'FARGATE') {
      warnings.push('SameZoneDelivery: the FARGATE packet-forwarder sidecars send to the NLB\'s name, which resolves to its nodes in every zone, so their traffic still crosses zones; only the agents are kept per zone.');
    }
  }
  if (v.MirrorTcpPorts !== undefined && v.MirrorTcpPorts.length > MAX_FILTER_RULES_PER_DIRECTION) {
    problems.push(
      `MirrorTcpPorts: got ${show(given.MirrorTcpPorts)}; expected at most ${MAX_FILTER_RULES_PER_DIRECTION} ports or ranges (AWS allows ${MAX_FILTER_RULES_PER_DIRECTION} traffic mirror filter rules per direction and each entry takes one); ${v.MirrorTcpPorts.length} given: merge neighbours into ranges such as 8000-8099`,
    );
  }
  if (v.MirrorTcpPortsFromTargets === true && type !== undefined) {
    if (!derivesPortsFromTargets(type)) {
      problems.push(`MirrorTcpPortsFromTargets: got ${show(given.MirrorTcpPortsFromTargets)}; expected false with MirrorSourceType ${type} (ports are derived from target groups: ${inWords(TARGET_PORT_SOURCE_TYPES)} only)`);
    } else if ((v.MirrorTcpPorts ?? []).length > 0) {
      problems.push(`MirrorTcpPortsFromTargets: got ${show(given.MirrorTcpPortsFromTargets)}; expected false when MirrorTcpPorts is set (choose listed or derived ports)`);
    }
  }
  if (v.CustomInstanceType !== undefined && v.CustomInstanceType !== '') {
    const facts = describeInstanceType(v.CustomInstanceType);
    if (facts === undefined) {
      warnings.push(`CustomInstanceType: "${v.CustomInstanceType}" is not a type whose size this tool knows; make sure it has at least 4 vCPU and 8 GiB (the agent's requirement).`);
    } else if (facts.belowAgentMinimum) {
      problems.push(`CustomInstanceType: got ${show(given.CustomInstanceType)}; expected an instance type with at least 4 vCPU and 8 GiB (size xlarge or larger): "${facts.size}" has fewer than 4 vCPU`);
    }
  }
  if (v.CustomAMI === '' && v.CustomAMIOperatingSystem !== undefined && v.CustomAMIOperatingSystem !== 'amazon-linux-2023') {
    problems.push(`CustomAMIOperatingSystem: got ${show(given.CustomAMIOperatingSystem)}; expected "amazon-linux-2023" without CustomAMI (the default AMI is the latest Amazon Linux 2023)`);
  }
  if (v.DeployTraceableAgentInECS === true && v.CustomAMIOperatingSystem === 'ubuntu') {
    problems.push('CustomAMIOperatingSystem: got "ubuntu"; expected "amazon-linux-2023" with DeployTraceableAgentInECS true (the ECS fleet needs an ECS-optimized Amazon Linux 2023 AMI)');
  }
  const instanceType = effectiveInstanceType(v);
  if (instanceType !== undefined && v.CustomAMIArchitecture) {
    const [family] = instanceType.split('.');
    const architecture = architectureOfFamily(family);
    if (v.CustomAMI === '') {
      problems.push(`CustomAMIArchitecture: got ${show(v.CustomAMIArchitecture)}; expected "" without CustomAMI (the default AMI follows the instance type)`);
    } else if (architecture !== v.CustomAMIArchitecture) {
      problems.push(
        `CustomAMI: ${v.CustomAMI} is ${v.CustomAMIArchitecture} but instance type ${instanceType} is ${architecture}; choose an AMI and an instance type of the same architecture`,
      );
    }
  }
}

/** The instance type the fleet runs: CustomInstanceType when set, else InstanceType. */
export function effectiveInstanceType(config: Partial<Pick<MirroringConfig, 'InstanceType' | 'CustomInstanceType'>>): string | undefined {
  return config.CustomInstanceType ? config.CustomInstanceType : config.InstanceType;
}

/** Converts `[{"ParameterKey": "...", "ParameterValue": "..."}]` (aws cloudformation --parameters file://) to an object. */
export function fromCloudFormationParameters(list: readonly unknown[], source: string): Record<string, unknown> {
  const problems: string[] = [];
  // No prototype: a ParameterKey of __proto__ or constructor is an ordinary (unknown) key.
  const result: Record<string, unknown> = Object.create(null);
  list.forEach((entry, index) => {
    const item = entry as { ParameterKey?: unknown; ParameterValue?: unknown; UsePreviousValue?: unknown };
    if (typeof item !== 'object' || item === null || typeof item.ParameterKey !== 'string') {
      problems.push(`parameter #${index + 1}: got ${show(entry)}; expected {"ParameterKey": "...", "ParameterValue": "..."}`);
    } else if (item.UsePreviousValue === true || item.UsePreviousValue === 'true') {
      problems.push(`${nameOf(item.ParameterKey)}: UsePreviousValue has no meaning here (there is no previous CloudFormation stack); give ParameterValue`);
    } else if (Object.hasOwn(result, item.ParameterKey)) {
      problems.push(`${nameOf(item.ParameterKey)}: given twice in the parameters list`);
    } else {
      result[item.ParameterKey] = item.ParameterValue ?? '';
    }
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result;
}

/** The nearest known key within a small edit distance, for "did you mean". */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
