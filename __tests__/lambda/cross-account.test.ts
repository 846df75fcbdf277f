/**
 * Many accounts, one collector: the session Lambda of a source account keeps sessions toward a target owned by the
 * collector's account (shared through RAM), and the collector's own Lambda leaves the source accounts' sessions alone.
 */
import { DescribeTrafficMirrorTargetsCommand } from '@aws-sdk/client-ec2';
import { STACK, simulatedHandler } from '../../scripts/lambda-sim/harness';

const COLLECTOR = '111122223333';
const SOURCE = '222233334444';
const SHARED_TARGET = 'tmt-0a1b2c3d4e5f60718';
const OWNER_TAG = 'traceable:mirroring-stack';

function sourceAccount(shared = true) {
  const simulated = simulatedHandler({ accountId: SOURCE, env: { MIRROR_TARGET_ID: SHARED_TARGET, MIRROR_FILTER_ID: 'tmf-source' } });
  simulated.account.addMirrorTarget(SHARED_TARGET, COLLECTOR, shared);
  return { ...simulated, web: simulated.account.addTargetGroup('web') };
}

describe('session Lambda in a source account, toward the collector\'s shared target', () => {
  it('sees the target as the collector\'s, creates its sessions in the source account toward it, then keeps them in step', async () => {
    // Prepare
    const { account, invoke, web } = sourceAccount();
    const instances = account.addInstanceTargets(web, 3);
    // Act
    const targets = await account.clients.ec2.send(new DescribeTrafficMirrorTargetsCommand({ TrafficMirrorTargetIds: [SHARED_TARGET] }));
    const first = await invoke();
    account.resetCalls();
    const second = await invoke();
    // Assess
    expect(targets.TrafficMirrorTargets).toEqual([{ TrafficMirrorTargetId: SHARED_TARGET, OwnerId: COLLECTOR, Type: 'network-load-balancer' }]);
    expect(first.summary).toMatchObject({ created: 3, errors: 0, complete: true });
    for (const instance of instances) {
      expect(account.sessionsOn(instance.primaryInterfaceId)).toEqual([expect.objectContaining({ targetId: SHARED_TARGET, filterId: 'tmf-source', sessionNumber: 1 })]);
    }
    expect([...account.sessions.values()].every((session) => session.ownerId === undefined)).toBe(true); // created by the source account itself
    expect(second.summary).toMatchObject({ created: 0, deleted: 0, unchanged: 3 });
    expect((account.calls.CreateTrafficMirrorSession ?? 0) + (account.calls.DeleteTrafficMirrorSession ?? 0)).toBe(0);
  });

  it('deletes the session of a target that left its group, and cleanup deletes the rest, by the same ownership rules', async () => {
    // Prepare
    const { account, invoke, web } = sourceAccount();
    const [leaving, staying] = account.addInstanceTargets(web, 2);
    await invoke();
    web.targets = web.targets.filter((target) => target.id !== leaving.id);
    // Act
    const reconcile = await invoke();
    const cleanup = await invoke({ action: 'cleanup' });
    // Assess
    expect(reconcile.summary).toMatchObject({ created: 0, deleted: 1, unchanged: 1 });
    expect(account.sessionsOn(leaving.primaryInterfaceId)).toEqual([]);
    expect(cleanup.summary).toMatchObject({ deleted: 1, errors: 0 });
    expect(account.sessionsOn(staying.primaryInterfaceId)).toEqual([]);
  });

  it('while the target is not shared with the account (or the invitation not accepted), every create fails and is counted', async () => {
    // Prepare
    const { account, invoke, web } = sourceAccount(false);
    account.addInstanceTargets(web, 2);
    // Act
    const { summary } = await invoke();
    // Assess
    expect(summary).toMatchObject({ created: 0, errors: 2 });
    expect(summary.errorSamples[0]).toMatchObject({ action: 'CreateTrafficMirrorSession', code: 'InvalidTrafficMirrorTargetId.NotFound' });
    expect(account.sessions.size).toBe(0);
  });
});

describe('session Lambda in the collector account, which owns the shared target', () => {
  it('never takes a source account\'s session toward its target for its own, even with the same ownership tag', async () => {
    // Prepare: a source account reused the collector's stack name; its session is visible to the target's owner.
    const simulated = simulatedHandler({ accountId: COLLECTOR });
    const { account, invoke } = simulated;
    const web = account.addTargetGroup('web');
    account.addInstanceTargets(web, 1);
    const foreign = account.addSessionOfAccount(SOURCE, 'eni-of-the-source-account', 'tmt-ours', { [OWNER_TAG]: STACK });
    // Act
    const reconcile = await invoke();
    const cleanup = await invoke({ action: 'cleanup' });
    // Assess
    expect(reconcile.summary).toMatchObject({ created: 1, deleted: 0, errors: 0 });
    expect(cleanup.summary).toMatchObject({ deleted: 1, errors: 0 });
    expect(account.sessions.get(foreign.id)).toBe(foreign);
  });
});
