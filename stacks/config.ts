/**
 * The configuration of one deployment: the single source of truth for the keys, their types, defaults and
 * rules. It validates the user's file, types the result for the stack, and feeds the README's reference table
 * (`npm run docs:config` writes it; a test keeps the two in step).
 *
 * Keys are the seed template's parameter names, so a CloudFormation parameters file is accepted as it is.
 * Values may be JSON-typed or strings as CloudFormation passes them ("true", "600", "subnet-a,subnet-b").
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SURICATA_IMAGE, DEFAULT_TRACEABLE_AGENT_VERSION } from '../bootstrap/constants';
import { INSTANCE_TYPE_SYNTAX, architectureOfFamily, describeInstanceType, isOfferedInstanceType } from './instance-types';

export const MIRROR_SOURCE_TYPES = ['LOAD_BALANCER', 'LOAD_BALANCER_TAGS', 'TARGET_GROUP', 'ECS_CLUSTER', 'MANUAL', 'FARGATE'] as const;
export type MirrorSourceType = (typeof MIRROR_SOURCE_TYPES)[number];

/** Source types whose sources the session Lambda discovers (the others create no sessions). */
export const SESSION_SOURCE_TYPES: readonly MirrorSourceType[] = ['LOAD_BALANCER', 'LOAD_BALANCER_TAGS', 'TARGET_GROUP', 'ECS_CLUSTER'];

/** The configuration the app (and its tools) use when MIRRORING_CONFIG is not set: the shipped example. */
export const DEFAULT_CONFIG_PATH = 'examples/config.json';

/** The Terraform variable that carries the refresh token when no existing secret is named. */
export const TOKEN_VARIABLE_NAME = 'traceable_refresh_token';

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

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
const fromJsonObjectString = (v: unknown) => {
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
const list = (item: RegExp, expected: string) =>
  z.preprocess(fromCommaList, z.array(z.string({ error: expected }).regex(item, { error: expected }), { error: expected }));
const integer = (min: number, max: number, expected: string) =>
  z.preprocess(fromNumberString, z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected }));
const bool = () => z.preprocess(fromBooleanString, z.boolean({ error: 'true or false' }));

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9._-]{1,128})?(@sha256:[0-9a-f]{64})?$/;
const PRINTABLE = /^[^\u0000-\u001f\u007f]{1,128}$/;
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
        region: z.string({ error: 'an AWS region such as us-east-1' }).regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'an AWS region such as us-east-1' }).optional(),
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
// The keys. `doc` feeds the README table; `schema` validates one value in isolation (cross-key rules follow below).

interface FieldSpec<T> {
  readonly schema: z.ZodType<T>;
  /** Undefined when the key is required. */
  readonly default?: T;
  readonly doc: string;
  /** What is allowed, in words (the README column and the error text). */
  readonly allowed: string;
  /** An object value: problems are reported per inner key (`Backend.bucket: ...`). */
  readonly nested?: boolean;
}

function field<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

export const CONFIG_FIELDS = {
  StackName: field({
    schema: text(/^[A-Za-z][A-Za-z0-9-]{0,22}[A-Za-z0-9]$/, 'letters, digits and hyphens, 2 to 24 characters, starting with a letter'),
    default: 'traffic-mirroring',
    doc: 'Name of the Terraform stack (the folder under `cdktf.out/stacks/`) and prefix of every resource name.',
    allowed: 'letters, digits and hyphens, 2 to 24 characters, starting with a letter',
  }),
  Region: field({
    schema: text(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1'),
    doc: 'AWS region to deploy to.',
    allowed: 'an AWS region such as us-east-1',
  }),
  VpcId: field({
    schema: text(VPC_ID, 'a VPC ID such as vpc-0123456789abcdef0'),
    doc: 'VPC of `SubnetIds` (given, not looked up, so plans need no AWS calls).',
    allowed: 'a VPC ID such as vpc-0123456789abcdef0',
  }),
  Tags: field({
    schema: z.preprocess(
      fromJsonObjectString,
      z.record(z.string().regex(/^(?!aws:)[^\u0000-\u001f]{1,128}$/), z.string().max(256), {
        error: 'an object of tag keys (1-128 characters, not starting with aws:) to string values (up to 256 characters)',
      }),
    ),
    default: {} as Record<string, string>,
    doc: 'Tags applied to every resource (provider default tags).',
    allowed: 'an object of tag keys (1-128 characters, not starting with aws:) to string values (up to 256 characters)',
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
    schema: z.preprocess(fromCommaList, z.array(z.string(), { error: 'a comma-separated list or an array of strings' })),
    default: [] as string[],
    doc: 'Per MirrorSourceType: LOAD_BALANCER, load balancer names; LOAD_BALANCER_TAGS, tags `key=value` or `key`; TARGET_GROUP, target group names or ARNs; ECS_CLUSTER, exactly one cluster; MANUAL and FARGATE, empty.',
    allowed: 'a comma-separated list (see the rules per MirrorSourceType)',
  }),
  MirrorSourceVpcId: field({
    schema: list(VPC_ID, 'a comma-separated list of VPC IDs such as vpc-0123456789abcdef0'),
    default: [] as string[],
    doc: 'VPCs of the mirrored sources: required for LOAD_BALANCER_TAGS (where to look for tagged load balancers); for FARGATE, more VPCs to associate with the private zone; refused otherwise.',
    allowed: 'a comma-separated list of VPC IDs',
  }),
  MirrorSourceCidrs: field({
    schema: list(CIDR, 'a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/16'),
    default: RFC1918,
    doc: 'Networks of the mirrored sources: the only senders allowed to reach the mirror target on UDP 4789. Narrow it to your VPCs.',
    allowed: 'a comma-separated list of IPv4 CIDR blocks',
  }),
  DeployTraceableAgentInECS: field({
    schema: bool(),
    default: false,
    doc: 'Run the agent fleet as an ECS service on EC2 capacity instead of a plain autoscaling group.',
    allowed: 'true or false',
  }),
  SubnetIds: field({
    schema: list(SUBNET_ID, 'a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0').refine(
      (ids) => ids.length > 0,
      { error: 'a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0' },
    ),
    doc: 'Subnets (in VpcId) for the load balancer and the agent fleet; they need a route to the Traceable API.',
    allowed: 'a non-empty comma-separated list of subnet IDs',
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
    schema: optionalText(SECRET_ARN, 'a Secrets Manager secret ARN such as arn:aws:secretsmanager:us-east-1:123456789012:secret:traceable-AbCdEf'),
    default: '',
    doc: 'Existing Secrets Manager secret holding the token under the key `refresh_token`. When empty, the stack creates the secret from the sensitive Terraform variable `traceable_refresh_token`.',
    allowed: '"" or a Secrets Manager secret ARN',
  }),
  TraceableEnvironment: field({
    schema: text(PRINTABLE, 'a non-empty name of up to 128 printable characters'),
    doc: 'Traceable environment name (QA, dev, production ...).',
    allowed: 'a non-empty name of up to 128 printable characters',
  }),
  TraceableServiceName: field({
    schema: text(PRINTABLE, 'a non-empty name of up to 128 printable characters'),
    doc: 'Service name shown on the Traceable dashboard for the mirrored traffic.',
    allowed: 'a non-empty name of up to 128 printable characters',
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
    schema: text(/^[a-z0-9][a-z0-9./_:-]*suricata:7\.0\.\d+[A-Za-z0-9._-]*$/, 'a Suricata 7.0.x container image such as jasonish/suricata:7.0.10'),
    default: DEFAULT_SURICATA_IMAGE,
    doc: 'Suricata container image (7.0.x); may be in your private ECR, like TraceableAgentImage.',
    allowed: 'a Suricata 7.0.x container image reference',
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
} satisfies Record<string, FieldSpec<unknown>>;

export type ConfigKey = keyof typeof CONFIG_FIELDS;
type FieldValue<K extends ConfigKey> = (typeof CONFIG_FIELDS)[K] extends FieldSpec<infer T> ? T : never;

/** A validated deployment configuration; every key has its value (defaults filled in). */
export type MirroringConfig = { readonly [K in ConfigKey]: FieldValue<K> };

/** Keys of the seed template that are refused here, with the reason. */
const REFUSED_KEYS: Record<string, (value: unknown) => string | undefined> = {
  TraceableRefreshToken: (value) =>
    value === '' || value === undefined || value === null
      ? undefined
      : 'TraceableRefreshToken: the refresh token is a secret and is not accepted in the configuration file (it would land in files and state). ' +
        'Supply it one of two ways: (1) TraceableRefreshTokenSecretArn, the ARN of an existing Secrets Manager secret whose key is refresh_token; ' +
        `or (2) the sensitive Terraform variable ${TOKEN_VARIABLE_NAME} at plan and apply time, e.g. export TF_VAR_${TOKEN_VARIABLE_NAME}=..., ` +
        'which the stack stores in a secret it creates.',
};

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration ${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ParsedConfig {
  readonly config: MirroringConfig;
  /** Accepted, but worth a look (printed by the app). */
  readonly warnings: readonly string[];
}

/** Shows a received value the way the user wrote it. */
function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Validates a configuration object (or a CloudFormation parameters list); reports every problem at once. */
export function parseConfig(raw: unknown, source = '(inline)'): ParsedConfig {
  const input = Array.isArray(raw) ? fromCloudFormationParameters(raw, source) : raw;
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError(source, [`the file must hold a JSON object of parameters or a CloudFormation parameters list; got ${show(input)}`]);
  }
  const entries = input as Record<string, unknown>;
  const problems: string[] = [];
  const warnings: string[] = [];
  const values: Partial<Record<ConfigKey, unknown>> = {};
  const known = Object.keys(CONFIG_FIELDS) as ConfigKey[];

  for (const [key, value] of Object.entries(entries)) {
    const refusal = REFUSED_KEYS[key];
    if (refusal) {
      const message = refusal(value);
      if (message) problems.push(message);
    } else if (!(key in CONFIG_FIELDS)) {
      const suggestion = closestKey(key, known);
      problems.push(`${key}: unknown parameter${suggestion ? ` (did you mean ${suggestion}?)` : ''}; allowed parameters: ${known.join(', ')}`);
    }
  }

  for (const key of known) {
    const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
    const given = entries[key];
    if (given === undefined || given === null) {
      if (spec.default === undefined) problems.push(`${key}: required; expected ${spec.allowed}`);
      else values[key] = spec.default;
      continue;
    }
    const result = spec.schema.safeParse(given);
    if (result.success) values[key] = result.data;
    else if (spec.nested) problems.push(...nestedProblems(key, fromJsonObjectString(given), result.error.issues, spec.allowed));
    else problems.push(`${key}: got ${show(given)}; expected ${result.error.issues[0]?.message ?? spec.allowed}`);
  }

  checkCrossKeyRules(values, entries, problems, warnings);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { config: values as MirroringConfig, warnings };
}

/** One problem per issue inside an object value, named by its path (`Backend.bucket`). */
function nestedProblems(key: string, value: unknown, issues: readonly z.core.$ZodIssue[], allowed: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${key}: got ${show(value)}; expected ${allowed}`];
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((unknown) => `${[key, ...issue.path, unknown].join('.')}: unknown key; expected ${issue.message}`);
    }
    const received = issue.path.reduce<unknown>((inner, step) => (inner as Record<PropertyKey, unknown> | undefined)?.[step as PropertyKey], value);
    const name = [key, ...issue.path].join('.');
    return [received === undefined ? `${name}: required; expected ${issue.message}` : `${name}: got ${show(received)}; expected ${issue.message}`];
  });
}

/** Rules that tie keys together; each runs only when the keys it reads are valid on their own. */
function checkCrossKeyRules(
  values: Partial<Record<ConfigKey, unknown>>,
  given: Record<string, unknown>,
  problems: string[],
  warnings: string[],
): void {
  const v = values as Partial<MirroringConfig>;
  const type = v.MirrorSourceType;
  if (type !== undefined && v.MirrorSource !== undefined) {
    const problem = checkMirrorSource(type, v.MirrorSource);
    if (problem) problems.push(`MirrorSource: got ${show(given.MirrorSource ?? '')}; expected ${problem}`);
  }
  if (type !== undefined && v.MirrorSourceVpcId !== undefined) {
    if (type === 'LOAD_BALANCER_TAGS' && v.MirrorSourceVpcId.length === 0) {
      problems.push(`MirrorSourceVpcId: got ${show(given.MirrorSourceVpcId ?? '')}; expected at least one VPC ID with MirrorSourceType LOAD_BALANCER_TAGS (the VPCs to search for tagged load balancers)`);
    } else if (type !== 'LOAD_BALANCER_TAGS' && type !== 'FARGATE' && v.MirrorSourceVpcId.length > 0) {
      problems.push(`MirrorSourceVpcId: got ${show(given.MirrorSourceVpcId)}; expected empty with MirrorSourceType ${type} (only LOAD_BALANCER_TAGS and FARGATE use it)`);
    }
  }
  if (type !== undefined && type !== 'FARGATE') {
    for (const key of ['Route53ZoneName', 'Route53ZoneId', 'Route53SubdomainName', 'FargatePacketForwarderImage'] as const) {
      const value = given[key];
      if (value !== undefined && value !== '' && value !== CONFIG_FIELDS[key].default) {
        const what = key === 'FargatePacketForwarderImage' ? 'the sidecar applies' : 'Route53 settings apply';
        problems.push(`${key}: got ${show(value)}; expected it unset with MirrorSourceType ${type} (${what} only to FARGATE)`);
      }
    }
  }
  if (v.MirroringSessionLambdaInterval !== undefined && v.MirroringSessionLambdaTimeout !== undefined) {
    if (v.MirroringSessionLambdaInterval * 60 <= v.MirroringSessionLambdaTimeout) {
      problems.push(
        `MirroringSessionLambdaInterval: got ${show(given.MirroringSessionLambdaInterval ?? v.MirroringSessionLambdaInterval)}; expected more minutes than MirroringSessionLambdaTimeout (${v.MirroringSessionLambdaTimeout} s), so runs never overlap: at least ${Math.floor(v.MirroringSessionLambdaTimeout / 60) + 1}`,
      );
    }
  }
  if (v.CustomInstanceType !== undefined && v.CustomInstanceType !== '') {
    const facts = describeInstanceType(v.CustomInstanceType);
    if (facts === undefined) {
      warnings.push(`CustomInstanceType: "${v.CustomInstanceType}" is not a type whose size this tool knows; make sure it has at least 4 vCPU and 8 GiB (the agent's requirement).`);
    } else if (facts.belowAgentMinimum) {
      problems.push(`CustomInstanceType: got ${show(given.CustomInstanceType)}; expected an instance type with at least 4 vCPU and 8 GiB (size xlarge or larger): "${facts.size}" has fewer than 4 vCPU`);
    }
  }
  if (v.CustomAMI === '' && v.CustomAMIOperatingSystem !== undefined && v.CustomAMIOperatingSystem !== 'amazon-linux-2023') {
    problems.push(`CustomAMIOperatingSystem: got ${show(given.CustomAMIOperatingSystem)}; expected "amazon-linux-2023" without CustomAMI (the default AMI is the latest Amazon Linux 2023)`);
  }
  if (v.DeployTraceableAgentInECS === true && v.CustomAMIOperatingSystem === 'ubuntu') {
    problems.push('CustomAMIOperatingSystem: got "ubuntu"; expected "amazon-linux-2023" with DeployTraceableAgentInECS true (the ECS fleet needs an ECS-optimized Amazon Linux 2023 AMI)');
  }
  const instanceType = effectiveInstanceType(v);
  if (instanceType !== undefined && v.CustomAMIArchitecture) {
    const [family] = instanceType.split('.');
    const architecture = architectureOfFamily(family);
    if (v.CustomAMI === '') {
      problems.push(`CustomAMIArchitecture: got ${show(v.CustomAMIArchitecture)}; expected "" without CustomAMI (the default AMI follows the instance type)`);
    } else if (architecture !== v.CustomAMIArchitecture) {
      problems.push(
        `CustomAMI: ${v.CustomAMI} is ${v.CustomAMIArchitecture} but instance type ${instanceType} is ${architecture}; choose an AMI and an instance type of the same architecture`,
      );
    }
  }
}

/** MirrorSource rules per type; returns what was expected when the value breaks them. */
function checkMirrorSource(type: MirrorSourceType, items: readonly string[]): string | undefined {
  const badItems = (pattern: RegExp) => items.filter((item) => !pattern.test(item));
  switch (type) {
    case 'LOAD_BALANCER': {
      const bad = badItems(/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/);
      if (items.length === 0 || bad.length > 0) return `a non-empty comma-separated list of load balancer names (1-32 letters, digits and hyphens) with MirrorSourceType LOAD_BALANCER${bad.length ? `; not a name: ${bad.join(', ')}` : ''}`;
      return undefined;
    }
    case 'TARGET_GROUP': {
      const bad = badItems(/^([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?|arn:aws(-[a-z]+)*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16})$/);
      if (items.length === 0 || bad.length > 0) return `a non-empty comma-separated list of target group names or ARNs with MirrorSourceType TARGET_GROUP${bad.length ? `; not a name or ARN: ${bad.join(', ')}` : ''}`;
      return undefined;
    }
    case 'LOAD_BALANCER_TAGS': {
      const bad = badItems(/^[^=\s][^=]{0,127}(=[^=]{0,256})?$/);
      if (items.length === 0 || bad.length > 0) return `a non-empty comma-separated list of tags, each key=value or key, with MirrorSourceType LOAD_BALANCER_TAGS${bad.length ? `; not a tag: ${bad.join(', ')}` : ''}`;
      return undefined;
    }
    case 'ECS_CLUSTER': {
      const ok = items.length === 1 && /^([A-Za-z0-9_-]{1,255}|arn:aws(-[a-z]+)*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/.test(items[0]);
      return ok ? undefined : 'exactly one ECS cluster name or ARN with MirrorSourceType ECS_CLUSTER';
    }
    case 'MANUAL':
    case 'FARGATE':
      return items.length === 0 ? undefined : `empty with MirrorSourceType ${type} (no sources are discovered)`;
  }
}

/** The instance type the fleet runs: CustomInstanceType when set, else InstanceType. */
export function effectiveInstanceType(config: Partial<Pick<MirroringConfig, 'InstanceType' | 'CustomInstanceType'>>): string | undefined {
  return config.CustomInstanceType ? config.CustomInstanceType : config.InstanceType;
}

/** Converts `[{"ParameterKey": "...", "ParameterValue": "..."}]` (aws cloudformation --parameters file://) to an object. */
export function fromCloudFormationParameters(list: readonly unknown[], source: string): Record<string, unknown> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  list.forEach((entry, index) => {
    const item = entry as { ParameterKey?: unknown; ParameterValue?: unknown; UsePreviousValue?: unknown };
    if (typeof item !== 'object' || item === null || typeof item.ParameterKey !== 'string') {
      problems.push(`parameter #${index + 1}: got ${show(entry)}; expected {"ParameterKey": "...", "ParameterValue": "..."}`);
    } else if (item.UsePreviousValue === true || item.UsePreviousValue === 'true') {
      problems.push(`${item.ParameterKey}: UsePreviousValue has no meaning here (there is no previous CloudFormation stack); give ParameterValue`);
    } else if (item.ParameterKey in result) {
      problems.push(`${item.ParameterKey}: given twice in the parameters list`);
    } else {
      result[item.ParameterKey] = item.ParameterValue ?? '';
    }
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result;
}

/** Reads and validates one configuration file. */
export function loadConfig(path: string): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(path, [`cannot read the configuration: ${reason}`]);
  }
  return parseConfig(raw, path);
}

/** One validated configuration file. */
export interface LoadedConfig extends ParsedConfig {
  readonly path: string;
}

/**
 * The configuration files that MIRRORING_CONFIG names: one file, a comma-separated list of files, or a directory
 * (its `*.json` files, sorted). One stack per file.
 */
export function resolveConfigPaths(spec: string): string[] {
  const named = spec.split(',').map((part) => part.trim()).filter((part) => part !== '');
  return named.flatMap((path) => {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      return [path]; // loadConfig reports the missing file
    }
    if (!isDirectory) return [path];
    return readdirSync(path).filter((name) => name.endsWith('.json')).sort().map((name) => join(path, name));
  });
}

/**
 * Loads and validates every configuration that MIRRORING_CONFIG names, reporting the problems of all files at once,
 * and refuses two configurations with the same StackName (they would share a stack folder and resource names).
 */
export function loadConfigs(spec: string): LoadedConfig[] {
  const paths = resolveConfigPaths(spec);
  if (paths.length === 0) throw new ConfigError(spec, ['MIRRORING_CONFIG names no configuration file (a directory needs *.json files)']);
  const loaded: LoadedConfig[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    try {
      loaded.push({ path, ...loadConfig(path) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => (paths.length > 1 ? `${path}: ${problem}` : problem)));
    }
  }
  const byStackName = new Map<string, string>();
  for (const { path, config } of loaded) {
    const first = byStackName.get(config.StackName);
    if (first !== undefined) problems.push(`${path}: StackName: got ${show(config.StackName)}; expected a name unique among the configurations (${first} uses it too)`);
    else byStackName.set(config.StackName, path);
  }
  if (problems.length > 0) throw new ConfigError(paths.length > 1 ? spec : paths[0], problems);
  return loaded;
}

/** The nearest known key within a small edit distance, for "did you mean". */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The README's configuration reference, generated from {@link CONFIG_FIELDS}. */
export function configReferenceMarkdown(): string {
  const rows = (Object.keys(CONFIG_FIELDS) as ConfigKey[]).map((key) => {
    const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
    const fallback = spec.default === undefined ? '**required**' : `\`${JSON.stringify(spec.default)}\``;
    return `| \`${key}\` | ${spec.doc} | ${fallback} | ${spec.allowed} |`;
  });
  return ['| Key | Meaning | Default | Allowed |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
