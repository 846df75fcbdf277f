import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigs, parseConfig } from '../config';
import { BASE_CONFIG } from './helpers/synth';

const COLLECTOR = '111122223333';
const roleIn = (account: string) => `arn:aws:iam::${account}:role/traffic-mirroring-deploy`;
const SOURCE_A = { AccountId: '222233334444', RoleArn: roleIn('222233334444'), MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web' };
const SOURCE_B = { AccountId: '333344445555', RoleArn: roleIn('333344445555'), Region: 'eu-west-1', MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: ['Mirror=True'], MirrorSourceVpcId: 'vpc-0123456789abcdef9' };

function problemsOf(overrides: Record<string, unknown>): readonly string[] {
  try {
    parseConfig({ ...BASE_CONFIG, AccountId: COLLECTOR, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`configuration was accepted: ${JSON.stringify(overrides)}`);
}

describe('SourceAccounts: accepted', () => {
  test('two source accounts, Region defaulting to the collector\'s, sources as lists', () => {
    // Act
    const { config } = parseConfig({ ...BASE_CONFIG, AccountId: COLLECTOR, SourceAccounts: [SOURCE_A, SOURCE_B] });
    // Assess
    expect(config.SourceAccounts).toEqual([
      { AccountId: '222233334444', RoleArn: roleIn('222233334444'), Region: 'eu-west-1', MirrorSourceType: 'TARGET_GROUP', MirrorSource: ['web'], MirrorSourceVpcId: [], GatewayLoadBalancerEndpoints: [] },
      { AccountId: '333344445555', RoleArn: roleIn('333344445555'), Region: 'eu-west-1', MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: ['Mirror=True'], MirrorSourceVpcId: ['vpc-0123456789abcdef9'], GatewayLoadBalancerEndpoints: [] },
    ]);
    expect(config.ShareMirrorTargetWith).toBe('accounts');
  });

  test('a JSON string (as a CloudFormation parameter) and an organization as the share\'s principal', () => {
    const org = 'arn:aws:organizations::111122223333:organization/o-abcdefghij';
    const { config } = parseConfig({ ...BASE_CONFIG, AccountId: COLLECTOR, SourceAccounts: JSON.stringify([SOURCE_A]), ShareMirrorTargetWith: org, SharedMirrorTargetId: 'tmt-0123456789abcdef0' });
    expect(config.SourceAccounts.map((a) => a.AccountId)).toEqual(['222233334444']);
    expect(config.ShareMirrorTargetWith).toBe(org);
    expect(config.SharedMirrorTargetId).toBe('tmt-0123456789abcdef0');
  });
});

describe('SourceAccounts: refused, each with its exact message', () => {
  test('an account listed twice', () => {
    expect(problemsOf({ SourceAccounts: [SOURCE_A, SOURCE_B, { ...SOURCE_A, MirrorSource: 'api' }] })).toEqual([
      'SourceAccounts[2].AccountId: got "222233334444"; expected each account once (also SourceAccounts[0]): one source stack per account',
    ]);
  });

  test('a source account equal to the collector', () => {
    expect(problemsOf({ SourceAccounts: [{ ...SOURCE_A, AccountId: COLLECTOR, RoleArn: roleIn(COLLECTOR) }] })).toEqual([
      'SourceAccounts[0].AccountId: got "111122223333"; expected an account other than the collector\'s AccountId (mirror the collector\'s own sources with the top-level MirrorSourceType and MirrorSource)',
    ]);
  });

  test('a missing role, and a role of another account', () => {
    const { RoleArn: _omitted, ...withoutRole } = SOURCE_A;
    expect(problemsOf({ SourceAccounts: [withoutRole, { ...SOURCE_B, RoleArn: roleIn('999988887777') }] })).toEqual([
      "SourceAccounts[0].RoleArn: required; expected the ARN of the IAM role the source stack's provider assumes in that account, such as arn:aws:iam::222233334444:role/traffic-mirroring-deploy",
      'SourceAccounts[1].RoleArn: got "arn:aws:iam::999988887777:role/traffic-mirroring-deploy"; expected a role in the source account 333344445555 (the source stack deploys there)',
    ]);
  });

  test('a region different from the collector\'s', () => {
    expect(problemsOf({ SourceAccounts: [{ ...SOURCE_A, Region: 'us-east-1' }] })).toEqual([
      'SourceAccounts[0].Region: got "us-east-1"; expected the collector\'s Region eu-west-1 (RAM shares the mirror target in its own region only, and a session names a target of its region)',
    ]);
  });

  test('MANUAL and FARGATE in a source account, with the reason', () => {
    expect(problemsOf({ SourceAccounts: [{ ...SOURCE_A, MirrorSourceType: 'MANUAL', MirrorSource: '' }, { ...SOURCE_B, MirrorSourceType: 'FARGATE', MirrorSourceVpcId: '' }] })).toEqual([
      'SourceAccounts[0].MirrorSourceType: got "MANUAL"; expected a source type with sessions: LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER and INSTANCE_TAGS (MANUAL creates no sessions, so a source account would have nothing to deploy; send to the collector directly)',
      "SourceAccounts[1].MirrorSourceType: got \"FARGATE\"; expected a source type with sessions: LOAD_BALANCER, LOAD_BALANCER_TAGS, TARGET_GROUP, ECS_CLUSTER and INSTANCE_TAGS (FARGATE's sidecars send to the collector's private Route53 name, which another account's VPC cannot resolve without a cross-account zone association this tool does not make)",
    ]);
  });

  test('the top-level source rules apply inside an account, named by its index', () => {
    expect(problemsOf({ SourceAccounts: [{ ...SOURCE_B, MirrorSourceVpcId: '' }, { ...SOURCE_A, MirrorSourceType: 'ECS_CLUSTER', MirrorSource: 'a,b' }] })).toEqual([
      'SourceAccounts[0].MirrorSourceVpcId: got ""; expected at least one VPC ID with MirrorSourceType INSTANCE_TAGS (the VPCs to search for tagged instances)',
      'SourceAccounts[1].MirrorSource: got "a,b"; expected exactly one ECS cluster name or ARN with MirrorSourceType ECS_CLUSTER',
    ]);
  });

  test('with MirrorTcpPortsFromTargets, every account needs a source type with target ports (its filter derives them)', () => {
    expect(problemsOf({ MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web', MirrorTcpPortsFromTargets: true, SourceAccounts: [SOURCE_A, SOURCE_B] })).toEqual([
      "SourceAccounts[1].MirrorSourceType: got \"INSTANCE_TAGS\"; expected a source type reached through target groups (LOAD_BALANCER, LOAD_BALANCER_TAGS and TARGET_GROUP) with MirrorTcpPortsFromTargets true (each account's filter derives its ports from its own target groups)",
    ]);
  });

  test('unknown keys, a non-object entry, a bad account ID', () => {
    expect(problemsOf({ SourceAccounts: [{ ...SOURCE_A, Role: 'x' }, 'acct', { ...SOURCE_B, AccountId: 333344445555 }] })).toEqual([
      'SourceAccounts[0].Role: unknown key; expected AccountId, RoleArn, Region, MirrorSourceType, MirrorSource, MirrorSourceVpcId and GatewayLoadBalancerEndpoints',
      'SourceAccounts[1]: got "acct"; expected an object with AccountId, RoleArn, Region, MirrorSourceType, MirrorSource, MirrorSourceVpcId and GatewayLoadBalancerEndpoints',
      'SourceAccounts[2].AccountId: got 333344445555; expected a 12-digit AWS account ID such as 222233334444 (as a string)',
    ]);
  });

  test('the collector\'s AccountId is required with SourceAccounts; the sharing keys only mean something with them', () => {
    expect(problemsOf({ AccountId: '', SourceAccounts: [SOURCE_A] })).toEqual([
      "AccountId: required with SourceAccounts; expected the collector's 12-digit account ID (it owns the shared mirror target, and no source account may be it)",
    ]);
    expect(problemsOf({ ShareMirrorTargetWith: 'arn:aws:organizations::111122223333:organization/o-abcdefghij', SharedMirrorTargetId: 'tmt-0123456789abcdef0' })).toEqual([
      'SharedMirrorTargetId: got "tmt-0123456789abcdef0"; expected it unset without SourceAccounts (it applies to the source accounts only)',
      'ShareMirrorTargetWith: got "arn:aws:organizations::111122223333:organization/o-abcdefghij"; expected it unset without SourceAccounts (it applies to the source accounts only)',
    ]);
    expect(problemsOf({ SourceAccounts: [SOURCE_A], ShareMirrorTargetWith: 'everyone' })).toEqual([
      'ShareMirrorTargetWith: got "everyone"; expected "accounts", or the ARN of an organization or organizational unit in AWS Organizations',
    ]);
  });
});

describe('SourceAccounts across configurations', () => {
  test("a source stack named like another configuration's stack is refused", () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'accounts-configs-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ ...BASE_CONFIG, StackName: 'mirroring', AccountId: COLLECTOR, SourceAccounts: [SOURCE_A] }));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...BASE_CONFIG, StackName: 'Mirroring-222233334444' }));
    // Act
    const load = () => loadConfigs(dir);
    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`${join(dir, 'a.json')}: SourceAccounts[0].AccountId: its source stack mirroring-222233334444 has the StackName of ${join(dir, 'b.json')}; expected stack names unique among the configurations, ignoring case as IAM does`);
  });
});
