/**
 * The doctor's checks of one source account (many accounts, one collector), asked with that account's credentials:
 * the collector's target is visible there as shared by the collector, and the account's session Lambda keeps its
 * sessions toward it. The target's health (the NLB's agents) is the collector's, checked by the collector's doctor.
 * In GWLB_ENDPOINT mode the account has its own endpoints of the collector's endpoint service, each with a target.
 */
import { DescribeTrafficMirrorTargetsCommand, DescribeVpcEndpointServicesCommand, type EC2Client, type ServiceDetail } from '@aws-sdk/client-ec2';
import { errorCode } from '../../lambda/aws';
import { ENDPOINT_SERVICE_NAME_VARIABLE, type SourceAccountPlan } from '../../plan';
import { OWNER_TAG_KEY } from '../../shared';
import { countBySource, couldNotCheck, listSessions, plural, type CheckResult } from './checks';
import { checkEndpoints, GWLB_TITLES } from './gateway-load-balancer';

const SOURCE_TITLES = { target: 'Shared mirror target', sessions: 'Source account sessions', service: 'Endpoint service' } as const;

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
  return checkSessionsToward(ec2, plan, [targetId], targetId, 'an earlier mirror_target_id?');
}

/** The sessions the source stack owns toward `targetIds`, named `toward` in the lines. */
async function checkSessionsToward(ec2: EC2Client, plan: SourceAccountPlan, targetIds: readonly string[], toward: string, elsewhereHint: string): Promise<CheckResult> {
  const title = `${SOURCE_TITLES.sessions} (${plan.accountId})`;
  try {
    const sessions = await listSessions(ec2, { Name: `tag:${OWNER_TAG_KEY}`, Values: [plan.stackName] });
    const toTargets = sessions.filter((session) => targetIds.includes(session.TrafficMirrorTargetId ?? ''));
    const elsewhere = sessions.length - toTargets.length;
    const details = elsewhere > 0 ? [`${plural(elsewhere, 'session')} of ${plan.stackName} toward another target (${elsewhereHint})`] : [];
    if (toTargets.length === 0) {
      return { title, status: 'fail', summary: `${plan.stackName} owns no sessions toward ${toward}: nothing of account ${plan.accountId} is mirrored`, details };
    }
    return { title, status: elsewhere > 0 ? 'warn' : 'ok', summary: `${plural(toTargets.length, 'session')} of ${plan.stackName} toward ${toward}`, details: [...countBySource(toTargets), ...details] };
  } catch (error) {
    return couldNotCheck(title, error);
  }
}

// ---- GWLB_ENDPOINT: the account's own endpoints of the collector's endpoint service --------------------------------

/** The collector's endpoint service as this account sees it: visible (an allowed principal), the collector's, no acceptance. */
async function checkSharedEndpointService(ec2: EC2Client, plan: SourceAccountPlan, serviceName: string): Promise<{ check: CheckResult; found?: ServiceDetail }> {
  const title = `${SOURCE_TITLES.service} (${plan.accountId})`;
  const notVisible = {
    title, status: 'fail' as const, summary: `${serviceName} is not visible in account ${plan.accountId}: the account is not among its allowed principals, or the name is not the collector's`,
    details: [`the collector's doctor (npm run doctor) lists the allowed principals; the name is the collector stack's ${ENDPOINT_SERVICE_NAME_VARIABLE} output`],
  };
  try {
    const found = await ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [serviceName] }));
    const service = found.ServiceDetails?.find((candidate) => candidate.ServiceName === serviceName);
    if (!service) return { check: notVisible };
    if (plan.collectorAccountId && service.Owner !== plan.collectorAccountId) {
      return { check: { title, status: 'fail', summary: `${serviceName} belongs to account ${service.Owner ?? '?'}, not to the collector's ${plan.collectorAccountId}`, details: [`${ENDPOINT_SERVICE_NAME_VARIABLE} must be the collector stack's ${ENDPOINT_SERVICE_NAME_VARIABLE} output`] } };
    }
    const zones = `zones ${(service.AvailabilityZoneIds ?? service.AvailabilityZones ?? []).join(', ') || 'unknown'}`;
    if (service.AcceptanceRequired) {
      return { check: { title, status: 'fail', summary: `${serviceName} requires acceptance: this account's endpoints wait in pendingAcceptance`, details: [zones, 'the collector\'s stack sets acceptance off: apply it again (see its doctor)'] }, found: service };
    }
    return { check: { title, status: 'ok', summary: `${serviceName} of the collector's account ${plan.collectorAccountId}, acceptance not required`, details: [zones] }, found: service };
  } catch (error) {
    return { check: errorCode(error) === 'InvalidServiceName' ? notVisible : couldNotCheck(title, error) };
  }
}

/** The source account's GWLB_ENDPOINT checks: the collector's service, the account's endpoints and targets, its sessions toward them. */
export async function checkSourceEndpointMode(ec2: EC2Client, plan: SourceAccountPlan, serviceName: string): Promise<CheckResult[]> {
  if (plan.mirrorTarget.kind !== 'gwlb-endpoints') return [];
  const service = await checkSharedEndpointService(ec2, plan, serviceName);
  const title = `${GWLB_TITLES.endpoints} (${plan.accountId})`;
  const zoneIds = service.found?.AvailabilityZoneIds ?? [];
  const endpoints = service.found
    ? await checkEndpoints(ec2, {
      title, region: plan.region, vpcs: plan.mirrorTarget.endpoints, serviceName, serviceId: service.found.ServiceId,
      servedZoneIds: zoneIds.length > 0 ? zoneIds : undefined, servedBy: 'the endpoint service',
    })
    : { check: { title, status: 'skip' as const, summary: 'the endpoint service is not visible here', details: [] }, targetIds: [] };
  const sessions = await checkSessionsToward(ec2, plan, endpoints.targetIds, `the ${plural(endpoints.targetIds.length, 'target')} of its endpoints`, 'a target outside GatewayLoadBalancerEndpoints?');
  return [service.check, endpoints.check, sessions];
}
