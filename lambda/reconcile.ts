import {
  AwsCaller,
  errorCode,
  errorMessage,
  instrumentClients,
  TimeBudget,
  TimeBudgetExhaustedError,
  TokenBucket,
  type AwsClients,
  type Clock,
} from './aws';
import { followsTasks } from '../shared';
import { discoverSources, type SourceSelection } from './discovery';
import { InstanceTypeCache, resolveInterfaces } from './discovery/interfaces';
import { emptyDiscovery } from './discovery/load-balancers';
import { executeSessionChanges, type ExecutionError, type ExecutionResult } from './executor';
import { applySessionBudget } from './budget';
import { syncFilterPorts, type FilterPortsFigures } from './filter-ports';
import { decideCleanup, decideSessionChanges } from './session-changes';
import { recallRejectedInstanceTypes } from './memory';
import { chooseEndpointTargets, describeEndpointTargets, isAvailable, type EndpointTargetChoice, type VpcWithoutTarget } from './endpoint-targets';
import { listOwnedSessionsToward, listSessions, listSessionsOn } from './sessions';
import type { CandidateInterface, DiscoveryResult, EventScope, SessionChanges, SessionView, SkipReason } from './types';

/** What a run needs to know, read from the environment by the handler (the Lambda's settings, not the deployment's MirroringConfig). */
export interface SessionLambdaConfig extends SourceSelection {
  /** Value of the ownership tag; the IAM policy conditions use the same value. */
  stackName: string;
  /**
   * The function's own account (from its ARN): sessions of other accounts, which the owner of a shared target sees
   * too, are never ours. Undefined: the ownership tag alone decides.
   */
  accountId?: string;
  /** The one target of every session (target selection `single`, the default); absent with `vpc-endpoint`. */
  targetId?: string;
  /** `vpc-endpoint`: each interface's target is found at run time (lambda/endpoint-targets.ts). Absent: `single`. */
  targetSelection?: 'vpc-endpoint';
  filterId: string;
  mirrorUnhealthyTargets: boolean;
  /** Stop starting new work when less than this much Lambda time remains. */
  safetyMarginMs: number;
  /** Client-side pacing of EC2 calls; defaults are EC2's documented token buckets. */
  ec2Rates?: { describeBurst: number; describePerSecond: number; mutateBurst: number; mutatePerSecond: number };
  /** URL of the function's event queue (fast path); event-driven runs send their delayed retries there. */
  eventQueueUrl?: string;
  /** Delays of the retries of a target not yet healthy when its event arrived, seconds; their number bounds the attempts. */
  eventRetryDelaysSeconds: readonly number[];
  /** Most sessions the stack may own (MirrorSessionBudget); 0 or undefined: no budget. See lambda/budget.ts. */
  sessionBudget?: number;
  /** Keep the filter's rules in step with the target groups' ports (MirrorTcpPortsFromTargets). See lambda/filter-ports.ts. */
  tcpPortsFromTargets?: boolean;
  /** Cleanup function only: the session function to drain before deleting. */
  sessionFunctionName?: string;
  /** The function's own log group (Lambda's AWS_LAMBDA_LOG_GROUP_NAME): where earlier runs' lessons are read. */
  logGroupName?: string;
}

/**
 * `reconcile`: scheduled (or apply-time) full run; `event`: targeted run of the instances and tasks a batch of events
 * names; `cleanup`: destroy-time deletion of owned sessions; `drain`: the session function stops taking runs
 * (lambda/drain.ts); `idle`: a destroy-time cleanup invocation being created or updated, which does nothing.
 */
export type RunMode = 'reconcile' | 'event' | 'dry-run' | 'cleanup' | 'drain' | 'idle';

export interface RunDependencies {
  clients: AwsClients;
  clock: Clock;
  /** Like Lambda's `context.getRemainingTimeInMillis`. */
  remainingTimeMs: () => number;
  /** Lambda request id (or any unique id) of this run. */
  runId: string;
  typeCache?: InstanceTypeCache;
  random?: () => number;
}

/** Figures of one run: logged as one JSON line and published as metrics. */
export interface RunSummary {
  mode: RunMode;
  stack: string;
  sourceType: string;
  /** True when discovery finished and every planned change was attempted within the time budget. */
  complete: boolean;
  discoveredTargets: number;
  candidateInterfaces: number;
  /** Interfaces that should be mirrored: already mirrored plus planned creates. */
  wanted: number;
  unchanged: number;
  plannedCreates: number;
  plannedDeletes: number;
  created: number;
  deleted: number;
  skipped: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  missingSources: string[];
  failedSources: { source: string; error: string }[];
  keptForFailedSources: number;
  /** Wanted interfaces mirrored to our target and filter by a hand-made session (counted, never taken over). */
  mirroredByHand?: number;
  deferredCreates: number;
  deferredDeletes: number;
  rejectedInstanceTypes: string[];
  throttledRetries: number;
  transientRetries: number;
  errors: number;
  /** The first errors, for the log; the count above is complete. */
  errorSamples: (ExecutionError | { action: string; resource: string; code: string; message: string })[];
  apiCalls: Record<string, number>;
  durationMs: number;
  /** Event-driven runs only: what happened to the batch's events. */
  events?: EventFigures;
  /** With derived filter ports: the port ranges and the rule changes. */
  filterPorts?: FilterPortsFigures;
  /** With a session budget: the budget, the owned sessions the plan leaves, and the interfaces it kept out. */
  sessionBudget?: { budget: number; sessions: number; skipped: number };
  /** Destroy-time cleanup only: waiting for the session function's in-flight run and stopping it from taking more. */
  drain?: { state: 'drained' | 'already-drained'; waitedMs: number; throttledAttempts: number };
  /** Destroy-time cleanup only: this invocation's place in the chain (1 is the last to run and must finish). */
  cleanupLink?: { link: number; links: number };
  /** Target selection `vpc-endpoint`: the stack's endpoint targets found, and the interfaces left without one. */
  endpointTargets?: { found: number; available: number };
  interfacesWithoutTarget?: number;
  vpcsWithoutTarget?: VpcWithoutTarget[];
}

/** The fast path's figures in a run summary. */
export interface EventFigures {
  /** SQS messages in the batch. */
  messages: number;
  /** Messages naming nothing we understand (dropped). */
  ignored: number;
  /** Distinct instances and tasks named. */
  subjects: number;
  /** Subjects that got their session in this run. */
  mirrored: number;
  alreadyMirrored: number;
  /** Not a wanted source (not a member, or skipped by the same rules as a scheduled run). */
  notWanted: number;
  /** Not yet healthy (or not yet registered, after an Auto Scaling launch): sent back to the queue with a delay. */
  retriesQueued: number;
  /** Still not wanted after the last retry: left to the schedule. */
  leftToSchedule: number;
  /** Returned to the queue as batch item failures (errors, time budget, a source whose discovery failed). */
  failed: number;
  /** Time from the event (its `time`) to its session, for the sessions created by this run. */
  eventToSessionMs?: { count: number; median: number; max: number };
}

export interface RunOutcome {
  summary: RunSummary;
  /** The plan (returned in full by dry runs). */
  plan?: SessionChanges;
  /** What an event-driven run needs to tell each event's fate. */
  details?: RunDetails;
}

export interface RunDetails {
  discovery: DiscoveryResult;
  candidates: CandidateInterface[];
  execution?: ExecutionResult;
}

export interface RunOptions {
  /** Event-driven run: only these instances and tasks. */
  scope?: EventScope;
  /** Runs after the plan is carried out, with the run's paced, counted clients (e.g. to queue retries). */
  after?: (clients: AwsClients, outcome: RunOutcome) => Promise<void>;
}

/** Shared across warm invocations of one container. */
const defaultTypeCache = new InstanceTypeCache();
const MAX_ERROR_SAMPLES = 10;

function countSkips(skips: readonly { reason: SkipReason }[]): Partial<Record<SkipReason, number>> {
  const counts: Partial<Record<SkipReason, number>> = {};
  for (const { reason } of skips) counts[reason] = (counts[reason] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The summary of a run that has done nothing yet. */
export function emptySummary(mode: RunMode, config: Pick<SessionLambdaConfig, 'stackName' | 'sourceType'>): RunSummary {
  return {
    mode, stack: config.stackName, sourceType: config.sourceType, complete: false,
    discoveredTargets: 0, candidateInterfaces: 0, wanted: 0, unchanged: 0, plannedCreates: 0, plannedDeletes: 0,
    created: 0, deleted: 0, skipped: 0, skippedByReason: {}, missingSources: [], failedSources: [], keptForFailedSources: 0, mirroredByHand: 0,
    deferredCreates: 0, deferredDeletes: 0, rejectedInstanceTypes: [], throttledRetries: 0, transientRetries: 0,
    errors: 0, errorSamples: [], apiCalls: {}, durationMs: 0,
  };
}

/**
 * One run: discover the sources, list sessions, plan, execute (unless dry run). Cleanup skips discovery and
 * deletes every owned session.
 */
export async function runMirroring(config: SessionLambdaConfig, deps: RunDependencies, mode: RunMode, options: RunOptions = {}): Promise<RunOutcome> {
  const startedAt = deps.clock.now();
  const budget = new TimeBudget(deps.remainingTimeMs, config.safetyMarginMs);
  const rates = config.ec2Rates ?? { describeBurst: 100, describePerSecond: 20, mutateBurst: 50, mutatePerSecond: 5 };
  const caller = new AwsCaller({
    clock: deps.clock,
    budget,
    random: deps.random,
    buckets: {
      'ec2:describe': new TokenBucket(deps.clock, rates.describeBurst, rates.describePerSecond),
      'ec2:mutate': new TokenBucket(deps.clock, rates.mutateBurst, rates.mutatePerSecond),
    },
  });
  const clients = instrumentClients(deps.clients, caller);
  const summary = emptySummary(mode, config);
  const fill = (): RunSummary => {
    summary.throttledRetries = caller.stats.throttledRetries;
    summary.transientRetries = caller.stats.transientRetries;
    summary.apiCalls = Object.fromEntries(Object.entries(caller.stats.callsByAction).sort(([a], [b]) => a.localeCompare(b)));
    summary.durationMs = deps.clock.now() - startedAt;
    return summary;
  };
  const finish = async (plan?: SessionChanges, details?: RunDetails): Promise<RunOutcome> => {
    const outcome = { summary, plan, details };
    if (options.after) await options.after(clients, outcome);
    fill();
    return outcome;
  };

  let plan: SessionChanges;
  let details: RunDetails | undefined;
  let targetSkips: { reason: SkipReason }[] = [];
  let remembered = new Set<string>();
  try {
    if (mode === 'cleanup') {
      const targetIds = config.targetSelection ? (await describeEndpointTargets(clients, config.stackName)).map((t) => t.targetId) : [singleTarget(config)];
      plan = decideCleanup(await listOwnedSessionsToward(clients, config, targetIds), new Set(targetIds));
    } else {
      // A targeted run reads only the sessions of its candidate interfaces and plans for nothing else.
      const { scope } = options;
      const nothingNamed = scope && scope.instanceIds.size === 0 && (!followsTasks(config.sourceType) || scope.taskArns.size === 0);
      const discovery = nothingNamed ? emptyDiscovery() : await discoverSources(clients, config, scope);
      const resolved = await resolveInterfaces(clients, discovery.targets, deps.typeCache ?? defaultTypeCache);
      const candidateIds = resolved.candidates.map((candidate) => candidate.interfaceId);
      const sessions = scope ? await listSessionsOn(clients, config, candidateIds) : await listSessions(clients, config);
      remembered = clients.logs && config.logGroupName ? await recallRejectedInstanceTypes(clients.logs, config.logGroupName, deps.clock.now()) : new Set();
      const choice = config.targetSelection ? await chooseTargets(clients, config, resolved.candidates, summary) : undefined;
      const ourTargets = choice?.ourTargetIds ?? new Set([singleTarget(config)]);
      plan = decideSessionChanges({
        targetId: config.targetId ?? '',
        ...(choice ? { endpointTargets: choice } : {}),
        filterId: config.filterId,
        candidates: resolved.candidates,
        instanceTypes: resolved.instanceTypes,
        sessions,
        mirrorUnhealthyTargets: config.mirrorUnhealthyTargets,
        failedSources: new Set(discovery.failedSources.map((failure) => failure.source)),
        onlyInterfaces: scope ? new Set(candidateIds) : undefined,
        rejectedInstanceTypes: remembered,
      });
      if (config.sessionBudget) plan = await withinBudget(clients, config, ourTargets, plan, resolved.candidates, sessions, scope !== undefined, summary);
      details = { discovery, candidates: resolved.candidates };
      targetSkips = [...discovery.skips, ...resolved.skips];
      Object.assign(summary, {
        discoveredTargets: discovery.targets.length,
        candidateInterfaces: resolved.candidates.length,
        missingSources: discovery.missingSources,
        failedSources: discovery.failedSources,
        keptForFailedSources: plan.keptForFailedSources,
        mirroredByHand: plan.mirroredByHand,
        unchanged: plan.unchanged,
        wanted: plan.unchanged + plan.creates.length,
      });
    }
  } catch (error) {
    if (!(error instanceof TimeBudgetExhaustedError)) throw Object.assign(error as object, { partialSummary: fill() });
    summary.errors = 1;
    summary.errorSamples = [{ action: 'discovery', resource: config.stackName, code: errorCode(error), message: errorMessage(error) }];
    return finish();
  }
  summary.plannedCreates = plan.creates.length;
  summary.plannedDeletes = plan.deletes.length;

  let execution: ExecutionResult | undefined;
  if (mode !== 'dry-run') {
    execution = await executeSessionChanges(plan, clients, caller, {
      stackName: config.stackName, ...(config.targetId ? { targetId: config.targetId } : {}), filterId: config.filterId, runId: deps.runId,
    });
  }
  let filterError: RunSummary['errorSamples'][number] | undefined;
  // Derived filter ports: scheduled and dry runs only (an event-driven run sees only its instances' ports).
  if (config.tcpPortsFromTargets && details && (mode === 'reconcile' || mode === 'dry-run')) {
    try {
      summary.filterPorts = await syncFilterPorts(clients, config.filterId, details.discovery.targetPorts ?? [], {
        sourcesFailed: details.discovery.failedSources.length > 0, dryRun: mode === 'dry-run',
      });
    } catch (error) {
      if (!(error instanceof TimeBudgetExhaustedError)) filterError = { action: 'SyncFilterPorts', resource: config.filterId, code: errorCode(error), message: errorMessage(error) };
    }
  }
  const skips = [...targetSkips, ...plan.skips, ...(execution?.skips ?? [])];
  Object.assign(summary, {
    created: execution?.created.length ?? 0,
    deleted: execution?.deleted.length ?? 0,
    skipped: skips.length,
    skippedByReason: countSkips(skips),
    deferredCreates: execution?.deferredCreates ?? 0,
    deferredDeletes: execution?.deferredDeletes ?? 0,
    // What earlier runs learned is carried forward, so the next run finds it in this summary.
    rejectedInstanceTypes: [...new Set([...remembered, ...(execution?.rejectedInstanceTypes ?? [])])].sort(),
    errors: execution?.errors.length ?? 0,
    errorSamples: execution?.errors.slice(0, MAX_ERROR_SAMPLES) ?? [],
  });
  if (summary.vpcsWithoutTarget) summary.interfacesWithoutTarget = skips.filter((skip) => skip.reason === 'no-target-in-vpc').length;
  if (filterError) {
    summary.errors++;
    summary.errorSamples.push(filterError);
  }
  summary.complete = summary.deferredCreates === 0 && summary.deferredDeletes === 0;
  return finish(plan, details && { ...details, execution });
}

/** Target selection `single`: the one target (configFromEnv requires it). */
function singleTarget(config: SessionLambdaConfig): string {
  if (config.targetId === undefined) throw new Error('no MIRROR_TARGET_ID: target selection single needs one');
  return config.targetId;
}

/** Target selection `vpc-endpoint`: the stack's endpoint targets and each candidate's; the figures go into the summary. */
async function chooseTargets(clients: AwsClients, config: SessionLambdaConfig, candidates: readonly CandidateInterface[], summary: RunSummary): Promise<EndpointTargetChoice> {
  const targets = await describeEndpointTargets(clients, config.stackName);
  const choice = chooseEndpointTargets(candidates, targets);
  summary.endpointTargets = { found: targets.length, available: targets.filter(isAvailable).length };
  summary.vpcsWithoutTarget = choice.vpcsWithoutTarget;
  return choice;
}

/**
 * The plan within the session budget (lambda/budget.ts). A full run saw every owned session; a targeted run saw only
 * its interfaces' and counts the rest with one owned-only listing.
 */
async function withinBudget(
  clients: AwsClients, config: SessionLambdaConfig, ourTargets: ReadonlySet<string>, plan: SessionChanges, candidates: CandidateInterface[], sessions: SessionView[], targeted: boolean, summary: RunSummary,
): Promise<SessionChanges> {
  const budget = config.sessionBudget ?? 0;
  const deleted = new Set(plan.deletes.map((d) => d.sessionId));
  const current = (s: SessionView) => s.owned && ourTargets.has(s.targetId) && s.filterId === config.filterId && !deleted.has(s.sessionId);
  const kept = targeted
    ? { keptCount: (await listOwnedSessionsToward(clients, config, [...ourTargets])).filter(current).length }
    : { keptSessions: sessions.filter(current) };
  const bounded = applySessionBudget(plan, { budget, configuredSources: config.sources, candidates, ...kept });
  const budgetDeletes = bounded.deletes.length - plan.deletes.length;
  summary.sessionBudget = {
    budget,
    sessions: (kept.keptCount ?? kept.keptSessions?.length ?? 0) - budgetDeletes + bounded.creates.length,
    skipped: bounded.skips.length - plan.skips.length,
  };
  return bounded;
}
