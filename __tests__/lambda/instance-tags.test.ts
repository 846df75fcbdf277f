/** MirrorSourceType INSTANCE_TAGS: EC2 instances chosen by tag inside the MirrorSourceVpcId VPCs. */
import { DescribeInstancesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../lambda/aws';
import { discoverSources } from '../../lambda/discovery';
import { tagFilter } from '../../lambda/discovery/instance-tags';
import { simEvents } from '../../scripts/lambda-sim/account';
import { STACK, simulatedHandler } from '../../scripts/lambda-sim/harness';

const OWNER_TAG = 'traceable:mirroring-stack';
const SOURCE_TAG = 'traceable:mirroring-source';

function mockedEc2() {
  const clients: AwsClients = {
    ec2: new EC2Client({ region: 'us-east-1' }),
    elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    elb: new ElasticLoadBalancingClient({ region: 'us-east-1' }),
    ecs: new ECSClient({ region: 'us-east-1' }),
  };
  return { clients, ec2: mockClient(clients.ec2) };
}

const reservation = (...ids: string[]) => ({ Reservations: [{ Instances: ids.map((InstanceId) => ({ InstanceId })) }] });

describe('INSTANCE_TAGS discovery', () => {
  it('asks EC2 once per selector, filtered by VPC, running state and tag; an instance matching two selectors counts once, under the first', async () => {
    // Prepare
    const { clients, ec2 } = mockedEc2();
    ec2.on(DescribeInstancesCommand).callsFake((input: { Filters: { Name: string; Values: string[] }[] }) => {
      const tag = input.Filters.find((f) => f.Name === 'tag:Mirror' || f.Name === 'tag-key');
      return tag?.Name === 'tag:Mirror' ? reservation('i-1', 'i-2') : reservation('i-2', 'i-3');
    });
    // Act
    const result = await discoverSources(clients, { sourceType: 'INSTANCE_TAGS', sources: ['Mirror=True', 'traceable-app'], sourceVpcIds: ['vpc-1', 'vpc-2'] });
    // Assess
    expect(ec2.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input.Filters)).toEqual([
      [{ Name: 'vpc-id', Values: ['vpc-1', 'vpc-2'] }, { Name: 'instance-state-name', Values: ['running'] }, { Name: 'tag:Mirror', Values: ['True'] }],
      [{ Name: 'vpc-id', Values: ['vpc-1', 'vpc-2'] }, { Name: 'instance-state-name', Values: ['running'] }, { Name: 'tag-key', Values: ['traceable-app'] }],
    ]);
    expect(result.targets).toEqual([
      { ref: { kind: 'instance', instanceId: 'i-1' }, source: 'tag/Mirror=True', healthy: true },
      { ref: { kind: 'instance', instanceId: 'i-2' }, source: 'tag/Mirror=True', healthy: true },
      { ref: { kind: 'instance', instanceId: 'i-3' }, source: 'tag/traceable-app', healthy: true },
    ]);
    expect(result.failedSources).toEqual([]);
  });

  it('a selector whose listing EC2 refuses (UnauthorizedOperation) is a failed source; the other selectors still count', async () => {
    // Prepare
    const { clients, ec2 } = mockedEc2();
    const denied = new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: {}, message: 'You are not authorized to perform this operation.' });
    ec2.on(DescribeInstancesCommand).callsFake((input: { Filters: { Name: string }[] }) => {
      if (input.Filters.some((f) => f.Name === 'tag:team')) throw denied;
      return reservation('i-1');
    });
    // Act
    const result = await discoverSources(clients, { sourceType: 'INSTANCE_TAGS', sources: ['team=payments', 'Mirror'], sourceVpcIds: ['vpc-1'] });
    // Assess
    expect(result.failedSources).toEqual([{ source: 'tag/team=payments', error: 'UnauthorizedOperation: You are not authorized to perform this operation.' }]);
    expect(result.targets).toEqual([{ ref: { kind: 'instance', instanceId: 'i-1' }, source: 'tag/Mirror', healthy: true }]);
  });

  it('with an event scope asks only for the named instances, 200 ids per call', async () => {
    // Prepare
    const { clients, ec2 } = mockedEc2();
    ec2.on(DescribeInstancesCommand).resolves(reservation('i-0005'));
    const ids = Array.from({ length: 250 }, (_, i) => `i-${String(i).padStart(4, '0')}`);
    // Act
    const result = await discoverSources(clients, { sourceType: 'INSTANCE_TAGS', sources: ['Mirror=True'], sourceVpcIds: ['vpc-1'] }, { instanceIds: new Set(ids), taskArns: new Set() });
    // Assess
    const idFilters = ec2.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input.Filters!.find((f) => f.Name === 'instance-id')!.Values!.length);
    expect(idFilters).toEqual([200, 50]);
    expect(result.targets).toEqual([{ ref: { kind: 'instance', instanceId: 'i-0005' }, source: 'tag/Mirror=True', healthy: true }]);
  });

  it('turns selectors into EC2 filters: key=value -> tag:key, key -> tag-key, an empty value stays a value', () => {
    expect(tagFilter('Mirror=True')).toEqual({ Name: 'tag:Mirror', Values: ['True'] });
    expect(tagFilter('traceable-app')).toEqual({ Name: 'tag-key', Values: ['traceable-app'] });
    expect(tagFilter('env=')).toEqual({ Name: 'tag:env', Values: [''] });
  });
});

function setup(extraEnv: Record<string, string> = {}) {
  return simulatedHandler({
    env: { MIRROR_SOURCE_TYPE: 'INSTANCE_TAGS', MIRROR_SOURCES: '["Mirror=True"]', MIRROR_SOURCE_VPC_IDS: '["vpc-1"]', ...extraEnv },
  });
}

describe('INSTANCE_TAGS on the simulated account', () => {
  it('mirrors running tagged instances of the VPCs only, owned and tagged with the selector; a second run changes nothing', async () => {
    // Prepare
    const { account, invoke } = setup();
    const tagged = [account.addInstance({ tags: { Mirror: 'True' } }), account.addInstance({ tags: { Mirror: 'True', app: 'shop' } })];
    const untagged = account.addInstance({ tags: { Mirror: 'False' } });
    const otherVpc = account.addInstance({ vpcId: 'vpc-9', tags: { Mirror: 'True' } });
    const stopped = account.addInstance({ tags: { Mirror: 'True' }, state: 'stopped' });
    // Act
    const first = await invoke();
    account.resetCalls();
    const second = await invoke();
    // Assess
    expect(first.summary).toMatchObject({ sourceType: 'INSTANCE_TAGS', discoveredTargets: 2, created: 2, wanted: 2, skipped: 0, errors: 0 });
    for (const instance of tagged) {
      expect(account.sessionsOn(instance.primaryInterfaceId).map((s) => s.tags.slice(0, 2))).toEqual([[{ Key: OWNER_TAG, Value: STACK }, { Key: SOURCE_TAG, Value: 'tag/Mirror=True' }]]);
    }
    for (const instance of [untagged, otherVpc, stopped]) expect(account.sessionsOn(instance.primaryInterfaceId)).toEqual([]);
    expect(second.summary).toMatchObject({ created: 0, deleted: 0, unchanged: 2 });
    expect(account.mutations).toEqual([]);
  });

  it('follows tags: a tag added gets a session at the next run, a tag removed loses ours, a foreign session stays', async () => {
    // Prepare
    const { account, invoke } = setup();
    const [keeps, loses, gains] = [account.addInstance({ tags: { Mirror: 'True' } }), account.addInstance({ tags: { Mirror: 'True' } }), account.addInstance()];
    const foreign = account.addForeignSession(loses.primaryInterfaceId, 1);
    await invoke();
    // Act
    account.tagInstance(loses.id, 'Mirror', undefined);
    account.tagInstance(gains.id, 'Mirror', 'True');
    const { summary } = await invoke();
    // Assess
    expect(summary).toMatchObject({ created: 1, deleted: 1, unchanged: 1 });
    expect(account.sessionsOn(keeps.primaryInterfaceId)).toHaveLength(1);
    expect(account.sessionsOn(gains.primaryInterfaceId)).toHaveLength(1);
    expect(account.sessionsOn(loses.primaryInterfaceId)).toEqual([foreign]);
  });

  it('skips unsupported instance types and interfaces with three sessions, counting each reason', async () => {
    // Prepare
    const { account, invoke } = setup();
    const fine = account.addInstance({ tags: { Mirror: 'True' } });
    account.addInstance({ type: 't2.micro', tags: { Mirror: 'True' } });
    account.addInstance({ type: 'm5.metal', tags: { Mirror: 'True' } });
    account.addInstance({ type: 'm6i.large', tags: { Mirror: 'True' } });
    const full = account.addInstance({ tags: { Mirror: 'True' } });
    for (const number of [1, 2, 3]) account.addForeignSession(full.primaryInterfaceId, number);
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary).toMatchObject({ discoveredTargets: 5, created: 1, skipped: 4 });
    expect(summary.skippedByReason).toEqual({
      'instance-bare-metal': 1, 'instance-type-not-supported': 1, 'instance-type-xen-not-supported': 1, 'interface-session-limit': 1,
    });
    expect(account.sessionsOn(fine.primaryInterfaceId)).toHaveLength(1);
    expect(account.sessionsOn(full.primaryInterfaceId).every((s) => s.targetId === 'tmt-foreign')).toBe(true);
  });

  it('keeps the sessions of a selector whose listing failed instead of deleting them', async () => {
    // Prepare
    const { account, invoke } = setup({ MIRROR_SOURCES: '["Mirror=True","team=payments"]' });
    const [a, b] = [account.addInstance({ tags: { Mirror: 'True' } }), account.addInstance({ tags: { team: 'payments' } })];
    await invoke();
    const denied = new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: {}, message: 'You are not authorized to perform this operation.' });
    account.failDescribeInstances = (filters) => (filters.some((f) => f.Name === 'tag:team') ? denied : undefined);
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary.failedSources).toEqual([{ source: 'tag/team=payments', error: 'UnauthorizedOperation: You are not authorized to perform this operation.' }]);
    expect(summary).toMatchObject({ deleted: 0, keptForFailedSources: 1 });
    expect(account.sessionsOn(a.primaryInterfaceId)).toHaveLength(1);
    expect(account.sessionsOn(b.primaryInterfaceId)).toHaveLength(1);
  });
});

describe('INSTANCE_TAGS fast path', () => {
  it('an instance entering running with the tag gets its session from one targeted run, asking EC2 only about it', async () => {
    // Prepare
    const { account, invoke, deliver } = setup();
    for (let i = 0; i < 5; i++) account.addInstance({ tags: { Mirror: 'True' } });
    await invoke();
    const added = account.addInstance({ tags: { Mirror: 'True' } });
    account.resetCalls();
    account.putEvent(simEvents.instanceRunning(account, added.id));
    account.clock.advance(3_000);
    // Act
    const response = await deliver();
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(response.summary).toMatchObject({ mode: 'event', discoveredTargets: 1, created: 1, deleted: 0 });
    expect(response.summary.events).toMatchObject({ subjects: 1, mirrored: 1, notWanted: 0, eventToSessionMs: { count: 1, median: 3_000, max: 3_000 } });
    expect(account.sessionsOn(added.primaryInterfaceId)).toHaveLength(1);
    expect(account.lookups.filter((l) => l.action === 'DescribeInstances').map((l) => l.filters.find((f) => f.Name === 'instance-id')?.Values)).toEqual([[added.id], [added.id]]);
    expect(account.calls).toEqual({ DescribeInstances: 2, DescribeTrafficMirrorSessions: 1, CreateTrafficMirrorSession: 1 });
  });

  it('an untagged instance entering running gets nothing and no retry', async () => {
    // Prepare
    const { account, deliver } = setup();
    const stranger = account.addInstance({ tags: { Mirror: 'False' } });
    account.putEvent(simEvents.instanceRunning(account, stranger.id));
    // Act
    const response = await deliver();
    // Assess
    expect(response.summary.events).toMatchObject({ subjects: 1, notWanted: 1, mirrored: 0, retriesQueued: 0 });
    expect(account.sessions.size).toBe(0);
    expect(account.queue).toEqual([]);
  });
});
