/**
 * The configuration of one deployment: the keys, their types, defaults, allowed values and documentation, one
 * schema per key. The parser (parse.ts) validates with it, the stack is typed by it, and the README's reference
 * table is generated from it (docs.ts).
 *
 * Keys are the seed template's parameter names, so a CloudFormation parameters file is accepted as it is.
 * Values may be JSON-typed or strings as CloudFormation passes them ("true", "600", "subnet-a,subnet-b").
 */
import { z } from 'zod';
import { type EndpointVpc, GENEVE_UDP_PORT, MAX_ENDPOINT_SUBNETS_PER_VPC, MAX_ENDPOINT_VPCS, MAX_GATEWAY_LOAD_BALANCER_CIDRS, MIRROR_TARGET_TYPES, cidrsWithHostBits, DEFAULT_FEED_MODE, DEFAULT_HTTP_BODY_LIMIT, DEFAULT_SURICATA_IMAGE, DEFAULT_TRACEABLE_AGENT_VERSION, FEED_MODES, FeedMode, INSTANCE_TYPE_SYNTAX, isOfferedInstanceType, MAX_HTTP_BODY_LIMIT, MIRROR_SOURCE_TYPES, PLAIN_HOST_SETTING, type SessionSourceType, STACK_OWNED_TAG_KEYS, STACK_SET_TAG_KEYS, STACK_TAG_KEY, VXLAN_UDP_PORT } from '../shared';
import { inWords } from './mirror-source-rules';
import { partitionOfRegion } from './regions';
import { own, show } from './show';

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** AWS allows 50 tags per resource; the stack's own take their share. */
const MAX_USER_TAGS = 50 - STACK_SET_TAG_KEYS.length;

// ---------------------------------------------------------------------------------------------------------------
// Coercions: CloudFormation passes every value as a string.

const fromBooleanString = (v: unknown) => (v === 'true' ? true : v === 'false' ? false : v);
const fromNumberString = (v: unknown) => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);
const fromCommaList = (v: unknown) =>
  typeof v === 'string'
    ? v.split(',').map((item) => item.trim()).filter((item) => item !== '')
    : Array.isArray(v)
      ? v.map((item) => (typeof item === 'string' ? item.trim() : item))
      : v;
export const fromJsonObjectString = (v: unknown) => {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return {};
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

const text = (pattern: RegExp, expected: string) => z.string({ error: expected }).regex(pattern, { error: expected });
const optionalText = (pattern: RegExp, expected: string) =>
  z.string({ error: `"" or ${expected}` }).refine((v) => v === '' || pattern.test(v), { error: `"" or ${expected}` });
/**
 * A list of at most `max` strings, each matching `item` when given. The length is checked first, so a list of any size
 * is refused by its length alone (`tooMany` says what the items are and why the bound).
 */
const boundedList = (expected: string, max: number, tooMany: string, item?: RegExp) =>
  z.preprocess(
    fromCommaList,
    z
      .array(z.unknown(), { error: expected })
      .superRefine((items, ctx) => {
        if (items.length > max) ctx.addIssue({ code: 'custom', message: `at most ${max} ${tooMany}; got ${items.length}` });
      })
      .pipe(z.array(item ? z.string({ error: expected }).regex(item, { error: expected }) : z.string({ error: expected }))),
  );
/** A bounded list of IPv4 CIDR blocks, each its network address (Terraform refuses host bits) and each once (one security group rule each). */
const cidrBlocks = (expected: string, max: number, tooMany: string) =>
  boundedList(expected, max, tooMany, CIDR).superRefine((cidrs, ctx) => {
    const wrong = cidrsWithHostBits(cidrs);
    const seen = new Set<string>();
    const repeated = cidrs.filter((cidr) => seen.size === seen.add(cidr).size);
    if (wrong.length > 0) ctx.addIssue({ code: 'custom', message: `${expected}, each its network address; host bits set: ${wrong.join(', ')}` });
    else if (repeated.length > 0) ctx.addIssue({ code: 'custom', message: `each CIDR block once; repeated: ${[...new Set(repeated)].slice(0, 5).join(', ')}` });
  });
const integer = (min: number, max: number, expected: string) =>
  z.preprocess(fromNumberString, z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected }));
const bool = () => z.preprocess(fromBooleanString, z.boolean({ error: 'true or false' }));
/** Bytes, as a number or a size such as "64kb" / "1mb" (binary units, as Suricata reads them). */
const fromSize = (v: unknown) => {
  const m = typeof v === 'string' ? /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(v) : null;
  return m ? Number(m[1]) * ({ b: 1, kb: 1024, mb: 1048576 }[(m[2] ?? 'b').toLowerCase()] ?? 1) : v;
};
const byteSize = (max: number, expected: string) =>
  z.preprocess(fromSize, z.number({ error: expected }).int({ error: expected }).min(0, { error: expected }).max(max, { error: expected }));

export const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
export const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** A complete secret ARN: AWS appends `-` and 6 characters to the name; a partial ARN matches nothing in IAM policies. */
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:([a-z]{2}(-[a-z]+)+-\d):\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9._-]{1,128})?(@sha256:[0-9a-f]{64})?$/;
/** Traceable names travel to the hosts in bootstrap.env: the bootstrap's rule, plus the 128-character limit. */
const TRACEABLE_NAME = '1 to 128 letters, digits, spaces and ._:/@+=,-';
const traceableName = () =>
  z.string({ error: TRACEABLE_NAME }).max(128, { error: TRACEABLE_NAME }).regex(PLAIN_HOST_SETTING, { error: TRACEABLE_NAME });

const REGION_SYNTAX = /^[a-z]{2}(-[a-z]+)+-\d$/;
const REGION = 'an AWS region such as us-east-1';
/** A region of AWS_REGIONS (config/regions.ts): a well-formed but unknown name is refused with its own message. */
const region = () =>
  z
    .string({ error: REGION })
    .regex(REGION_SYNTAX, { error: REGION, abort: true })
    .refine((name) => partitionOfRegion(name) !== undefined, { error: "one of AWS's commercial, GovCloud or China regions, such as us-east-1 (config/regions.ts lists them)" });

/** Characters every AWS service accepts in tags (the pattern of IAM's Tag API; EC2 accepts more); keys up to 127 characters
 * (EC2's Tag API; IAM's allows 128). */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_KEY_TEXT = 'a tag key of 1-127 letters, digits, spaces and _ . : / = + - @';
const TAG_VALUE = 'a tag value of up to 256 letters, digits, spaces and _ . : / = + - @';
const STACK_OWNED_KEYS_TEXT = inWords(STACK_OWNED_TAG_KEYS);
const TAGS = `an object of up to ${MAX_USER_TAGS} tags: keys of 1-127 letters, digits, spaces and _ . : / = + - @, each once ignoring case (not aws:..., ${STACK_OWNED_TAG_KEYS.slice(0, -1).join(', ')} or ${STACK_OWNED_TAG_KEYS[STACK_OWNED_TAG_KEYS.length - 1]}, in any case), string values of up to 256 of those characters`;
/** The stack's own keys lowercased: IAM compares condition keys such as aws:ResourceTag/<key> ignoring case. */
const STACK_OWNED_FOLDED_KEYS = new Set<string>(STACK_OWNED_TAG_KEYS.map((key) => key.toLowerCase()));

/** Provider default tags, checked as AWS will check them once the stack's own are added. */
const tagsSchema = z.custom<Record<string, string>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { error: TAGS }).superRefine((tags, ctx) => {
  const keys = Object.keys(tags);
  const problem = (got: string, message: string) => ctx.addIssue({ code: 'custom', message, params: { got } });
  if (keys.length > MAX_USER_TAGS) {
    // Refused by the count alone: no per-key problems for a list that long (and validation stays linear).
    problem(`${keys.length} tags`, `at most ${MAX_USER_TAGS} (AWS allows 50 per resource and the stack adds ${STACK_SET_TAG_KEYS.join(' and ')})`);
    return;
  }
  const firstOfFoldedKey = new Map<string, string>();
  for (const key of keys) {
    const value = own(tags, key);
    const gotKey = `the key ${show(key)}`;
    const folded = key.toLowerCase();
    const earlier = firstOfFoldedKey.get(folded);
    if (earlier === undefined) firstOfFoldedKey.set(folded, key);
    if (key === '__proto__') problem(gotKey, 'a key other than __proto__ (JavaScript would drop that tag)');
    else if (STACK_OWNED_FOLDED_KEYS.has(folded)) problem(gotKey, `a key other than ${STACK_OWNED_KEYS_TEXT} in any case, which the stack sets itself (IAM compares tag keys in conditions ignoring case)`);
    else if (earlier !== undefined) problem(gotKey, `each key once ignoring case (also given as ${show(earlier)}; IAM compares tag keys in conditions ignoring case)`);
    else if (/^aws:/i.test(key)) problem(gotKey, 'a key not starting with aws: in any case (AWS reserves the prefix)');
    else if ([...key].length < 1 || [...key].length > 127 || !TAG_CHARACTERS.test(key)) problem(gotKey, TAG_KEY_TEXT);
    else if (typeof value !== 'string' || [...value].length > 256 || !TAG_CHARACTERS.test(value)) problem(`${show(value)} for the key ${show(key)}`, TAG_VALUE);
  }
});

/** Inbound rules per security group, AWS's default quota (one rule per MirrorSourceCidrs block). */
const MAX_SOURCE_CIDRS = 60;
const SOURCE_CIDRS_TOO_MANY = `CIDR blocks (one security group rule each; AWS allows ${MAX_SOURCE_CIDRS} inbound rules per security group by default)`;

/**
 * SubnetIds: the NLB takes one subnet per Availability Zone (Elastic Load Balancing's CreateLoadBalancer, and no Local
 * Zones for an NLB), and no region has more than 6 zones today (us-east-1 has use1-az1 to use1-az6).
 */
const MAX_SUBNETS = 6;
const SUBNETS_TOO_MANY = `subnet IDs: the load balancer takes one subnet per Availability Zone, and no AWS region has more than ${MAX_SUBNETS} zones`;

/** MirrorSource: the most this tool is tested with (a real plan of 300 load balancer names, about 10 KB in the Lambda's bundle). */
const MAX_MIRROR_SOURCES = 300;
const SOURCES_TOO_MANY = `sources (the most this tool plans and tests; the session Lambda looks each one up at every run)`;

/** MirrorSourceVpcId: the IDs travel in the session Lambda's environment, which Lambda limits to 4 KB in all. */
const MAX_SOURCE_VPCS = 50;
const SOURCE_VPCS_TOO_MANY = `VPC IDs (they travel in the session Lambda's environment, which Lambda limits to 4 KB in all)`;

/** SourceAccounts: each is a stack of its own, planned and applied one by one; a bound keeps synth short. */
const MAX_SOURCE_ACCOUNTS = 100;

/** AWS's limit on traffic mirror filter rules, per direction (each MirrorTcpPorts entry takes one each way). */
export const MAX_FILTER_RULES_PER_DIRECTION = 10;

/** `443` -> {from: 443, to: 443}; `8000-8099` -> {from: 8000, to: 8099}; undefined unless 1 <= from <= to <= 65535. */
export function parsePortRange(item: string): { from: number; to: number } | undefined {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item.trim());
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return from >= 1 && from <= to && to <= 65535 ? { from, to } : undefined;
}

/** A customer managed policy: IAM names a boundary by its ARN, in the role's own account. */
const IAM_POLICY_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:policy\/([A-Za-z0-9+=,.@_-]+\/)*[A-Za-z0-9+=,.@_-]{1,128}$/;
const RECOVERY_WINDOW = '0 (delete at once) or a whole number of days from 7 to 30';
const SNS_TOPIC_ARN = /^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;

// ---------------------------------------------------------------------------------------------------------------
// Where Terraform keeps the state. Validated key by key like everything else (problems name `Backend.<key>`).

const BACKEND_TYPES = ['local', 's3', 'remote', 'cloud'] as const;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const TFC_NAME = /^[A-Za-z0-9_-]{1,90}$/;

const backendSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('local'), path: z.string({ error: 'a file path' }).min(1, { error: 'a file path' }).optional() }, { error: 'only type and path with type local' }),
    z.strictObject(
      {
        type: z.literal('s3'),
        bucket: z.string({ error: 'an S3 bucket name' }).regex(S3_BUCKET, { error: 'an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)' }),
        key: z.string({ error: 'an object key' }).min(1, { error: 'an object key' }).optional(),
        region: region().optional(),
        encrypt: z.preprocess(fromBooleanString, z.boolean({ error: 'true or false' })).optional(),
        use_lockfile: z.preprocess(fromBooleanString, z.boolean({ error: 'true or false' })).optional(),
        dynamodb_table: z.string({ error: 'a DynamoDB table name' }).regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: 'a DynamoDB table name' }).optional(),
      },
      { error: 'only type, bucket, key, region, encrypt, use_lockfile and dynamodb_table with type s3' },
    ),
    ...(['remote', 'cloud'] as const).map((type) =>
      z.strictObject(
        {
          type: z.literal(type),
          organization: z.string({ error: 'an HCP Terraform organization name' }).regex(TFC_NAME, { error: 'an HCP Terraform organization name' }),
          workspace: z.string({ error: 'an HCP Terraform workspace name' }).regex(TFC_NAME, { error: 'an HCP Terraform workspace name' }),
          hostname: z.string({ error: 'a host name such as app.terraform.io' }).regex(HOSTNAME, { error: 'a host name such as app.terraform.io' }).optional(),
        },
        { error: `only type, organization, workspace and hostname with type ${type}` },
      ),
    ),
  ],
  { error: `one of ${BACKEND_TYPES.join(', ')}` },
);

/** The Terraform backend of a stack. */
export type BackendConfig = z.infer<typeof backendSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Source accounts (issue 14): validated entry by entry in source-accounts.ts.

/** One source account, validated, defaults filled in. */
export interface SourceAccount {
  /** The 12-digit account that owns the source interfaces (and where their sessions are created). */
  readonly AccountId: string;
  /** The role the source stack's provider assumes in AccountId. */
  readonly RoleArn: string;
  /** Always the collector's Region (RAM shares the target in its region only). */
  readonly Region: string;
  readonly MirrorSourceType: SessionSourceType;
  readonly MirrorSource: readonly string[];
  readonly MirrorSourceVpcId: readonly string[];
  /** MirrorTargetType GWLB_ENDPOINT: this account's source VPCs, each with an endpoint per subnet. */
  readonly GatewayLoadBalancerEndpoints: readonly EndpointVpc[];
}

export const SOURCE_ACCOUNT_KEYS = ['AccountId', 'RoleArn', 'Region', 'MirrorSourceType', 'MirrorSource', 'MirrorSourceVpcId', 'GatewayLoadBalancerEndpoints'] as const;
/** The keys of one endpoint VPC (GatewayLoadBalancerEndpoints entries). */
export const ENDPOINT_VPC_KEYS = ['VpcId', 'SubnetIds'] as const;
const ENDPOINT_VPCS_ALLOWED = `a list of up to ${MAX_ENDPOINT_VPCS} objects, each with VpcId and SubnetIds (1 to ${MAX_ENDPOINT_SUBNETS_PER_VPC} subnets of that VPC, one per Availability Zone); each VPC and subnet once`;
export const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ARN = /^arn:aws(-[a-z]+)*:organizations::\d{12}:(organization\/o-[a-z0-9]{10,32}|ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$/;

const SOURCE_ACCOUNTS_ALLOWED = `a list of objects, each with ${SOURCE_ACCOUNT_KEYS.join(', ')} (Region defaults to the collector's)`;
const SHARE_WITH_ALLOWED = '"accounts", or the ARN of an organization or organizational unit in AWS Organizations';

/** `ShareMirrorTargetWith`'s value: the source accounts one by one, or an organization or OU ARN. */
function isShareScope(value: string): boolean {
  return value === 'accounts' || ORGANIZATION_ARN.test(value);
}

// ---------------------------------------------------------------------------------------------------------------
// The keys. `doc` feeds the README table; `schema` validates one value in isolation (cross-key rules follow below).

export interface FieldSpec<T> {
  readonly schema: z.ZodType<T>;
  /** Undefined when the key is required. */
  readonly default?: T;
  readonly doc: string;
  /** What is allowed, in words (the README column and the error text). */
  readonly allowed: string;
  /** An object value: problems are reported per inner key (`Backend.bucket: ...`). */
  readonly nested?: boolean;
  /** The construct's wording where it differs from the JSON app's (keys are written as props either way, see props.ts). */
  readonly propDoc?: string;
}

function field<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

export const CONFIG_FIELDS = {
  StackName: field({
    schema: text(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'letters, digits and hyphens, 1 to 128 characters, starting with a letter (as CloudFormation allows)'),
    default: 'traffic-mirroring',
    doc: 'Name of the Terraform stack (the folder under `cdktf.out/stacks/`) and prefix of every resource name; names that would exceed their AWS limit are shortened with a hash (see Long stack names).',
    propDoc: `Prefix of every AWS resource name and value of the \`${STACK_TAG_KEY}\` tag, unique in the app ignoring case (IAM names ignore case); names that would exceed their AWS limit are shortened with a hash (see the README's Long stack names).`,
    allowed: 'letters, digits and hyphens, 1 to 128 characters, starting with a letter (as CloudFormation allows)',
  }),
  Region: field({
    schema: region(),
    doc: 'AWS region to deploy to.',
    allowed: "one of AWS's commercial, GovCloud or China regions (listed in `config/regions.ts`), such as us-east-1",
  }),
  VpcId: field({
    schema: text(VPC_ID, 'a VPC ID such as vpc-0123456789abcdef0'),
    doc: 'VPC of `SubnetIds` (given, not looked up, so plans need no AWS calls).',
    allowed: 'a VPC ID such as vpc-0123456789abcdef0',
  }),
  Tags: field({
    schema: z.preprocess(fromJsonObjectString, tagsSchema),
    default: {} as Record<string, string>,
    doc: `Tags applied to every resource (provider default tags), besides the stack's own \`${STACK_TAG_KEY}\` (and \`Name\` on most resources).`,
    propDoc: `The tags of every taggable resource of the construct, besides \`${STACK_TAG_KEY}\` (and \`Name\` on most resources); your provider's default tags stay yours.`,
    allowed: TAGS,
  }),
  Backend: field({
    schema: z.preprocess(fromJsonObjectString, backendSchema),
    default: { type: 'local' } as BackendConfig,
    doc: 'Where Terraform keeps the state. `{"type":"local"}` (file `terraform.<StackName>.tfstate`); `{"type":"s3","bucket":...}` with optional `key` (default `traceable-traffic-mirroring/<StackName>.tfstate`), `region` (default Region), `encrypt` (default true), `use_lockfile` (default true) and `dynamodb_table`; or `{"type":"cloud"|"remote","organization":...,"workspace":...}` for HCP Terraform / Terraform Enterprise (optional `hostname`).',
    allowed: 'an object with type local, s3, remote or cloud and that type\'s keys',
    nested: true,
  }),
  MirrorSourceType: field({
    schema: z.enum(MIRROR_SOURCE_TYPES, { error: `one of ${MIRROR_SOURCE_TYPES.join(', ')}` }),
    doc: 'Where the mirrored traffic comes from.',
    allowed: MIRROR_SOURCE_TYPES.join(', '),
  }),
  MirrorSource: field({
    schema: boundedList('a comma-separated list or an array of strings', MAX_MIRROR_SOURCES, SOURCES_TOO_MANY),
    default: [] as string[],
    doc: 'Per MirrorSourceType: LOAD_BALANCER, load balancer names; LOAD_BALANCER_TAGS, tags `key=value` or `key`; TARGET_GROUP, target group names or ARNs; ECS_CLUSTER, exactly one cluster; INSTANCE_TAGS, tags `key=value` or `key` of the EC2 instances to mirror (e.g. `Mirror=True`); MANUAL and FARGATE, empty.',
    allowed: `a comma-separated list of up to ${MAX_MIRROR_SOURCES} (see the rules per MirrorSourceType; ${MAX_MIRROR_SOURCES} is the most this tool plans and tests)`,
  }),
  MirrorSourceVpcId: field({
    schema: boundedList('a comma-separated list of VPC IDs such as vpc-0123456789abcdef0', MAX_SOURCE_VPCS, SOURCE_VPCS_TOO_MANY, VPC_ID),
    default: [] as string[],
    doc: 'VPCs of the mirrored sources: required for LOAD_BALANCER_TAGS and INSTANCE_TAGS (where to look for tagged load balancers or instances); for FARGATE, more VPCs to associate with the private zone; refused otherwise.',
    allowed: `a comma-separated list of up to ${MAX_SOURCE_VPCS} VPC IDs (they travel in the session Lambda's environment, which Lambda limits to 4 KB)`,
  }),
  MirrorSourceCidrs: field({
    // One ingress rule per block on the NLB's security group: AWS refuses a repeated rule, and allows 60 by default.
    schema: cidrBlocks('a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/16', MAX_SOURCE_CIDRS, SOURCE_CIDRS_TOO_MANY),
    default: RFC1918,
    doc: `Networks of the mirrored sources: the only senders allowed to reach the mirror target on UDP ${VXLAN_UDP_PORT}. Narrow it to your VPCs.`,
    allowed: 'a comma-separated list of up to 60 distinct IPv4 CIDR blocks, each its network address (10.0.0.0/8, not 10.1.2.3/8)',
  }),
  DeployTraceableAgentInECS: field({
    schema: bool(),
    default: false,
    doc: 'Run the agent fleet as an ECS service on EC2 capacity instead of a plain autoscaling group.',
    allowed: 'true or false',
  }),
  SubnetIds: field({
    schema: boundedList('a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0', MAX_SUBNETS, SUBNETS_TOO_MANY, SUBNET_ID).refine(
      (ids) => ids.length > 0,
      { error: 'a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0' },
    ),
    doc: 'Subnets (in VpcId) for the load balancer and the agent fleet; they need a route to the Traceable API.',
    allowed: `a non-empty comma-separated list of up to ${MAX_SUBNETS} subnet IDs, one per Availability Zone (the load balancer takes one subnet per zone; no region has more than ${MAX_SUBNETS} zones today)`,
  }),
  AutoscalingMaxSize: field({
    schema: integer(1, 1000, 'a whole number from 1 to 1000'),
    default: 3,
    doc: 'Most EC2 instances (or ECS tasks) in the agent fleet.',
    allowed: 'a whole number from 1 to 1000',
  }),
  AutoscalingTargetValue: field({
    schema: z.preprocess(
      fromNumberString,
      z.number({ error: 'a number greater than 0 and at most 100' }).gt(0, { error: 'a number greater than 0 and at most 100' }).max(100, { error: 'a number greater than 0 and at most 100' }),
    ),
    default: 70,
    doc: 'Target average CPU and memory utilization (percent) of the autoscaling policies.',
    allowed: 'a number greater than 0 and at most 100',
  }),
  InstanceType: field({
    schema: z.string({ error: 'an instance type with at least 4 vCPU and 8 GiB, such as m5.xlarge' }).refine(isOfferedInstanceType, {
      error: 'an instance type with at least 4 vCPU and 8 GiB, such as m5.xlarge (for other types use CustomInstanceType)',
    }),
    default: 'm4.xlarge',
    doc: 'Instance type of the agent hosts.',
    allowed: 'a known type of size xlarge or larger (4 vCPU and 8 GiB at least)',
  }),
  CustomInstanceType: field({
    schema: optionalText(INSTANCE_TYPE_SYNTAX, 'an instance type name such as c7i.2xlarge'),
    default: '',
    doc: 'Overrides InstanceType, for types the list does not offer; types whose size is not known are accepted with a warning.',
    allowed: '"" or an instance type name',
  }),
  CustomAMI: field({
    schema: optionalText(AMI_ID, 'an AMI ID such as ami-0123456789abcdef0'),
    default: '',
    doc: 'AMI of the agent hosts (Amazon Linux 2023 or Ubuntu 22.04/24.04; with DeployTraceableAgentInECS an ECS-optimized Amazon Linux 2023 AMI); default the latest (ECS-optimized) Amazon Linux 2023 for the architecture.',
    allowed: '"" or an AMI ID',
  }),
  CustomAMIArchitecture: field({
    schema: z.enum(['', 'x86_64', 'arm64'], { error: '"", x86_64 or arm64' }),
    default: '' as '' | 'x86_64' | 'arm64',
    doc: "Architecture of CustomAMI, when known: checked against the instance type's at synth.",
    allowed: '"", x86_64 or arm64',
  }),
  CustomAMIOperatingSystem: field({
    schema: z.enum(['amazon-linux-2023', 'ubuntu'], { error: 'amazon-linux-2023 or ubuntu' }),
    default: 'amazon-linux-2023' as 'amazon-linux-2023' | 'ubuntu',
    doc: 'Operating system of CustomAMI (decides the root device name: /dev/xvda or /dev/sda1). Amazon Linux 2 and CentOS 7 are end of life and refused.',
    allowed: 'amazon-linux-2023 or ubuntu',
  }),
  KeyName: field({
    schema: optionalText(/^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$/, 'an EC2 key pair name (printable ASCII, up to 255 characters)'),
    default: '',
    doc: 'EC2 key pair for SSH to the agent hosts; none by default (use SSM Session Manager).',
    allowed: '"" or an EC2 key pair name',
  }),
  TraceableRefreshTokenSecretArn: field({
    schema: optionalText(SECRET_ARN, 'a complete Secrets Manager secret ARN, ending in the 6 characters AWS appends to the name, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:traceable-AbCdEf'),
    default: '',
    doc: 'Existing Secrets Manager secret holding the token under the key `refresh_token`. When empty, the stack creates the secret without a value; put the token once with `npm run token:put -- --stack <StackName>`.',
    allowed: '"" or a complete Secrets Manager secret ARN (with the 6-character suffix) in Region',
  }),
  TraceableEnvironment: field({
    schema: traceableName(),
    doc: 'Traceable environment name (QA, dev, production ...).',
    allowed: TRACEABLE_NAME,
  }),
  TraceableServiceName: field({
    schema: traceableName(),
    doc: 'Service name shown on the Traceable dashboard for the mirrored traffic.',
    allowed: TRACEABLE_NAME,
  }),
  TraceableAPIEndpoint: field({
    schema: text(HOSTNAME, 'a host name such as api.traceable.ai'),
    default: 'api.traceable.ai',
    doc: 'Traceable API endpoint the agent ships to.',
    allowed: 'a host name',
  }),
  TraceableAgentVersion: field({
    schema: text(/^\d+\.\d+\.\d+$/, 'a version such as 1.71.2'),
    default: DEFAULT_TRACEABLE_AGENT_VERSION,
    doc: 'Version (image tag) of the Traceable platform agent, `traceableai/traceable-agent:<version>`. Changing it rolls the fleet.',
    allowed: 'a version such as 1.71.2',
  }),
  TraceableAgentImage: field({
    schema: optionalText(IMAGE_REFERENCE, 'a container image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/traceable-agent:1.71.2'),
    default: '',
    doc: 'Full agent image, e.g. a copy in your private ECR (the hosts may then pull exactly that repository); overrides TraceableAgentVersion.',
    allowed: '"" or a container image reference',
  }),
  SuricataImage: field({
    schema: text(
      /^[a-z0-9][a-z0-9./_:-]*suricata:7\.0\.\d+[A-Za-z0-9._-]*(@sha256:[0-9a-f]{64})?$/,
      'a Suricata 7.0.x container image such as jasonish/suricata:7.0.10, optionally pinned by digest (@sha256:...)',
    ),
    default: DEFAULT_SURICATA_IMAGE,
    doc: 'Suricata container image (7.0.x); may be in your private ECR, like TraceableAgentImage.',
    allowed: 'a Suricata 7.0.x container image reference, optionally @sha256:<digest>',
  }),
  AgentFeed: field({
    schema: z.enum(FEED_MODES, { error: 'socket or file' }),
    default: DEFAULT_FEED_MODE as FeedMode,
    doc: 'How the agent hosts\' Suricata hands HTTP events to the agent: `socket`, a unix datagram per event to `/run/traceable-feed/eve.sock` (as Traceable\'s Suricata fork does); `file`, one JSON line per event in `/var/traceable/log/suricata/traceable-feed.json`, to look at what the agent receives.',
    allowed: 'socket or file',
  }),
  HttpBodyLimit: field({
    schema: byteSize(MAX_HTTP_BODY_LIMIT, `a whole number of bytes from 0 to ${MAX_HTTP_BODY_LIMIT}, or a size such as 64kb (at most 128kb)`),
    default: DEFAULT_HTTP_BODY_LIMIT,
    doc: 'Bytes of each HTTP request and response body included in the events (`http_request_body_printable`, `http_response_body_printable`); longer bodies are cut. 0: no bodies.',
    allowed: `a whole number of bytes from 0 to ${MAX_HTTP_BODY_LIMIT}, or a size such as 64kb (kb = 1024 bytes); at most 128kb`,
  }),
  Route53ZoneName: field({
    schema: text(HOSTNAME, 'a DNS zone name such as private.traceable.ai'),
    default: 'private.traceable.ai',
    doc: 'FARGATE only: private hosted zone created for the NLB name (unless Route53ZoneId is given).',
    allowed: 'a DNS zone name',
  }),
  Route53ZoneId: field({
    schema: optionalText(/^Z[A-Z0-9]{1,31}$/, 'a hosted zone ID such as Z0123456789ABCDEFGHIJ'),
    default: '',
    doc: 'FARGATE only: existing private hosted zone (already associated with VpcId) to hold the record instead.',
    allowed: '"" or a hosted zone ID',
  }),
  Route53SubdomainName: field({
    schema: text(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'a DNS label such as mirroring-fargate'),
    default: 'mirroring-fargate',
    doc: 'FARGATE only: name of the alias record for the NLB inside the zone.',
    allowed: 'a DNS label',
  }),
  FargatePacketForwarderImage: field({
    schema: optionalText(IMAGE_REFERENCE, 'a container image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/packet-forwarder:1.0'),
    default: '',
    doc: 'FARGATE only: image of the packet-forwarder sidecar in the `fargate_sidecar_container_definition` output (default: a placeholder to replace).',
    allowed: '"" or a container image reference',
  }),
  MirroringSessionLambdaTimeout: field({
    schema: integer(1, 900, 'a whole number of seconds from 1 to 900'),
    default: 600,
    doc: 'Timeout of the session Lambda, seconds.',
    allowed: 'a whole number from 1 to 900',
  }),
  MirroringSessionLambdaInterval: field({
    schema: integer(1, 1440, 'a whole number of minutes from 1 to 1440'),
    default: 15,
    doc: 'Minutes between scheduled runs of the session Lambda; must be longer than its timeout.',
    allowed: 'a whole number from 1 to 1440, longer than the timeout',
  }),
  MirrorTcpPorts: field({
    schema: z.preprocess(
      fromCommaList,
      z.array(z.union([z.number(), z.string()]), { error: 'a comma-separated list of TCP ports (1-65535) or ranges such as 8000-8099' })
        .transform((items) => items.map((item) => String(item).trim()))
        .refine((items) => items.every((item) => parsePortRange(item) !== undefined), {
          error: 'a comma-separated list of TCP ports (1-65535) or ranges such as 8000-8099',
        }),
    ),
    default: [] as string[],
    doc: `TCP ports to mirror (the API's ports, e.g. \`443,8080-8089\`): each one becomes a filter rule per direction (to the port inbound, from it outbound); empty mirrors all TCP. AWS allows ${MAX_FILTER_RULES_PER_DIRECTION} rules per direction.`,
    allowed: `"" (all TCP) or up to ${MAX_FILTER_RULES_PER_DIRECTION} ports or ranges`,
  }),
  MirrorTcpPortsFromTargets: field({
    schema: bool(),
    default: false,
    doc: 'Derive the filter\'s TCP ports at run time from the ports the configured load balancers and target groups send to on their targets (v2 target groups\' target ports, Classic load balancers\' instance ports): the session Lambda keeps the filter\'s rules in step at every scheduled run and records them in its run summary (`filterPorts`). LOAD_BALANCER, LOAD_BALANCER_TAGS and TARGET_GROUP only; not with MirrorTcpPorts.',
    allowed: 'true or false',
  }),
  MirrorSessionBudget: field({
    schema: integer(0, 10_000, 'a whole number from 0 (no budget) to 10000'),
    default: 0,
    doc: 'Most traffic mirror sessions this stack owns (each is billed per hour; an account holds at most 10,000). Beyond it the session Lambda keeps existing sessions, then prefers sources listed earlier in MirrorSource, then lower interface ids; the rest are skipped as `session-budget`. 0: no budget.',
    allowed: 'a whole number from 0 (no budget) to 10000',
  }),
  MirrorUnhealthyTargets: field({
    schema: bool(),
    default: false,
    doc: 'Mirror load balancer targets whatever their health (default: healthy targets only).',
    allowed: 'true or false',
  }),
  AlarmTopicArn: field({
    schema: optionalText(SNS_TOPIC_ARN, 'a standard (not FIFO) SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:ops-alarms'),
    default: '',
    doc: 'SNS topic the stack\'s alarms notify. When empty, the stack creates `<StackName>-alarms` (subscribe to it, see the session Lambda section).',
    allowed: '"" or a standard SNS topic ARN',
  }),
  TokenSecretRecoveryWindowDays: field({
    schema: z.preprocess(fromNumberString, z.number({ error: RECOVERY_WINDOW }).refine((days) => days === 0 || (Number.isInteger(days) && days >= 7 && days <= 30), { error: RECOVERY_WINDOW })),
    default: 7,
    doc: 'Days Secrets Manager keeps the created token secret after destroy before deleting it; 0 deletes it at once, so the same StackName can be deployed again straight away.',
    allowed: '0, or a whole number from 7 to 30',
  }),
  SameZoneDelivery: field({
    schema: bool(),
    default: false,
    doc: 'Keep each zone\'s mirrored traffic on agents in that zone: the NLB\'s cross-zone load balancing off, and one autoscaling group per subnet in SubnetIds (at least 1 instance each, up to AutoscalingMaxSize each, scaling on its own). Saves the cross-zone data transfer of mirrored traffic; costs at least one agent host per zone and a zone\'s traffic is lost while its agents are all unhealthy. EC2 fleet only (not with DeployTraceableAgentInECS).',
    allowed: 'true or false',
  }),
  PermissionsBoundaryArn: field({
    schema: optionalText(IAM_POLICY_ARN, 'a customer managed IAM policy ARN such as arn:aws:iam::111122223333:policy/traffic-mirroring-boundary'),
    default: '',
    doc: "Permissions boundary of every IAM role the stack creates (the agent hosts', the ECS task roles, the session Lambda's): the most those roles may ever do, whatever policy a deployer puts on them. When empty: the policy `<StackName>-boundary` in AccountId, which `npm run permissions` writes next to the deployer policies (create it with them); without AccountId the roles get no boundary and `npm run permissions` refuses. A source account's stack uses the policy of the same path and name in its account (by default `<StackName>-<AccountId>-boundary`). See [Permissions required](#permissions-required).",
    allowed: '"" or a customer managed IAM policy ARN in AccountId\'s partition (and account, when AccountId is set)',
  }),
  AccountId: field({
    schema: optionalText(ACCOUNT_ID, 'a 12-digit AWS account ID such as 111122223333'),
    default: '',
    doc: "The collector's own AWS account (where this stack deploys): required with SourceAccounts, whose accounts must differ from it.",
    allowed: '"" or a 12-digit account ID',
  }),
  SourceAccounts: field({
    // Each entry is checked key by key with the top-level keys' schemas in source-accounts.ts (checkSourceAccounts).
    schema: z.preprocess(
      (v) => (v === '' ? [] : fromJsonObjectString(v)),
      z.array(z.unknown(), { error: SOURCE_ACCOUNTS_ALLOWED }).max(MAX_SOURCE_ACCOUNTS, { error: (issue) => `at most ${MAX_SOURCE_ACCOUNTS} source accounts (each is a stack of its own, planned and applied one by one); got ${(issue.input as unknown[]).length}` }),
    ) as unknown as z.ZodType<readonly SourceAccount[]>,
    default: [] as readonly SourceAccount[],
    doc: 'Other AWS accounts whose interfaces are mirrored into this collector: each gets its own source stack (`<StackName>-<AccountId>`, its own state and plan) whose provider assumes `RoleArn`, with a filter of the same rules and a session Lambda toward the collector\'s target, shared with it through AWS RAM. `MirrorSourceType` (LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER or INSTANCE_TAGS), `MirrorSource` and `MirrorSourceVpcId` follow the top-level keys\' rules. See [Many accounts, one collector](#many-accounts-one-collector).',
    propDoc: 'Other AWS accounts whose interfaces are mirrored into this collector: the construct shares its mirror target with them through AWS RAM; each account\'s own stack (a filter of the same rules and a session Lambda toward the target, its provider assuming `RoleArn`) is built by the JSON app. `MirrorSourceType` (LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER or INSTANCE_TAGS), `MirrorSource` and `MirrorSourceVpcId` follow the top-level keys\' rules. See the README\'s Many accounts, one collector.',
    allowed: `${SOURCE_ACCOUNTS_ALLOWED}; at most ${MAX_SOURCE_ACCOUNTS} (each is a stack of its own, planned and applied one by one)`,
  }),
  ShareMirrorTargetWith: field({
    schema: z.string({ error: SHARE_WITH_ALLOWED }).refine(isShareScope, { error: SHARE_WITH_ALLOWED }),
    default: 'accounts',
    doc: 'Who the RAM share of the mirror target names as principals: `accounts`, each of SourceAccounts (accounts outside your organization accept an invitation); or an organization or OU ARN (RAM sharing with AWS Organizations enabled), so every account in it may use the target. With SourceAccounts only.',
    allowed: SHARE_WITH_ALLOWED,
  }),
  SharedMirrorTargetId: field({
    schema: optionalText(/^tmt-[0-9a-f]{8,17}$/, 'a traffic mirror target ID such as tmt-0123456789abcdef0'),
    default: '',
    doc: 'For pipelines that plan each account on its own: the collector\'s `mirror_target_id` output, the default of the source stacks\' `mirror_target_id` variable. When empty, the variable must be given (`TF_VAR_mirror_target_id`). With SourceAccounts only.',
    allowed: '"" or a traffic mirror target ID',
  }),
  MirrorTargetType: field({
    schema: z.enum(MIRROR_TARGET_TYPES, { error: MIRROR_TARGET_TYPES.join(' or ') }),
    default: 'NLB' as (typeof MIRROR_TARGET_TYPES)[number],
    doc: `What the mirrored sources send to. \`NLB\`: the collector's internal network load balancer, which every mirrored VPC must reach (peering or a transit gateway; MirrorSourceCidrs) and source accounts use through a RAM share. \`GWLB_ENDPOINT\`: a Gateway Load Balancer in SubnetIds whose endpoint service gets an endpoint (and a traffic mirror target) in each subnet of GatewayLoadBalancerEndpoints and of each source account's: no peering, no RAM share; the agent hosts receive the packets in GENEVE (UDP ${GENEVE_UDP_PORT}). See [Choosing the mirror target](#choosing-the-mirror-target).`,
    allowed: 'NLB or GWLB_ENDPOINT',
  }),
  GatewayLoadBalancerEndpoints: field({
    // Each entry is checked key by key in gateway-load-balancer.ts (checkMirrorTargetType).
    schema: z.preprocess((v) => (v === '' ? [] : fromJsonObjectString(v)), z.array(z.unknown(), { error: ENDPOINT_VPCS_ALLOWED })) as unknown as z.ZodType<readonly EndpointVpc[]>,
    default: [] as readonly EndpointVpc[],
    doc: "MirrorTargetType GWLB_ENDPOINT: the collector account's VPCs whose interfaces are mirrored, each an object of VpcId and SubnetIds, one subnet per Availability Zone where its sources run; each subnet gets a Gateway Load Balancer endpoint and a traffic mirror target, and the session Lambda gives each interface the target of its own VPC (its own zone's when there is one). Required with a session source type or MANUAL unless only SourceAccounts are mirrored.",
    allowed: ENDPOINT_VPCS_ALLOWED,
  }),
  GatewayLoadBalancerCidrs: field({
    schema: cidrBlocks('a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/24', MAX_GATEWAY_LOAD_BALANCER_CIDRS, "CIDR blocks (the hosts' capture filter names each; two security group rules each, GENEVE and the health check)").refine(
      (cidrs) => !cidrs.some((cidr) => cidr.endsWith('/0')),
      { error: "the networks of the Gateway Load Balancer's nodes, not /0 (anyone could then send GENEVE to the hosts)" },
    ),
    default: [] as string[],
    doc: `MirrorTargetType GWLB_ENDPOINT: the IPv4 CIDR blocks of SubnetIds (or VpcId's), where the Gateway Load Balancer's nodes are: the agent hosts admit GENEVE (UDP ${GENEVE_UDP_PORT}) and the health check from these only, in their security group and their own firewall. Required with GWLB_ENDPOINT.`,
    allowed: `a comma-separated list of up to ${MAX_GATEWAY_LOAD_BALANCER_CIDRS} distinct IPv4 CIDR blocks, each its network address`,
  }),
  SharedEndpointServiceName: field({
    schema: optionalText(/^com\.amazonaws\.vpce\.[a-z]{2}(-[a-z]+)+-\d\.vpce-svc-[0-9a-f]{17}$/, 'an endpoint service name such as com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0'),
    default: '',
    doc: "MirrorTargetType GWLB_ENDPOINT, for pipelines that plan each account on its own: the collector's `endpoint_service_name` output, the default of the source stacks' `endpoint_service_name` variable. When empty, the variable must be given (`TF_VAR_endpoint_service_name`). With SourceAccounts only.",
    allowed: '"" or an endpoint service name',
  }),
} satisfies Record<string, FieldSpec<unknown>>;

export type ConfigKey = keyof typeof CONFIG_FIELDS;

/**
 * The construct's prop of each key but Backend (TraceableTrafficMirroringProps): camelCase with acronyms as words, as
 * jsii and the AWS CDK write them, lists in the plural. A new key is one line here (the compiler asks for it); its prop
 * in the props interface follows (`npm run docs:config` writes the prop's JSDoc from `doc` / `propDoc`).
 */
export const CONFIG_PROPS = {
  StackName: 'stackName',
  Region: 'region',
  VpcId: 'vpcId',
  Tags: 'tags',
  MirrorSourceType: 'mirrorSourceType',
  MirrorSource: 'mirrorSources',
  MirrorSourceVpcId: 'mirrorSourceVpcIds',
  MirrorSourceCidrs: 'mirrorSourceCidrs',
  DeployTraceableAgentInECS: 'deployTraceableAgentInEcs',
  SubnetIds: 'subnetIds',
  AutoscalingMaxSize: 'autoscalingMaxSize',
  AutoscalingTargetValue: 'autoscalingTargetValue',
  InstanceType: 'instanceType',
  CustomInstanceType: 'customInstanceType',
  CustomAMI: 'customAmi',
  CustomAMIArchitecture: 'customAmiArchitecture',
  CustomAMIOperatingSystem: 'customAmiOperatingSystem',
  KeyName: 'keyName',
  TraceableRefreshTokenSecretArn: 'traceableRefreshTokenSecretArn',
  TraceableEnvironment: 'traceableEnvironment',
  TraceableServiceName: 'traceableServiceName',
  TraceableAPIEndpoint: 'traceableApiEndpoint',
  TraceableAgentVersion: 'traceableAgentVersion',
  TraceableAgentImage: 'traceableAgentImage',
  SuricataImage: 'suricataImage',
  AgentFeed: 'agentFeed',
  HttpBodyLimit: 'httpBodyLimit',
  Route53ZoneName: 'route53ZoneName',
  Route53ZoneId: 'route53ZoneId',
  Route53SubdomainName: 'route53SubdomainName',
  FargatePacketForwarderImage: 'fargatePacketForwarderImage',
  MirroringSessionLambdaTimeout: 'mirroringSessionLambdaTimeout',
  MirroringSessionLambdaInterval: 'mirroringSessionLambdaInterval',
  MirrorTcpPorts: 'mirrorTcpPorts',
  MirrorTcpPortsFromTargets: 'mirrorTcpPortsFromTargets',
  MirrorSessionBudget: 'mirrorSessionBudget',
  MirrorUnhealthyTargets: 'mirrorUnhealthyTargets',
  AlarmTopicArn: 'alarmTopicArn',
  TokenSecretRecoveryWindowDays: 'tokenSecretRecoveryWindowDays',
  SameZoneDelivery: 'sameZoneDelivery',
  PermissionsBoundaryArn: 'permissionsBoundaryArn',
  AccountId: 'accountId',
  SourceAccounts: 'sourceAccounts',
  ShareMirrorTargetWith: 'shareMirrorTargetWith',
  SharedMirrorTargetId: 'sharedMirrorTargetId',
  MirrorTargetType: 'mirrorTargetType',
  GatewayLoadBalancerEndpoints: 'gatewayLoadBalancerEndpoints',
  GatewayLoadBalancerCidrs: 'gatewayLoadBalancerCidrs',
  SharedEndpointServiceName: 'sharedEndpointServiceName',
} as const satisfies Record<Exclude<ConfigKey, 'Backend'>, string>;

/** The props of one of SourceAccounts (SourceAccountProps), named as the top-level keys' props. */
export const SOURCE_ACCOUNT_PROPS = {
  AccountId: CONFIG_PROPS.AccountId,
  RoleArn: 'roleArn',
  Region: CONFIG_PROPS.Region,
  MirrorSourceType: CONFIG_PROPS.MirrorSourceType,
  MirrorSource: CONFIG_PROPS.MirrorSource,
  MirrorSourceVpcId: CONFIG_PROPS.MirrorSourceVpcId,
  GatewayLoadBalancerEndpoints: CONFIG_PROPS.GatewayLoadBalancerEndpoints,
} as const satisfies Record<(typeof SOURCE_ACCOUNT_KEYS)[number], string>;

/** The props of one endpoint VPC (gatewayLoadBalancerEndpoints entries), named as the top-level keys' props. */
export const ENDPOINT_VPC_PROPS = { VpcId: CONFIG_PROPS.VpcId, SubnetIds: CONFIG_PROPS.SubnetIds } as const satisfies Record<(typeof ENDPOINT_VPC_KEYS)[number], string>;
type FieldValue<K extends ConfigKey> = (typeof CONFIG_FIELDS)[K] extends FieldSpec<infer T> ? T : never;

/** A validated deployment configuration; every key has its value (defaults filled in). */
export type MirroringConfig = { readonly [K in ConfigKey]: FieldValue<K> };
