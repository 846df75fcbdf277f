import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { parseRecord, retryMessageBody } from '../../lambda/events';
import { runModeOf } from '../../lambda/handler';
import { simEvents, type SimAccount } from '../../scripts/lambda-sim/account';
import { STACK, simulatedHandler } from '../../scripts/lambda-sim/harness';

const TG = (account: SimAccount) => account.targetGroups.find((g) => g.name === 'web')!;

function setup(env: Record<string, string> = {}) {
  const simulated = simulatedHandler({ env });
  const web = simulated.account.addTargetGroup('web');
  return { ...simulated, web };
}

const interfaceFilter = (account: SimAccount) =>
  account.lookups.filter((l) => l.action === 'DescribeTrafficMirrorSessions').map((l) => l.filters.map((f) => f.Name));

describe('fast path: events -> targeted runs on the simulated account', () => {
  it('one event: one targeted create, no full discovery (only that instance resolved, only its sessions read)', async () => {
    // Prepare
    const { account, invoke, deliver, web } = setup();
    account.addInstanceTargets(web, 20);
    await invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
    const [added] = account.addInstanceTargets(web, 1);
    account.resetCalls();
    account.putEvent(simEvents.instanceRunning(account, added.id));
    account.clock.advance(12_000);
    // Act
    const response = await deliver();
    // Assess
    expect(response.mode).toBe('event');
    expect(response.batchItemFailures).toEqual([]);
    expect(response.summary).toMatchObject({ created: 1, deleted: 0, discoveredTargets: 1, candidateInterfaces: 1, wanted: 1 });
    expect(response.summary.events).toEqual({
      messages: 1, ignored: 0, subjects: 1, mirrored: 1, alreadyMirrored: 0, notWanted: 0, retriesQueued: 0, leftToSchedule: 0, failed: 0,
      eventToSessionMs: { count: 1, median: 12_000, max: 12_000 },
    });
    expect(account.sessionsOn(added.primaryInterfaceId)).toHaveLength(1);
    expect(account.calls).toEqual({
      DescribeTargetGroups: 1, DescribeTargetHealth: 1, DescribeInstances: 1, DescribeTrafficMirrorSessions: 1, CreateTrafficMirrorSession: 1,
    });
    expect(account.lookups.find((l) => l.action === 'DescribeInstances')!.filters).toEqual([{ Name: 'instance-id', Values: [added.id] }]);
    expect(interfaceFilter(account)).toEqual([['network-interface-id']]);
  });

  it('an event for an instance that is not a wanted source does nothing: no lookups of it, no session, no retry', async () => {
    // Prepare
    const { account, deliver, web } = setup();
    account.addInstanceTargets(web, 3);
    const stranger = account.addInstance();
    account.putEvent(simEvents.instanceRunning(account, stranger.id));
    // Act
    const response = await deliver();
    // Assess
    expect(response.summary.events).toMatchObject({ subjects: 1, notWanted: 1, mirrored: 0, retriesQueued: 0 });
    expect(response.batchItemFailures).toEqual([]);
    expect(account.calls).toEqual({ DescribeTargetGroups: 1, DescribeTargetHealth: 1 });
    expect(account.sessions.size).toBe(0);
    expect(account.queue).toEqual([]);
  });

  it('a wanted source skipped by the same rules as the schedule (instance type, 3 sessions) gets nothing', async () => {
    // Prepare
    const { account, deliver, web } = setup();
    const [xen] = account.addInstanceTargets(web, 1, { type: 't2.micro' });
    const [full] = account.addInstanceTargets(web, 1);
    for (const n of [1, 2, 3]) account.addForeignSession(full.primaryInterfaceId, n);
    account.putEvent(simEvents.instanceRunning(account, xen.id));
    account.putEvent(simEvents.instanceRunning(account, full.id));
    // Act
    const { summary } = await deliver();
    // Assess
    expect(summary).toMatchObject({ created: 0, skippedByReason: { 'instance-type-xen-not-supported': 1, 'interface-session-limit': 1 } });
    expect(summary.events).toMatchObject({ notWanted: 2, retriesQueued: 0 });
    expect(account.queue).toEqual([]);
  });

  it('a burst of 50 launches (EC2 and Auto Scaling events, 100 messages) is one run with a fixed number of calls', async () => {
    // Prepare
    const { account, deliver, web } = setup();
    account.addInstanceTargets(web, 200);
    const burst = account.addInstanceTargets(web, 50);
    for (const instance of burst) {
      account.putEvent(simEvents.instanceRunning(account, instance.id));
      account.putEvent(simEvents.autoScalingLaunch(account, instance.id));
    }
    // Act
    const response = await deliver(100);
    // Assess
    expect(response.summary).toMatchObject({ created: 50, discoveredTargets: 50, candidateInterfaces: 50 });
    expect(response.summary.events).toMatchObject({ messages: 100, subjects: 50, mirrored: 50 });
    expect(account.calls).toEqual({
      DescribeTargetGroups: 1, DescribeTargetHealth: 1, DescribeInstances: 1, DescribeTrafficMirrorSessions: 1, CreateTrafficMirrorSession: 50,
    });
    expect(account.ownedSessions(STACK)).toHaveLength(50);
  });

  it('an unhealthy target is retried through the queue with a delay and mirrored once healthy', async () => {
    // Prepare
    const { account, deliver, web } = setup();
    const [late] = account.addInstanceTargets(web, 1, { health: 'initial' });
    account.putEvent(simEvents.instanceRunning(account, late.id));
    const first = await deliver();
    const target = TG(account).targets.find((t) => t.id === late.id)!;
    target.health = 'healthy';
    const visibleEarly = account.receive();
    // Act
    account.clock.advance(15_000);
    const retried = await deliver();
    // Assess
    expect(first.summary).toMatchObject({ created: 0, skippedByReason: { 'target-unhealthy': 1 } });
    expect(first.summary.events).toMatchObject({ retriesQueued: 1 });
    expect(first.summary.apiCalls.SendMessageBatch).toBe(1);
    expect(visibleEarly).toEqual([]);
    expect(retried.summary).toMatchObject({ created: 1 });
    expect(retried.summary.events).toMatchObject({ mirrored: 1, retriesQueued: 0 });
    expect(retried.summary.events!.eventToSessionMs!.max).toBeGreaterThanOrEqual(15_000);
    expect(retried.summary.events!.eventToSessionMs!.max).toBeLessThan(16_000);
    expect(account.sessionsOn(late.primaryInterfaceId)).toHaveLength(1);
  });

  it('retries a bounded number of times, then leaves the target to the schedule', async () => {
    // Prepare
    const { account, deliver, web } = setup({ EVENT_RETRY_DELAYS_SECONDS: '[10,20]' });
    const [sick] = account.addInstanceTargets(web, 1, { health: 'unhealthy' });
    account.putEvent(simEvents.instanceRunning(account, sick.id));
    const fates: unknown[] = [];
    // Act
    for (let run = 0; run < 5 && account.queue.length > 0; run++) {
      account.clock.advance(Math.max(0, account.nextVisibleAt()! - account.clock.now()));
      const { summary } = await deliver();
      fates.push({ retriesQueued: summary.events!.retriesQueued, leftToSchedule: summary.events!.leftToSchedule });
    }
    // Assess
    expect(fates).toEqual([{ retriesQueued: 1, leftToSchedule: 0 }, { retriesQueued: 1, leftToSchedule: 0 }, { retriesQueued: 0, leftToSchedule: 1 }]);
    expect(account.queue).toEqual([]);
  });

  it('an Auto Scaling launch not yet registered is retried until the group registers it', async () => {
    // Prepare
    const { account, deliver, web } = setup();
    const instance = account.addInstance();
    account.putEvent(simEvents.autoScalingLaunch(account, instance.id));
    const first = await deliver();
    web.targets.push({ id: instance.id, health: 'healthy' });
    account.clock.advance(15_000);
    // Act
    const second = await deliver();
    // Assess
    expect(first.summary.events).toMatchObject({ notWanted: 0, retriesQueued: 1 });
    expect(second.summary.events).toMatchObject({ mirrored: 1 });
  });

  it('reports only the messages of a failing interface as batch item failures', async () => {
    // Prepare
    const { account, deliver, web } = setup();
    const [broken, fine] = account.addInstanceTargets(web, 2);
    account.failCreate = (eni) => (eni === broken.primaryInterfaceId ? new EC2ServiceException({ name: 'InternalError', $fault: 'server', $metadata: {}, message: 'boom' }) : undefined);
    account.putEvent(simEvents.instanceRunning(account, broken.id));
    account.putEvent(simEvents.instanceRunning(account, fine.id));
    const brokenMessage = account.queue[0].messageId;
    // Act
    const response = await deliver();
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: brokenMessage }]);
    expect(response.summary.events).toMatchObject({ mirrored: 1, failed: 1 });
  });

  it('resolves ip targets through the instance interfaces (one filtered DescribeNetworkInterfaces)', async () => {
    // Prepare
    const { account, deliver } = setup({ MIRROR_SOURCES: '["pods"]' });
    const pods = account.addTargetGroup('pods', { targetType: 'ip' });
    const [, added] = account.addInstanceTargets(pods, 2);
    account.putEvent(simEvents.instanceRunning(account, added.id));
    // Act
    const { summary } = await deliver();
    // Assess
    expect(summary).toMatchObject({ created: 1, discoveredTargets: 1 });
    expect(account.sessionsOn(added.primaryInterfaceId)).toHaveLength(1);
    expect(account.calls.DescribeNetworkInterfaces).toBe(2);
  });

  it('ECS_CLUSTER: a task event mirrors the task interface, a bridge task its host, a Fargate task nothing', async () => {
    // Prepare
    const { account, deliver } = setup({ MIRROR_SOURCE_TYPE: 'ECS_CLUSTER', MIRROR_SOURCES: '["prod"]' });
    const [hostA, hostB] = [account.addInstance(), account.addInstance()];
    const taskEni = account.addInterface({ instanceId: hostA.id });
    account.clusters.set('prod', {
      containerInstances: [{ arn: 'ci-a', instanceId: hostA.id, status: 'ACTIVE' }, { arn: 'ci-b', instanceId: hostB.id, status: 'ACTIVE' }],
      tasks: [
        { arn: 'task-awsvpc', launchType: 'EC2', interfaceId: taskEni.id, containerInstanceArn: 'ci-a', lastStatus: 'RUNNING' },
        { arn: 'task-bridge', launchType: 'EC2', containerInstanceArn: 'ci-b', lastStatus: 'RUNNING' },
        { arn: 'task-fargate', launchType: 'FARGATE', interfaceId: account.addInterface().id, lastStatus: 'RUNNING' },
      ],
    });
    for (const task of ['task-awsvpc', 'task-bridge', 'task-fargate']) account.putEvent(simEvents.taskRunning(account, 'prod', task));
    // Act
    const { summary } = await deliver();
    // Assess
    expect(summary).toMatchObject({ created: 2, skippedByReason: { 'fargate-task': 1 } });
    expect(summary.events).toMatchObject({ subjects: 3, mirrored: 2, notWanted: 1 });
    expect(account.sessionsOn(taskEni.id)).toHaveLength(1);
    expect(account.sessionsOn(hostB.primaryInterfaceId)).toHaveLength(1);
    expect(account.sessionsOn(hostA.primaryInterfaceId)).toHaveLength(0);
    expect(account.calls).toMatchObject({ DescribeTasks: 1, DescribeContainerInstances: 1 });
    expect(account.calls.ListTasks).toBeUndefined();
    expect(account.calls.ListContainerInstances).toBeUndefined();
  });

  it('ECS_CLUSTER: an instance event finds its container instance with one filtered ListContainerInstances', async () => {
    // Prepare
    const { account, deliver } = setup({ MIRROR_SOURCE_TYPE: 'ECS_CLUSTER', MIRROR_SOURCES: '["prod"]' });
    const [member, other] = [account.addInstance(), account.addInstance()];
    account.clusters.set('prod', { containerInstances: [{ arn: 'ci-1', instanceId: member.id, status: 'ACTIVE' }], tasks: [] });
    account.putEvent(simEvents.instanceRunning(account, member.id));
    account.putEvent(simEvents.instanceRunning(account, other.id));
    // Act
    const { summary } = await deliver();
    // Assess
    expect(summary.events).toMatchObject({ mirrored: 1, notWanted: 1 });
    expect(account.calls).toMatchObject({ ListContainerInstances: 1, DescribeContainerInstances: 1 });
  });

  it('drops messages it does not understand without calling AWS, and keeps the scheduled run as it was', async () => {
    // Prepare
    const { account, invoke, web } = setup();
    account.addInstanceTargets(web, 1);
    // Act
    const garbage = await invoke({ Records: [{ messageId: 'm-1', body: 'not json', eventSource: 'aws:sqs' }, { messageId: 'm-2', body: '{"source":"aws.ec2","time":"2026-01-01T00:00:00Z","detail-type":"EC2 Instance State-change Notification","detail":{"instance-id":"i-1","state":"stopped"}}', eventSource: 'aws:sqs' }] });
    const scheduled = await invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
    // Assess
    expect(garbage.summary.events).toMatchObject({ messages: 2, ignored: 2, subjects: 0 });
    expect(garbage.summary.apiCalls).toEqual({});
    expect(garbage.batchItemFailures).toEqual([]);
    expect(scheduled.mode).toBe('reconcile');
    expect(scheduled.summary.events).toBeUndefined();
    expect(scheduled.summary.created).toBe(1);
  });
});

describe('event messages', () => {
  it('parses the three rules and the retry messages, carrying the original time and the attempt', () => {
    // Prepare
    const time = '2026-03-01T10:00:00Z';
    const asg = { messageId: 'm', eventSource: 'aws:sqs', body: JSON.stringify({ source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', time, detail: { EC2InstanceId: 'i-9' } }) };
    // Act
    const parsed = parseRecord(asg)!;
    const retry = parseRecord({ messageId: 'r', body: retryMessageBody(parsed) })!;
    // Assess
    expect(parsed).toEqual({ messageId: 'm', subject: { kind: 'instance', id: 'i-9' }, origin: 'autoscaling', eventTime: Date.parse(time), attempt: 0 });
    expect(retry).toEqual({ ...parsed, messageId: 'r', attempt: 1 });
    expect(runModeOf({ Records: [asg] })).toBe('event');
  });
});
