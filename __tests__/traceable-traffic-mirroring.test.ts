/**
 * The public construct in a user's own stack: their provider, their resources, two instances side by side; its props,
 * their documentation, fromConfig, the provider prop and the attributes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformResource, TerraformStack, Testing } from 'cdktf';
import type { IConstruct } from 'constructs';
import 'cdktf/lib/testing/adapters/jest';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Construct } from 'constructs';
import { CONFIG_FIELDS, CONFIG_PROPS, withPropDocs, type PropKey } from '../config';
// As a user imports it: from the package's entry point.
import { ConfigError, TraceableTrafficMirroring, type TraceableTrafficMirroringProps } from '../index';
import { BASE_CONFIG, BASE_PROPS } from './helpers/base-config';

Testing.setupJest();


/** A user's stack: their provider (with their own default tags), their bucket, and what `add` puts in. */
function userStack(add: (stack: TerraformStack) => void, region = 'eu-west-1'): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'platform');
  new AwsProvider(stack, 'aws', { region, defaultTags: [{ tags: { owner: 'platform-team' } }] });
  new S3Bucket(stack, 'logs', { bucket: 'platform-logs' });
  add(stack);
  return stack;
}

 
const parsed = (stack: TerraformStack): any => JSON.parse(Testing.synth(stack, true));

describe('two environments in one stack', () => {
  const stack = userStack((scope) => {
    new TraceableTrafficMirroring(scope, 'prod', { ...BASE_PROPS, stackName: 'shop-prod', tags: { env: 'prod' } });
    new TraceableTrafficMirroring(scope, 'stage', { ...BASE_PROPS, stackName: 'shop-stage', mirrorSourceType: 'FARGATE', mirrorSources: [], deployTraceableAgentInEcs: true });
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

  test("each prop's JSDoc and @default are the schema's (npm run docs:config writes them)", () => {
    expect(withPropDocs(source)).toBe(source);
  });

  test.each((Object.keys(CONFIG_PROPS) as PropKey[]).map((key) => [CONFIG_PROPS[key], key]))('%s (%s): optional exactly when the key has a default', (prop, key) => {
    const spec: { default?: unknown } = CONFIG_FIELDS[key];
    const match = new RegExp(`\\n  readonly ${prop}(\\??):`).exec(body);
    expect(match?.[1]).toBe(spec.default === undefined ? '' : '?');
  });

  test("invalid props: the configuration parser's problems, naming the props and the construct", () => {
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', { ...BASE_PROPS, subnetIds: ['subnet-1'], autoscalingMaxSize: 0, customInstanceType: 'c7i.large' }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 3 problems\n' +
        '  - subnetIds: got ["subnet-1"]; expected a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0\n' +
        '  - autoscalingMaxSize: got 0; expected a whole number from 1 to 1000\n' +
        '  - customInstanceType: got "c7i.large"; expected an instance type with at least 4 vCPU and 8 GiB (size xlarge or larger): "large" has fewer than 4 vCPU',
    );
  });

  test('a rule across props names the props, values keep what was given', () => {
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', { ...BASE_PROPS, sameZoneDelivery: true, deployTraceableAgentInEcs: true, tags: { note: 'SameZoneDelivery' } }));
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 1 problem\n' +
        '  - sameZoneDelivery: got true; expected false with deployTraceableAgentInEcs true (one ECS service cannot scale each zone on its own; use the EC2 fleet for same-zone delivery)',
    );
  });

  test("a token (another resource's attribute) is refused with what to give instead", () => {
    const build = () => userStack((scope) => {
      const vpc = new Vpc(scope, 'vpc', { cidrBlock: '10.0.0.0/16' });
      new TraceableTrafficMirroring(scope, 'mirroring', { ...BASE_PROPS, vpcId: vpc.id, mirrorSources: [vpc.arn] });
    });
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 2 problems\n' +
        '  - vpcId: got a token (a value Terraform knows only at plan time); expected a literal value: the construct checks it and derives names, user data and policies from it at synth\n' +
        '  - mirrorSources: got a token (a value Terraform knows only at plan time); expected a literal value: the construct checks it and derives names, user data and policies from it at synth',
    );
  });

  test("the JSON configuration's names (0.2.x props), Backend and unknown props are refused, each named", () => {
    const legacy = {
      ...BASE_PROPS, StackName: 'shop', Backend: { type: 'local' }, stackNmae: 'shop', accountId: '111122223333',
      sourceAccounts: [{ accountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/deploy', mirrorSourceType: 'TARGET_GROUP', mirrorSources: ['web'] }],
    };
    const build = () => userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', legacy as unknown as TraceableTrafficMirroringProps));
    expect(build).toThrow(
      'Invalid configuration TraceableTrafficMirroring platform/mirroring: 4 problems\n' +
        '  - StackName: got "shop"; expected it as stackName (props are camelCase since 1.0.0; StackName is the JSON configuration\'s name, which TraceableTrafficMirroring.fromConfig takes)\n' +
        '  - Backend: got {"type":"local"}; expected it unset: the construct\'s resources live in the state of the stack you add it to, whose backend you configure on that stack\n' +
        `  - stackNmae: unknown prop (did you mean stackName?); allowed props: provider, ${Object.values(CONFIG_PROPS).join(', ')}\n` +
        '  - sourceAccounts[0].RoleArn: got "arn:aws:iam::222233334444:role/deploy"; expected it as sourceAccounts[0].roleArn (props are camelCase since 1.0.0; RoleArn is the JSON configuration\'s name, which TraceableTrafficMirroring.fromConfig takes)',
    );
  });
});

describe("the user's provider", () => {
  test('in another region than Region: refused at synth', () => {
    const stack = userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', BASE_PROPS), 'us-east-1');
    expect(() => Testing.synth(stack, true)).toThrow(
      "[platform/mirroring] the stack's AWS provider has region \"us-east-1\"; expected region \"eu-west-1\", the construct's region (user data and IAM policies name it): new AwsProvider(stack, 'aws', { region: 'eu-west-1' })",
    );
  });

  test('missing: refused at synth, saying what to add', () => {
    const stack = new TerraformStack(new App({ outdir: '/tmp/unused' }), 'bare');
    new TraceableTrafficMirroring(stack, 'mirroring', BASE_PROPS);
    expect(() => Testing.synth(stack, true)).toThrow("[bare/mirroring] the stack bare has no AWS provider; add new AwsProvider(stack, 'aws', { region: 'eu-west-1' }), or give the construct its provider");
  });

  test('in Region: its default tags stay its own, ours go on the resources', () => {
    const json = parsed(userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', BASE_PROPS)));
    expect(json.provider.aws).toEqual([{ region: 'eu-west-1', default_tags: [{ tags: { owner: 'platform-team' } }] }]);
  });
});

describe('fromConfig: the JSON configuration, as the JSON app reads it', () => {
  const json = {
    StackName: 'shop-prod', Region: 'eu-west-1', VpcId: 'vpc-0123456789abcdef0', SubnetIds: 'subnet-0123456789abcdef0, subnet-0123456789abcdef1',
    MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web', TraceableEnvironment: 'staging', TraceableServiceName: 'checkout',
    AutoscalingMaxSize: '5', DeployTraceableAgentInECS: 'false', CustomAMIArchitecture: '', Tags: '{"env":"prod"}', MirrorTcpPorts: '443,8080-8089',
    HttpBodyLimit: '64kb', AccountId: '111122223333',
    SourceAccounts: [{ AccountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/deploy', MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: 'Mirror=True', MirrorSourceVpcId: 'vpc-0123456789abcdef9' }],
  };
  const props: TraceableTrafficMirroringProps = {
    ...BASE_PROPS, stackName: 'shop-prod', mirrorSourceType: 'TARGET_GROUP', mirrorSources: ['web'], autoscalingMaxSize: 5, tags: { env: 'prod' },
    mirrorTcpPorts: [443, '8080-8089'], httpBodyLimit: 65536, accountId: '111122223333',
    sourceAccounts: [{ accountId: '222233334444', roleArn: 'arn:aws:iam::222233334444:role/deploy', mirrorSourceType: 'INSTANCE_TAGS', mirrorSources: ['Mirror=True'], mirrorSourceVpcIds: ['vpc-0123456789abcdef9'] }],
  };

  test('synthesizes exactly what the same settings as props synthesize', () => {
    const fromConfig = Testing.synth(userStack((scope) => TraceableTrafficMirroring.fromConfig(scope, 'mirroring', json)), true);
    const fromProps = Testing.synth(userStack((scope) => new TraceableTrafficMirroring(scope, 'mirroring', props)), true);
    expect(fromConfig).toBe(fromProps);
    expect(JSON.parse(fromConfig).resource.aws_ram_principal_association).toBeDefined();
  });

  test('problems name the configuration keys, and Backend is refused', () => {
    const invalid = () => userStack((scope) => TraceableTrafficMirroring.fromConfig(scope, 'mirroring', { ...json, SubnetIds: 'subnet-1', DeployTraceableAgentInECS: 'yes' }));
    expect(invalid).toThrow(
      'Invalid configuration TraceableTrafficMirroring.fromConfig platform/mirroring: 2 problems\n' +
        '  - DeployTraceableAgentInECS: got "yes"; expected true or false\n' +
        '  - SubnetIds: got "subnet-1"; expected a non-empty comma-separated list of subnet IDs such as subnet-0123456789abcdef0',
    );
    const backend = () => userStack((scope) => TraceableTrafficMirroring.fromConfig(scope, 'mirroring', { ...json, Backend: { type: 'local' } }));
    expect(backend).toThrow(
      'Invalid configuration TraceableTrafficMirroring.fromConfig platform/mirroring: 1 problem\n' +
        '  - Backend: got {"type":"local"}; expected it unset: the construct\'s resources live in the state of the stack you add it to, whose backend you configure on that stack',
    );
  });
});

describe('one stackName per app', () => {
  test('a second instance of a stackName, in any case and in another stack of the app: refused, naming the prop and the first', () => {
    const app = Testing.app();
    new TraceableTrafficMirroring(new TerraformStack(app, 'eu'), 'prod', { ...BASE_PROPS, stackName: 'shop-prod' });
    const second = new TerraformStack(app, 'us');
    expect(() => new TraceableTrafficMirroring(second, 'again', { ...BASE_PROPS, stackName: 'Shop-Prod' })).toThrow(
      'Invalid configuration TraceableTrafficMirroring us/again: 1 problem\n' +
        '  - stackName: got "Shop-Prod"; expected a name unique in the app, ignoring case as IAM does (eu/prod uses "shop-prod")',
    );
    // fromConfig names the key as its configuration does.
    expect(() => TraceableTrafficMirroring.fromConfig(second, 'from_json', { ...BASE_CONFIG, StackName: 'SHOP-PROD' })).toThrow(
      '  - StackName: got "SHOP-PROD"; expected a name unique in the app, ignoring case as IAM does (eu/prod uses "shop-prod")',
    );
  });

  test('the default stackName counts: two instances without one are refused', () => {
    const stack = new TerraformStack(Testing.app(), 'platform');
    new TraceableTrafficMirroring(stack, 'first', BASE_PROPS);
    expect(() => new TraceableTrafficMirroring(stack, 'second', BASE_PROPS)).toThrow(
      '  - stackName: got "traffic-mirroring"; expected a name unique in the app, ignoring case as IAM does (platform/first uses "traffic-mirroring")',
    );
  });

  test('other apps are not looked at', () => {
    new TraceableTrafficMirroring(new TerraformStack(Testing.app(), 'platform'), 'mirroring', BASE_PROPS);
    expect(() => new TraceableTrafficMirroring(new TerraformStack(Testing.app(), 'platform'), 'mirroring', BASE_PROPS)).not.toThrow();
  });
});

describe('the provider prop', () => {
  /** The user's default provider in us-east-1, and an aliased one for the construct. */
  function aliasedStack(region: string, add = (stack: TerraformStack, provider: AwsProvider) => new TraceableTrafficMirroring(stack, 'mirroring', { ...BASE_PROPS, provider })) {
    const stack = new TerraformStack(Testing.app(), 'platform');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const provider = new AwsProvider(stack, 'aws_mirroring', { region, alias: 'mirroring' });
    new S3Bucket(stack, 'logs', { bucket: 'platform-logs' });
    add(stack, provider);
    return stack;
  }

  test('an aliased provider next to the default one: every resource of the construct uses it, the user\'s own keep the default', () => {
    const stack = aliasedStack('eu-west-1');
    const json = parsed(stack);
    // cdktf's default addresses begin with the construct's id.
    const ours = Object.values(json.resource as Record<string, Record<string, { provider?: string }>>).flatMap((byAddress) =>
      Object.entries(byAddress).filter(([address]) => address.startsWith('mirroring_')).map(([, body]) => body));
    expect(ours.length).toBeGreaterThan(40);
    expect(ours).toHaveLength(stack.node.findChild('mirroring').node.findAll().filter((node) => TerraformResource.isTerraformResource(node)).length);
    expect(new Set(ours.map((body) => body.provider))).toEqual(new Set(['aws.mirroring']));
    expect(json.resource.aws_s3_bucket.logs.provider).toBeUndefined();
    expect(json.provider.aws).toEqual([{ region: 'us-east-1' }, { alias: 'mirroring', region: 'eu-west-1' }]);
  });

  test('in another region than region: refused at synth, naming it', () => {
    expect(() => Testing.synth(aliasedStack('us-west-2'), true)).toThrow(
      '[platform/mirroring] the provider platform/aws_mirroring (alias "mirroring") has region "us-west-2"; expected region "eu-west-1", the construct\'s region (user data and IAM policies name it)',
    );
  });

  test("of another stack: refused at synth (Terraform's providers are per stack)", () => {
    const app = Testing.app();
    const elsewhere = new AwsProvider(new TerraformStack(app, 'network'), 'aws', { region: 'eu-west-1' });
    const stack = new TerraformStack(app, 'platform');
    new TraceableTrafficMirroring(stack, 'mirroring', { ...BASE_PROPS, provider: elsewhere });
    expect(() => Testing.synth(stack, true)).toThrow(
      '[platform/mirroring] provider: got the provider network/aws of the stack network; expected a provider of the stack platform, which holds the construct (Terraform providers are per stack)',
    );
  });
});

describe('attributes', () => {
  const ATTRIBUTES = [
    'mirrorTargetId', 'mirrorFilterId', 'nlbArn', 'nlbDnsName', 'autoscalingGroupName', 'tokenSecretArn', 'alarmTopicArn', 'ecsClusterName', 'ecsServiceName',
    'fargateTargetFqdn', 'fargateSidecarContainerDefinition', 'exampleMirrorSessionCommand',
  ] as const;
  // As a user reads them: into outputs of their stack (one per defined attribute).
  const stack = userStack((scope) => {
    new TraceableTrafficMirroring(scope, 'ec2', { ...BASE_PROPS, stackName: 'shop-ec2', mirrorSourceType: 'MANUAL', mirrorSources: [] });
    new TraceableTrafficMirroring(scope, 'ecs', { ...BASE_PROPS, stackName: 'shop-ecs', mirrorSourceType: 'FARGATE', mirrorSources: [], deployTraceableAgentInEcs: true });
    new TraceableTrafficMirroring(scope, 'zones', { ...BASE_PROPS, stackName: 'shop-zones', sameZoneDelivery: true });
    for (const id of ['ec2', 'ecs', 'zones']) {
      const construct = scope.node.findChild(id) as TraceableTrafficMirroring;
      for (const attribute of ATTRIBUTES) if (construct[attribute] !== undefined) new TerraformOutput(scope, `${id}_${attribute}`, { value: construct[attribute] });
    }
  });
  const json = parsed(stack);
  const output = (id: string, attribute: (typeof ATTRIBUTES)[number]): string | undefined => json.output[`${id}_${attribute}`]?.value;
  /** A reference to the synthesized resource at a construct path (found by the path, not through the attribute). */
  const ref = (path: string, attribute: string) => {
    const element = path.split('/').reduce<IConstruct>((node, id) => node.node.findChild(id), stack) as TerraformResource;
    const address = stack.getLogicalId(element);
    expect(json.resource[element.terraformResourceType][address]).toBeDefined();
    return `\${${element.terraformResourceType}.${address}.${attribute}}`;
  };

  test.each(['ec2', 'ecs'])('%s: the target, the filter, the NLB, the secret and the topic', (id) => {
    expect(output(id, 'mirrorTargetId')).toBe(ref(`${id}/mirror/mirror_target`, 'id'));
    expect(output(id, 'mirrorFilterId')).toBe(ref(`${id}/mirror/mirror_filter`, 'id'));
    expect(output(id, 'nlbArn')).toBe(ref(`${id}/mirror/nlb`, 'arn'));
    expect(output(id, 'nlbDnsName')).toBe(ref(`${id}/mirror/nlb`, 'dns_name'));
    expect(output(id, 'tokenSecretArn')).toBe(ref(`${id}/token/secret`, 'arn'));
    expect(output(id, 'alarmTopicArn')).toBe(ref(`${id}/alarms/topic`, 'arn'));
  });

  test('the fleet: its autoscaling group, the ECS cluster and service, one group per zone', () => {
    expect(output('ec2', 'autoscalingGroupName')).toBe(ref('ec2/fleet/autoscaling_group', 'name'));
    expect(output('ecs', 'autoscalingGroupName')).toBe(ref('ecs/ecs_fleet/autoscaling_group', 'name'));
    expect(output('ecs', 'ecsClusterName')).toBe(ref('ecs/ecs_fleet/cluster', 'name'));
    expect(output('ecs', 'ecsServiceName')).toBe(ref('ecs/ecs_fleet/service', 'name'));
    const groups = Object.keys(json.resource.aws_autoscaling_group).filter((address) => address.startsWith('zones_')).sort();
    expect(groups).toHaveLength(2);
    expect(output('zones', 'autoscalingGroupName')).toBe(`\${join(",", [${groups.map((address) => `aws_autoscaling_group.${address}.name`).join(', ')}])}`);
    for (const id of ['ec2', 'zones']) expect([output(id, 'ecsClusterName'), output(id, 'ecsServiceName')]).toEqual([undefined, undefined]);
  });

  test('per source type: the MANUAL command, the FARGATE name and sidecar; undefined elsewhere', () => {
    expect(output('ec2', 'exampleMirrorSessionCommand')).toBe(
      `aws ec2 create-traffic-mirror-session --region eu-west-1 --network-interface-id <eni-id> --traffic-mirror-target-id ${ref('ec2/mirror/mirror_target', 'id')} --traffic-mirror-filter-id ${ref('ec2/mirror/mirror_filter', 'id')} --session-number 1`,
    );
    const fqdn = ref('ecs/fargate_dns/record', 'fqdn');
    expect(output('ecs', 'fargateTargetFqdn')).toBe(fqdn);
    expect(JSON.parse(output('ecs', 'fargateSidecarContainerDefinition')!).environment).toContainEqual({ name: 'MIRROR_TARGET_HOST', value: fqdn });
    expect([output('ec2', 'fargateTargetFqdn'), output('ec2', 'fargateSidecarContainerDefinition'), output('ecs', 'exampleMirrorSessionCommand'), output('zones', 'exampleMirrorSessionCommand')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
