/**
 * The public construct in a user's own stack: their provider, their resources, two instances side by side; its props,
 * their documentation, fromConfig, the provider prop and the attributes.
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
import { CONFIG_FIELDS, CONFIG_PROPS, withPropDocs, type PropKey } from '../config';
// As a user imports it: from the package's entry point.
import { ConfigError, TraceableTrafficMirroring, type TraceableTrafficMirroringProps } from '../index';

Testing.setupJest();

/** BASE_CONFIG (the JSON app's keys) as props. */
const PROPS: TraceableTrafficMirroringProps = {
  region: 'eu-west-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  mirrorSourceType: 'LOAD_BALANCER',
  mirrorSources: ['web-alb'],
  traceableEnvironment: 'staging',
  traceableServiceName: 'checkout',
};

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
    new TraceableTrafficMirroring(scope, 'prod', { ...PROPS, stackName: 'shop-prod', tags: { env: 'prod' } });
    new TraceableTrafficMirroring(scope, 'stage', { ...PROPS, stackName: 'shop-stage', mirrorSourceType: 'FARGATE', mirrorSources: [], deployTraceableAgentInEcs: true });
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

  test('each created token secret has its own Terraform variable', () => {
    expect(Object.keys(json.variable).sort()).toEqual([
      'traceable_refresh_token_shop_prod', 'traceable_refresh_token_shop_prod_version', 'traceable_refresh_token_shop_stage', 'traceable_refresh_token_shop_stage_version',
    ]);
    expect(synthesized).toHaveResourceWithProperties(SecretsmanagerSecret, { name: 'shop-prod/traceable-refresh-token' });
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

  test("each prop's JSDoc and @default are the schema's (npm run docs:config writes them)", () => {
    expect(withPropDocs(source)).toBe(source);
  });

  test.each((Object.keys(CONFIG_PROPS) as PropKey[]).map((key) => [CONFIG_PROPS[key], key]))('%s (%s): optional exactly when the key has a default', (prop, key) => {
    const spec: { default?: unknown } = CONFIG_FIELDS[key];
    const match = new RegExp(`\\n  readonly ${prop}(\\??):`).exec(body);
    expect(match?.[1]).toBe(spec.default === undefined ? '' : '?');
  });

  test("invalid props: the configuration parser's problems, naming the props and the construct", () => {
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', { ...PROPS, subnetIds: ['subnet-1'], autoscalingMaxSize: 0, customInstanceType: 'c7i.large' }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 3 problems\n' +
        '  - subnetIds: got ["subnet-1"]; expected a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0\n' +
        '  - autoscalingMaxSize: got 0; expected a whole number from 1 to 1000\n' +
        '  - customInstanceType: got "c7i.large"; expected an instance type with at least 4 vCPU and 8 GiB (size xlarge or larger): "large" has fewer than 4 vCPU',
    );
  });

  test('a rule across props names the props, values keep what was given', () => {
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', { ...PROPS, sameZoneDelivery: true, deployTraceableAgentInEcs: true, tags: { note: 'SameZoneDelivery' } }));
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 1 problem\n' +
        '  - sameZoneDelivery: got true; expected false with deployTraceableAgentInEcs true (one ECS service cannot scale each zone on its own; use the EC2 fleet for same-zone delivery)',
    );
  });

  test("the JSON configuration's names (0.2.x props), Backend and unknown props are refused, each named", () => {
    const legacy = {
      ...PROPS, StackName: 'shop', Backend: { type: 'local' }, stackNmae: 'shop', accountId: '111122223333',
      sourceAccounts: [{ accountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/deploy', mirrorSourceType: 'TARGET_GROUP', mirrorSources: ['web'] }],
    };
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', legacy as unknown as TraceableTrafficMirroringProps));
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 4 problems\n' +
        '  - StackName: got "shop"; expected it as stackName (props are camelCase since 0.3.0; StackName is the JSON configuration\'s name, which TraceableTrafficMirroring.fromConfig takes)\n' +
        '  - Backend: got {"type":"local"}; expected it unset: the construct\'s resources live in the state of the stack you add it to, whose backend you configure on that stack\n' +
        `  - stackNmae: unknown prop (did you mean stackName?); allowed props: provider, ${Object.values(CONFIG_PROPS).join(', ')}\n` +
        '  - sourceAccounts[0].RoleArn: got "arn:aws:iam::222233334444:role/deploy"; expected it as sourceAccounts[0].roleArn (props are camelCase since 0.3.0; RoleArn is the JSON configuration\'s name, which TraceableTrafficMirroring.fromConfig takes)',
    );
  });
});

describe("the user's provider", () => {
  test('in another region than Region: refused at synth', () => {
    const stack = userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', PROPS), 'us-east-1');
    expect(() => Testing.synth(stack, true)).toThrow(
      "[platform/mirroring] the stack's AWS provider has region \"us-east-1\"; expected region \"eu-west-1\", the construct's region (user data and IAM policies name it): new AwsProvider(stack, 'aws', { region: 'eu-west-1' })",
    );
  });

  test('missing: refused at synth, saying what to add', () => {
    const stack = new TerraformStack(new App({ outdir: '/tmp/unused' }), 'bare');
    new TraceableTrafficMirroring(stack, 'mirroring', PROPS);
    expect(() => Testing.synth(stack, true)).toThrow("[bare/mirroring] the stack bare has no AWS provider; add new AwsProvider(stack, 'aws', { region: 'eu-west-1' }), or give the construct its provider");
  });

  test('in Region: its default tags stay its own, ours go on the resources', () => {
    const json = parsed(userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', PROPS)));
    expect(json.provider.aws).toEqual([{ region: 'eu-west-1', default_tags: [{ tags: { owner: 'platform-team' } }] }]);
  });
});
