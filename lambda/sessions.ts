import { paginateDescribeTrafficMirrorSessions, type Filter } from '@aws-sdk/client-ec2';
import { chunk, collectPages, type AwsClients } from './aws';
import { isOwnedBy, sourceTagOf } from './planner';
import { OWNER_TAG_KEY } from '../shared';
import type { SessionView } from './types';

/** EC2 accepts at most 200 values per filter. */
const INTERFACE_IDS_PER_CALL = 200;

async function describeSessions(clients: AwsClients, stackName: string, Filters: Filter[] | undefined): Promise<SessionView[]> {
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
            owned: isOwnedBy(session.Tags, stackName),
            source: sourceTagOf(session.Tags),
          }]
        : [],
    );
}

/**
 * Traffic mirror sessions of the region, 1000 per page (an account holds at most 10,000).
 */
export async function listSessions(clients: AwsClients, stackName: string): Promise<SessionView[]> {
  return describeSessions(clients, stackName, undefined);
}

/** The sessions cleanup deletes: carrying our tag and toward our target (EC2 filters both, so nothing else is read). */
export async function listOwnedSessionsToward(clients: AwsClients, stackName: string, targetId: string): Promise<SessionView[]> {
  return describeSessions(clients, stackName, [{ Name: `tag:${OWNER_TAG_KEY}`, Values: [stackName] }, { Name: 'traffic-mirror-target-id', Values: [targetId] }]);
}

/** Every session (ours or not) on the given interfaces: what a targeted run plans from. 200 interfaces per call. */
export async function listSessionsOn(clients: AwsClients, stackName: string, interfaceIds: readonly string[]): Promise<SessionView[]> {
  const sessions: SessionView[] = [];
  for (const batch of chunk(interfaceIds, INTERFACE_IDS_PER_CALL)) {
    sessions.push(...(await describeSessions(clients, stackName, [{ Name: 'network-interface-id', Values: batch }])));
  }
  return sessions;
}
