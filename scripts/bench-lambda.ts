/**
 * npm run bench:lambda — the session Lambda against a simulated account: 10,000 target interfaces behind 100 target
 * groups, EC2-like token buckets (describe: burst 100, refill 20/s; mutating: burst 50, refill 5/s), 20 ms latency per
 * call, all in simulated time. Prints API calls by action, simulated time and runs to converge, for the Lambda and
 * for a naive one-call-per-target reconciler.
 */
import { CreateTrafficMirrorSessionCommand, DescribeInstancesCommand, DescribeTrafficMirrorSessionsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isThrottling } from '../lambda/aws';
import { createHandler } from '../lambda/handler';
import { SimAccount, lambdaContext } from '../__tests__/lambda/sim/account';

const TARGET_GROUPS = 100;
const TARGETS_PER_GROUP = 100;
const TIMEOUT_SECONDS = 600;
const INTERVAL_MINUTES = 15;
const MAX_RUNS = 12;
const STACK = 'bench';
const TARGET_ID = 'tmt-bench';
const FILTER_ID = 'tmf-bench';

function buildAccount(): { account: SimAccount; groupNames: string[] } {
  const account = new SimAccount({ latencyMs: 20 });
  const groupNames = Array.from({ length: TARGET_GROUPS }, (_, i) => `tg-${String(i).padStart(3, '0')}`);
  for (const name of groupNames) account.addInstanceTargets(account.addTargetGroup(name), TARGETS_PER_GROUP);
  return { account, groupNames };
}

interface RunFigures {
  seconds: number;
  created: number;
  calls: Record<string, number>;
  complete: boolean;
}

const sum = (calls: Record<string, number>, filter: (action: string) => boolean) =>
  Object.entries(calls).filter(([action]) => filter(action)).reduce((total, [, n]) => total + n, 0);
const isDescribe = (action: string) => /^(Describe|List)/.test(action);

function printRuns(title: string, runs: RunFigures[], mirrored: number, startMs: number, endMs: number): void {
  console.log(`\n== ${title}`);
  console.log('run  sim-seconds  created  describe-calls  mutating-calls  complete');
  runs.forEach((run, i) => {
    console.log(`${String(i + 1).padStart(3)}  ${run.seconds.toFixed(1).padStart(11)}  ${String(run.created).padStart(7)}  ${String(sum(run.calls, isDescribe)).padStart(14)}  ${String(sum(run.calls, (a) => !isDescribe(a))).padStart(14)}  ${run.complete}`);
  });
  const total: Record<string, number> = {};
  for (const run of runs) for (const [action, n] of Object.entries(run.calls)) total[action] = (total[action] ?? 0) + n;
  console.log('API calls by action (all runs):');
  for (const [action, n] of Object.entries(total).sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${action.padEnd(32)} ${n}`);
  console.log(`mirrored ${mirrored}/${TARGET_GROUPS * TARGETS_PER_GROUP}; runs: ${runs.length}${runs.at(-1)?.complete ? '' : ' (not converged)'}; longest run ${Math.max(...runs.map((r) => r.seconds)).toFixed(1)} s of ${TIMEOUT_SECONDS} s; simulated time ${((endMs - startMs) / 1000).toFixed(0)} s`);
}

async function benchLambda(): Promise<void> {
  const { account, groupNames } = buildAccount();
  const env = {
    STACK_NAME: STACK, MIRROR_TARGET_ID: TARGET_ID, MIRROR_FILTER_ID: FILTER_ID,
    MIRROR_SOURCE_TYPE: 'TARGET_GROUP', MIRROR_SOURCES: JSON.stringify(groupNames),
  };
  const handler = createHandler({ clients: () => account.clients, clock: account.clock, env, log: () => undefined });
  const runs: RunFigures[] = [];
  const startMs = account.clock.now();
  let exceededTimeout = false;
  let lastStart = startMs;
  for (let run = 1; run <= MAX_RUNS + 1; run++) {
    account.resetCalls();
    const context = lambdaContext(account, TIMEOUT_SECONDS * 1000, `bench-${run}`);
    const runStart = account.clock.now();
    const { summary } = await handler({ source: 'aws.events' }, context);
    exceededTimeout ||= account.clock.now() > context.deadline;
    runs.push({ seconds: (account.clock.now() - runStart) / 1000, created: summary.created, calls: { ...account.calls }, complete: summary.complete });
    if (summary.complete && summary.created === 0 && summary.deleted === 0) break;
    // Next scheduled run.
    lastStart += INTERVAL_MINUTES * 60_000;
    account.clock.advance(Math.max(0, lastStart - account.clock.now()));
  }
  const steady = runs.pop()!;
  const mirrored = account.ownedSessions(STACK).length;
  printRuns('session Lambda (batched, paced, time-budgeted)', runs, mirrored, startMs, account.clock.now());
  const margin = Math.min(30, Math.max(5, TIMEOUT_SECONDS / 10));
  const perRun = 50 + 5 * (TIMEOUT_SECONDS - margin);
  console.log(`minimum runs the mutating rate allows: ceil(${TARGET_GROUPS * TARGETS_PER_GROUP} / (50 burst + 5/s x ${TIMEOUT_SECONDS - margin} s)) = ${Math.ceil((TARGET_GROUPS * TARGETS_PER_GROUP) / perRun)}`);
  console.log(`a run past the timeout: ${exceededTimeout ? 'YES' : 'no'}`);
  console.log(`steady state (nothing changed): ${sum(steady.calls, isDescribe)} describe calls, ${sum(steady.calls, (a) => !isDescribe(a))} mutating calls, ${steady.seconds.toFixed(1)} s`);
  console.log(`  ${Object.entries(steady.calls).map(([a, n]) => `${a}=${n}`).join(' ')}`);
}

/** The baseline: per target, one DescribeInstances, one DescribeTrafficMirrorSessions, one create; 1 s sleep on throttling. */
async function benchNaive(): Promise<void> {
  const { account, groupNames } = buildAccount();
  const { ec2, elbv2 } = account.clients;
  const send = async <T>(call: () => Promise<T>, deadline: number): Promise<T | undefined> => {
    while (account.clock.now() < deadline) {
      try {
        return await call();
      } catch (error) {
        if (!isThrottling(error)) throw error;
        await account.clock.sleep(1000);
      }
    }
    return undefined;
  };
  const runs: RunFigures[] = [];
  const startMs = account.clock.now();
  let lastStart = startMs;
  for (let run = 1; run <= MAX_RUNS; run++) {
    account.resetCalls();
    const runStart = account.clock.now();
    const deadline = runStart + TIMEOUT_SECONDS * 1000;
    let created = 0;
    let finished = true;
    outer: for (const name of groupNames) {
      const groups = await send(() => elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] })), deadline);
      const health = groups && (await send(() => elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: groups.TargetGroups![0].TargetGroupArn })), deadline));
      if (!health) { finished = false; break; }
      for (const description of health.TargetHealthDescriptions ?? []) {
        const instances = await send(() => ec2.send(new DescribeInstancesCommand({ InstanceIds: [description.Target!.Id!] })), deadline);
        const eni = instances?.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces?.[0]?.NetworkInterfaceId;
        const sessions = eni && (await send(() => ec2.send(new DescribeTrafficMirrorSessionsCommand({ Filters: [{ Name: 'network-interface-id', Values: [eni] }] })), deadline));
        if (!sessions) { finished = false; break outer; }
        if ((sessions.TrafficMirrorSessions ?? []).length > 0) continue;
        const response = await send(() => ec2.send(new CreateTrafficMirrorSessionCommand({
          NetworkInterfaceId: eni, TrafficMirrorTargetId: TARGET_ID, TrafficMirrorFilterId: FILTER_ID, SessionNumber: 1,
          TagSpecifications: [{ ResourceType: 'traffic-mirror-session', Tags: [{ Key: 'traceable:mirroring-stack', Value: STACK }] }],
        })), deadline);
        if (!response) { finished = false; break outer; }
        created++;
      }
    }
    runs.push({ seconds: (Math.min(account.clock.now(), deadline) - runStart) / 1000, created, calls: { ...account.calls }, complete: finished });
    if (finished) break;
    lastStart += INTERVAL_MINUTES * 60_000;
    account.clock.advance(Math.max(0, lastStart - account.clock.now()));
  }
  printRuns('baseline: one call per target, killed at the timeout', runs, account.ownedSessions(STACK).length, startMs, account.clock.now());
}

async function main(): Promise<void> {
  const wallStart = Date.now();
  console.log(`${TARGET_GROUPS * TARGETS_PER_GROUP} target interfaces behind ${TARGET_GROUPS} target groups; timeout ${TIMEOUT_SECONDS} s, schedule every ${INTERVAL_MINUTES} min; 20 ms per call; EC2-like buckets`);
  await benchLambda();
  await benchNaive();
  console.log(`\n(wall time ${((Date.now() - wallStart) / 1000).toFixed(1)} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
