/**
 * The public construct: Traceable traffic mirroring inside any cdktf stack, next to the user's own resources and
 * provider. Its props are the JSON configuration's keys in camelCase (config/schema.ts, CONFIG_PROPS), validated by the
 * configuration's parser; it composes the constructs from the deployment plan (plan/), deriving nothing itself.
 *
 *   const aws = new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
 *   new TraceableTrafficMirroring(stack, 'mirroring', { region: 'eu-west-1', vpcId: ..., subnetIds: [...], ... });
 */
import { Aspects, Fn, TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack, Token, type IAspect } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { bootstrapBundle, containerImagesOf, renderUserData, type BootstrapProps } from '../bootstrap';
import type { FeedMode } from '../shared';
import { ConfigError, configOfProps, parseConfig, type ParsedConfig, propsOfConfig, show, withPropNames, type CONFIG_PROPS, type ENDPOINT_VPC_PROPS, type MirroringConfig, type PropKey, type SOURCE_ACCOUNT_PROPS, type SourceAccount } from '../config';
import type { CpuArchitecture, EndpointVpc, MirrorSourceType, MirrorTargetType, SessionSourceType } from '../shared';
import { planDeployment, sessionSettingsOf, unhandled, type DeploymentPlan, type FleetPlan, type OutputName } from '../plan';
import { AlarmTopic } from './alarm-topic';
import { Ec2Fleet } from './ec2-fleet';
import { EcsFleet } from './ecs-fleet';
import { FargateDns } from './fargate-dns';
import { GatewayLoadBalancerTarget } from './gateway-load-balancer-target';
import { MirrorTarget } from './mirror-target';
import { MirrorTargetShare } from './mirror-target-share';
import { PermissionsBoundary } from './permissions-boundary';
import { SessionLambda, type SingleTargetProps, type VpcEndpointTargetProps } from './session-lambda';
import { TokenSecret } from './token-secret';

/**
 * One Traceable traffic mirroring deployment: the JSON configuration's keys (README, "Configuration reference") in
 * camelCase, but `Backend` (the stack you add the construct to has its own), and the provider its resources use.
 */
export interface TraceableTrafficMirroringProps {
  /**
   * The AWS provider of every resource of the construct, e.g. an aliased one next to your default provider; its region
   * must be `region`.
   * @default - the stack's default AWS provider (no alias)
   */
  readonly provider?: AwsProvider;
  /**
   * Prefix of every AWS resource name and value of the `traceable:stack` tag, unique in the app ignoring case (IAM names ignore case); names that would exceed their AWS limit are shortened with a hash (see the README's Long stack names).
   * @default "traffic-mirroring"
   */
  readonly stackName?: string;
  /**
   * AWS region to deploy to.
   */
  readonly region: string;
  /**
   * VPC of `subnetIds` (given, not looked up, so plans need no AWS calls).
   */
  readonly vpcId: string;
  /**
   * The tags of every taggable resource of the construct, besides `traceable:stack` (and `Name` on most resources); your provider's default tags stay yours.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Where the mirrored traffic comes from.
   */
  readonly mirrorSourceType: MirrorSourceType;
  /**
   * Per mirrorSourceType: LOAD_BALANCER, load balancer names; LOAD_BALANCER_TAGS, tags `key=value` or `key`; TARGET_GROUP, target group names or ARNs; ECS_CLUSTER, exactly one cluster; INSTANCE_TAGS, tags `key=value` or `key` of the EC2 instances to mirror (e.g. `Mirror=True`); MANUAL and FARGATE, empty.
   * @default []
   */
  readonly mirrorSources?: readonly string[];
  /**
   * VPCs of the mirrored sources: required for LOAD_BALANCER_TAGS and INSTANCE_TAGS (where to look for tagged load balancers or instances); for FARGATE, more VPCs to associate with the private zone; refused otherwise.
   * @default []
   */
  readonly mirrorSourceVpcIds?: readonly string[];
  /**
   * Networks of the mirrored sources: the only senders allowed to reach the mirror target on UDP 4789. Narrow it to your VPCs.
   * @default ["10.0.0.0/8","172.16.0.0/12","192.168.0.0/16"]
   */
  readonly mirrorSourceCidrs?: readonly string[];
  /**
   * Run the agent fleet as an ECS service on EC2 capacity instead of a plain autoscaling group.
   * @default false
   */
  readonly deployTraceableAgentInEcs?: boolean;
  /**
   * Subnets (in vpcId) for the load balancer and the agent fleet; they need a route to the Traceable API.
   */
  readonly subnetIds: readonly string[];
  /**
   * Most EC2 instances (or ECS tasks) in the agent fleet.
   * @default 3
   */
  readonly autoscalingMaxSize?: number;
  /**
   * Target average CPU and memory utilization (percent) of the autoscaling policies.
   * @default 70
   */
  readonly autoscalingTargetValue?: number;
  /**
   * Instance type of the agent hosts.
   * @default "m4.xlarge"
   */
  readonly instanceType?: string;
  /**
   * Overrides instanceType, for types the list does not offer; types whose size is not known are accepted with a warning.
   * @default - none
   */
  readonly customInstanceType?: string;
  /**
   * AMI of the agent hosts (Amazon Linux 2023 or Ubuntu 22.04/24.04; with deployTraceableAgentInEcs an ECS-optimized Amazon Linux 2023 AMI); default the latest (ECS-optimized) Amazon Linux 2023 for the architecture.
   * @default - none
   */
  readonly customAmi?: string;
  /**
   * Architecture of customAmi, when known: checked against the instance type's at synth.
   * @default - none
   */
  readonly customAmiArchitecture?: CpuArchitecture;
  /**
   * Operating system of customAmi (decides the root device name: /dev/xvda or /dev/sda1). Amazon Linux 2 and CentOS 7 are end of life and refused.
   * @default "amazon-linux-2023"
   */
  readonly customAmiOperatingSystem?: 'amazon-linux-2023' | 'ubuntu';
  /**
   * EC2 key pair for SSH to the agent hosts; none by default (use SSM Session Manager).
   * @default - none
   */
  readonly keyName?: string;
  /**
   * Existing Secrets Manager secret holding the token under the key `refresh_token`. When empty, the stack creates the secret without a value; put the token once with `npm run token:put -- --stack <stackName>`.
   * @default - none
   */
  readonly traceableRefreshTokenSecretArn?: string;
  /**
   * Traceable environment name (QA, dev, production ...).
   */
  readonly traceableEnvironment: string;
  /**
   * Service name shown on the Traceable dashboard for the mirrored traffic.
   */
  readonly traceableServiceName: string;
  /**
   * Traceable API endpoint the agent ships to.
   * @default "api.traceable.ai"
   */
  readonly traceableApiEndpoint?: string;
  /**
   * Version (image tag) of the Traceable platform agent, `traceableai/traceable-agent:<version>`. Changing it rolls the fleet.
   * @default "1.71.2"
   */
  readonly traceableAgentVersion?: string;
  /**
   * Full agent image, e.g. a copy in your private ECR (the hosts may then pull exactly that repository); overrides traceableAgentVersion.
   * @default - none
   */
  readonly traceableAgentImage?: string;
  /**
   * Suricata container image (7.0.x); may be in your private ECR, like traceableAgentImage.
   * @default "jasonish/suricata:7.0.10"
   */
  readonly suricataImage?: string;
  /**
   * How the agent hosts' Suricata hands HTTP events to the agent: `socket`, a unix datagram per event to `/run/traceable-feed/eve.sock` (as Traceable's Suricata fork does); `file`, one JSON line per event in `/var/traceable/log/suricata/traceable-feed.json`, to look at what the agent receives.
   * @default "socket"
   */
  readonly agentFeed?: FeedMode;
  /**
   * Bytes of each HTTP request and response body included in the events (`http_request_body_printable`, `http_response_body_printable`); longer bodies are cut. 0: no bodies.
   * @default 131072
   */
  readonly httpBodyLimit?: number;
  /**
   * FARGATE only: private hosted zone created for the NLB name (unless route53ZoneId is given).
   * @default "private.traceable.ai"
   */
  readonly route53ZoneName?: string;
  /**
   * FARGATE only: existing private hosted zone (already associated with vpcId) to hold the record instead.
   * @default - none
   */
  readonly route53ZoneId?: string;
  /**
   * FARGATE only: name of the alias record for the NLB inside the zone.
   * @default "mirroring-fargate"
   */
  readonly route53SubdomainName?: string;
  /**
   * FARGATE only: image of the packet-forwarder sidecar in the `fargate_sidecar_container_definition` output (default: a placeholder to replace).
   * @default - none
   */
  readonly fargatePacketForwarderImage?: string;
  /**
   * Timeout of the session Lambda, seconds.
   * @default 600
   */
  readonly mirroringSessionLambdaTimeout?: number;
  /**
   * Minutes between scheduled runs of the session Lambda; must be longer than its timeout.
   * @default 15
   */
  readonly mirroringSessionLambdaInterval?: number;
  /**
   * TCP ports to mirror (the API's ports, e.g. `443,8080-8089`): each one becomes a filter rule per direction (to the port inbound, from it outbound); empty mirrors all TCP. AWS allows 10 rules per direction.
   * @default []
   */
  readonly mirrorTcpPorts?: readonly (number | string)[];
  /**
   * Derive the filter's TCP ports at run time from the ports the configured load balancers and target groups send to on their targets (v2 target groups' target ports, Classic load balancers' instance ports): the session Lambda keeps the filter's rules in step at every scheduled run and records them in its run summary (`filterPorts`). LOAD_BALANCER, LOAD_BALANCER_TAGS and TARGET_GROUP only; not with mirrorTcpPorts.
   * @default false
   */
  readonly mirrorTcpPortsFromTargets?: boolean;
  /**
   * Most traffic mirror sessions this stack owns (each is billed per hour; an account holds at most 10,000). Beyond it the session Lambda keeps existing sessions, then prefers sources listed earlier in mirrorSources, then lower interface ids; the rest are skipped as `session-budget`. 0: no budget.
   * @default 0
   */
  readonly mirrorSessionBudget?: number;
  /**
   * Mirror load balancer targets whatever their health (default: healthy targets only).
   * @default false
   */
  readonly mirrorUnhealthyTargets?: boolean;
  /**
   * SNS topic the stack's alarms notify. When empty, the stack creates `<stackName>-alarms` (subscribe to it, see the session Lambda section).
   * @default - none
   */
  readonly alarmTopicArn?: string;
  /**
   * Days Secrets Manager keeps the created token secret after destroy before deleting it; 0 deletes it at once, so the same stackName can be deployed again straight away.
   * @default 7
   */
  readonly tokenSecretRecoveryWindowDays?: number;
  /**
   * Keep each zone's mirrored traffic on agents in that zone: the NLB's cross-zone load balancing off, and one autoscaling group per subnet in subnetIds (at least 1 instance each, up to autoscalingMaxSize each, scaling on its own). Saves the cross-zone data transfer of mirrored traffic; costs at least one agent host per zone and a zone's traffic is lost while its agents are all unhealthy. EC2 fleet only (not with deployTraceableAgentInEcs).
   * @default false
   */
  readonly sameZoneDelivery?: boolean;
  /**
   * Permissions boundary of every IAM role the stack creates (the agent hosts', the ECS task roles, the session Lambda's): the most those roles may ever do, whatever policy a deployer puts on them. When empty: the policy `<stackName>-boundary` in accountId, which `npm run permissions` writes next to the deployer policies (create it with them); without accountId the roles get no boundary and `npm run permissions` refuses. A source account's stack uses the policy of the same path and name in its account (by default `<stackName>-<accountId>-boundary`). See [Permissions required](#permissions-required).
   * @default - none
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * The collector's own AWS account (where this stack deploys): required with sourceAccounts, whose accounts must differ from it.
   * @default - none
   */
  readonly accountId?: string;
  /**
   * Other AWS accounts whose interfaces are mirrored into this collector: the construct shares its mirror target with them through AWS RAM; each account's own stack (a filter of the same rules and a session Lambda toward the target, its provider assuming `roleArn`) is built by the JSON app. `mirrorSourceType` (LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER or INSTANCE_TAGS), `mirrorSources` and `mirrorSourceVpcIds` follow the top-level keys' rules. See the README's Many accounts, one collector.
   * @default []
   */
  readonly sourceAccounts?: readonly SourceAccountProps[];
  /**
   * Who the RAM share of the mirror target names as principals: `accounts`, each of sourceAccounts (accounts outside your organization accept an invitation); or an organization or OU ARN (RAM sharing with AWS Organizations enabled), so every account in it may use the target. With sourceAccounts only.
   * @default "accounts"
   */
  readonly shareMirrorTargetWith?: string;
  /**
   * For pipelines that plan each account on its own: the collector's `mirror_target_id` output, the default of the source stacks' `mirror_target_id` variable. When empty, the variable must be given (`TF_VAR_mirror_target_id`). With sourceAccounts only.
   * @default - none
   */
  readonly sharedMirrorTargetId?: string;
  /**
   * What the mirrored sources send to. `NLB`: the collector's internal network load balancer, which every mirrored VPC must reach (peering or a transit gateway; mirrorSourceCidrs) and source accounts use through a RAM share. `GWLB_ENDPOINT`: a Gateway Load Balancer in subnetIds whose endpoint service gets an endpoint (and a traffic mirror target) in each subnet of gatewayLoadBalancerEndpoints and of each source account's: no peering, no RAM share; the agent hosts receive the packets in GENEVE (UDP 6081). See [Choosing the mirror target](#choosing-the-mirror-target).
   * @default "NLB"
   */
  readonly mirrorTargetType?: MirrorTargetType;
  /**
   * mirrorTargetType GWLB_ENDPOINT: the collector account's VPCs whose interfaces are mirrored, each an object of vpcId and subnetIds, one subnet per Availability Zone where its sources run; each subnet gets a Gateway Load Balancer endpoint and a traffic mirror target, and the session Lambda gives each interface the target of its own VPC (its own zone's when there is one). Required with a session source type or MANUAL unless only sourceAccounts are mirrored.
   * @default []
   */
  readonly gatewayLoadBalancerEndpoints?: readonly EndpointVpcProps[];
  /**
   * mirrorTargetType GWLB_ENDPOINT: the IPv4 CIDR blocks of subnetIds (or vpcId's), where the Gateway Load Balancer's nodes are: the agent hosts admit GENEVE (UDP 6081) and the health check from these only, in their security group and their own firewall. Required with GWLB_ENDPOINT.
   * @default []
   */
  readonly gatewayLoadBalancerCidrs?: readonly string[];
  /**
   * mirrorTargetType GWLB_ENDPOINT, for pipelines that plan each account on its own: the collector's `endpoint_service_name` output, the default of the source stacks' `endpoint_service_name` variable. When empty, the variable must be given (`TF_VAR_endpoint_service_name`). With sourceAccounts only.
   * @default - none
   */
  readonly sharedEndpointServiceName?: string;
}

/** One of `gatewayLoadBalancerEndpoints` (the JSON configuration's entry, in camelCase): a source VPC and its endpoints' subnets. */
export interface EndpointVpcProps {
  readonly vpcId: string;
  /** One subnet per Availability Zone where the VPC's sources run: each gets an endpoint and a traffic mirror target. */
  readonly subnetIds: readonly string[];
}

/** One of `sourceAccounts` (the JSON configuration's SourceAccounts entry, in camelCase). */
export interface SourceAccountProps {
  /** The 12-digit account that owns the source interfaces. */
  readonly accountId: string;
  /** The role the account's source stack assumes. */
  readonly roleArn: string;
  /** @default - the collector's region (the only one allowed: RAM shares the target in its region) */
  readonly region?: string;
  /** Where the account's mirrored traffic comes from: a source type that creates sessions (not MANUAL or FARGATE). */
  readonly mirrorSourceType: SessionSourceType;
  /** @default [] */
  readonly mirrorSources?: readonly string[];
  /** @default [] */
  readonly mirrorSourceVpcIds?: readonly string[];
  /** mirrorTargetType GWLB_ENDPOINT: the account's source VPCs (required then). @default [] */
  readonly gatewayLoadBalancerEndpoints?: readonly EndpointVpcProps[];
}

// Compile-time: the props are exactly the configuration's props (CONFIG_PROPS) and `provider`, and each validated value
// is a value its prop accepts, so a configuration maps onto props (propsOfConfig). '' is left out: it is the default of
// every key that allows it, and a value equal to its default is not passed on.
type PropName = (typeof CONFIG_PROPS)[PropKey];
type ValueOfProp = {
  [K in PropKey as (typeof CONFIG_PROPS)[K]]: K extends 'SourceAccounts' ? readonly SourceAccountOfProps[] : K extends 'GatewayLoadBalancerEndpoints' ? readonly EndpointVpcOfProps[] : Exclude<MirroringConfig[K], ''>;
};
type SourceAccountOfProps = { [K in keyof typeof SOURCE_ACCOUNT_PROPS as (typeof SOURCE_ACCOUNT_PROPS)[K]]: K extends 'GatewayLoadBalancerEndpoints' ? readonly EndpointVpcOfProps[] : SourceAccount[K] };
type EndpointVpcOfProps = { [K in keyof typeof ENDPOINT_VPC_PROPS as (typeof ENDPOINT_VPC_PROPS)[K]]: EndpointVpc[K] };
type KeysAgree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
type PropKeysAgree = KeysAgree<Exclude<keyof TraceableTrafficMirroringProps, 'provider'>, PropName> & KeysAgree<keyof SourceAccountProps, keyof SourceAccountOfProps> & KeysAgree<keyof EndpointVpcProps, keyof EndpointVpcOfProps>;
type PropValuesAccept = { [P in PropName]-?: ValueOfProp[P] extends NonNullable<TraceableTrafficMirroringProps[P]> ? true : P }[PropName];
const propsAgreeWithSchema: [PropKeysAgree, Exclude<PropValuesAccept, true>] extends [true, never] ? true : never = true;
void propsAgreeWithSchema;

export interface TraceableTrafficMirroringOptions {
  /**
   * The standalone app (stacks/mirroring-stack.ts): its provider's default_tags already carry `traceable:stack` and
   * Tags, so the construct tags no resource itself.
   * @default false: every taggable resource gets the tags
   */
  readonly standalone?: boolean;
}

export interface FromConfigOptions extends TraceableTrafficMirroringOptions {
  /** @default - the stack's default AWS provider (see TraceableTrafficMirroringProps.provider) */
  readonly provider?: AwsProvider;
}

/** The attribute of each output (the Terraform output names of the JSON app). */
export const OUTPUT_ATTRIBUTES = {
  mirror_target_id: 'mirrorTargetId',
  mirror_filter_id: 'mirrorFilterId',
  nlb_arn: 'nlbArn',
  nlb_dns_name: 'nlbDnsName',
  autoscaling_group_name: 'autoscalingGroupName',
  token_secret_arn: 'tokenSecretArn',
  alarm_topic_arn: 'alarmTopicArn',
  ecs_cluster_name: 'ecsClusterName',
  ecs_service_name: 'ecsServiceName',
  fargate_target_fqdn: 'fargateTargetFqdn',
  fargate_sidecar_container_definition: 'fargateSidecarContainerDefinition',
  example_mirror_session_command: 'exampleMirrorSessionCommand',
  gateway_load_balancer_arn: 'gatewayLoadBalancerArn',
  endpoint_service_name: 'endpointServiceName',
  mirror_target_ids: 'mirrorTargetIds',
} as const satisfies Record<OutputName, keyof TraceableTrafficMirroring>;

/** Instances by StackName in lower case (IAM names ignore case), per app. */
const instancesOfApp = new WeakMap<IConstruct, Map<string, TraceableTrafficMirroring>>();
/** Set while fromConfig builds: problems then name the configuration's keys, not the props. */
let namingKeys = false;

/**
 * Traceable traffic mirroring: the mirror target (an NLB, or a Gateway Load Balancer with endpoints) and filter, the agent fleet (EC2 or ECS), the token secret,
 * the alarm topic and, per mirrorSourceType, the session Lambda or the Fargate DNS name. The resources use `provider`
 * (default: the stack's default AWS provider), whose region must be `region`.
 */
export class TraceableTrafficMirroring extends Construct {
  /**
   * The construct from the JSON configuration's keys (README, "Configuration reference"; values as the JSON file or
   * CloudFormation give them), for settings kept in that JSON: validated by the app's parser, problems name the keys.
   */
  static fromConfig(scope: Construct, id: string, config: unknown, options: FromConfigOptions = {}): TraceableTrafficMirroring {
    const source = `TraceableTrafficMirroring.fromConfig ${[scope.node.path, id].filter(Boolean).join('/')}`;
    const { provider, ...constructOptions } = options;
    if (typeof config === 'object' && config !== null && Object.hasOwn(config, 'Backend')) {
      throw new ConfigError(source, [
        `Backend: got ${show((config as { Backend?: unknown }).Backend)}; expected it unset: the construct's resources live in the state of the stack you add it to, whose backend you configure on that stack`,
      ]);
    }
    const props = { ...propsOfConfig(parseConfig(config, source).config), provider } as TraceableTrafficMirroringProps;
    namingKeys = true;
    try {
      return new TraceableTrafficMirroring(scope, id, props, constructOptions);
    } finally {
      namingKeys = false;
    }
  }

  /** The validated configuration (the JSON keys, defaults filled in). */
  readonly config: MirroringConfig;
  /** Accepted, but worth a look (the app prints them). */
  readonly warnings: readonly string[];
  readonly plan: DeploymentPlan;
  readonly tokenSecret: TokenSecret;
  readonly alarmTopic: AlarmTopic;
  /** MirrorTargetType GWLB_ENDPOINT: the Gateway Load Balancer, its endpoint service, endpoints and their targets. */
  readonly gatewayLoadBalancerTarget?: GatewayLoadBalancerTarget;
  /** MirrorTargetType NLB: the NLB target (read through mirrorTarget). */
  private readonly nlbTarget?: MirrorTarget;
  readonly fleet: Ec2Fleet | EcsFleet;
  /** The session Lambda (undefined with MANUAL and FARGATE). */
  readonly sessionLambda?: SessionLambda;
  /** With sourceAccounts: the RAM share of the mirror target with them (modules/mirror-target-share.ts). */
  readonly mirrorTargetShare?: MirrorTargetShare;
  /** FARGATE: the private name of the NLB and the sidecar definition. */
  readonly fargateDns?: FargateDns;

  /** The traffic mirror filter, for mirror sessions. */
  readonly mirrorFilterId: string;
  /** MirrorTargetType GWLB_ENDPOINT: ARN of the Gateway Load Balancer in front of the agent fleet. */
  readonly gatewayLoadBalancerArn?: string;
  /** MirrorTargetType GWLB_ENDPOINT: the endpoint service's name, which the source accounts' endpoints connect to. */
  readonly endpointServiceName?: string;
  /** MirrorTargetType GWLB_ENDPOINT: the traffic mirror target of each endpoint, by the endpoint's subnet ID. */
  readonly mirrorTargetIds?: Readonly<Record<string, string>>;
  /** Autoscaling group of the agent hosts (with sameZoneDelivery: one per subnet, comma-separated). */
  readonly autoscalingGroupName: string;
  /** Secrets Manager secret holding the refresh token (the ARN, not the token). */
  readonly tokenSecretArn: string;
  /** SNS topic the construct's alarms notify. */
  readonly alarmTopicArn: string;
  /** ECS cluster of the agent tasks (with deployTraceableAgentInEcs). */
  readonly ecsClusterName?: string;
  /** ECS service running Suricata and the Traceable agent (with deployTraceableAgentInEcs). */
  readonly ecsServiceName?: string;
  /** FARGATE: private DNS name of the NLB for the packet forwarders. */
  readonly fargateTargetFqdn?: string;
  /** FARGATE: the packet-forwarder sidecar for your task definitions (JSON). */
  readonly fargateSidecarContainerDefinition?: string;
  /** MANUAL: an `aws ec2 create-traffic-mirror-session` command for one interface (replace `<eni-id>`). */
  readonly exampleMirrorSessionCommand?: string;

  constructor(scope: Construct, id: string, props: TraceableTrafficMirroringProps, options: TraceableTrafficMirroringOptions = {}) {
    super(scope, id);
    const { config, warnings } = validate(props, `TraceableTrafficMirroring ${this.node.path}`);
    this.config = config;
    this.warnings = warnings;
    registerStackName(this, config.StackName);
    const plan = planDeployment(config);
    this.plan = plan;
    const namePrefix = plan.stackName;

    if (!options.standalone) Aspects.of(this).add(new StackTags(plan.tags));
    if (props.provider !== undefined) Aspects.of(this).add(new UseProvider(props.provider));
    if (plan.permissionsBoundaryArn) Aspects.of(this).add(new PermissionsBoundary(plan.permissionsBoundaryArn));
    this.node.addValidation({ validate: () => providerRegionProblems(this, plan.region, props.provider) });

    this.tokenSecret = new TokenSecret(this, 'token', { namePrefix, secret: plan.tokenSecret });
    // Where every alarm goes (the fleet's alarms take alarmTopic.alarmActions too).
    this.alarmTopic = new AlarmTopic(this, 'alarms', { namePrefix, existingTopicArn: plan.alarmTopic.kind === 'existing' ? plan.alarmTopic.arn : undefined });
    const target = this.addMirrorTarget(plan);
    if (target instanceof MirrorTarget) {
      this.nlbTarget = target;
      if (plan.mirrorTargetShare) this.mirrorTargetShare = new MirrorTargetShare(this, 'mirror_target_share', { plan: plan.mirrorTargetShare, mirrorTargetArn: target.mirrorTarget.arn });
    } else {
      this.gatewayLoadBalancerTarget = target;
      this.gatewayLoadBalancerArn = target.loadBalancer.arn;
      this.endpointServiceName = target.endpointService.serviceName;
      this.mirrorTargetIds = Object.fromEntries(Object.entries(target.endpoints.mirrorTargets).map(([subnetId, mirrorTarget]) => [subnetId, mirrorTarget.id]));
    }
    const fleet = this.addFleet(plan, plan.fleet, target);
    this.fleet = fleet;
    target.admitFleet(fleet.securityGroup.id);

    const sources = plan.sources;
    switch (sources.kind) {
      case 'sessions':
        this.sessionLambda = new SessionLambda(this, 'sessions', {
          namePrefix,
          region: plan.region,
          mirrorFilterId: target.mirrorFilter.id,
          mirrorFilterArn: target.mirrorFilter.arn,
          ...sessionSettingsOf(sources),
          ...sessionTargetOf(target),
          alarmActions: this.alarmTopic.alarmActions,
        });
        break;
      case 'fargate':
        if (!(target instanceof MirrorTarget)) throw new Error('TraceableTrafficMirroring: FARGATE sources need the NLB target (the configuration refuses them with GWLB_ENDPOINT)');
        this.fargateDns = new FargateDns(this, 'fargate_dns', {
          vpcId: plan.vpcId,
          sourceVpcIds: sources.sourceVpcIds,
          zoneName: sources.zoneName,
          existingZoneId: sources.existingZoneId,
          recordName: sources.recordName,
          loadBalancer: target.loadBalancer,
          sidecarImage: sources.sidecarImage,
        });
        this.fargateTargetFqdn = this.fargateDns.fqdn;
        this.fargateSidecarContainerDefinition = this.fargateDns.sidecarContainerDefinition;
        break;
      case 'manual':
        // GWLB_ENDPOINT: the interface's VPC's target, from mirrorTargetIds.
        this.exampleMirrorSessionCommand = `aws ec2 create-traffic-mirror-session --region ${plan.region} --network-interface-id <eni-id> --traffic-mirror-target-id ${target instanceof MirrorTarget ? target.mirrorTarget.id : '<target-id>'} --traffic-mirror-filter-id ${target.mirrorFilter.id} --session-number 1`;
        break;
      default:
        unhandled(sources);
    }

    this.mirrorFilterId = target.mirrorFilter.id;
    this.autoscalingGroupName =
      fleet instanceof Ec2Fleet && plan.mirror.sameZoneDelivery ? Fn.join(',', fleet.autoscalingGroups.map((group) => group.name)) : fleet.autoscalingGroup.name;
    this.tokenSecretArn = this.tokenSecret.secretArn;
    this.alarmTopicArn = this.alarmTopic.topicArn;
    if (fleet instanceof EcsFleet) {
      this.ecsClusterName = fleet.cluster.name;
      this.ecsServiceName = fleet.service.name;
    }
  }

  /** The NLB target (MirrorTargetType NLB). Throws with GWLB_ENDPOINT, which has no NLB: see gatewayLoadBalancerTarget. */
  get mirrorTarget(): MirrorTarget {
    return this.nlbOnly('mirrorTarget', 'gatewayLoadBalancerTarget');
  }

  /** The traffic mirror target (the NLB), for mirror sessions. Throws with GWLB_ENDPOINT: see mirrorTargetIds. */
  get mirrorTargetId(): string {
    return this.nlbOnly('mirrorTargetId', 'mirrorTargetIds (the target of each endpoint, by subnet ID)').mirrorTarget.id;
  }

  /** ARN of the mirror target network load balancer. Throws with GWLB_ENDPOINT: see gatewayLoadBalancerArn. */
  get nlbArn(): string {
    return this.nlbOnly('nlbArn', 'gatewayLoadBalancerArn').loadBalancer.arn;
  }

  /** DNS name of the mirror target network load balancer. Throws with GWLB_ENDPOINT, which has none. */
  get nlbDnsName(): string {
    return this.nlbOnly('nlbDnsName', 'endpointServiceName (the sources reach the Gateway Load Balancer through endpoints)').loadBalancer.dnsName;
  }

  /** The NLB target, or a clear error naming the attribute read and what to use instead. */
  private nlbOnly(attribute: string, instead: string): MirrorTarget {
    if (this.nlbTarget === undefined) {
      throw new Error(`TraceableTrafficMirroring ${this.node.path}: ${attribute} exists with mirrorTargetType NLB only; this construct has GWLB_ENDPOINT, use ${instead}`);
    }
    return this.nlbTarget;
  }

  /** What the mirrored sources send to: the NLB, or the Gateway Load Balancer with its endpoints (construct `mirror` either way). */
  private addMirrorTarget(plan: DeploymentPlan): MirrorTarget | GatewayLoadBalancerTarget {
    const filter = { namePrefix: plan.stackName, tcpPorts: plan.mirror.tcpPorts, rulesManagedAtRunTime: plan.mirror.rulesManagedAtRunTime };
    const target = plan.mirrorTarget;
    switch (target.kind) {
      case 'nlb':
        return new MirrorTarget(this, 'mirror', {
          ...filter,
          vpcId: plan.vpcId,
          subnetIds: plan.subnetIds,
          sourceCidrs: plan.mirror.sourceCidrs,
          sameZoneDelivery: plan.mirror.sameZoneDelivery,
        });
      case 'gwlb-endpoints':
        return new GatewayLoadBalancerTarget(this, 'mirror', {
          ...filter,
          vpcId: plan.vpcId,
          subnetIds: plan.subnetIds,
          gatewayLoadBalancerCidrs: target.gatewayLoadBalancerCidrs,
          endpoints: target.endpoints,
          allowedPrincipals: target.allowedPrincipals,
        });
      default:
        return unhandled(target);
    }
  }

  private addFleet(plan: DeploymentPlan, fleet: FleetPlan, target: MirrorTarget | GatewayLoadBalancerTarget): Ec2Fleet | EcsFleet {
    const gateway = target instanceof GatewayLoadBalancerTarget;
    const hosts = {
      namePrefix: plan.stackName,
      region: plan.region,
      vpcId: plan.vpcId,
      subnetIds: plan.subnetIds,
      instanceType: fleet.instanceType,
      imageId: fleet.imageId,
      rootDeviceName: fleet.rootDeviceName,
      keyName: fleet.keyName,
      maxSize: fleet.maxSize,
      targetUtilization: fleet.targetUtilization,
      targetGroupArn: target.targetGroup.arn,
      tokenSecretArn: this.tokenSecret.secretArn,
      alarmActions: this.alarmTopic.alarmActions,
      ...(gateway ? { securityGroupDescription: 'Traceable agent hosts: GENEVE and health checks from the Gateway Load Balancer only, no SSH' } : {}),
    };
    switch (fleet.kind) {
      case 'ecs':
        return new EcsFleet(this, 'ecs_fleet', { ...hosts, bootstrap: fleet.bootstrap, targetGroupListener: target.listener, ...(gateway ? { targetRegistration: 'autoscaling-group' } : {}) });
      case 'ec2':
        return new Ec2Fleet(this, 'fleet', {
          ...hosts,
          ...ec2Payload(fleet.bootstrap, fleet.perSubnetGroups),
          perSubnetGroups: fleet.perSubnetGroups,
          containerImages: containerImagesOf(fleet.bootstrap),
        });
      default:
        return unhandled(fleet);
    }
  }
}

/** What the session Lambda sessions toward: the NLB's one target, or the stack's endpoint targets (each interface its own VPC's). */
function sessionTargetOf(target: MirrorTarget | GatewayLoadBalancerTarget): SingleTargetProps | VpcEndpointTargetProps {
  if (target instanceof MirrorTarget) return { mirrorTargetId: target.mirrorTarget.id, mirrorTargetArn: target.mirrorTarget.arn };
  return { targetSelection: 'vpc-endpoint', mirrorTargets: Object.values(target.endpoints.mirrorTargets) };
}

/** The EC2 hosts' user data and the bundle of files it fetches. */
function ec2Payload(bootstrap: BootstrapProps, perSubnetGroups: boolean) {
  const bundle = bootstrapBundle('ec2', bootstrap.geneveSourceCidrs);
  // SameZoneDelivery: a group per subnet, whose hosts publish their metrics under their own group's name.
  const userData = perSubnetGroups
    ? (agentGroupName: string) => renderUserData({ ...bootstrap, agentGroupName }, bundle)
    : renderUserData(bootstrap, bundle);
  return { userData, bundle };
}

/**
 * Tags every taggable resource of the construct as the standalone app's provider default_tags do: the Lambda's
 * ownership rules and the IAM permissions select resources by `traceable:stack`. A resource's own tags (Name) win.
 */
class StackTags implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) || !('tagsInput' in node)) return;
    const taggable = node as TerraformResource & { tags: Record<string, string>; readonly tagsInput?: Record<string, string> };
    const own = taggable.tagsInput;
    if (own !== undefined && Token.isUnresolved(own)) return;
    taggable.tags = { ...this.tags, ...own };
  }
}

/** Every resource of the construct uses the given provider, unless one was set on it. */
class UseProvider implements IAspect {
  constructor(private readonly provider: TerraformProvider) {}

  visit(node: IConstruct): void {
    if ((TerraformResource.isTerraformResource(node) || TerraformDataSource.isTerraformDataSource(node)) && node.provider === undefined) node.provider = this.provider;
  }
}

/** The configuration the props stand for, checked by the configuration's parser; problems name the props. */
function validate(props: TraceableTrafficMirroringProps, source: string): ParsedConfig {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw new ConfigError(source, [`props: got ${show(props)}; expected an object`]);
  const { provider: _provider, ...settings } = props;
  // Names, user data and policies derive from the values at synth: a token (known at plan time) cannot be one.
  const tokens = Object.keys(settings).filter((name) => holdsToken((settings as Record<string, unknown>)[name]));
  const { config, problems } = configOfProps(Object.fromEntries(Object.entries(settings).filter(([name]) => !tokens.includes(name))));
  let parsed: ParsedConfig | undefined;
  let parseProblems: readonly string[] = [];
  try {
    parsed = parseConfig(config, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    parseProblems = error.problems;
  }
  const all = [
    ...tokens.map((name) => `${name}: got a token (a value Terraform knows only at plan time); expected a literal value: the construct checks it and derives names, user data and policies from it at synth`),
    ...problems,
    ...parseProblems.map((problem) => (namingKeys ? problem : withPropNames(problem))).filter((problem) => !tokens.some((name) => problem.startsWith(`${name}:`))),
  ];
  if (all.length > 0 || parsed === undefined) throw new ConfigError(source, all);
  return parsed;
}

/** Whether a value is or holds (in a list or an object) a cdktf token. */
function holdsToken(value: unknown): boolean {
  if (Token.isUnresolved(value)) return true;
  return typeof value === 'object' && value !== null && Object.values(value).some(holdsToken);
}

/** Two instances of one StackName (in any case) in an app would create the same AWS names: refused, naming the first. */
function registerStackName(construct: TraceableTrafficMirroring, stackName: string): void {
  const root = construct.node.root;
  const byName = instancesOfApp.get(root) ?? new Map<string, TraceableTrafficMirroring>();
  instancesOfApp.set(root, byName);
  const first = byName.get(stackName.toLowerCase());
  if (first !== undefined) {
    throw new ConfigError(`TraceableTrafficMirroring ${construct.node.path}`, [
      `${namingKeys ? 'StackName' : 'stackName'}: got ${show(stackName)}; expected a name unique in the app, ignoring case as IAM does (${first.node.path} uses ${show(first.config.StackName)})`,
    ]);
  }
  byName.set(stackName.toLowerCase(), construct);
}

/** The construct's resources use `provider`, or else the stack's default AWS provider: it must exist and be configured for region. */
function providerRegionProblems(construct: Construct, region: string, given: AwsProvider | undefined): string[] {
  const stack = TerraformStack.of(construct);
  const example = `new AwsProvider(stack, 'aws', { region: '${region}' })`;
  let provider: AwsProvider;
  let which: string;
  if (given !== undefined) {
    const itsStack = TerraformStack.of(given);
    if (itsStack !== stack) return [`provider: got the provider ${given.node.path} of the stack ${itsStack.node.id}; expected a provider of the stack ${stack.node.id}, which holds the construct (Terraform providers are per stack)`];
    provider = given;
    which = `the provider ${given.node.path}${given.alias === undefined ? '' : ` (alias ${show(given.alias)})`}`;
  } else {
    const providers = stack.node
      .findAll()
      .filter((node): node is AwsProvider => TerraformProvider.isTerraformProvider(node) && node.terraformResourceType === 'aws' && (node as AwsProvider).alias === undefined);
    if (providers.length === 0) return [`the stack ${stack.node.id} has no AWS provider; add ${example}, or give the construct its provider`];
    provider = providers[0];
    which = "the stack's AWS provider";
  }
  const configured = provider.region;
  if (configured === region) return [];
  const got = configured === undefined ? 'no region' : Token.isUnresolved(configured) ? 'a region known only at plan time' : `region ${show(configured)}`;
  return [`${which} has ${got}; expected region ${show(region)}, the construct's region (user data and IAM policies name it)${given === undefined ? `: ${example}` : ''}`];
}
