/**
 * A generated corpus of hostile configuration files: keys named like Object.prototype members, deep nesting, huge
 * values and numbers, byte order marks, UTF-16, invalid UTF-8, look-alike and zero-width keys, shell and Terraform
 * template sequences, duplicate keys, FIFOs and devices. Each says what the app must do with it.
 */
import { BASE_CONFIG } from './synth';

export interface HostileFile {
  /** File name (unique; ends in .json). */
  readonly name: string;
  /** The file's bytes, or a special file created in its place. */
  readonly content: string | Buffer | 'fifo' | 'device' | 'directory';
  /** 'synth' when it must synthesize; otherwise the start of the first problem the app must print. */
  readonly expected: 'synth' | string;
  /** Run through the real app (`node --import tsx main.ts`): every file that needs the process boundary (special
   * files, encodings) and a representative few of the rest. */
  readonly spawn?: boolean;
}

/** A configuration object's JSON: BASE_CONFIG plus these members, written as raw JSON text; a member replaces the
 * base's key of the same name unless `keepBase` (to give a key twice). */
const jsonWith = (keepBase: boolean, members: string[]) => {
  const given = new Set(members.map((text) => /^"((?:[^"\\]|\\.)*)"/.exec(text)?.[1]));
  const base = Object.entries(BASE_CONFIG).filter(([key]) => keepBase || !given.has(key));
  return `{${[...base.map(([key, value]) => member(key, value)), ...members].join(', ')}}`;
};
const withMembers = (...members: string[]) => jsonWith(false, members);
const withDuplicate = (...members: string[]) => jsonWith(true, members);
const withValues = (values: Record<string, unknown>) => JSON.stringify({ ...BASE_CONFIG, ...values });
const member = (key: string, value: unknown) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const parametersList = (extra: [string, string][]) =>
  JSON.stringify([...Object.entries(BASE_CONFIG), ...extra].map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })));
const ALLOWED_NAME = 'expected 1 to 128 letters, digits, spaces and ._:/@+=,-';
const TEMPLATE = 'expected no ${ or %{ anywhere';

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__'];

export function hostileConfigs(): HostileFile[] {
  const json = withValues({});
  return [
    // Keys named like Object.prototype members.
    ...PROTOTYPE_KEYS.map((key, index) => ({ name: `proto-top-${index}.json`, content: withMembers(member(key, 'x')), expected: `${key}: unknown parameter; allowed parameters: StackName,`, spawn: index === 0 })),
    { name: 'proto-tag-key.json', content: withMembers('"Tags": {"__proto__": "x"}'), expected: 'Tags: got the key "__proto__"; expected a key other than __proto__' },
    { name: 'proto-tag-keys-valid.json', content: withMembers('"Tags": {"constructor": "a", "toString": "b", "hasOwnProperty": "c"}'), expected: 'synth' },
    { name: 'proto-backend-member.json', content: withMembers('"Backend": {"type": "s3", "bucket": "state-bucket", "__proto__": {"type": "local"}}'), expected: 'Backend.__proto__: unknown key' },
    { name: 'proto-backend-only.json', content: withMembers('"Backend": {"__proto__": {"type": "s3"}}'), expected: 'Backend.type: required' },
    { name: 'proto-cfn-proto.json', content: parametersList([['__proto__', 'x']]), expected: '__proto__: unknown parameter' },
    { name: 'proto-cfn-constructor.json', content: parametersList([['constructor', 'x']]), expected: 'constructor: unknown parameter' },
    { name: 'proto-cfn-twice.json', content: parametersList([['toString', 'x'], ['toString', 'y']]), expected: 'toString: given twice in the parameters list' },

    // Deep nesting.
    { name: 'deep-tags-array.json', content: withMembers(`"Tags": ${deepArray(100_000)}`), expected: 'Tags: got [[[[…]]]]; expected an object of up to 48 tags', spawn: true },
    { name: 'deep-backend-object.json', content: withMembers(`"Backend": ${deepObject(100_000)}`), expected: 'Backend.type: required' },
    { name: 'deep-mirror-source.json', content: withMembers(`"MirrorSource": ${deepArray(100_000)}`), expected: 'MirrorSource: got [[[[…]]]]; expected a comma-separated list or an array of strings' },
    { name: 'deep-top-level.json', content: deepArray(100_000), expected: 'parameter #1: got [[[[…]]]]; expected {"ParameterKey": "...", "ParameterValue": "..."}' },
    { name: 'deep-unknown-key.json', content: withMembers(`"Deep": ${deepObject(100_000)}`), expected: 'Deep: unknown parameter' },

    // Huge values and numbers.
    { name: 'huge-service-name.json', content: withValues({ TraceableServiceName: 's'.repeat(900_000) }), expected: `TraceableServiceName: got "${'s'.repeat(120)}…" (900000 characters); ${ALLOWED_NAME}` },
    { name: 'huge-tag-value.json', content: withValues({ Tags: { big: 'v'.repeat(900_000) } }), expected: `Tags: got "${'v'.repeat(120)}…" (900000 characters) for the key "big"` },
    { name: 'huge-key.json', content: withMembers(member('k'.repeat(900_000), 1)), expected: `"${'k'.repeat(120)}…" (900000 characters): unknown parameter` },
    { name: 'huge-file.json', content: withMembers(member('KeyName', 'k'.repeat(2_000_000))), expected: 'cannot read the configuration: the file has 2000' },
    { name: 'number-1e400.json', content: withMembers('"AutoscalingMaxSize": 1e400'), expected: 'AutoscalingMaxSize: got Infinity; expected a whole number from 1 to 1000' },
    { name: 'number-minus-1e400.json', content: withMembers('"AutoscalingTargetValue": -1e400'), expected: 'AutoscalingTargetValue: got -Infinity' },
    { name: 'number-1e-400.json', content: withMembers('"AutoscalingTargetValue": 1e-400'), expected: 'AutoscalingTargetValue: got 0; expected a number greater than 0' },
    { name: 'number-30-digits.json', content: withMembers('"AutoscalingMaxSize": 123456789012345678901234567890'), expected: 'AutoscalingMaxSize: got 1.2345678901234568e+29' },
    { name: 'many-cidrs.json', content: withValues({ MirrorSourceCidrs: Array.from({ length: 60_000 }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`).join(',') }), expected: 'MirrorSourceCidrs: got "10.0.0.0/24,10.0.1.0/24,' },
    { name: 'many-unknown-keys.json', content: withMembers(...Array.from({ length: 5000 }, (_, i) => member(`Unknown${i}`, i))), expected: 'Unknown0: unknown parameter' },

    // Encodings.
    { name: 'utf8-bom.json', content: `\ufeff${json}`, expected: 'synth', spawn: true },
    { name: 'utf16le-bom.json', content: Buffer.from(`\ufeff${json}`, 'utf16le'), expected: 'synth', spawn: true },
    { name: 'utf16be-bom.json', content: Buffer.from(`\ufeff${json}`, 'utf16le').swap16(), expected: 'synth' },
    { name: 'utf16le-no-bom.json', content: Buffer.from(json, 'utf16le'), expected: 'cannot read the configuration: contains a NUL character at character 1', spawn: true },
    { name: 'utf16le-bom-odd-length.json', content: Buffer.concat([Buffer.from(`\ufeff${json}`, 'utf16le'), Buffer.from([0x7b])]), expected: 'cannot read the configuration: not valid UTF-16LE' },
    { name: 'invalid-utf8-value.json', content: Buffer.concat([Buffer.from(withMembers('"KeyName": "a').slice(0, -1)), Buffer.from([0xff, 0xfe, 0x22, 0x7d])]), expected: 'cannot read the configuration: not valid UTF-8 (first invalid byte at offset', spawn: true },
    { name: 'invalid-utf8-key.json', content: Buffer.concat([Buffer.from('{"Reg'), Buffer.from([0xe9]), Buffer.from('on": "eu-west-1"}')]), expected: 'cannot read the configuration: not valid UTF-8 (first invalid byte at offset 5)' },
    { name: 'overlong-utf8.json', content: Buffer.concat([Buffer.from('{"KeyName": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), expected: 'cannot read the configuration: not valid UTF-8 (first invalid byte at offset 13)' },
    { name: 'lone-surrogate.json', content: withMembers('"TraceableServiceName": "a\\ud800b"'), expected: `TraceableServiceName: got "a\\ud800b"; ${ALLOWED_NAME}` },
    { name: 'bom-only.json', content: '\ufeff', expected: 'cannot read the configuration: not valid JSON: Unexpected end of JSON input' },

    // Look-alike and zero-width keys and values.
    { name: 'lookalike-cyrillic-key.json', content: JSON.stringify({ ...BASE_CONFIG, 'Regi\u043en': 'eu-west-1' }), expected: '"Regi\\u043en": unknown parameter (did you mean Region?)' },
    { name: 'lookalike-zero-width-key.json', content: JSON.stringify({ ...BASE_CONFIG, 'Region\u200b': 'eu-west-1' }), expected: '"Region\\u200b": unknown parameter (did you mean Region?)' },
    { name: 'lookalike-fullwidth-key.json', content: JSON.stringify({ ...BASE_CONFIG, '\uff32egion': 'eu-west-1' }), expected: '"\\uff32egion": unknown parameter (did you mean Region?)' },
    { name: 'lookalike-rtl-override-key.json', content: JSON.stringify({ ...BASE_CONFIG, '\u202eRegion': 'eu-west-1' }), expected: '"\\u202eRegion": unknown parameter (did you mean Region?)' },
    { name: 'lookalike-trailing-space-key.json', content: JSON.stringify({ ...BASE_CONFIG, 'Region ': 'eu-west-1' }), expected: '"Region ": unknown parameter (did you mean Region?)' },
    { name: 'lookalike-lowercase-key.json', content: JSON.stringify({ ...BASE_CONFIG, region: 'eu-west-1' }), expected: 'region: unknown parameter (did you mean Region?)' },
    { name: 'lookalike-nbsp-value.json', content: withValues({ TraceableServiceName: 'checkout\u00a0api' }), expected: `TraceableServiceName: got "checkout\\u00a0api"; ${ALLOWED_NAME}` },
    { name: 'lookalike-fullwidth-value.json', content: withValues({ MirrorSourceType: 'LOAD_BALANCE\uff32' }), expected: 'MirrorSourceType: got "LOAD_BALANCE\\uff32"; expected one of LOAD_BALANCER,' },
    { name: 'lookalike-zero-width-tag-key.json', content: withValues({ Tags: { 'team\u200b': 'a' } }), expected: 'Tags: got the key "team\\u200b"; expected a tag key of 1-127 letters' },

    // Shell and Terraform template sequences.
    { name: 'shell-subshell.json', content: withValues({ TraceableServiceName: 'a$(reboot)' }), expected: `TraceableServiceName: got "a$(reboot)"; ${ALLOWED_NAME}` },
    { name: 'shell-backticks.json', content: withValues({ TraceableServiceName: '`reboot`' }), expected: `TraceableServiceName: got "\`reboot\`"; ${ALLOWED_NAME}` },
    { name: 'shell-semicolon.json', content: withValues({ TraceableEnvironment: 'prod; rm -rf /' }), expected: `TraceableEnvironment: got "prod; rm -rf /"; ${ALLOWED_NAME}` },
    { name: 'shell-quote.json', content: withValues({ TraceableServiceName: "checkout's api" }), expected: `TraceableServiceName: got "checkout's api"; ${ALLOWED_NAME}` },
    { name: 'shell-newline.json', content: withValues({ TraceableEnvironment: 'prod\nTRACEABLE_REGION=x' }), expected: `TraceableEnvironment: got "prod\\nTRACEABLE_REGION=x"; ${ALLOWED_NAME}` },
    { name: 'template-environment.json', content: withValues({ TraceableEnvironment: 'prod-${var.x}' }), expected: `TraceableEnvironment: got "prod-\${var.x}"; ${TEMPLATE}` },
    { name: 'template-key-name.json', content: withValues({ KeyName: '${file("/etc/passwd")}' }), expected: `KeyName: got "\${file(\\"/etc/passwd\\")}"; ${TEMPLATE}` },
    { name: 'template-directive.json', content: withValues({ KeyName: '%{ for x in y }x%{ endfor }' }), expected: `KeyName: got "%{ for x in y }x%{ endfor }"; ${TEMPLATE}` },
    { name: 'template-mirror-source.json', content: withValues({ MirrorSourceType: 'LOAD_BALANCER_TAGS', MirrorSourceVpcId: 'vpc-0123456789abcdef0', MirrorSource: 'app=${x}' }), expected: `MirrorSource: got "app=\${x}"; ${TEMPLATE}` },
    { name: 'template-backend-key.json', content: withValues({ Backend: { type: 's3', bucket: 'state-bucket', key: '${x}' } }), expected: `Backend: got {"type":"s3","bucket":"state-bucket","key":"\${x}"}; ${TEMPLATE}` },
    { name: 'template-tag-key.json', content: withValues({ Tags: { '${x}': 'a' } }), expected: `Tags: got {"\${x}":"a"}; ${TEMPLATE}` },
    { name: 'shell-tag-value.json', content: withValues({ Tags: { team: '$(id)' } }), expected: 'Tags: got "$(id)" for the key "team"; expected a tag value' },
    { name: 'shell-stack-name.json', content: withValues({ StackName: 'x;reboot' }), expected: 'StackName: got "x;reboot"; expected letters, digits and hyphens' },
    { name: 'shell-endpoint.json', content: withValues({ TraceableAPIEndpoint: 'api.traceable.ai;reboot' }), expected: 'TraceableAPIEndpoint: got "api.traceable.ai;reboot"; expected a host name' },
    { name: 'shell-image.json', content: withValues({ SuricataImage: 'jasonish/suricata:7.0.10$(id)' }), expected: 'SuricataImage: got "jasonish/suricata:7.0.10$(id)"; expected a Suricata 7.0.x container image' },

    // Keys given twice.
    { name: 'duplicate-top.json', content: withDuplicate(member('Region', 'us-east-1')), expected: 'Region: given twice in the file; expected each key once (JSON would silently keep the last value)', spawn: true },
    { name: 'duplicate-nested.json', content: withMembers('"Tags": {"team": "a", "team": "b"}'), expected: 'Tags.team: given twice in the file' },
    { name: 'duplicate-escaped.json', content: withDuplicate('"\\u0052egion": "us-east-1"'), expected: 'Region: given twice in the file' },
    { name: 'duplicate-backend-type.json', content: withMembers('"Backend": {"type": "s3", "type": "local"}'), expected: 'Backend.type: given twice in the file' },
    { name: 'duplicate-in-array.json', content: withMembers('"MirrorSource": [{"a": 1, "a": 2}]'), expected: 'MirrorSource.0.a: given twice in the file' },
    { name: 'duplicate-cfn.json', content: parametersList([['VpcId', 'vpc-0fedcba9876543210']]), expected: 'VpcId: given twice in the parameters list' },

    // Not a configuration object.
    { name: 'empty.json', content: '', expected: 'cannot read the configuration: not valid JSON: Unexpected end of JSON input' },
    { name: 'null.json', content: 'null', expected: 'the file must hold a JSON object of parameters or a CloudFormation parameters list; got null' },
    { name: 'empty-list.json', content: '[]', expected: 'Region: required' },
    { name: 'number.json', content: '42', expected: 'the file must hold a JSON object of parameters or a CloudFormation parameters list; got 42' },
    { name: 'string.json', content: '"Region=eu-west-1"', expected: 'the file must hold a JSON object of parameters or a CloudFormation parameters list; got "Region=eu-west-1"' },
    { name: 'comments.json', content: `// prod\n${json}`, expected: 'cannot read the configuration: not valid JSON: ' },
    { name: 'trailing-comma.json', content: `${json.slice(0, -1)},}`, expected: 'cannot read the configuration: not valid JSON: ' },
    { name: 'nan.json', content: withMembers('"AutoscalingMaxSize": NaN'), expected: 'cannot read the configuration: not valid JSON: ' },

    // Special files.
    { name: 'fifo.json', content: 'fifo', expected: 'cannot read the configuration: a FIFO (named pipe); expected a regular JSON file', spawn: true },
    { name: 'device.json', content: 'device', expected: 'cannot read the configuration: a character device; expected a regular JSON file', spawn: true },
    { name: 'directory.json', content: 'directory', expected: 'cannot read the configuration: a directory; expected a regular JSON file' },

    // Accepted at synth but refused later by Terraform or AWS, before this hardening.
    { name: 'later-cidr-host-bits.json', content: withValues({ MirrorSourceCidrs: '10.1.2.3/8' }), expected: 'MirrorSourceCidrs: got "10.1.2.3/8"; expected a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/16, each its network address' },
    { name: 'later-49-tags.json', content: withValues({ Tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) }), expected: 'Tags: got 49 tags; expected at most 48' },
    { name: 'later-partial-arn.json', content: withValues({ TraceableRefreshTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token' }), expected: 'TraceableRefreshTokenSecretArn: got "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token"; expected "" or a complete' },
    { name: 'later-region.json', content: withValues({ Region: 'xx-nowhere-9' }), expected: 'Region: got "xx-nowhere-9"; expected one of AWS\'s commercial, GovCloud or China regions' },
  ];
}
