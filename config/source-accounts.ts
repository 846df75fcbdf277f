/**
 * Many accounts, one collector: the source accounts whose interfaces are mirrored to the collector's target (shared
 * through AWS RAM). Each entry is checked key by key with the top-level keys' own schemas and source rules, then the
 * rules between accounts; problems are named `SourceAccounts[i].Key`.
 */
import { SESSION_SOURCE_TYPES, TARGET_PORT_SOURCE_TYPES, derivesPortsFromTargets, isSessionSourceType, type SessionSourceType } from '../shared';
import { derivedNamesProblem } from './aws-names';
import { checkEndpointVpcs } from './gateway-load-balancer';
import { inWords, mirrorSourceProblems } from './mirror-source-rules';
import { partitionOfRegion } from './regions';
import { ACCOUNT_ID, CONFIG_FIELDS, SOURCE_ACCOUNT_KEYS, type MirroringConfig, type SourceAccount } from './schema';
import { nameOf, own, show } from './show';

const ROLE_ARN = /^arn:(aws(-[a-z]+)*):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** Why a source type cannot be used in a source account (sessions are all a source stack makes). */
const REFUSED_IN_SOURCE_ACCOUNT: Record<string, string> = {
  MANUAL: 'MANUAL creates no sessions, so a source account would have nothing to deploy; send to the collector directly',
  FARGATE: "FARGATE's sidecars send to the collector's private Route53 name, which another account's VPC cannot resolve without a cross-account zone association this tool does not make",
};

/**
 * Checks `SourceAccounts` (and the keys that only mean something with it) and replaces `values.SourceAccounts` with
 * the validated list. Runs after every key was checked on its own.
 */
export function checkSourceAccounts(values: Partial<Record<keyof MirroringConfig, unknown>>, given: Record<string, unknown>, problems: string[]): void {
  const v = values as Partial<MirroringConfig>;
  const entries = (v.SourceAccounts ?? []) as readonly unknown[];
  if (entries.length === 0) {
    for (const key of ['SharedMirrorTargetId', 'ShareMirrorTargetWith', 'SharedEndpointServiceName'] as const) {
      const value = own(given, key);
      if (value !== undefined && value !== null && value !== CONFIG_FIELDS[key].default) {
        problems.push(`${key}: got ${show(value)}; expected it unset without SourceAccounts (it applies to the source accounts only)`);
      }
    }
    return;
  }
  if (v.AccountId === '') {
    problems.push("AccountId: required with SourceAccounts; expected the collector's 12-digit account ID (it owns the shared mirror target, and no source account may be it)");
  }
  const accounts: SourceAccount[] = [];
  const firstIndexOf = new Map<string, number>();
  // A StackName whose own names AWS refuses is reported once, as StackName.
  const checkSourceStackNames = v.StackName !== undefined && derivedNamesProblem(v.StackName) === undefined;
  entries.forEach((entry, index) => {
    const prefix = `SourceAccounts[${index}].`;
    const account = checkSourceAccount(prefix, entry, v, problems);
    if (!account) return;
    const earlier = firstIndexOf.get(account.AccountId);
    if (earlier !== undefined) {
      problems.push(`${prefix}AccountId: got ${show(account.AccountId)}; expected each account once (also SourceAccounts[${earlier}]): one source stack per account`);
      return;
    }
    firstIndexOf.set(account.AccountId, index);
    if (account.AccountId === v.AccountId) {
      problems.push(`${prefix}AccountId: got ${show(account.AccountId)}; expected an account other than the collector's AccountId (mirror the collector's own sources with the top-level MirrorSourceType and MirrorSource)`);
      return;
    }
    const stackName = checkSourceStackNames ? sourceStackName(v.StackName as string, account.AccountId) : undefined;
    const namesProblem = stackName === undefined ? undefined : derivedNamesProblem(stackName);
    if (namesProblem) {
      problems.push(`${prefix}AccountId: got ${show(account.AccountId)}; expected an account whose source stack ${show(stackName)} derives only names AWS accepts: ${namesProblem}`);
      return;
    }
    accounts.push(account);
  });
  values.SourceAccounts = accounts;
}

function checkSourceAccount(prefix: string, entry: unknown, v: Partial<MirroringConfig>, problems: string[]): SourceAccount | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push(`${prefix.slice(0, -1)}: got ${show(entry)}; expected an object with ${inWords(SOURCE_ACCOUNT_KEYS)}`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(entry)) {
    if (!(SOURCE_ACCOUNT_KEYS as readonly string[]).includes(key)) {
      problems.push(`${prefix}${nameOf(key)}: unknown key; expected ${inWords(SOURCE_ACCOUNT_KEYS)}`);
    }
  }
  const given = (key: string) => own(entry, key);
  const accountId = given('AccountId');
  if (accountId === undefined) problems.push(`${prefix}AccountId: required; expected a 12-digit AWS account ID such as 222233334444`);
  else if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) problems.push(`${prefix}AccountId: got ${show(accountId)}; expected a 12-digit AWS account ID such as 222233334444 (as a string)`);
  const account = typeof accountId === 'string' && ACCOUNT_ID.test(accountId) ? accountId : undefined;

  const region = given('Region') ?? v.Region;
  const regionResult = CONFIG_FIELDS.Region.schema.safeParse(region);
  if (!regionResult.success) {
    problems.push(`${prefix}Region: got ${show(region)}; expected ${regionResult.error.issues[0]?.message ?? CONFIG_FIELDS.Region.allowed}`);
  } else if (v.Region !== undefined && regionResult.data !== v.Region) {
    problems.push(`${prefix}Region: got ${show(region)}; expected the collector's Region ${v.Region} (RAM shares the mirror target in its own region only, and a session names a target of its region)`);
  }

  const role = given('RoleArn');
  const example = `arn:aws:iam::${account ?? '222233334444'}:role/traffic-mirroring-deploy`;
  const roleMatch = typeof role === 'string' ? ROLE_ARN.exec(role) : null;
  if (role === undefined || role === '') {
    problems.push(`${prefix}RoleArn: required; expected the ARN of the IAM role the source stack's provider assumes in that account, such as ${example}`);
  } else if (!roleMatch) {
    problems.push(`${prefix}RoleArn: got ${show(role)}; expected an IAM role ARN such as ${example}`);
  } else if (account !== undefined && roleMatch[3] !== account) {
    problems.push(`${prefix}RoleArn: got ${show(role)}; expected a role in the source account ${account} (the source stack deploys there)`);
  } else if (v.Region !== undefined && roleMatch[1] !== partitionOfRegion(v.Region)) {
    problems.push(`${prefix}RoleArn: got ${show(role)}; expected a role of the partition ${partitionOfRegion(v.Region)} (of Region ${v.Region})`);
  }

  const typeGiven = given('MirrorSourceType');
  const typeResult = CONFIG_FIELDS.MirrorSourceType.schema.safeParse(typeGiven);
  let type: SessionSourceType | undefined;
  if (typeGiven === undefined) problems.push(`${prefix}MirrorSourceType: required; expected ${sessionTypesInWords()}`);
  else if (!typeResult.success) problems.push(`${prefix}MirrorSourceType: got ${show(typeGiven)}; expected ${sessionTypesInWords()}`);
  else if (!isSessionSourceType(typeResult.data)) problems.push(`${prefix}MirrorSourceType: got ${show(typeGiven)}; expected ${sessionTypesInWords()} (${REFUSED_IN_SOURCE_ACCOUNT[typeResult.data]})`);
  else if (v.MirrorTcpPortsFromTargets === true && !derivesPortsFromTargets(typeResult.data)) {
    problems.push(`${prefix}MirrorSourceType: got ${show(typeGiven)}; expected a source type reached through target groups (${inWords(TARGET_PORT_SOURCE_TYPES)}) with MirrorTcpPortsFromTargets true (each account's filter derives its ports from its own target groups)`);
  } else type = typeResult.data;

  const listOf = (key: 'MirrorSource' | 'MirrorSourceVpcId'): string[] | undefined => {
    const value = given(key);
    if (value === undefined || value === null) return [];
    const result = CONFIG_FIELDS[key].schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(`${prefix}${key}: got ${show(value)}; expected ${result.error.issues[0]?.message ?? CONFIG_FIELDS[key].allowed}`);
    return undefined;
  };
  const source = listOf('MirrorSource');
  const vpcIds = listOf('MirrorSourceVpcId');
  if (type !== undefined) problems.push(...mirrorSourceProblems(prefix, type, { source, vpcIds }, entry));
  // Whether the mode allows them is checkMirrorTargetType's rule (it sees every account and the collector's VPCs).
  const endpoints = checkEndpointVpcs(`${prefix}GatewayLoadBalancerEndpoints`, given('GatewayLoadBalancerEndpoints'), new Map(), problems);

  if (problems.length > before || account === undefined || type === undefined || source === undefined || vpcIds === undefined || endpoints === undefined) return undefined;
  return { AccountId: account, RoleArn: role as string, Region: v.Region as string, MirrorSourceType: type, MirrorSource: source, MirrorSourceVpcId: vpcIds, GatewayLoadBalancerEndpoints: endpoints };
}

function sessionTypesInWords(): string {
  return `a source type with sessions: ${inWords(SESSION_SOURCE_TYPES)}`;
}

/** The stack (and state, and ownership tag) name of a source account. */
export function sourceStackName(stackName: string, accountId: string): string {
  return `${stackName}-${accountId}`;
}

/** Source stacks named like another configuration's stack (ignoring case, as IAM names do): they would share a folder and names. */
export function sourceStackNameProblems(loaded: readonly { path: string; config: MirroringConfig }[]): string[] {
  const byName = new Map(loaded.map((current) => [current.config.StackName.toLowerCase(), current]));
  return loaded.flatMap((current) =>
    current.config.SourceAccounts.flatMap((account, index) => {
      const name = sourceStackName(current.config.StackName, account.AccountId);
      const other = byName.get(name.toLowerCase());
      return other === undefined ? [] : [`${current.path}: SourceAccounts[${index}].AccountId: its source stack ${name} has the StackName of ${other.path}; expected stack names unique among the configurations, ignoring case as IAM does`];
    }),
  );
}
