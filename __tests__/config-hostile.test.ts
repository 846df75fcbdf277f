/**
 * The configurations of the hardening issue (a hostile user's odd and malicious files): each is refused with a
 * message naming the key (or the file), or works. Exact messages throughout.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapEnvironment } from '../bootstrap/index';
import { AWS_REGIONS, CONFIG_FIELDS, ConfigError, loadConfig, loadConfigs, parseConfig } from '../config';
import { MAX_CONFIG_FILE_BYTES } from '../config/config-file';
import { bootstrapPropsOf } from '../plan';
import { BASE_CONFIG, configOf, synthValidated } from './helpers/synth';

const ALLOWED = `allowed parameters: ${Object.keys(CONFIG_FIELDS).join(', ')}`;
const TAGS_ALLOWED =
  'an object of up to 48 tags: keys of 1-127 letters, digits, spaces and _ . : / = + - @, each once ignoring case (not aws:..., Name, traceable:stack, traceable:mirroring-stack or traceable:mirroring-source, in any case), string values of up to 256 of those characters';

function problemsOf(input: unknown): readonly string[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('configuration was accepted');
}

/** The problems of a file written with these exact bytes (the file name is part of every message). */
function fileProblems(content: string | Buffer, name = 'config.json'): { path: string; message: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'hostile-')), name);
  writeFileSync(path, content);
  try {
    loadConfig(path);
  } catch (error) {
    if (error instanceof ConfigError) return { path, message: error.message };
    throw error;
  }
  throw new Error('configuration was accepted');
}

const BASE_JSON = JSON.stringify(BASE_CONFIG).slice(1, -1);

describe('keys named like Object.prototype members are ordinary unknown keys', () => {
  test.each(['__proto__', 'hasOwnProperty', 'constructor', 'toString'])('%s', (key) => {
    expect(problemsOf(JSON.parse(`{${BASE_JSON}, ${JSON.stringify(key)}: "x"}`))).toEqual([`${key}: unknown parameter; ${ALLOWED}`]);
  });

  test('__proto__ once in a CloudFormation parameters list is unknown, not "given twice"', () => {
    const list = [...Object.entries(BASE_CONFIG), ['__proto__', 'x'], ['constructor', 'y']].map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    expect(problemsOf(list)).toEqual([`__proto__: unknown parameter; ${ALLOWED}`, `constructor: unknown parameter; ${ALLOWED}`]);
  });

  test('tag keys named constructor, toString and hasOwnProperty reach the provider default tags', () => {
    const { json } = synthValidated(configOf({ Tags: { constructor: 'a', toString: 'b', hasOwnProperty: 'c' } }));
    expect(json.provider.aws[0].default_tags).toEqual([{ tags: { constructor: 'a', toString: 'b', hasOwnProperty: 'c', 'traceable:stack': 'traffic-mirroring' } }]);
  });
});

describe('values of any size, depth or number range are shown briefly', () => {
  test('a 100,000-deep array under Tags', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(problemsOf({ ...BASE_CONFIG, Tags: deep })).toEqual([`Tags: got [[[[…]]]]; expected ${TAGS_ALLOWED}`]);
  });

  test('a 10 MB value is cut, with its length', () => {
    expect(problemsOf({ ...BASE_CONFIG, TraceableServiceName: 'x'.repeat(10_000_000) })).toEqual([
      `TraceableServiceName: got "${'x'.repeat(120)}…" (10000000 characters); expected 1 to 128 letters, digits, spaces and ._:/@+=,-`,
    ]);
  });

  test('a string longer than a configuration file may be is refused by its length: no pattern runs over it', () => {
    // Prepare: every RegExp test or exec over a subject longer than the file limit is recorded.
    const long = 'x'.repeat(MAX_CONFIG_FILE_BYTES + 1);
    const { test: originalTest, exec: originalExec } = RegExp.prototype;
    const scanned: string[] = [];
    const recorded = (subject: unknown, pattern: RegExp) => {
      if (typeof subject === 'string' && subject.length > MAX_CONFIG_FILE_BYTES) scanned.push(String(pattern));
    };
    jest.spyOn(RegExp.prototype, 'test').mockImplementation(function (this: RegExp, subject: string) {
      recorded(subject, this);
      return originalTest.call(this, subject);
    });
    jest.spyOn(RegExp.prototype, 'exec').mockImplementation(function (this: RegExp, subject: string) {
      recorded(subject, this);
      return originalExec.call(this, subject);
    });

    // Act
    let problems: readonly string[];
    try {
      problems = problemsOf({ ...BASE_CONFIG, TraceableServiceName: long, Tags: { team: long } });
    } finally {
      jest.restoreAllMocks();
    }

    // Assess
    expect(scanned).toEqual([]);
    expect(problems).toEqual([
      `Tags: got {…}; expected ${TAGS_ALLOWED}`,
      `TraceableServiceName: got "${'x'.repeat(120)}…" (${MAX_CONFIG_FILE_BYTES + 1} characters); expected 1 to 128 letters, digits, spaces and ._:/@+=,-`,
    ]);
  });

  test('a huge key inside an object value is elided, not echoed', () => {
    expect(problemsOf({ ...BASE_CONFIG, Tags: { team: 'a', [`\${${'k'.repeat(1_000_000)}}`]: 'b' } })).toEqual([
      'Tags: got {"team":"a",…}; expected no ${ or %{ anywhere (Terraform would read it as an expression)',
    ]);
  });

  test('1e400 shows as the Infinity it parses to, not null', () => {
    expect(problemsOf(JSON.parse(`{${BASE_JSON}, "AutoscalingMaxSize": 1e400}`))).toEqual(['AutoscalingMaxSize: got Infinity; expected a whole number from 1 to 1000']);
  });

  test('a tag whose value is not a string names the tag', () => {
    expect(problemsOf({ ...BASE_CONFIG, Tags: { a: 1 } })).toEqual(['Tags: got 1 for the key "a"; expected a tag value of up to 256 letters, digits, spaces and _ . : / = + - @']);
  });

  test('more than 50 problems: the message lists 50 and counts the rest', () => {
    const input: Record<string, unknown> = { ...BASE_CONFIG };
    for (let i = 0; i < 60; i++) input[`Unknown${i}`] = i;
    let message = '';
    try {
      parseConfig(input, 'many.json');
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toBe('Invalid configuration many.json: 60 problems');
    expect(lines).toHaveLength(52);
    expect(lines[50]).toBe(`  - Unknown49: unknown parameter; ${ALLOWED}`);
    expect(lines[51]).toBe('  - … and 10 more');
  });

  test('look-alike and zero-width keys show their odd characters', () => {
    expect(problemsOf({ ...BASE_CONFIG, 'Regi\u043en': 'eu-west-1', 'Region\u200b': 'eu-west-1' })).toEqual([
      `"Regi\\u043en": unknown parameter (did you mean Region?); ${ALLOWED}`,
      `"Region\\u200b": unknown parameter (did you mean Region?); ${ALLOWED}`,
    ]);
  });
});

describe('Traceable names follow the bootstrap rule (one pattern, exported by bootstrap/index.ts)', () => {
  test.each([
    ["checkout's api", 'TraceableServiceName: got "checkout\'s api"; expected 1 to 128 letters, digits, spaces and ._:/@+=,-'],
    ['a$(reboot)', 'TraceableServiceName: got "a$(reboot)"; expected 1 to 128 letters, digits, spaces and ._:/@+=,-'],
    ['caf\u00e9', 'TraceableServiceName: got "caf\\u00e9"; expected 1 to 128 letters, digits, spaces and ._:/@+=,-'],
  ])('%s', (name, expected) => {
    expect(problemsOf({ ...BASE_CONFIG, TraceableServiceName: name })).toEqual([expected]);
  });

  test('a Terraform template sequence is refused in any value', () => {
    expect(problemsOf({ ...BASE_CONFIG, TraceableEnvironment: 'prod-${var.x}', KeyName: '%{ if true }x%{ endif }' })).toEqual([
      'KeyName: got "%{ if true }x%{ endif }"; expected no ${ or %{ anywhere (Terraform would read it as an expression)',
      'TraceableEnvironment: got "prod-${var.x}"; expected no ${ or %{ anywhere (Terraform would read it as an expression)',
    ]);
  });

  test('a name the schema accepts is accepted by the bootstrap too', () => {
    const name = 'checkout api:v2/@team+1=x,y-z.';
    const config = configOf({ TraceableServiceName: name, TraceableEnvironment: name });
    const env = bootstrapEnvironment(bootstrapPropsOf(config));
    expect([env.TRACEABLE_SERVICE_NAME, env.TRACEABLE_ENVIRONMENT]).toEqual([name, name]);
  });

  test('invalid UTF-8 in a file is refused with the byte offset, naming the file', () => {
    const bytes = Buffer.concat([Buffer.from('{"TraceableServiceName": "ab'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const { path, message } = fileProblems(bytes);
    expect(message).toBe(
      `Invalid configuration ${path}: 1 problem\n  - cannot read the configuration: not valid UTF-8 (first invalid byte at offset 28); expected a UTF-8 (or UTF-16 with a byte order mark) JSON file`,
    );
  });
});

describe('files that are not plain UTF-8 JSON', () => {
  test('a FIFO is refused without blocking', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hostile-')), 'fifo.json');
    execFileSync('mkfifo', [path]);
    expect(() => loadConfig(path)).toThrow(new ConfigError(path, ['cannot read the configuration: a FIFO (named pipe); expected a regular JSON file']));
  });

  test('a device is refused without reading it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hostile-')), 'zero.json');
    symlinkSync('/dev/zero', path);
    expect(() => loadConfig(path)).toThrow(new ConfigError(path, ['cannot read the configuration: a character device; expected a regular JSON file']));
  });

  test('a file over 1 MiB is refused', () => {
    const { path, message } = fileProblems(`{${BASE_JSON}, "KeyName": "${'k'.repeat(1024 * 1024)}"}`);
    expect(message).toBe(`Invalid configuration ${path}: 1 problem\n  - cannot read the configuration: the file has ${1024 * 1024 + BASE_JSON.length + 17} bytes; expected at most 1048576 (a configuration is a few KB)`);
  });

  test('UTF-8 with a byte order mark and UTF-16 with one are read', () => {
    const json = JSON.stringify({ ...BASE_CONFIG, TraceableServiceName: 'checkout api' });
    const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
    writeFileSync(join(dir, 'bom.json'), `\ufeff${json}`);
    writeFileSync(join(dir, 'utf16le.json'), Buffer.from(`\ufeff${json}`, 'utf16le'));
    writeFileSync(join(dir, 'utf16be.json'), Buffer.from(`\ufeff${json}`, 'utf16le').swap16());
    for (const name of ['bom.json', 'utf16le.json', 'utf16be.json']) expect(loadConfig(join(dir, name)).config.TraceableServiceName).toBe('checkout api');
  });

  test('UTF-16 without a byte order mark is refused by its NUL characters', () => {
    const { path, message } = fileProblems(Buffer.from(JSON.stringify(BASE_CONFIG), 'utf16le'));
    expect(message).toBe(`Invalid configuration ${path}: 1 problem\n  - cannot read the configuration: contains a NUL character at character 1 (UTF-16 without a byte order mark?); expected a UTF-8 JSON file`);
  });

  test('a key given twice in the file is refused, naming the key and the file', () => {
    const { path, message } = fileProblems(`{${BASE_JSON}, "Region": "us-east-1", "Tags": {"team": "a", "t\\u0065am": "b"}}`);
    expect(message).toBe(
      `Invalid configuration ${path}: 2 problems\n` +
        '  - Region: given twice in the file; expected each key once (JSON would silently keep the last value)\n' +
        '  - Tags.team: given twice in the file; expected each key once (JSON would silently keep the last value)',
    );
  });
});

test('a key given twice in a JSON string value (as CloudFormation passes Tags) is refused too', () => {
  expect(problemsOf({ ...BASE_CONFIG, Tags: '{"team": "a", "team": "b"}', Backend: '{"type": "s3", "bucket": "state-bucket", "type": "local"}' })).toEqual([
    'Tags.team: given twice in the JSON string; expected each key once (JSON would silently keep the last value)',
    'Backend.type: given twice in the JSON string; expected each key once (JSON would silently keep the last value)',
  ]);
});

describe('values Terraform or AWS would refuse later are refused at synth', () => {
  test('a CIDR block with host bits set', () => {
    expect(problemsOf({ ...BASE_CONFIG, MirrorSourceCidrs: '10.1.2.3/8,192.168.1.0/24,172.16.0.1/32,172.16.5.0/16' })).toEqual([
      'MirrorSourceCidrs: got "10.1.2.3/8,192.168.1.0/24,172.16.0.1/32,172.16.5.0/16"; expected a comma-separated list of IPv4 CIDR blocks such as 10.0.0.0/16, each its network address; host bits set: 10.1.2.3/8 (the network is 10.0.0.0/8), 172.16.5.0/16 (the network is 172.16.0.0/16)',
    ]);
  });

  test('a CIDR block given twice, and more blocks than a security group takes (one rule each)', () => {
    expect(problemsOf({ ...BASE_CONFIG, MirrorSourceCidrs: '10.0.0.0/16,10.1.0.0/16,10.0.0.0/16' })).toEqual([
      'MirrorSourceCidrs: got "10.0.0.0/16,10.1.0.0/16,10.0.0.0/16"; expected each CIDR block once; repeated: 10.0.0.0/16',
    ]);
    const blocks = Array.from({ length: 61 }, (_, i) => `10.${i}.0.0/16`);
    expect(problemsOf({ ...BASE_CONFIG, MirrorSourceCidrs: blocks })).toEqual([
      `MirrorSourceCidrs: got ${JSON.stringify(blocks.slice(0, 8)).slice(0, -1)},…]; expected at most 60 CIDR blocks (one security group rule each; AWS allows 60 inbound rules per security group by default); got 61`,
    ]);
    expect(configOf({ MirrorSourceCidrs: blocks.slice(1) }).MirrorSourceCidrs).toHaveLength(60);
  });

  test('tags: count, reserved prefix in any case, characters, keys the stack sets, __proto__', () => {
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    expect(problemsOf({ ...BASE_CONFIG, Tags: many })).toEqual(['Tags: got 49 tags; expected at most 48 (AWS allows 50 per resource and the stack adds Name and traceable:stack)']);
    expect(configOf({ Tags: Object.fromEntries(Object.entries(many).slice(1)) }).Tags).toHaveProperty('k48', 'v');
    expect(problemsOf({ ...BASE_CONFIG, Tags: JSON.parse('{"AWS:owner": "x", "aWs:y": "x", "cost center!": "x", "team": "a;b", "Name": "x", "traceable:stack": "x", "__proto__": "x", "ok": "caf\u00e9 \u65e5\u672c"}') })).toEqual([
      'Tags: got the key "AWS:owner"; expected a key not starting with aws: in any case (AWS reserves the prefix)',
      'Tags: got the key "aWs:y"; expected a key not starting with aws: in any case (AWS reserves the prefix)',
      'Tags: got the key "cost center!"; expected a tag key of 1-127 letters, digits, spaces and _ . : / = + - @',
      'Tags: got "a;b" for the key "team"; expected a tag value of up to 256 letters, digits, spaces and _ . : / = + - @',
      'Tags: got the key "Name"; expected a key other than Name, traceable:stack, traceable:mirroring-stack and traceable:mirroring-source in any case, which the stack sets itself (IAM compares tag keys in conditions ignoring case)',
      'Tags: got the key "traceable:stack"; expected a key other than Name, traceable:stack, traceable:mirroring-stack and traceable:mirroring-source in any case, which the stack sets itself (IAM compares tag keys in conditions ignoring case)',
      'Tags: got the key "__proto__"; expected a key other than __proto__ (JavaScript would drop that tag)',
    ]);
  });

  test('a partial secret ARN (no 6-character suffix)', () => {
    expect(problemsOf({ ...BASE_CONFIG, TraceableRefreshTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token' })).toEqual([
      'TraceableRefreshTokenSecretArn: got "arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token"; expected "" or a complete Secrets Manager secret ARN, ending in the 6 characters AWS appends to the name, such as arn:aws:secretsmanager:us-east-1:123456789012:secret:traceable-AbCdEf',
    ]);
  });

  test('a secret in another region or partition than Region', () => {
    expect(problemsOf({ ...BASE_CONFIG, TraceableRefreshTokenSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:traceable-AbCdEf' })).toEqual([
      'TraceableRefreshTokenSecretArn: got "arn:aws:secretsmanager:us-east-1:123456789012:secret:traceable-AbCdEf"; expected a secret in Region eu-west-1 (arn:aws:secretsmanager:eu-west-1:...), where the hosts read it; replicate the secret there',
    ]);
    expect(problemsOf({ ...BASE_CONFIG, Region: 'cn-north-1', TraceableRefreshTokenSecretArn: 'arn:aws:secretsmanager:cn-north-1:123456789012:secret:traceable-AbCdEf' })).toEqual([
      'TraceableRefreshTokenSecretArn: got "arn:aws:secretsmanager:cn-north-1:123456789012:secret:traceable-AbCdEf"; expected a secret in Region cn-north-1 (arn:aws-cn:secretsmanager:cn-north-1:...), where the hosts read it; replicate the secret there',
    ]);
  });

  test('a region that does not exist; GovCloud and China regions are accepted', () => {
    expect(problemsOf({ ...BASE_CONFIG, Region: 'xx-nowhere-9', Backend: { type: 's3', bucket: 'state-bucket', region: 'eu-nowhere-1' } })).toEqual([
      "Region: got \"xx-nowhere-9\"; expected one of AWS's commercial, GovCloud or China regions, such as us-east-1 (config/regions.ts lists them)",
      "Backend.region: got \"eu-nowhere-1\"; expected one of AWS's commercial, GovCloud or China regions, such as us-east-1 (config/regions.ts lists them)",
    ]);
    expect(configOf({ Region: 'us-gov-west-1' }).Region).toBe('us-gov-west-1');
    expect(configOf({ Region: 'cn-northwest-1', TraceableRefreshTokenSecretArn: 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:t-AbCdEf' }).Region).toBe('cn-northwest-1');
  });

  test('the region list is the installed AWS SDK partitions table (commercial, GovCloud, China)', () => {
    const table = readFileSync(require.resolve('@aws-sdk/core').replace(/dist-cjs[/\\].*$/, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js'), 'utf8');
    const regionsOf = (partition: string) => {
      const block = new RegExp(`"id": "${partition}",[\\s\\S]*?"regions": \\{([\\s\\S]*?)\\n {12}\\}`).exec(table)?.[1] ?? '';
      return [...block.matchAll(/^ {16}"([a-z0-9-]+)": \{/gm)].map((match) => match[1]).filter((name) => !name.startsWith('aws-')).sort();
    };
    expect({ aws: regionsOf('aws'), 'aws-us-gov': regionsOf('aws-us-gov'), 'aws-cn': regionsOf('aws-cn') }).toEqual({
      aws: [...AWS_REGIONS.aws].sort(),
      'aws-us-gov': [...AWS_REGIONS['aws-us-gov']].sort(),
      'aws-cn': [...AWS_REGIONS['aws-cn']].sort(),
    });
  });

  test('StackNames differing only in case collide (IAM names ignore case)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envs-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ ...BASE_CONFIG, StackName: 'Mirror' }));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...BASE_CONFIG, StackName: 'mirror' }));
    expect(() => loadConfigs(dir)).toThrow(
      new ConfigError(dir, [`${join(dir, 'b.json')}: StackName: got "mirror"; expected a name unique among the configurations, ignoring case as IAM does (${join(dir, 'a.json')} uses "Mirror")`]),
    );
  });
});
