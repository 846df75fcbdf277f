/**
 * The permissions boundary of a synthesized stack's roles: the most any of them may ever do, whatever policy a deployer
 * puts on them. It allows exactly the actions of the stack's own role policies and of the AWS managed policies it
 * attaches; secrets and S3 objects only the stack's own; never IAM, STS or Organizations (a role policy asking for
 * one fails the generator).
 */
import { mergeStatements, PermissionsError, type Entry, type PolicyDocument, type TerraformJson } from './policies';
import type { Condition } from './table';

/**
 * Actions of the AWS managed policies the stack attaches, from their documents in the AWS Managed Policy Reference
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html). When AWS adds an action to one, the
 * boundary caps it until it is added here.
 */
const MANAGED_POLICY_ACTIONS: Record<string, readonly string[]> = {
  // Version v2 (the current one when written).
  AmazonSSMManagedInstanceCore: [
    ...['DescribeAssociation', 'GetDeployablePatchSnapshotForInstance', 'GetDocument', 'DescribeDocument', 'GetManifest', 'GetParameter', 'GetParameters']
      .concat(['ListAssociations', 'ListInstanceAssociations', 'PutInventory', 'PutComplianceItems', 'PutConfigurePackageResult'])
      .concat(['UpdateAssociationStatus', 'UpdateInstanceAssociationStatus', 'UpdateInstanceInformation'])
      .map((action) => `ssm:${action}`),
    ...['CreateControlChannel', 'CreateDataChannel', 'OpenControlChannel', 'OpenDataChannel'].map((action) => `ssmmessages:${action}`),
    ...['AcknowledgeMessage', 'DeleteMessage', 'FailMessage', 'GetEndpoint', 'GetMessages', 'SendReply'].map((action) => `ec2messages:${action}`),
  ],
  // The ECS container agent's calls as the policy has long granted them; not checked against its version v10 (February
  // 2026): an action it added and the agent needs is denied by the boundary until it is listed here.
  'service-role/AmazonEC2ContainerServiceforEC2Role': [
    'ec2:DescribeTags',
    ...['CreateCluster', 'DeregisterContainerInstance', 'DiscoverPollEndpoint', 'Poll', 'RegisterContainerInstance', 'StartTelemetrySession', 'UpdateContainerInstancesState', 'Submit*']
      .map((action) => `ecs:${action}`),
    ...['GetAuthorizationToken', 'BatchCheckLayerAvailability', 'GetDownloadUrlForLayer', 'BatchGetImage'].map((action) => `ecr:${action}`),
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ],
};

/** Services no role of the stack may ever use: a role that could would let its deployer escalate. */
const NEVER = /^(iam|sts|organizations):/;

type Resources = NonNullable<TerraformJson['resource']>;
interface BoundaryContext {
  /** A setting's name, `${type.name.attribute}` references resolved (policies.ts). */
  resolve(where: string, value: unknown): string;
  arn(service: string, rest: string, options?: { global?: boolean; accountless?: boolean }): string;
}

/** The `Action` values of a role policy, in JSON or in the `jsonencode({...})` expression cdktf writes. */
function policyActions(policy: string): string[] {
  return [...policy.matchAll(/"Action"\s*[:=]\s*(\[[^\]]*\]|"[^"]*")/g)].flatMap((match) => [...match[1].matchAll(/"([^"]+)"/g)].map((action) => action[1]));
}

export function boundaryPolicy(resources: Resources, context: BoundaryContext): PolicyDocument {
  const policies = Object.entries(resources.aws_iam_role_policy ?? {}).map(([name, settings]) => ({ name, text: String(settings.policy) }));
  const entries: Entry[] = policies.flatMap(({ name, text }) => roleStatements(`aws_iam_role_policy.${name}`, text));
  for (const [name, attachment] of Object.entries(resources.aws_iam_role_policy_attachment ?? {})) {
    const policyName = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(String(attachment.policy_arn))?.[1];
    const managed = policyName === undefined ? undefined : MANAGED_POLICY_ACTIONS[policyName];
    if (!managed) throw new PermissionsError(`aws_iam_role_policy_attachment.${name}: ${attachment.policy_arn} is not in MANAGED_POLICY_ACTIONS (scripts/permissions/boundary.ts): add its actions, or the boundary denies them`);
    entries.push({ actions: [...managed], resources: ['*'] });
  }
  const forbidden = [...new Set(entries.flatMap((entry) => entry.actions))].filter((action) => NEVER.test(action) || !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(action));
  if (forbidden.length > 0) throw new PermissionsError(`a role policy of the stack asks for ${forbidden.join(', ')}: no role of the stack may use IAM, STS or Organizations, or every action (its deployer could escalate through it)`);

  // Secrets and S3: only the stack's own, whatever the role policy names.
  const own: Record<string, () => string[]> = { secretsmanager: () => ownSecrets(resources, policies, context), s3: () => ownBuckets(resources, context) };
  const scoped = entries.flatMap((entry): Entry[] => {
    const byService = Object.keys(own).map((service) => ({ service, actions: entry.actions.filter((action) => action.startsWith(`${service}:`)) }));
    const rest = entry.actions.filter((action) => !byService.some(({ actions }) => actions.includes(action)));
    return [
      ...(rest.length > 0 ? [{ ...entry, actions: rest }] : []),
      ...byService.filter(({ actions }) => actions.length > 0).map(({ service, actions }) => ({ ...entry, actions, resources: own[service]() })),
    ];
  });
  return { Version: '2012-10-17', Statement: mergeStatements(scoped) };
}

/**
 * A role policy's statements: JSON ones as they are, but a resource Terraform fills in (`${...}`) as any resource
 * (its condition kept); a `jsonencode({...})` expression by its actions, on any resource.
 */
function roleStatements(where: string, text: string): Entry[] {
  let document: { Statement?: unknown };
  try {
    document = JSON.parse(text) as { Statement?: unknown };
  } catch {
    return [{ actions: policyActions(text), resources: ['*'] }];
  }
  const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  return list(document.Statement).map((item) => {
    const statement = item as Record<string, unknown>;
    if (statement.Effect !== 'Allow' || !statement.Action || !statement.Resource) throw new PermissionsError(`${where}: only Allow statements with Action and Resource can be bounded; got ${JSON.stringify(statement).slice(0, 200)}`);
    const resources = list(statement.Resource).map((resource) => (String(resource).includes('${') ? '*' : String(resource)));
    return { actions: list(statement.Action).map(String), resources: resources.includes('*') ? ['*'] : resources, condition: statement.Condition as Condition | undefined };
  });
}

/** The secrets the stack creates (Secrets Manager appends six characters), and existing ones its role policies name. */
function ownSecrets(resources: Resources, policies: { name: string; text: string }[], context: BoundaryContext): string[] {
  const created = Object.entries(resources.aws_secretsmanager_secret ?? {}).map(([name, secret]) =>
    context.arn('secretsmanager', `secret:${context.resolve(`aws_secretsmanager_secret.${name}.name`, secret.name)}-??????`),
  );
  const named = policies.flatMap(({ text }) => text.match(/arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+/g) ?? []);
  const secrets = [...created, ...named];
  if (secrets.length === 0) throw new PermissionsError("a role policy of the stack reads a secret, but the stack names none: the boundary could not scope it to the stack's own");
  return secrets;
}

/** The stack's buckets (named by bucket_prefix, S3 adds the rest) and their objects. */
function ownBuckets(resources: Resources, context: BoundaryContext): string[] {
  const buckets = Object.entries(resources.aws_s3_bucket ?? {}).map(([name, bucket]) =>
    context.arn('s3', `${context.resolve(`aws_s3_bucket.${name}.bucket_prefix`, bucket.bucket_prefix)}*`, { global: true, accountless: true }),
  );
  if (buckets.length === 0) throw new PermissionsError("a role policy of the stack uses S3, but the stack creates no bucket: the boundary could not scope it to the stack's own");
  return buckets.flatMap((bucket) => [bucket, `${bucket}/*`]);
}
