/**
 * Any StackName CloudFormation accepts (1-128 letters, digits and hyphens, starting with a letter) deploys: every AWS
 * name derived from it stays within its limit (read from the synthesized JSON and checked by the real offline plan),
 * names that fit are left as they are, and names that do not are shortened to a readable prefix and a hash.
 */
import { createHash } from 'node:crypto';
import { parseConfig } from '../config';
import { agentGroupNames, fitName, resourceNames } from '../shared';
import { BASE_CONFIG, synthConfig, type TerraformJson } from './helpers/synth';
import { plannedTogether } from './helpers/terraform';

jest.setTimeout(300_000);

/** AWS's limits (characters) on the names and descriptions the stack sets, by resource type and attribute (the provider's where lower). */
const AWS_LIMITS: Record<string, number> = {
  'aws_lb.name': 32,
  'aws_lb_target_group.name': 32,
  'aws_iam_role.name': 64,
  'aws_iam_role.description': 1000,
  'aws_iam_role_policy.name': 128,
  'aws_iam_instance_profile.name': 128,
  'aws_lambda_function.function_name': 64,
  'aws_lambda_function.description': 256,
  'aws_cloudwatch_event_rule.name': 64,
  'aws_cloudwatch_event_rule.description': 512,
  'aws_sqs_queue.name': 80,
  'aws_sns_topic.name': 256,
  'aws_sns_topic.display_name': 100,
  'aws_s3_bucket.bucket_prefix': 37,
  // AWS allows 128, the provider 125.
  'aws_launch_template.name': 125,
  'aws_launch_template.description': 255,
  'aws_autoscaling_group.name': 255,
  'aws_autoscaling_policy.name': 255,
  'aws_appautoscaling_policy.name': 256,
  'aws_cloudwatch_metric_alarm.alarm_name': 255,
  'aws_cloudwatch_metric_alarm.alarm_description': 1024,
  'aws_cloudwatch_metric_alarm.metric_name': 255,
  'aws_security_group.name': 255,
  'aws_security_group.description': 255,
  'aws_vpc_security_group_ingress_rule.description': 255,
  'aws_vpc_security_group_egress_rule.description': 255,
  'aws_ec2_traffic_mirror_target.description': 255,
  'aws_ec2_traffic_mirror_filter.description': 255,
  'aws_ec2_traffic_mirror_filter_rule.description': 255,
  'aws_ecs_cluster.name': 255,
  'aws_ecs_service.name': 255,
  'aws_ecs_task_definition.family': 255,
  'aws_ecs_capacity_provider.name': 255,
  'aws_cloudwatch_log_group.name': 512,
  'aws_secretsmanager_secret.name': 512,
  'aws_secretsmanager_secret.description': 2048,
  'aws_route53_zone.name': 1024,
  'aws_route53_zone.comment': 256,
  'aws_route53_record.name': 1024,
};
/** Tags: keys up to 128 characters, values up to 256. */
const TAG_KEY_LIMIT = 128;
const TAG_VALUE_LIMIT = 256;

const NAME_ATTRIBUTE = /(^|_)(name|name_prefix|bucket_prefix|family|description|display_name|comment)$/;

interface SetName {
  readonly at: string;
  readonly attribute: string;
  readonly value: string;
}

/** Every literal name, description and tag the synthesized stack sets (references to other resources left out). */
function namesOf(json: TerraformJson): SetName[] {
  const found: SetName[] = [];
  for (const [type, byName] of Object.entries(json.resource)) {
    for (const [address, settings] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
      for (const [key, value] of Object.entries(settings)) {
        if (NAME_ATTRIBUTE.test(key) && typeof value === 'string' && !value.includes('${')) found.push({ at: `${type}.${address}`, attribute: `${type}.${key}`, value });
        const tags = key === 'tags' ? Object.entries(value as Record<string, string>) : key === 'tag' ? (value as { key: string; value: string }[]).map((tag) => [tag.key, tag.value]) : [];
        for (const [tagKey, tagValue] of tags) {
          found.push({ at: `${type}.${address}`, attribute: 'tag key', value: tagKey }, { at: `${type}.${address}`, attribute: 'tag value', value: tagValue });
        }
      }
    }
  }
  return found;
}

function overLimit(names: readonly SetName[]): string[] {
  return names.flatMap(({ at, attribute, value }) => {
    const limit = attribute === 'tag key' ? TAG_KEY_LIMIT : attribute === 'tag value' ? TAG_VALUE_LIMIT : AWS_LIMITS[attribute];
    if (limit === undefined) return [`${at}: ${attribute} has no known limit in this test (add it to AWS_LIMITS)`];
    return value.length > limit ? [`${at}: ${attribute} has ${value.length} characters, AWS allows ${limit}: ${value}`] : [];
  });
}

/** A 128-character StackName: the longest CloudFormation accepts. */
const longName = (last: string) => `Traceable-mirroring-${'x'.repeat(106)}-${last}`;
const LONG = longName('a');

const MODES: Record<string, Record<string, unknown>> = {
  'EC2 fleet per zone, load balancer sources': { SameZoneDelivery: true },
  'ECS fleet, ECS_CLUSTER sources': { MirrorSourceType: 'ECS_CLUSTER', MirrorSource: 'shop', DeployTraceableAgentInECS: true },
  'FARGATE sources': { MirrorSourceType: 'FARGATE', MirrorSource: '' },
  'Gateway Load Balancer endpoints (GWLB_ENDPOINT)': {
    MirrorTargetType: 'GWLB_ENDPOINT', AccountId: '111122223333',
    GatewayLoadBalancerCidrs: '10.40.1.0/24',
    GatewayLoadBalancerEndpoints: [{ VpcId: 'vpc-0123456789abcdef1', SubnetIds: ['subnet-0123456789abcde11', 'subnet-0123456789abcde12'] }],
    MirrorSourceType: 'INSTANCE_TAGS',
    MirrorSource: 'Mirror=True',
    MirrorSourceVpcId: 'vpc-0123456789abcdef1',
  },
};

describe('StackName', () => {
  test('accepts 1 to 128 letters, digits and hyphens starting with a letter, as CloudFormation does', () => {
    expect(LONG).toHaveLength(128);
    for (const name of ['a', 'Z-', 'a--b', LONG]) expect(parseConfig({ ...BASE_CONFIG, StackName: name }).config.StackName).toBe(name);
    const expected = 'expected letters, digits and hyphens, 1 to 128 characters, starting with a letter (as CloudFormation allows)';
    for (const name of ['1abc', '-abc', 'a_b', '']) {
      expect(() => parseConfig({ ...BASE_CONFIG, StackName: name })).toThrow(`StackName: got ${JSON.stringify(name)}; ${expected}`);
    }
    expect(() => parseConfig({ ...BASE_CONFIG, StackName: `${LONG}b` })).toThrow(`StackName: got "${LONG.slice(0, 120)}…" (129 characters); ${expected}`);
  });
});

describe('derived names', () => {
  test('names that fit are the ones deployments have today', () => {
    const names = resourceNames('traffic-mirroring');
    expect({ ...names, eventRule: names.eventRule('ec2-running'), sessionAlarm: names.sessionAlarm('errors') }).toEqual({
      loadBalancer: 'traffic-mirroring-nlb',
      loadBalancerSecurityGroup: 'traffic-mirroring-nlb',
      targetGroup: 'traffic-mirroring-vxlan',
      gatewayLoadBalancer: 'traffic-mirroring-gwlb',
      geneveTargetGroup: 'traffic-mirroring-geneve',
      agentGroup: 'traffic-mirroring-agents',
      agentSecurityGroup: 'traffic-mirroring-agents',
      agentRole: 'traffic-mirroring-agent',
      agentInstanceProfile: 'traffic-mirroring-agent',
      bootstrapBucketPrefix: 'traffic-mirroring-bootstrap-',
      hostMetricsLogGroup: '/traceable/traffic-mirroring/host-metrics',
      agentTaskFamily: 'traffic-mirroring-agent',
      agentTaskLogGroup: '/traceable/traffic-mirroring/agents',
      agentTaskExecutionRole: 'traffic-mirroring-agent-execution',
      agentTaskRole: 'traffic-mirroring-agent-task',
      capacityProvider: 'traceable-traffic-mirroring',
      sessionFunction: 'traffic-mirroring-mirror-sessions',
      sessionRole: 'traffic-mirroring-mirror-sessions',
      sessionSchedule: 'traffic-mirroring-mirror-sessions',
      sessionLogGroup: '/aws/lambda/traffic-mirroring-mirror-sessions',
      cleanupFunction: 'traffic-mirroring-mirror-sessions-cleanup',
      cleanupLogGroup: '/aws/lambda/traffic-mirroring-mirror-sessions-cleanup',
      eventQueue: 'traffic-mirroring-mirror-sessions-events',
      eventDeadLetterQueue: 'traffic-mirroring-mirror-sessions-events-dlq',
      eventRule: 'traffic-mirroring-mirror-ec2-running',
      sessionAlarm: 'traffic-mirroring-mirror-sessions-errors',
      tokenSecret: 'traffic-mirroring/traceable-refresh-token',
      alarmTopic: 'traffic-mirroring-alarms',
      alarmTopicDisplayName: 'traffic-mirroring traffic mirroring alarms',
    });
    expect(agentGroupNames('Shop', ['subnet-0123456789abcdef0'], true)).toEqual(['Shop-agents-subnet-0123456789abcdef0']);
  });

  test('a name beyond its limit keeps the start of the StackName and its ending, with the SHA-256 of the full name between', () => {
    const full = `${LONG}-nlb`;
    const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
    expect(resourceNames(LONG).loadBalancer).toBe(`Traceable-mirroring-${hash}-nlb`);
    expect(resourceNames(LONG).loadBalancer).toHaveLength(32);
    // 31 characters leave 20 for the StackName: `Traceable-mirroring-`, whose trailing hyphen is dropped.
    const tidy = createHash('sha256').update('Traceable-mirroring-longer-name-x').digest('hex').slice(0, 8);
    expect(fitName('', 'Traceable-mirroring-longer-name', '-x', 31)).toBe(`Traceable-mirroring-${tidy}-x`);
    expect(fitName('/aws/', 'Short', '-x', 31)).toBe('/aws/Short-x');
  });

  test('the load balancer name never begins with internal- (Elastic Load Balancing refuses it)', () => {
    expect(resourceNames('internal-api').loadBalancer).toBe('nlb-internal-api');
    expect(resourceNames('Internal-api').loadBalancer).toBe('nlb-Internal-api');
    expect(resourceNames('internal-api').targetGroup).toBe('internal-api-vxlan');
    expect(resourceNames('internal-api').gatewayLoadBalancer).toBe('gwlb-internal-api');
  });
});

describe.each(Object.entries(MODES))('a 128-character StackName, %s', (_mode, overrides) => {
  test('every name, description and tag the stack sets is within its AWS limit', () => {
    const names = namesOf(synthConfig({ ...overrides, StackName: LONG }).json);
    expect(names.length).toBeGreaterThan(10);
    expect(overLimit(names)).toEqual([]);
  });

  test('two StackNames that differ only in their last character get different names everywhere', () => {
    const stackDerived = (last: string) => namesOf(synthConfig({ ...overrides, StackName: longName(last) }).json)
      .filter(({ attribute, value }) => !attribute.startsWith('tag') && !attribute.endsWith('description') && value.includes('Traceable-mirr'))
      .map(({ value }) => value);
    const [first, second] = [stackDerived('a'), stackDerived('b')];
    expect(first.length).toBeGreaterThan(3);
    expect(first.filter((name) => second.includes(name))).toEqual([]);
  });
});

describe('terraform plan (offline, real CLI) of a 128-character StackName', () => {
  const PLANNED = {
    'EC2 fleet per zone': MODES['EC2 fleet per zone, load balancer sources'],
    'ECS fleet': MODES['ECS fleet, ECS_CLUSTER sources'],
  };
  // Both stacks in one batched terraform run (helpers/terraform.ts), paid by the first test.
  const plannedStack = plannedTogether(Object.fromEntries(Object.entries(PLANNED).map(([mode, overrides]) => [
    mode, () => ({ ...synthConfig({ ...overrides, StackName: LONG }), env: { TF_VAR_traceable_refresh_token: 'token-for-plan' } }),
  ])));

  test.each(Object.keys(PLANNED))('%s: the provider accepts every name and the plan creates the stack', async (mode) => {
    const { json, plan } = await plannedStack(mode);
    const created = Object.entries(plan.actions).filter(([, actions]) => actions.join() === 'create').map(([address]) => address).sort();
    const declared = Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)).sort();
    expect(created).toEqual(declared);
  });
});
