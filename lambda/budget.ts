/**
 * The session budget (MirrorSessionBudget): the most sessions this stack owns. Each session is billed by the hour and
 * an account holds at most 10,000, so when more interfaces are wanted than the budget allows a stable priority
 * decides, and the rest are skipped with the reason `session-budget`:
 *
 *   1. interfaces that already have our session keep it (no churn: a new, higher-ranked interface waits for room);
 *   2. then the interface's earliest source in the configured MirrorSource order (a tag, load balancer or target group
 *      listed first ranks first; LOAD_BALANCER_TAGS ranks by load balancer name);
 *   3. then the interface id, ascending.
 *
 * The same inputs give the same choice, so successive runs agree. Pure: no clients.
 */
import type { CandidateInterface, SessionChanges, PlannedCreate, PlannedDelete, SessionView } from './types';

export interface BudgetInput {
  /** Most sessions the stack may own; 0: no budget. */
  budget: number;
  /** MirrorSource as configured (its order is the priority). */
  configuredSources: readonly string[];
  candidates: readonly CandidateInterface[];
  /**
   * Owned sessions that stay after the plan, when the run saw them all (full runs): the budget may then delete the
   * lowest-ranked of them when the budget was lowered.
   */
  keptSessions?: readonly SessionView[];
  /** Event-driven runs see only their interfaces' sessions: how many owned sessions stay in all. */
  keptCount?: number;
}

/** Rank of a source label (`tg/web`, `tag/Mirror=True`, `lb/shop`) in the configured order; unknown labels rank last. */
function sourceRank(label: string, configured: readonly string[]): number {
  const item = label.slice(label.indexOf('/') + 1);
  const index = configured.indexOf(item);
  return index < 0 ? configured.length : index;
}

/** Sort key of an interface: its best-ranked source, then its id. */
function priorityOf(interfaceId: string, sources: readonly string[], configured: readonly string[]): [number, string] {
  const rank = Math.min(configured.length, ...sources.map((source) => sourceRank(source, configured)));
  return [rank, interfaceId];
}

function compare(a: [number, string], b: [number, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/** The plan within the budget: creates beyond it become `session-budget` skips, kept sessions beyond it deletes. */
export function applySessionBudget(plan: SessionChanges, input: BudgetInput): SessionChanges {
  if (input.budget <= 0) return plan;
  const sourcesOf = new Map(input.candidates.map((candidate) => [candidate.interfaceId, candidate.sources]));
  const key = (interfaceId: string, fallbackSource?: string) =>
    priorityOf(interfaceId, sourcesOf.get(interfaceId) ?? (fallbackSource ? [fallbackSource] : []), input.configuredSources);

  const deletes: PlannedDelete[] = [...plan.deletes];
  let kept = input.keptCount ?? input.keptSessions?.length ?? 0;
  if (input.keptSessions && kept > input.budget) {
    const ranked = [...input.keptSessions].sort((a, b) => compare(key(a.interfaceId, a.source), key(b.interfaceId, b.source)));
    for (const session of ranked.slice(input.budget)) deletes.push({ sessionId: session.sessionId, interfaceId: session.interfaceId, reason: 'over-session-budget' });
    kept = input.budget;
  }
  const room = Math.max(0, input.budget - kept);
  const ranked = [...plan.creates].sort((a, b) => compare(key(a.interfaceId), key(b.interfaceId)));
  const allowed = new Set<PlannedCreate>(ranked.slice(0, room));
  return {
    ...plan,
    creates: plan.creates.filter((create) => allowed.has(create)),
    deletes,
    skips: [...plan.skips, ...ranked.slice(room).map((create) => ({ interfaceId: create.interfaceId, reason: 'session-budget' as const }))],
  };
}
