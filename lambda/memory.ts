import { paginateFilterLogEvents, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { collectPages, TimeBudgetExhaustedError } from './aws';

/** The run summary's `message` (lambda/handler.ts summaryLogLine). */
export const SUMMARY_MESSAGE = 'mirror-session run summary';

/** How far back a run looks for what earlier runs learned: every summary carries it forward, so a day is plenty. */
const LOOKBACK_MS = 24 * 3600 * 1000;

/**
 * Instance types EC2 refused as mirror sources (`NetworkInterfaceNotSupported`), as earlier runs logged them in their
 * summaries (`rejectedInstanceTypes`, which each run carries forward). The function's own log group is the memory:
 * it writes there anyway, and its role may read only that group. Without it, every run would spend one refused
 * create per such type. A failed read costs only that create.
 */
export async function recallRejectedInstanceTypes(logs: CloudWatchLogsClient, logGroupName: string, now: number): Promise<Set<string>> {
  const types = new Set<string>();
  try {
    const pages = await collectPages(paginateFilterLogEvents({ client: logs }, {
      logGroupName,
      startTime: now - LOOKBACK_MS,
      filterPattern: `{ $.message = "${SUMMARY_MESSAGE}" && $.rejectedInstanceTypes[0] = * }`,
    }));
    for (const event of pages.flatMap((page) => page.events ?? [])) {
      try {
        const { rejectedInstanceTypes } = JSON.parse(event.message ?? '{}') as { rejectedInstanceTypes?: unknown };
        if (Array.isArray(rejectedInstanceTypes)) for (const type of rejectedInstanceTypes) if (typeof type === 'string') types.add(type);
      } catch {
        // not a summary line
      }
    }
  } catch (error) {
    if (error instanceof TimeBudgetExhaustedError) throw error;
  }
  return types;
}
