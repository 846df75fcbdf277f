import { Construct } from 'constructs';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { HOST_METRICS, MEMORY_METRIC_DIMENSION, MEMORY_METRIC_NAME, METRICS_NAMESPACE, resourceNames } from '../shared';
import type { BootstrapBundle } from '../bootstrap';
import { addAgentHosts, type AgentHostSettings } from './agent-host';
import { ecrPullStatements } from './ecr-pull';
import { addLossAlarms, hostMetric, packetsPerHostTarget, type LossMonitoringSettings } from './host-metrics';

export interface Ec2FleetProps extends AgentHostSettings, LossMonitoringSettings {
  /** Target average CPU and memory utilization, percent. */
  readonly targetUtilization: number;
  /** Target group the instances register with (the mirror target NLB's). */
  readonly targetGroupArn: string;
  /** ARN of the secret holding the refresh token; the instance role may read exactly this secret. */
  readonly tokenSecretArn: string;
  /**
   * Instance user data (a shell script, plain text known at synth); holds no secret. With `perSubnetGroups`, a
   * function of the group's name, which the hosts' metrics carry as their dimension.
   */
  readonly userData: string | ((agentGroupName: string) => string);
  /**
   * SameZoneDelivery: one autoscaling group per subnet, each scaled and alarmed on its own metrics.
   * @default false (one group over all subnets)
   */
  readonly perSubnetGroups?: boolean;
  /** The files the user data fetches (see {@link AgentHostsProps.bundle}). */
  readonly bundle: BootstrapBundle;
  /**
   * Container images the hosts pull; the instance role may pull those in private ECR repositories.
   * @default [] (public images only)
   */
  readonly containerImages?: readonly string[];
  /**
   * Days the hosts' metrics documents (embedded metric format, `/traceable/<namePrefix>/host-metrics`) are kept.
   * @default 7
   */
  readonly metricsLogRetentionDays?: number;
}

/**
 * What the hosts' CloudWatch agent needs (bootstrap/files/cloudwatch-agent.json): metrics into the stack's namespace
 * only, ec2:DescribeTags, with which it resolves the `${aws:AutoScalingGroupName}` dimension (no resource-level
 * permissions exist for it), and the streams of the hosts' metrics log group, where its EMF listener writes the
 * documents of metrics.py (CloudWatch turns them into metrics); no other log group.
 */
function cloudWatchAgentStatements(metricsLogGroupArn: string): object[] {
  return [
    {
      Sid: 'WriteHostMetricsDocuments',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      Resource: [metricsLogGroupArn, `${metricsLogGroupArn}:log-stream:*`],
    },
    {
      Sid: 'PutMetricsIntoOwnNamespace',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    },
    { Sid: 'ResolveAutoScalingGroupDimension', Effect: 'Allow', Action: 'ec2:DescribeTags', Resource: '*' },
  ];
}

/**
 * The agent fleet as an EC2 autoscaling group: instances running Suricata and the Traceable agent, behind the
 * mirror target NLB, scaled on CPU, memory, packet rate and kernel drops, rolled by instance refresh whenever the
 * launch template changes.
 */
export class Ec2Fleet extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly role: IamRole;
  readonly launchTemplate: LaunchTemplate;
  /** The first (unless per subnet, the only) autoscaling group. */
  readonly autoscalingGroup: AutoscalingGroup;
  /** Every autoscaling group: one, or one per subnet in SubnetIds order. */
  readonly autoscalingGroups: readonly AutoscalingGroup[];
  /** Where the CloudWatch agent writes the hosts' metrics documents. */
  readonly metricsLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: Ec2FleetProps) {
    super(scope, id);
    const { namePrefix } = props;

    const hosts = addAgentHosts(this, {
      ...props,
      launchTemplateDescription: 'Traceable agent host (Suricata + Traceable platform agent)',
      roleDescription: 'Traceable agent hosts: SSM access, CloudWatch agent, read of the refresh token secret',
      // SSM core only: Session Manager and Run Command are how operators reach the hosts (no SSH). The CloudWatch
      // agent gets the scoped statements below instead of CloudWatchAgentServerPolicy (any namespace, any log group).
      managedPolicies: ['AmazonSSMManagedInstanceCore'],
      targetGroupArns: [props.targetGroupArn],
      healthCheckType: 'ELB',
    });
    this.securityGroup = hosts.securityGroup;
    this.role = hosts.role;
    this.launchTemplate = hosts.launchTemplate;
    this.autoscalingGroup = hosts.autoscalingGroup;
    this.autoscalingGroups = hosts.groups.map((group) => group.autoscalingGroup);

    const pullStatements = ecrPullStatements(props.containerImages ?? []);
    if (pullStatements.length > 0) {
      new IamRolePolicy(this, 'pull_agent_images', {
        name: 'pull-agent-images',
        role: this.role.id,
        policy: JSON.stringify({ Version: '2012-10-17', Statement: pullStatements }),
      });
    }

    // Loss and load: the hosts' own metrics (metrics.py through the CloudWatch agent), not only CPU and memory.
    this.metricsLogGroup = new CloudwatchLogGroup(this, 'metrics_log_group', {
      name: resourceNames(namePrefix).hostMetricsLogGroup,
      retentionInDays: props.metricsLogRetentionDays ?? 7,
    });
    new IamRolePolicy(this, 'publish_metrics', {
      name: 'publish-agent-metrics',
      role: this.role.id,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: cloudWatchAgentStatements(this.metricsLogGroup.arn) }),
    });
    // Each group scales and alarms on its own hosts (per subnet with SameZoneDelivery, so each zone on its own).
    for (const { scope, names, name, autoscalingGroup } of hosts.groups) {
      new AutoscalingPolicy(scope, 'cpu_target_tracking', {
        name: names.cpuPolicy,
        autoscalingGroupName: autoscalingGroup.name,
        policyType: 'TargetTrackingScaling',
        targetTrackingConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
          targetValue: props.targetUtilization,
        },
      });
      new AutoscalingPolicy(scope, 'memory_target_tracking', {
        name: names.memoryPolicy,
        autoscalingGroupName: autoscalingGroup.name,
        policyType: 'TargetTrackingScaling',
        targetTrackingConfiguration: {
          customizedMetricSpecification: {
            namespace: METRICS_NAMESPACE,
            metricName: MEMORY_METRIC_NAME,
            statistic: 'Average',
            metricDimension: [{ name: MEMORY_METRIC_DIMENSION, value: autoscalingGroup.name }],
          },
          targetValue: props.targetUtilization,
        },
      });
      const packets = hostMetric(HOST_METRICS.kernelPackets, name);
      new AutoscalingPolicy(scope, 'packets_target_tracking', {
        name: names.packetsPolicy,
        autoscalingGroupName: autoscalingGroup.name,
        policyType: 'TargetTrackingScaling',
        targetTrackingConfiguration: {
          customizedMetricSpecification: {
            namespace: packets.namespace,
            metricName: packets.metricName,
            statistic: 'Average',
            metricDimension: Object.entries(packets.dimensions).map(([name, value]) => ({ name, value })),
          },
          targetValue: packetsPerHostTarget(props),
        },
      });
      const scaleOutOnDrops = new AutoscalingPolicy(scope, 'drops_step_scaling', {
        name: names.dropsPolicy,
        autoscalingGroupName: autoscalingGroup.name,
        policyType: 'StepScaling',
        adjustmentType: 'ChangeInCapacity',
        estimatedInstanceWarmup: 300,
        stepAdjustment: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
      });
      addLossAlarms(scope, {
        ...props,
        alarmNames: names,
        agentGroupName: name,
        scaleOutActions: [scaleOutOnDrops.arn],
      });
    }
  }
}
