import { chunk, errorCode, errorMessage, TimeBudgetExhaustedError } from '../aws';

/** Error names meaning "no such load balancer / target group / cluster": a definitive answer, not a failure. */
const NOT_FOUND_CODES = new Set([
  'LoadBalancerNotFoundException', 'LoadBalancerNotFound', 'AccessPointNotFoundException',
  'TargetGroupNotFoundException', 'TargetGroupNotFound', 'ClusterNotFoundException',
]);

export function isNotFound(error: unknown): boolean {
  return NOT_FOUND_CODES.has(errorCode(error));
}

export interface LookupResult<T> {
  found: T[];
  missing: string[];
  failed: { name: string; error: string }[];
}

/**
 * Looks up many names in batches. ELB's Describe calls fail a whole batch when one name is missing, so only
 * such a batch is retried name by name to tell the missing names from the rest.
 */
export async function lookupByNames<T>(
  names: readonly string[],
  batchSize: number,
  describe: (batch: string[]) => Promise<T[]>,
): Promise<LookupResult<T>> {
  const result: LookupResult<T> = { found: [], missing: [], failed: [] };
  for (const batch of chunk([...new Set(names)], batchSize)) {
    try {
      result.found.push(...(await describe(batch)));
      continue;
    } catch (error) {
      if (error instanceof TimeBudgetExhaustedError) throw error;
      if (!isNotFound(error) || batch.length === 1) {
        if (isNotFound(error)) result.missing.push(...batch);
        else result.failed.push(...batch.map((name) => ({ name, error: `${errorCode(error)}: ${errorMessage(error)}` })));
        continue;
      }
    }
    for (const name of batch) {
      try {
        result.found.push(...(await describe([name])));
      } catch (error) {
        if (error instanceof TimeBudgetExhaustedError) throw error;
        if (isNotFound(error)) result.missing.push(name);
        else result.failed.push({ name, error: `${errorCode(error)}: ${errorMessage(error)}` });
      }
    }
  }
  return result;
}

/** `key=value` matches that tag exactly; `key` matches the key with any value. */
export function matchesAnyTag(tags: readonly { Key?: string; Value?: string }[], selectors: readonly string[]): boolean {
  return selectors.some((selector) => {
    const separator = selector.indexOf('=');
    const key = (separator < 0 ? selector : selector.slice(0, separator)).trim();
    const value = separator < 0 ? undefined : selector.slice(separator + 1).trim();
    return tags.some((tag) => tag.Key === key && (value === undefined || tag.Value === value));
  });
}
