/** The session Lambda's handler wired to a simulated account, as the scenario tests and the benchmark run it. */
import { createHandler, type HandlerResponse } from '../../../lambda/handler';
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
  const handler = createHandler({ clients: () => account.clients, clock: account.clock, env, log: (line) => logs.push(line) });
  let invocation = 0;
  const invoke: Invoke = async (event = {}, timeoutMs = 600_000) => {
    const context = lambdaContext(account, timeoutMs, `req-${++invocation}`);
    const response = await handler(event, context);
    return { ...response, endedBeforeDeadline: account.clock.now() < context.deadline };
  };
  /** One SQS batch of whatever is visible on the queue now, as the event source mapping delivers it. */
  const deliver = (max = 100) => invoke({ Records: account.receive(max) });
  return { account, invoke, deliver, logs };
}
