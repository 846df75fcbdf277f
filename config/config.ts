/**
 * The configuration of one deployment: the single source of truth for the keys, their types, defaults and
 * rules. It validates the user's file, types the result for the stack, and feeds the README's reference table
 * (`npm run docs:config` writes it; a test keeps the two in step).
 *
 * Keys are the seed template's parameter names, so a CloudFormation parameters file is accepted as it is.
 * Values may be JSON-typed or strings as CloudFormation passes them ("true", "600", "subnet-a,subnet-b").
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_FEED_MODE,
  DEFAULT_HTTP_BODY_LIMIT,
  DEFAULT_SURICATA_IMAGE,
  DEFAULT_TRACEABLE_AGENT_VERSION,
  FEED_MODES,
  FeedMode,
  MAX_HTTP_BODY_LIMIT,
} from '../bootstrap/constants';
import { PLAIN as BOOTSTRAP_PLAIN_SETTING } from '../bootstrap/index';
import { ConfigFileProblem, DuplicateKeysProblem, findDuplicateKeys, readConfigFile } from './config-file';
import {
  INSTANCE_TYPE_SYNTAX,
  MIRROR_SOURCE_TYPES,
  STACK_SET_TAG_KEYS,
  STACK_TAG_KEY,
  TAG_SOURCE_TYPES,
  TARGET_PORT_SOURCE_TYPES,
  TOKEN_VARIABLE_NAME,
  VXLAN_UDP_PORT,
  ZONE_VPC_SOURCE_TYPES,
  architectureOfFamily,
  derivesPortsFromTargets,
  describeInstanceType,
  isOfferedInstanceType,
  selectsByTag,
  usesSourceVpcIds,
  type MirrorSourceType,
  type TagSourceType,
} from '../shared';
import { partitionOfRegion } from './regions';

/** The configuration the app (and its tools) use when MIRRORING_CONFIG is not set: the shipped example. */
export const DEFAULT_CONFIG_PATH = 'examples/config.json';

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** AWS allows 50 tags per resource; the stack's own take their share. */
const MAX_USER_TAGS = 50 - STACK_SET_TAG_KEYS.length;

/** The value of an own property only: keys such as `constructor` or `__proto__` never reach Object.prototype. */
function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Showing what the user wrote, readably whatever its size, depth or characters.

const SHOWN_CHARACTERS = 120;
const SHOWN_DEPTH = 3;

/** JSON-quoted, with every character outside printable ASCII escaped (look-alike and zero-width characters show). */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A received value as JSON, cut to SHOWN_CHARACTERS and SHOWN_DEPTH (a long string also gives its length). */
export function show(value: unknown): string {
  const budget = { left: SHOWN_CHARACTERS };
  const render = (item: unknown, depth: number): string => {
    if (budget.left <= 0) return '…';
    let text: string;
    if (typeof item === 'string' && depth > 0 && item.length + 2 > budget.left) {
      budget.left = 0; // inside an object or array, a string is shown whole or not at all
      return '…';
    } else if (typeof item === 'string') {
      text = quote(item.slice(0, budget.left));
      if (item.length > budget.left) text = `${text.slice(0, -1)}…" (${item.length} characters)`;
    } else if (Array.isArray(item) || (typeof item === 'object' && item !== null)) {
      const isArray = Array.isArray(item);
      const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
      const keys = isArray ? [] : Object.keys(item);
      const length = isArray ? item.length : keys.length;
      if (length === 0) text = open + close;
      else if (depth >= SHOWN_DEPTH) text = `${open}…${close}`;
      else {
        budget.left -= 1;
        const parts: string[] = [];
        for (let i = 0; i < length && budget.left > 0; i++) {
          if (!isArray && keys[i].length + 3 > budget.left) break; // a key, too, is shown whole or not at all
          const part = isArray ? render(item[i], depth + 1) : `${quote(keys[i])}:${render(own(item, keys[i]), depth + 1)}`;
          if (part.endsWith('…')) break;
          parts.push(part);
          budget.left -= 1;
        }
        return `${open}${parts.join(',')}${parts.length < length ? ',…' : ''}${close}`;
      }
    } else {
      // Non-finite numbers (1e400 parses as Infinity) show as what they became, not JSON's null.
      text = String(item);
    }
    budget.left -= text.length;
    return text;
  };
  return render(value, 0);
}

/** A key as given: bare when plain ASCII, else quoted with its odd characters escaped. */
function nameOf(key: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(key) && !key.includes('"') ? key : show(key);
}

/** Keys given twice in a JSON text, or none when it is not JSON (the schema then says what is wrong). */
function duplicateKeysOfJson(text: string): ReturnType<typeof findDuplicateKeys> {
  try {
    JSON.parse(text);
  } catch {
    return [];
  }
  return findDuplicateKeys(text);
}

/** Whether a value holds `${` or `%{` anywhere (Terraform would evaluate it as an expression in the JSON it reads); a
 * 1 MiB file holds fewer nodes than the walk visits. */
function holdsTemplateSequence(value: unknown): boolean {
  const pending: unknown[] = [value];
  for (let visited = 0; pending.length > 0 && visited < 1_000_000; visited++) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (/[$%]\{/.test(item)) return true;
    } else if (typeof item === 'object' && item !== null) {
      for (const key of Object.keys(item)) pending.push(key, own(item, key));
    }
  }
  return false;
}

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
/** Bytes, as a number or a size such as "64kb" / "1mb" (binary units, as Suricata reads them). */
const fromSize = (v: unknown) => {
  const m = typeof v === 'string' ? /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(v) : null;
  return m ? Number(m[1]) * ({ b: 1, kb: 1024, mb: 1048576 }[(m[2] ?? 'b').toLowerCase()] ?? 1) : v;
};
const byteSize = (max: number, expected: string) =>
  z.preprocess(fromSize, z.number({ error: expected }).int({ error: expected }).min(0, { error: expected }).max(max, { error: expected }));

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** A complete secret ARN: AWS appends `-` and 6 characters to the name; a partial ARN matches nothing in IAM policies. */
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:([a-z]{2}(-[a-z]+)+-\d):\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9._-]{1,128})?(@sha256:[0-9a-f]{64})?$/;
/** Traceable names travel to the hosts in bootstrap.env: the bootstrap's rule, plus the 128-character limit. */
const TRACEABLE_NAME = '1 to 128 letters, digits, spaces and ._:/@+=,-';
const traceableName = () =>
  z.string({ error: TRACEABLE_NAME }).max(128, { error: TRACEABLE_NAME }).regex(BOOTSTRAP_PLAIN_SETTING, { error: TRACEABLE_NAME });

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
const TAGS = `an object of up to ${MAX_USER_TAGS} tags: keys of 1-127 letters, digits, spaces and _ . : / = + - @ (not aws:..., Name or ${STACK_TAG_KEY}), string values of up to 256 of those characters`;

/** Provider default tags, checked as AWS will check them once the stack's own are added. */
const tagsSchema = z.custom<Record<string, string>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { error: TAGS }).superRefine((tags, ctx) => {
  const keys = Object.keys(tags);
  const problem = (got: string, message: string) => ctx.addIssue({ code: 'custom', message, params: { got } });
  if (keys.length > MAX_USER_TAGS) {
    problem(`${keys.length} tags`, `at most ${MAX_USER_TAGS} (AWS allows 50 per resource and the stack adds ${STACK_SET_TAG_KEYS.join(' and ')})`);
  }
  for (const key of keys) {
    const value = own(tags, key);
    const gotKey = `the key ${show(key)}`;
    if (key === '__proto__') problem(gotKey, 'a key other than __proto__ (JavaScript would drop that tag)');
    else if ((STACK_SET_TAG_KEYS as readonly string[]).includes(key)) problem(gotKey, `a key other than ${STACK_SET_TAG_KEYS.join(' and ')}, which the stack sets itself`);
    else if (/^aws:/i.test(key)) problem(gotKey, 'a key not starting with aws: in any case (AWS reserves the prefix)');
    else if ([...key].length < 1 || [...key].length > 127 || !TAG_CHARACTERS.test(key)) problem(gotKey, TAG_KEY_TEXT);
    else if (typeof value !== 'string' || [...value].length > 256 || !TAG_CHARACTERS.test(value)) problem(`${show(value)} for the key ${show(key)}`, TAG_VALUE);
  }
});

/** Inbound rules per security group, AWS's default quota (one rule per MirrorSourceCidrs block). */
const MAX_SOURCE_CIDRS = 60;

/** IPv4 CIDR blocks whose address has bits set past the prefix (Terraform refuses them): "10.1.2.3/8 (the network is 10.0.0.0/8)". */
function cidrsWithHostBits(cidrs: readonly string[]): string[] {
  return cidrs.flatMap((cidr) => {
    const [address, prefix] = cidr.split('/');
    const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(prefix));
    const network = value - (value % size);
    if (network === value) return [];
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
    return [`${cidr} (the network is ${dotted}/${prefix})`];
  });
}

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
    schema: z.preprocess(fromCommaList, z.array(z.string({ error: 'a comma-separated list or an array of strings' }), { error: 'a comma-separated list or an array of strings' })),
    default: [] as string[],
    doc: 'Per MirrorSourceType: LOAD_BALANCER, load balancer names; LOAD_BALANCER_TAGS, tags `key=value` or `key`; TARGET_GROUP, target group names or ARNs; ECS_CLUSTER, exactly one cluster; INSTANCE_TAGS, tags `key=value` or `key` of the EC2 instances to mirror (e.g. `Mirror=True`); MANUAL and FARGATE, empty.',
    allowed: 'a comma-separated list (see the rules per MirrorSourceType)',
  }),
  MirrorSourceVpcId: field({
    schema: list(VPC_ID, 'a comma-separated list of VPC IDs such as vpc-0123456789abcdef0'),
    default: [] as string[],
    doc: 'VPCs of the mirrored sources: required for LOAD_BALANCER_TAGS and INSTANCE_TAGS (where to look for tagged load balancers or instances); for FARGATE, more VPCs to associate with the private zone; refused otherwise.',
    allowed: 'a comma-separated list of VPC IDs',
  }),
  MirrorSourceCidrs: field({
    schema: list(CIDR, 'a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/16').superRefine((cidrs, ctx) => {
      const wrong = cidrsWithHostBits(cidrs);
      const seen = new Set<string>();
      const repeated = cidrs.filter((cidr) => seen.size === seen.add(cidr).size);
      // One ingress rule per block on the NLB's security group: AWS refuses a repeated rule, and allows 60 by default.
      if (wrong.length > 0) ctx.addIssue({ code: 'custom', message: `a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/16, each its network address; host bits set: ${wrong.join(', ')}` });
      else if (repeated.length > 0) ctx.addIssue({ code: 'custom', message: `each CIDR block once; repeated: ${[...new Set(repeated)].slice(0, 5).join(', ')}` });
      else if (cidrs.length > MAX_SOURCE_CIDRS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_SOURCE_CIDRS} CIDR blocks (one security group rule each; AWS allows 60 inbound rules per security group by default); got ${cidrs.length}` });
    }),
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
    schema: optionalText(SECRET_ARN, 'a complete Secrets Manager secret ARN, ending in the 6 characters AWS appends to the name, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:traceable-AbCdEf'),
    default: '',
    doc: 'Existing Secrets Manager secret holding the token under the key `refresh_token`. When empty, the stack creates the secret from the sensitive Terraform variable `traceable_refresh_token`.',
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

/** A hostile file can hold thousands of problems; the message lists the first ones. */
const MAX_LISTED_PROBLEMS = 50;

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  - ${p}`);
    if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`  - … and ${problems.length - MAX_LISTED_PROBLEMS} more`);
    super(`Invalid configuration ${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${listed.join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ParsedConfig {
  readonly config: MirroringConfig;
  /** Accepted, but worth a look (printed by the app). */
  readonly warnings: readonly string[];
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
    const refusal = own(REFUSED_KEYS, key) as ((value: unknown) => string | undefined) | undefined;
    if (refusal) {
      const message = refusal(value);
      if (message) problems.push(message);
    } else if (!Object.hasOwn(CONFIG_FIELDS, key)) {
      // Suggestions only for the keys the message lists (thousands of unknown keys stay fast).
      const suggestion = problems.length < MAX_LISTED_PROBLEMS ? closestKey(key, known) : undefined;
      problems.push(`${nameOf(key)}: unknown parameter${suggestion ? ` (did you mean ${suggestion}?)` : ''}; allowed parameters: ${known.join(', ')}`);
    }
  }

  for (const key of known) {
    const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
    const given = own(entries, key);
    if (given === undefined || given === null) {
      if (spec.default === undefined) problems.push(`${key}: required; expected ${spec.allowed}`);
      else values[key] = spec.default;
      continue;
    }
    // Objects may come as JSON strings (CloudFormation passes strings): their keys, too, must be given once.
    const embeddedDuplicates = typeof given === 'string' && given.trimStart().startsWith('{') ? duplicateKeysOfJson(given) : [];
    if (embeddedDuplicates.length > 0) {
      problems.push(...embeddedDuplicates.map(({ path, key: duplicate }) => `${[key, ...path, duplicate].map(nameOf).join('.')}: given twice in the JSON string; expected each key once (JSON would silently keep the last value)`));
      continue;
    }
    if (holdsTemplateSequence(given)) {
      problems.push(`${key}: got ${show(given)}; expected no \${ or %{ anywhere (Terraform would read it as an expression)`);
      continue;
    }
    const result = spec.schema.safeParse(given);
    if (result.success) values[key] = result.data;
    else if (spec.nested) problems.push(...nestedProblems(key, fromJsonObjectString(given), result.error.issues, spec.allowed));
    else problems.push(...flatProblems(key, given, result.error.issues, spec.allowed));
  }

  checkCrossKeyRules(values, entries, problems, warnings);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { config: values as MirroringConfig, warnings };
}

/**
 * The problems of a value checked as a whole: the first issue, or every issue that says itself what it got
 * (`params.got`, as the Tags rules do, one per tag).
 */
function flatProblems(key: string, given: unknown, issues: readonly z.core.$ZodIssue[], allowed: string): string[] {
  const described = issues.filter((issue) => typeof (issue as { params?: { got?: unknown } }).params?.got === 'string');
  if (described.length > 0) return described.map((issue) => `${key}: got ${(issue as unknown as { params: { got: string } }).params.got}; expected ${issue.message}`);
  return [`${key}: got ${show(given)}; expected ${issues[0]?.message ?? allowed}`];
}

/** One problem per issue inside an object value, named by its path (`Backend.bucket`). */
function nestedProblems(key: string, value: unknown, issues: readonly z.core.$ZodIssue[], allowed: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${key}: got ${show(value)}; expected ${allowed}`];
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((unknown) => `${[key, ...issue.path.map(String), unknown].map(nameOf).join('.')}: unknown key; expected ${issue.message}`);
    }
    const received = issue.path.reduce<unknown>((inner, step) => (typeof inner === 'object' && inner !== null ? own(inner, String(step)) : undefined), value);
    const name = [key, ...issue.path.map(String)].map(nameOf).join('.');
    return [received === undefined ? `${name}: required; expected ${issue.message}` : `${name}: got ${show(received)}; expected ${issue.message}`];
  });
}

/** What each tag source type searches the MirrorSourceVpcId VPCs for. */
const TAGGED_RESOURCES: Record<TagSourceType, string> = { LOAD_BALANCER_TAGS: 'load balancers', INSTANCE_TAGS: 'instances' };

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
    if (selectsByTag(type) && v.MirrorSourceVpcId.length === 0) {
      problems.push(`MirrorSourceVpcId: got ${show(given.MirrorSourceVpcId ?? '')}; expected at least one VPC ID with MirrorSourceType ${type} (the VPCs to search for tagged ${TAGGED_RESOURCES[type]})`);
    } else if (!usesSourceVpcIds(type) && v.MirrorSourceVpcId.length > 0) {
      problems.push(`MirrorSourceVpcId: got ${show(given.MirrorSourceVpcId)}; expected empty with MirrorSourceType ${type} (only ${inWords([...TAG_SOURCE_TYPES, ...ZONE_VPC_SOURCE_TYPES])} use it)`);
    }
  }
  if (type !== undefined && type !== 'FARGATE') {
    for (const key of ['Route53ZoneName', 'Route53ZoneId', 'Route53SubdomainName', 'FargatePacketForwarderImage'] as const) {
      const value = own(given, key);
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
  if (v.TraceableRefreshTokenSecretArn && v.Region !== undefined) {
    // The hosts read the secret in Region, and an ARN's partition follows its region.
    const [, partition, , secretRegion] = v.TraceableRefreshTokenSecretArn.split(':');
    if (secretRegion !== v.Region || partition !== partitionOfRegion(v.Region)) {
      problems.push(
        `TraceableRefreshTokenSecretArn: got ${show(v.TraceableRefreshTokenSecretArn)}; expected a secret in Region ${v.Region} (arn:${partitionOfRegion(v.Region)}:secretsmanager:${v.Region}:...), where the hosts read it; replicate the secret there`,
      );
    }
  }
  if (v.SameZoneDelivery === true) {
    if (v.DeployTraceableAgentInECS === true) {
      problems.push(`SameZoneDelivery: got ${show(given.SameZoneDelivery)}; expected false with DeployTraceableAgentInECS true (one ECS service cannot scale each zone on its own; use the EC2 fleet for same-zone delivery)`);
    }
    const repeated = (v.SubnetIds ?? []).filter((id, index, ids) => ids.indexOf(id) !== index);
    if (repeated.length > 0) {
      problems.push(`SubnetIds: got ${show(given.SubnetIds)}; expected each subnet once with SameZoneDelivery true (one autoscaling group per subnet); repeated: ${[...new Set(repeated)].join(', ')}`);
    }
    if (type === 'FARGATE') {
      warnings.push('SameZoneDelivery: the FARGATE packet-forwarder sidecars send to the NLB\'s name, which resolves to its nodes in every zone, so their traffic still crosses zones; only the agents are kept per zone.');
    }
  }
  if (v.MirrorTcpPorts !== undefined && v.MirrorTcpPorts.length > MAX_FILTER_RULES_PER_DIRECTION) {
    problems.push(
      `MirrorTcpPorts: got ${show(given.MirrorTcpPorts)}; expected at most ${MAX_FILTER_RULES_PER_DIRECTION} ports or ranges (AWS allows ${MAX_FILTER_RULES_PER_DIRECTION} traffic mirror filter rules per direction and each entry takes one); ${v.MirrorTcpPorts.length} given: merge neighbours into ranges such as 8000-8099`,
    );
  }
  if (v.MirrorTcpPortsFromTargets === true && type !== undefined) {
    if (!derivesPortsFromTargets(type)) {
      problems.push(`MirrorTcpPortsFromTargets: got ${show(given.MirrorTcpPortsFromTargets)}; expected false with MirrorSourceType ${type} (ports are derived from target groups: ${inWords(TARGET_PORT_SOURCE_TYPES)} only)`);
    } else if ((v.MirrorTcpPorts ?? []).length > 0) {
      problems.push(`MirrorTcpPortsFromTargets: got ${show(given.MirrorTcpPortsFromTargets)}; expected false when MirrorTcpPorts is set (choose listed or derived ports)`);
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

/** `A, B and C`. */
function inWords(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
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
    case 'LOAD_BALANCER_TAGS':
    case 'INSTANCE_TAGS': {
      const bad = badItems(/^[^=\s][^=]{0,127}(=[^=]{0,256})?$/);
      if (items.length === 0 || bad.length > 0) return `a non-empty comma-separated list of tags, each key=value or key, with MirrorSourceType ${type}${bad.length ? `; not a tag: ${bad.join(', ')}` : ''}`;
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
  // No prototype: a ParameterKey of __proto__ or constructor is an ordinary (unknown) key.
  const result: Record<string, unknown> = Object.create(null);
  list.forEach((entry, index) => {
    const item = entry as { ParameterKey?: unknown; ParameterValue?: unknown; UsePreviousValue?: unknown };
    if (typeof item !== 'object' || item === null || typeof item.ParameterKey !== 'string') {
      problems.push(`parameter #${index + 1}: got ${show(entry)}; expected {"ParameterKey": "...", "ParameterValue": "..."}`);
    } else if (item.UsePreviousValue === true || item.UsePreviousValue === 'true') {
      problems.push(`${nameOf(item.ParameterKey)}: UsePreviousValue has no meaning here (there is no previous CloudFormation stack); give ParameterValue`);
    } else if (Object.hasOwn(result, item.ParameterKey)) {
      problems.push(`${nameOf(item.ParameterKey)}: given twice in the parameters list`);
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
    raw = readConfigFile(path);
  } catch (error) {
    if (error instanceof DuplicateKeysProblem) {
      throw new ConfigError(
        path,
        error.duplicates.map(({ path: at, key }) => `${[...at, key].map(nameOf).join('.')}: given twice in the file; expected each key once (JSON would silently keep the last value)`),
      );
    }
    if (error instanceof ConfigFileProblem) throw new ConfigError(path, [`cannot read the configuration: ${error.message}`]);
    throw error;
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
  // IAM names ignore case, so "Mirror" and "mirror" would collide there.
  const byStackName = new Map<string, LoadedConfig>();
  for (const current of loaded) {
    const first = byStackName.get(current.config.StackName.toLowerCase());
    if (first !== undefined) {
      problems.push(`${current.path}: StackName: got ${show(current.config.StackName)}; expected a name unique among the configurations, ignoring case as IAM does (${first.path} uses ${show(first.config.StackName)})`);
    } else byStackName.set(current.config.StackName.toLowerCase(), current);
  }
  if (problems.length > 0) throw new ConfigError(paths.length > 1 ? spec : paths[0], problems);
  return loaded;
}

/** The nearest known key within a small edit distance, for "did you mean". */
function closestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
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
