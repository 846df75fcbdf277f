import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock, type AwsClients, type Clock } from './aws';
import { DEFAULT_EVENT_RETRY_DELAYS_SECONDS, SESSION_LAMBDA_ENV, SESSION_METRICS_NAMESPACE, TARGET_SELECTIONS, type TargetSelection } from './environment';
import { drainSessionFunction, stopTakingRuns } from './drain';
import { withoutTargetLogLine } from './endpoint-targets';
import { SUMMARY_MESSAGE } from './memory';
import { isSqsBatch, parseRecord, scopeOf, settleEvents, type BatchResult, type SourceEvent } from './events';
import { emptySummary, runMirroring, type SessionLambdaConfig, type RunMode, type RunSummary } from './reconcile';
import { SESSION_SOURCE_TYPES, selectsByTag, type SessionSourceType } from '../shared';
import type { PlannedCreate, PlannedDelete } from './types';

const ENV = SESSION_LAMBDA_ENV;

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
}

function jsonArray<T>(env: NodeJS.ProcessEnv, name: string, what: string, valid: (item: unknown) => item is T): T[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || !parsed.every(valid)) throw new Error(`environment variable ${name} must be a JSON array of ${what}`);
  return parsed;
}

function stringArray(env: NodeJS.ProcessEnv, name: string): string[] {
  const items = jsonArray(env, name, 'strings', (item): item is string => typeof item === 'string') ?? [];
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

/** Reads a file shipped in the bundle (next to index.js). */
export type BundleFileReader = (name: string) => string;
const readBundleFile: BundleFileReader = (name) => readFileSync(path.join(__dirname, name), 'utf8');

/** The sources: MIRROR_SOURCES when set, else the JSON array in the bundle's file named by MIRROR_SOURCES_FILE. */
function sourcesOf(env: NodeJS.ProcessEnv, readFile: BundleFileReader): string[] {
  const fileName = env[ENV.sourcesFile]?.trim();
  if (env[ENV.sources]?.trim() || !fileName) return stringArray(env, ENV.sources);
  let text: string;
  try {
    text = readFile(fileName);
  } catch (error) {
    throw new Error(`${ENV.sourcesFile}: cannot read ${fileName} from the bundle (${(error as Error).message})`, { cause: error });
  }
  return stringArray({ [ENV.sources]: text }, ENV.sources);
}

/** Reads and checks the configuration; throws with the variable's name when something is wrong. */
export function configFromEnv(env: NodeJS.ProcessEnv, initialRemainingMs: number, readFile: BundleFileReader = readBundleFile): SessionLambdaConfig {
  const sourceType = required(env, ENV.sourceType) as SessionSourceType;
  if (!SESSION_SOURCE_TYPES.includes(sourceType)) {
    throw new Error(`${ENV.sourceType} must be one of ${SESSION_SOURCE_TYPES.join(', ')}, got ${sourceType}`);
  }
  const sources = sourcesOf(env, readFile);
  if (sources.length === 0) throw new Error(`${ENV.sources} must name at least one source for ${sourceType}`);
  const sourceVpcIds = stringArray(env, ENV.sourceVpcIds);
  if (selectsByTag(sourceType) && sourceVpcIds.length === 0) {
    throw new Error(`${ENV.sourceVpcIds} must name at least one VPC for ${sourceType}`);
  }
  const unhealthy = (env[ENV.mirrorUnhealthyTargets] ?? 'false').trim().toLowerCase();
  if (unhealthy !== 'true' && unhealthy !== 'false') throw new Error(`${ENV.mirrorUnhealthyTargets} must be true or false`);
  const sessionBudget = Number(env[ENV.sessionBudget]?.trim() || '0');
  if (!Number.isInteger(sessionBudget) || sessionBudget < 0 || sessionBudget > 10_000) throw new Error(`${ENV.sessionBudget} must be a whole number from 0 to 10000`);
  const margin = env[ENV.safetyMarginMs] ? Number(env[ENV.safetyMarginMs]) : Math.min(30_000, Math.max(5_000, initialRemainingMs / 10));
  if (!Number.isFinite(margin) || margin < 0) throw new Error(`${ENV.safetyMarginMs} must be a number of milliseconds`);
  const targetSelection = (env[ENV.targetSelection]?.trim() || 'single') as TargetSelection;
  if (!TARGET_SELECTIONS.includes(targetSelection)) throw new Error(`${ENV.targetSelection} must be one of ${TARGET_SELECTIONS.join(', ')}, got ${targetSelection}`);
  return {
    stackName: required(env, ENV.stackName),
    ...(targetSelection === 'vpc-endpoint' ? { targetSelection } : { targetId: required(env, ENV.targetId) }),
    filterId: required(env, ENV.filterId),
    sourceType,
    sources,
    sourceVpcIds,
    mirrorUnhealthyTargets: unhealthy === 'true',
    safetyMarginMs: margin,
    eventQueueUrl: env[ENV.eventQueueUrl]?.trim() || undefined,
    sessionBudget,
    tcpPortsFromTargets: (env[ENV.tcpPortsFromTargets] ?? '').trim() === 'true',
    eventRetryDelaysSeconds: jsonArray(env, ENV.eventRetryDelaysSeconds, 'whole numbers of seconds from 0 to 900',
      (item): item is number => Number.isInteger(item) && (item as number) >= 0 && (item as number) <= 900) ?? [...DEFAULT_EVENT_RETRY_DELAYS_SECONDS],
    ...(env[ENV.sessionFunctionName]?.trim() ? { sessionFunctionName: env[ENV.sessionFunctionName]!.trim() } : {}),
    ...(env.AWS_LAMBDA_LOG_GROUP_NAME?.trim() ? { logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME.trim() } : {}),
  };
}

/**
 * Which run an event asks for:
 * - an SQS batch (EventBridge rules -> the function's queue): a targeted run of what its events name;
 * - `{"dryRun": true}`: plan only;
 * - `{"action": "cleanup"}`, or `aws_lambda_invocation` (lifecycle_scope CRUD) deleting, which sends its input
 *   plus `"tf": {"action": "delete", "prev_input": ...}`: delete every owned session;
 * - anything else (the schedule's event, the apply-time invocation's create/update): reconcile.
 */
export function runModeOf(event: unknown): RunMode {
  if (isSqsBatch(event)) return 'event';
  const body = (event && typeof event === 'object' ? event : {}) as { dryRun?: unknown; action?: unknown; tf?: { action?: unknown } };
  if (body.action === 'drain') return 'drain';
  // The destroy-time cleanup invocations (modules/session-lambda.ts) are also invoked when created or updated.
  if (body.action === 'cleanup' && body.tf !== undefined && body.tf.action !== 'delete') return 'idle';
  if (body.tf?.action === 'delete' || body.action === 'cleanup') return 'cleanup';
  if (body.dryRun === true) return 'dry-run';
  return 'reconcile';
}

/** One JSON line that is both the run summary and CloudWatch metrics (embedded metric format). */
export function summaryLogLine(summary: RunSummary, timestamp: number): string {
  const metrics: Record<string, number> = {
    DiscoveredTargets: summary.discoveredTargets,
    WantedInterfaces: summary.wanted,
    SessionsCreated: summary.created,
    SessionsDeleted: summary.deleted,
    InterfacesSkipped: summary.skipped,
    DeferredChanges: summary.deferredCreates + summary.deferredDeletes,
    ThrottledRetries: summary.throttledRetries,
    Errors: summary.errors,
    MissingSources: summary.missingSources.length,
    FailedSources: summary.failedSources.length,
    DurationMs: summary.durationMs,
  };
  if (summary.filterPorts) Object.assign(metrics, { FilterRulesCreated: summary.filterPorts.created, FilterRulesDeleted: summary.filterPorts.deleted });
  if (summary.interfacesWithoutTarget !== undefined) metrics.InterfacesWithoutTarget = summary.interfacesWithoutTarget;
  if (summary.sessionBudget) Object.assign(metrics, { OwnedSessions: summary.sessionBudget.sessions, SkippedForBudget: summary.sessionBudget.skipped });
  if (summary.events) {
    Object.assign(metrics, {
      EventsReceived: summary.events.messages,
      EventSessionsCreated: summary.events.mirrored,
      EventRetriesQueued: summary.events.retriesQueued,
      EventsLeftToSchedule: summary.events.leftToSchedule,
      ...(summary.events.eventToSessionMs ? { EventToSessionMs: summary.events.eventToSessionMs.max } : {}),
    });
  }
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: SESSION_METRICS_NAMESPACE,
        Dimensions: [['Stack']],
        Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: Name.endsWith('Ms') ? 'Milliseconds' : 'Count' })),
      }],
    },
    Stack: summary.stack,
    message: SUMMARY_MESSAGE,
    ...summary,
    ...metrics,
  });
}

export interface HandlerResponse {
  mode: RunMode;
  summary: RunSummary;
  plannedCreates?: PlannedCreate[];
  plannedDeletes?: PlannedDelete[];
  /** SQS batches (ReportBatchItemFailures): the messages that go back to the queue. */
  batchItemFailures?: { itemIdentifier: string }[];
}

interface LambdaContext {
  awsRequestId: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: where the function's own account is read. */
  invokedFunctionArn?: string;
  /** The function's own name (drain sets its own concurrency). */
  functionName?: string;
  getRemainingTimeInMillis(): number;
}

/** The account field of the function's ARN, when it has one. */
export function accountOf(functionArn: string | undefined): { accountId?: string } {
  const account = functionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? { accountId: account } : {};
}

/** `{"action":"cleanup","link":k,"links":n}`: the k-th of n destroy-time cleanup invocations; link 1 runs last. */
function cleanupLinkOf(event: unknown): { link: number; links: number } | undefined {
  const { link, links } = (event ?? {}) as { link?: unknown; links?: unknown };
  return Number.isInteger(link) && Number.isInteger(links) ? { link: link as number, links: links as number } : undefined;
}

export interface HandlerDependencies {
  clients: () => AwsClients;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** Builds the handler around injected clients, so tests run it against mocks and the simulation. */
export function createHandler(deps: HandlerDependencies) {
  return async (event: unknown, context: LambdaContext): Promise<HandlerResponse> => {
    const log = deps.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const clock = deps.clock ?? systemClock;
    const mode = runModeOf(event);
    const env = deps.env ?? process.env;
    const config = { ...configFromEnv(env, context.getRemainingTimeInMillis()), ...accountOf(context.invokedFunctionArn) };
    if (mode === 'idle') return { mode, summary: { ...emptySummary(mode, config), complete: true } };
    if (mode === 'drain') {
      const functionName = context.functionName ?? env.AWS_LAMBDA_FUNCTION_NAME ?? '';
      await stopTakingRuns(requiredLambda(deps.clients()), functionName);
      log(JSON.stringify({ message: `${functionName} takes no more runs (reserved concurrency 0): the stack is being destroyed`, mode }));
      return { mode, summary: { ...emptySummary(mode, config), complete: true } };
    }
    const link = mode === 'cleanup' ? cleanupLinkOf(event) : undefined;
    const drain = mode === 'cleanup' && config.sessionFunctionName
      ? await drainSessionFunction(requiredLambda(deps.clients()), config.sessionFunctionName, clock, clock.now() + context.getRemainingTimeInMillis() - config.safetyMarginMs)
      : undefined;
    const events: SourceEvent[] = [];
    let ignored = 0;
    if (mode === 'event') {
      for (const record of (event as { Records: Parameters<typeof parseRecord>[0][] }).Records) {
        const parsed = parseRecord(record);
        if (parsed) events.push(parsed);
        else ignored++;
      }
    }
    let batch: BatchResult | undefined;
    try {
      const { summary, plan } = await runMirroring(
        config,
        { clients: deps.clients(), clock, remainingTimeMs: () => context.getRemainingTimeInMillis(), runId: context.awsRequestId },
        mode,
        mode === 'event'
          ? {
              scope: scopeOf(events),
              after: async (clients, outcome) => {
                batch = await settleEvents(config, clients, outcome, events, ignored, clock.now());
                outcome.summary.events = batch.figures;
              },
            }
          : {},
      );
      if (summary.vpcsWithoutTarget?.length) log(withoutTargetLogLine(summary.stack, summary.vpcsWithoutTarget));
      if (drain) summary.drain = drain;
      if (link) summary.cleanupLink = link;
      log(summaryLogLine(summary, clock.now()));
      if (batch) return { mode, summary, batchItemFailures: batch.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
      // Destroy must not go on while owned sessions remain: they would block the mirror target's deletion. Earlier
      // links of the chain leave the rest to the next one; the last one (link 1) must finish.
      const lastLink = !link || link.link <= 1;
      if (mode === 'cleanup' && lastLink && (!summary.complete || summary.errors > 0)) {
        throw new Error(`cleanup left ${summary.deferredDeletes + summary.errors} owned sessions; invoke {"action":"cleanup"} again`);
      }
      return mode === 'dry-run'
        ? { mode, summary, plannedCreates: plan?.creates ?? [], plannedDeletes: plan?.deletes ?? [] }
        : { mode, summary };
    } catch (error) {
      const partial = (error as { partialSummary?: RunSummary }).partialSummary;
      if (partial) log(summaryLogLine({ ...partial, errors: partial.errors + 1 }, clock.now()));
      throw error;
    }
  };
}

function requiredLambda(clients: AwsClients) {
  if (!clients.lambda) throw new Error('no Lambda client: the drain needs one');
  return clients.lambda;
}

let sharedClients: AwsClients | undefined;

/** Clients live for the container's life. Retries are ours (AwsCaller), so the SDK makes one attempt per call. */
function lambdaClients(): AwsClients {
  const options = { maxAttempts: 1 };
  sharedClients ??= {
    ec2: new EC2Client(options),
    elbv2: new ElasticLoadBalancingV2Client(options),
    elb: new ElasticLoadBalancingClient(options),
    ecs: new ECSClient(options),
    sqs: new SQSClient(options),
    lambda: new LambdaClient(options),
    logs: new CloudWatchLogsClient(options),
  };
  return sharedClients;
}

export const handler = createHandler({ clients: lambdaClients });
