/**
 * The deployment plan: every fact the constructs, the doctor and render:bootstrap need, derived once from a validated
 * configuration. Pure (no cdktf, no provider, no AWS call): the constructs compose resources from it and derive
 * nothing again; a new source type or fleet kind is a new member of a union, so every `switch` over it must say
 * what it does with it.
 */
import type { BootstrapProps } from '../bootstrap';
import { effectiveInstanceType, parsePortRange, partitionOfRegion, type MirroringConfig } from '../config';
import {
  STACK_TAG_KEY,
  agentGroupNames,
  architectureOfFamily,
  boundaryPolicyName,
  createdTokenSecretName,
  isSessionSourceType,
  resourceNames,
  type CpuArchitecture,
  type EndpointVpc,
  type SessionSourceType,
} from '../shared';

/** Where the mirrored traffic comes from, and what the stack builds for it. */
export type SourcesPlan =
  /** The session Lambda discovers the sources and keeps mirror sessions toward the target in step. */
  | {
      readonly kind: 'sessions';
      readonly sourceType: SessionSourceType;
      /** MirrorSource: names, tag selectors, target groups, or the one cluster. */
      readonly sources: readonly string[];
      readonly sourceVpcIds: readonly string[];
      readonly mirrorUnhealthyTargets: boolean;
      readonly sessionBudget: number;
      readonly tcpPortsFromTargets: boolean;
      readonly timeoutSeconds: number;
      readonly intervalMinutes: number;
    }
  /** Fargate tasks cannot be mirror sources: their packet-forwarder sidecars send to a private name of the NLB. */
  | {
      readonly kind: 'fargate';
      readonly sourceVpcIds: readonly string[];
      readonly zoneName: string;
      /** An existing private zone to hold the record, instead of a created one. */
      readonly existingZoneId?: string;
      readonly recordName: string;
      readonly sidecarImage?: string;
    }
  /** The user creates the sessions: the stack builds the target, the filter and the fleet only. */
  | { readonly kind: 'manual' };

/** What the mirrored sources send to (MirrorTargetType). */
export type MirrorTargetPlan =
  /** The collector's internal NLB with a UDP 4789 listener: one traffic mirror target. */
  | { readonly kind: 'nlb' }
  /** A Gateway Load Balancer whose endpoint service has an endpoint and a traffic mirror target in each listed subnet. */
  | {
      readonly kind: 'gwlb-endpoints';
      /** GatewayLoadBalancerCidrs: where the GWLB's nodes are, the only senders the agent hosts admit. */
      readonly gatewayLoadBalancerCidrs: readonly string[];
      /** The collector account's endpoint VPCs (GatewayLoadBalancerEndpoints). */
      readonly endpoints: readonly EndpointVpcPlan[];
      /** The endpoint service's allowed principals: the root of the collector's and each source account. */
      readonly allowedPrincipals: readonly string[];
    };

/** One source VPC of GWLB_ENDPOINT mode: an endpoint and a traffic mirror target in each subnet. */
export interface EndpointVpcPlan {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

/** The session Lambda's settings of a sessions plan (its fields are the construct's props of the same names). */
export function sessionSettingsOf(sources: Extract<SourcesPlan, { kind: 'sessions' }>): Omit<typeof sources, 'kind'> {
  const { kind: _kind, ...settings } = sources;
  return settings;
}

/** Where the refresh token lives: a secret the user made, or one the stack creates without a value (`npm run token:put` puts it). */
export type TokenSecretPlan =
  | { readonly kind: 'existing'; readonly arn: string }
  | {
      readonly kind: 'created';
      /** Name of the created secret (what the hosts pass to GetSecretValue). */
      readonly name: string;
      readonly recoveryWindowDays: number;
    };

/** What the two fleet kinds share: the hosts and what they run. */
interface FleetHosts {
  readonly instanceType: string;
  readonly architecture: CpuArchitecture;
  /** An AMI ID, or EC2's `resolve:ssm:` parameter of the default AMI (no data source). */
  readonly imageId: string;
  readonly rootDeviceName: string;
  readonly keyName?: string;
  readonly maxSize: number;
  readonly targetUtilization: number;
  /** What the hosts (or the ECS task) are rendered from. */
  readonly bootstrap: BootstrapProps;
  /** The autoscaling groups' names, in SubnetIds order with per-subnet groups. */
  readonly agentGroupNames: readonly string[];
}

/** The agent fleet: an EC2 autoscaling group (or one per subnet), or an ECS service on EC2 capacity. */
export type FleetPlan = (FleetHosts & { readonly kind: 'ec2'; readonly perSubnetGroups: boolean }) | (FleetHosts & { readonly kind: 'ecs' });

/** The stack's outputs, by name (the Terraform output names of the standalone app). */
export type OutputName =
  | 'mirror_target_id'
  | 'mirror_filter_id'
  | 'nlb_arn'
  | 'nlb_dns_name'
  | 'autoscaling_group_name'
  | 'token_secret_arn'
  | 'alarm_topic_arn'
  | 'ecs_cluster_name'
  | 'ecs_service_name'
  | 'fargate_target_fqdn'
  | 'fargate_sidecar_container_definition'
  | 'example_mirror_session_command'
  | 'gateway_load_balancer_arn'
  | 'endpoint_service_name'
  | 'mirror_target_ids';

export interface OutputPlan {
  readonly name: OutputName;
  readonly description: string;
}

export interface DeploymentPlan {
  readonly stackName: string;
  readonly region: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** What every taggable resource carries: the configured Tags and `traceable:stack` = StackName. */
  readonly tags: Readonly<Record<string, string>>;
  /** Names of the resources tools outside Terraform look up (doctor, operators' scripts). */
  readonly names: ReturnType<typeof resourceNames>;
  readonly tokenSecret: TokenSecretPlan;
  /** The permissions boundary of every role the stack creates (see {@link permissionsBoundaryArn}); none without one. */
  readonly permissionsBoundaryArn?: string;
  readonly alarmTopic: { readonly kind: 'existing'; readonly arn: string } | { readonly kind: 'created' };
  readonly mirror: {
    readonly sourceCidrs: readonly string[];
    readonly tcpPorts: readonly { readonly from: number; readonly to: number }[];
    readonly rulesManagedAtRunTime: boolean;
    readonly sameZoneDelivery: boolean;
  };
  readonly fleet: FleetPlan;
  readonly sources: SourcesPlan;
  readonly mirrorTarget: MirrorTargetPlan;
  /** With SourceAccounts and an NLB target: the RAM share of the mirror target with them. */
  readonly mirrorTargetShare?: MirrorTargetSharePlan;
  /** The outputs to declare, in order. */
  readonly outputs: readonly OutputPlan[];
}

/** Root device of the supported AMI families. */
const ROOT_DEVICE_NAME = { 'amazon-linux-2023': '/dev/xvda', ubuntu: '/dev/sda1' } as const;

/** What the hosts pass to GetSecretValue: a plain string known at synth (the given ARN, or the created secret's name). */
export function tokenSecretId(secret: TokenSecretPlan): string {
  return secret.kind === 'existing' ? secret.arn : secret.name;
}

/** The ECS-optimized Amazon Linux 2023 AMI for an architecture, resolved by EC2 at launch (no data source). */
export function ecsOptimizedImageId(architecture: CpuArchitecture): string {
  const variant = architecture === 'arm64' ? 'arm64/' : '';
  return `resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/${variant}recommended/image_id`;
}

/** The latest Amazon Linux 2023 AMI for an architecture, resolved by EC2 at launch. */
export function amazonLinuxImageId(architecture: CpuArchitecture): string {
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/**
 * What the agent hosts need at boot, from a configuration. The secret is named by a plain string known at synth
 * (see {@link tokenSecretId}), so user data holds no Terraform reference.
 */
export function bootstrapPropsOf(config: MirroringConfig): BootstrapProps {
  const names = resourceNames(config.StackName);
  return {
    region: config.Region,
    tokenSecretId: tokenSecretId(tokenSecretPlan(config)),
    traceableEnvironment: config.TraceableEnvironment,
    traceableServiceName: config.TraceableServiceName,
    traceableApiEndpoint: config.TraceableAPIEndpoint,
    traceableAgentVersion: config.TraceableAgentVersion,
    traceableAgentImage: config.TraceableAgentImage || undefined,
    suricataImage: config.SuricataImage,
    agentGroupName: names.agentGroup,
    metricsLogGroupName: names.hostMetricsLogGroup,
    feedMode: config.AgentFeed,
    httpBodyLimit: config.HttpBodyLimit,
    ...(config.MirrorTargetType === 'GWLB_ENDPOINT' ? { geneveSourceCidrs: config.GatewayLoadBalancerCidrs } : {}),
  };
}

function tokenSecretPlan(config: MirroringConfig): TokenSecretPlan {
  return config.TraceableRefreshTokenSecretArn
    ? { kind: 'existing', arn: config.TraceableRefreshTokenSecretArn }
    : { kind: 'created', name: createdTokenSecretName(config.StackName), recoveryWindowDays: config.TokenSecretRecoveryWindowDays };
}

/** The session Lambda's plan for one set of sources; the rest of its settings are the configuration's (collector and source accounts alike). */
export function sessionsPlan(
  config: MirroringConfig,
  selection: { readonly sourceType: SessionSourceType; readonly sources: readonly string[]; readonly sourceVpcIds: readonly string[]; readonly tcpPortsFromTargets: boolean },
): Extract<SourcesPlan, { kind: 'sessions' }> {
  return {
    kind: 'sessions',
    ...selection,
    mirrorUnhealthyTargets: config.MirrorUnhealthyTargets,
    sessionBudget: config.MirrorSessionBudget,
    timeoutSeconds: config.MirroringSessionLambdaTimeout,
    intervalMinutes: config.MirroringSessionLambdaInterval,
  };
}

/** The filter's TCP port ranges (MirrorTcpPorts, validated). */
export function mirrorTcpPortsOf(config: MirroringConfig): { from: number; to: number }[] {
  return config.MirrorTcpPorts.map((item) => parsePortRange(item)!);
}

/** What every taggable resource of a stack carries: the configured Tags and `traceable:stack`. */
export function stackTagsOf(config: MirroringConfig, stackName: string): Record<string, string> {
  return { ...config.Tags, [STACK_TAG_KEY]: stackName };
}

function sourcesPlan(config: MirroringConfig): SourcesPlan {
  const sourceType = config.MirrorSourceType;
  if (isSessionSourceType(sourceType)) {
    return sessionsPlan(config, { sourceType, sources: config.MirrorSource, sourceVpcIds: config.MirrorSourceVpcId, tcpPortsFromTargets: config.MirrorTcpPortsFromTargets });
  }
  // What is not a session type: a new MirrorSourceType fails to compile here until it is decided.
  switch (sourceType) {
    case 'FARGATE':
      return {
        kind: 'fargate',
        sourceVpcIds: config.MirrorSourceVpcId,
        zoneName: config.Route53ZoneName,
        existingZoneId: config.Route53ZoneId || undefined,
        recordName: config.Route53SubdomainName,
        sidecarImage: config.FargatePacketForwarderImage || undefined,
      };
    case 'MANUAL':
      return { kind: 'manual' };
    default:
      return unhandled(sourceType);
  }
}

function fleetPlan(config: MirroringConfig): FleetPlan {
  const instanceType = effectiveInstanceType(config) ?? config.InstanceType;
  const architecture = architectureOfFamily(instanceType.split('.')[0]);
  const hosts = {
    instanceType,
    architecture,
    rootDeviceName: ROOT_DEVICE_NAME[config.CustomAMIOperatingSystem],
    keyName: config.KeyName || undefined,
    maxSize: config.AutoscalingMaxSize,
    targetUtilization: config.AutoscalingTargetValue,
    bootstrap: bootstrapPropsOf(config),
  };
  // DeployTraceableAgentInECS: the same hosts and configuration, run as an ECS service.
  if (config.DeployTraceableAgentInECS) {
    return { kind: 'ecs', ...hosts, imageId: config.CustomAMI || ecsOptimizedImageId(architecture), agentGroupNames: agentGroupNames(config.StackName, config.SubnetIds, false) };
  }
  return {
    kind: 'ec2',
    ...hosts,
    imageId: config.CustomAMI || amazonLinuxImageId(architecture),
    perSubnetGroups: config.SameZoneDelivery,
    agentGroupNames: agentGroupNames(config.StackName, config.SubnetIds, config.SameZoneDelivery),
  };
}

/** The outputs naming the mirror target(s): the NLB's, or the Gateway Load Balancer's and its endpoints' targets. */
function targetOutputsOf(target: MirrorTargetPlan): OutputPlan[] {
  switch (target.kind) {
    case 'nlb':
      return [
        { name: 'mirror_target_id', description: 'Traffic mirror target (the NLB) for mirror sessions' },
        { name: 'mirror_filter_id', description: 'Traffic mirror filter for mirror sessions' },
        { name: 'nlb_arn', description: 'ARN of the mirror target network load balancer' },
        { name: 'nlb_dns_name', description: 'DNS name of the mirror target network load balancer' },
      ];
    case 'gwlb-endpoints':
      return [
        { name: 'mirror_target_ids', description: "Traffic mirror targets (Gateway Load Balancer endpoints) by endpoint subnet: a session names its interface's VPC's" },
        { name: 'mirror_filter_id', description: 'Traffic mirror filter for mirror sessions' },
        { name: 'gateway_load_balancer_arn', description: 'ARN of the Gateway Load Balancer in front of the agent fleet' },
        { name: 'endpoint_service_name', description: "The Gateway Load Balancer's endpoint service: the source accounts' stacks create their endpoints toward it (their endpoint_service_name variable)" },
      ];
    default:
      return unhandled(target);
  }
}

function outputsOf(fleet: FleetPlan, sources: SourcesPlan, target: MirrorTargetPlan): OutputPlan[] {
  const outputs: OutputPlan[] = [
    ...targetOutputsOf(target),
    fleet.kind === 'ec2' && fleet.perSubnetGroups
      ? { name: 'autoscaling_group_name', description: 'Autoscaling groups of the agent hosts, one per subnet (SameZoneDelivery), comma-separated' }
      : { name: 'autoscaling_group_name', description: 'Autoscaling group of the agent hosts' },
    { name: 'token_secret_arn', description: 'Secrets Manager secret holding the refresh token (not the token)' },
    { name: 'alarm_topic_arn', description: "SNS topic the stack's alarms notify (subscribe to it)" },
  ];
  if (fleet.kind === 'ecs') {
    outputs.push(
      { name: 'ecs_cluster_name', description: 'ECS cluster of the agent tasks' },
      { name: 'ecs_service_name', description: 'ECS service running Suricata and the Traceable agent' },
    );
  }
  switch (sources.kind) {
    case 'fargate':
      outputs.push(
        { name: 'fargate_target_fqdn', description: 'Private DNS name of the mirror target NLB for the Fargate packet forwarders' },
        { name: 'fargate_sidecar_container_definition', description: 'Packet-forwarder sidecar for your Fargate task definitions (JSON; set the image, see the README)' },
      );
      break;
    case 'manual':
      outputs.push({
        name: 'example_mirror_session_command',
        description: target.kind === 'nlb' ? 'Mirrors one network interface (replace <eni-id>) to the target with the filter' : "Mirrors one network interface (replace <eni-id>, and <target-id> with its VPC's from mirror_target_ids) with the filter",
      });
      break;
    case 'sessions':
      break;
    default:
      unhandled(sources);
  }
  return outputs;
}

/** The RAM share of the collector's mirror target (a filter cannot be shared: each source account has its own). */
export interface MirrorTargetSharePlan {
  /** Name of the resource share. */
  readonly name: string;
  /** The source accounts' IDs, or the one organization / OU ARN. */
  readonly principals: readonly string[];
  /** True when sharing with accounts one by one: they may be outside the collector's organization (and accept an invitation). */
  readonly allowExternalPrincipals: boolean;
}

/** The share, or undefined without SourceAccounts. */
export function planMirrorTargetShare(config: MirroringConfig): MirrorTargetSharePlan | undefined {
  // GWLB_ENDPOINT: the source accounts create endpoints toward the endpoint service (its allowed principals), not sessions toward a shared target.
  if (config.SourceAccounts.length === 0 || config.MirrorTargetType !== 'NLB') return undefined;
  const byAccount = config.ShareMirrorTargetWith === 'accounts';
  return {
    name: `${config.StackName}-mirror-target`,
    principals: byAccount ? config.SourceAccounts.map((account) => account.AccountId) : [config.ShareMirrorTargetWith],
    allowExternalPrincipals: byAccount,
  };
}

/** The endpoint VPCs of a GatewayLoadBalancerEndpoints list. */
export function endpointVpcsOf(vpcs: readonly EndpointVpc[]): EndpointVpcPlan[] {
  return vpcs.map((vpc) => ({ vpcId: vpc.VpcId, subnetIds: vpc.SubnetIds }));
}

function mirrorTargetPlan(config: MirroringConfig): MirrorTargetPlan {
  switch (config.MirrorTargetType) {
    case 'NLB':
      return { kind: 'nlb' };
    case 'GWLB_ENDPOINT': {
      const partition = partitionOfRegion(config.Region);
      const accounts = [config.AccountId, ...config.SourceAccounts.map((account) => account.AccountId)].filter((account) => account !== '');
      return {
        kind: 'gwlb-endpoints',
        gatewayLoadBalancerCidrs: config.GatewayLoadBalancerCidrs,
        endpoints: endpointVpcsOf(config.GatewayLoadBalancerEndpoints),
        allowedPrincipals: accounts.map((account) => `arn:${partition}:iam::${account}:root`),
      };
    }
    default:
      return unhandled(config.MirrorTargetType);
  }
}

/** The deployment a validated configuration describes. */
export function planDeployment(config: MirroringConfig): DeploymentPlan {
  const fleet = fleetPlan(config);
  const sources = sourcesPlan(config);
  const mirrorTarget = mirrorTargetPlan(config);
  return {
    stackName: config.StackName,
    region: config.Region,
    vpcId: config.VpcId,
    subnetIds: config.SubnetIds,
    tags: stackTagsOf(config, config.StackName),
    names: resourceNames(config.StackName),
    tokenSecret: tokenSecretPlan(config),
    ...optional('permissionsBoundaryArn', permissionsBoundaryArn(config, config.StackName, config.AccountId || undefined)),
    alarmTopic: config.AlarmTopicArn ? { kind: 'existing', arn: config.AlarmTopicArn } : { kind: 'created' },
    mirror: {
      sourceCidrs: config.MirrorSourceCidrs,
      tcpPorts: mirrorTcpPortsOf(config),
      rulesManagedAtRunTime: config.MirrorTcpPortsFromTargets,
      sameZoneDelivery: config.SameZoneDelivery,
    },
    fleet,
    sources,
    mirrorTarget,
    mirrorTargetShare: planMirrorTargetShare(config),
    outputs: outputsOf(fleet, sources, mirrorTarget),
  };
}

/**
 * The permissions boundary of the roles of the stack `stackName` in `account` (no data source: the ARN is known at
 * synth): PermissionsBoundaryArn, in `account` when given (IAM takes a boundary from the role's own account); else the
 * stack's generated boundary in `account`; undefined when neither names an account.
 */
export function permissionsBoundaryArn(config: MirroringConfig, stackName: string, account: string | undefined): string | undefined {
  if (config.PermissionsBoundaryArn) {
    const parts = config.PermissionsBoundaryArn.split(':');
    if (account) parts[4] = account;
    return parts.join(':');
  }
  return account ? `arn:${partitionOfRegion(config.Region)}:iam::${account}:policy/${boundaryPolicyName(stackName)}` : undefined;
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** The `default` of an exhaustive switch: a member of a union nobody handled fails to compile. */
export function unhandled(value: never): never {
  throw new Error(`unhandled plan member ${JSON.stringify(value)}`);
}
