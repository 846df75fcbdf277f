/**
 * What AWS will refuse is refused at synth, naming the key and the rule: every name derived from StackName against its
 * service's rules (not only its length), tag keys unique ignoring case (the stack's own included), every list bounded,
 * and validation linear in the size of what it is given. Exact messages throughout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, show, sourceStackName } from '../config';
import { brokenDerivedNames, derivedNames, NAME_RULES } from '../shared';
import { BASE_CONFIG, configOf, synthConfig, type TerraformJson } from './helpers/synth';

jest.setTimeout(120_000);

function problemsOf(overrides: Record<string, unknown>): readonly string[] {
  try {
    parseConfig({ ...BASE_CONFIG, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`configuration was accepted: ${JSON.stringify(overrides).slice(0, 200)}`);
}

const NAMES_EXPECTED = 'expected a name from which AWS accepts every name the stack derives';
const hex17 = (i: number) => i.toString(16).padStart(17, '0');

describe('StackName: every derived name is checked against its service\'s rules', () => {
  test.each([
    // The StackName itself is fine; the security group name `sg-nlb` is not.
    ['sg', `the load balancer's security group name "sg-nlb" may not begin with sg- in any case (EC2 reserves the prefix for security group IDs)`],
    ['sg-shop', `the load balancer's security group name "sg-shop-nlb" may not begin with sg- in any case (EC2 reserves the prefix for security group IDs)`],
    ['SG-shop', `the load balancer's security group name "SG-shop-nlb" may not begin with sg- in any case (EC2 reserves the prefix for security group IDs)`],
    ['xn--shop', `the bootstrap bucket's name prefix "xn--shop-bootstrap-" may not begin with xn-- (Amazon S3 reserves the prefix)`],
    // The StackName itself is fine; the bucket name `sthree-bootstrap-<26 digits>` is not.
    ['Sthree', `the bootstrap bucket's name prefix "sthree-bootstrap-" may not begin with sthree- (Amazon S3 reserves the prefix)`],
    ['amzn-s3-demo-logs', `the bootstrap bucket's name prefix "amzn-s3-demo-logs-bootstrap-" may not begin with amzn-s3-demo- (Amazon S3 reserves the prefix)`],
    // `internal-` names get `nlb-` in front, which would end in a hyphen here.
    ['internal-', 'the load balancer name "nlb-internal-" may not begin or end with a hyphen (Elastic Load Balancing)'],
  ])('%s is refused, naming the derived name and the rule', (stackName, broken) => {
    expect(problemsOf({ StackName: stackName })).toEqual([`StackName: got ${JSON.stringify(stackName)}; ${NAMES_EXPECTED}: ${broken}`]);
  });

  test('names near the reserved ones are accepted, and a 128-character name and the shortest names too', () => {
    for (const name of ['sgx', 'sgx-shop', 'xn-shop', 'sthreex', 'amzn-s3-dem', 'Internal-api', 'aws-shop', 'ecs', 'fargate', 'Z-', 'a', `T${'x'.repeat(127)}`]) {
      expect(configOf({ StackName: name }).StackName).toBe(name);
    }
  });

  test('every derived name of an accepted StackName, and of each of its source stacks, keeps every rule of its kind', () => {
    const accepted = ['sg', 'Sgx', 'xn', 'xn-a', 'sthree', 'amzn-s3-demo', 'internal', 'Internal-x', 'aws', 'Z-', 'a--b', `T${'x'.repeat(127)}`, `sg${'-'.repeat(126)}`]
      .filter((name) => brokenDerivedNames(name).length === 0);
    expect(accepted).toEqual(['Sgx', 'xn', 'xn-a', 'internal', 'Internal-x', 'aws', 'Z-', 'a--b', `T${'x'.repeat(127)}`]);
    for (const name of accepted) {
      for (const account of ['000000000000', '222233334444']) expect(brokenDerivedNames(sourceStackName(name, account), ['subnet-0123456789abcdef0'], true)).toEqual([]);
    }
    // `sthree` and `amzn-s3-demo` are refused for their bucket; `sg` and `sg------…` for their security groups.
    expect(brokenDerivedNames(`sg${'-'.repeat(126)}`).map(({ what }) => what)).toEqual(["the load balancer's security group name", "the agents' security group name"]);
  });

  test('a source account gets its stack name checked too, and an accepted one deploys', () => {
    const source = { AccountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/deploy', MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web' };
    expect(configOf({ StackName: 'xn', AccountId: '111122223333', SourceAccounts: [source] }).SourceAccounts.map((a) => a.AccountId)).toEqual(['222233334444']);
  });

  test.each([
    ['EC2 fleet per zone', { SameZoneDelivery: true }],
    ['ECS fleet', { MirrorSourceType: 'ECS_CLUSTER', MirrorSource: 'shop', DeployTraceableAgentInECS: true }],
    ['FARGATE sources', { MirrorSourceType: 'FARGATE', MirrorSource: '' }],
  ])('%s: every name the synthesized stack derives from StackName is one of derivedNames, so none escapes the rules', (_mode, overrides) => {
    const stackName = 'Zq-';
    const config = configOf({ ...overrides, StackName: stackName });
    const known = new Set(derivedNames(stackName, config.SubnetIds, config.SameZoneDelivery).map(({ name }) => name));
    const synthesized = stackNamesOf(synthConfig({ ...overrides, StackName: stackName }).json, stackName);
    expect(synthesized.length).toBeGreaterThan(15);
    expect(synthesized.filter(({ value }) => !known.has(value))).toEqual([]);
  });

  test('every kind of name has its length rule, and the rules are those of AWS (spot checks)', () => {
    for (const [kind, rules] of Object.entries(NAME_RULES)) expect([kind, rules[0].rule]).toEqual([kind, expect.stringMatching(/^may have at most \d+ characters$/)]);
    const ruleOf = (kind: keyof typeof NAME_RULES, name: string) => NAME_RULES[kind].find(({ breaks }) => breaks(name))?.rule;
    expect(ruleOf('targetGroup', 'web-')).toBe('may not begin or end with a hyphen (Elastic Load Balancing)');
    expect(ruleOf('iamRole', 'a b')).toBe('may hold only letters, digits and _+=,.@- (IAM)');
    expect(ruleOf('s3BucketPrefix', 'Shop-')).toBe('may hold only lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit (Amazon S3)');
    expect(ruleOf('s3BucketPrefix', 'a..b-')).toBe('may not hold two adjacent dots (Amazon S3)');
    expect(ruleOf('ecsCapacityProvider', 'ECS-x')).toBe('may not begin with ecs in any case (Amazon ECS reserves the prefix)');
    expect(ruleOf('launchTemplate', 'ab')).toBe('may hold only 3 or more letters, digits and ()./_- (Amazon EC2)');
    expect(ruleOf('logGroup', '/a b')).toBe('may hold only letters, digits and ._-/# (CloudWatch Logs)');
    expect(ruleOf('secret', 'a b')).toBe('may hold only ASCII letters, digits and /_+=.@- (Secrets Manager)');
    expect(ruleOf('securityGroup', 'web%')).toBe('may hold only letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* (Amazon EC2)');
  });
});

/** Every literal name attribute of the synthesized stack that holds the StackName (or its lowercase bucket prefix). */
function stackNamesOf(json: TerraformJson, stackName: string): { at: string; value: string }[] {
  const found: { at: string; value: string }[] = [];
  for (const [type, byName] of Object.entries(json.resource)) {
    for (const [address, settings] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
      for (const [key, value] of Object.entries(settings)) {
        if (/(^|_)(name|bucket_prefix|family|display_name)$/.test(key) && typeof value === 'string' && value.toLowerCase().includes(stackName.toLowerCase())) {
          found.push({ at: `${type}.${address}.${key}`, value });
        }
      }
    }
  }
  return found;
}

describe('Tags: keys unique ignoring case, the stack\'s own included', () => {
  const OWN = 'expected a key other than Name, traceable:stack, traceable:mirroring-stack and traceable:mirroring-source in any case, which the stack sets itself (IAM compares tag keys in conditions ignoring case)';

  test('the stack\'s own keys in another case, and a key given twice ignoring case', () => {
    expect(problemsOf({ Tags: { 'Traceable:Stack': 'x', NAME: 'y', 'traceable:Mirroring-Stack': 'z', 'TRACEABLE:MIRRORING-SOURCE': 'w', Team: 'a', team: 'b', TEAM: 'c' } })).toEqual([
      `Tags: got the key "Traceable:Stack"; ${OWN}`,
      `Tags: got the key "NAME"; ${OWN}`,
      `Tags: got the key "traceable:Mirroring-Stack"; ${OWN}`,
      `Tags: got the key "TRACEABLE:MIRRORING-SOURCE"; ${OWN}`,
      'Tags: got the key "team"; expected each key once ignoring case (also given as "Team"; IAM compares tag keys in conditions ignoring case)',
      'Tags: got the key "TEAM"; expected each key once ignoring case (also given as "Team"; IAM compares tag keys in conditions ignoring case)',
    ]);
  });

  test('keys that differ in more than case are accepted', () => {
    expect(configOf({ Tags: { Team: 'a', 'team-b': 'b', 'traceable:stack-owner': 'c', Names: 'd' } }).Tags).toEqual({ Team: 'a', 'team-b': 'b', 'traceable:stack-owner': 'c', Names: 'd' });
  });
});

describe('every list is bounded, each bound with its reason', () => {
  const subnets = (n: number) => Array.from({ length: n }, (_, i) => `subnet-${hex17(i)}`);
  const vpcs = (n: number) => Array.from({ length: n }, (_, i) => `vpc-${hex17(i)}`);

  test('SubnetIds: 6 (one per zone; no region has more), also with SameZoneDelivery', () => {
    expect(configOf({ SubnetIds: subnets(6), SameZoneDelivery: true }).SubnetIds).toHaveLength(6);
    expect(problemsOf({ SubnetIds: subnets(7).join(',') })).toEqual([
      `SubnetIds: got "${subnets(7).join(',').slice(0, 120)}…" (174 characters); expected at most 6 subnet IDs: the load balancer takes one subnet per Availability Zone, and no AWS region has more than 6 zones; got 7`,
    ]);
  });

  test('MirrorSource: 300 (the most this tool plans and tests)', () => {
    const names = Array.from({ length: 301 }, (_, i) => `web-${i}`);
    expect(configOf({ MirrorSource: names.slice(1) }).MirrorSource).toHaveLength(300);
    expect(problemsOf({ MirrorSource: names })).toEqual([
      `MirrorSource: got ${show(names)}; expected at most 300 sources (the most this tool plans and tests; the session Lambda looks each one up at every run); got 301`,
    ]);
  });

  test('MirrorSourceVpcId: 50, whose IDs fit the session Lambda\'s 4 KB environment with every other variable at its longest', () => {
    const overrides = { StackName: `T${'x'.repeat(127)}`, MirrorSourceType: 'LOAD_BALANCER_TAGS', MirrorSource: 'Mirror=True', MirrorSourceVpcId: vpcs(50) };
    const functions = Object.values(synthConfig(overrides).json.resource.aws_lambda_function as Record<string, { environment: { variables: Record<string, string> } }>);
    expect(functions).toHaveLength(2);
    for (const { environment } of functions) {
      // A reference (queue URL, target and filter IDs) is counted as 256 characters; the source stacks' names are 13 longer.
      const bytes = Object.entries(environment.variables).reduce((sum, [key, value]) => sum + key.length + value.replace(/\$\{[^}]*\}/g, 'x'.repeat(256)).length, 13);
      expect(bytes).toBeLessThan(4096);
      expect(bytes).toBeGreaterThan(1500);
    }
    expect(problemsOf({ MirrorSourceType: 'LOAD_BALANCER_TAGS', MirrorSource: 'Mirror=True', MirrorSourceVpcId: vpcs(51) })).toEqual([
      `MirrorSourceVpcId: got ${show(vpcs(51))}; expected at most 50 VPC IDs (they travel in the session Lambda's environment, which Lambda limits to 4 KB in all); got 51`,
    ]);
  });

  test('SourceAccounts: 100 (each a stack of its own)', () => {
    const accounts = Array.from({ length: 101 }, (_, i) => ({ AccountId: String(200000000000 + i), RoleArn: `arn:aws:iam::${200000000000 + i}:role/deploy`, MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web' }));
    expect(configOf({ AccountId: '111122223333', SourceAccounts: accounts.slice(1) }).SourceAccounts).toHaveLength(100);
    expect(problemsOf({ AccountId: '111122223333', SourceAccounts: accounts })).toEqual([
      `SourceAccounts: got ${show(accounts)}; expected at most 100 source accounts (each is a stack of its own, planned and applied one by one); got 101`,
    ]);
  });
});

/**
 * The problems a configuration error lists, and the CPU time (this process's user and system time, not the clock: on a
 * loaded machine the clock also counts the time other processes had the core, and a 10x ratio read from it came out 68x).
 */
function problemsAndCpuTime(validate: () => unknown): { ms: number; problems: readonly string[] } {
  const start = process.cpuUsage();
  let problems: readonly string[] = [];
  try {
    validate();
  } catch (error) {
    problems = (error as ConfigError).problems;
  }
  const { user, system } = process.cpuUsage(start);
  return { ms: (user + system) / 1e3, problems };
}

describe('validation is linear in the size of what it is given', () => {
  /** A hostile configuration: n subnets (with SameZoneDelivery), n tags, n sources, VPCs, CIDR blocks, ports, accounts. */
  const hostile = (n: number) => {
    const items = Array.from({ length: n }, (_, i) => hex17(i));
    return {
      SubnetIds: items.map((id) => `subnet-${id}`),
      SameZoneDelivery: true,
      Tags: Object.fromEntries(items.map((id) => [`k${id}`, 'v'])),
      MirrorSource: items.map((id) => `web-${id}`),
      MirrorSourceVpcId: items.map((id) => `vpc-${id}`),
      MirrorSourceCidrs: items.map((_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`),
      MirrorTcpPorts: items.map((_, i) => String((i % 65535) + 1)),
      AccountId: '111122223333',
      SourceAccounts: items.map(() => ({})),
    };
  };
  const timeOf = (n: number) => {
    const input = { ...BASE_CONFIG, ...hostile(n) };
    return problemsAndCpuTime(() => parseConfig(input));
  };

  test('100,000 of everything: one problem per list, naming its bound; ten times the input takes about ten times as long', () => {
    const given = hostile(100_000);
    expect(timeOf(100_000).problems).toEqual([
      'Tags: got 100000 tags; expected at most 48 (AWS allows 50 per resource and the stack adds Name and traceable:stack)',
      `MirrorSource: got ${show(given.MirrorSource)}; expected at most 300 sources (the most this tool plans and tests; the session Lambda looks each one up at every run); got 100000`,
      `MirrorSourceVpcId: got ${show(given.MirrorSourceVpcId)}; expected at most 50 VPC IDs (they travel in the session Lambda's environment, which Lambda limits to 4 KB in all); got 100000`,
      `MirrorSourceCidrs: got ${show(given.MirrorSourceCidrs)}; expected at most 60 CIDR blocks (one security group rule each; AWS allows 60 inbound rules per security group by default); got 100000`,
      `SubnetIds: got ${show(given.SubnetIds)}; expected at most 6 subnet IDs: the load balancer takes one subnet per Availability Zone, and no AWS region has more than 6 zones; got 100000`,
      `SourceAccounts: got ${show(given.SourceAccounts)}; expected at most 100 source accounts (each is a stack of its own, planned and applied one by one); got 100000`,
      `MirrorTcpPorts: got ${show(given.MirrorTcpPorts)}; expected at most 10 ports or ranges (AWS allows 10 traffic mirror filter rules per direction and each entry takes one); 100000 given: merge neighbours into ranges such as 8000-8099`,
    ]);
    // Compare 2,000 with 20,000 (warmed up, best of three each): linear gives about 10x, quadratic about 100x.
    timeOf(2_000);
    const best = (n: number) => Math.min(...[0, 1, 2].map(() => timeOf(n).ms));
    const [small, large] = [best(2_000), best(20_000)];
    expect(large / small).toBeLessThan(50);
  });

  test('a key repeated 10,000 times 10,000 objects deep: each duplicate named by the ends of its path, in linear time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deep-duplicates-'));
    const load = (n: number) => {
      const path = join(dir, `${n}.json`);
      writeFileSync(path, `${'{"a":'.repeat(n)}{${Array.from({ length: n }, () => '"x":1').join(',')}}${'}'.repeat(n)}`);
      return problemsAndCpuTime(() => loadConfig(path));
    };
    const { problems } = load(10_000);
    expect(problems).toHaveLength(9_999);
    expect(new Set(problems)).toEqual(new Set(['a.a.a.a.(9992 more).a.a.a.a.x: given twice in the file; expected each key once (JSON would silently keep the last value)']));
    // Each duplicate used to copy and show its whole path: 10,000 x 10,000 took 79 s. Compare 2,000 with 20,000 (warmed
    // up, best of three each): linear gives about 10x (JSON.parse of deep nesting a little more), quadratic about 100x.
    load(2_000);
    const best = (n: number) => Math.min(...[0, 1, 2].map(() => load(n).ms));
    expect(best(20_000) / best(2_000)).toBeLessThan(50);
  });
});
