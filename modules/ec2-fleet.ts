import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { HOST_METRICS, MEMORY_METRIC_DIMENSION, MEMORY_METRIC_NAME, METRICS_NAMESPACE } from '../bootstrap/constants';
import type { BootstrapBundle } from '../bootstrap';
import { addAgentHosts, type AgentHostSettings } from './agent-host';
import { ecrPullStatements } from './ecr-pull';
import { addLossAlarms, hostMetric, packetsPerHostTarget, type LossMonitoringSettings } from './host-metrics';
import { resourceNames } from './resource-names';

export interface Ec2FleetProps extends AgentHostSettings, LossMonitoringSettings {
  /** Target average CPU and memory utilization, percent. */
  readonly targetUtilization: number;
  /** Target group the instances register with (the mirror target NLB's). */
  readonly targetGroupArn: string;
  /** ARN of the secret holding the refresh token; the instance role may read exactly this secret. */
  readonly tokenSecretArn: string;
  /** Instance user data (a shell script, plain text known at synth); holds no secret. */
  readonly userData: string;
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
 * The agent fleet as an EC2 autoscaling group: instances running Suricata and the Traceable agent, behind the
 * mirror target NLB, scaled on CPU, memory, packet rate and kernel drops, rolled by instance refresh whenever the
 * launch template changes.
 */
export class Ec2Fleet extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly role: IamRole;
  readonly launchTemplate: LaunchTemplate;
  readonly autoscalingGroup: AutoscalingGroup;
  /** Where the CloudWatch agent writes the hosts' metrics documents. */
  readonly metricsLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: Ec2FleetProps) {
    super(scope, id);
    const { namePrefix } = props;

    const hosts = addAgentHosts(this, {
      ...props,
      launchTemplateDescription: 'Traceable agent host (Suricata + Traceable platform agent)',
      roleDescription: 'Traceable agent hosts: SSM access, CloudWatch agent, read of the refresh token secret',
      managedPolicies: ['AmazonSSMManagedInstanceCore', 'CloudWatchAgentServerPolicy'],
      targetGroupArns: [props.targetGroupArn],
      healthCheckType: 'ELB',
    });
    this.securityGroup = hosts.securityGroup;
    this.role = hosts.role;
    this.launchTemplate = hosts.launchTemplate;
    this.autoscalingGroup = hosts.autoscalingGroup;
    new IamRolePolicy(this, 'read_token_secret', {
      name: 'read-traceable-refresh-token',
      role: this.role.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [{ Sid: 'ReadRefreshToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.tokenSecretArn }],
      }),
    });

    const pullStatements = ecrPullStatements(props.containerImages ?? []);
    if (pullStatements.length > 0) {
      new IamRolePolicy(this, 'pull_agent_images', {
        name: 'pull-agent-images',
        role: this.role.id,
        policy: JSON.stringify({ Version: '2012-10-17', Statement: pullStatements }),
      });
    }

    new AutoscalingPolicy(this, 'cpu_target_tracking', {
      name: `${namePrefix}-cpu`,
      autoscalingGroupName: this.autoscalingGroup.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: props.targetUtilization,
      },
    });
    new AutoscalingPolicy(this, 'memory_target_tracking', {
      name: `${namePrefix}-memory`,
      autoscalingGroupName: this.autoscalingGroup.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        customizedMetricSpecification: {
          namespace: METRICS_NAMESPACE,
          metricName: MEMORY_METRIC_NAME,
          statistic: 'Average',
          metricDimension: [{ name: MEMORY_METRIC_DIMENSION, value: this.autoscalingGroup.name }],
        },
        targetValue: props.targetUtilization,
      },
    });
  

    // Loss and load: the hosts' own metrics (metrics.py through the CloudWatch agent), not only CPU and memory.
    this.metricsLogGroup = new CloudwatchLogGroup(this, 'metrics_log_group', {
      name: resourceNames(namePrefix).hostMetricsLogGroup,
      retentionInDays: props.metricsLogRetentionDays ?? 7,
    });
    const packets = hostMetric(HOST_METRICS.kernelPackets, resourceNames(namePrefix).agentGroup);
    new AutoscalingPolicy(this, 'packets_target_tracking', {
      name: `${namePrefix}-packets`,
      autoscalingGroupName: this.autoscalingGroup.name,
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
    const scaleOutOnDrops = new AutoscalingPolicy(this, 'drops_step_scaling', {
      name: `${namePrefix}-drops`,
      autoscalingGroupName: this.autoscalingGroup.name,
      policyType: 'StepScaling',
      adjustmentType: 'ChangeInCapacity',
      estimatedInstanceWarmup: 300,
      stepAdjustment: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
    });
    addLossAlarms(this, {
      ...props,
      agentGroupName: resourceNames(namePrefix).agentGroup,
      scaleOutActions: [scaleOutOnDrops.arn],
    });
  }
}
