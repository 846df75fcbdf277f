import { GetFunctionConcurrencyCommand, InvokeCommand, PutFunctionConcurrencyCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { errorCode, type Clock } from './aws';

/** The event that asks the session function to stop taking runs (see {@link stopTakingRuns}). */
const DRAIN_EVENT = { action: 'drain' } as const;

/** How often a throttled drain invocation is tried again. */
const DRAIN_RETRY_MS = 2_000;

/**
 * Run by the session function itself on {@link DRAIN_EVENT}: sets its own reserved concurrency to 0. It runs in the
 * function's only slot (reserved concurrency 1), so no run is in flight beside it, and none can start after it:
 * schedule events, queue batches and Lambda's retries of throttled events are all throttled from now on.
 */
export async function stopTakingRuns(lambda: LambdaClient, functionName: string): Promise<void> {
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: 0 }));
}

export type DrainOutcome = { state: 'drained' | 'already-drained'; waitedMs: number; throttledAttempts: number };

/**
 * Run by the cleanup function before it deletes anything: waits for the session function's in-flight run (its drain
 * invocation is throttled until that run ends) and leaves the function taking no runs. Gives up, with a message
 * saying so, when `deadline` passes first.
 */
export async function drainSessionFunction(lambda: LambdaClient, functionName: string, clock: Clock, deadline: number): Promise<DrainOutcome> {
  const startedAt = clock.now();
  const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
  if (concurrency.ReservedConcurrentExecutions === 0) return { state: 'already-drained', waitedMs: 0, throttledAttempts: 0 };
  for (let throttledAttempts = 0; ; throttledAttempts++) {
    try {
      const response = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(DRAIN_EVENT)) }));
      if (response.FunctionError) {
        throw new Error(`${functionName} failed to stop taking runs: ${Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8')}`);
      }
      return { state: 'drained', waitedMs: clock.now() - startedAt, throttledAttempts };
    } catch (error) {
      if (errorCode(error) !== 'TooManyRequestsException') throw error;
      if (clock.now() + DRAIN_RETRY_MS >= deadline) {
        throw new Error(`${functionName} was still running a run after ${Math.round((clock.now() - startedAt) / 1000)} s; nothing deleted, run terraform destroy again`, { cause: error });
      }
      await clock.sleep(DRAIN_RETRY_MS);
    }
  }
}
