import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { MEMORY_METRIC_DIMENSION, MEMORY_METRIC_NAME, METRICS_NAMESPACE } from '../bootstrap/constants';
import { managedPolicyArn } from './aws-partition';

export interface Ec2FleetProps {
  /** Prefix of every resource name (the stack name). */
  readonly namePrefix: string;
  /** AWS region (for managed policy ARNs in the right partition). */
  readonly region: string;
  /** VPC of the subnets. */
  readonly vpcId: string;
  /** Subnets the instances are spread over. */
  readonly subnetIds: readonly string[];
  /** EC2 instance type of the agent hosts. */
  readonly instanceType: string;
  /** AMI ID, or `resolve:ssm:<parameter>` which EC2 resolves at launch (no data source needed). */
  readonly imageId: string;
  /** Root device of the AMI, whose volume is made encrypted gp3 (`/dev/xvda` on Amazon Linux, `/dev/sda1` on Ubuntu). */
  readonly rootDeviceName: string;
  /**
   * Size of the encrypted gp3 root volume, GiB.
   * @default 30
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * EC2 key pair for SSH; SSH is still closed in the security group.
   * @default - no key pair (use SSM Session Manager)
   */
  readonly keyName?: string;
  /** Most instances in the group (the least is 1). */
  readonly maxSize: number;
  /** Target average CPU and memory utilization, percent. */
  readonly targetUtilization: number;
  /** Target group the instances register with (the mirror target NLB's). */
  readonly targetGroupArn: string;
  /** ARN of the secret holding the refresh token; the instance role may read exactly this secret. */
  readonly tokenSecretArn: string;
  /** Instance user data (a shell script, plain text known at synth); holds no secret. */
  readonly userData: string;
}

/**
 * The agent fleet as an EC2 autoscaling group: instances running Suricata and the Traceable agent, behind the
 * mirror target NLB, scaled on CPU and memory, rolled by instance refresh whenever the launch template changes.
 */
export class Ec2Fleet extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly role: IamRole;
  readonly launchTemplate: LaunchTemplate;
  readonly autoscalingGroup: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: Ec2FleetProps) {
    super(scope, id);
    const { namePrefix } = props;

    this.securityGroup = new SecurityGroup(this, 'security_group', {
      name: `${namePrefix}-agents`,
      description: 'Traceable agent hosts: VXLAN and health checks from the NLB only, no SSH',
      vpcId: props.vpcId,
      tags: { Name: `${namePrefix}-agents` },
    });
    // The agent ships to the Traceable API and the bootstrap reaches package repositories, Secrets Manager and SSM.
    for (const [name, port] of [['https', 443], ['http', 80]] as const) {
      new VpcSecurityGroupEgressRule(this, `egress_${name}`, {
        securityGroupId: this.securityGroup.id,
        description: port === 443 ? 'Traceable API, AWS APIs, package repositories' : 'Package repositories (Ubuntu mirrors use plain HTTP)',
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
      });
    }

    this.role = new IamRole(this, 'role', {
      name: `${namePrefix}-agent`,
      description: 'Traceable agent hosts: SSM access, CloudWatch agent, read of the refresh token secret',
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    for (const policy of ['AmazonSSMManagedInstanceCore', 'CloudWatchAgentServerPolicy']) {
      new IamRolePolicyAttachment(this, `managed_${policy}`, {
        role: this.role.name,
        policyArn: managedPolicyArn(props.region, policy),
      });
    }
    new IamRolePolicy(this, 'read_token_secret', {
      name: 'read-traceable-refresh-token',
      role: this.role.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [{ Sid: 'ReadRefreshToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.tokenSecretArn }],
      }),
    });
    const instanceProfile = new IamInstanceProfile(this, 'instance_profile', {
      name: `${namePrefix}-agent`,
      role: this.role.name,
    });

    this.launchTemplate = new LaunchTemplate(this, 'launch_template', {
      name: `${namePrefix}-agent`,
      description: 'Traceable agent host (Suricata + Traceable platform agent)',
      imageId: props.imageId,
      instanceType: props.instanceType,
      keyName: props.keyName || undefined,
      vpcSecurityGroupIds: [this.securityGroup.id],
      iamInstanceProfile: { arn: instanceProfile.arn },
      // Encoded here, not with Terraform's base64encode: the script's own ${...} must not be read as interpolation.
      userData: Buffer.from(props.userData, 'utf8').toString('base64'),
      // IMDSv2 only; hop limit 2 lets the agent's containers reach instance metadata for the role's credentials.
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2, instanceMetadataTags: 'disabled' },
      blockDeviceMappings: [
        {
          deviceName: props.rootDeviceName,
          ebs: { volumeType: 'gp3', volumeSize: props.rootVolumeSizeGiB ?? 30, encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({
        resourceType,
        tags: { Name: `${namePrefix}-agent` },
      })),
      updateDefaultVersion: true,
    });

    this.autoscalingGroup = new AutoscalingGroup(this, 'autoscaling_group', {
      name: `${namePrefix}-agents`,
      minSize: 1,
      maxSize: props.maxSize,
      vpcZoneIdentifier: [...props.subnetIds],
      targetGroupArns: [props.targetGroupArn],
      healthCheckType: 'ELB',
      healthCheckGracePeriod: 600,
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      // A changed launch template (agent version, AMI, instance type) rolls the fleet instead of replacing the stack.
      instanceRefresh: {
        strategy: 'Rolling',
        preferences: { minHealthyPercentage: 50, instanceWarmup: '300' },
      },
      tag: [{ key: 'Name', value: `${namePrefix}-agent`, propagateAtLaunch: true }],
    });

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
  }
}
