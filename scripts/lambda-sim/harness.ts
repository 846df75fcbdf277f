/** The session Lambda's handler wired to a simulated account, as the scenario tests and the benchmark run it. */
import { createHandler, type HandlerResponse } from '../../lambda/handler';
import { SimAccount, lambdaContext, type SimOptions } from './account';

export const STACK = 'prod-mirroring';

export type Invoke = (event?: unknown, timeoutMs?: number) => Promise<HandlerResponse & { endedBeforeDeadline: boolean }>;

export function simulatedHandler(options: SimOptions & { env?: Record<string, string> } = {}) {
  const account = new SimAccount({ buckets: false, ...options });
  account.iamOwner = STACK;
  const logs: string[] = [];
  const env = {
    STACK_NAME: STACK, MIRROR_TARGET_ID: 'tmt-ours', MIRROR_FILTER_ID: 'tmf-ours',
    MIRROR_SOURCE_TYPE: 'TARGET_GROUP', MIRROR_SOURCES: '["web"]', SAFETY_MARGIN_MS: '5000', EVENT_QUEUE_URL: account.queueUrl, ...options.env,
  };
  const log = (line: string) => {
    logs.push(line);
    account.logGroup.push({ timestamp: account.clock.now(), message: line });
  };
  const handler = createHandler({ clients: () => account.clients, clock: account.clock, env, log });
  let invocation = 0;
  const invoke: Invoke = async (event = {}, timeoutMs = 600_000) => {
    const context = lambdaContext(account, timeoutMs, `req-${++invocation}`);
    const response = await handler(event, context);
    return { ...response, endedBeforeDeadline: account.clock.now() < context.deadline };
  };
  /** One SQS batch of whatever is visible on the queue now, as the event source mapping delivers it. */
  const deliver = (max = 100) => invoke({ Records: account.receive(max) });

  // The two functions as Lambda runs them (concurrency counted): the session function (reserved concurrency 1) and
  // the cleanup function that Terraform's destroy-time invocations call (modules/session-lambda.ts).
  const sessionFunction = account.addFunction(SESSION_FUNCTION, (event, context) => handler(event, context), { timeoutMs: 600_000 });
  const cleanupHandler = createHandler({ clients: () => account.clients, clock: account.clock, env: { ...env, SESSION_FUNCTION_NAME: SESSION_FUNCTION }, log: (line) => logs.push(line) });
  const cleanupFunction = account.addFunction(CLEANUP_FUNCTION, (event, context) => cleanupHandler(event, context), { timeoutMs: 900_000, reservedConcurrency: 1000 });
  /** `terraform destroy` of the chain of cleanup invocations: link n first, link 1 last, each waiting for the one before. */
  const destroyChain = async (links: number) => {
    const responses: HandlerResponse[] = [];
    for (let link = links; link >= 1; link--) {
      responses.push(await account.invokeFunction(CLEANUP_FUNCTION, { action: 'cleanup', link, links, tf: { action: 'delete', prev_input: { action: 'cleanup', link, links } } }) as HandlerResponse);
    }
    return responses;
  };
  return { account, invoke, deliver, logs, sessionFunction, cleanupFunction, destroyChain };
}

export const SESSION_FUNCTION = `${STACK}-mirror-sessions`;
export const CLEANUP_FUNCTION = `${STACK}-mirror-sessions-cleanup`;
