import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { TooManyRequestsException } from '@aws-sdk/client-lambda';
import { TerraformStack, Testing } from 'cdktf';
import { SessionLambda } from '../../modules/session-lambda';
import type { HandlerResponse } from '../../lambda/handler';
import { CLEANUP_FUNCTION, SESSION_FUNCTION, STACK, simulatedHandler } from '../../scripts/lambda-sim/harness';
import { accessDenied, type SimOptions } from '../../scripts/lambda-sim/account';

const OWNER_TAG = 'traceable:mirroring-stack';

function setup(options: SimOptions & { env?: Record<string, string> } = {}) {
  const simulated = simulatedHandler(options);
  return { ...simulated, web: simulated.account.addTargetGroup('web') };
}

const mutatingCalls = (calls: Record<string, number>) => (calls.CreateTrafficMirrorSession ?? 0) + (calls.DeleteTrafficMirrorSession ?? 0);

describe('mirror-session Lambda on the simulated account', () => {
  it('creates owned, tagged sessions for healthy targets, then a second run makes zero mutating calls', async () => {
    // Prepare
    const { account, invoke, web, logs } = setup();
    const instances = account.addInstanceTargets(web, 3);
    // Act
    const first = await invoke();
    account.resetCalls();
    const second = await invoke();
    // Assess
    expect(first.summary).toMatchObject({ created: 3, deleted: 0, wanted: 3, errors: 0, complete: true, skipped: 0 });
    const session = account.sessionsOn(instances[0].primaryInterfaceId)[0];
    expect(session).toMatchObject({ targetId: 'tmt-ours', filterId: 'tmf-ours', sessionNumber: 1 });
    expect(session).not.toHaveProperty('packetLength'); // toward the NLB: the whole packet, up to AWS's 8,500 bytes
    expect(session.tags).toEqual([
      { Key: OWNER_TAG, Value: STACK },
      { Key: 'traceable:mirroring-source', Value: 'tg/web' },
      { Key: 'Name', Value: `${STACK}-${instances[0].primaryInterfaceId}` },
    ]);
    expect(second.summary).toMatchObject({ created: 0, deleted: 0, unchanged: 3 });
    expect(mutatingCalls(account.calls)).toBe(0);
    expect(logs).toHaveLength(2);
    const line = JSON.parse(logs[0]);
    expect(line.message).toBe('mirror-session run summary');
    expect(line.SessionsCreated).toBe(3);
    expect(line._aws.CloudWatchMetrics[0].Namespace).toBe('Traceable/TrafficMirroring');
    expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Stack']]);
  });

  it('backs off and retries on throttling, counting the retries', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    account.addInstanceTargets(web, 10);
    let calls = 0;
    account.throttle = (action) => action !== 'DescribeTargetGroups' && ++calls % 4 === 0;
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary.created).toBe(10);
    expect(summary.errors).toBe(0);
    expect(summary.throttledRetries).toBe(Math.floor(calls / 4));
    expect(summary.throttledRetries).toBeGreaterThan(0);
  });

  it('retries InternalError, isolates an interface that keeps failing, and creates the rest', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    const [flaky, broken, fine] = account.addInstanceTargets(web, 3);
    const internalError = () => new EC2ServiceException({ name: 'InternalError', $fault: 'server', $metadata: {}, message: 'An internal error has occurred' });
    account.failCreate = (eni, attempt) => (eni === broken.primaryInterfaceId || (eni === flaky.primaryInterfaceId && attempt === 1) ? internalError() : undefined);
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary.created).toBe(2);
    expect(summary.errors).toBe(1);
    expect(summary.errorSamples).toEqual([{ action: 'CreateTrafficMirrorSession', resource: broken.primaryInterfaceId, code: 'InternalError', message: 'An internal error has occurred' }]);
    expect(summary.transientRetries).toBe(1 + 7);
    expect(account.sessionsOn(fine.primaryInterfaceId)).toHaveLength(1);
  });

  it('skips an interface that vanished between discovery and creation', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    const [doomed] = account.addInstanceTargets(web, 2);
    account.beforeCreate = (eni) => eni === doomed.primaryInterfaceId && account.removeInterface(eni);
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary.created).toBe(1);
    expect(summary.errors).toBe(0);
    expect(summary.skippedByReason).toEqual({ 'interface-vanished': 1 });
  });

  it('leaves foreign sessions alone, takes a number above them, and skips interfaces at 3 sessions', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    const [shared, full] = account.addInstanceTargets(web, 2);
    const outsider = account.addInstance();
    account.addForeignSession(shared.primaryInterfaceId, 7);
    for (const n of [1, 2, 3]) account.addForeignSession(full.primaryInterfaceId, n);
    const foreignElsewhere = account.addForeignSession(outsider.primaryInterfaceId, 1, { [OWNER_TAG]: 'another-stack' });
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary).toMatchObject({ created: 1, deleted: 0, skippedByReason: { 'interface-session-limit': 1 } });
    expect(account.sessionsOn(shared.primaryInterfaceId).map((s) => s.sessionNumber).sort()).toEqual([7, 8]);
    expect(account.sessions.has(foreignElsewhere.id)).toBe(true);
    expect(account.calls.DeleteTrafficMirrorSession).toBeUndefined();
  });

  it('counts a hand-made session to our target and filter: no second session, no ownership taken, none deleted', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    const [byHand, other] = account.addInstanceTargets(web, 2);
    const handMade = account.addForeignSession(byHand.primaryInterfaceId, 1, { Name: 'made by hand' }, 'tmt-ours');
    handMade.filterId = 'tmf-ours';
    // Act
    const { summary } = await invoke();
    const sessionsAfterReconcile = [account.sessionsOn(byHand.primaryInterfaceId), account.sessionsOn(other.primaryInterfaceId).length];
    const cleanup = await invoke({ action: 'cleanup' });
    // Assess
    expect(summary).toMatchObject({ created: 1, unchanged: 1, mirroredByHand: 1, wanted: 2, errors: 0 });
    expect(sessionsAfterReconcile).toEqual([[handMade], 1]);
    expect(cleanup.summary.deleted).toBe(1);
    expect(account.sessions.has(handMade.id)).toBe(true);
  });

  it('leaves a foreign session someone tagged as ours alone, in reconcile and in cleanup', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    const [instance] = account.addInstanceTargets(web, 1);
    account.iamOwner = undefined;
    const forged = account.addForeignSession(instance.primaryInterfaceId, 1, { [OWNER_TAG]: STACK });
    // Act
    const { summary } = await invoke();
    const cleanup = await invoke({ action: 'cleanup' });
    // Assess
    expect(summary).toMatchObject({ created: 1, deleted: 0 });
    expect(cleanup.summary).toMatchObject({ deleted: 1, errors: 0 });
    expect(account.sessions.has(forged.id)).toBe(true);
    expect(account.calls.DeleteTrafficMirrorSession).toBe(1);
  });

  it('labels a session with the configured target group a load balancer uses, not one that carries no traffic', async () => {
    // Prepare: the instance is in both configured groups; only "web-live" is behind a load balancer.
    const { account, invoke } = setup({ env: { MIRROR_SOURCES: '["a-unused","web-live"]' } });
    const live = account.addTargetGroup('web-live', { loadBalancer: account.addLoadBalancer('shop-alb') });
    const unused = account.addTargetGroup('a-unused');
    const [instance] = account.addInstanceTargets(live, 1);
    unused.targets.push({ id: instance.id, health: 'healthy' });
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary.created).toBe(1);
    expect(account.sessionsOn(instance.primaryInterfaceId)[0].tags).toContainEqual({ Key: 'traceable:mirroring-source', Value: 'tg/web-live' });
  });

  it('refuses unsupported instance types and learns from NetworkInterfaceNotSupported once per type', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    account.addInstanceTargets(web, 1, { type: 't2.micro' });
    account.addInstanceTargets(web, 1, { type: 'm5.metal' });
    account.addInstanceTargets(web, 1, { type: 'm6i.large' });
    account.addInstanceTargets(web, 1, { type: 'm4.large' });
    account.addInstanceTargets(web, 3, { type: 'z9x.large' });
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary.created).toBe(1);
    expect(summary.skippedByReason).toEqual({
      'instance-bare-metal': 1,
      'instance-type-not-supported': 1,
      'instance-type-rejected-by-ec2': 3,
      'instance-type-xen-not-supported': 1,
    });
    expect(summary.rejectedInstanceTypes).toEqual(['z9x.large']);
    expect(account.calls.CreateTrafficMirrorSession).toBe(2);
    expect(account.calls.DescribeInstanceTypes).toBe(1);
  });

  it('remembers a type EC2 refused in its log group: the next run makes no create for it, and a second unchanged run no mutating call', async () => {
    // Prepare: the deployed function reads its own log group (Lambda sets AWS_LAMBDA_LOG_GROUP_NAME).
    const { account, invoke, web } = setup({ env: { AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${SESSION_FUNCTION}` } });
    account.addInstanceTargets(web, 2, { type: 'z9x.large' });
    account.addInstanceTargets(web, 1);
    const first = await invoke();
    account.resetCalls();
    account.clock.advance(15 * 60_000);
    // Act
    const second = await invoke();
    const secondCalls = { ...account.calls };
    account.clock.advance(15 * 60_000);
    const third = await invoke();
    // Assess
    expect(first.summary).toMatchObject({ created: 1, rejectedInstanceTypes: ['z9x.large'], skippedByReason: { 'instance-type-rejected-by-ec2': 2 } });
    expect(second.summary).toMatchObject({ created: 0, unchanged: 1, rejectedInstanceTypes: ['z9x.large'], skippedByReason: { 'instance-type-rejected-by-ec2': 2 } });
    expect(secondCalls.CreateTrafficMirrorSession).toBeUndefined();
    expect(secondCalls.FilterLogEvents).toBe(1);
    expect(third.summary.rejectedInstanceTypes).toEqual(['z9x.large']);
    expect(mutatingCalls(account.calls)).toBe(0);
  });

  it('mirrors only healthy targets unless MIRROR_UNHEALTHY_TARGETS is true', async () => {
    // Prepare
    const strict = setup();
    strict.account.addInstanceTargets(strict.web, 2);
    strict.account.addInstanceTargets(strict.web, 1, { health: 'unhealthy' });
    strict.account.addInstanceTargets(strict.web, 1, { health: 'draining' });
    const lenient = setup({ env: { MIRROR_UNHEALTHY_TARGETS: 'true' } });
    lenient.account.addInstanceTargets(lenient.web, 1, { health: 'unhealthy' });
    // Act
    const strictRun = await strict.invoke();
    const lenientRun = await lenient.invoke();
    // Assess
    expect(strictRun.summary).toMatchObject({ created: 2, skippedByReason: { 'target-unhealthy': 2 } });
    expect(lenientRun.summary).toMatchObject({ created: 1, skipped: 0 });
  });

  it('deletes our session of a deregistered target but keeps those of a source whose discovery failed', async () => {
    // Prepare
    const { account, invoke, web } = setup({ env: { MIRROR_SOURCES: '["web","api"]' } });
    const api = account.addTargetGroup('api');
    account.addInstanceTargets(web, 2);
    account.addInstanceTargets(api, 1);
    await invoke();
    web.targets.pop();
    account.throttle = (action, input) => action === 'DescribeTargetHealth' && input.TargetGroupArn === api.arn;
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary).toMatchObject({ deleted: 1, keptForFailedSources: 1, created: 0 });
    expect(summary.failedSources).toEqual([{ source: 'tg/api', error: 'Throttling: Rate exceeded' }]);
    expect(account.ownedSessions(STACK)).toHaveLength(2);
  });

  it('converges over several runs under a time budget, never running past the timeout', async () => {
    // Prepare
    const { account, invoke, web } = setup({ latencyMs: 20, buckets: { describe: { burst: 100, perSecond: 20 }, mutate: { burst: 50, perSecond: 5 } } });
    account.addInstanceTargets(web, 400);
    const runs: { created: number; deferred: number; endedBeforeDeadline: boolean }[] = [];
    // Act
    for (let run = 0; run < 10; run++) {
      const { summary, endedBeforeDeadline } = await invoke({}, 60_000);
      runs.push({ created: summary.created, deferred: summary.deferredCreates, endedBeforeDeadline });
      if (summary.complete) break;
    }
    // Assess: about 55 s of budget per run at 5 creates/s, plus the burst of 50 in the first run -> 2 runs for 400.
    expect(account.ownedSessions(STACK)).toHaveLength(400);
    expect(runs.map((r) => r.endedBeforeDeadline)).toEqual([true, true]);
    expect(runs[0].created).toBeGreaterThanOrEqual(300);
    expect(runs.reduce((sum, r) => sum + r.created, 0)).toBe(400);
    expect(runs[0].deferred).toBe(400 - runs[0].created);
    expect(account.calls.RequestLimitExceeded).toBeUndefined();
  });

  it('stops cleanly when the time budget runs out during discovery, deleting nothing', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    account.addInstanceTargets(web, 2);
    await invoke();
    account.resetCalls();
    account.throttle = (action) => action === 'DescribeTargetHealth';
    // Act
    // 7 s of budget: less than the shortest possible sum of 7 jittered backoffs (11.3 s), so the budget always ends it first.
    const { summary, endedBeforeDeadline } = await invoke({}, 12_000);
    // Assess
    expect(summary).toMatchObject({ complete: false, created: 0, deleted: 0, errors: 1 });
    expect(summary.errorSamples).toEqual([{ action: 'discovery', resource: STACK, code: 'TimeBudgetExhaustedError', message: 'time budget exhausted before DescribeTargetHealth' }]);
    expect(endedBeforeDeadline).toBe(true);
    expect(mutatingCalls(account.calls)).toBe(0);
    expect(account.ownedSessions(STACK)).toHaveLength(2);
  });

  it('dry run returns the planned creates and deletes without mutating anything', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    const [instance] = account.addInstanceTargets(web, 1);
    // Act
    const response = await invoke({ dryRun: true });
    // Assess
    expect(response.mode).toBe('dry-run');
    expect(response.plannedCreates).toEqual([{ interfaceId: instance.primaryInterfaceId, sessionNumber: 1, source: 'tg/web', instanceType: 'm5.large' }]);
    expect(response.plannedDeletes).toEqual([]);
    expect(mutatingCalls(account.calls)).toBe(0);
  });

  it.each([
    ['terraform destroy (lifecycle_scope CRUD)', { action: 'reconcile', tf: { action: 'delete', prev_input: { action: 'reconcile' } } }],
    ['an explicit cleanup', { action: 'cleanup' }],
  ])('deletes every owned session and nothing else on %s', async (_name, event) => {
    // Prepare
    const { account, invoke, web } = setup();
    account.addInstanceTargets(web, 3);
    await invoke();
    const foreign = account.addForeignSession(account.addInstance().primaryInterfaceId, 1);
    // Act
    const response = await invoke(event);
    // Assess
    expect(response.mode).toBe('cleanup');
    expect(response.summary).toMatchObject({ deleted: 3, errors: 0, complete: true });
    expect(account.ownedSessions(STACK)).toEqual([]);
    expect([...account.sessions.keys()]).toEqual([foreign.id]);
  });
});

describe('failures that end a run successfully reach the alarms', () => {
  // The alarms as the stack synthesizes them (modules/session-lambda.ts), read back from the Terraform JSON.
  const alarms = (() => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'alarms');
    new SessionLambda(stack, 'sessions', {
      namePrefix: STACK, region: 'us-east-1', mirrorTargetId: 'tmt-ours', mirrorTargetArn: 'arn:aws:ec2:us-east-1:111122223333:traffic-mirror-target/tmt-ours',
      mirrorFilterId: 'tmf-ours', mirrorFilterArn: 'arn:aws:ec2:us-east-1:111122223333:traffic-mirror-filter/tmf-ours', sourceType: 'TARGET_GROUP', sources: ['web'],
      alarmActions: ['arn:aws:sns:us-east-1:111122223333:ops'],
    });
    return Object.values(JSON.parse(Testing.synth(stack)).resource.aws_cloudwatch_metric_alarm) as Record<string, any>[];
  })();

  /** The alarms a run summary line (embedded metric format) puts over their threshold. */
  function alarmsFiredBy(line: string): string[] {
    const emf = JSON.parse(line);
    const published = emf._aws.CloudWatchMetrics[0];
    return alarms.filter((alarm) =>
      alarm.namespace === published.Namespace
      && published.Metrics.some((metric: { Name: string }) => metric.Name === alarm.metric_name)
      && Object.entries(alarm.dimensions).every(([name, value]) => published.Dimensions[0].includes(name) && emf[name] === value)
      && emf[alarm.metric_name] > alarm.threshold).map((alarm) => alarm.alarm_name);
  }

  it('a run in which every create is refused (UnauthorizedOperation) counts each error and sets off the session-errors alarm', async () => {
    // Prepare
    const { account, invoke, web, logs } = setup();
    account.addInstanceTargets(web, 3);
    account.refuse = (action) => (action === 'CreateTrafficMirrorSession' ? accessDenied('ec2', action) : undefined);
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary).toMatchObject({ created: 0, errors: 3, complete: true });
    expect(summary.errorSamples[0]).toMatchObject({ action: 'CreateTrafficMirrorSession', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' });
    expect(alarmsFiredBy(logs[0])).toEqual([`${STACK}-mirror-sessions-session-errors`]);
    expect(alarms.every((alarm) => alarm.alarm_actions[0] === 'arn:aws:sns:us-east-1:111122223333:ops')).toBe(true);
  });

  it('a source whose discovery is refused on every run sets off the failed-sources alarm on every run', async () => {
    // Prepare
    const { account, invoke, web, logs } = setup({ env: { MIRROR_SOURCES: '["web","api"]' } });
    const api = account.addTargetGroup('api');
    account.addInstanceTargets(web, 1);
    account.addInstanceTargets(api, 1);
    account.refuse = (action, input) => (action === 'DescribeTargetHealth' && input.TargetGroupArn === api.arn ? accessDenied('elbv2', action) : undefined);
    // Act
    const runs = [await invoke(), await invoke()];
    // Assess
    for (const { summary } of runs) {
      expect(summary).toMatchObject({ errors: 0, complete: true, failedSources: [{ source: 'tg/api', error: 'AccessDenied: User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth' }] });
    }
    expect(logs.map(alarmsFiredBy)).toEqual([[`${STACK}-mirror-sessions-failed-sources`], [`${STACK}-mirror-sessions-failed-sources`]]);
  });

  it('a clean run sets off none', async () => {
    const { account, invoke, web, logs } = setup();
    account.addInstanceTargets(web, 2);
    await invoke();
    expect(alarmsFiredBy(logs[0])).toEqual([]);
  });
});

describe('terraform destroy against a run in flight', () => {
  it('waits for the in-flight scheduled run, then nothing can start a run, and every owned session is gone', async () => {
    // Prepare: 300 interfaces to mirror under EC2-like rate limits, so the scheduled run lasts about a minute.
    const { account, web, sessionFunction, destroyChain } = setup({ latencyMs: 20, buckets: { describe: { burst: 100, perSecond: 20 }, mutate: { burst: 50, perSecond: 5 } } });
    account.addInstanceTargets(web, 300);
    // Act: the schedule fires, and terraform destroy reaches the cleanup while that run is going.
    const scheduled = account.invokeFunction(SESSION_FUNCTION, { source: 'aws.events', 'detail-type': 'Scheduled Event' }) as Promise<HandlerResponse>;
    const destroyed = destroyChain(2);
    const [run, links] = await Promise.all([scheduled, destroyed]);
    // Assess: the run finished its work, the drain got in only after it ended, and deleted everything it made.
    expect(run.summary.created).toBeGreaterThan(0);
    const outcomes = sessionFunction.log.map(({ event, outcome }) => `${(event as { action?: string }).action ?? 'schedule'}:${outcome}`);
    const throttledDrains = outcomes.filter((o) => o === 'drain:throttled').length;
    expect(throttledDrains).toBeGreaterThan(0);
    expect(outcomes).toEqual(['schedule:started', ...Array(throttledDrains).fill('drain:throttled'), 'schedule:ended', 'drain:started', 'drain:ended']);
    expect(links.map((link) => [link.summary.cleanupLink, link.summary.drain?.state])).toEqual([[{ link: 2, links: 2 }, 'drained'], [{ link: 1, links: 2 }, 'already-drained']]);
    expect(links[0].summary.drain!.throttledAttempts).toBe(throttledDrains);
    expect(account.ownedSessions(STACK)).toEqual([]);
    const firstDelete = account.mutations.findIndex((m) => m.action === 'DeleteTrafficMirrorSession');
    expect(account.mutations.slice(firstDelete).some((m) => m.action === 'CreateTrafficMirrorSession')).toBe(false);
    expect(account.mutations.filter((m) => m.action === 'PutFunctionConcurrency')).toEqual([{ action: 'PutFunctionConcurrency', id: `${SESSION_FUNCTION}=0` }]);
    // Lambda's retry of a throttled schedule event, after the cleanup: refused, so it cannot recreate a session.
    await expect(account.invokeFunction(SESSION_FUNCTION, { source: 'aws.events', 'detail-type': 'Scheduled Event' })).rejects.toThrow(TooManyRequestsException);
    expect(account.ownedSessions(STACK)).toEqual([]);
  });

  it('the cleanup invocations do nothing when Terraform creates or updates them', async () => {
    const { account, web, cleanupFunction } = setup();
    account.addInstanceTargets(web, 2);
    const response = await account.invokeFunction(CLEANUP_FUNCTION, { action: 'cleanup', link: 1, links: 4, tf: { action: 'create', prev_input: null } }) as HandlerResponse;
    expect(response.mode).toBe('idle');
    expect(Object.keys(account.calls)).toEqual([]);
    expect(cleanupFunction.log.map((l) => l.outcome)).toEqual(['started', 'ended']);
  });

  it('an earlier link leaves what it could not delete to the next; the last link fails with the count', async () => {
    // Prepare: 700 owned sessions, 60 s links under EC2-like rate limits (about 300 deletions each).
    const { account, web, invoke, cleanupFunction } = setup({ latencyMs: 20, buckets: { describe: { burst: 100, perSecond: 20 }, mutate: { burst: 50, perSecond: 5 } } });
    account.addInstanceTargets(web, 700);
    for (let run = 0; run < 4 && account.ownedSessions(STACK).length < 700; run++) await invoke();
    cleanupFunction.timeoutMs = 60_000;
    // Act
    const earlier = await account.invokeFunction(CLEANUP_FUNCTION, { action: 'cleanup', link: 2, links: 2, tf: { action: 'delete' } }) as HandlerResponse;
    const left = 700 - earlier.summary.deleted;
    const last = account.invokeFunction(CLEANUP_FUNCTION, { action: 'cleanup', link: 1, links: 2, tf: { action: 'delete' } });
    // Assess
    await expect(last).rejects.toThrow(/^cleanup left \d+ owned sessions; invoke \{"action":"cleanup"\} again$/);
    expect(earlier.summary).toMatchObject({ complete: false, errors: 0, deferredDeletes: left });
    expect(account.ownedSessions(STACK).length).toBeLessThan(left);
  });
});
