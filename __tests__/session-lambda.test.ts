import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { Ec2TrafficMirrorFilter } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter';
import { Ec2TrafficMirrorTarget } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-target';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { buildSessionLambdaBundle, scheduleExpression, SessionLambda, type SessionLambdaProps } from '../modules/session-lambda';

type Resources = Record<string, Record<string, Record<string, any>>>;

function synth(overrides: Partial<SessionLambdaProps> = {}): { resource: Resources; data?: unknown } {
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

describe('SessionLambda', () => {
  const synthesized = synth();
  const { resource } = synthesized;

  it('runs on nodejs22.x with reserved concurrency 1, the timeout and the environment contract', () => {
    const fn = only(resource, 'aws_lambda_function');
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
      MIRROR_SOURCES: '["web","api"]',
      MIRROR_SOURCE_VPC_IDS: '[]',
      MIRROR_UNHEALTHY_TARGETS: 'false',
    });
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('uses no data sources', () => {
    expect(synthesized.data).toBeUndefined();
  });

  it('schedules a run every interval and lets only that rule invoke the function', () => {
    expect(only(resource, 'aws_cloudwatch_event_rule').schedule_expression).toBe('rate(15 minutes)');
    expect(only(resource, 'aws_lambda_permission')).toMatchObject({ principal: 'events.amazonaws.com', source_arn: `\${${address(resource, 'aws_cloudwatch_event_rule')}.arn}` });
    expect(scheduleExpression(1)).toBe('rate(1 minute)');
  });

  it('invokes at apply time with lifecycle_scope CRUD, after the target and filter exist, and removes the schedule first on destroy', () => {
    const invocation = only(resource, 'aws_lambda_invocation');
    expect(invocation.lifecycle_scope).toBe('CRUD');
    const input = JSON.parse(invocation.input);
    expect(input).toMatchObject({ action: 'reconcile', mirrorTargetId: '${aws_ec2_traffic_mirror_target.target.id}', mirrorFilterId: '${aws_ec2_traffic_mirror_filter.filter.id}' });
    expect(invocation.depends_on).toEqual([address(resource, 'aws_iam_role_policy'), address(resource, 'aws_cloudwatch_log_group')]);
    expect(only(resource, 'aws_cloudwatch_event_target').depends_on).toEqual([address(resource, 'aws_lambda_permission'), address(resource, 'aws_lambda_invocation')]);
  });

  it('grants least privilege, enforced by IAM conditions', () => {
    const policy = JSON.parse(only(resource, 'aws_iam_role_policy').policy);
    const statement = (sid: string) => policy.Statement.find((s: { Sid: string }) => s.Sid === sid);
    expect(statement('DiscoverSources').Resource).toBe('*');
    expect(statement('DiscoverSources').Action.every((a: string) => /^(ec2|elasticloadbalancing|ecs):(Describe|List)/.test(a))).toBe(true);
    expect(statement('CreateSessionsTowardOurTargetAndFilter').Resource).toEqual(['${aws_ec2_traffic_mirror_target.target.arn}', '${aws_ec2_traffic_mirror_filter.filter.arn}']);
    expect(statement('CreateSessionsOnlyWithOurOwnershipTag')).toEqual({
      Sid: 'CreateSessionsOnlyWithOurOwnershipTag', Effect: 'Allow', Action: 'ec2:CreateTrafficMirrorSession',
      Resource: ['arn:aws:ec2:eu-west-1:*:network-interface/*', 'arn:aws:ec2:eu-west-1:*:traffic-mirror-session/*'],
      Condition: { StringEquals: { 'aws:RequestTag/traceable:mirroring-stack': 'prod' } },
    });
    expect(statement('TagSessionsOnlyOnCreation').Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateTrafficMirrorSession' } });
    expect(statement('DeleteOnlyOwnedSessions')).toEqual({
      Sid: 'DeleteOnlyOwnedSessions', Effect: 'Allow', Action: 'ec2:DeleteTrafficMirrorSession',
      Resource: 'arn:aws:ec2:eu-west-1:*:traffic-mirror-session/*',
      Condition: { StringEquals: { 'aws:ResourceTag/traceable:mirroring-stack': 'prod' } },
    });
    expect(statement('WriteOwnLogs').Resource).toBe(`\${${address(resource, 'aws_cloudwatch_log_group')}.arn}:*`);
    expect(policy.Statement).toHaveLength(6);
  });

  it('keeps logs with retention and alarms on function errors', () => {
    expect(only(resource, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/aws/lambda/prod-mirror-sessions', retention_in_days: 30 });
    expect(only(resource, 'aws_cloudwatch_metric_alarm')).toMatchObject({ namespace: 'AWS/Lambda', metric_name: 'Errors', threshold: 0, comparison_operator: 'GreaterThanThreshold' });
  });

  it('gives the same source_code_hash over two synths and the same zip bytes over two builds', () => {
    const again = synth();
    expect(only(again.resource, 'aws_lambda_function').source_code_hash).toBe(only(resource, 'aws_lambda_function').source_code_hash);
    const first = buildSessionLambdaBundle(mkdtempSync(path.join(tmpdir(), 'session-lambda-')));
    const second = buildSessionLambdaBundle(mkdtempSync(path.join(tmpdir(), 'session-lambda-')));
    expect(readFileSync(second.zipPath).equals(readFileSync(first.zipPath))).toBe(true);
    expect(second.sourceCodeHash).toBe(first.sourceCodeHash);
  });

  it('refuses an interval not longer than the timeout', () => {
    expect(() => synth({ timeoutSeconds: 900, intervalMinutes: 15 })).toThrow('SessionLambda: intervalMinutes (15) must be longer than timeoutSeconds (900 s) so runs never overlap');
  });
});
