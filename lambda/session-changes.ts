import { OWNER_TAG_KEY, SOURCE_TAG_KEY } from '../shared';
import { instanceTypeSkipReason } from './eligibility';
import {
  MAX_SESSION_NUMBER,
  MAX_SESSIONS_PER_INTERFACE,
  MIN_SESSION_NUMBER,
  type CandidateInterface,
  type SourceInstanceTypeFacts,
  type SessionChanges,
  type PlannedCreate,
  type PlannedDelete,
  type PlannedSkip,
  type SessionView,
} from './types';

/** Everything the session changes are decided from. Pure data: no clients, no clock. */
export interface SessionChangesInput {
  targetId: string;
  filterId: string;
  /**
   * Target selection `vpc-endpoint`: the stack's targets and each candidate's chosen one (lambda/endpoint-targets.ts),
   * instead of `targetId` for every interface. A candidate without a chosen target gets no session, and a session of
   * ours toward a target that is not its chosen one is replaced.
   */
  endpointTargets?: { ourTargetIds: ReadonlySet<string>; targetOf: ReadonlyMap<string, string> };
  /** Interfaces reached from the configured sources (merged per interface id by the resolver). */
  candidates: readonly CandidateInterface[];
  /** DescribeInstanceTypes facts per instance type. */
  instanceTypes: ReadonlyMap<string, SourceInstanceTypeFacts>;
  /** Every owned session, plus every session (ours or not) on a candidate interface. Owned sessions toward another target are left alone. */
  sessions: readonly SessionView[];
  mirrorUnhealthyTargets: boolean;
  /** Instance types EC2 refused (`NetworkInterfaceNotSupported`), as earlier runs logged them (lambda/memory.ts). */
  rejectedInstanceTypes?: ReadonlySet<string>;
  /** Sources whose discovery failed this run: their owned sessions are kept, since we cannot tell they are unwanted. */
  failedSources?: ReadonlySet<string>;
  /**
   * SessionChanges only for these interfaces and leave every other session alone. Room for a targeted reconcile of one
   * instance or task (event-driven fast path); a full run leaves it undefined.
   */
  onlyInterfaces?: ReadonlySet<string>;
}

/** Whether a session's tags mark it as owned by this stack. Only owned sessions are ever deleted. */
export function isOwnedBy(tags: readonly { Key?: string; Value?: string }[] | undefined, stackName: string): boolean {
  return (tags ?? []).some((tag) => tag.Key === OWNER_TAG_KEY && tag.Value === stackName);
}

export function sourceTagOf(tags: readonly { Key?: string; Value?: string }[] | undefined): string | undefined {
  return (tags ?? []).find((tag) => tag.Key === SOURCE_TAG_KEY)?.Value;
}

/**
 * A free session number on an interface. Prefers numbers above every existing session: a packet is mirrored by
 * the first session (lowest number) whose filter accepts it, so taking a lower number would steal packets from
 * a tool that was there first. Falls back to the lowest free number when the top is taken.
 */
export function chooseSessionNumber(usedNumbers: readonly number[]): number | undefined {
  const used = new Set(usedNumbers);
  const highest = usedNumbers.length === 0 ? 0 : Math.max(...usedNumbers);
  if (highest < MAX_SESSION_NUMBER) return Math.max(highest + 1, MIN_SESSION_NUMBER);
  for (let candidate = MIN_SESSION_NUMBER; candidate <= MAX_SESSION_NUMBER; candidate++) {
    if (!used.has(candidate)) return candidate;
  }
  return undefined;
}

function groupByInterface(sessions: readonly SessionView[]): Map<string, SessionView[]> {
  const byInterface = new Map<string, SessionView[]>();
  for (const session of sessions) {
    const list = byInterface.get(session.interfaceId) ?? [];
    list.push(session);
    byInterface.set(session.interfaceId, list);
  }
  return byInterface;
}

function compareSessions(a: SessionView, b: SessionView): number {
  return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;
}

/**
 * Wanted interfaces + existing sessions -> the sessions to create and delete, and why the rest is skipped.
 * Deterministic: the same input gives the same plan in the same order.
 */
export function decideSessionChanges(input: SessionChangesInput): SessionChanges {
  const inScope = (interfaceId: string) => !input.onlyInterfaces || input.onlyInterfaces.has(interfaceId);
  const sessionsByInterface = groupByInterface(input.sessions.filter((s) => inScope(s.interfaceId)));
  const candidates = [...input.candidates].filter((c) => inScope(c.interfaceId));
  candidates.sort((a, b) => (a.interfaceId < b.interfaceId ? -1 : a.interfaceId > b.interfaceId ? 1 : 0));
  const candidateIds = new Set(candidates.map((c) => c.interfaceId));

  const deletes: PlannedDelete[] = [];
  const creates: PlannedCreate[] = [];
  const skips: PlannedSkip[] = [];
  /** Interfaces that keep one current owned session after this plan. */
  const mirrored = new Set<string>();
  let keptForFailedSources = 0;
  let mirroredByHand = 0;

  const { endpointTargets } = input;
  const isOurTarget = (targetId: string) => (endpointTargets ? endpointTargets.ourTargetIds.has(targetId) : targetId === input.targetId);
  /** The target an interface's session must point at; a non-candidate's owned sessions are judged by filter only. */
  const chosenTarget = (interfaceId: string): string | undefined =>
    !endpointTargets ? input.targetId : candidateIds.has(interfaceId) ? endpointTargets.targetOf.get(interfaceId) : undefined;

  for (const [interfaceId, sessions] of [...sessionsByInterface].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const chosen = chosenTarget(interfaceId);
    const judgeTarget = !endpointTargets || candidateIds.has(interfaceId);
    const ours = (s: SessionView) => (judgeTarget ? s.targetId === chosen : isOurTarget(s.targetId)) && s.filterId === input.filterId;
    // Only sessions toward our own target(s) are ever ours to delete: the tag alone can be put on anyone's session.
    const owned = sessions.filter((s) => s.owned && isOurTarget(s.targetId)).sort(compareSessions);
    const current = owned.filter(ours);
    for (const stale of owned.filter((s) => !current.includes(s))) {
      const reason = judgeTarget && stale.targetId !== chosen ? 'not-the-chosen-target' : 'stale-filter';
      deletes.push({ sessionId: stale.sessionId, interfaceId, reason });
    }
    // A session someone made by hand toward our target and filter already mirrors the interface: it is counted
    // (never taken over or deleted), and a session of ours beside it would only take one of the 3 slots.
    const handMade = sessions.filter((s) => !s.owned && ours(s));
    if (handMade.length > 0 && candidateIds.has(interfaceId)) {
      for (const duplicate of current) deletes.push({ sessionId: duplicate.sessionId, interfaceId, reason: 'duplicate-session' });
      mirrored.add(interfaceId);
      mirroredByHand++;
      continue;
    }
    if (current.length === 0) continue;
    const [keep, ...duplicates] = current;
    for (const duplicate of duplicates) {
      deletes.push({ sessionId: duplicate.sessionId, interfaceId, reason: 'duplicate-session' });
    }
    if (candidateIds.has(interfaceId)) {
      mirrored.add(interfaceId);
    } else if (keep.source !== undefined && input.failedSources?.has(keep.source)) {
      mirrored.add(interfaceId);
      keptForFailedSources++;
    } else {
      deletes.push({ sessionId: keep.sessionId, interfaceId, reason: 'interface-no-longer-a-source' });
    }
  }

  const deletedIds = new Set(deletes.map((d) => d.sessionId));
  let unchanged = 0;
  for (const candidate of candidates) {
    const { interfaceId } = candidate;
    if (mirrored.has(interfaceId)) {
      unchanged++;
      continue;
    }
    const targetId = chosenTarget(interfaceId);
    if (targetId === undefined) {
      skips.push({ interfaceId, reason: 'no-target-in-vpc' });
      continue;
    }
    // A registered but unhealthy target keeps an existing session (above) so health flaps cause no churn,
    // but it gets no new one.
    if (!candidate.healthy && !input.mirrorUnhealthyTargets) {
      skips.push({ interfaceId, reason: 'target-unhealthy' });
      continue;
    }
    if (candidate.interfaceType !== 'interface') {
      skips.push({ interfaceId, reason: 'interface-type-not-supported' });
      continue;
    }
    if (candidate.instanceType) {
      const typeReason = instanceTypeSkipReason(
        candidate.instanceType,
        input.instanceTypes.get(candidate.instanceType),
        input.rejectedInstanceTypes,
      );
      if (typeReason) {
        skips.push({ interfaceId, reason: typeReason });
        continue;
      }
    }
    const remaining = (sessionsByInterface.get(interfaceId) ?? []).filter((s) => !deletedIds.has(s.sessionId));
    if (remaining.length >= MAX_SESSIONS_PER_INTERFACE) {
      skips.push({ interfaceId, reason: 'interface-session-limit' });
      continue;
    }
    const sessionNumber = chooseSessionNumber(remaining.map((s) => s.sessionNumber));
    if (sessionNumber === undefined) {
      skips.push({ interfaceId, reason: 'no-free-session-number' });
      continue;
    }
    creates.push({
      interfaceId, sessionNumber, source: candidate.label ?? candidate.sources[0], instanceType: candidate.instanceType,
      ...(endpointTargets ? { targetId } : {}),
    });
  }

  return { creates, deletes, skips, unchanged, keptForFailedSources, mirroredByHand };
}

/** Destroy-time cleanup: every session this stack owns toward its target(s) goes, whatever its filter or interface. */
export function decideCleanup(sessions: readonly SessionView[], targetIds: ReadonlySet<string>): SessionChanges {
  const deletes = sessions
    .filter((s) => s.owned && targetIds.has(s.targetId))
    .sort(compareSessions)
    .map((s): PlannedDelete => ({ sessionId: s.sessionId, interfaceId: s.interfaceId, reason: 'cleanup' }));
  return { creates: [], deletes, skips: [], unchanged: 0, keptForFailedSources: 0, mirroredByHand: 0 };
}
