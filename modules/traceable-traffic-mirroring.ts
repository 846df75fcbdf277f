/**
 * The public construct: Traceable traffic mirroring inside any cdktf stack, next to the user's own resources and
 * provider. Its props are the keys of the JSON configuration (same names, same value forms, same defaults), checked
 * by the same parser; it composes the constructs from the deployment plan (plan/), deriving nothing itself.
 *
 *   new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
 *   new TraceableTrafficMirroring(stack, 'mirroring', { Region: 'eu-west-1', VpcId: ..., SubnetIds: [...], ... });
 */
import { Aspects, Fn, TerraformProvider, TerraformResource, TerraformStack, Token, type IAspect } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { bootstrapBundle, containerImagesOf, renderUserData, type BootstrapProps } from '../bootstrap';
import type { FeedMode } from '../bootstrap/constants';
import { ConfigError, parseConfig, show, type ConfigKey, type MirroringConfig } from '../config';
import type { CpuArchitecture, MirrorSourceType } from '../shared';
import { planDeployment, sessionSettingsOf, unhandled, type DeploymentPlan, type FleetPlan, type OutputName } from '../plan';
import { AlarmTopic } from './alarm-topic';
import { Ec2Fleet } from './ec2-fleet';
import { EcsFleet } from './ecs-fleet';
import { FargateDns } from './fargate-dns';
import { MirrorTarget } from './mirror-target';
import { MirrorTargetShare } from './mirror-target-share';
import { SessionLambda } from './session-lambda';
import { TokenSecret } from './token-secret';

/**
 * The configuration keys (README, "Configuration reference"), but `Backend`: the stack you add the construct to has
 * its own backend. Lists may be arrays or comma-separated strings, booleans and numbers may be strings, as in the
 * JSON file.
 */
export interface TraceableTrafficMirroringProps {
  /**
   * Name of the Terraform stack (the folder under `cdktf.out/stacks/`) and prefix of every resource name; names that would exceed their AWS limit are shortened with a hash (see Long stack names).
   * @default "traffic-mirroring"
   */
  readonly StackName?: string;
  /**
   * AWS region to deploy to.
   */
  readonly Region: string;
  /**
   * VPC of `SubnetIds` (given, not looked up, so plans need no AWS calls).
   */
  readonly VpcId: string;
  /**
   * Tags applied to every resource (provider default tags), besides the stack's own `traceable:stack` (and `Name` on most resources).
   * @default {}
   */
  readonly Tags?: Readonly<Record<string, string>> | string;
  /**
   * Where the mirrored traffic comes from.
   */
  readonly MirrorSourceType: MirrorSourceType;
  /**
   * Per MirrorSourceType: LOAD_BALANCER, load balancer names; LOAD_BALANCER_TAGS, tags `key=value` or `key`; TARGET_GROUP, target group names or ARNs; ECS_CLUSTER, exactly one cluster; INSTANCE_TAGS, tags `key=value` or `key` of the EC2 instances to mirror (e.g. `Mirror=True`); MANUAL and FARGATE, empty.
   * @default []
   */
  readonly MirrorSource?: string | readonly string[];
  /**
   * VPCs of the mirrored sources: required for LOAD_BALANCER_TAGS and INSTANCE_TAGS (where to look for tagged load balancers or instances); for FARGATE, more VPCs to associate with the private zone; refused otherwise.
   * @default []
   */
  readonly MirrorSourceVpcId?: string | readonly string[];
  /**
   * Networks of the mirrored sources: the only senders allowed to reach the mirror target on UDP 4789. Narrow it to your VPCs.
   * @default ["10.0.0.0/8","172.16.0.0/12","192.168.0.0/16"]
   */
  readonly MirrorSourceCidrs?: string | readonly string[];
  /**
   * Run the agent fleet as an ECS service on EC2 capacity instead of a plain autoscaling group.
   * @default false
   */
  readonly DeployTraceableAgentInECS?: boolean | 'true' | 'false';
  /**
   * Subnets (in VpcId) for the load balancer and the agent fleet; they need a route to the Traceable API.
   */
  readonly SubnetIds: string | readonly string[];
  /**
   * Most EC2 instances (or ECS tasks) in the agent fleet.
   * @default 3
   */
  readonly AutoscalingMaxSize?: number | string;
  /**
   * Target average CPU and memory utilization (percent) of the autoscaling policies.
   * @default 70
   */
  readonly AutoscalingTargetValue?: number | string;
  /**
   * Instance type of the agent hosts.
   * @default "m4.xlarge"
   */
  readonly InstanceType?: string;
  /**
   * Overrides InstanceType, for types the list does not offer; types whose size is not known are accepted with a warning.
   * @default ""
   */
  readonly CustomInstanceType?: string;
  /**
   * AMI of the agent hosts (Amazon Linux 2023 or Ubuntu 22.04/24.04; with DeployTraceableAgentInECS an ECS-optimized Amazon Linux 2023 AMI); default the latest (ECS-optimized) Amazon Linux 2023 for the architecture.
   * @default ""
   */
  readonly CustomAMI?: string;
  /**
   * Architecture of CustomAMI, when known: checked against the instance type's at synth.
   * @default ""
   */
  readonly CustomAMIArchitecture?: '' | CpuArchitecture;
  /**
   * Operating system of CustomAMI (decides the root device name: /dev/xvda or /dev/sda1). Amazon Linux 2 and CentOS 7 are end of life and refused.
   * @default "amazon-linux-2023"
   */
  readonly CustomAMIOperatingSystem?: 'amazon-linux-2023' | 'ubuntu';
  /**
   * EC2 key pair for SSH to the agent hosts; none by default (use SSM Session Manager).
   * @default ""
   */
  readonly KeyName?: string;
  /**
   * Existing Secrets Manager secret holding the token under the key `refresh_token`. When empty, the stack creates the secret without a value; put the token once with `npm run token:put -- --stack <StackName>`.
   * @default ""
   */
  readonly TraceableRefreshTokenSecretArn?: string;
  /**
   * Traceable environment name (QA, dev, production ...).
   */
  readonly TraceableEnvironment: string;
  /**
   * Service name shown on the Traceable dashboard for the mirrored traffic.
   */
  readonly TraceableServiceName: string;
  /**
   * Traceable API endpoint the agent ships to.
   * @default "api.traceable.ai"
   */
  readonly TraceableAPIEndpoint?: string;
  /**
   * Version (image tag) of the Traceable platform agent, `traceableai/traceable-agent:<version>`. Changing it rolls the fleet.
   * @default "1.71.2"
   */
  readonly TraceableAgentVersion?: string;
  /**
   * Full agent image, e.g. a copy in your private ECR (the hosts may then pull exactly that repository); overrides TraceableAgentVersion.
   * @default ""
   */
  readonly TraceableAgentImage?: string;
  /**
   * Suricata container image (7.0.x); may be in your private ECR, like TraceableAgentImage.
   * @default "jasonish/suricata:7.0.10"
   */
  readonly SuricataImage?: string;
  /**
   * How the agent hosts' Suricata hands HTTP events to the agent: `socket`, a unix datagram per event to `/run/traceable-feed/eve.sock` (as Traceable's Suricata fork does); `file`, one JSON line per event in `/var/traceable/log/suricata/traceable-feed.json`, to look at what the agent receives.
   * @default "socket"
   */
  readonly AgentFeed?: FeedMode;
  /**
   * Bytes of each HTTP request and response body included in the events (`http_request_body_printable`, `http_response_body_printable`); longer bodies are cut. 0: no bodies.
   * @default 131072
   */
  readonly HttpBodyLimit?: number | string;
  /**
   * FARGATE only: private hosted zone created for the NLB name (unless Route53ZoneId is given).
   * @default "private.traceable.ai"
   */
  readonly Route53ZoneName?: string;
  /**
   * FARGATE only: existing private hosted zone (already associated with VpcId) to hold the record instead.
   * @default ""
   */
  readonly Route53ZoneId?: string;
  /**
   * FARGATE only: name of the alias record for the NLB inside the zone.
   * @default "mirroring-fargate"
   */
  readonly Route53SubdomainName?: string;
  /**
   * FARGATE only: image of the packet-forwarder sidecar in the `fargate_sidecar_container_definition` output (default: a placeholder to replace).
   * @default ""
   */
  readonly FargatePacketForwarderImage?: string;
  /**
   * Timeout of the session Lambda, seconds.
   * @default 600
   */
  readonly MirroringSessionLambdaTimeout?: number | string;
  /**
   * Minutes between scheduled runs of the session Lambda; must be longer than its timeout.
   * @default 15
   */
  readonly MirroringSessionLambdaInterval?: number | string;
  /**
   * TCP ports to mirror (the API's ports, e.g. `443,8080-8089`): each one becomes a filter rule per direction (to the port inbound, from it outbound); empty mirrors all TCP. AWS allows 10 rules per direction.
   * @default []
   */
  readonly MirrorTcpPorts?: string | readonly (string | number)[];
  /**
   * Derive the filter's TCP ports at run time from the ports the configured load balancers and target groups send to on their targets (v2 target groups' target ports, Classic load balancers' instance ports): the session Lambda keeps the filter's rules in step at every scheduled run and records them in its run summary (`filterPorts`). LOAD_BALANCER, LOAD_BALANCER_TAGS and TARGET_GROUP only; not with MirrorTcpPorts.
   * @default false
   */
  readonly MirrorTcpPortsFromTargets?: boolean | 'true' | 'false';
  /**
   * Most traffic mirror sessions this stack owns (each is billed per hour; an account holds at most 10,000). Beyond it the session Lambda keeps existing sessions, then prefers sources listed earlier in MirrorSource, then lower interface ids; the rest are skipped as `session-budget`. 0: no budget.
   * @default 0
   */
  readonly MirrorSessionBudget?: number | string;
  /**
   * Mirror load balancer targets whatever their health (default: healthy targets only).
   * @default false
   */
  readonly MirrorUnhealthyTargets?: boolean | 'true' | 'false';
  /**
   * SNS topic the stack's alarms notify. When empty, the stack creates `<StackName>-alarms` (subscribe to it, see the session Lambda section).
   * @default ""
   */
  readonly AlarmTopicArn?: string;
  /**
   * Days Secrets Manager keeps the created token secret after destroy before deleting it; 0 deletes it at once, so the same StackName can be deployed again straight away.
   * @default 7
   */
  readonly TokenSecretRecoveryWindowDays?: number | string;
  /**
   * Keep each zone's mirrored traffic on agents in that zone: the NLB's cross-zone load balancing off, and one autoscaling group per subnet in SubnetIds (at least 1 instance each, up to AutoscalingMaxSize each, scaling on its own). Saves the cross-zone data transfer of mirrored traffic; costs at least one agent host per zone and a zone's traffic is lost while its agents are all unhealthy. EC2 fleet only (not with DeployTraceableAgentInECS).
   * @default false
   */
  readonly SameZoneDelivery?: boolean | 'true' | 'false';
  /**
   * The collector's own AWS account (where this stack deploys): required with SourceAccounts, whose accounts must differ from it.
   * @default ""
   */
  readonly AccountId?: string;
  /**
   * Other AWS accounts whose interfaces are mirrored into this collector: each gets its own source stack (`<StackName>-<AccountId>`, its own state and plan) whose provider assumes `RoleArn`, with a filter of the same rules and a session Lambda toward the collector's target, shared with it through AWS RAM. `MirrorSourceType` (LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER or INSTANCE_TAGS), `MirrorSource` and `MirrorSourceVpcId` follow the top-level keys' rules. See [Many accounts, one collector](#many-accounts-one-collector).
   * @default []
   */
  readonly SourceAccounts?: readonly SourceAccountProps[] | string;
  /**
   * Who the RAM share of the mirror target names as principals: `accounts`, each of SourceAccounts (accounts outside your organization accept an invitation); or an organization or OU ARN (RAM sharing with AWS Organizations enabled), so every account in it may use the target. With SourceAccounts only.
   * @default "accounts"
   */
  readonly ShareMirrorTargetWith?: string;
  /**
   * For pipelines that plan each account on its own: the collector's `mirror_target_id` output, the default of the source stacks' `mirror_target_id` variable. When empty, the variable must be given (`TF_VAR_mirror_target_id`). With SourceAccounts only.
   * @default ""
   */
  readonly SharedMirrorTargetId?: string;
}

/** One of SourceAccounts as written in the configuration (lists as arrays or comma-separated strings). */
export interface SourceAccountProps {
  readonly AccountId: string;
  readonly RoleArn: string;
  readonly Region?: string;
  readonly MirrorSourceType: string;
  readonly MirrorSource?: string | readonly string[];
  readonly MirrorSourceVpcId?: string | readonly string[];
}

/** The props are exactly the configuration keys but Backend (a test compares the JSDoc defaults with the schema's). */
type PropKeysAgree = [keyof TraceableTrafficMirroringProps] extends [Exclude<ConfigKey, 'Backend'>]
  ? [Exclude<ConfigKey, 'Backend'>] extends [keyof TraceableTrafficMirroringProps] ? true : never
  : never;
/** Each validated value is a value the props accept, so a configuration can be passed on as props. */
type PropValuesAccept = { [K in keyof TraceableTrafficMirroringProps]-?: MirroringConfig[K] extends NonNullable<TraceableTrafficMirroringProps[K]> ? true : K }[keyof TraceableTrafficMirroringProps];
// Compile-time: fails to compile when a key is missing or extra, or a prop type refuses a validated value.
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

/** One declared output: a value the plan says this deployment has. */
export interface MirroringOutput {
  readonly name: OutputName;
  readonly value: string;
  readonly description: string;
}

/**
 * Traceable traffic mirroring: the mirror target NLB and filter, the agent fleet (EC2 or ECS), the token secret,
 * the alarm topic and, per MirrorSourceType, the session Lambda or the Fargate DNS name. The resources use the
 * stack's AWS provider, whose region must be Region.
 */
export class TraceableTrafficMirroring extends Construct {
  /** The validated configuration (defaults filled in). */
  readonly config: MirroringConfig;
  /** Accepted, but worth a look (the app prints them). */
  readonly warnings: readonly string[];
  readonly plan: DeploymentPlan;
  readonly tokenSecret: TokenSecret;
  readonly alarmTopic: AlarmTopic;
  readonly mirrorTarget: MirrorTarget;
  readonly fleet: Ec2Fleet | EcsFleet;
  /** The session Lambda (undefined with MANUAL and FARGATE). */
  readonly sessionLambda?: SessionLambda;
  /** With SourceAccounts: the RAM share of the mirror target with them (modules/mirror-target-share.ts). */
  readonly mirrorTargetShare?: MirrorTargetShare;
  /** FARGATE: the private name of the NLB and the sidecar definition. */
  readonly fargateDns?: FargateDns;
  /** What the deployment reports (the standalone app declares each as a Terraform output of the same name). */
  readonly outputs: readonly MirroringOutput[];

  constructor(scope: Construct, id: string, props: TraceableTrafficMirroringProps, options: TraceableTrafficMirroringOptions = {}) {
    super(scope, id);
    const source = `TraceableTrafficMirroring ${this.node.path}`;
    if (typeof props === 'object' && props !== null && Object.hasOwn(props, 'Backend')) {
      throw new ConfigError(source, [
        `Backend: got ${show((props as { Backend?: unknown }).Backend)}; expected it unset: the construct's resources live in the state of the stack you add it to, whose backend you configure on that stack`,
      ]);
    }
    const { config, warnings } = parseConfig(props, source);
    this.config = config;
    this.warnings = warnings;
    const plan = planDeployment(config);
    this.plan = plan;
    const namePrefix = plan.stackName;

    if (!options.standalone) Aspects.of(this).add(new StackTags(plan.tags));
    this.node.addValidation({ validate: () => providerRegionProblems(this, plan.region) });

    this.tokenSecret = new TokenSecret(this, 'token', { namePrefix, secret: plan.tokenSecret });
    // Where every alarm goes (the fleet's alarms take alarmTopic.alarmActions too).
    this.alarmTopic = new AlarmTopic(this, 'alarms', { namePrefix, existingTopicArn: plan.alarmTopic.kind === 'existing' ? plan.alarmTopic.arn : undefined });
    const target = new MirrorTarget(this, 'mirror', {
      namePrefix,
      vpcId: plan.vpcId,
      subnetIds: plan.subnetIds,
      sourceCidrs: plan.mirror.sourceCidrs,
      tcpPorts: plan.mirror.tcpPorts,
      rulesManagedAtRunTime: plan.mirror.rulesManagedAtRunTime,
      sameZoneDelivery: plan.mirror.sameZoneDelivery,
    });
    this.mirrorTarget = target;
    if (plan.mirrorTargetShare) this.mirrorTargetShare = new MirrorTargetShare(this, 'mirror_target_share', { plan: plan.mirrorTargetShare, mirrorTargetArn: target.mirrorTarget.arn });
    this.fleet = this.addFleet(plan, plan.fleet);
    target.admitFleet(this.fleet.securityGroup.id);

    const sources = plan.sources;
    switch (sources.kind) {
      case 'sessions':
        this.sessionLambda = new SessionLambda(this, 'sessions', {
          namePrefix,
          region: plan.region,
          mirrorTargetId: target.mirrorTarget.id,
          mirrorTargetArn: target.mirrorTarget.arn,
          mirrorFilterId: target.mirrorFilter.id,
          mirrorFilterArn: target.mirrorFilter.arn,
          ...sessionSettingsOf(sources),
          alarmActions: this.alarmTopic.alarmActions,
        });
        break;
      case 'fargate':
        this.fargateDns = new FargateDns(this, 'fargate_dns', {
          vpcId: plan.vpcId,
          sourceVpcIds: sources.sourceVpcIds,
          zoneName: sources.zoneName,
          existingZoneId: sources.existingZoneId,
          recordName: sources.recordName,
          loadBalancer: target.loadBalancer,
          sidecarImage: sources.sidecarImage,
        });
        break;
      case 'manual':
        break;
      default:
        unhandled(sources);
    }
    this.outputs = plan.outputs.map(({ name, description }) => ({ name, description, value: this.outputValue(name) }));
  }

  private addFleet(plan: DeploymentPlan, fleet: FleetPlan): Ec2Fleet | EcsFleet {
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
      targetGroupArn: this.mirrorTarget.targetGroup.arn,
      tokenSecretArn: this.tokenSecret.secretArn,
      alarmActions: this.alarmTopic.alarmActions,
    };
    switch (fleet.kind) {
      case 'ecs':
        return new EcsFleet(this, 'ecs_fleet', { ...hosts, bootstrap: fleet.bootstrap, targetGroupListener: this.mirrorTarget.listener });
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

  private outputValue(name: OutputName): string {
    const target = this.mirrorTarget;
    const fleet = this.fleet;
    switch (name) {
      case 'mirror_target_id':
        return target.mirrorTarget.id;
      case 'mirror_filter_id':
        return target.mirrorFilter.id;
      case 'nlb_arn':
        return target.loadBalancer.arn;
      case 'nlb_dns_name':
        return target.loadBalancer.dnsName;
      case 'autoscaling_group_name':
        return fleet instanceof Ec2Fleet && this.plan.mirror.sameZoneDelivery
          ? Fn.join(',', fleet.autoscalingGroups.map((group) => group.name))
          : fleet.autoscalingGroup.name;
      case 'token_secret_arn':
        return this.tokenSecret.secretArn;
      case 'alarm_topic_arn':
        return this.alarmTopic.topicArn;
      case 'ecs_cluster_name':
        return (fleet as EcsFleet).cluster.name;
      case 'ecs_service_name':
        return (fleet as EcsFleet).service.name;
      case 'fargate_target_fqdn':
        return this.fargateDns!.fqdn;
      case 'fargate_sidecar_container_definition':
        return this.fargateDns!.sidecarContainerDefinition;
      case 'example_mirror_session_command':
        return `aws ec2 create-traffic-mirror-session --region ${this.plan.region} --network-interface-id <eni-id> --traffic-mirror-target-id ${target.mirrorTarget.id} --traffic-mirror-filter-id ${target.mirrorFilter.id} --session-number 1`;
      default:
        return unhandled(name);
    }
  }
}

/** The EC2 hosts' user data and the bundle of files it fetches. */
function ec2Payload(bootstrap: BootstrapProps, perSubnetGroups: boolean) {
  const bundle = bootstrapBundle('ec2');
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

/** The construct's resources use the stack's default AWS provider: it must exist and be configured for Region. */
function providerRegionProblems(construct: Construct, region: string): string[] {
  const stack = TerraformStack.of(construct);
  const providers = stack.node
    .findAll()
    .filter((node): node is AwsProvider => TerraformProvider.isTerraformProvider(node) && node.terraformResourceType === 'aws' && (node as AwsProvider).alias === undefined);
  const example = `new AwsProvider(stack, 'aws', { region: '${region}' })`;
  if (providers.length === 0) return [`the stack ${stack.node.id} has no AWS provider; add ${example}`];
  const configured = providers[0].region;
  if (configured === region) return [];
  const got = configured === undefined ? 'no region' : Token.isUnresolved(configured) ? 'a region known only at plan time' : `region ${show(configured)}`;
  return [`the stack's AWS provider has ${got}; expected region ${show(region)}, the construct's Region (user data and IAM policies name it): ${example}`];
}
