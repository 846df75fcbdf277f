import { paginateDescribeTrafficMirrorSessions, type Filter } from '@aws-sdk/client-ec2';
import { collectPages, type AwsClients } from './aws';
import { isOwnedBy, sourceTagOf } from './planner';
import { OWNER_TAG_KEY, type SessionView } from './types';

/**
 * Traffic mirror sessions of the region, 1000 per page (an account holds at most 10,000). With `ownedOnly`, the
 * tag filter lets EC2 return only ours (cleanup needs nothing else).
 */
export async function listSessions(clients: AwsClients, stackName: string, ownedOnly = false): Promise<SessionView[]> {
  const Filters: Filter[] | undefined = ownedOnly ? [{ Name: `tag:${OWNER_TAG_KEY}`, Values: [stackName] }] : undefined;
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
