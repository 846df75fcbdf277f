import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** Time source and sleep, injected so the simulation runs in simulated time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The SDK clients a run uses. Injected everywhere, so tests pass mocked ones. */
export interface AwsClients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  elb: ElasticLoadBalancingClient;
  ecs: ECSClient;
  /** The function's own event queue: event-driven runs send their delayed retries to it. */
  sqs?: SQSClient;
  /** Lambda itself: the destroy-time drain (lambda/drain.ts). Not paced or retried by the caller. */
  lambda?: LambdaClient;
  /** The function's own log group: what earlier runs learned (lambda/memory.ts). */
  logs?: CloudWatchLogsClient;
}

/** Error codes meaning "slow down": EC2 `RequestLimitExceeded`, ELB and ECS `Throttling`, and their relatives. */
const THROTTLING_CODES = new Set([
  'RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException',
  'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ProvisionedThroughputExceededException',
]);
/** Errors worth another try that are not throttling. */
const TRANSIENT_CODES = new Set([
  'InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'ServerException', 'TimeoutError',
  'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN',
]);

export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { name, code, Code } = error as { name?: unknown; code?: unknown; Code?: unknown };
    for (const candidate of [Code, code, name]) if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  }
  return 'UnknownError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING_CODES.has(errorCode(error));
}

function isTransient(error: unknown): boolean {
  if (TRANSIENT_CODES.has(errorCode(error))) return true;
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  return fault === 'server';
}

/** Thrown when the run's remaining time is under the safety margin: stop starting new work. */
export class TimeBudgetExhaustedError extends Error {
  constructor(what: string) {
    super(`time budget exhausted before ${what}`);
    this.name = 'TimeBudgetExhaustedError';
  }
}

/** Remaining time of this invocation, minus a safety margin kept for the summary and in-flight calls. */
export class TimeBudget {
  constructor(
    private readonly remainingTimeMs: () => number,
    readonly safetyMarginMs: number,
  ) {}

  /** Milliseconds of work we may still start. */
  availableMs(): number {
    return this.remainingTimeMs() - this.safetyMarginMs;
  }

  exhausted(): boolean {
    return this.availableMs() <= 0;
  }
}

/** Client-side token bucket mirroring EC2's request rate limiting, so we pace ourselves instead of being throttled. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly clock: Clock,
    readonly burst: number,
    readonly refillPerSecond: number,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.refillPerSecond);
    this.updatedAt = now;
  }

  /** Milliseconds to wait before one token is available (0 when one is available now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.refillPerSecond) * 1000);
  }

  take(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** After a throttle the account's real bucket is empty: ours must be too. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }
}

export type CallKind = 'describe' | 'mutate';

export interface CallStats {
  callsByAction: Record<string, number>;
  throttledRetries: number;
  transientRetries: number;
}

export interface AwsCallerOptions {
  clock: Clock;
  budget: TimeBudget;
  /** Attempts per call, first one included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Source of jitter; injectable for deterministic simulations. */
  random?: () => number;
  /** Per-service, per-kind client-side pacing (e.g. `ec2:mutate`). Services without a bucket are not paced. */
  buckets?: Partial<Record<string, TokenBucket>>;
}

/**
 * Every AWS call of a run goes through here: pacing, retries with exponential backoff and full jitter on throttling
 * and transient errors, per-action counting, and the time budget (no retry sleeps past the safety margin).
 */
export class AwsCaller {
  readonly stats: CallStats = { callsByAction: {}, throttledRetries: 0, transientRetries: 0 };
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(private readonly options: AwsCallerOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.random = options.random ?? Math.random;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get budget(): TimeBudget {
    return this.options.budget;
  }

  async call<T>(service: string, action: string, send: () => Promise<T>): Promise<T> {
    const kind: CallKind = /^(Describe|List|Get)/.test(action) ? 'describe' : 'mutate';
    const bucket = this.options.buckets?.[`${service}:${kind}`];
    for (let attempt = 1; ; attempt++) {
      if (bucket) await this.waitFor(bucket.waitMs(), action);
      bucket?.take();
      this.stats.callsByAction[action] = (this.stats.callsByAction[action] ?? 0) + 1;
      try {
        return await send();
      } catch (error) {
        const throttled = isThrottling(error);
        if ((!throttled && !isTransient(error)) || attempt >= this.maxAttempts) throw error;
        if (throttled) {
          this.stats.throttledRetries++;
          bucket?.drain();
        } else {
          this.stats.transientRetries++;
        }
        const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await this.waitFor(Math.round(ceiling * (0.5 + this.random() / 2)), action);
      }
    }
  }

  /** Sleeps, unless that would cross the safety margin. */
  private async waitFor(ms: number, action: string): Promise<void> {
    if (this.budget.availableMs() - ms <= 0) throw new TimeBudgetExhaustedError(action);
    if (ms > 0) await this.clock.sleep(ms);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any SDK client: each `send` is typed by its own command union
type Sendable = { send: (command: any, ...rest: any[]) => Promise<any> };

/**
 * The same client, but every `send` (SDK paginators included) goes through the caller. A Proxy keeps
 * `instanceof` true, which the SDK paginators check.
 */
function throughCaller<C extends Sendable>(client: C, service: string, caller: AwsCaller): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: { constructor: { name: string } }, ...rest: unknown[]) =>
        caller.call(service, command.constructor.name.replace(/Command$/, ''), () => target.send(command, ...rest));
    },
  });
}

export function instrumentClients(clients: AwsClients, caller: AwsCaller): AwsClients {
  return {
    ec2: throughCaller(clients.ec2, 'ec2', caller),
    elbv2: throughCaller(clients.elbv2, 'elbv2', caller),
    elb: throughCaller(clients.elb, 'elb', caller),
    ecs: throughCaller(clients.ecs, 'ecs', caller),
    ...(clients.sqs ? { sqs: throughCaller(clients.sqs, 'sqs', caller) } : {}),
    ...(clients.logs ? { logs: throughCaller(clients.logs, 'logs', caller) } : {}),
  };
}

/** Splits a list into batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** Collects every page of an SDK paginator. */
export async function collectPages<P>(pages: AsyncIterable<P>): Promise<P[]> {
  const all: P[] = [];
  for await (const page of pages) all.push(page);
  return all;
}
