/**
 * Many accounts, one collector: what each source account's stack builds, derived once from a validated
 * configuration. Pure, like plan.ts (which plans the collector's share of its target).
 */
import { sourceStackName, type BackendConfig, type MirroringConfig, type SourceAccount } from '../config';
import { derivesPortsFromTargets } from '../shared';
import { endpointVpcsOf, mirrorTcpPortsOf, permissionsBoundaryArn, sessionsPlan, stackTagsOf, type EndpointVpcPlan, type SourcesPlan } from './plan';

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
  /** The permissions boundary of the stack's roles, a policy of this account (see permissionsBoundaryArn). */
  readonly permissionsBoundaryArn: string;
  readonly sources: Extract<SourcesPlan, { kind: 'sessions' }>;
  /** The filter's rules: the collector's listed ports, or derived at run time from this account's targets. */
  readonly mirror: { readonly tcpPorts: readonly { readonly from: number; readonly to: number }[]; readonly rulesManagedAtRunTime: boolean };
  /** Default of the stack's `mirror_target_id` variable (SharedMirrorTargetId), when the configuration has it (NLB only). */
  readonly sharedTargetId?: string;
  /** What the sessions target: the collector's shared NLB target, or this account's own endpoints of the collector's GWLB service. */
  readonly mirrorTarget: SourceMirrorTargetPlan;
}

export type SourceMirrorTargetPlan =
  | { readonly kind: 'shared-target' }
  | {
      readonly kind: 'gwlb-endpoints';
      /** This account's endpoint VPCs (its GatewayLoadBalancerEndpoints). */
      readonly endpoints: readonly EndpointVpcPlan[];
      /** Default of the stack's `endpoint_service_name` variable (SharedEndpointServiceName), when the configuration has it. */
      readonly sharedEndpointServiceName?: string;
    };

/** Name of the Terraform variable that carries the collector's endpoint service name into a source stack (GWLB_ENDPOINT). */
export const ENDPOINT_SERVICE_NAME_VARIABLE = 'endpoint_service_name';

/** Name of the Terraform variable that carries the collector's target ID into a source stack. */
export const MIRROR_TARGET_ID_VARIABLE = 'mirror_target_id';

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
    tags: stackTagsOf(config, stackName),
    permissionsBoundaryArn: permissionsBoundaryArn(config, stackName, account.AccountId)!,
    sources: sessionsPlan(config, { sourceType: account.MirrorSourceType, sources: account.MirrorSource, sourceVpcIds: account.MirrorSourceVpcId, tcpPortsFromTargets }),
    mirror: { tcpPorts: mirrorTcpPortsOf(config), rulesManagedAtRunTime: tcpPortsFromTargets },
    ...(config.SharedMirrorTargetId ? { sharedTargetId: config.SharedMirrorTargetId } : {}),
    mirrorTarget:
      config.MirrorTargetType === 'GWLB_ENDPOINT'
        ? { kind: 'gwlb-endpoints', endpoints: endpointVpcsOf(account.GatewayLoadBalancerEndpoints), ...(config.SharedEndpointServiceName ? { sharedEndpointServiceName: config.SharedEndpointServiceName } : {}) }
        : { kind: 'shared-target' },
  };
}

/** Every source account's plan, in configuration order. */
export function planSourceAccounts(config: MirroringConfig): SourceAccountPlan[] {
  return config.SourceAccounts.map((account) => planSourceAccount(config, account));
}
