/**
 * Runs the checks in order and renders the report: one line per check (✔ ok, ✘ fail, ! warn, - skipped), its details
 * indented under it, then the SSM commands for unhealthy instances and a verdict. Rendering is pure.
 */
import { sessionHourPrice } from './cost';
import { LOG_DIR } from '../../bootstrap/constants';
import type { MirroringConfig } from '../../config';
import {
  HEALTH_CHECK, TITLES, checkFleet, couldNotCheck, checkLambda, checkSecret, checkSessions, checkSources, readLambdaLogs,
  type CheckResult, type DoctorClients, type Status,
} from './checks';
import { checkGatewayLoadBalancerMode } from './gateway-load-balancer';
import { runProbe, type ProbeIo } from './probe';
import { checkVisibility, readHostFigures, VISIBILITY_TITLE } from './visibility';
import { planDeployment } from '../../plan';
import { isSessionSourceType } from '../../shared';

export interface DoctorReport {
  stackName: string;
  region: string;
  sourceType: string;
  /** ECS-hosted agents run as containers, not systemd units. */
  ecs: boolean;
  checks: CheckResult[];
  unhealthyInstanceIds: string[];
}

/** What `--probe` needs: the URL (already validated) and the request, sleep and clock it runs with. */
export interface ProbeRequest {
  url: URL;
  io: ProbeIo;
}

/** Every check against one stack, then the probe when asked for. Checks never throw: an AWS error becomes that check's failure. */
export async function runChecks(clients: DoctorClients, config: MirroringConfig, now: number, price = sessionHourPrice({}), probe?: ProbeRequest): Promise<DoctorReport> {
  const { sessionLogGroup: logGroup, hostMetricsLogGroup, agentTaskLogGroup } = planDeployment(config).names;
  const fleet = await checkFleet(clients, config);
  // metrics.py's documents: the EC2 hosts' through the CloudWatch agent, the ECS task's metrics container's through awslogs.
  const metricsLogGroup = config.DeployTraceableAgentInECS ? agentTaskLogGroup : hostMetricsLogGroup;
  let visibility: CheckResult;
  try {
    visibility = checkVisibility(await readHostFigures(clients.logs, metricsLogGroup, now), metricsLogGroup);
  } catch (error) {
    visibility = couldNotCheck(VISIBILITY_TITLE, error);
  }
  // GWLB_ENDPOINT mode: the load balancer, its endpoint service and the endpoints (none in NLB mode).
  const gatewayLoadBalancer = await checkGatewayLoadBalancerMode(clients, config);
  const sessions = await checkSessions(clients, config, price, gatewayLoadBalancer.targetIds);
  let lambdaChecks: CheckResult[];
  try {
    const logs = isSessionSourceType(config.MirrorSourceType) ? await readLambdaLogs(clients.logs, logGroup, now) : undefined;
    lambdaChecks = [checkSources(config, logs, logGroup, now), checkLambda(config, logs, logGroup, now)];
  } catch (error) {
    lambdaChecks = [couldNotCheck(TITLES.sources, error), couldNotCheck(TITLES.lambda, error)];
  }
  const secret = await checkSecret(clients, config);
  const { unhealthyInstanceIds, healthyInstanceIds, ...fleetCheck } = fleet;
  const probeCheck = probe ? [await runProbe(clients.ssm, config.AgentFeed, probe.url, healthyInstanceIds, probe.io)] : [];
  return {
    stackName: config.StackName,
    region: config.Region,
    sourceType: config.MirrorSourceType,
    ecs: config.DeployTraceableAgentInECS,
    checks: [fleetCheck, ...gatewayLoadBalancer.checks, visibility, sessions, ...lambdaChecks, secret, ...probeCheck],
    unhealthyInstanceIds,
  };
}

const MARK: Record<Status, string> = { ok: '✔', fail: '✘', warn: '!', skip: '-' };

/** The commands to look at the services and logs of unhealthy instances over SSM (no SSH needed). */
function ssmHints(region: string, instanceIds: readonly string[], ecs: boolean): string[] {
  if (instanceIds.length === 0) return [];
  const services = ecs ? ['systemctl status ecs --no-pager', 'docker ps -a'] : ['systemctl status suricata traceable --no-pager'];
  const commands = JSON.stringify([...services, `ls -lt ${LOG_DIR} | head`]);
  return [
    `Unhealthy instances: the health check (${HEALTH_CHECK}) answers 200 only while suricata and traceable both run.`,
    'Look at them over SSM:',
    ...instanceIds.map((id) => `  aws ssm start-session --region ${region} --target ${id}`),
    `  aws ssm send-command --region ${region} --document-name AWS-RunShellScript --instance-ids ${instanceIds.join(' ')} --parameters 'commands=${commands}'`,
    `  aws ssm list-command-invocations --region ${region} --details --command-id <CommandId printed by send-command>`,
    `Then read the newest file in ${LOG_DIR} (bootstrap.log, the agent's Stats line every 5 minutes) and ${LOG_DIR}/suricata.`,
  ];
}

export function formatReport(report: DoctorReport): string[] {
  const lines = [`Traceable traffic mirroring doctor: stack ${report.stackName} (${report.region}, ${report.sourceType})`];
  for (const check of report.checks) {
    lines.push(`${MARK[check.status]} ${check.title}: ${check.status === 'skip' ? 'skipped, ' : ''}${check.summary}`);
    lines.push(...check.details.map((detail) => `    ${detail}`));
  }
  const hints = ssmHints(report.region, report.unhealthyInstanceIds, report.ecs);
  if (hints.length > 0) lines.push('', ...hints);
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const warned = report.checks.filter((check) => check.status === 'warn').length;
  const warnings = warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : '';
  lines.push('', failed > 0 ? `FAIL: ${failed} of ${report.checks.length} checks failed${warnings}` : `OK: no check failed${warnings}`);
  return lines;
}

export function exitCodeOf(report: DoctorReport): number {
  return report.checks.some((check) => check.status === 'fail') ? 1 : 0;
}
