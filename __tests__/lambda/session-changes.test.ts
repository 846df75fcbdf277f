import { instanceTypeSkipReason } from '../../lambda/eligibility';
import { chooseSessionNumber, isOwnedBy, decideCleanup, decideSessionChanges, type SessionChangesInput } from '../../lambda/session-changes';
import type { CandidateInterface, SessionView } from '../../lambda/types';

const TARGET = 'tmt-ours';
const FILTER = 'tmf-ours';

function candidate(interfaceId: string, overrides: Partial<CandidateInterface> = {}): CandidateInterface {
  return { interfaceId, interfaceType: 'interface', instanceId: `i-${interfaceId}`, instanceType: 'm5.large', sources: ['tg/web'], healthy: true, ...overrides };
}

function session(sessionId: string, interfaceId: string, overrides: Partial<SessionView> = {}): SessionView {
  return { sessionId, interfaceId, targetId: TARGET, filterId: FILTER, sessionNumber: 1, owned: true, source: 'tg/web', ...overrides };
}

function input(overrides: Partial<SessionChangesInput>): SessionChangesInput {
  return { targetId: TARGET, filterId: FILTER, candidates: [], instanceTypes: new Map(), sessions: [], mirrorUnhealthyTargets: false, ...overrides };
}

describe('decideSessionChanges', () => {
  it('creates a session for each wanted interface without one, with the source tag of its first source', () => {
    // Prepare
    const planInput = input({ candidates: [candidate('eni-b', { sources: ['lb/shop', 'tg/web'] }), candidate('eni-a')] });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.creates).toEqual([
      { interfaceId: 'eni-a', sessionNumber: 1, source: 'tg/web', instanceType: 'm5.large' },
      { interfaceId: 'eni-b', sessionNumber: 1, source: 'lb/shop', instanceType: 'm5.large' },
    ]);
    expect(plan.deletes).toEqual([]);
    expect(plan.skips).toEqual([]);
  });

  it('plans nothing when every wanted interface already has our session (idempotent)', () => {
    // Prepare
    const planInput = input({ candidates: [candidate('eni-a')], sessions: [session('tms-1', 'eni-a')] });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan).toEqual({ creates: [], deletes: [], skips: [], unchanged: 1, keptForFailedSources: 0, mirroredByHand: 0 });
  });

  it('deletes owned sessions whose interface is no longer a source, never foreign ones', () => {
    // Prepare
    const planInput = input({
      sessions: [session('tms-ours', 'eni-gone'), session('tms-foreign', 'eni-other', { owned: false, source: undefined })],
    });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.deletes).toEqual([{ sessionId: 'tms-ours', interfaceId: 'eni-gone', reason: 'interface-no-longer-a-source' }]);
  });

  it('keeps owned sessions of a source whose discovery failed this run', () => {
    // Prepare
    const planInput = input({ sessions: [session('tms-1', 'eni-a', { source: 'tg/flaky' })], failedSources: new Set(['tg/flaky']) });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.deletes).toEqual([]);
    expect(plan.keptForFailedSources).toBe(1);
  });

  it('replaces an owned session that has an old filter and removes duplicates', () => {
    // Prepare
    const planInput = input({
      candidates: [candidate('eni-a'), candidate('eni-b')],
      sessions: [
        session('tms-old', 'eni-a', { filterId: 'tmf-old' }),
        session('tms-b1', 'eni-b', { sessionNumber: 1 }),
        session('tms-b2', 'eni-b', { sessionNumber: 2 }),
      ],
    });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.deletes).toEqual([
      { sessionId: 'tms-old', interfaceId: 'eni-a', reason: 'stale-filter' },
      { sessionId: 'tms-b2', interfaceId: 'eni-b', reason: 'duplicate-session' },
    ]);
    expect(plan.creates).toEqual([{ interfaceId: 'eni-a', sessionNumber: 1, source: 'tg/web', instanceType: 'm5.large' }]);
    expect(plan.unchanged).toBe(1);
  });

  it('skips unhealthy targets unless mirrorUnhealthyTargets, and keeps their existing session', () => {
    // Prepare
    const candidates = [candidate('eni-new', { healthy: false }), candidate('eni-had', { healthy: false })];
    const sessions = [session('tms-had', 'eni-had')];
    // Act
    const strict = decideSessionChanges(input({ candidates, sessions }));
    const lenient = decideSessionChanges(input({ candidates, sessions, mirrorUnhealthyTargets: true }));
    // Assess
    expect(strict.skips).toEqual([{ interfaceId: 'eni-new', reason: 'target-unhealthy' }]);
    expect(strict.deletes).toEqual([]);
    expect(strict.unchanged).toBe(1);
    expect(lenient.creates.map((c) => c.interfaceId)).toEqual(['eni-new']);
  });

  it('skips interfaces of the wrong type, unsupported instance types and full interfaces, each with its reason', () => {
    // Prepare
    const planInput = input({
      candidates: [
        candidate('eni-branch', { interfaceType: 'branch' }),
        candidate('eni-metal', { instanceType: 'm5.metal' }),
        candidate('eni-t2', { instanceType: 't2.micro' }),
        candidate('eni-m4', { instanceType: 'm4.large' }),
        candidate('eni-m6i', { instanceType: 'm6i.large' }),
        candidate('eni-c5', { instanceType: 'c5.large' }),
        candidate('eni-full'),
      ],
      instanceTypes: new Map([
        ['t2.micro', { hypervisor: 'xen', bareMetal: false }],
        ['m4.large', { hypervisor: 'xen', bareMetal: false }],
        ['m5.metal', { bareMetal: true }],
      ]),
      rejectedInstanceTypes: new Set(['c5.large']),
      sessions: [1, 2, 3].map((n) => session(`tms-f${n}`, 'eni-full', { owned: false, sessionNumber: n, targetId: 'tmt-foreign' })),
    });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.skips).toEqual([
      { interfaceId: 'eni-branch', reason: 'interface-type-not-supported' },
      { interfaceId: 'eni-c5', reason: 'instance-type-rejected-by-ec2' },
      { interfaceId: 'eni-full', reason: 'interface-session-limit' },
      { interfaceId: 'eni-m6i', reason: 'instance-type-not-supported' },
      { interfaceId: 'eni-metal', reason: 'instance-bare-metal' },
      { interfaceId: 'eni-t2', reason: 'instance-type-xen-not-supported' },
    ]);
    expect(plan.creates.map((c) => c.interfaceId)).toEqual(['eni-m4']);
  });

  it('counts a slot freed by our own delete on the same interface', () => {
    // Prepare
    const planInput = input({
      candidates: [candidate('eni-a')],
      sessions: [
        session('tms-x', 'eni-a', { owned: false, sessionNumber: 5, targetId: 'tmt-foreign' }),
        session('tms-y', 'eni-a', { owned: false, sessionNumber: 9, targetId: 'tmt-foreign' }),
        session('tms-old', 'eni-a', { filterId: 'tmf-old', sessionNumber: 10 }),
      ],
    });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.deletes).toEqual([{ sessionId: 'tms-old', interfaceId: 'eni-a', reason: 'stale-filter' }]);
    expect(plan.creates).toEqual([{ interfaceId: 'eni-a', sessionNumber: 10, source: 'tg/web', instanceType: 'm5.large' }]);
  });

  it('never deletes a session tagged as ours that points at another target (anyone allowed to tag could forge the tag)', () => {
    // Prepare
    const planInput = input({
      candidates: [candidate('eni-a')],
      sessions: [session('tms-forged', 'eni-a', { targetId: 'tmt-theirs', filterId: 'tmf-theirs', sessionNumber: 1 }), session('tms-gone', 'eni-gone', { targetId: 'tmt-theirs' })],
    });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.deletes).toEqual([]);
    expect(plan.creates).toEqual([{ interfaceId: 'eni-a', sessionNumber: 2, source: 'tg/web', instanceType: 'm5.large' }]);
  });

  it('counts a hand-made session toward our target and filter without taking it over, and drops our duplicate beside it', () => {
    // Prepare
    const planInput = input({
      candidates: [candidate('eni-a'), candidate('eni-b')],
      sessions: [
        session('tms-hand-a', 'eni-a', { owned: false, source: undefined, sessionNumber: 4 }),
        session('tms-hand-b', 'eni-b', { owned: false, source: undefined, sessionNumber: 1 }),
        session('tms-ours-b', 'eni-b', { sessionNumber: 2 }),
        session('tms-hand-elsewhere', 'eni-x', { owned: false, source: undefined }),
      ],
    });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.creates).toEqual([]);
    expect(plan.deletes).toEqual([{ sessionId: 'tms-ours-b', interfaceId: 'eni-b', reason: 'duplicate-session' }]);
    expect(plan).toMatchObject({ unchanged: 2, mirroredByHand: 2 });
  });

  it('plans only for the given interfaces in a targeted run', () => {
    // Prepare
    const planInput = input({
      candidates: [candidate('eni-a'), candidate('eni-b')],
      sessions: [session('tms-gone', 'eni-gone')],
      onlyInterfaces: new Set(['eni-b']),
    });
    // Act
    const plan = decideSessionChanges(planInput);
    // Assess
    expect(plan.creates.map((c) => c.interfaceId)).toEqual(['eni-b']);
    expect(plan.deletes).toEqual([]);
  });
});

describe('chooseSessionNumber', () => {
  it('takes the number after the highest existing one, so it never pre-empts an earlier tool', () => {
    expect(chooseSessionNumber([])).toBe(1);
    expect(chooseSessionNumber([1])).toBe(2);
    expect(chooseSessionNumber([7, 3])).toBe(8);
  });

  it('falls back to the lowest free number when the highest number is taken', () => {
    expect(chooseSessionNumber([32766, 1])).toBe(2);
  });
});

describe('decideCleanup and ownership', () => {
  it('deletes every owned session toward our target and nothing else', () => {
    // Prepare
    const sessions = [
      session('tms-b', 'eni-1', { filterId: 'tmf-any' }), session('tms-a', 'eni-2'), session('tms-f', 'eni-3', { owned: false }),
      session('tms-tagged', 'eni-4', { targetId: 'tmt-someone-elses' }),
    ];
    // Act
    const plan = decideCleanup(sessions, new Set([TARGET]));
    // Assess
    expect(plan.deletes).toEqual([
      { sessionId: 'tms-a', interfaceId: 'eni-2', reason: 'cleanup' },
      { sessionId: 'tms-b', interfaceId: 'eni-1', reason: 'cleanup' },
    ]);
  });

  it('recognises ownership only by our tag key with our stack name', () => {
    expect(isOwnedBy([{ Key: 'traceable:mirroring-stack', Value: 'prod' }], 'prod')).toBe(true);
    expect(isOwnedBy([{ Key: 'traceable:mirroring-stack', Value: 'staging' }], 'prod')).toBe(false);
    expect(isOwnedBy(undefined, 'prod')).toBe(false);
  });
});

describe('instanceTypeSkipReason', () => {
  it.each([
    ['c4.large', { hypervisor: 'xen' }, undefined],
    ['x1e.xlarge', { hypervisor: 'xen' }, undefined],
    ['t2.micro', { hypervisor: 'xen' }, 'instance-type-xen-not-supported'],
    ['i3.metal', { bareMetal: true }, 'instance-bare-metal'],
    ['c7i.metal-24xl', undefined, 'instance-bare-metal'],
    ['m7i-flex.large', { hypervisor: 'nitro' }, 'instance-type-not-supported'],
    ['m5.large', { hypervisor: 'nitro' }, undefined],
    ['t3.small', undefined, undefined],
  ] as const)('%s -> %s', (type, facts, expected) => {
    expect(instanceTypeSkipReason(type, facts)).toBe(expected);
  });
});
