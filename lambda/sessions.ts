import { paginateDescribeTrafficMirrorSessions, type Filter } from '@aws-sdk/client-ec2';
import { chunk, collectPages, type AwsClients } from './aws';
import { isOwnedBy, sourceTagOf } from './session-changes';
import { OWNER_TAG_KEY, EC2_FILTER_VALUES_PER_CALL } from '../shared';
import type { SessionView } from './types';


/**
 * Whose sessions are ours: those carrying our ownership tag, created in our own account. A target's owner also sees the
 * sessions other accounts create toward its shared target (many accounts, one collector); those are never ours, even
 * when their tags look like it. `accountId` undefined: the tag alone decides.
 */
export interface SessionOwner {
  stackName: string;
  accountId?: string;
}

async function describeSessions(clients: AwsClients, owner: SessionOwner, Filters: Filter[] | undefined): Promise<SessionView[]> {
  const pages = await collectPages(paginateDescribeTrafficMirrorSessions({ client: clients.ec2, pageSize: 1000 }, { Filters }));
  return pages
    .flatMap((page) => page.TrafficMirrorSessions ?? [])
    .flatMap((session): SessionView[] =>
      session.TrafficMirrorSessionId && session.NetworkInterfaceId
        ? [{
            sessionId: session.TrafficMirrorSessionId,
            interfaceId: session.NetworkInterfaceId,
            targetId: session.TrafficMirrorTargetId ?? '',
            filterId: session.TrafficMirrorFilterId ?? '',
            sessionNumber: session.SessionNumber ?? 0,
            owned: isOwnedBy(session.Tags, owner.stackName) && (owner.accountId === undefined || session.OwnerId === undefined || session.OwnerId === owner.accountId),
            source: sourceTagOf(session.Tags),
          }]
        : [],
    );
}

/**
 * Traffic mirror sessions of the region, 1000 per page (an account holds at most 10,000).
 */
export async function listSessions(clients: AwsClients, owner: SessionOwner): Promise<SessionView[]> {
  return describeSessions(clients, owner, undefined);
}

/** The sessions cleanup deletes: carrying our tag and toward our target(s) (EC2 filters both, so nothing else is read). */
export async function listOwnedSessionsToward(clients: AwsClients, owner: SessionOwner, targetIds: readonly string[]): Promise<SessionView[]> {
  const sessions: SessionView[] = [];
  for (const batch of chunk(targetIds, EC2_FILTER_VALUES_PER_CALL)) {
    sessions.push(...(await describeSessions(clients, owner, [{ Name: `tag:${OWNER_TAG_KEY}`, Values: [owner.stackName] }, { Name: 'traffic-mirror-target-id', Values: batch }])));
  }
  return sessions.filter((session) => session.owned);
}

/** Every session (ours or not) on the given interfaces: what a targeted run plans from. 200 interfaces per call. */
export async function listSessionsOn(clients: AwsClients, owner: SessionOwner, interfaceIds: readonly string[]): Promise<SessionView[]> {
  const sessions: SessionView[] = [];
  for (const batch of chunk(interfaceIds, EC2_FILTER_VALUES_PER_CALL)) {
    sessions.push(...(await describeSessions(clients, owner, [{ Name: 'network-interface-id', Values: batch }])));
  }
  return sessions;
}
