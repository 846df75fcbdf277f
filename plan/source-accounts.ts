/**
 * Many accounts, one collector: what each source account's stack builds, and how the collector shares its mirror
 * target with them, derived once from a validated configuration. Pure, like plan.ts.
 */
import { parsePortRange, sourceStackName, type BackendConfig, type MirroringConfig, type SourceAccount } from '../config';
import { STACK_TAG_KEY, derivesPortsFromTargets } from '../shared';
import type { SourcesPlan } from './plan';

/** The RAM share of the collector's mirror target (a filter cannot be shared: each source account has its own). */
export interface MirrorTargetSharePlan {
  /** Name of the resource share. */
  readonly name: string;
  /** The source accounts' IDs, or the one organization / OU ARN. */
  readonly principals: readonly string[];
  /** True when sharing with accounts one by one: they may be outside the collector's organization (and accept an invitation). */
  readonly allowExternalPrincipals: boolean;
}

/** One source account's stack: a filter with the collector's rules and a session Lambda toward the shared target. */
export interface SourceAccountPlan {
  /** `<StackName>-<AccountId>`: the stack, its state, the prefix of its names and its sessions' ownership tag. */
  readonly stackName: string;
  readonly accountId: string;
  /** The collector's account, which owns the shared target. */
  readonly collectorAccountId: string;
  /** The role the stack's provider assumes. */
  readonly roleArn: string;
  readonly region: string;
  /** The collector's state settings, the state file, key or workspace suffixed with `-<AccountId>`. */
  readonly backend: BackendConfig;
  /** Provider default tags: the configured Tags and `traceable:stack` = stackName. */
  readonly tags: Readonly<Record<string, string>>;
  readonly sources: Extract<SourcesPlan, { kind: 'sessions' }>;
  /** The filter's rules: the collector's listed ports, or derived at run time from this account's targets. */
  readonly mirror: { readonly tcpPorts: readonly { readonly from: number; readonly to: number }[]; readonly rulesManagedAtRunTime: boolean };
  /** Default of the stack's `mirror_target_id` variable (SharedMirrorTargetId), when the configuration has it. */
  readonly sharedTargetId?: string;
}

/** Name of the Terraform variable that carries the collector's target ID into a source stack. */
export const MIRROR_TARGET_ID_VARIABLE = 'mirror_target_id';


/** The share, or undefined without SourceAccounts. */
export function planMirrorTargetShare(config: MirroringConfig): MirrorTargetSharePlan | undefined {
  if (config.SourceAccounts.length === 0) return undefined;
  const byAccount = config.ShareMirrorTargetWith === 'accounts';
  return {
    name: `${config.StackName}-mirror-target`,
    principals: byAccount ? config.SourceAccounts.map((account) => account.AccountId) : [config.ShareMirrorTargetWith],
    allowExternalPrincipals: byAccount,
  };
}

/** A source stack's state: next to the collector's, told apart by the account. */
export function sourceBackend(backend: BackendConfig, accountId: string): BackendConfig {
  const suffixed = (name: string) => (name.endsWith('.tfstate') ? `${name.slice(0, -'.tfstate'.length)}-${accountId}.tfstate` : `${name}-${accountId}`);
  switch (backend.type) {
    case 'local':
      return backend.path === undefined ? backend : { ...backend, path: suffixed(backend.path) };
    case 's3':
      // Without a key each stack gets its own default key from its own name already.
      return backend.key === undefined ? backend : { ...backend, key: suffixed(backend.key) };
    case 'remote':
    case 'cloud':
      return { ...backend, workspace: `${backend.workspace}-${accountId}` };
  }
}

export function planSourceAccount(config: MirroringConfig, account: SourceAccount): SourceAccountPlan {
  const stackName = sourceStackName(config.StackName, account.AccountId);
  const tcpPortsFromTargets = config.MirrorTcpPortsFromTargets && derivesPortsFromTargets(account.MirrorSourceType);
  return {
    stackName,
    accountId: account.AccountId,
    collectorAccountId: config.AccountId,
    roleArn: account.RoleArn,
    region: account.Region,
    backend: sourceBackend(config.Backend, account.AccountId),
    tags: { ...config.Tags, [STACK_TAG_KEY]: stackName },
    sources: {
      kind: 'sessions',
      sourceType: account.MirrorSourceType,
      sources: account.MirrorSource,
      sourceVpcIds: account.MirrorSourceVpcId,
      mirrorUnhealthyTargets: config.MirrorUnhealthyTargets,
      sessionBudget: config.MirrorSessionBudget,
      tcpPortsFromTargets,
      timeoutSeconds: config.MirroringSessionLambdaTimeout,
      intervalMinutes: config.MirroringSessionLambdaInterval,
    },
    mirror: { tcpPorts: config.MirrorTcpPorts.map((item) => parsePortRange(item)!), rulesManagedAtRunTime: tcpPortsFromTargets },
    ...(config.SharedMirrorTargetId ? { sharedTargetId: config.SharedMirrorTargetId } : {}),
  };
}

/** Every source account's plan, in configuration order. */
export function planSourceAccounts(config: MirroringConfig): SourceAccountPlan[] {
  return config.SourceAccounts.map((account) => planSourceAccount(config, account));
}
