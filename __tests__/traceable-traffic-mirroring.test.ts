/**
 * The public construct in a user's own stack: their provider, their resources, two instances side by side.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Construct } from 'constructs';
import { CONFIG_FIELDS, type ConfigKey } from '../config';
// As a user imports it: from the package's entry point.
import { ConfigError, TraceableTrafficMirroring, type TraceableTrafficMirroringProps } from '../index';
import { BASE_CONFIG } from './helpers/base-config';

Testing.setupJest();

const PROPS: TraceableTrafficMirroringProps = { ...BASE_CONFIG, SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] };

/** A user's stack: their provider (with their own default tags), their bucket, and what `add` puts in. */
function userStack(add: (stack: TerraformStack) => void, region = 'eu-west-1'): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'platform');
  new AwsProvider(stack, 'aws', { region, defaultTags: [{ tags: { owner: 'platform-team' } }] });
  new S3Bucket(stack, 'logs', { bucket: 'platform-logs' });
  add(stack);
  return stack;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const parsed = (stack: TerraformStack): any => JSON.parse(Testing.synth(stack, true));

describe('two environments in one stack', () => {
  const stack = userStack((scope) => {
    new TraceableTrafficMirroring(scope, 'prod', { ...PROPS, StackName: 'shop-prod', Tags: { env: 'prod' } });
    new TraceableTrafficMirroring(scope, 'stage', { ...PROPS, StackName: 'shop-stage', MirrorSourceType: 'FARGATE', MirrorSource: '', DeployTraceableAgentInECS: true });
  });
  const synthesized = Testing.synth(stack, true);
  const json = JSON.parse(synthesized);

  test("synthesizes next to the user's own resources, with one address and one AWS name per resource", () => {
    expect(synthesized).toHaveResourceWithProperties(S3Bucket, { bucket: 'platform-logs' });
    expect(synthesized).toHaveResourceWithProperties(Lb, { name: 'shop-prod-nlb' });
    expect(synthesized).toHaveResourceWithProperties(Lb, { name: 'shop-stage-nlb' });
    // (An inline role policy's name is its role's business.)
    const named = Object.entries(json.resource as Record<string, Record<string, { name?: unknown }>>).filter(([type]) => type !== 'aws_iam_role_policy').flatMap(([type, byAddress]) =>
      Object.values(byAddress).filter((item) => typeof item.name === 'string').map((item) => `${type} ${item.name}`),
    );
    expect(named.length).toBeGreaterThan(40);
    expect(new Set(named).size).toBe(named.length);
    // cdktf's default addresses: unique per instance.
    expect(Object.keys(json.resource.aws_lb).sort()).toEqual([expect.stringMatching(/^prod_mirror_nlb_[0-9A-F]{8}$/), expect.stringMatching(/^stage_mirror_nlb_[0-9A-F]{8}$/)]);
  });

  test("each created token secret has no Terraform variable; each instance forgets its own 0.2.0 secret version", () => {
    expect(json.variable).toBeUndefined();
    expect(synthesized).toHaveResourceWithProperties(SecretsmanagerSecret, { name: 'shop-prod/traceable-refresh-token' });
    // 0.2.0 made the version at <instance>/token/value: the same construct path gives the same cdktf address.
    const oldVersionAddress = (instance: string) => {
      const old = new TerraformStack(Testing.app(), 'platform');
      new AwsProvider(old, 'aws', { region: 'eu-west-1' });
      new SecretsmanagerSecretVersion(new Construct(new Construct(old, instance), 'token'), 'value', { secretId: 'x', secretString: 'x' });
      return `aws_secretsmanager_secret_version.${Object.keys(parsed(old).resource.aws_secretsmanager_secret_version)[0]}`;
    };
    expect(json.removed).toEqual([
      { from: oldVersionAddress('prod'), lifecycle: { destroy: false } },
      { from: oldVersionAddress('stage'), lifecycle: { destroy: false } },
    ]);
    expect(oldVersionAddress('prod')).toMatch(/^aws_secretsmanager_secret_version\.prod_token_value_[0-9A-F]{8}$/);
  });

  test("every taggable resource carries traceable:stack and the configured Tags (the user's provider does not)", () => {
    const tagged = Object.entries(json.resource as Record<string, Record<string, { tags?: Record<string, string> }>>).flatMap(([type, byAddress]) =>
      Object.entries(byAddress).filter(([, item]) => item.tags !== undefined).map(([address, item]) => ({ type, address, tags: item.tags! })),
    );
    const ofInstance = (prefix: string) => tagged.filter(({ address }) => address.startsWith(prefix));
    expect(ofInstance('prod_').length).toBeGreaterThan(20);
    for (const { tags } of ofInstance('prod_')) expect(tags).toMatchObject({ 'traceable:stack': 'shop-prod', env: 'prod' });
    for (const { tags } of ofInstance('stage_')) expect(tags['traceable:stack']).toBe('shop-stage');
    // Our tags go where the provider's default_tags would go, and a resource's own tags win.
    expect(synthesized).toHaveResourceWithProperties(SecurityGroup, { name: 'shop-prod-nlb', tags: { Name: 'shop-prod-nlb', env: 'prod', 'traceable:stack': 'shop-prod' } });
    expect(tagged.map(({ type }) => type)).toEqual(expect.arrayContaining(['aws_iam_role', 'aws_lambda_function', 'aws_security_group', 'aws_launch_template', 'aws_ecs_cluster', 'aws_route53_zone']));
    // The user's own resources are theirs to tag.
    expect(json.resource.aws_s3_bucket.logs.tags).toBeUndefined();
    expect(synthesized).not.toHaveResourceWithProperties(IamRolePolicy, { tags: expect.anything() });
  });
});

describe('props', () => {
  const source = readFileSync(join(__dirname, '..', 'modules', 'traceable-traffic-mirroring.ts'), 'utf8');
  const body = source.slice(source.indexOf('export interface TraceableTrafficMirroringProps'), source.indexOf('\n}\n', source.indexOf('export interface TraceableTrafficMirroringProps')));
  const keys = (Object.keys(CONFIG_FIELDS) as ConfigKey[]).filter((key) => key !== 'Backend');

  test.each(keys.map((key) => [key]))('%s: documented as the schema documents it, optional exactly when it has a default', (key) => {
    const spec: { doc: string; default?: unknown } = CONFIG_FIELDS[key];
    const match = new RegExp(`/\\*\\*\\n   \\* (.*)\\n(?:   \\* @default (.*)\\n)?   \\*/\\n  readonly ${key}(\\??):`).exec(body);
    expect(match).not.toBeNull();
    const [, doc, fallback, optional] = match!;
    expect(doc).toBe(spec.doc);
    expect(fallback).toBe(spec.default === undefined ? undefined : JSON.stringify(spec.default));
    expect(optional).toBe(spec.default === undefined ? '' : '?');
  });

  test('invalid props: the configuration parser\'s problems, named after the construct', () => {
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', { ...PROPS, SubnetIds: 'subnet-1', AutoscalingMaxSize: 0 }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 2 problems\n' +
        '  - SubnetIds: got "subnet-1"; expected a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0\n' +
        '  - AutoscalingMaxSize: got 0; expected a whole number from 1 to 1000',
    );
  });

  test('Backend is refused: the stack the construct is added to has its own', () => {
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', { ...PROPS, Backend: { type: 'local' } } as TraceableTrafficMirroringProps));
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 1 problem\n' +
        '  - Backend: got {"type":"local"}; expected it unset: the construct\'s resources live in the state of the stack you add it to, whose backend you configure on that stack',
    );
  });
});

describe("the user's provider", () => {
  test('in another region than Region: refused at synth', () => {
    const stack = userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', PROPS), 'us-east-1');
    expect(() => Testing.synth(stack, true)).toThrow(
      "[platform/mirroring] the stack's AWS provider has region \"us-east-1\"; expected region \"eu-west-1\", the construct's Region (user data and IAM policies name it): new AwsProvider(stack, 'aws', { region: 'eu-west-1' })",
    );
  });

  test('missing: refused at synth, saying what to add', () => {
    const stack = new TerraformStack(new App({ outdir: '/tmp/unused' }), 'bare');
    new TraceableTrafficMirroring(stack, 'mirroring', PROPS);
    expect(() => Testing.synth(stack, true)).toThrow("[bare/mirroring] the stack bare has no AWS provider; add new AwsProvider(stack, 'aws', { region: 'eu-west-1' })");
  });

  test('in Region: its default tags stay its own, ours go on the resources', () => {
    const json = parsed(userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', PROPS)));
    expect(json.provider.aws).toEqual([{ region: 'eu-west-1', default_tags: [{ tags: { owner: 'platform-team' } }] }]);
  });
});
