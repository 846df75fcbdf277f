import { chooseEndpointTargets, withoutTargetLogLine, type EndpointTarget } from '../../lambda/endpoint-targets';
import { decideCleanup, decideSessionChanges, type SessionChangesInput } from '../../lambda/session-changes';
import type { CandidateInterface, SessionView } from '../../lambda/types';

const FILTER = 'tmf-ours';

function candidate(interfaceId: string, vpcId: string | undefined, availabilityZone: string | undefined): CandidateInterface {
  return {
    interfaceId, interfaceType: 'interface', instanceId: `i-${interfaceId}`, instanceType: 'm5.large', sources: ['tg/web'], healthy: true,
    ...(vpcId ? { vpcId } : {}), ...(availabilityZone ? { availabilityZone } : {}),
  };
}

function target(targetId: string, vpcId: string, zone: string, state = 'available'): EndpointTarget {
  return { targetId, endpointId: `vpce-${targetId.slice(4)}`, vpcId, state, zones: [zone] };
}

/** VPC A: endpoints in zones a and b; VPC B: one endpoint, waiting for acceptance. */
const TARGETS = [
  target('tmt-a1', 'vpc-a', 'eu-west-1a'),
  target('tmt-a2', 'vpc-a', 'eu-west-1b'),
  target('tmt-b1', 'vpc-b', 'eu-west-1a', 'pendingAcceptance'),
];

describe('chooseEndpointTargets', () => {
  it('gives each interface the available target of its own VPC and zone', () => {
    // Act
    const choice = chooseEndpointTargets([candidate('eni-1', 'vpc-a', 'eu-west-1a'), candidate('eni-2', 'vpc-a', 'eu-west-1b')], TARGETS);
    // Assess
    expect([...choice.targetOf]).toEqual([['eni-1', 'tmt-a1'], ['eni-2', 'tmt-a2']]);
    expect(choice.vpcsWithoutTarget).toEqual([]);
    expect([...choice.ourTargetIds].sort()).toEqual(['tmt-a1', 'tmt-a2', 'tmt-b1']);
  });

  it('gives an interface in a zone without an endpoint the first of its VPC by zone, whatever the targets\' order', () => {
    // Prepare
    const interfaces = [candidate('eni-c', 'vpc-a', 'eu-west-1c')];
    // Act
    const forward = chooseEndpointTargets(interfaces, TARGETS);
    const reversed = chooseEndpointTargets(interfaces, [...TARGETS].reverse());
    // Assess
    expect(forward.targetOf.get('eni-c')).toBe('tmt-a1');
    expect(reversed.targetOf.get('eni-c')).toBe('tmt-a1');
  });

  it('never gives another VPC\'s target: a VPC whose endpoints are not available, or that has none, is reported with the states', () => {
    // Act
    const choice = chooseEndpointTargets([
      candidate('eni-b1', 'vpc-b', 'eu-west-1a'), candidate('eni-b2', 'vpc-b', 'eu-west-1b'), candidate('eni-z', 'vpc-z', 'eu-west-1a'), candidate('eni-u', undefined, undefined),
    ], TARGETS);
    // Assess
    expect(choice.targetOf.size).toBe(0);
    expect(choice.vpcsWithoutTarget).toEqual([
      { vpcId: 'unknown', interfaces: 1, endpoints: [] },
      { vpcId: 'vpc-b', interfaces: 2, endpoints: ['vpce-b1 pendingAcceptance'] },
      { vpcId: 'vpc-z', interfaces: 1, endpoints: [] },
    ]);
  });

  it('uses an endpoint once it is available (EC2 answers lowercase states; the SDK enum is capitalized: both count)', () => {
    // Act
    const lower = chooseEndpointTargets([candidate('eni-b1', 'vpc-b', 'eu-west-1a')], [target('tmt-b1', 'vpc-b', 'eu-west-1a', 'available')]);
    const capital = chooseEndpointTargets([candidate('eni-b1', 'vpc-b', 'eu-west-1a')], [target('tmt-b1', 'vpc-b', 'eu-west-1a', 'Available')]);
    const rejected = chooseEndpointTargets([candidate('eni-b1', 'vpc-b', 'eu-west-1a')], [target('tmt-b1', 'vpc-b', 'eu-west-1a', 'rejected')]);
    // Assess
    expect(lower.targetOf.get('eni-b1')).toBe('tmt-b1');
    expect(capital.targetOf.get('eni-b1')).toBe('tmt-b1');
    expect(rejected.vpcsWithoutTarget).toEqual([{ vpcId: 'vpc-b', interfaces: 1, endpoints: ['vpce-b1 rejected'] }]);
  });
});

describe('withoutTargetLogLine', () => {
  it('is one JSON line naming each VPC, its interfaces and its endpoints\' states', () => {
    // Act
    const line = withoutTargetLogLine('prod', [{ vpcId: 'vpc-b', interfaces: 2, endpoints: ['vpce-b1 pendingAcceptance'] }, { vpcId: 'vpc-z', interfaces: 1, endpoints: [] }]);
    // Assess
    expect(line).not.toContain('\n');
    expect(JSON.parse(line).message).toBe(
      '3 source interfaces not mirrored: no available Gateway Load Balancer endpoint of prod in VPC vpc-b (2 interfaces; endpoints vpce-b1 pendingAcceptance), vpc-z (1 interface; no endpoint)',
    );
  });
});

describe('decideSessionChanges with endpoint targets', () => {
  const candidates = [candidate('eni-1', 'vpc-a', 'eu-west-1a'), candidate('eni-2', 'vpc-a', 'eu-west-1b'), candidate('eni-b', 'vpc-b', 'eu-west-1a')];
  const choice = chooseEndpointTargets(candidates, TARGETS);
  const session = (sessionId: string, interfaceId: string, targetId: string, overrides: Partial<SessionView> = {}): SessionView =>
    ({ sessionId, interfaceId, targetId, filterId: FILTER, sessionNumber: 1, owned: true, source: 'tg/web', ...overrides });
  const input = (sessions: SessionView[], overrides: Partial<SessionChangesInput> = {}): SessionChangesInput =>
    ({ targetId: '', endpointTargets: choice, filterId: FILTER, candidates, instanceTypes: new Map(), sessions, mirrorUnhealthyTargets: false, ...overrides });

  it('creates each session toward the interface\'s chosen target and skips the VPC without one', () => {
    // Act
    const plan = decideSessionChanges(input([]));
    // Assess
    expect(plan.creates).toEqual([
      { interfaceId: 'eni-1', sessionNumber: 1, source: 'tg/web', instanceType: 'm5.large', targetId: 'tmt-a1' },
      { interfaceId: 'eni-2', sessionNumber: 1, source: 'tg/web', instanceType: 'm5.large', targetId: 'tmt-a2' },
    ]);
    expect(plan.skips).toEqual([{ interfaceId: 'eni-b', reason: 'no-target-in-vpc' }]);
  });

  it('keeps a session toward the chosen target, replaces one of ours toward another, and leaves others\' sessions alone', () => {
    // Act
    const plan = decideSessionChanges(input([
      session('tms-1', 'eni-1', 'tmt-a1'),
      session('tms-2', 'eni-2', 'tmt-a1', { sessionNumber: 4 }),
      session('tms-foreign', 'eni-2', 'tmt-someone', { owned: false, sessionNumber: 2 }),
      session('tms-tagged', 'eni-2', 'tmt-not-ours', { sessionNumber: 3 }),
    ]));
    // Assess
    expect(plan.deletes).toEqual([{ sessionId: 'tms-2', interfaceId: 'eni-2', reason: 'not-the-chosen-target' }]);
    expect(plan.creates).toEqual([{ interfaceId: 'eni-2', sessionNumber: 4, source: 'tg/web', instanceType: 'm5.large', targetId: 'tmt-a2' }]);
    expect(plan.unchanged).toBe(1);
  });

  it('deletes our session of an interface whose VPC has no available endpoint any more: it is reported, not mirrored', () => {
    // Act
    const plan = decideSessionChanges(input([session('tms-b', 'eni-b', 'tmt-b1')]));
    // Assess
    expect(plan.deletes).toEqual([{ sessionId: 'tms-b', interfaceId: 'eni-b', reason: 'not-the-chosen-target' }]);
    expect(plan.skips).toEqual([{ interfaceId: 'eni-b', reason: 'no-target-in-vpc' }]);
  });

  it('judges a non-candidate\'s sessions as before: toward any of our targets, kept for a failed source, else deleted', () => {
    // Act
    const plan = decideSessionChanges(input([
      session('tms-gone', 'eni-gone', 'tmt-a2'),
      session('tms-flaky', 'eni-flaky', 'tmt-a1', { source: 'tg/flaky' }),
    ], { failedSources: new Set(['tg/flaky']) }));
    // Assess
    expect(plan.deletes).toEqual([{ sessionId: 'tms-gone', interfaceId: 'eni-gone', reason: 'interface-no-longer-a-source' }]);
    expect(plan.keptForFailedSources).toBe(1);
  });

  it('cleanup deletes our sessions toward every target of the stack, not those toward others', () => {
    // Act
    const plan = decideCleanup([session('tms-1', 'eni-1', 'tmt-a1'), session('tms-2', 'eni-2', 'tmt-b1'), session('tms-3', 'eni-3', 'tmt-other')], choice.ourTargetIds);
    // Assess
    expect(plan.deletes.map((d) => d.sessionId)).toEqual(['tms-1', 'tms-2']);
  });
});
