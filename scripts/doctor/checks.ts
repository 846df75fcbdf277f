/**
 * The checks of `npm run doctor`: the seed's "Verification" and "Troubleshooting" steps, asked of AWS. Each check takes
 * injected SDK clients and returns a structured result; nothing here prints, reads files or exits (see cli.ts).
 * Read-only calls only: the token secret is described, never read.
 */
import { instanceHoursLine, sessionCostLine, sessionHourPrice } from './cost';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient, paginateFilterLogEvents, ResourceNotFoundException as LogGroupNotFound, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTrafficMirrorTargetsCommand, EC2Client, paginateDescribeTrafficMirrorSessions, type Filter, type TrafficMirrorSession } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSecretCommand, ResourceNotFoundException as SecretNotFound, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { chunk, collectPages, errorCode, errorMessage } from '../../lambda/aws';
import type { RunSummary } from '../../lambda/reconcile';
import type { SkipReason } from '../../lambda/types';
import type { MirroringConfig } from '../../config';
import { planDeployment, tokenSecretId } from '../../plan';
import { EC2_FILTER_VALUES_PER_CALL, HEALTH_CHECK_PATH, HEALTH_CHECK_PORT, OWNER_TAG_KEY, SOURCE_TAG_KEY, isSessionSourceType, tokenPutCommand } from '../../shared';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Short name of what is checked, e.g. `Agent fleet`. */
  title: string;
  /** `fail` makes the doctor exit 1; `warn` is worth a look but not wrong. */
  status: Status;
  /** The one-line answer. */
  summary: string;
  /** Lines printed under it. */
  details: string[];
}

export interface FleetResult extends CheckResult {
  /** Instances whose services should be looked at over SSM. */
  unhealthyInstanceIds: string[];
  /** Instances healthy in the target group (the hosts `--probe` asks). */
  healthyInstanceIds: string[];
}

export interface DoctorClients {
  autoScaling: AutoScalingClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  secrets: SecretsManagerClient;
  ssm: SSMClient;
}

/** The clients of one region, with the SDK's default credentials and retries. */
export function doctorClients(region: string): DoctorClients {
  return {
    autoScaling: new AutoScalingClient({ region }),
    ec2: new EC2Client({ region }),
    elbv2: new ElasticLoadBalancingV2Client({ region }),
    logs: new CloudWatchLogsClient({ region }),
    secrets: new SecretsManagerClient({ region }),
    ssm: new SSMClient({ region }),
  };
}

export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
/** Titles of the checks, in the order they are reported. */
export const TITLES = {
  fleet: 'Agent fleet', sessions: 'Mirror sessions', sources: 'Mirrored sources', lambda: 'Session Lambda', secret: 'Token secret',
} as const;

/** A check that could not be made (access denied, no credentials, throttled ...): a failure, with AWS's reason. */
export const couldNotCheck = (title: string, error: unknown): CheckResult => ({
  title, status: 'fail', summary: `could not check: ${errorCode(error)}: ${errorMessage(error)}`, details: [],
});

// ---- (1) the agent fleet ---------------------------------------------------------------------------------------

/** Target health in the stack's target group and the autoscaling group's instances. */
export async function checkFleet(clients: DoctorClients, config: MirroringConfig): Promise<FleetResult> {
  const title = TITLES.fleet;
  const { names, fleet, mirrorTarget } = planDeployment(config);
  // The fleet registers in the NLB's VXLAN target group, or in GWLB_ENDPOINT mode in the GWLB's GENEVE one.
  const targetGroup = mirrorTarget.kind === 'gwlb-endpoints' ? names.geneveTargetGroup : names.targetGroup;
  try {
    let targetGroupArn: string | undefined;
    try {
      const groups = await clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [targetGroup] }));
      targetGroupArn = groups.TargetGroups?.[0]?.TargetGroupArn;
    } catch (error) {
      if (!(error instanceof TargetGroupNotFoundException)) throw error;
    }
    if (!targetGroupArn) {
      return { title, status: 'fail', summary: `target group ${targetGroup} not found in ${config.Region} (is the stack applied?)`, details: [], unhealthyInstanceIds: [], healthyInstanceIds: [] };
    }
    const health = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    const groupNames = fleet.agentGroupNames;
    const groups = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...groupNames] }));
    const targets = (health.TargetHealthDescriptions ?? []).map((description) => ({
      id: description.Target?.Id ?? '?',
      state: description.TargetHealth?.State ?? 'unknown',
      reason: [description.TargetHealth?.Reason, description.TargetHealth?.Description].filter(Boolean).join(': '),
    }));

    const details = targets.map((target) => `${target.id} ${target.state}${target.reason ? ` (${target.reason})` : ''}`);
    const unhealthy = new Set(targets.filter((target) => target.state !== 'healthy').map((target) => target.id));
    const registered = new Set(targets.map((target) => target.id));
    const found = groupNames.map((name) => groups.AutoScalingGroups?.find((group) => group.AutoScalingGroupName === name));
    groupNames.forEach((name, index) => {
      const group = found[index];
      if (!group) {
        details.push(`autoscaling group ${name} not found`);
        return;
      }
      const instances = group.Instances ?? [];
      details.push(`autoscaling group ${name}: ${plural(instances.length, 'instance')} (desired ${group.DesiredCapacity ?? '?'}, max ${group.MaxSize ?? '?'})`);
      details.push(instanceHoursLine(instances.length, fleet.instanceType));
      for (const instance of instances) {
        const id = instance.InstanceId ?? '?';
        const notes = [instance.LifecycleState, instance.HealthStatus].filter(Boolean).join(', ');
        const missing = instance.LifecycleState === 'InService' && !registered.has(id);
        details.push(`  ${id} ${notes}${missing ? `, not registered in ${targetGroup}` : ''}`);
        if (instance.HealthStatus === 'Unhealthy' || missing) unhealthy.add(id);
      }
    });
    const healthy = targets.filter((target) => target.state === 'healthy').length;
    const unhealthyInstanceIds = [...unhealthy].filter((id) => id.startsWith('i-')).sort();
    const healthyInstanceIds = targets.filter((target) => target.state === 'healthy' && target.id.startsWith('i-')).map((target) => target.id).sort();
    if (targets.length === 0) {
      groupNames.filter((_, index) => found[index]).forEach((name) => details.push(`why no instance: aws autoscaling describe-scaling-activities --region ${config.Region} --auto-scaling-group-name ${name} --max-items 5`));
      return { title, status: 'fail', summary: `no targets registered in ${targetGroup}: nothing receives the mirrored traffic`, details, unhealthyInstanceIds, healthyInstanceIds };
    }
    const ok = healthy === targets.length && unhealthy.size === 0 && found.every(Boolean);
    const summary = `${healthy} of ${plural(targets.length, 'target')} healthy in ${targetGroup}`;
    return { title, status: ok ? 'ok' : 'fail', summary, details, unhealthyInstanceIds, healthyInstanceIds };
  } catch (error) {
    return { ...couldNotCheck(title, error), unhealthyInstanceIds: [], healthyInstanceIds: [] };
  }
}

// ---- (2) mirror sessions ----------------------------------------------------------------------------------------

export async function listSessions(ec2: EC2Client, filter: Filter): Promise<TrafficMirrorSession[]> {
  const pages = await collectPages(paginateDescribeTrafficMirrorSessions({ client: ec2, pageSize: 1000 }, { Filters: [filter] }));
  return pages.flatMap((page) => page.TrafficMirrorSessions ?? []);
}

/** `lb/shop 2, tg/web 1`: sessions counted by their source tag. */
export function countBySource(sessions: readonly TrafficMirrorSession[]): string[] {
  const counts = new Map<string, number>();
  for (const session of sessions) {
    const source = session.Tags?.find((tag) => tag.Key === SOURCE_TAG_KEY)?.Value ?? '(no source tag)';
    counts.set(source, (counts.get(source) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([source, count]) => `${source}: ${plural(count, 'session')}`);
}

/**
 * Sessions the stack owns (ownership tag), by source. MANUAL stacks own none: their sessions are found by the mirror
 * target they point at. FARGATE has no sessions: the sidecars send to the NLB themselves.
 */
export async function checkSessions(clients: DoctorClients, config: MirroringConfig, price = sessionHourPrice({}), endpointTargetIds: readonly string[] = []): Promise<CheckResult> {
  const title = TITLES.sessions;
  const sourceType = config.MirrorSourceType;
  if (sourceType === 'FARGATE') {
    return { title, status: 'skip', summary: 'FARGATE: the packet-forwarder sidecars send VXLAN to the NLB themselves; there are no mirror sessions', details: [] };
  }
  try {
    if (sourceType === 'MANUAL') {
      return planDeployment(config).mirrorTarget.kind === 'gwlb-endpoints'
        ? await checkManualEndpointSessions(clients.ec2, endpointTargetIds, title)
        : await checkManualSessions(clients, config, title);
    }
    const sessions = await listSessions(clients.ec2, { Name: `tag:${OWNER_TAG_KEY}`, Values: [config.StackName] });
    if (sessions.length === 0) {
      return { title, status: 'fail', summary: `the stack owns no sessions (tag ${OWNER_TAG_KEY}=${config.StackName}): no traffic is mirrored`, details: [] };
    }
    const budget = config.MirrorSessionBudget ? [`session budget: ${sessions.length} of ${config.MirrorSessionBudget} (MirrorSessionBudget)`] : [];
    return {
      title, status: 'ok', summary: `${plural(sessions.length, 'session')} owned by ${config.StackName}`,
      details: [...countBySource(sessions), ...budget, sessionCostLine(sessions.length, price)],
    };
  } catch (error) {
    return couldNotCheck(title, error);
  }
}

async function checkManualSessions(clients: DoctorClients, config: MirroringConfig, title: string): Promise<CheckResult> {
  const { loadBalancer } = planDeployment(config).names;
  let loadBalancerArn: string | undefined;
  try {
    const found = await clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: [loadBalancer] }));
    loadBalancerArn = found.LoadBalancers?.[0]?.LoadBalancerArn;
  } catch (error) {
    if (!(error instanceof LoadBalancerNotFoundException)) throw error;
  }
  if (!loadBalancerArn) return { title, status: 'fail', summary: `load balancer ${loadBalancer} not found in ${config.Region} (is the stack applied?)`, details: [] };
  const targets = await clients.ec2.send(new DescribeTrafficMirrorTargetsCommand({ Filters: [{ Name: 'network-load-balancer-arn', Values: [loadBalancerArn] }] }));
  const targetId = targets.TrafficMirrorTargets?.[0]?.TrafficMirrorTargetId;
  if (!targetId) return { title, status: 'fail', summary: `no traffic mirror target for ${loadBalancer}`, details: [] };
  const sessions = await listSessions(clients.ec2, { Name: 'traffic-mirror-target-id', Values: [targetId] });
  if (sessions.length === 0) {
    return {
      title, status: 'fail', summary: `MANUAL: no sessions toward mirror target ${targetId}: no traffic is mirrored`,
      details: ['create them with the mirror_target_id and mirror_filter_id outputs: aws ec2 create-traffic-mirror-session ...'],
    };
  }
  const interfaces = sessions.map((session) => session.NetworkInterfaceId ?? '?').sort();
  return { title, status: 'ok', summary: `MANUAL: ${plural(sessions.length, 'session')} toward mirror target ${targetId}`, details: [`source interfaces: ${interfaces.join(', ')}`] };
}


/** Sessions toward any of `targetIds`. */
async function sessionsTowardTargets(ec2: EC2Client, targetIds: readonly string[]): Promise<TrafficMirrorSession[]> {
  const sessions: TrafficMirrorSession[] = [];
  for (const Values of chunk(targetIds, EC2_FILTER_VALUES_PER_CALL)) sessions.push(...await listSessions(ec2, { Name: 'traffic-mirror-target-id', Values }));
  return sessions;
}

/** MANUAL in GWLB_ENDPOINT mode: the sessions toward the targets on the stack's endpoints (found by the endpoint check). */
async function checkManualEndpointSessions(ec2: EC2Client, targetIds: readonly string[], title: string): Promise<CheckResult> {
  if (targetIds.length === 0) return { title, status: 'fail', summary: 'MANUAL: no traffic mirror target on the stack\'s endpoints (see Mirror target endpoints)', details: [] };
  const sessions = await sessionsTowardTargets(ec2, targetIds);
  if (sessions.length === 0) {
    return {
      title, status: 'fail', summary: `MANUAL: no sessions toward the ${plural(targetIds.length, 'mirror target')} of the stack's endpoints: no traffic is mirrored`,
      details: ['create them with the mirror_target_ids (the target of the source\'s own VPC) and mirror_filter_id outputs: aws ec2 create-traffic-mirror-session ...'],
    };
  }
  const interfaces = sessions.map((session) => session.NetworkInterfaceId ?? '?').sort();
  return { title, status: 'ok', summary: `MANUAL: ${plural(sessions.length, 'session')} toward the ${plural(targetIds.length, 'mirror target')} of the stack's endpoints`, details: [`source interfaces: ${interfaces.join(', ')}`] };
}

// ---- (3, 4) the session Lambda ---------------------------------------------------------------------------------

/** What the doctor reads of the Lambda's one-line JSON run summary (lambda/handler.ts summaryLogLine). */
export type LoggedSummary = Pick<RunSummary,
  'mode' | 'complete' | 'discoveredTargets' | 'wanted' | 'unchanged' | 'created' | 'deleted' | 'skipped' | 'skippedByReason'
  | 'missingSources' | 'failedSources' | 'deferredCreates' | 'deferredDeletes' | 'rejectedInstanceTypes' | 'errors' | 'errorSamples' | 'events'
  | 'filterPorts'>;

/** What the event-driven runs of the window did (the fast path). */
export interface FastPathFigures {
  runs: number;
  mirrored: number;
  leftToSchedule: number;
  /** Event-to-session times of every session they created, milliseconds. */
  worstEventToSessionMs?: number;
}

export interface LambdaLogs {
  /** The most recent summary of a reconcile run, when one was logged in the window. */
  last?: { timestamp: number; summary: LoggedSummary };
  /** `ERROR` and `Task timed out` lines of the last hour, newest first. */
  errorLines: { timestamp: number; message: string }[];
  /** Minutes searched back for a summary. */
  windowMinutes: number;
  /** The event-driven runs in the window. */
  fastPath: FastPathFigures;
}

const SUMMARY_MARKER = 'mirror-session run summary';
/** How far back the doctor looks for a run summary. */
const SUMMARY_WINDOW_MINUTES = 24 * 60;
/** How far back it looks for failures. */
const ERROR_WINDOW_MINUTES = 60;

async function filterEvents(logs: CloudWatchLogsClient, logGroupName: string, filterPattern: string, startTime: number): Promise<FilteredLogEvent[]> {
  const pages = await collectPages(paginateFilterLogEvents({ client: logs }, { logGroupName, filterPattern, startTime }));
  return pages.flatMap((page) => page.events ?? []);
}

/** Reads the Lambda's log group: the last run summary and recent failures. Undefined when the log group is missing. */
export async function readLambdaLogs(logs: CloudWatchLogsClient, logGroupName: string, now: number): Promise<LambdaLogs | undefined> {
  try {
    const summaries = await filterEvents(logs, logGroupName, `"${SUMMARY_MARKER}"`, now - SUMMARY_WINDOW_MINUTES * 60_000);
    const failures = await filterEvents(logs, logGroupName, '?ERROR ?"Task timed out"', now - ERROR_WINDOW_MINUTES * 60_000);
    let last: LambdaLogs['last'];
    const fastPath: FastPathFigures = { runs: 0, mirrored: 0, leftToSchedule: 0 };
    for (const event of summaries) {
      const message = event.message ?? '';
      const timestamp = event.timestamp ?? 0;
      try {
        const summary = JSON.parse(message.slice(message.indexOf('{'))) as LoggedSummary;
        // Scheduled and apply-time runs; a hand-invoked dry run or cleanup says nothing about steady state.
        if (summary.mode === 'reconcile' && (!last || timestamp >= last.timestamp)) last = { timestamp, summary };
        if (summary.mode === 'event' && summary.events) addFastPathRun(fastPath, summary.events);
      } catch {
        // not a summary line after all
      }
    }
    const errorLines = failures
      .filter((event) => !(event.message ?? '').includes(SUMMARY_MARKER))
      .map((event) => ({ timestamp: event.timestamp ?? 0, message: (event.message ?? '').trim() }))
      .sort((a, b) => b.timestamp - a.timestamp);
    return { last, errorLines, windowMinutes: SUMMARY_WINDOW_MINUTES, fastPath };
  } catch (error) {
    if (error instanceof LogGroupNotFound) return undefined;
    throw error;
  }
}

function addFastPathRun(figures: FastPathFigures, events: NonNullable<LoggedSummary['events']>): void {
  figures.runs += 1;
  figures.mirrored += events.mirrored;
  figures.leftToSchedule += events.leftToSchedule;
  const worst = events.eventToSessionMs?.max;
  if (worst !== undefined) figures.worstEventToSessionMs = Math.max(figures.worstEventToSessionMs ?? 0, worst);
}

/** One line on the fast path for the Session Lambda check. */
function fastPathLine(figures: FastPathFigures, windowMinutes: number): string {
  if (figures.runs === 0) return `fast path: no event-driven run in the last ${windowMinutes / 60} hours`;
  const timing = figures.worstEventToSessionMs === undefined ? '' : `; event to session at most ${(figures.worstEventToSessionMs / 1000).toFixed(1)} s`;
  return `fast path: ${plural(figures.runs, 'event-driven run')} in the last ${windowMinutes / 60} hours mirrored ${plural(figures.mirrored, 'new source')}${timing}; ${figures.leftToSchedule} left to the schedule`;
}

/** Why an interface gets no session, for people (keys: lambda/types.ts SkipReason). */
const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  'target-unhealthy': 'unhealthy in its load balancer or target group (set MirrorUnhealthyTargets to true to mirror it anyway)',
  'target-type-not-supported': 'target type cannot be mirrored (Lambda or ALB targets)',
  'fargate-task': 'Fargate task: no mirrorable interface (use MirrorSourceType FARGATE with the packet-forwarder sidecar)',
  'instance-not-found': 'instance not found (terminated?)',
  'instance-without-primary-interface': 'instance has no primary network interface',
  'interface-not-found': 'no network interface for the target (IP target outside the VPC?)',
  'interface-type-not-supported': 'interface type cannot be a mirror source (only type interface can)',
  'instance-bare-metal': 'bare-metal instance type: not supported as a mirror source',
  'instance-type-xen-not-supported': 'Xen instance type without traffic mirroring (use a Nitro type)',
  'instance-type-not-supported': 'instance type does not support traffic mirroring',
  'instance-type-rejected-by-ec2': 'EC2 refused a session for this instance type',
  'interface-session-limit': 'interface already has 3 mirror sessions (the AWS limit)',
  'no-free-session-number': 'no free session number on the interface',
  'interface-vanished': 'interface disappeared during the run',
  'session-budget': 'over MirrorSessionBudget: the stack owns as many sessions as it may (existing sessions first, then MirrorSource order, then interface id)',
  'no-target-in-vpc': 'no available Gateway Load Balancer endpoint of the stack in the interface\'s VPC (create one, or accept it at the endpoint service)',
};

const ago = (now: number, timestamp: number) => `${new Date(timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z')}, ${Math.round((now - timestamp) / 60_000)} min ago`;

const NO_LAMBDA = (sourceType: string) => `${sourceType}: the stack has no session Lambda`;

/** (3) Which wanted sources are not mirrored, and why, from the last run summary. */
export function checkSources(config: MirroringConfig, logs: LambdaLogs | undefined, logGroupName: string, now: number): CheckResult {
  const title = TITLES.sources;
  if (!isSessionSourceType(config.MirrorSourceType)) return { title, status: 'skip', summary: `${NO_LAMBDA(config.MirrorSourceType)} (sessions are not discovered)`, details: [] };
  if (!logs) return { title, status: 'fail', summary: `log group ${logGroupName} not found: the session Lambda never ran (is the stack applied?)`, details: [] };
  if (!logs.last) return { title, status: 'fail', summary: `no run summary in ${logGroupName} in the last ${logs.windowMinutes / 60} hours`, details: [] };
  const { summary, timestamp } = logs.last;
  const details = [
    `last run ${ago(now, timestamp)}: ${summary.discoveredTargets} targets discovered, ${summary.wanted} interfaces to mirror (${summary.unchanged} already, ${summary.created} created), ${summary.skipped} skipped`,
    ...(summary.missingSources ?? []).map((source) => `${source}: not found (check MirrorSource)`),
    ...(summary.failedSources ?? []).map(({ source, error }) => `${source}: discovery failed: ${error}`),
    ...Object.entries(summary.skippedByReason ?? {}).map(([reason, count]) => `${count} skipped, ${reason}: ${SKIP_REASON_TEXT[reason as SkipReason] ?? reason}`),
    ...((summary.rejectedInstanceTypes ?? []).length > 0 ? [`instance types EC2 refused: ${summary.rejectedInstanceTypes.join(', ')}`] : []),
    ...(summary.filterPorts ? [`filter ports derived from the targets: ${summary.filterPorts.derived.join(', ') || 'none'}${summary.filterPorts.kept ? ` (${summary.filterPorts.kept})` : ''}`] : []),
  ];
  const broken = (summary.missingSources ?? []).length + (summary.failedSources ?? []).length;
  if (broken > 0) return { title, status: 'fail', summary: `${plural(broken, 'configured source')} not mirrored`, details };
  if (summary.wanted === 0) return { title, status: 'fail', summary: 'nothing to mirror: no target of the configured sources can be mirrored', details };
  if (summary.skipped > 0) return { title, status: 'warn', summary: `${summary.wanted} interfaces mirrored, ${summary.skipped} skipped`, details };
  return { title, status: 'ok', summary: `every discovered target is mirrored (${plural(summary.wanted, 'interface')})`, details };
}

/** (4) Whether the Lambda failed recently: the last summary's errors, staleness, and ERROR / timeout lines. */
export function checkLambda(config: MirroringConfig, logs: LambdaLogs | undefined, logGroupName: string, now: number): CheckResult {
  const title = TITLES.lambda;
  if (!isSessionSourceType(config.MirrorSourceType)) return { title, status: 'skip', summary: `${NO_LAMBDA(config.MirrorSourceType)} to fail`, details: [] };
  if (!logs) return { title, status: 'fail', summary: `log group ${logGroupName} not found`, details: [] };
  const problems: string[] = [];
  const details: string[] = [fastPathLine(logs.fastPath, logs.windowMinutes)];
  const last = logs.last;
  const interval = config.MirroringSessionLambdaInterval;
  if (!last) problems.push(`no run in the last ${logs.windowMinutes / 60} hours`);
  else if (now - last.timestamp > 2 * interval * 60_000) problems.push(`last run ${Math.round((now - last.timestamp) / 60_000)} min ago (scheduled every ${interval} min)`);
  if (last && last.summary.errors > 0) {
    problems.push(`last run had ${plural(last.summary.errors, 'error')}`);
    details.push(...(last.summary.errorSamples ?? []).slice(0, 3).map((sample) => `${sample.action} ${sample.resource}: ${sample.code}: ${sample.message}`));
  }
  if (logs.errorLines.length > 0) {
    problems.push(`${plural(logs.errorLines.length, 'ERROR or timeout line')} in the last ${ERROR_WINDOW_MINUTES} min`);
    details.push(...logs.errorLines.slice(0, 3).map((line) => `${ago(now, line.timestamp)}: ${line.message.slice(0, 200)}`));
  }
  if (problems.length > 0) {
    details.push(`logs: aws logs tail ${logGroupName} --region ${config.Region} --since 1h`);
    return { title, status: 'fail', summary: problems.join('; '), details };
  }
  const deferred = last!.summary.deferredCreates + last!.summary.deferredDeletes;
  if (!last!.summary.complete) return { title, status: 'warn', summary: `last run ran out of time (${deferred} changes deferred to the next run)`, details };
  return { title, status: 'ok', summary: `last run ${ago(now, last!.timestamp)} without errors; no failures in the last ${ERROR_WINDOW_MINUTES} min`, details };
}

// ---- (5) the token secret --------------------------------------------------------------------------------------

/** Whether the refresh-token secret exists and has a value: DescribeSecret only, never its value. */
export async function checkSecret(clients: DoctorClients, config: MirroringConfig): Promise<CheckResult> {
  const title = TITLES.secret;
  const { tokenSecret } = planDeployment(config);
  const secretId = tokenSecretId(tokenSecret);
  try {
    const secret = await clients.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (secret.DeletedDate) return { title, status: 'fail', summary: `${secretId} is scheduled for deletion (${secret.DeletedDate.toISOString()})`, details: [] };
    const current = Object.values(secret.VersionIdsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT'));
    if (!current) {
      // The hosts retry until it is there (bootstrap/files/token.sh).
      const fix = tokenSecret.kind === 'existing' ? 'put a value with the key refresh_token into the secret' : `put the token once: ${tokenPutCommand(config.StackName)}`;
      return { title, status: 'fail', summary: `${secretId} has no value yet: the agents cannot authenticate`, details: [fix] };
    }
    return { title, status: 'ok', summary: `${secret.Name ?? secretId} exists`, details: secret.ARN ? [secret.ARN] : [] };
  } catch (error) {
    if (!(error instanceof SecretNotFound)) return couldNotCheck(title, error);
    const fix = tokenSecret.kind === 'existing'
      ? 'fix TraceableRefreshTokenSecretArn or create the secret with the key refresh_token'
      : `apply the stack (it creates the secret), then put the token once: ${tokenPutCommand(config.StackName)}`;
    return { title, status: 'fail', summary: `${secretId} not found: the agents cannot authenticate`, details: [fix] };
  }
}

/** The health endpoint the NLB asks (for the hints). */
export const HEALTH_CHECK = `HTTP ${HEALTH_CHECK_PORT} ${HEALTH_CHECK_PATH}`;
