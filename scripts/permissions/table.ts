/**
 * What the deployer needs per Terraform resource type: the IAM actions that the hashicorp/aws 5.100.0 provider calls to
 * create, read (refresh), update and delete it, and where AWS lets a policy name the resource (its ARN, built from the
 * synthesized settings), else a tag condition, else `*` with the reason.
 *
 * Sources: the AWS Service Authorization Reference page of each service (actions, resource types, condition keys):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_<service>.html (SAR below), and the provider's
 * resource documentation and source, https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/<type>
 * (PROVIDER below). A resource type the synthesized stack uses and this table lacks fails `npm run permissions` and its
 * test by name: adding its row is the whole change.
 */

export type Operation = 'create' | 'read' | 'update' | 'delete';
export const OPERATIONS: readonly Operation[] = ['create', 'read', 'update', 'delete'];

/** IAM condition block: operator -> key -> values. */
export type Condition = Record<string, Record<string, string | string[]>>;

/** One synthesized resource, with what the grants need to name it. */
export interface ResourceContext {
  /** The resource's settings (cdk.tf.json, without cdktf's metadata). */
  readonly settings: Record<string, unknown>;
  /** `arn:<partition>:<service>:<region>:<account>:` */
  arn(service: string, rest: string, options?: { global?: boolean; accountless?: boolean }): string;
  /** A literal setting, or the `name`-like setting of the stack resource a `${type.name.attribute}` reference points at. */
  named(attribute: string): string;
  /** Each element of a list setting, as {@link ResourceContext.named} resolves one; none when the setting is absent. */
  namedList(attribute: string): string[];
  /** The stack's own tag (provider default tag), present on every taggable resource it creates. */
  readonly stackTag: { readonly key: string; readonly value: string };
  /** The permissions boundary every role of the stack carries (their `permissions_boundary`). */
  boundary(): string;
}

export interface Grant {
  /** Actions per operation they serve. */
  readonly actions: Partial<Record<Operation, readonly string[]>>;
  /** Resource ARNs (patterns); `'*'` only with {@link Grant.anyResourceBecause}. */
  readonly resources: (context: ResourceContext) => readonly string[];
  /** Why these actions cannot name a resource (the SAR lists no resource type for them). */
  readonly anyResourceBecause?: string;
  readonly condition?: (context: ResourceContext) => Condition;
}

export interface TableRow {
  /** Where the actions and resource types come from. */
  readonly sources: readonly string[];
  readonly grants: readonly Grant[];
  /** Settings that hand one of the stack's roles to an AWS service (iam:PassRole, only to that service). */
  readonly passesRole?: readonly { readonly attribute: string; readonly service: string }[];
}

const sar = (page: string) => `SAR https://docs.aws.amazon.com/service-authorization/latest/reference/list_${page}.html`;
const provider = (type: string) => `PROVIDER https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/${type.replace(/^aws_/, '')}`;

const ANY = () => ['*'];
const NO_RESOURCE_LEVEL = 'the SAR lists no resource type for these actions';

// Service-linked roles that the first create of a resource type makes in an account (each only for its service).
function serviceLinkedRole(service: string, rolePath: string): Grant {
  return {
    actions: { create: ['iam:CreateServiceLinkedRole'] },
    resources: (c) => [c.arn('iam', `role/aws-service-role/${service}/${rolePath}`, { global: true })],
    condition: () => ({ StringEquals: { 'iam:AWSServiceName': service } }),
  };
}

// --- EC2: IDs are random, so resources are named by type and limited by the stack's tag (SAR: ec2 supports
// aws:RequestTag on create, aws:ResourceTag on existing resources, ec2:CreateAction for tag-on-create).
const ec2 = (c: ResourceContext, type: string) => c.arn('ec2', `${type}/*`);
const requestTag = (c: ResourceContext): Condition => ({ StringEquals: { [`aws:RequestTag/${c.stackTag.key}`]: c.stackTag.value } });
const resourceTag = (c: ResourceContext): Condition => ({ StringEquals: { [`aws:ResourceTag/${c.stackTag.key}`]: c.stackTag.value } });
const ec2Read: Grant = {
  actions: { read: ['ec2:Describe*'] },
  resources: ANY,
  anyResourceBecause: 'EC2 Describe* actions have no resource-level permissions (SAR); the provider reads several per resource',
};
/** Creating an EC2 resource of `type` with the stack's tag, tags included (the provider tags on create). */
function ec2Create(type: string, action: string, existing?: (c: ResourceContext) => readonly string[]): Grant[] {
  const grants: Grant[] = [
    { actions: { create: [action] }, resources: (c) => [ec2(c, type)], condition: requestTag },
    // ec2:CreateAction takes the API name (CreateSecurityGroup), not the IAM action.
    { actions: { create: ['ec2:CreateTags'] }, resources: (c) => [ec2(c, type)], condition: () => ({ StringEquals: { 'ec2:CreateAction': action.slice('ec2:'.length) } }) },
  ];
  // The existing resources the create also authorizes on (the VPC of a security group, the NLB of a mirror target).
  return existing ? [...grants, { actions: { create: [action] }, resources: existing }] : grants;
}
/** Changing or deleting an EC2 resource of `type` that carries the stack's tag. */
function ec2Tagged(type: string, update: readonly string[], remove: readonly string[]): Grant {
  return { actions: { update: ['ec2:CreateTags', 'ec2:DeleteTags', ...update], delete: remove }, resources: (c) => [ec2(c, type)], condition: resourceTag };
}

/** The configured subnets of a VPC endpoint (literal IDs). */
const endpointSubnets = (c: ResourceContext) => c.namedList('subnet_ids').map((subnet) => c.arn('ec2', `subnet/${subnet}`));

/** What RunInstances creates (and may tag on create). */
const LAUNCHED = ['instance', 'volume', 'network-interface'];

// --- Elastic Load Balancing v2 (SAR list_awselasticloadbalancingv2): named ARNs; Describe* has no resource level.
const elbRead: Grant = {
  actions: { read: ['elasticloadbalancing:Describe*'] },
  resources: ANY,
  anyResourceBecause: 'Elastic Load Balancing Describe* actions have no resource-level permissions (SAR)',
};
const lbKind = (type: unknown) => (type === 'application' ? 'app' : type === 'gateway' ? 'gwy' : 'net');
const loadBalancerArn = (c: ResourceContext, name: string, type: unknown) => c.arn('elasticloadbalancing', `loadbalancer/${lbKind(type)}/${name}/*`);

// --- Auto Scaling (SAR list_amazonec2autoscaling).
const autoscalingRead: Grant = {
  actions: { read: ['autoscaling:Describe*'] },
  resources: ANY,
  anyResourceBecause: 'Auto Scaling Describe* actions have no resource-level permissions (SAR)',
};
const autoScalingGroupArn = (c: ResourceContext, name: string) => c.arn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${name}`);

// --- S3 (SAR list_amazons3): bucket ARNs have neither region nor account. The stack names its bucket by bucket_prefix
// (S3 adds a unique suffix), so a bucket is granted as <prefix>*; the resources of the bucket reach that prefix through
// their `bucket` reference (NAME_SETTING in policies.ts).
const s3Bucket = (c: ResourceContext, prefix: string) => c.arn('s3', `${prefix}*`, { global: true, accountless: true });

const iamRole = (c: ResourceContext, name: string) => c.arn('iam', `role/${name}`, { global: true });
/** Only with the stack's boundary on the role (SAR: iam:PermissionsBoundary): no role or role policy escapes it. */
const withBoundary = (c: ResourceContext): Condition => ({ StringEquals: { 'iam:PermissionsBoundary': c.boundary() } });
/** The role actions a deployer could escalate with, each allowed only with {@link withBoundary}. */
export const BOUNDED_ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
] as const;
const lambdaFunction = (c: ResourceContext, name: string) => c.arn('lambda', `function:${name}`);
const ecsService = (c: ResourceContext, cluster: string, service: string) => c.arn('ecs', `service/${cluster}/${service}`);

export const PERMISSIONS_TABLE: Record<string, TableRow> = {
  // ---------------------------------------------------------------------------------------------------------- IAM
  aws_iam_role: {
    sources: [sar('awsidentityandaccessmanagementiam'), provider('aws_iam_role')],
    grants: [
      {
        // CreateRole carries permissions_boundary; a role deployed before it had one gets it by PutRolePermissionsBoundary.
        actions: { create: ['iam:CreateRole'], update: ['iam:PutRolePermissionsBoundary'] },
        resources: (c) => [iamRole(c, c.named('name'))],
        condition: withBoundary,
      },
      {
        actions: {
          create: ['iam:TagRole'],
          // Read also lists inline and attached policies (inline_policy, managed_policy_arns).
          read: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'],
          update: ['iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
          // Delete first removes the role from its instance profiles (listed here, removed by the profile's row).
          delete: ['iam:DeleteRole', 'iam:ListInstanceProfilesForRole'],
        },
        resources: (c) => [iamRole(c, c.named('name'))],
      },
    ],
  },
  aws_iam_role_policy: {
    sources: [sar('awsidentityandaccessmanagementiam'), provider('aws_iam_role_policy')],
    grants: [
      { actions: { read: ['iam:GetRolePolicy'] }, resources: (c) => [iamRole(c, c.named('role'))] },
      {
        actions: { create: ['iam:PutRolePolicy'], update: ['iam:PutRolePolicy'], delete: ['iam:DeleteRolePolicy'] },
        resources: (c) => [iamRole(c, c.named('role'))],
        condition: withBoundary,
      },
    ],
  },
  aws_iam_role_policy_attachment: {
    sources: [sar('awsidentityandaccessmanagementiam'), provider('aws_iam_role_policy_attachment')],
    grants: [
      { actions: { read: ['iam:ListAttachedRolePolicies'] }, resources: (c) => [iamRole(c, c.named('role'))] },
      {
        // Only the managed policy this attachment names (iam:PolicyARN), never any other, and only under the boundary.
        actions: { create: ['iam:AttachRolePolicy'], delete: ['iam:DetachRolePolicy'] },
        resources: (c) => [iamRole(c, c.named('role'))],
        condition: (c) => ({ ArnEquals: { 'iam:PolicyARN': c.named('policy_arn') }, ...withBoundary(c) }),
      },
    ],
  },
  aws_iam_instance_profile: {
    sources: [sar('awsidentityandaccessmanagementiam'), provider('aws_iam_instance_profile')],
    grants: [
      {
        actions: {
          create: ['iam:CreateInstanceProfile', 'iam:TagInstanceProfile', 'iam:AddRoleToInstanceProfile'],
          read: ['iam:GetInstanceProfile'],
          update: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:TagInstanceProfile', 'iam:UntagInstanceProfile'],
          delete: ['iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        },
        resources: (c) => [c.arn('iam', `instance-profile/${c.named('name')}`, { global: true })],
      },
    ],
    // AddRoleToInstanceProfile, and launching instances with the profile (autoscaling group), pass its role to EC2.
    passesRole: [{ attribute: 'role', service: 'ec2.amazonaws.com' }],
  },

  // ------------------------------------------------------------------------------------------------------- Lambda
  aws_lambda_function: {
    sources: [sar('awslambda'), provider('aws_lambda_function')],
    grants: [
      {
        actions: {
          create: ['lambda:CreateFunction', 'lambda:TagResource', 'lambda:PutFunctionConcurrency'],
          read: ['lambda:GetFunction', 'lambda:ListVersionsByFunction', 'lambda:GetFunctionCodeSigningConfig', 'lambda:ListTags'],
          update: [
            'lambda:UpdateFunctionCode',
            'lambda:UpdateFunctionConfiguration',
            'lambda:PutFunctionConcurrency',
            'lambda:DeleteFunctionConcurrency',
            'lambda:TagResource',
            'lambda:UntagResource',
          ],
          delete: ['lambda:DeleteFunction'],
        },
        resources: (c) => [lambdaFunction(c, c.named('function_name'))],
      },
    ],
    passesRole: [{ attribute: 'role', service: 'lambda.amazonaws.com' }],
  },
  aws_lambda_permission: {
    sources: [sar('awslambda'), provider('aws_lambda_permission')],
    grants: [
      {
        actions: { create: ['lambda:AddPermission'], read: ['lambda:GetPolicy'], delete: ['lambda:RemovePermission'] },
        resources: (c) => [lambdaFunction(c, c.named('function_name'))],
      },
    ],
  },
  aws_lambda_event_source_mapping: {
    sources: [sar('awslambda'), provider('aws_lambda_event_source_mapping')],
    grants: [
      {
        // The mapping's UUID is random; the SAR gives CreateEventSourceMapping no resource type and scopes all
        // mapping actions with lambda:FunctionArn.
        actions: { create: ['lambda:CreateEventSourceMapping'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (CreateEventSourceMapping); limited to the stack's function by lambda:FunctionArn`,
        condition: (c) => ({ ArnLike: { 'lambda:FunctionArn': lambdaFunction(c, c.named('function_name')) } }),
      },
      {
        actions: {
          create: ['lambda:GetEventSourceMapping'],
          read: ['lambda:GetEventSourceMapping'],
          update: ['lambda:UpdateEventSourceMapping'],
          delete: ['lambda:DeleteEventSourceMapping', 'lambda:GetEventSourceMapping'],
        },
        resources: (c) => [c.arn('lambda', 'event-source-mapping:*')],
        condition: (c) => ({ ArnLike: { 'lambda:FunctionArn': lambdaFunction(c, c.named('function_name')) } }),
      },
      {
        actions: { create: ['lambda:TagResource'], read: ['lambda:ListTags'], update: ['lambda:TagResource', 'lambda:UntagResource'] },
        resources: (c) => [c.arn('lambda', 'event-source-mapping:*')],
      },
    ],
  },
  aws_lambda_invocation: {
    // lifecycle_scope CRUD invokes the function on create, update and destroy; nothing is read on refresh.
    sources: [sar('awslambda'), provider('aws_lambda_invocation')],
    grants: [
      {
        actions: { create: ['lambda:InvokeFunction'], update: ['lambda:InvokeFunction'], delete: ['lambda:InvokeFunction'] },
        resources: (c) => [lambdaFunction(c, c.named('function_name'))],
      },
    ],
  },
  aws_lambda_function_event_invoke_config: {
    sources: [sar('awslambda'), provider('aws_lambda_function_event_invoke_config')],
    grants: [
      {
        actions: {
          create: ['lambda:PutFunctionEventInvokeConfig'],
          read: ['lambda:GetFunctionEventInvokeConfig'],
          update: ['lambda:PutFunctionEventInvokeConfig', 'lambda:UpdateFunctionEventInvokeConfig'],
          delete: ['lambda:DeleteFunctionEventInvokeConfig'],
        },
        resources: (c) => [lambdaFunction(c, c.named('function_name')), `${lambdaFunction(c, c.named('function_name'))}:*`],
      },
    ],
  },

  // --------------------------------------------------------------------------------------- Logs, events, alarms
  aws_cloudwatch_log_group: {
    sources: [sar('amazoncloudwatchlogs'), provider('aws_cloudwatch_log_group')],
    grants: [
      {
        actions: {
          create: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
          read: ['logs:ListTagsForResource'],
          update: ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:TagResource', 'logs:UntagResource'],
          delete: ['logs:DeleteLogGroup'],
        },
        resources: (c) => [c.arn('logs', `log-group:${c.named('name')}`), c.arn('logs', `log-group:${c.named('name')}:*`)],
      },
      { actions: { read: ['logs:DescribeLogGroups'] }, resources: ANY, anyResourceBecause: `${NO_RESOURCE_LEVEL} (DescribeLogGroups)` },
    ],
  },
  aws_cloudwatch_event_rule: {
    sources: [sar('amazoneventbridge'), provider('aws_cloudwatch_event_rule')],
    grants: [
      {
        actions: {
          create: ['events:PutRule', 'events:TagResource', 'events:DescribeRule'],
          read: ['events:DescribeRule', 'events:ListTagsForResource'],
          update: ['events:PutRule', 'events:TagResource', 'events:UntagResource'],
          delete: ['events:DeleteRule'],
        },
        resources: (c) => [c.arn('events', `rule/${c.named('name')}`)],
      },
    ],
  },
  aws_cloudwatch_event_target: {
    sources: [sar('amazoneventbridge'), provider('aws_cloudwatch_event_target')],
    grants: [
      {
        actions: { create: ['events:PutTargets'], read: ['events:ListTargetsByRule'], update: ['events:PutTargets'], delete: ['events:RemoveTargets'] },
        resources: (c) => [c.arn('events', `rule/${c.named('rule')}`)],
      },
    ],
    passesRole: [{ attribute: 'role_arn', service: 'events.amazonaws.com' }],
  },
  aws_cloudwatch_metric_alarm: {
    sources: [sar('amazoncloudwatch'), provider('aws_cloudwatch_metric_alarm')],
    grants: [
      {
        actions: {
          create: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'],
          read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
          update: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
          delete: ['cloudwatch:DeleteAlarms'],
        },
        resources: (c) => [c.arn('cloudwatch', `alarm:${c.named('alarm_name')}`)],
      },
    ],
  },
  aws_sns_topic: {
    sources: [sar('amazonsns'), provider('aws_sns_topic')],
    grants: [
      {
        actions: {
          create: ['sns:CreateTopic', 'sns:TagResource', 'sns:SetTopicAttributes', 'sns:GetTopicAttributes'],
          read: ['sns:GetTopicAttributes', 'sns:ListTagsForResource'],
          update: ['sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource'],
          delete: ['sns:DeleteTopic'],
        },
        resources: (c) => [c.arn('sns', c.named('name'))],
      },
    ],
  },
  aws_sns_topic_policy: {
    sources: [sar('amazonsns'), provider('aws_sns_topic_policy')],
    grants: [
      {
        actions: { create: ['sns:SetTopicAttributes'], read: ['sns:GetTopicAttributes'], update: ['sns:SetTopicAttributes'], delete: ['sns:SetTopicAttributes'] },
        resources: (c) => [c.arn('sns', c.named('arn'))],
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------- SQS, secrets
  aws_sqs_queue: {
    sources: [sar('amazonsqs'), provider('aws_sqs_queue')],
    grants: [
      {
        actions: {
          create: ['sqs:CreateQueue', 'sqs:TagQueue', 'sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
          read: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
          update: ['sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
          delete: ['sqs:DeleteQueue'],
        },
        resources: (c) => [c.arn('sqs', c.named('name'))],
      },
    ],
  },
  aws_sqs_queue_policy: {
    sources: [sar('amazonsqs'), provider('aws_sqs_queue_policy')],
    grants: [
      {
        actions: { create: ['sqs:SetQueueAttributes'], read: ['sqs:GetQueueAttributes'], update: ['sqs:SetQueueAttributes'], delete: ['sqs:SetQueueAttributes'] },
        resources: (c) => [c.arn('sqs', c.named('queue_url'))],
      },
    ],
  },
  aws_secretsmanager_secret: {
    sources: [sar('awssecretsmanager'), provider('aws_secretsmanager_secret')],
    grants: [
      {
        actions: {
          create: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
          // Refresh reads the secret's metadata and resource policy, never its value.
          read: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'],
          update: ['secretsmanager:UpdateSecret', 'secretsmanager:TagResource', 'secretsmanager:UntagResource'],
          delete: ['secretsmanager:DeleteSecret'],
        },
        // Secrets Manager appends six random characters to the name in the ARN.
        resources: (c) => [c.arn('secretsmanager', `secret:${c.named('name')}-??????`)],
      },
    ],
  },
  // No aws_secretsmanager_secret_version: the stack never holds the token's value (modules/token-secret.ts), so neither
  // policy reads or writes it; `npm run token:put` puts it with the operator's own credentials.

  // ---------------------------------------------------------------------------------------------------------- S3
  // The bootstrap bundle's bucket (modules/bootstrap-bundle.ts): named by its bucket_prefix, S3 adds the rest.
  aws_s3_bucket: {
    sources: [sar('amazons3'), provider('aws_s3_bucket')],
    grants: [
      {
        actions: {
          create: ['s3:CreateBucket', 's3:PutBucketTagging'],
          // The provider's refresh reads every bucket setting it also manages inline (internal/service/s3/bucket.go):
          // HeadBucket (s3:ListBucket), policy, ACL, CORS, website, versioning, acceleration, request payment, logging,
          // lifecycle, replication, encryption, object lock, tags.
          read: [
            's3:ListBucket',
            's3:GetBucketPolicy',
            's3:GetBucketAcl',
            's3:GetBucketCORS',
            's3:GetBucketWebsite',
            's3:GetBucketVersioning',
            's3:GetAccelerateConfiguration',
            's3:GetBucketRequestPayment',
            's3:GetBucketLogging',
            's3:GetLifecycleConfiguration',
            's3:GetReplicationConfiguration',
            's3:GetEncryptionConfiguration',
            's3:GetBucketObjectLockConfiguration',
            's3:GetBucketTagging',
          ],
          update: ['s3:PutBucketTagging'],
          // force_destroy: ListObjectVersions (s3:ListBucketVersions) before DeleteBucket.
          delete: ['s3:DeleteBucket', 's3:ListBucketVersions'],
        },
        resources: (c) => [s3Bucket(c, c.named('bucket_prefix'))],
      },
      // force_destroy deletes every object version (DeleteObjects) left in the bucket.
      { actions: { delete: ['s3:DeleteObject', 's3:DeleteObjectVersion'] }, resources: (c) => [`${s3Bucket(c, c.named('bucket_prefix'))}/*`] },
    ],
  },
  aws_s3_bucket_public_access_block: {
    sources: [sar('amazons3'), provider('aws_s3_bucket_public_access_block')],
    grants: [
      {
        // DeletePublicAccessBlock is authorized by s3:PutBucketPublicAccessBlock (SAR).
        actions: { create: ['s3:PutBucketPublicAccessBlock'], read: ['s3:GetBucketPublicAccessBlock'], update: ['s3:PutBucketPublicAccessBlock'], delete: ['s3:PutBucketPublicAccessBlock'] },
        resources: (c) => [s3Bucket(c, c.named('bucket'))],
      },
    ],
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    sources: [sar('amazons3'), provider('aws_s3_bucket_server_side_encryption_configuration')],
    grants: [
      {
        // DeleteBucketEncryption is authorized by s3:PutEncryptionConfiguration (SAR).
        actions: { create: ['s3:PutEncryptionConfiguration'], read: ['s3:GetEncryptionConfiguration'], update: ['s3:PutEncryptionConfiguration'], delete: ['s3:PutEncryptionConfiguration'] },
        resources: (c) => [s3Bucket(c, c.named('bucket'))],
      },
    ],
  },
  aws_s3_bucket_policy: {
    sources: [sar('amazons3'), provider('aws_s3_bucket_policy')],
    grants: [
      {
        actions: { create: ['s3:PutBucketPolicy'], read: ['s3:GetBucketPolicy'], update: ['s3:PutBucketPolicy'], delete: ['s3:DeleteBucketPolicy'] },
        resources: (c) => [s3Bucket(c, c.named('bucket'))],
      },
    ],
  },
  aws_s3_object: {
    sources: [sar('amazons3'), provider('aws_s3_object')],
    grants: [
      {
        actions: {
          // The provider's default tags tag the object (PutObject with tags needs s3:PutObjectTagging).
          create: ['s3:PutObject', 's3:PutObjectTagging'],
          // HeadObject (s3:GetObject) and GetObjectTagging.
          read: ['s3:GetObject', 's3:GetObjectTagging'],
          update: ['s3:PutObject', 's3:PutObjectTagging'],
          // Deletes every version of the key (internal/service/s3/object.go deleteAllObjectVersions), "null" included.
          delete: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        },
        // Every key under the object's folder: the key changes with the content (bootstrap/<sha256>.sh.gz) and the old
        // object is deleted after the new one exists (create_before_destroy), by the policy of the new synth.
        resources: (c) => [`${s3Bucket(c, c.named('bucket'))}/${c.named('key').replace(/[^/]*$/, '')}*`],
      },
      // Listing the key's versions before deleting them.
      { actions: { delete: ['s3:ListBucketVersions'] }, resources: (c) => [s3Bucket(c, c.named('bucket'))] },
    ],
  },

  // -------------------------------------------------------------------------------------------- Load balancing
  aws_lb: {
    sources: [sar('awselasticloadbalancingv2'), provider('aws_lb')],
    grants: [
      elbRead,
      {
        actions: {
          create: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:AddTags', 'elasticloadbalancing:ModifyLoadBalancerAttributes'],
          update: [
            'elasticloadbalancing:ModifyLoadBalancerAttributes',
            'elasticloadbalancing:SetSubnets',
            'elasticloadbalancing:SetIpAddressType',
            'elasticloadbalancing:AddTags',
            'elasticloadbalancing:RemoveTags',
          ],
          delete: ['elasticloadbalancing:DeleteLoadBalancer'],
        },
        resources: (c) => [loadBalancerArn(c, c.named('name'), c.settings.load_balancer_type)],
      },
      // A Gateway Load Balancer has no security groups (SAR: SetSecurityGroups acts on app and net only).
      {
        actions: { update: ['elasticloadbalancing:SetSecurityGroups'] },
        resources: (c) => (c.settings.load_balancer_type === 'gateway' ? [] : [loadBalancerArn(c, c.named('name'), c.settings.load_balancer_type)]),
      },
      serviceLinkedRole('elasticloadbalancing.amazonaws.com', 'AWSServiceRoleForElasticLoadBalancing'),
    ],
  },
  aws_lb_target_group: {
    sources: [sar('awselasticloadbalancingv2'), provider('aws_lb_target_group')],
    grants: [
      elbRead,
      {
        actions: {
          create: ['elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:AddTags', 'elasticloadbalancing:ModifyTargetGroupAttributes'],
          update: [
            'elasticloadbalancing:ModifyTargetGroup',
            'elasticloadbalancing:ModifyTargetGroupAttributes',
            'elasticloadbalancing:AddTags',
            'elasticloadbalancing:RemoveTags',
          ],
          delete: ['elasticloadbalancing:DeleteTargetGroup'],
        },
        resources: (c) => [c.arn('elasticloadbalancing', `targetgroup/${c.named('name')}/*`)],
      },
    ],
  },
  aws_lb_listener: {
    sources: [sar('awselasticloadbalancingv2'), provider('aws_lb_listener')],
    grants: [
      elbRead,
      {
        actions: {
          create: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:AddTags'],
          update: ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
          delete: ['elasticloadbalancing:DeleteListener'],
        },
        resources: (c) => {
          const balancer = c.named('load_balancer_arn');
          return [c.arn('elasticloadbalancing', `loadbalancer/*/${balancer}/*`), c.arn('elasticloadbalancing', `listener/*/${balancer}/*/*`)];
        },
      },
    ],
  },

  // ------------------------------------------------------------------------------------------------ Autoscaling
  aws_autoscaling_group: {
    sources: [
      sar('amazonec2autoscaling'),
      provider('aws_autoscaling_group'),
      // Creating or updating a group with a launch template checks the caller's ec2:RunInstances on what it launches.
      'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-launch-template-permissions.html',
    ],
    grants: [
      autoscalingRead,
      {
        actions: {
          create: ['autoscaling:CreateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags'],
          update: [
            'autoscaling:UpdateAutoScalingGroup',
            'autoscaling:CreateOrUpdateTags',
            'autoscaling:DeleteTags',
            'autoscaling:StartInstanceRefresh',
            'autoscaling:CancelInstanceRefresh',
          ],
          // Without force_delete the provider first sets the group's sizes to zero and waits.
          delete: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:DeleteAutoScalingGroup'],
        },
        resources: (c) => [autoScalingGroupArn(c, c.named('name'))],
      },
      // Only through the stack's own launch templates: the template must carry the stack's tag, and everything else
      // the launch touches counts only when it comes from a launch template (ec2:LaunchTemplate).
      { actions: { create: ['ec2:RunInstances'], update: ['ec2:RunInstances'] }, resources: (c) => [ec2(c, 'launch-template')], condition: resourceTag },
      {
        actions: { create: ['ec2:RunInstances'], update: ['ec2:RunInstances'] },
        resources: (c) => [...LAUNCHED.map((type) => ec2(c, type)), ...['subnet', 'security-group'].map((type) => ec2(c, type)), c.arn('ec2', 'image/*', { accountless: true })],
        condition: (c) => ({ ArnLike: { 'ec2:LaunchTemplate': ec2(c, 'launch-template') } }),
      },
      {
        // The template's tag specifications tag what the launch creates (tag-on-create, ec2:CreateAction RunInstances).
        actions: { create: ['ec2:CreateTags'], update: ['ec2:CreateTags'] },
        resources: (c) => LAUNCHED.map((type) => ec2(c, type)),
        condition: () => ({ StringEquals: { 'ec2:CreateAction': 'RunInstances' } }),
      },
      serviceLinkedRole('autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling'),
    ],
  },
  aws_autoscaling_policy: {
    sources: [sar('amazonec2autoscaling'), provider('aws_autoscaling_policy')],
    grants: [
      autoscalingRead,
      {
        actions: { create: ['autoscaling:PutScalingPolicy'], update: ['autoscaling:PutScalingPolicy'], delete: ['autoscaling:DeletePolicy'] },
        resources: (c) => [autoScalingGroupArn(c, c.named('autoscaling_group_name'))],
      },
    ],
  },
  aws_launch_template: {
    sources: [sar('amazonec2'), provider('aws_launch_template')],
    grants: [
      ec2Read,
      ...ec2Create('launch-template', 'ec2:CreateLaunchTemplate'),
      ec2Tagged('launch-template', ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], ['ec2:DeleteLaunchTemplate']),
      {
        // An image_id of `resolve:ssm:<parameter>` is resolved with the caller's permissions at create and update.
        actions: { create: ['ssm:GetParameters'], update: ['ssm:GetParameters'] },
        resources: (c) => {
          const image = String(c.settings.image_id ?? '');
          return image.startsWith('resolve:ssm:') ? [c.arn('ssm', `parameter${image.slice('resolve:ssm:'.length)}`, { accountless: true })] : [];
        },
      },
    ],
  },
  aws_appautoscaling_target: {
    sources: [
      sar('awsapplicationautoscaling'),
      provider('aws_appautoscaling_target'),
      // Registering an ECS service as a scalable target checks the caller's ecs:DescribeServices and ecs:UpdateService.
      'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html',
    ],
    grants: [
      {
        actions: { read: ['application-autoscaling:DescribeScalableTargets'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (DescribeScalableTargets)`,
      },
      {
        actions: {
          create: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:TagResource'],
          read: ['application-autoscaling:ListTagsForResource'],
          update: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:TagResource', 'application-autoscaling:UntagResource'],
          delete: ['application-autoscaling:DeregisterScalableTarget'],
        },
        // The scalable target's ARN ends in a random ID.
        resources: (c) => [c.arn('application-autoscaling', 'scalable-target/*')],
      },
      {
        actions: { create: ['ecs:DescribeServices', 'ecs:UpdateService'], update: ['ecs:DescribeServices', 'ecs:UpdateService'] },
        resources: (c) => {
          const [, cluster, service] = c.named('resource_id').split('/');
          return [ecsService(c, cluster, service)];
        },
      },
      serviceLinkedRole('ecs.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_ECSService'),
    ],
  },
  aws_appautoscaling_policy: {
    sources: [sar('awsapplicationautoscaling'), provider('aws_appautoscaling_policy'), 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html'],
    grants: [
      {
        actions: { read: ['application-autoscaling:DescribeScalingPolicies'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (DescribeScalingPolicies)`,
      },
      {
        actions: {
          create: ['application-autoscaling:PutScalingPolicy'],
          update: ['application-autoscaling:PutScalingPolicy'],
          delete: ['application-autoscaling:DeleteScalingPolicy'],
        },
        resources: (c) => [c.arn('application-autoscaling', 'scalable-target/*')],
      },
      {
        // Target tracking creates and deletes its alarms with the caller's permissions.
        actions: { create: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms'], update: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'], delete: ['cloudwatch:DeleteAlarms'] },
        resources: (c) => {
          const [, cluster, service] = c.named('resource_id').split('/');
          return [c.arn('cloudwatch', `alarm:TargetTracking-service/${cluster}/${service}-*`)];
        },
      },
    ],
  },

  // ------------------------------------------------------------------------------------------------------- ECS
  aws_ecs_cluster: {
    sources: [sar('amazonelasticcontainerservice'), provider('aws_ecs_cluster')],
    grants: [
      {
        actions: {
          create: ['ecs:CreateCluster', 'ecs:TagResource'],
          read: ['ecs:DescribeClusters'],
          update: ['ecs:UpdateCluster', 'ecs:UpdateClusterSettings', 'ecs:TagResource', 'ecs:UntagResource'],
          delete: ['ecs:DeleteCluster'],
        },
        resources: (c) => [c.arn('ecs', `cluster/${c.named('name')}`)],
      },
      serviceLinkedRole('ecs.amazonaws.com', 'AWSServiceRoleForECS'),
    ],
  },
  aws_ecs_cluster_capacity_providers: {
    sources: [sar('amazonelasticcontainerservice'), provider('aws_ecs_cluster_capacity_providers')],
    grants: [
      {
        actions: {
          create: ['ecs:PutClusterCapacityProviders'],
          read: ['ecs:DescribeClusters'],
          update: ['ecs:PutClusterCapacityProviders'],
          delete: ['ecs:PutClusterCapacityProviders'],
        },
        resources: (c) => [c.arn('ecs', `cluster/${c.named('cluster_name')}`)],
      },
    ],
  },
  aws_ecs_capacity_provider: {
    sources: [sar('amazonelasticcontainerservice'), provider('aws_ecs_capacity_provider')],
    grants: [
      {
        actions: {
          create: ['ecs:CreateCapacityProvider', 'ecs:TagResource'],
          read: ['ecs:DescribeCapacityProviders'],
          update: ['ecs:UpdateCapacityProvider', 'ecs:TagResource', 'ecs:UntagResource'],
          delete: ['ecs:DeleteCapacityProvider', 'ecs:DescribeCapacityProviders'],
        },
        resources: (c) => [c.arn('ecs', `capacity-provider/${c.named('name')}`)],
      },
    ],
  },
  aws_ecs_task_definition: {
    sources: [sar('amazonelasticcontainerservice'), provider('aws_ecs_task_definition')],
    grants: [
      {
        actions: { create: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'], read: ['ecs:ListTagsForResource'], update: ['ecs:TagResource', 'ecs:UntagResource'] },
        resources: (c) => [c.arn('ecs', `task-definition/${c.named('family')}:*`)],
      },
      {
        actions: { read: ['ecs:DescribeTaskDefinition'], delete: ['ecs:DeregisterTaskDefinition'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (DescribeTaskDefinition, DeregisterTaskDefinition)`,
      },
    ],
    passesRole: [
      { attribute: 'execution_role_arn', service: 'ecs-tasks.amazonaws.com' },
      { attribute: 'task_role_arn', service: 'ecs-tasks.amazonaws.com' },
    ],
  },
  aws_ecs_service: {
    sources: [sar('amazonelasticcontainerservice'), provider('aws_ecs_service')],
    grants: [
      {
        actions: {
          create: ['ecs:CreateService', 'ecs:TagResource', 'ecs:DescribeServices'],
          read: ['ecs:DescribeServices'],
          update: ['ecs:UpdateService', 'ecs:TagResource', 'ecs:UntagResource'],
          // The provider scales a replica service to zero before deleting it.
          delete: ['ecs:UpdateService', 'ecs:DeleteService', 'ecs:DescribeServices'],
        },
        resources: (c) => [ecsService(c, c.named('cluster'), c.named('name'))],
      },
    ],
  },

  // ------------------------------------------------------------------------------------------------------- EC2
  aws_security_group: {
    sources: [sar('amazonec2'), provider('aws_security_group')],
    grants: [
      ec2Read,
      ...ec2Create('security-group', 'ec2:CreateSecurityGroup', (c) => [c.arn('ec2', `vpc/${c.named('vpc_id')}`)]),
      // The provider revokes the default allow-all egress rule right after creating the group.
      { actions: { create: ['ec2:RevokeSecurityGroupEgress'] }, resources: (c) => [ec2(c, 'security-group')], condition: resourceTag },
      ec2Tagged('security-group', ['ec2:UpdateSecurityGroupRuleDescriptionsIngress', 'ec2:UpdateSecurityGroupRuleDescriptionsEgress'], ['ec2:DeleteSecurityGroup']),
    ],
  },
  aws_vpc_security_group_ingress_rule: {
    sources: [sar('amazonec2'), provider('aws_vpc_security_group_ingress_rule')],
    grants: [
      ec2Read,
      {
        actions: { create: ['ec2:AuthorizeSecurityGroupIngress'], update: ['ec2:ModifySecurityGroupRules'], delete: ['ec2:RevokeSecurityGroupIngress'] },
        resources: (c) => [ec2(c, 'security-group')],
        condition: resourceTag,
      },
      {
        actions: { create: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:CreateTags'], update: ['ec2:ModifySecurityGroupRules', 'ec2:CreateTags', 'ec2:DeleteTags'] },
        resources: (c) => [ec2(c, 'security-group-rule')],
      },
    ],
  },
  aws_vpc_security_group_egress_rule: {
    sources: [sar('amazonec2'), provider('aws_vpc_security_group_egress_rule')],
    grants: [
      ec2Read,
      {
        actions: { create: ['ec2:AuthorizeSecurityGroupEgress'], update: ['ec2:ModifySecurityGroupRules'], delete: ['ec2:RevokeSecurityGroupEgress'] },
        resources: (c) => [ec2(c, 'security-group')],
        condition: resourceTag,
      },
      {
        actions: { create: ['ec2:AuthorizeSecurityGroupEgress', 'ec2:CreateTags'], update: ['ec2:ModifySecurityGroupRules', 'ec2:CreateTags', 'ec2:DeleteTags'] },
        resources: (c) => [ec2(c, 'security-group-rule')],
      },
    ],
  },
  aws_ec2_traffic_mirror_target: {
    sources: [sar('amazonec2'), provider('aws_ec2_traffic_mirror_target')],
    grants: [
      ec2Read,
      // The SAR gives CreateTrafficMirrorTarget no load balancer resource type: the NLB it points at is not authorized on.
      ...ec2Create('traffic-mirror-target', 'ec2:CreateTrafficMirrorTarget'),
      // A Gateway Load Balancer endpoint it points at is (vpc-endpoint, SAR): only the stack's own, which carry its tag.
      {
        actions: { create: ['ec2:CreateTrafficMirrorTarget'] },
        resources: (c) => (c.settings.gateway_load_balancer_endpoint_id === undefined ? [] : [ec2(c, 'vpc-endpoint')]),
        condition: resourceTag,
      },
      ec2Tagged('traffic-mirror-target', [], ['ec2:DeleteTrafficMirrorTarget']),
    ],
  },
  aws_ec2_traffic_mirror_filter: {
    sources: [sar('amazonec2'), provider('aws_ec2_traffic_mirror_filter')],
    grants: [
      ec2Read,
      ...ec2Create('traffic-mirror-filter', 'ec2:CreateTrafficMirrorFilter'),
      // network_services (amazon-dns) is set by a second call right after the create.
      { actions: { create: ['ec2:ModifyTrafficMirrorFilterNetworkServices'] }, resources: (c) => [ec2(c, 'traffic-mirror-filter')], condition: resourceTag },
      ec2Tagged('traffic-mirror-filter', ['ec2:ModifyTrafficMirrorFilterNetworkServices'], ['ec2:DeleteTrafficMirrorFilter']),
    ],
  },
  aws_ec2_traffic_mirror_filter_rule: {
    sources: [sar('amazonec2'), provider('aws_ec2_traffic_mirror_filter_rule')],
    grants: [
      ec2Read,
      {
        actions: {
          create: ['ec2:CreateTrafficMirrorFilterRule'],
          update: ['ec2:ModifyTrafficMirrorFilterRule'],
          delete: ['ec2:DeleteTrafficMirrorFilterRule'],
        },
        resources: (c) => [ec2(c, 'traffic-mirror-filter')],
        condition: resourceTag,
      },
      {
        // Filter rules carry no tags: their ARN pattern (this region) is the narrowest scope.
        actions: {
          create: ['ec2:CreateTrafficMirrorFilterRule'],
          update: ['ec2:ModifyTrafficMirrorFilterRule'],
          delete: ['ec2:DeleteTrafficMirrorFilterRule'],
        },
        resources: (c) => [ec2(c, 'traffic-mirror-filter-rule')],
      },
    ],
  },

  // ------------------------------------------------------------- PrivateLink (MirrorTargetType GWLB_ENDPOINT)
  // The collector's endpoint service of its Gateway Load Balancer, and the GatewayLoadBalancer endpoints in the mirrored
  // VPCs (the collector's and each source account's). IDs are random: named by type, limited by the stack's tag.
  // The calls are those of the provider's internal/service/ec2/vpc_endpoint.go, vpc_endpoint_service.go and
  // vpc_endpoint_service_allowed_principal.go; refresh reads DescribeVpcEndpointServiceConfigurations,
  // DescribeVpcEndpointServicePermissions, DescribeVpcEndpoints, DescribePrefixLists and DescribeNetworkInterfaces.
  aws_vpc_endpoint_service: {
    sources: [sar('amazonec2'), provider('aws_vpc_endpoint_service')],
    grants: [
      ec2Read,
      // The SAR gives CreateVpcEndpointServiceConfiguration no load balancer resource type: the GWLB is not authorized on.
      ...ec2Create('vpc-endpoint-service', 'ec2:CreateVpcEndpointServiceConfiguration'),
      ec2Tagged('vpc-endpoint-service', ['ec2:ModifyVpcEndpointServiceConfiguration'], ['ec2:DeleteVpcEndpointServiceConfigurations']),
      // Inline allowed_principals: added by a second call right after the create, changed on update.
      {
        actions: { create: ['ec2:ModifyVpcEndpointServicePermissions'], update: ['ec2:ModifyVpcEndpointServicePermissions'] },
        resources: (c) => (c.settings.allowed_principals === undefined ? [] : [ec2(c, 'vpc-endpoint-service')]),
        condition: resourceTag,
      },
    ],
  },
  aws_vpc_endpoint_service_allowed_principal: {
    sources: [sar('amazonec2'), provider('aws_vpc_endpoint_service_allowed_principal')],
    grants: [
      // Create and refresh read the service's principals (DescribeVpcEndpointServicePermissions, in ec2:Describe*).
      ec2Read,
      // Added on create, removed on delete; only on the stack's own service (its tag).
      {
        actions: { create: ['ec2:ModifyVpcEndpointServicePermissions'], delete: ['ec2:ModifyVpcEndpointServicePermissions'] },
        resources: (c) => [ec2(c, 'vpc-endpoint-service')],
        condition: resourceTag,
      },
    ],
  },
  aws_vpc_endpoint: {
    sources: [sar('amazonec2'), provider('aws_vpc_endpoint')],
    grants: [
      ec2Read,
      // CreateVpcEndpoint is also authorized on the VPC and the subnets it names (the configured ones, SAR). The SAR
      // gives it no endpoint-service resource type: the service (the collector's, in its account) is not authorized on.
      ...ec2Create('vpc-endpoint', 'ec2:CreateVpcEndpoint', (c) => [c.arn('ec2', `vpc/${c.named('vpc_id')}`), ...endpointSubnets(c)]),
      ec2Tagged('vpc-endpoint', ['ec2:ModifyVpcEndpoint'], ['ec2:DeleteVpcEndpoints']),
      // A changed subnet list is authorized on the subnets too.
      { actions: { update: ['ec2:ModifyVpcEndpoint'] }, resources: endpointSubnets },
    ],
  },

  // ------------------------------------------------------------------------------------ RAM (many accounts, one collector)
  // Resource share ARNs end in a random ID: the share is named by type and limited by the stack's tag, which it carries
  // (provider default tags); the associations act on that share.
  aws_ram_resource_share: {
    sources: [sar('awsresourceaccessmanagerram'), provider('aws_ram_resource_share')],
    grants: [
      {
        actions: { create: ['ram:CreateResourceShare'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (CreateResourceShare)`,
        condition: requestTag,
      },
      {
        // The provider reads the share (GetResourceShares) and its permissions (ListResourceSharePermissions) after every create and refresh.
        actions: { create: ['ram:GetResourceShares'], read: ['ram:GetResourceShares'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (GetResourceShares)`,
      },
      {
        actions: {
          create: ['ram:ListResourceSharePermissions'],
          read: ['ram:ListResourceSharePermissions'],
          update: ['ram:UpdateResourceShare'],
          delete: ['ram:DeleteResourceShare'],
        },
        resources: (c) => [c.arn('ram', 'resource-share/*')],
        condition: resourceTag,
      },
      {
        // ram:TagResource and ram:UntagResource take no aws:ResourceTag condition (SAR): the ARN pattern is the scope.
        actions: { create: ['ram:TagResource'], update: ['ram:TagResource', 'ram:UntagResource'] },
        resources: (c) => [c.arn('ram', 'resource-share/*')],
      },
    ],
  },
  aws_ram_resource_association: {
    sources: [sar('awsresourceaccessmanagerram'), provider('aws_ram_resource_association')],
    grants: [
      { actions: { create: ['ram:AssociateResourceShare'], delete: ['ram:DisassociateResourceShare'] }, resources: (c) => [c.arn('ram', 'resource-share/*')], condition: resourceTag },
      {
        actions: { create: ['ram:GetResourceShareAssociations'], read: ['ram:GetResourceShareAssociations'], delete: ['ram:GetResourceShareAssociations'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (GetResourceShareAssociations)`,
      },
    ],
  },
  aws_ram_principal_association: {
    sources: [sar('awsresourceaccessmanagerram'), provider('aws_ram_principal_association')],
    grants: [
      { actions: { create: ['ram:AssociateResourceShare'], delete: ['ram:DisassociateResourceShare'] }, resources: (c) => [c.arn('ram', 'resource-share/*')], condition: resourceTag },
      {
        actions: { create: ['ram:GetResourceShareAssociations'], read: ['ram:GetResourceShareAssociations'], delete: ['ram:GetResourceShareAssociations'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (GetResourceShareAssociations)`,
      },
    ],
  },

  // --------------------------------------------------------------------------------------------------- Route 53
  aws_route53_zone: {
    sources: [sar('amazonroute53'), provider('aws_route53_zone')],
    grants: [
      {
        actions: { create: ['route53:CreateHostedZone'] },
        resources: ANY,
        anyResourceBecause: `${NO_RESOURCE_LEVEL} (CreateHostedZone)`,
      },
      {
        // A private zone checks the VPCs it is associated with.
        actions: { create: ['ec2:DescribeVpcs'], read: ['ec2:DescribeVpcs'], update: ['ec2:DescribeVpcs'] },
        resources: ANY,
        anyResourceBecause: 'EC2 Describe* actions have no resource-level permissions (SAR)',
      },
      {
        // Zone IDs are assigned by Route 53; route53 has no tag conditions on hosted zones.
        actions: {
          create: ['route53:ChangeTagsForResource', 'route53:GetHostedZone', 'route53:AssociateVPCWithHostedZone'],
          read: ['route53:GetHostedZone', 'route53:ListTagsForResource'],
          update: [
            'route53:AssociateVPCWithHostedZone',
            'route53:DisassociateVPCFromHostedZone',
            'route53:UpdateHostedZoneComment',
            'route53:ChangeTagsForResource',
          ],
          delete: ['route53:DeleteHostedZone'],
        },
        resources: (c) => [c.arn('route53', 'hostedzone/*', { global: true, accountless: true })],
      },
      {
        actions: { create: ['route53:GetChange'], update: ['route53:GetChange'], delete: ['route53:GetChange'] },
        resources: (c) => [c.arn('route53', 'change/*', { global: true, accountless: true })],
      },
    ],
  },
  aws_route53_record: {
    sources: [sar('amazonroute53'), provider('aws_route53_record')],
    grants: [
      {
        actions: {
          create: ['route53:ChangeResourceRecordSets'],
          update: ['route53:ChangeResourceRecordSets'],
          delete: ['route53:ChangeResourceRecordSets'],
        },
        resources: (c) => [c.arn('route53', `hostedzone/${zoneIdOrAny(c)}`, { global: true, accountless: true })],
      },
      {
        actions: { create: ['route53:GetHostedZone'], read: ['route53:ListResourceRecordSets', 'route53:GetHostedZone'], delete: ['route53:ListResourceRecordSets'] },
        resources: (c) => [c.arn('route53', `hostedzone/${zoneIdOrAny(c)}`, { global: true, accountless: true })],
      },
      {
        actions: { create: ['route53:GetChange'], update: ['route53:GetChange'], delete: ['route53:GetChange'] },
        resources: (c) => [c.arn('route53', 'change/*', { global: true, accountless: true })],
      },
    ],
  },
};

/** A literal zone ID (an existing zone, Route53ZoneId), or any zone when the stack creates it (its ID is not known yet). */
function zoneIdOrAny(c: ResourceContext): string {
  const zone = c.settings.zone_id;
  return typeof zone === 'string' && /^Z[A-Z0-9]+$/.test(zone) ? zone : '*';
}
