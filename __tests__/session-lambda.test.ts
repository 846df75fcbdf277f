import { readFileSync } from 'node:fs';
import { TerraformStack, Testing } from 'cdktf';
import { Ec2TrafficMirrorFilter } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter';
import { Ec2TrafficMirrorTarget } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-target';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { configOf, resource, synthConfig } from './helpers/synth';
import { manyLoadBalancerNames } from './helpers/load-balancer-names';
import { synthVpcEndpoint } from './helpers/session-lambda';
import { bundleWithSources, cachedSessionLambdaBundle } from '../modules/lambda-bundle';
import { zipEntryContent } from '../modules/zip';
import { asyncEventMaxAgeSeconds, cleanupChainLength, scheduleExpression, SessionLambda, type SessionLambdaBaseProps, type SingleTargetProps } from '../modules/session-lambda';

type Resources = Record<string, Record<string, Record<string, any>>>;

function synth(overrides: Partial<SessionLambdaBaseProps & SingleTargetProps> = {}): { resource: Resources; data?: unknown } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const target = new Ec2TrafficMirrorTarget(stack, 'target', { networkLoadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/t/1' });
  const filter = new Ec2TrafficMirrorFilter(stack, 'filter', {});
  new SessionLambda(stack, 'sessions', {
    namePrefix: 'prod',
    region: 'eu-west-1',
    mirrorTargetId: target.id,
    mirrorTargetArn: target.arn,
    mirrorFilterId: filter.id,
    mirrorFilterArn: filter.arn,
    sourceType: 'TARGET_GROUP',
    sources: ['web', 'api'],
    ...overrides,
  });
  return JSON.parse(Testing.synth(stack));
}

const only = (resources: Resources, type: string) => Object.values(resources[type] ?? {})[0];
/** Terraform address of the one resource of a type, e.g. `aws_iam_role_policy.sessions_policy_2672FD79`. */
const address = (resources: Resources, type: string) => `${type}.${Object.keys(resources[type])[0]}`;
/** The resource of a type whose Terraform address contains `part`, with its address. */
const named = (resources: Resources, type: string, part: string): Record<string, any> & { address: string } => {
  const [key, value] = Object.entries(resources[type] ?? {}).find(([k]) => k.includes(part)) ?? [];
  if (!key) throw new Error(`no ${type} named like ${part}`);
  return { ...value, address: `${type}.${key}` };
};
const ref = (resource: { address: string }, attribute: string) => `\${${resource.address}.${attribute}}`;
/** The session function, its log group and its apply-time invocation (the cleanup has its own of each). */
const sessionFunction = (resources: Resources) => named(resources, 'aws_lambda_function', 'sessions_function');
const sessionLogGroup = (resources: Resources) => named(resources, 'aws_cloudwatch_log_group', 'sessions_log_group');
const applyTimeRun = (resources: Resources) => named(resources, 'aws_lambda_invocation', 'apply_time_run');

describe('SessionLambda', () => {
  const synthesized = synth();
  const { resource } = synthesized;

  it('runs on nodejs22.x with reserved concurrency 1, the timeout and the environment contract', () => {
    const fn = sessionFunction(resource);
    expect(fn).toMatchObject({
      function_name: 'prod-mirror-sessions',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      reserved_concurrent_executions: 1,
      timeout: 600,
    });
    expect(fn.environment.variables).toEqual({
      STACK_NAME: 'prod',
      MIRROR_TARGET_ID: '${aws_ec2_traffic_mirror_target.target.id}',
      MIRROR_FILTER_ID: '${aws_ec2_traffic_mirror_filter.filter.id}',
      MIRROR_SOURCE_TYPE: 'TARGET_GROUP',
      MIRROR_SOURCES_FILE: 'mirror-sources.json',
      MIRROR_SOURCE_VPC_IDS: '[]',
      MIRROR_UNHEALTHY_TARGETS: 'false',
      EVENT_QUEUE_URL: ref(named(resource, 'aws_sqs_queue', 'event_queue'), 'url'),
      EVENT_RETRY_DELAYS_SECONDS: '[15,30,60,120,240]',
    });
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('uses no data sources', () => {
    expect(synthesized.data).toBeUndefined();
  });

  it('schedules a run every interval and lets only that rule invoke the function', () => {
    const schedule = named(resource, 'aws_cloudwatch_event_rule', 'schedule');
    expect(schedule.schedule_expression).toBe('rate(15 minutes)');
    expect(only(resource, 'aws_lambda_permission')).toMatchObject({ principal: 'events.amazonaws.com', source_arn: ref(schedule, 'arn') });
    expect(scheduleExpression(1)).toBe('rate(1 minute)');
  });

  it('invokes at apply time only (lifecycle_scope CREATE_ONLY), before the schedule and the queue can start runs', () => {
    const invocation = applyTimeRun(resource);
    expect(invocation.lifecycle_scope).toBe('CREATE_ONLY');
    expect(invocation.function_name).toBe(ref(sessionFunction(resource), 'function_name'));
    const input = JSON.parse(invocation.input);
    expect(input).toMatchObject({ action: 'reconcile', mirrorTargetId: '${aws_ec2_traffic_mirror_target.target.id}', mirrorFilterId: '${aws_ec2_traffic_mirror_filter.filter.id}' });
    expect(invocation.depends_on).toEqual([address(resource, 'aws_iam_role_policy'), sessionLogGroup(resource).address]);
    expect(named(resource, 'aws_cloudwatch_event_target', 'schedule').depends_on).toEqual([address(resource, 'aws_lambda_permission'), invocation.address]);
  });

  it('cleans up on destroy with a chain of invocations of its own function, after everything that can start a run is gone', () => {
    // Prepare
    const cleanup = named(resource, 'aws_lambda_function', 'cleanup_function');
    const links: Record<string, any>[] = Object.entries(resource.aws_lambda_invocation).filter(([key]) => key.includes('cleanup_run_')).map(([key, value]) => ({ ...value, address: `aws_lambda_invocation.${key}` }));
    // Assess: the function
    expect(cleanup).toMatchObject({
      function_name: 'prod-mirror-sessions-cleanup', timeout: 900, role: ref(named(resource, 'aws_iam_role', 'role'), 'arn'),
      source_code_hash: sessionFunction(resource).source_code_hash, filename: sessionFunction(resource).filename,
    });
    expect(cleanup.reserved_concurrent_executions).toBeUndefined();
    expect(cleanup.environment.variables).toEqual({ ...sessionFunction(resource).environment.variables, SESSION_FUNCTION_NAME: 'prod-mirror-sessions' });
    // Assess: 3 links for the default 600 s timeout, each waiting for the one before; link 1 after every run starter.
    expect(links.map((link) => JSON.parse(link.input))).toEqual([1, 2, 3].map((link) => ({
      action: 'cleanup', link, links: 3, mirrorTargetId: '${aws_ec2_traffic_mirror_target.target.id}', mirrorFilterId: '${aws_ec2_traffic_mirror_filter.filter.id}',
    })));
    expect(links.every((link) => link.lifecycle_scope === 'CRUD' && link.function_name === ref(cleanup, 'function_name'))).toBe(true);
    expect(links[0].depends_on).toEqual([
      named(resource, 'aws_cloudwatch_event_target', 'schedule_target').address,
      named(resource, 'aws_cloudwatch_event_target', 'ec2_running_target').address,
      named(resource, 'aws_cloudwatch_event_target', 'asg_launch_target').address,
      address(resource, 'aws_lambda_event_source_mapping'),
      sessionFunction(resource).address,
      address(resource, 'aws_iam_role_policy'),
      sessionLogGroup(resource).address,
      named(resource, 'aws_cloudwatch_log_group', 'cleanup_log_group').address,
    ]);
    expect(links.slice(1).map((link) => link.depends_on)).toEqual([[links[0].address], [links[1].address]]);
  });

  it.each([[600, 3], [900, 4], [300, 3], [30, 3]])('has enough links for 10,000 deletions at 5 per second with a session timeout of %p s: %p', (timeout, links) => {
    expect(cleanupChainLength(timeout)).toBe(links);
    // 10,000 deletions fit: every link but the first works 870 s, the first what the drain leaves of it.
    expect((links - 1) * 870 * 5 + Math.max(0, 870 - timeout) * 5).toBeGreaterThanOrEqual(10_000);
    expect((links - 2) * 870 * 5 + Math.max(0, 870 - timeout) * 5).toBeLessThan(10_000);
  });

  it('grants least privilege, enforced by IAM conditions', () => {
    const policy = JSON.parse(only(resource, 'aws_iam_role_policy').policy);
    const statement = (sid: string) => policy.Statement.find((s: { Sid: string }) => s.Sid === sid);
    expect(statement('DiscoverSources').Resource).toBe('*');
    expect(statement('DiscoverSources').Action.every((a: string) => /^(ec2|elasticloadbalancing|ecs):(Describe|List)/.test(a))).toBe(true);
    expect(statement('CreateSessionsTowardOurTargetAndFilter').Resource).toEqual(['${aws_ec2_traffic_mirror_target.target.arn}', '${aws_ec2_traffic_mirror_filter.filter.arn}']);
    expect(statement('CreateSessionsOnlyWithOurOwnershipTag')).toEqual({
      Sid: 'CreateSessionsOnlyWithOurOwnershipTag', Effect: 'Allow', Action: 'ec2:CreateTrafficMirrorSession',
      Resource: 'arn:aws:ec2:eu-west-1:*:traffic-mirror-session/*',
      Condition: { StringEquals: { 'aws:RequestTag/traceable:mirroring-stack': 'prod' } },
    });
    expect(statement('MirrorInterfaces')).toEqual({
      Sid: 'MirrorInterfaces', Effect: 'Allow', Action: 'ec2:CreateTrafficMirrorSession',
      Resource: 'arn:aws:ec2:eu-west-1:*:network-interface/*',
      Condition: { StringEquals: { 'aws:RequestTag/traceable:mirroring-stack': 'prod' } },
    });
    expect(statement('TagSessionsOnlyOnCreation').Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateTrafficMirrorSession' } });
    expect(statement('DeleteOnlyOwnedSessions')).toEqual({
      Sid: 'DeleteOnlyOwnedSessions', Effect: 'Allow', Action: 'ec2:DeleteTrafficMirrorSession',
      Resource: 'arn:aws:ec2:eu-west-1:*:traffic-mirror-session/*',
      Condition: { StringEquals: { 'aws:ResourceTag/traceable:mirroring-stack': 'prod' } },
    });
    expect(statement('WriteOwnLogs').Resource).toEqual([ref(sessionLogGroup(resource), 'arn') + ':*', ref(named(resource, 'aws_cloudwatch_log_group', 'cleanup_log_group'), 'arn') + ':*']);
    expect(statement('DrainSessionFunctionOnDestroy')).toEqual({
      Sid: 'DrainSessionFunctionOnDestroy', Effect: 'Allow', Action: ['lambda:InvokeFunction', 'lambda:GetFunctionConcurrency', 'lambda:PutFunctionConcurrency'],
      Resource: 'arn:aws:lambda:eu-west-1:*:function:prod-mirror-sessions',
    });
    const queueArn = ref(named(resource, 'aws_sqs_queue', 'event_queue'), 'arn');
    expect(statement('ReceiveFromOwnEventQueue')).toEqual({
      Sid: 'ReceiveFromOwnEventQueue', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: queueArn,
    });
    expect(statement('RetryThroughOwnEventQueue')).toEqual({ Sid: 'RetryThroughOwnEventQueue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn });
    expect(statement('ReadOwnRunSummaries')).toEqual({
      Sid: 'ReadOwnRunSummaries', Effect: 'Allow', Action: 'logs:FilterLogEvents', Resource: [ref(sessionLogGroup(resource), 'arn'), `${ref(sessionLogGroup(resource), 'arn')}:*`],
    });
    expect(policy.Statement).toHaveLength(11);
  });

  it('lets the function mirror only interfaces in the source VPCs when they are known (LOAD_BALANCER_TAGS)', () => {
    const tagged = synth({ sourceType: 'LOAD_BALANCER_TAGS', sources: ['app=shop'], sourceVpcIds: ['vpc-0bbbbbbbbbbbbbbbb', 'vpc-0aaaaaaaaaaaaaaaa'] }).resource;
    const policy = JSON.parse(only(tagged, 'aws_iam_role_policy').policy);
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === 'MirrorOnlyInterfacesInSourceVpcs')).toEqual({
      Sid: 'MirrorOnlyInterfacesInSourceVpcs', Effect: 'Allow', Action: 'ec2:CreateTrafficMirrorSession',
      Resource: 'arn:aws:ec2:eu-west-1:*:network-interface/*',
      Condition: {
        StringEquals: { 'aws:RequestTag/traceable:mirroring-stack': 'prod' },
        ArnLike: { 'ec2:Vpc': ['arn:aws:ec2:eu-west-1:*:vpc/vpc-0aaaaaaaaaaaaaaaa', 'arn:aws:ec2:eu-west-1:*:vpc/vpc-0bbbbbbbbbbbbbbbb'] },
      },
    });
    expect(policy.Statement.some((s: { Sid: string }) => s.Sid === 'MirrorInterfaces')).toBe(false);
  });

  it('keeps logs with retention and alarms on function errors', () => {
    expect(sessionLogGroup(resource)).toMatchObject({ name: '/aws/lambda/prod-mirror-sessions', retention_in_days: 30 });
    expect(named(resource, 'aws_cloudwatch_log_group', 'cleanup_log_group')).toMatchObject({ name: '/aws/lambda/prod-mirror-sessions-cleanup', retention_in_days: 30 });
    expect(named(resource, 'aws_cloudwatch_metric_alarm', 'sessions_errors_alarm')).toMatchObject({ namespace: 'AWS/Lambda', metric_name: 'Errors', threshold: 0, comparison_operator: 'GreaterThanThreshold', alarm_actions: [] });
  });

  it('alarms on the runs\' own session errors and failed sources, one period per interval, notifying the alarm actions', () => {
    const withTopic = synth({ alarmActions: ['arn:aws:sns:eu-west-1:111122223333:ops'], intervalMinutes: 20 }).resource;
    const { '//': _path, address: _address, ...sessionErrors } = named(withTopic, 'aws_cloudwatch_metric_alarm', 'session_errors_alarm');
    expect(sessionErrors).toEqual({
      alarm_name: 'prod-mirror-sessions-session-errors',
      alarm_description: `prod-mirror-sessions could not create or delete mirror sessions (the run summaries in ${ref(sessionLogGroup(withTopic), 'name')} name them)`,
      namespace: 'Traceable/TrafficMirroring',
      metric_name: 'Errors',
      dimensions: { Stack: 'prod' },
      statistic: 'Sum',
      period: 1200,
      evaluation_periods: 1,
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      treat_missing_data: 'notBreaching',
      alarm_actions: ['arn:aws:sns:eu-west-1:111122223333:ops'],
      tags: {},
    });
    expect(named(withTopic, 'aws_cloudwatch_metric_alarm', 'failed_sources_alarm')).toMatchObject({
      alarm_name: 'prod-mirror-sessions-failed-sources', metric_name: 'FailedSources', dimensions: { Stack: 'prod' }, period: 1200, alarm_actions: ['arn:aws:sns:eu-west-1:111122223333:ops'],
    });
    expect(named(withTopic, 'aws_cloudwatch_metric_alarm', 'sessions_errors_alarm').alarm_actions).toEqual(['arn:aws:sns:eu-west-1:111122223333:ops']);
  });

  it('drops a scheduled event that waited until the next one is due, and never retries a failed run', () => {
    const { '//': _path, ...config } = only(resource, 'aws_lambda_function_event_invoke_config');
    expect(config).toEqual({ function_name: ref(sessionFunction(resource), 'function_name'), maximum_event_age_in_seconds: 300, maximum_retry_attempts: 0 });
    expect([asyncEventMaxAgeSeconds(15, 600), asyncEventMaxAgeSeconds(2, 100), asyncEventMaxAgeSeconds(1440, 60)]).toEqual([300, 60, 21_600]);
  });

  it('gives the same source_code_hash over two synths', () => {
    const again = synth();
    expect(sessionFunction(again.resource).source_code_hash).toBe(sessionFunction(resource).source_code_hash);
  });

  describe('fast path', () => {
    const ecs = synth({ sourceType: 'ECS_CLUSTER', sources: ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod-api'], timeoutSeconds: 300 }).resource;

    it('has rules for instance running and Auto Scaling launches, plus ECS task RUNNING in the cluster for ECS_CLUSTER', () => {
      const patterns = (resources: Resources) => Object.values(resources.aws_cloudwatch_event_rule)
        .filter((rule) => rule.event_pattern)
        .map((rule) => ({ name: rule.name, pattern: JSON.parse(rule.event_pattern) }))
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(patterns(resource)).toEqual([
        { name: 'prod-mirror-asg-launch', pattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'] } },
        { name: 'prod-mirror-ec2-running', pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['running'] } } },
      ]);
      expect(patterns(ecs)[2]).toEqual({
        name: 'prod-mirror-ecs-task-running',
        pattern: { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['RUNNING'], clusterArn: [{ suffix: ':cluster/prod-api' }] } },
      });
      const queueArn = ref(named(ecs, 'aws_sqs_queue', 'event_queue'), 'arn');
      const targets = Object.values(ecs.aws_cloudwatch_event_target).filter((t) => t.arn === queueArn);
      expect(targets.map((t) => t.rule)).toEqual(['asg_launch', 'ec2_running', 'ecs_task_running'].map((id) => ref(named(ecs, 'aws_cloudwatch_event_rule', `${id}_rule`), 'name')));
    });

    it('queues events encrypted (SSE-SQS) with a dead-letter queue and a visibility timeout of six function timeouts', () => {
      const queue = named(ecs, 'aws_sqs_queue', 'event_queue');
      const dlq = named(ecs, 'aws_sqs_queue', 'event_dlq');
      expect(queue).toMatchObject({ name: 'prod-mirror-sessions-events', sqs_managed_sse_enabled: true, visibility_timeout_seconds: 1800, message_retention_seconds: 86_400 });
      expect(JSON.parse(queue.redrive_policy)).toEqual({ deadLetterTargetArn: ref(dlq, 'arn'), maxReceiveCount: 5 });
      expect(dlq).toMatchObject({ name: 'prod-mirror-sessions-events-dlq', sqs_managed_sse_enabled: true });
    });

    it('lets exactly its rules send to the queue', () => {
      const queue = named(ecs, 'aws_sqs_queue', 'event_queue');
      const queuePolicy = only(ecs, 'aws_sqs_queue_policy');
      expect(queuePolicy.queue_url).toBe(ref(queue, 'url'));
      expect(JSON.parse(queuePolicy.policy).Statement).toEqual([{
        Sid: 'OnlyOurRulesSend', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: ref(queue, 'arn'),
        Condition: { ArnEquals: { 'aws:SourceArn': ['ec2_running', 'asg_launch', 'ecs_task_running'].map((id) => ref(named(ecs, 'aws_cloudwatch_event_rule', `${id}_rule`), 'arn')) } },
      }]);
    });

    it('feeds the function in batches with partial batch failures, after the apply-time run, with reserved concurrency 1 kept', () => {
      expect(only(resource, 'aws_lambda_event_source_mapping')).toEqual({
        event_source_arn: ref(named(resource, 'aws_sqs_queue', 'event_queue'), 'arn'),
        function_name: ref(sessionFunction(resource), 'arn'),
        batch_size: 100,
        maximum_batching_window_in_seconds: 10,
        function_response_types: ['ReportBatchItemFailures'],
        scaling_config: { maximum_concurrency: 2 },
        tags: {},
        depends_on: [applyTimeRun(resource).address],
      });
      expect(sessionFunction(resource).reserved_concurrent_executions).toBe(1);
    });

    it('can be turned off: no queue, rules, mapping or queue permissions', () => {
      const off = synth({ fastPath: false }).resource;
      expect(off.aws_sqs_queue).toBeUndefined();
      expect(off.aws_lambda_event_source_mapping).toBeUndefined();
      expect(Object.keys(off.aws_cloudwatch_event_rule)).toHaveLength(1);
      expect(JSON.parse(only(off, 'aws_iam_role_policy').policy).Statement).toHaveLength(9);
      expect(sessionFunction(off).environment.variables.EVENT_QUEUE_URL).toBeUndefined();
    });

    it.each([
      [{ eventBatchingWindowSeconds: 301 }, 'SessionLambda: eventBatchingWindowSeconds must be 0..300, got 301'],
      [{ eventBatchingWindowSeconds: 0 }, 'SessionLambda: eventBatchSize must be 1..10000 (above 10 only with a batching window), got 100'],
      [{ eventRetryDelaysSeconds: [30, 901] }, 'SessionLambda: eventRetryDelaysSeconds must be at most 10 whole numbers of seconds from 0 to 900, got [30,901]'],
    ])('refuses %j', (override, message) => {
      expect(() => synth(override)).toThrow(message);
    });
  });

  it('refuses an interval not longer than the timeout', () => {
    expect(() => synth({ timeoutSeconds: 900, intervalMinutes: 15 })).toThrow('SessionLambda: intervalMinutes (15) must be longer than timeoutSeconds (900 s) so runs never overlap');
  });
});

describe('SessionLambda with targetSelection vpc-endpoint', () => {
  const { resource } = synthVpcEndpoint();
  const policy = JSON.parse(only(resource, 'aws_iam_role_policy').policy);
  const statement = (sid: string) => policy.Statement.find((s: { Sid: string }) => s.Sid === sid);

  it('tells both functions MIRROR_TARGET_SELECTION=vpc-endpoint and no target id', () => {
    const variables = sessionFunction(resource).environment.variables;
    expect(variables).toMatchObject({ STACK_NAME: 'prod', MIRROR_TARGET_SELECTION: 'vpc-endpoint', MIRROR_FILTER_ID: '${aws_ec2_traffic_mirror_filter.filter.id}' });
    expect(variables.MIRROR_TARGET_ID).toBeUndefined();
    expect(named(resource, 'aws_lambda_function', 'cleanup_function').environment.variables).toEqual({ ...variables, SESSION_FUNCTION_NAME: 'prod-mirror-sessions' });
  });

  it('lets the function describe targets, endpoints and subnets, and create sessions only toward targets tagged with its stack', () => {
    expect(statement('DiscoverSources').Action).toEqual(expect.arrayContaining(['ec2:DescribeTrafficMirrorTargets', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeSubnets']));
    expect(statement('CreateSessionsTowardOurEndpointTargets')).toEqual({
      Sid: 'CreateSessionsTowardOurEndpointTargets', Effect: 'Allow', Action: 'ec2:CreateTrafficMirrorSession',
      Resource: 'arn:aws:ec2:eu-west-1:*:traffic-mirror-target/*',
      Condition: { StringEquals: { 'aws:ResourceTag/traceable:stack': 'prod' } },
    });
    expect(statement('CreateSessionsWithOurFilter')).toEqual({
      Sid: 'CreateSessionsWithOurFilter', Effect: 'Allow', Action: 'ec2:CreateTrafficMirrorSession', Resource: '${aws_ec2_traffic_mirror_filter.filter.arn}',
    });
    expect(statement('CreateSessionsTowardOurTargetAndFilter')).toBeUndefined();
    expect(policy.Statement).toHaveLength(12);
  });

  it('runs at apply time after the targets exist, and cleans up on destroy before they go', () => {
    const targets = ['aws_ec2_traffic_mirror_target.target_a', 'aws_ec2_traffic_mirror_target.target_b'];
    const run = applyTimeRun(resource);
    expect(JSON.parse(run.input)).toMatchObject({ action: 'reconcile', targetSelection: 'vpc-endpoint' });
    expect(JSON.parse(run.input).mirrorTargetId).toBeUndefined();
    expect(run.depends_on).toEqual([address(resource, 'aws_iam_role_policy'), sessionLogGroup(resource).address, ...targets]);
    const firstLink = named(resource, 'aws_lambda_invocation', 'cleanup_run_1');
    expect(firstLink.depends_on.slice(-2)).toEqual(targets);
    expect(JSON.parse(firstLink.input)).toEqual({ action: 'cleanup', link: 1, links: 3, mirrorFilterId: '${aws_ec2_traffic_mirror_filter.filter.id}' });
  });

  it.each([
    [{ mirrorTargetId: 'tmt-1' }, 'SessionLambda: mirrorTargetId must not be set with targetSelection vpc-endpoint (each run finds the stack\'s endpoint targets by their traceable:stack tag)'],
    [{ targetSelection: 'gwlb' }, 'SessionLambda: targetSelection must be one of single, vpc-endpoint, got "gwlb"'],
    [{ targetSelection: 'single' }, 'SessionLambda: mirrorTargetId and mirrorTargetArn are required with targetSelection single (the default)'],
  ])('refuses %j at synth', (props, message) => {
    expect(() => synthVpcEndpoint(props as never)).toThrow(message);
  });
});

describe('300 load balancer names', () => {
  const names = manyLoadBalancerNames();

  it('travel in the bundle, not the environment: the zip carries them, the environment stays small', () => {
    // Act
    const { resource: resources } = synth({ sourceType: 'LOAD_BALANCER', sources: names });
    // Assess
    const fn = sessionFunction(resources);
    const deployed = bundleWithSources(readFileSync(cachedSessionLambdaBundle().zipPath), names);
    expect(fn.source_code_hash).toBe(deployed.sourceCodeHash);
    const zip = readFileSync(deployed.zipPath);
    expect(JSON.parse(zipEntryContent(zip, 'mirror-sources.json').toString('utf8'))).toEqual(names);
    expect(zipEntryContent(zip, 'index.js').equals(zipEntryContent(readFileSync(cachedSessionLambdaBundle().zipPath), 'index.js'))).toBe(true);
    expect(JSON.stringify(fn.environment.variables)).not.toContain('shop-frontend');
    expect(fn.environment.variables.MIRROR_SOURCES_FILE).toBe('mirror-sources.json');
    expect(named(resources, 'aws_lambda_function', 'cleanup_function').source_code_hash).toBe(fn.source_code_hash);
    // Other sources, other zip; same sources, same zip.
    expect(sessionFunction(synth({ sourceType: 'LOAD_BALANCER', sources: names.slice(1) }).resource).source_code_hash).not.toBe(fn.source_code_hash);
    expect(sessionFunction(synth({ sourceType: 'LOAD_BALANCER', sources: names }).resource).source_code_hash).toBe(fn.source_code_hash);
  });
});

describe('alarm topic and token secret in the stack', () => {
  it('creates <StackName>-alarms, sends every alarm of the stack there (the session Lambda\'s and the fleet\'s) and outputs its ARN', () => {
    const { json } = synthConfig({ StackName: 'mirror-prod' });
    expect(resource(json, 'aws_sns_topic', 'alarms_topic')).toEqual({ name: 'mirror-prod-alarms', display_name: 'mirror-prod traffic mirroring alarms' });
    const actions = Object.fromEntries(Object.entries(json.resource.aws_cloudwatch_metric_alarm).map(([name, alarm]: [string, any]) => [name, alarm.alarm_actions]));
    const topic = '${aws_sns_topic.alarms_topic.arn}';
    expect(actions).toEqual({
      sessions_errors_alarm: [topic],
      sessions_session_errors_alarm: [topic],
      sessions_failed_sources_alarm: [topic],
      fleet_kernel_drops_alarm: [topic, '${aws_autoscaling_policy.fleet_drops_step_scaling.arn}'],
      fleet_feed_send_errors_alarm: [topic],
      fleet_truncated_packets_alarm: [topic],
    });
    expect(json.output.alarm_topic_arn.value).toBe('${aws_sns_topic.alarms_topic.arn}');
  });

  it('AlarmTopicArn names the topic instead: none is created', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';
    const { json } = synthConfig({ AlarmTopicArn: arn });
    expect(json.resource.aws_sns_topic).toBeUndefined();
    expect(Object.values(json.resource.aws_cloudwatch_metric_alarm).every((alarm: any) => alarm.alarm_actions[0] === arn)).toBe(true);
    expect(json.output.alarm_topic_arn.value).toBe(arn);
  });

  it.each([[0, 0], [30, 30], [undefined, 7]])('TokenSecretRecoveryWindowDays %p gives a recovery window of %p days', (days, expected) => {
    const { json } = synthConfig(days === undefined ? {} : { TokenSecretRecoveryWindowDays: days });
    expect(resource(json, 'aws_secretsmanager_secret', 'token_secret').recovery_window_in_days).toBe(expected);
  });

  it.each([
    [{ AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops.fifo' }, 'AlarmTopicArn: got "arn:aws:sns:eu-west-1:123456789012:ops.fifo"; expected "" or a standard (not FIFO) SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:ops-alarms'],
    [{ TokenSecretRecoveryWindowDays: 3 }, 'TokenSecretRecoveryWindowDays: got 3; expected 0 (delete at once) or a whole number of days from 7 to 30'],
    [{ TokenSecretRecoveryWindowDays: '31' }, 'TokenSecretRecoveryWindowDays: got "31"; expected 0 (delete at once) or a whole number of days from 7 to 30'],
  ])('refuses %j', (overrides, message) => {
    expect(() => configOf(overrides)).toThrow(message);
  });
});
