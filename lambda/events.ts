/**
 * The fast path: EventBridge rules (instance running, ECS task RUNNING, Auto Scaling launch) feed an SQS queue; a
 * batch of its messages becomes one targeted run over the instances and tasks they name, decided by the same
 * discovery, eligibility and session changes as the scheduled run. A target not yet healthy goes back to the queue with a
 * delay, a bounded number of times; then the schedule has it.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { chunk, type AwsClients } from './aws';
import { RETRY_DETAIL_TYPE, RETRY_EVENT_SOURCE } from './environment';
import type { EventFigures, SessionLambdaConfig, RunDetails, RunOutcome } from './reconcile';
import type { EventScope, SkipReason } from './types';

export type EventOrigin = 'ec2' | 'ecs' | 'autoscaling';

/** What one message asks for. */
export interface SourceEvent {
  messageId: string;
  subject: { kind: 'instance'; id: string } | { kind: 'task'; id: string };
  origin: EventOrigin;
  /** The original event's `time`, epoch milliseconds (retries carry it on). */
  eventTime: number;
  /** 0 for the original event, n for its n-th retry. */
  attempt: number;
}

export interface SqsRecord {
  messageId: string;
  body: string;
  eventSource?: string;
}

/** Whether a Lambda event is an SQS batch (the fast path) rather than a schedule, apply-time or manual invocation. */
export function isSqsBatch(event: unknown): event is { Records: SqsRecord[] } {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => (r as SqsRecord)?.eventSource === 'aws:sqs');
}

type Detail = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** One SQS message -> what it names, or undefined for anything else (dropped and counted as ignored). */
export function parseRecord(record: SqsRecord): SourceEvent | undefined {
  let body: { source?: unknown; 'detail-type'?: unknown; time?: unknown; detail?: Detail };
  try {
    body = JSON.parse(record.body);
  } catch {
    return undefined;
  }
  const detail = body?.detail ?? {};
  const eventTime = Date.parse(text(body?.time) ?? '');
  if (!Number.isFinite(eventTime)) return undefined;
  const make = (origin: EventOrigin, kind: 'instance' | 'task', id: string | undefined, attempt = 0): SourceEvent | undefined =>
    (id ? { messageId: record.messageId, subject: { kind, id }, origin, eventTime, attempt } : undefined);
  switch (`${body.source}|${body['detail-type']}`) {
    case 'aws.ec2|EC2 Instance State-change Notification':
      return detail.state === 'running' ? make('ec2', 'instance', text(detail['instance-id'])) : undefined;
    case 'aws.autoscaling|EC2 Instance Launch Successful':
      return make('autoscaling', 'instance', text(detail.EC2InstanceId));
    case 'aws.ecs|ECS Task State Change':
      return detail.lastStatus === 'RUNNING' ? make('ecs', 'task', text(detail.taskArn)) : undefined;
    case `${RETRY_EVENT_SOURCE}|${RETRY_DETAIL_TYPE}`: {
      const origin = detail.origin as EventOrigin;
      const attempt = Number(detail.attempt);
      if (!['ec2', 'ecs', 'autoscaling'].includes(origin) || !Number.isInteger(attempt) || attempt < 1) return undefined;
      return make(origin, detail.taskArn ? 'task' : 'instance', text(detail.taskArn) ?? text(detail.instanceId), attempt);
    }
    default:
      return undefined;
  }
}

/** The message that retries an event later: shaped like an EventBridge event, keeping the original `time`. */
export function retryMessageBody(event: SourceEvent): string {
  const key = event.subject.kind === 'task' ? 'taskArn' : 'instanceId';
  return JSON.stringify({
    source: RETRY_EVENT_SOURCE,
    'detail-type': RETRY_DETAIL_TYPE,
    time: new Date(event.eventTime).toISOString(),
    detail: { [key]: event.subject.id, origin: event.origin, attempt: event.attempt + 1 },
  });
}

export function scopeOf(events: readonly SourceEvent[]): EventScope {
  const ids = (kind: 'instance' | 'task') => new Set(events.filter((e) => e.subject.kind === kind).map((e) => e.subject.id));
  return { instanceIds: ids('instance'), taskArns: ids('task') };
}

/** Skip reasons that may change within minutes: worth a retry. */
const PASSING_REASONS: ReadonlySet<SkipReason> = new Set(['target-unhealthy']);

type Fate = 'mirrored' | 'already-mirrored' | 'not-wanted' | 'retry' | 'failed';

/** The interfaces an event's subject came to in this run. */
function interfacesOf(event: SourceEvent, details: RunDetails): string[] {
  const ofInstance = (instanceId: string) => details.candidates.filter((c) => c.instanceId === instanceId).map((c) => c.interfaceId);
  if (event.subject.kind === 'instance') return ofInstance(event.subject.id);
  const ref = details.discovery.subjectRefs?.get(event.subject.id);
  if (ref?.kind === 'interface') return details.candidates.some((c) => c.interfaceId === ref.interfaceId) ? [ref.interfaceId] : [];
  return ref?.kind === 'instance' ? ofInstance(ref.instanceId) : [];
}

/** What became of one event's subject, decided from the run's own plan and execution. */
function fateOf(event: SourceEvent, outcome: RunOutcome): Fate {
  const { details, plan } = outcome;
  if (!details || !plan) return 'failed';
  const interfaces = interfacesOf(event, details);
  if (interfaces.length === 0) {
    // Membership unknown while a source's discovery failed; an Auto Scaling launch may precede its registration.
    if (details.discovery.failedSources.length > 0) return 'failed';
    return event.origin === 'autoscaling' && !details.discovery.skips.some((s) => s.target === event.subject.id) ? 'retry' : 'not-wanted';
  }
  const execution = details.execution;
  const fates = interfaces.map((interfaceId): Fate => {
    if (execution?.created.some((c) => c.interfaceId === interfaceId)) return 'mirrored';
    if (execution?.errors.some((e) => e.resource === interfaceId)) return 'failed';
    const skip = [...plan.skips, ...(execution?.skips ?? [])].find((s) => s.interfaceId === interfaceId);
    if (skip) return PASSING_REASONS.has(skip.reason) ? 'retry' : 'not-wanted';
    // Planned but neither created, skipped nor failed: deferred by the time budget.
    if (plan.creates.some((c) => c.interfaceId === interfaceId)) return 'failed';
    return 'already-mirrored';
  });
  for (const fate of ['failed', 'retry', 'mirrored', 'already-mirrored'] as const) if (fates.includes(fate)) return fate;
  return 'not-wanted';
}

export interface BatchResult {
  figures: EventFigures;
  /** Message ids to report as batch item failures (back to the queue after its visibility timeout). */
  failedMessageIds: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

/**
 * After the targeted run: each message's fate, the delayed retries (SendMessageBatch, 10 per call, to the
 * function's own queue), and the figures of the run summary. Several messages naming one subject share its fate.
 */
export async function settleEvents(
  config: SessionLambdaConfig,
  clients: AwsClients,
  outcome: RunOutcome,
  events: readonly SourceEvent[],
  ignored: number,
  now: number,
): Promise<BatchResult> {
  const figures: EventFigures = {
    messages: events.length + ignored, ignored, subjects: new Set(events.map((e) => e.subject.id)).size,
    mirrored: 0, alreadyMirrored: 0, notWanted: 0, retriesQueued: 0, leftToSchedule: 0, failed: 0,
  };
  const failedMessageIds: string[] = [];
  const retries: SourceEvent[] = [];
  const latencies: number[] = [];
  const counted = new Set<string>();
  for (const event of events) {
    const fate = fateOf(event, outcome);
    const first = !counted.has(event.subject.id);
    counted.add(event.subject.id);
    if (fate === 'failed') failedMessageIds.push(event.messageId);
    else if (fate === 'retry' && event.attempt < config.eventRetryDelaysSeconds.length && config.eventQueueUrl) {
      if (first) retries.push(event);
    }
    if (!first) continue;
    if (fate === 'mirrored') latencies.push(now - event.eventTime);
    if (fate === 'mirrored') figures.mirrored++;
    else if (fate === 'already-mirrored') figures.alreadyMirrored++;
    else if (fate === 'not-wanted') figures.notWanted++;
    else if (fate === 'failed') figures.failed++;
    else if (!retries.includes(event)) figures.leftToSchedule++;
  }

  for (const batch of chunk(retries, 10)) {
    const byEntryId = new Map(batch.map((event, index) => [String(index), event]));
    let failedEntries: string[];
    try {
      const response = await clients.sqs!.send(new SendMessageBatchCommand({
        QueueUrl: config.eventQueueUrl,
        Entries: batch.map((event, index) => ({
          Id: String(index),
          MessageBody: retryMessageBody(event),
          DelaySeconds: Math.min(900, config.eventRetryDelaysSeconds[event.attempt]),
        })),
      }));
      failedEntries = (response.Failed ?? []).map((entry) => entry.Id ?? '');
    } catch {
      failedEntries = [...byEntryId.keys()];
    }
    for (const [id, event] of byEntryId) {
      // A retry that could not be queued: the message itself goes back instead.
      const failed = failedEntries.includes(id);
      if (failed) failedMessageIds.push(...events.filter((e) => e.subject.id === event.subject.id).map((e) => e.messageId));
      if (failed) figures.failed++;
      else figures.retriesQueued++;
    }
  }
  if (latencies.length > 0) figures.eventToSessionMs = { count: latencies.length, median: median(latencies), max: Math.max(...latencies) };
  return { figures, failedMessageIds: [...new Set(failedMessageIds)] };
}
