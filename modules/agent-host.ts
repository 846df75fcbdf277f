import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AutoscalingGroup, type AutoscalingGroupTag } from '@cdktf/provider-aws/lib/autoscaling-group';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import type { BootstrapBundle } from '../bootstrap';
import { BootstrapBundleBucket } from './bootstrap-bundle';
import { managedPolicyArn } from './aws-partition';
import { agentGroups, resourceNames, type AgentGroupNames } from '../shared';

/** Settings of the agent hosts that both fleet kinds (plain EC2, ECS on EC2) share. */
export interface AgentHostSettings {
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
  /**
   * Description of the hosts' security group: who may send them mirrored traffic.
   * @default 'Traceable agent hosts: VXLAN and health checks from the NLB only, no SSH'
   */
  readonly securityGroupDescription?: string;
}

/** What differs between the fleet kinds. */
export interface AgentHostsProps extends AgentHostSettings {
  /**
   * Instance user data (a shell script, plain text known at synth); holds no secret. A function gets the name of the
   * autoscaling group the instances belong to (for the hosts' own metrics).
   */
  readonly userData: string | ((agentGroupName: string) => string);
  /**
   * SameZoneDelivery: one launch template and autoscaling group per subnet, each in its own construct
   * `zone_<subnet id>` (names `<prefix>-agent-<subnet id>` and `<prefix>-agents-<subnet id>`), instead of one group
   * over all subnets.
   * @default false
   */
  readonly perSubnetGroups?: boolean;
  /** The files the user data fetches (bootstrap/index.ts renderUserData, renderEcsUserData): stored in the stack's
   * bundle bucket, which the instance role may read; the user data gets the bucket's name from Terraform. */
  readonly bundle: BootstrapBundle;
  /** Full ARN of the secret holding the refresh token (a Terraform reference when the stack creates it): the instance
   * role may read it, and the hosts write the token to a tmpfs file for the agent container (both fleet kinds). */
  readonly tokenSecretArn: string;
  /** Description of the launch template (what the hosts run). */
  readonly launchTemplateDescription: string;
  /** Description of the instance role (what it may do). */
  readonly roleDescription: string;
  /** AWS-managed policies attached to the instance role, by name with their path (`service-role/...`) if any. */
  readonly managedPolicies: readonly string[];
  /**
   * Target groups the autoscaling group registers its instances with.
   * @default - none (ECS registers its tasks itself)
   */
  readonly targetGroupArns?: readonly string[];
  /**
   * Health check of the autoscaling group.
   * @default 'EC2'
   */
  readonly healthCheckType?: 'EC2' | 'ELB';
  /**
   * Tags of the autoscaling group besides `Name`.
   * @default - none
   */
  readonly extraAutoscalingGroupTags?: readonly AutoscalingGroupTag[];
}

/** One autoscaling group of agent hosts with its launch template. */
export interface AgentGroup {
  /** Where the group's resources are (the fleet itself, or its `zone_<subnet id>` construct). */
  readonly scope: Construct;
  /** The names of the group's resources (policies, alarms). */
  readonly names: AgentGroupNames;
  /** The autoscaling group's name, known at synth. */
  readonly name: string;
  readonly launchTemplate: LaunchTemplate;
  readonly autoscalingGroup: AutoscalingGroup;
}

/** The resources {@link addAgentHosts} creates. */
export interface AgentHosts {
  readonly securityGroup: SecurityGroup;
  readonly role: IamRole;
  /** The first group's (the only one's, unless per subnet). */
  readonly launchTemplate: LaunchTemplate;
  /** The first group's (the only one's, unless per subnet). */
  readonly autoscalingGroup: AutoscalingGroup;
  /** Every group: one, or one per subnet in SubnetIds order. */
  readonly groups: readonly AgentGroup[];
  /** The bucket and object of the hosts' files (one for every group). */
  readonly bootstrapBundle: BootstrapBundleBucket;
}

/**
 * Adds the EC2 instances that host the agent, directly in `scope` (no construct of their own, so the EC2 fleet's
 * Terraform addresses stay `fleet_security_group`, `fleet_launch_template` ...): a security group that may leave only
 * on HTTPS and HTTP (the target's rules come from `admitFleet` of MirrorTarget or GatewayLoadBalancerTarget), an instance role (which may read the token
 * secret: the hosts hand the token to the agent container as a file) and profile, a launch
 * template (IMDSv2 only, encrypted gp3 root volume) and an autoscaling group rolled by instance refresh.
 */
export function addAgentHosts(scope: Construct, props: AgentHostsProps): AgentHosts {
  const { namePrefix } = props;
  const names = resourceNames(namePrefix);

  const securityGroup = new SecurityGroup(scope, 'security_group', {
    name: names.agentSecurityGroup,
    description: props.securityGroupDescription ?? 'Traceable agent hosts: VXLAN and health checks from the NLB only, no SSH',
    vpcId: props.vpcId,
    tags: { Name: names.agentSecurityGroup },
  });
  // The agent ships to the Traceable API and the hosts reach package/image repositories and AWS APIs.
  for (const [name, port] of [['https', 443], ['http', 80]] as const) {
    new VpcSecurityGroupEgressRule(scope, `egress_${name}`, {
      securityGroupId: securityGroup.id,
      description: port === 443 ? 'Traceable API, AWS APIs, package repositories' : 'Package repositories (Ubuntu mirrors use plain HTTP)',
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      cidrIpv4: '0.0.0.0/0',
    });
  }

  const role = new IamRole(scope, 'role', {
    name: names.agentRole,
    description: props.roleDescription,
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  });
  for (const policy of props.managedPolicies) {
    new IamRolePolicyAttachment(scope, `managed_${policy.split('/').pop()}`, { role: role.name, policyArn: managedPolicyArn(props.region, policy) });
  }
  const instanceProfile = new IamInstanceProfile(scope, 'instance_profile', { name: names.agentInstanceProfile, role: role.name });
  const bootstrapBundle = new BootstrapBundleBucket(scope, 'bootstrap_bundle', { namePrefix, bundle: props.bundle });
  const readBundle = bootstrapBundle.grantRead(role);

  const groups = agentGroups(namePrefix, props.subnetIds, props.perSubnetGroups ?? false).map((groupNames, index): AgentGroup => {
    const shared = { securityGroup, instanceProfile, bootstrapBundle, readBundle };
    const name = groupNames.autoscalingGroup;
    if (!props.perSubnetGroups) {
      return { scope, names: groupNames, name, ...addAgentGroup(scope, props, { ...shared, name, launchTemplateName: groupNames.launchTemplate, subnetIds: props.subnetIds }) };
    }
    const subnetId = props.subnetIds[index];
    const zone = new Construct(scope, `zone_${subnetId.replace(/-/g, '_')}`);
    return { scope: zone, names: groupNames, name, ...addAgentGroup(zone, props, { ...shared, name, launchTemplateName: groupNames.launchTemplate, subnetIds: [subnetId] }) };
  });
  // Created after the groups, where the EC2 fleet always had it (the synthesized JSON keeps its order).
  new IamRolePolicy(scope, 'read_token_secret', {
    name: 'read-traceable-refresh-token',
    role: role.id,
    policy: Fn.jsonencode({
      Version: '2012-10-17',
      Statement: [{ Sid: 'ReadRefreshToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.tokenSecretArn }],
    }),
  });
  return { securityGroup, role, launchTemplate: groups[0].launchTemplate, autoscalingGroup: groups[0].autoscalingGroup, groups, bootstrapBundle };
}

/** One launch template and autoscaling group, directly in `scope`. */
function addAgentGroup(
  scope: Construct,
  props: AgentHostsProps,
  group: {
    name: string;
    launchTemplateName: string;
    subnetIds: readonly string[];
    securityGroup: SecurityGroup;
    instanceProfile: IamInstanceProfile;
    bootstrapBundle: BootstrapBundleBucket;
    readBundle: IamRolePolicy;
  },
): { launchTemplate: LaunchTemplate; autoscalingGroup: AutoscalingGroup } {
  const { namePrefix } = props;
  const { securityGroup, instanceProfile, bootstrapBundle, readBundle } = group;
  const userData = typeof props.userData === 'function' ? props.userData(group.name) : props.userData;
  const launchTemplate = new LaunchTemplate(scope, 'launch_template', {
    name: group.launchTemplateName,
    description: props.launchTemplateDescription,
    imageId: props.imageId,
    instanceType: props.instanceType,
    keyName: props.keyName || undefined,
    vpcSecurityGroupIds: [securityGroup.id],
    iamInstanceProfile: { arn: instanceProfile.arn },
    // Encoded here, not as a Terraform template: the script's own ${...} must not be read as interpolation.
    userData: bootstrapBundle.userData(userData),
    // IMDSv2 only; hop limit 1: only the host's network namespace (the bootstrap, the ECS agent, host-network
    // containers) reaches instance metadata, containers on a bridge network do not.
    metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
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
    // Instances of a new version find their bundle uploaded and readable.
    dependsOn: [bootstrapBundle.object, readBundle],
  });

  const autoscalingGroup = new AutoscalingGroup(scope, 'autoscaling_group', {
    name: group.name,
    minSize: 1,
    maxSize: props.maxSize,
    vpcZoneIdentifier: [...group.subnetIds],
    targetGroupArns: props.targetGroupArns ? [...props.targetGroupArns] : undefined,
    healthCheckType: props.healthCheckType ?? 'EC2',
    healthCheckGracePeriod: 600,
    launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
    // A changed launch template (agent version, AMI, instance type) rolls the fleet instead of replacing the stack.
    // Per subnet, a group is often one host: launch the new one before terminating the old, so the zone keeps an agent.
    instanceRefresh: {
      strategy: 'Rolling',
      preferences: props.perSubnetGroups
        ? { minHealthyPercentage: 100, maxHealthyPercentage: 200, instanceWarmup: '300' }
        : { minHealthyPercentage: 50, instanceWarmup: '300' },
    },
    tag: [{ key: 'Name', value: `${namePrefix}-agent`, propagateAtLaunch: true }, ...(props.extraAutoscalingGroupTags ?? [])],
  });

  return { launchTemplate, autoscalingGroup };
}
