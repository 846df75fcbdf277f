/**
 * npm run bench:lambda — the session Lambda against a simulated account: 10,000 target interfaces behind 100 target
 * groups, EC2-like token buckets (describe: burst 100, refill 20/s; mutating: burst 50, refill 5/s), 20 ms latency per
 * call, all in simulated time. Prints API calls by action, simulated time and runs to converge, for the Lambda and
 * for a naive one-call-per-target reconciler; then the fast path on the converged account: API calls per event and
 * time from event to session for one launch, a burst of 50, and a target that turns healthy a minute after its event.
 */
import { CreateTrafficMirrorSessionCommand, DescribeInstancesCommand, DescribeTrafficMirrorSessionsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { OWNER_TAG_KEY } from '../shared';
import { isThrottling } from '../lambda/aws';
import { DEFAULT_EVENT_RETRY_DELAYS_SECONDS } from '../lambda/environment';
import { createHandler, type HandlerResponse } from '../lambda/handler';
import { SimAccount, lambdaContext, simEvents, type SimTargetGroup } from './lambda-sim/account';
import { CLEANUP_TIMEOUT_SECONDS, cleanupChainLength } from '../modules/session-lambda';

const TARGET_GROUPS = 100;
const TARGETS_PER_GROUP = 100;
const TIMEOUT_SECONDS = 600;
const INTERVAL_MINUTES = 15;
const MAX_RUNS = 12;
const STACK = 'bench';
const TARGET_ID = 'tmt-bench';
const FILTER_ID = 'tmf-bench';
/** The SessionLambda defaults of the event source mapping. */
const BATCHING_WINDOW_SECONDS = 10;
const BATCH_SIZE = 100;

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

type Handler = ReturnType<typeof createHandler>;

async function benchLambda(): Promise<{ account: SimAccount; handler: Handler }> {
  const { account, groupNames } = buildAccount();
  const env = {
    STACK_NAME: STACK, MIRROR_TARGET_ID: TARGET_ID, MIRROR_FILTER_ID: FILTER_ID,
    MIRROR_SOURCE_TYPE: 'TARGET_GROUP', MIRROR_SOURCES: JSON.stringify(groupNames), EVENT_QUEUE_URL: account.queueUrl,
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
  return { account, handler };
}

// ---- fast path ----------------------------------------------------------------------------------------------

interface EventRun {
  at: number;
  response: HandlerResponse;
}

/**
 * The event source mapping on simulated time: when a message is visible, wait for the batching window (or a full
 * batch), invoke with up to BATCH_SIZE messages, one invocation at a time (reserved concurrency 1). `tick` runs
 * before each invocation (e.g. a target turning healthy).
 */
async function pollQueue(account: SimAccount, handler: Handler, tick: () => void = () => undefined): Promise<{ runs: EventRun[]; fullListings: number }> {
  const runs: EventRun[] = [];
  const lookupsBefore = account.lookups.length;
  for (let next = account.nextVisibleAt(); next !== undefined; next = account.nextVisibleAt()) {
    account.clock.advance(Math.max(0, next - account.clock.now()));
    const windowEnd = account.clock.now() + BATCHING_WINDOW_SECONDS * 1000;
    while (account.clock.now() < windowEnd && account.queue.filter((m) => m.visibleAt <= account.clock.now()).length < BATCH_SIZE) account.clock.advance(100);
    tick();
    const records = account.receive(BATCH_SIZE);
    const context = lambdaContext(account, TIMEOUT_SECONDS * 1000, `event-${runs.length + 1}`);
    runs.push({ at: account.clock.now(), response: await handler({ Records: records }, context) });
  }
  // A full discovery lists every session of the region; a targeted run only those of its interfaces.
  const fullListings = account.lookups.slice(lookupsBefore)
    .filter((l) => l.action === 'DescribeTrafficMirrorSessions' && !l.filters.some((f) => f.Name === 'network-interface-id')).length;
  return { runs, fullListings };
}

function printEventRuns(title: string, events: number, { runs, fullListings }: { runs: EventRun[]; fullListings: number }, startMs: number): void {
  const calls: Record<string, number> = {};
  for (const { response } of runs) for (const [action, n] of Object.entries(response.summary.apiCalls)) calls[action] = (calls[action] ?? 0) + n;
  const total = sum(calls, () => true);
  const latencies = runs.flatMap(({ response }) => (response.summary.events?.eventToSessionMs ? [response.summary.events.eventToSessionMs] : []));
  const created = runs.reduce((n, { response }) => n + response.summary.created, 0);
  console.log(`\n-- ${title}`);
  runs.forEach(({ at, response }, i) => {
    const e = response.summary.events!;
    console.log(`  run ${i + 1} at +${((at - startMs) / 1000).toFixed(1)} s: ${e.messages} messages, ${e.subjects} subjects, created ${response.summary.created}, retries queued ${e.retriesQueued}, ${sum(response.summary.apiCalls, () => true)} calls, ${(response.summary.durationMs / 1000).toFixed(1)} s`);
  });
  console.log(`  API calls: ${total} (${(total / events).toFixed(1)} per event): ${Object.entries(calls).sort(([a], [b]) => a.localeCompare(b)).map(([a, n]) => `${a}=${n}`).join(' ')}`);
  console.log(`  sessions created ${created}; full discoveries (unfiltered session listings) ${fullListings}; event to session: max ${Math.max(...latencies.map((l) => l.max)) / 1000} s, median of the first run ${(latencies[0]?.median ?? NaN) / 1000} s`);
}

/** A fleet of new instances registered (healthy unless told) in one of the bench's target groups. */
function launch(account: SimAccount, group: SimTargetGroup, count: number, health = 'healthy') {
  return account.addInstanceTargets(group, count, { health });
}

async function benchEvents(account: SimAccount, handler: Handler): Promise<void> {
  console.log(`\n== fast path on the converged account (batching window ${BATCHING_WINDOW_SECONDS} s, batch ${BATCH_SIZE}, retries after ${DEFAULT_EVENT_RETRY_DELAYS_SECONDS.join(', ')} s)`);
  const group = account.targetGroups[0];

  let start = account.clock.now();
  const [one] = launch(account, group, 1);
  account.putEvent(simEvents.instanceRunning(account, one.id));
  printEventRuns('one instance launched (EC2 running event)', 1, await pollQueue(account, handler), start);

  start = account.clock.now();
  for (const instance of launch(account, group, 50)) {
    account.putEvent(simEvents.instanceRunning(account, instance.id));
    account.putEvent(simEvents.autoScalingLaunch(account, instance.id));
    account.clock.advance(100);
  }
  printEventRuns('burst: an Auto Scaling group adds 50 instances over 5 s (100 events: EC2 running + ASG launch)', 100, await pollQueue(account, handler), start);

  start = account.clock.now();
  const [late] = launch(account, group, 1, 'initial');
  const healthyAt = start + 60_000;
  account.putEvent(simEvents.instanceRunning(account, late.id));
  const lateRuns = await pollQueue(account, handler, () => {
    if (account.clock.now() >= healthyAt) group.targets.find((t) => t.id === late.id)!.health = 'healthy';
  });
  printEventRuns('a target that turns healthy 60 s after its event (retried through the queue)', 1, lateRuns, start);
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
          TagSpecifications: [{ ResourceType: 'traffic-mirror-session', Tags: [{ Key: OWNER_TAG_KEY, Value: STACK }] }],
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

/**
 * terraform destroy against the converged account (10,000 owned sessions, the most AWS allows per account): the chain
 * of destroy-time invocations of the cleanup function, as Terraform runs them (link n first, link 1 last), while a
 * scheduled run of the session function is in flight; EC2-like buckets, 20 ms per call.
 */
async function benchDestroy(account: SimAccount, handler: Handler): Promise<void> {
  const owned = account.ownedSessions(STACK).length;
  const links = cleanupChainLength(TIMEOUT_SECONDS);
  const sessionFunction = `${STACK}-mirror-sessions`;
  const cleanupFunction = `${sessionFunction}-cleanup`;
  const env = { STACK_NAME: STACK, MIRROR_TARGET_ID: TARGET_ID, MIRROR_FILTER_ID: FILTER_ID, MIRROR_SOURCE_TYPE: 'TARGET_GROUP', MIRROR_SOURCES: '["tg-000"]', SESSION_FUNCTION_NAME: sessionFunction };
  account.addFunction(sessionFunction, (event, context) => handler(event, context), { timeoutMs: TIMEOUT_SECONDS * 1000 });
  const cleanup = createHandler({ clients: () => account.clients, clock: account.clock, env, log: () => undefined });
  account.addFunction(cleanupFunction, (event, context) => cleanup(event, context), { timeoutMs: CLEANUP_TIMEOUT_SECONDS * 1000, reservedConcurrency: 1000 });
  console.log(`\n== terraform destroy: ${owned} owned sessions, ${links} cleanup invocations of ${CLEANUP_TIMEOUT_SECONDS} s (cleanupChainLength(${TIMEOUT_SECONDS})), a scheduled run in flight`);
  account.resetCalls();
  const start = account.clock.now();
  // A scheduled run that has just started (it finds nothing to do but still reads the whole account).
  const inFlight = account.invokeFunction(sessionFunction, { source: 'aws.events' });
  let failure: string | undefined;
  for (let link = links; link >= 1 && failure === undefined; link--) {
    const linkStart = account.clock.now();
    try {
      const response = await account.invokeFunction(cleanupFunction, { action: 'cleanup', link, links, tf: { action: 'delete' } }) as HandlerResponse;
      const { summary } = response;
      console.log(`  link ${link}: ${summary.deleted} deleted in ${((account.clock.now() - linkStart) / 1000).toFixed(1)} s, ${summary.deferredDeletes} left, drain ${summary.drain?.state} after ${((summary.drain?.waitedMs ?? 0) / 1000).toFixed(1)} s (${summary.drain?.throttledAttempts} throttled attempts), throttled retries ${summary.throttledRetries}`);
      if (summary.complete && summary.deferredDeletes === 0 && account.ownedSessions(STACK).length === 0) break;
    } catch (error) {
      failure = (error as Error).message;
    }
  }
  await inFlight;
  const left = account.ownedSessions(STACK).length;
  console.log(`  destroy ${failure ? `FAILED: ${failure}` : 'completed'}; owned sessions left ${left}; simulated time ${((account.clock.now() - start) / 1000).toFixed(0)} s; DeleteTrafficMirrorSession calls ${account.calls.DeleteTrafficMirrorSession ?? 0}`);
  for (const t of [60, 300, 600, 900]) console.log(`  cleanupChainLength(${t}) = ${cleanupChainLength(t)}`);
}

async function main(): Promise<void> {
  const wallStart = Date.now();
  console.log(`${TARGET_GROUPS * TARGETS_PER_GROUP} target interfaces behind ${TARGET_GROUPS} target groups; timeout ${TIMEOUT_SECONDS} s, schedule every ${INTERVAL_MINUTES} min; 20 ms per call; EC2-like buckets`);
  const { account, handler } = await benchLambda();
  await benchNaive();
  await benchEvents(account, handler);
  await benchDestroy(account, handler);
  console.log(`\n(wall time ${((Date.now() - wallStart) / 1000).toFixed(1)} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
