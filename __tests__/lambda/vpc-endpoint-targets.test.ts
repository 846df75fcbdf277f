/**
 * Target selection vpc-endpoint (Gateway Load Balancer mode) on the simulated account: the stack's traffic mirror
 * targets sit on Gateway Load Balancer endpoints, one per (VPC, zone); each source interface is mirrored to the target
 * of its own VPC, never to another VPC's.
 */
import { simEvents } from '../../scripts/lambda-sim/account';
import { STACK, simulatedHandler } from '../../scripts/lambda-sim/harness';

const OWNER_TAG = 'traceable:mirroring-stack';

/**
 * VPC A: endpoints of the stack in us-east-1a and us-east-1b, sources in 1a, 1b and 1c. VPC B: sources in 1a and no
 * endpoint of the stack (another stack's endpoint target is there).
 */
function twoVpcs() {
  const simulated = simulatedHandler({ env: { MIRROR_TARGET_SELECTION: 'vpc-endpoint', MIRROR_TARGET_ID: '', MIRROR_SOURCES: '["web-a","web-b"]' } });
  const { account } = simulated;
  const a1 = account.addEndpointTarget({ vpcId: 'vpc-a', zone: 'us-east-1a', stack: STACK });
  const a2 = account.addEndpointTarget({ vpcId: 'vpc-a', zone: 'us-east-1b', stack: STACK });
  const otherStacks = account.addEndpointTarget({ vpcId: 'vpc-b', zone: 'us-east-1a', stack: 'other-stack' });
  const webA = account.addTargetGroup('web-a', { vpcId: 'vpc-a' });
  const webB = account.addTargetGroup('web-b', { vpcId: 'vpc-b' });
  const inA1 = account.addInstanceTargets(webA, 2, { zone: 'us-east-1a' });
  const [inA2] = account.addInstanceTargets(webA, 1, { zone: 'us-east-1b' });
  const [inA3] = account.addInstanceTargets(webA, 1, { zone: 'us-east-1c' });
  const inB = account.addInstanceTargets(webB, 2, { zone: 'us-east-1a' });
  return { ...simulated, a1, a2, otherStacks, inA1, inA2, inA3, inB };
}

const targetsOf = (account: ReturnType<typeof twoVpcs>['account'], instances: { primaryInterfaceId: string }[]) =>
  instances.map((instance) => account.sessionsOn(instance.primaryInterfaceId).map((session) => session.targetId));

describe('session Lambda with target selection vpc-endpoint', () => {
  it('mirrors each interface to its own VPC\'s target (same zone, else another zone\'s) and reports the VPC without one', async () => {
    // Prepare
    const { account, invoke, logs, a1, a2, inA1, inA2, inA3, inB } = twoVpcs();
    // Act
    const { summary } = await invoke();
    // Assess
    expect(targetsOf(account, inA1)).toEqual([[a1.target.id], [a1.target.id]]);
    expect(targetsOf(account, [inA2])).toEqual([[a2.target.id]]);
    expect(targetsOf(account, [inA3])).toEqual([[a1.target.id]]); // 1c has no endpoint: the first zone of VPC A
    expect(targetsOf(account, inB)).toEqual([[], []]);
    expect(summary).toMatchObject({
      created: 4, errors: 0, complete: true, skipped: 2, skippedByReason: { 'no-target-in-vpc': 2 },
      endpointTargets: { found: 2, available: 2 }, interfacesWithoutTarget: 2,
      vpcsWithoutTarget: [{ vpcId: 'vpc-b', interfaces: 2, endpoints: [] }],
    });
    expect(account.sessionsOn(inA2.primaryInterfaceId)[0].tags).toContainEqual({ Key: OWNER_TAG, Value: STACK });
    // A copy of at most 8,500 bytes reaches the endpoint: 8,464 of the packet and 36 of outer IPv4, UDP and VXLAN headers.
    expect(new Set([...account.sessions.values()].map((session) => session.packetLength))).toEqual(new Set([8464]));
    // One call each to find the targets, their endpoints and the endpoints' zones.
    expect(summary.apiCalls).toMatchObject({ DescribeTrafficMirrorTargets: 1, DescribeVpcEndpoints: 1, DescribeSubnets: 1 });
    const warning = logs.map((line) => JSON.parse(line)).find((line) => line.level === 'WARN');
    expect(warning.message).toBe(`2 source interfaces not mirrored: no available Gateway Load Balancer endpoint of ${STACK} in VPC vpc-b (2 interfaces; no endpoint)`);
    const summaryLine = JSON.parse(logs.at(-1)!);
    expect(summaryLine.InterfacesWithoutTarget).toBe(2);
    expect(summaryLine._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'InterfacesWithoutTarget', Unit: 'Count' });
  });

  it('uses an endpoint at the next run once it turns available; a pending one is reported with its state', async () => {
    // Prepare
    const { account, invoke, logs, inB } = twoVpcs();
    await invoke();
    const b1 = account.addEndpointTarget({ vpcId: 'vpc-b', zone: 'us-east-1a', stack: STACK, state: 'pendingAcceptance' });
    // Act
    const pending = await invoke();
    const pendingWarning = JSON.parse(logs.filter((line) => line.includes('"WARN"')).at(-1)!);
    b1.endpoint.state = 'available';
    account.resetCalls();
    const accepted = await invoke();
    // Assess
    expect(pending.summary).toMatchObject({ created: 0, interfacesWithoutTarget: 2, vpcsWithoutTarget: [{ vpcId: 'vpc-b', interfaces: 2, endpoints: [`${b1.endpoint.id} pendingAcceptance`] }] });
    expect(pendingWarning.message).toContain(`vpc-b (2 interfaces; endpoints ${b1.endpoint.id} pendingAcceptance)`);
    expect(accepted.summary).toMatchObject({ created: 2, deleted: 0, unchanged: 4, interfacesWithoutTarget: 0, vpcsWithoutTarget: [] });
    expect(targetsOf(account, inB)).toEqual([[b1.target.id], [b1.target.id]]);
    expect(account.calls.CreateTrafficMirrorSession).toBe(2);
  });

  it('replaces a session of ours toward the wrong target, and leaves sessions of others alone', async () => {
    // Prepare
    const { account, invoke, a1, a2, otherStacks, inA2, inB } = twoVpcs();
    const wrong = account.addForeignSession(inA2.primaryInterfaceId, 1, { [OWNER_TAG]: STACK, 'traceable:mirroring-source': 'tg/web-a' }, a1.target.id);
    wrong.filterId = 'tmf-ours';
    const othersSession = account.addForeignSession(inB[0].primaryInterfaceId, 1, { [OWNER_TAG]: 'other-stack' }, otherStacks.target.id);
    // Act
    const first = await invoke();
    account.resetCalls();
    const second = await invoke();
    // Assess
    expect(first.summary).toMatchObject({ created: 4, deleted: 1, errors: 0 });
    expect(account.sessions.has(wrong.id)).toBe(false);
    expect(targetsOf(account, [inA2])).toEqual([[a2.target.id]]);
    expect(account.sessions.get(othersSession.id)).toBe(othersSession);
    expect(second.summary).toMatchObject({ created: 0, deleted: 0, unchanged: 4 });
    expect((account.calls.CreateTrafficMirrorSession ?? 0) + (account.calls.DeleteTrafficMirrorSession ?? 0)).toBe(0);
  });

  it('moves an interface to its own zone\'s target when that zone\'s endpoint appears', async () => {
    // Prepare
    const { account, invoke, inA3, a1 } = twoVpcs();
    await invoke();
    const a3 = account.addEndpointTarget({ vpcId: 'vpc-a', zone: 'us-east-1c', stack: STACK });
    // Act
    const { summary } = await invoke();
    // Assess
    expect(targetsOf(account, [inA3])).toEqual([[a3.target.id]]);
    expect(a3.target.id).not.toBe(a1.target.id);
    expect(summary).toMatchObject({ created: 1, deleted: 1, unchanged: 3 });
  });

  it('an event-driven run mirrors a new instance to its zone\'s target; one in the VPC without an endpoint is not wanted', async () => {
    // Prepare
    const { account, invoke, deliver, a2 } = twoVpcs();
    await invoke();
    const webA = account.targetGroups.find((group) => group.name === 'web-a')!;
    const webB = account.targetGroups.find((group) => group.name === 'web-b')!;
    const [newA] = account.addInstanceTargets(webA, 1, { zone: 'us-east-1b' });
    const [newB] = account.addInstanceTargets(webB, 1, { zone: 'us-east-1a' });
    account.putEvent(simEvents.instanceRunning(account, newA.id));
    account.putEvent(simEvents.instanceRunning(account, newB.id));
    // Act
    const { summary } = await deliver();
    // Assess
    expect(targetsOf(account, [newA, newB])).toEqual([[a2.target.id], []]);
    expect(summary).toMatchObject({ mode: 'event', created: 1, interfacesWithoutTarget: 1, events: { mirrored: 1, notWanted: 1, retriesQueued: 0 } });
  });

  it('cleanup on destroy deletes our sessions toward every target of the stack', async () => {
    // Prepare
    const { account, invoke, destroyChain, otherStacks, inB } = twoVpcs();
    const othersSession = account.addForeignSession(inB[0].primaryInterfaceId, 1, { [OWNER_TAG]: 'other-stack' }, otherStacks.target.id);
    await invoke();
    // Act
    const [last] = (await destroyChain(1)).reverse();
    // Assess
    expect(last.summary).toMatchObject({ mode: 'cleanup', deleted: 4, errors: 0, complete: true });
    expect(account.ownedSessions(STACK)).toEqual([]);
    expect([...account.sessions.values()]).toEqual([othersSession]);
  });
});
