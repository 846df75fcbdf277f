import { Fn, TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct, Node } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { bootstrapBundle, containerImagesOf, renderUserData, type BootstrapProps } from '../bootstrap';
import { AlarmTopic } from '../constructs/alarm-topic';
import { Ec2Fleet } from '../constructs/ec2-fleet';
import { EcsFleet, ecsOptimizedImageId } from '../constructs/ecs-fleet';
import { FargateDns } from '../constructs/fargate-dns';
import { MirrorTarget } from '../constructs/mirror-target';
import { SessionLambda } from '../constructs/session-lambda';
import { TokenSecret } from '../constructs/token-secret';
import { applyBackend } from './backend';
import { effectiveInstanceType, parsePortRange, type MirroringConfig } from '../config';
import { STACK_TAG_KEY, TOKEN_VARIABLE_NAME, architectureOfFamily, createdTokenSecretName, isSessionSourceType, resourceNames } from '../shared';

export interface MirroringStackProps {
  /** A validated configuration (see config/schema.ts). */
  readonly config: MirroringConfig;
}

/** Root device of the supported AMI families. */
const ROOT_DEVICE_NAME = { 'amazon-linux-2023': '/dev/xvda', ubuntu: '/dev/sda1' } as const;

/**
 * What the agent hosts need at boot, from a configuration. The secret is named by a plain string known at synth
 * (the given ARN, or the name of the secret the stack creates), so user data holds no Terraform reference.
 */
export function bootstrapPropsOf(config: MirroringConfig): BootstrapProps {
  return {
    region: config.Region,
    tokenSecretArn: config.TraceableRefreshTokenSecretArn || createdTokenSecretName(config.StackName),
    traceableEnvironment: config.TraceableEnvironment,
    traceableServiceName: config.TraceableServiceName,
    traceableApiEndpoint: config.TraceableAPIEndpoint,
    traceableAgentVersion: config.TraceableAgentVersion,
    traceableAgentImage: config.TraceableAgentImage || undefined,
    suricataImage: config.SuricataImage,
    agentGroupName: resourceNames(config.StackName).agentGroup,
    metricsLogGroupName: resourceNames(config.StackName).hostMetricsLogGroup,
    feedMode: config.AgentFeed,
    httpBodyLimit: config.HttpBodyLimit,
  };
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
 * One deployment of Traceable traffic mirroring: composes the modules from a validated configuration.
 * Each module takes typed props; none reads the configuration file.
 */
export class MirroringStack extends TerraformStack {
  private readonly allocatedIds = new Map<string, string>();

  constructor(scope: Construct, props: MirroringStackProps) {
    const { config } = props;
    super(scope, config.StackName);

    applyBackend(this, config.Backend, config.StackName, config.Region);

    new AwsProvider(this, 'aws', {
      region: config.Region,
      defaultTags: [{ tags: { ...config.Tags, [STACK_TAG_KEY]: config.StackName } }],
    });

    const tokenSecret = new TokenSecret(this, 'token', {
      namePrefix: config.StackName,
      existingSecretArn: config.TraceableRefreshTokenSecretArn || undefined,
      variableName: TOKEN_VARIABLE_NAME,
      recoveryWindowDays: config.TokenSecretRecoveryWindowDays,
    });

    // Where every alarm of the stack goes (the fleet's alarms take alarmTopic.alarmActions too).
    const alarmTopic = new AlarmTopic(this, 'alarms', { namePrefix: config.StackName, existingTopicArn: config.AlarmTopicArn || undefined });

    const target = new MirrorTarget(this, 'mirror', {
      namePrefix: config.StackName,
      vpcId: config.VpcId,
      subnetIds: config.SubnetIds,
      sourceCidrs: config.MirrorSourceCidrs,
      tcpPorts: config.MirrorTcpPorts.map((item) => parsePortRange(item)!),
      rulesManagedAtRunTime: config.MirrorTcpPortsFromTargets,
      sameZoneDelivery: config.SameZoneDelivery,
    });

    const instanceType = effectiveInstanceType(config) ?? config.InstanceType;
    const architecture = architectureOfFamily(instanceType.split('.')[0]);
    const hosts = {
      namePrefix: config.StackName,
      region: config.Region,
      vpcId: config.VpcId,
      subnetIds: config.SubnetIds,
      instanceType,
      rootDeviceName: ROOT_DEVICE_NAME[config.CustomAMIOperatingSystem],
      keyName: config.KeyName || undefined,
      maxSize: config.AutoscalingMaxSize,
      targetUtilization: config.AutoscalingTargetValue,
      targetGroupArn: target.targetGroup.arn,
      tokenSecretArn: tokenSecret.secretArn,
      alarmActions: alarmTopic.alarmActions,
    };
    const bootstrap = bootstrapPropsOf(config);
    // DeployTraceableAgentInECS: the same hosts and configuration, run as an ECS service (constructs/ecs-fleet.ts).
    const fleet = config.DeployTraceableAgentInECS
      ? new EcsFleet(this, 'ecs_fleet', {
          ...hosts,
          imageId: config.CustomAMI || ecsOptimizedImageId(architecture),
          bootstrap,
          targetGroupListener: target.listener,
        })
      : new Ec2Fleet(this, 'fleet', {
          ...hosts,
          imageId: config.CustomAMI || `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`,
          ...ec2Payload(bootstrap, config.SameZoneDelivery),
          perSubnetGroups: config.SameZoneDelivery,
          containerImages: containerImagesOf(bootstrap),
        });
    target.admitFleet(fleet.securityGroup.id);

    // The session Lambda keeps mirror sessions in step with the sources; MANUAL and FARGATE have none.
    const sourceType = config.MirrorSourceType;
    if (isSessionSourceType(sourceType)) {
      new SessionLambda(this, 'sessions', {
        namePrefix: config.StackName,
        region: config.Region,
        mirrorTargetId: target.mirrorTarget.id,
        mirrorTargetArn: target.mirrorTarget.arn,
        mirrorFilterId: target.mirrorFilter.id,
        mirrorFilterArn: target.mirrorFilter.arn,
        sourceType,
        sources: config.MirrorSource,
        sourceVpcIds: config.MirrorSourceVpcId,
        mirrorUnhealthyTargets: config.MirrorUnhealthyTargets,
        sessionBudget: config.MirrorSessionBudget,
        tcpPortsFromTargets: config.MirrorTcpPortsFromTargets,
        timeoutSeconds: config.MirroringSessionLambdaTimeout,
        intervalMinutes: config.MirroringSessionLambdaInterval,
        alarmActions: alarmTopic.alarmActions,
      });
    }

    const outputs: Record<string, { value: string; description: string }> = {
      mirror_target_id: { value: target.mirrorTarget.id, description: 'Traffic mirror target (the NLB) for mirror sessions' },
      mirror_filter_id: { value: target.mirrorFilter.id, description: 'Traffic mirror filter for mirror sessions' },
      nlb_arn: { value: target.loadBalancer.arn, description: 'ARN of the mirror target network load balancer' },
      nlb_dns_name: { value: target.loadBalancer.dnsName, description: 'DNS name of the mirror target network load balancer' },
      autoscaling_group_name: fleet instanceof Ec2Fleet && config.SameZoneDelivery
        ? { value: Fn.join(',', fleet.autoscalingGroups.map((group) => group.name)), description: 'Autoscaling groups of the agent hosts, one per subnet (SameZoneDelivery), comma-separated' }
        : { value: fleet.autoscalingGroup.name, description: 'Autoscaling group of the agent hosts' },
      token_secret_arn: { value: tokenSecret.secretArn, description: 'Secrets Manager secret holding the refresh token (not the token)' },
      alarm_topic_arn: { value: alarmTopic.topicArn, description: 'SNS topic the stack\'s alarms notify (subscribe to it)' },
    };
    if (fleet instanceof EcsFleet) {
      outputs.ecs_cluster_name = { value: fleet.cluster.name, description: 'ECS cluster of the agent tasks' };
      outputs.ecs_service_name = { value: fleet.service.name, description: 'ECS service running Suricata and the Traceable agent' };
    }
    // FARGATE: Fargate tasks cannot be mirror sources; their packet-forwarder sidecars send to a private name of the NLB.
    if (config.MirrorSourceType === 'FARGATE') {
      const dns = new FargateDns(this, 'fargate_dns', {
        vpcId: config.VpcId,
        sourceVpcIds: config.MirrorSourceVpcId,
        zoneName: config.Route53ZoneName,
        existingZoneId: config.Route53ZoneId || undefined,
        recordName: config.Route53SubdomainName,
        loadBalancer: target.loadBalancer,
        sidecarImage: config.FargatePacketForwarderImage || undefined,
      });
      outputs.fargate_target_fqdn = { value: dns.fqdn, description: 'Private DNS name of the mirror target NLB for the Fargate packet forwarders' };
      outputs.fargate_sidecar_container_definition = {
        value: dns.sidecarContainerDefinition,
        description: 'Packet-forwarder sidecar for your Fargate task definitions (JSON; set the image, see the README)',
      };
    }
    // MANUAL: the user creates the sessions; this is the command with the target and filter filled in.
    if (config.MirrorSourceType === 'MANUAL') {
      outputs.example_mirror_session_command = {
        value: `aws ec2 create-traffic-mirror-session --region ${config.Region} --network-interface-id <eni-id> --traffic-mirror-target-id ${target.mirrorTarget.id} --traffic-mirror-filter-id ${target.mirrorFilter.id} --session-number 1`,
        description: 'Mirrors one network interface (replace <eni-id>) to the target with the filter',
      };
    }
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
  }

  /**
   * Readable, stable Terraform addresses (`aws_lb.mirror_nlb`, not `aws_lb.mirror_nlb_F7312191`): the construct path
   * joined by underscores, so a plan in review names what it touches and renaming a construct is a visible change.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const components = node.scopes.slice(node.scopes.indexOf(this) + 1).map((scope) => scope.node.id);
    const id = components.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
    const path = node.path;
    const owner = this.allocatedIds.get(id);
    if (owner !== undefined && owner !== path) throw new Error(`Terraform address ${id} is used by both ${owner} and ${path}`);
    this.allocatedIds.set(id, path);
    return id;
  }
}
