/** MirrorSessionBudget: the most sessions the stack owns, and which interfaces get them. */
import { applySessionBudget } from '../../lambda/budget';
import { createHandler } from '../../lambda/handler';
import type { SessionChanges } from '../../lambda/types';
import { resource, synthConfig } from '../helpers/synth';
import { simEvents } from '../../scripts/lambda-sim/account';
import { simulatedHandler } from '../../scripts/lambda-sim/harness';

function setup(budget: number, sources = ['web', 'api']) {
  const simulated = simulatedHandler({ env: { MIRROR_SOURCES: JSON.stringify(sources), MIRROR_SESSION_BUDGET: String(budget) } });
  return { ...simulated, web: simulated.account.addTargetGroup('web'), api: simulated.account.addTargetGroup('api') };
}

const mirroredInterfaces = (account: ReturnType<typeof setup>['account']) =>
  [...account.sessions.values()].filter((s) => s.targetId === 'tmt-ours').map((s) => s.interfaceId).sort();

describe('session budget on the simulated account', () => {
  it('over the budget: the first configured source first, then interface ids; the rest skipped as session-budget', async () => {
    // Prepare: api is configured second but its instances come first in id order.
    const { account, invoke, web, api } = setup(3);
    const apiInstances = account.addInstanceTargets(api, 2);
    const webInstances = account.addInstanceTargets(web, 2);
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary).toMatchObject({ created: 3, skipped: 1, skippedByReason: { 'session-budget': 1 }, wanted: 3 });
    expect(summary.sessionBudget).toEqual({ budget: 3, sessions: 3, skipped: 1 });
    expect(mirroredInterfaces(account)).toEqual([...webInstances, apiInstances[0]].map((i) => i.primaryInterfaceId).sort());
  });

  it('stable across runs: the same choice again, and a new higher-ranked interface waits instead of displacing one (no churn)', async () => {
    // Prepare
    const { account, invoke, web, api } = setup(2);
    account.addInstanceTargets(api, 3);
    await invoke();
    const chosen = mirroredInterfaces(account);
    account.resetCalls();
    // Act
    const second = await invoke();
    const [newcomer] = account.addInstanceTargets(web, 1);
    const third = await invoke();
    // Assess
    expect(second.summary).toMatchObject({ created: 0, deleted: 0, unchanged: 2, skippedByReason: { 'session-budget': 1 } });
    expect(third.summary).toMatchObject({ created: 0, deleted: 0, unchanged: 2, skippedByReason: { 'session-budget': 2 } });
    expect(account.mutations).toEqual([]);
    expect(mirroredInterfaces(account)).toEqual(chosen);
    expect(account.sessionsOn(newcomer.primaryInterfaceId)).toEqual([]);
  });

  it('a lowered budget deletes the lowest-ranked owned sessions, never a foreign one', async () => {
    // Prepare
    const first = setup(0);
    const { account } = first;
    const webInstances = account.addInstanceTargets(first.web, 2);
    const apiInstances = account.addInstanceTargets(first.api, 2);
    const foreign = account.addForeignSession(webInstances[0].primaryInterfaceId, 1);
    await first.invoke();
    // The same account behind a handler with the lowered budget.
    const handler = createHandler({
      clients: () => account.clients, clock: account.clock, log: () => undefined,
      env: { STACK_NAME: 'prod-mirroring', MIRROR_TARGET_ID: 'tmt-ours', MIRROR_FILTER_ID: 'tmf-ours', MIRROR_SOURCE_TYPE: 'TARGET_GROUP', MIRROR_SOURCES: '["web","api"]', SAFETY_MARGIN_MS: '5000', MIRROR_SESSION_BUDGET: '2' },
    });
    // Act
    const { summary } = await handler({}, { awsRequestId: 'r', getRemainingTimeInMillis: () => 600_000 });
    // Assess
    expect(summary).toMatchObject({ deleted: 2, created: 0, sessionBudget: { budget: 2, sessions: 2, skipped: 0 } });
    expect(mirroredInterfaces(account)).toEqual(webInstances.map((i) => i.primaryInterfaceId).sort());
    expect(apiInstances.flatMap((i) => account.sessionsOn(i.primaryInterfaceId))).toEqual([]);
    expect(account.sessions.get(foreign.id)).toEqual(foreign);
  });

  it('an event-driven run counts every owned session and leaves a full budget alone', async () => {
    // Prepare
    const { account, invoke, deliver, web } = setup(2, ['web']);
    account.addInstanceTargets(web, 2);
    await invoke();
    const [late] = account.addInstanceTargets(web, 1);
    account.resetCalls();
    account.putEvent(simEvents.instanceRunning(account, late.id));
    // Act
    const response = await deliver();
    // Assess
    expect(response.summary).toMatchObject({ created: 0, skippedByReason: { 'session-budget': 1 }, sessionBudget: { budget: 2, sessions: 2, skipped: 1 } });
    expect(response.summary.events).toMatchObject({ notWanted: 1, retriesQueued: 0 });
    expect(account.lookups.filter((l) => l.action === 'DescribeTrafficMirrorSessions').map((l) => l.filters.map((f) => f.Name))).toEqual([
      ['network-interface-id'], ['tag:traceable:mirroring-stack', 'traffic-mirror-target-id'],
    ]);
    expect(account.sessionsOn(late.primaryInterfaceId)).toEqual([]);
  });
});

describe('applySessionBudget (pure)', () => {
  const plan = (creates: string[]): SessionChanges => ({
    creates: creates.map((interfaceId) => ({ interfaceId, sessionNumber: 1, source: 'tg/web' })), deletes: [], skips: [], unchanged: 0, keptForFailedSources: 0, mirroredByHand: 0,
  });

  it('no budget leaves the plan as it is', () => {
    const input = plan(['eni-b', 'eni-a']);
    expect(applySessionBudget(input, { budget: 0, configuredSources: ['web'], candidates: [], keptSessions: [] })).toBe(input);
  });

  it('ranks by the earliest configured source of an interface reached from several, then by id', () => {
    const candidates = [
      { interfaceId: 'eni-a', interfaceType: 'interface', sources: ['tg/web'], healthy: true },
      { interfaceId: 'eni-b', interfaceType: 'interface', sources: ['tg/api', 'tg/web'], healthy: true },
      { interfaceId: 'eni-c', interfaceType: 'interface', sources: ['tg/api'], healthy: true },
    ];
    const result = applySessionBudget(plan(['eni-c', 'eni-b', 'eni-a']), { budget: 1, configuredSources: ['api', 'web'], candidates, keptSessions: [] });
    expect(result.creates.map((c) => c.interfaceId)).toEqual(['eni-b']);
    expect(result.skips).toEqual([{ interfaceId: 'eni-c', reason: 'session-budget' }, { interfaceId: 'eni-a', reason: 'session-budget' }]);
  });
});

describe('MirrorSessionBudget in the stack', () => {
  it('reaches the function as MIRROR_SESSION_BUDGET, and is absent without a budget', () => {
    const variables = (overrides: Record<string, unknown>) =>
      resource(synthConfig(overrides).json, 'aws_lambda_function', 'sessions_function').environment.variables as Record<string, string>;
    expect(variables({ MirrorSessionBudget: '500' }).MIRROR_SESSION_BUDGET).toBe('500');
    expect(variables({})).not.toHaveProperty('MIRROR_SESSION_BUDGET');
  });
});
