/**
 * The doctor's checks of one source account (many accounts, one collector), asked with that account's credentials:
 * the collector's target is visible there as shared by the collector, and the account's session Lambda keeps its
 * sessions toward it. The target's health (the NLB's agents) is the collector's, checked by the collector's doctor.
 */
import { DescribeTrafficMirrorTargetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { errorCode } from '../../lambda/aws';
import type { SourceAccountPlan } from '../../plan';
import { OWNER_TAG_KEY } from '../../shared';
import { countBySource, couldNotCheck, listSessions, plural, type CheckResult } from './checks';

const SOURCE_TITLES = { target: 'Shared mirror target', sessions: 'Source account sessions' } as const;

/** Whether the collector's target is usable in the source account: shared (and the invitation accepted), owned by the collector. */
export async function checkSharedTarget(ec2: EC2Client, plan: SourceAccountPlan, targetId: string): Promise<CheckResult> {
  const title = `${SOURCE_TITLES.target} (${plan.accountId})`;
  const notShared = {
    title, status: 'fail' as const, summary: `${targetId} is not visible in account ${plan.accountId}: not shared with it, or the RAM invitation not accepted`,
    details: [`the collector shares it through RAM (ShareMirrorTargetWith); outside the organization, accept the invitation in ${plan.region}: aws ram accept-resource-share-invitation`],
  };
  try {
    const found = await ec2.send(new DescribeTrafficMirrorTargetsCommand({ TrafficMirrorTargetIds: [targetId] }));
    const target = found.TrafficMirrorTargets?.find((candidate) => candidate.TrafficMirrorTargetId === targetId);
    if (!target) return notShared;
    if (target.OwnerId !== plan.collectorAccountId) {
      return { title, status: 'fail', summary: `${targetId} belongs to account ${target.OwnerId ?? '?'}, not to the collector's ${plan.collectorAccountId}`, details: ['mirror_target_id must be the collector stack\'s mirror_target_id output'] };
    }
    return { title, status: 'ok', summary: `${targetId} shared by the collector's account ${plan.collectorAccountId}`, details: [] };
  } catch (error) {
    return errorCode(error) === 'InvalidTrafficMirrorTargetId.NotFound' ? notShared : couldNotCheck(title, error);
  }
}

/** The sessions the source stack owns toward the shared target, by source. */
export async function checkSourceAccountSessions(ec2: EC2Client, plan: SourceAccountPlan, targetId: string): Promise<CheckResult> {
  const title = `${SOURCE_TITLES.sessions} (${plan.accountId})`;
  try {
    const sessions = await listSessions(ec2, { Name: `tag:${OWNER_TAG_KEY}`, Values: [plan.stackName] });
    const toward = sessions.filter((session) => session.TrafficMirrorTargetId === targetId);
    const elsewhere = sessions.length - toward.length;
    const details = elsewhere > 0 ? [`${plural(elsewhere, 'session')} of ${plan.stackName} toward another target (an earlier mirror_target_id?)`] : [];
    if (toward.length === 0) {
      return { title, status: 'fail', summary: `${plan.stackName} owns no sessions toward ${targetId}: nothing of account ${plan.accountId} is mirrored`, details };
    }
    return { title, status: elsewhere > 0 ? 'warn' : 'ok', summary: `${plural(toward.length, 'session')} of ${plan.stackName} toward ${targetId}`, details: [...countBySource(toward), ...details] };
  } catch (error) {
    return couldNotCheck(title, error);
  }
}
