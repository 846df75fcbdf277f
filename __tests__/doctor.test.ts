/**
 * `npm run doctor`: the whole command (configuration choice, checks, report, exit code) against mocked AWS clients
 * that answer, or fail with the SDK's own exception classes, as AWS does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException as LogGroupNotFound } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSubnetsCommand, DescribeTrafficMirrorSessionsCommand, DescribeTrafficMirrorTargetsCommand, DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand, DescribeVpcEndpointsCommand, EC2Client, type TrafficMirrorSession, type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSecretCommand, GetSecretValueCommand, ResourceNotFoundException as SecretNotFound, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { summaryLogLine } from '../lambda/handler';
import type { RunSummary } from '../lambda/reconcile';
import { doctorClients } from '../scripts/doctor/checks';
import { HELP, runDoctor, USAGE } from '../scripts/doctor/cli';
import { resolveCredentials } from '../scripts/doctor/credentials';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const MINUTE = 60_000;
const REGION = 'eu-west-1';
const TG_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-vxlan/0123456789abcdef';
const NLB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/manual-nlb/0123456789abcdef';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/traceable-refresh-token-AbCdEf';
const SUMMARY_PATTERN = '"mirror-session run summary"';
const ERROR_PATTERN = '?ERROR ?"Task timed out"';
const METRICS_PATTERN = '"CloudWatchMetrics"';

const COMMON = {
  Region: REGION, VpcId: 'vpc-0a1b2c3d4e5f60718', SubnetIds: 'subnet-0a1b2c3d4e5f60711', InstanceType: 'm5.xlarge',
  TraceableEnvironment: 'production', TraceableServiceName: 'shop',
};

const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const autoScaling = mockClient(AutoScalingClient);
const logs = mockClient(CloudWatchLogsClient);
const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);

let configDir: string;
beforeAll(() => {
  configDir = mkdtempSync(join(tmpdir(), 'doctor-'));
  writeFileSync(join(configDir, 'manual.json'), JSON.stringify({ ...COMMON, StackName: 'manual', MirrorSourceType: 'MANUAL' }));
  writeFileSync(join(configDir, 'prod.json'), JSON.stringify({ ...COMMON, StackName: 'prod', MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'shop-alb,api-nlb' }));
});
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    mode: 'reconcile', stack: 'prod', sourceType: 'LOAD_BALANCER', complete: true,
    discoveredTargets: 3, candidateInterfaces: 3, wanted: 3, unchanged: 3, plannedCreates: 0, plannedDeletes: 0,
    created: 0, deleted: 0, skipped: 0, skippedByReason: {}, missingSources: [], failedSources: [], keptForFailedSources: 0,
    deferredCreates: 0, deferredDeletes: 0, rejectedInstanceTypes: [], throttledRetries: 0, transientRetries: 0,
    errors: 0, errorSamples: [], apiCalls: {}, durationMs: 1200,
    ...overrides,
  };
}

function eventFigures(overrides: Partial<NonNullable<RunSummary['events']>>): NonNullable<RunSummary['events']> {
  return { messages: 1, ignored: 0, subjects: 1, mirrored: 0, alreadyMirrored: 0, notWanted: 0, retriesQueued: 0, leftToSchedule: 0, failed: 0, ...overrides };
}

function session(id: string, source: string, interfaceId = `eni-${id}`): TrafficMirrorSession {
  return {
    TrafficMirrorSessionId: `tms-${id}`, NetworkInterfaceId: interfaceId, TrafficMirrorTargetId: 'tmt-1',
    Tags: [{ Key: 'traceable:mirroring-stack', Value: 'prod' }, { Key: 'traceable:mirroring-source', Value: source }],
  };
}

/** One of metrics.py's embedded-metric documents as CloudWatch Logs holds it. */
function hostDocument(host: string, values: Record<string, number>) {
  return { timestamp: NOW - 5 * MINUTE, message: JSON.stringify({ _aws: { Timestamp: NOW - 5 * MINUTE, CloudWatchMetrics: [{ Namespace: 'Traceable/TrafficMirroring' }] }, AutoScalingGroupName: 'prod-agents', Host: host, ...values }) };
}

/** A deployed, working `prod` stack: every test starts here and breaks one thing. */
function healthyAccount(): void {
  for (const mock of [ec2, elbv2, autoScaling, logs, secrets, ssm]) mock.reset();
  elbv2.on(DescribeTargetGroupsCommand, { Names: ['prod-vxlan'] }).resolves({ TargetGroups: [{ TargetGroupArn: TG_ARN, TargetGroupName: 'prod-vxlan' }] });
  elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_ARN }).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: 'i-0aaa', Port: 4789 }, TargetHealth: { State: 'healthy' } },
      { Target: { Id: 'i-0bbb', Port: 4789 }, TargetHealth: { State: 'healthy' } },
    ],
  });
  autoScaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['prod-agents'] }).resolves({
    AutoScalingGroups: [{
      AutoScalingGroupName: 'prod-agents', MinSize: 1, MaxSize: 3, DesiredCapacity: 2, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'ELB', CreatedTime: new Date(NOW),
      Instances: ['i-0aaa', 'i-0bbb'].map((InstanceId) => ({ InstanceId, LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'eu-west-1a', ProtectedFromScaleIn: false })),
    }],
  });
  // Two pages: the doctor must follow NextToken.
  ec2.on(DescribeTrafficMirrorSessionsCommand, { Filters: [{ Name: 'tag:traceable:mirroring-stack', Values: ['prod'] }] })
    .resolvesOnce({ TrafficMirrorSessions: [session('1', 'lb/shop-alb'), session('2', 'lb/shop-alb')], NextToken: 'page-2' })
    .resolves({ TrafficMirrorSessions: [session('3', 'lb/api-nlb')] });
  logs.on(FilterLogEventsCommand, { logGroupName: '/aws/lambda/prod-mirror-sessions', filterPattern: SUMMARY_PATTERN }).resolves({
    events: [
      { timestamp: NOW - 20 * MINUTE, message: summaryLogLine(summary({ wanted: 2 }), NOW - 20 * MINUTE) },
      { timestamp: NOW - 5 * MINUTE, message: summaryLogLine(summary(), NOW - 5 * MINUTE) },
      // Event-driven runs (the fast path) between the scheduled ones.
      { timestamp: NOW - 12 * MINUTE, message: summaryLogLine(summary({ mode: 'event', events: eventFigures({ mirrored: 2, eventToSessionMs: { count: 2, median: 9_000, max: 14_200 } }) }), NOW - 12 * MINUTE) },
      { timestamp: NOW - 8 * MINUTE, message: summaryLogLine(summary({ mode: 'event', events: eventFigures({ mirrored: 1, leftToSchedule: 1, eventToSessionMs: { count: 1, median: 6_100, max: 6_100 } }) }), NOW - 8 * MINUTE) },
      // A hand-invoked dry run is newer but says nothing about the scheduled runs.
      { timestamp: NOW - 1 * MINUTE, message: summaryLogLine(summary({ mode: 'dry-run', wanted: 0, errors: 1 }), NOW - 1 * MINUTE) },
    ],
  });
  logs.on(FilterLogEventsCommand, { logGroupName: '/aws/lambda/prod-mirror-sessions', filterPattern: ERROR_PATTERN }).resolves({ events: [] });
  // The hosts' metrics documents (metrics.py, one a minute per host): nothing cut, no TLS.
  logs.on(FilterLogEventsCommand, { filterPattern: METRICS_PATTERN }).resolves({ events: [] });
  logs.on(FilterLogEventsCommand, { logGroupName: '/traceable/prod/host-metrics', filterPattern: METRICS_PATTERN }).resolves({
    events: [
      hostDocument('ip-10-0-1-5', { VxlanPackets: 250000, HttpTransactions: 2500, ReassemblyGaps: 0, TlsFlows: 0, TruncatedPackets: 0 }),
      hostDocument('ip-10-0-1-5', { VxlanPackets: 150000, HttpTransactions: 1500, ReassemblyGaps: 0, TlsFlows: 0, TruncatedPackets: 0 }),
      hostDocument('ip-10-0-2-7', { VxlanPackets: 200000, HttpTransactions: 2000, ReassemblyGaps: 0, TlsFlows: 0, TruncatedPackets: 0 }),
    ],
  });
  secrets.on(DescribeSecretCommand, { SecretId: 'prod/traceable-refresh-token' }).resolves({
    ARN: SECRET_ARN, Name: 'prod/traceable-refresh-token', VersionIdsToStages: { 'v-1': ['AWSCURRENT'] },
  });
}

/** The probe's HTTP request: answers with `status` unless told to fail. */
let request: jest.Mock<Promise<number>, [string, Record<string, string>]>;
/** The doctor's clock: sleeping moves it on, so the probe's waits take no real time. */
let clock: number;

async function doctor(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runDoctor(argv, {
    env: {},
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    clientsFor: doctorClients, // real clients: the mocks intercept every instance
    checkCredentials: async () => undefined,
    now: () => clock,
    request,
    sleep: async (ms) => { clock += ms; },
  });
  return { code, stdout, stderr };
}

const HEALTHY_VISIBILITY = [
  '✔ Agent visibility: 2 hosts, last 60 min: 0 of 600,000 mirrored packets arrived cut (0.000%), 0 reassembly gaps, 0 TLS flows',
  '    ip-10-0-1-5: 400,000 VXLAN packets, 4,000 HTTP transactions, 0 cut, 0 reassembly gaps, 0 TLS flows',
  '    ip-10-0-2-7: 200,000 VXLAN packets, 2,000 HTTP transactions, 0 cut, 0 reassembly gaps, 0 TLS flows',
];
/** The fleet's check, and the visibility check that follows it. */
const HEALTHY_FLEET = [
  '✔ Agent fleet: 2 of 2 targets healthy in prod-vxlan',
  '    i-0aaa healthy',
  '    i-0bbb healthy',
  '    autoscaling group prod-agents: 2 instances (desired 2, max 3)',
  '    cost: 1,460 m5.xlarge instance-hours per month at the current size (2 x 730 h)',
  '      i-0aaa InService, Healthy',
  '      i-0bbb InService, Healthy',
  ...HEALTHY_VISIBILITY,
];
const HEALTHY_SESSIONS = [
  '✔ Mirror sessions: 3 sessions owned by prod', '    lb/api-nlb: 1 session', '    lb/shop-alb: 2 sessions',
  '    cost: 2,190 session-hours per month, about US$32.85 at US$0.015 per session-hour (aws.amazon.com/vpc/pricing, US East (Ohio) example, as transcribed 2026-09-20; data transfer and the NLB not included)',
];
const HEALTHY_LAMBDA = [
  '✔ Mirrored sources: every discovered target is mirrored (3 interfaces)',
  '    last run 2026-03-02T11:55:00Z, 5 min ago: 3 targets discovered, 3 interfaces to mirror (3 already, 0 created), 0 skipped',
  '✔ Session Lambda: last run 2026-03-02T11:55:00Z, 5 min ago without errors; no failures in the last 60 min',
  '    fast path: 2 event-driven runs in the last 24 hours mirrored 3 new sources; event to session at most 14.2 s; 1 left to the schedule',
];
const HEALTHY_SECRET = ['✔ Token secret: prod/traceable-refresh-token exists', `    ${SECRET_ARN}`];
const HEADER = `Traceable traffic mirroring doctor: stack prod (${REGION}, LOAD_BALANCER)`;

beforeEach(() => {
  healthyAccount();
  clock = NOW;
  request = jest.fn(async (_url: string, _headers: Record<string, string>) => 200);
});

describe('npm run doctor', () => {
  it('reports a healthy stack with one line per check and exits 0', async () => {
    // Prepare: healthyAccount
    // Act
    const { code, stdout, stderr } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess
    expect(stdout).toEqual([HEADER, ...HEALTHY_FLEET, ...HEALTHY_SESSIONS, ...HEALTHY_LAMBDA, ...HEALTHY_SECRET, '', 'OK: no check failed']);
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    expect(ec2.commandCalls(DescribeTrafficMirrorSessionsCommand)).toHaveLength(2); // both pages (lb/api-nlb is on the second)
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('names what the agents cannot see (cut packets, TLS flows, gaps) per host, with the fix in AWS\'s numbers', async () => {
    // Prepare: one host gets jumbo frames cut at 8500 bytes and TLS on a mirrored port
    logs.on(FilterLogEventsCommand, { logGroupName: '/traceable/prod/host-metrics', filterPattern: METRICS_PATTERN }).resolves({
      events: [
        hostDocument('ip-10-0-1-5', { VxlanPackets: 120000, HttpTransactions: 900, ReassemblyGaps: 30, TlsFlows: 2, TruncatedPackets: 30 }),
        hostDocument('ip-10-0-2-7', { VxlanPackets: 80000, HttpTransactions: 600, ReassemblyGaps: 0, TlsFlows: 0, TruncatedPackets: 0 }),
        { timestamp: NOW - MINUTE, message: 'a container log line that mentions "CloudWatchMetrics"' },
      ],
    });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess: a warning, not a failure
    const start = stdout.indexOf('! Agent visibility: 2 hosts, last 60 min: 30 of 200,000 mirrored packets arrived cut (0.015%), 30 reassembly gaps, 2 TLS flows');
    expect(stdout.slice(start, start + 7)).toEqual([
      '! Agent visibility: 2 hosts, last 60 min: 30 of 200,000 mirrored packets arrived cut (0.015%), 30 reassembly gaps, 2 TLS flows',
      '    ip-10-0-1-5: 120,000 VXLAN packets, 900 HTTP transactions, 30 cut, 30 reassembly gaps, 2 TLS flows',
      '    ip-10-0-2-7: 80,000 VXLAN packets, 600 HTTP transactions, 0 cut, 0 reassembly gaps, 0 TLS flows',
      '    cut packets: AWS mirrors at most 8500 bytes after the VXLAN header to a Network Load Balancer target (PacketLength: default 8500, valid values 1-8500, EC2 API reference CreateTrafficMirrorSession), while instances in a VPC send packets of up to 9001 bytes (EC2 User Guide, "Network maximum transmission unit (MTU) for your EC2 instance": jumbo frames). The hosts keep what arrived: those transactions keep status and headers, their bodies stop at the first hole (http_response_body_gap).',
      '    fix: an MTU of 8486 or less on the mirrored instances (for a load balancer source, on its targets: their MSS then bounds the other direction too), e.g. `sudo ip link set dev ens5 mtu 8486`, made permanent as the EC2 User Guide\'s "Set the MTU for your EC2 instance" describes (8500 bytes after the VXLAN header hold the 14-byte Ethernet header and the IP packet).',
      '    TLS flows: encrypted on the mirrored ports, nothing to decode. fix: mirror behind the TLS terminator: a load balancer that terminates TLS (an ALB HTTPS listener, an NLB TLS listener) and speaks HTTP to its targets, mirrored as MirrorSourceType LOAD_BALANCER does (its targets\' interfaces).',
      '    reassembly gaps: TCP data Suricata never saw (cut packets, kernel drops, packets lost on the way); the transactions they touch carry http_response_body_gap or http_request_body_gap, and their bodies stop at the gap.',
    ]);
    expect(stdout.at(-1)).toBe('OK: no check failed (1 warning)');
    expect(code).toBe(0);
  });

  it('reads the ECS task\'s log group for an ECS fleet (metrics.py runs in the task)', async () => {
    writeFileSync(join(configDir, 'ecs.json'), JSON.stringify({ ...COMMON, StackName: 'ecs', MirrorSourceType: 'MANUAL', DeployTraceableAgentInECS: true }));
    try {
      await doctor('--stack', 'ecs', '--config', configDir);
      expect(logs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.logGroupName)).toEqual(['/traceable/ecs/agents']);
    } finally {
      rmSync(join(configDir, 'ecs.json'));
    }
  });

  it('names an unhealthy target and prints the SSM commands for that instance', async () => {
    // Prepare
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_ARN }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0aaa', Port: 4789 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0bbb', Port: 4789 }, TargetHealth: { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' } },
      ],
    });
    // Act
    const { code, stdout } = await doctor('--stack=prod', `--config=${configDir}`);
    // Assess
    expect(stdout).toEqual([
      HEADER,
      '✘ Agent fleet: 1 of 2 targets healthy in prod-vxlan',
      '    i-0aaa healthy',
      '    i-0bbb unhealthy (Target.FailedHealthChecks: Health checks failed)',
      ...HEALTHY_FLEET.slice(3),
      ...HEALTHY_SESSIONS, ...HEALTHY_LAMBDA, ...HEALTHY_SECRET,
      '',
      'Unhealthy instances: the health check (HTTP 8089 /healthz) answers 200 only while suricata and traceable both run.',
      'Look at them over SSM:',
      `  aws ssm start-session --region ${REGION} --target i-0bbb`,
      `  aws ssm send-command --region ${REGION} --document-name AWS-RunShellScript --instance-ids i-0bbb --parameters 'commands=["systemctl status suricata traceable --no-pager","ls -lt /var/traceable/log | head"]'`,
      `  aws ssm list-command-invocations --region ${REGION} --details --command-id <CommandId printed by send-command>`,
      'Then read the newest file in /var/traceable/log (bootstrap.log, the agent\'s Stats line every 5 minutes) and /var/traceable/log/suricata.',
      '',
      'FAIL: 1 of 6 checks failed',
    ]);
    expect(code).toBe(1);
  });

  it('fails when the token secret does not exist', async () => {
    // Prepare
    secrets.on(DescribeSecretCommand).rejects(new SecretNotFound({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess
    expect(stdout.slice(-5)).toEqual([
      ...HEALTHY_LAMBDA.slice(-1),
      '✘ Token secret: prod/traceable-refresh-token not found: the agents cannot authenticate',
      '    apply the stack (it creates the secret), then put the token once: npm run token:put -- --stack prod',
      '',
      'FAIL: 1 of 6 checks failed',
    ]);
    expect(code).toBe(1);
  });

  it('fails, naming the put command, when the created secret has no value yet', async () => {
    // Prepare: the stack created the secret; nobody put the token (DescribeSecret lists no version).
    secrets.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Name: 'prod/traceable-refresh-token', VersionIdsToStages: {} });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess
    expect(stdout.slice(-4)).toEqual([
      '✘ Token secret: prod/traceable-refresh-token has no value yet: the agents cannot authenticate',
      '    put the token once: npm run token:put -- --stack prod',
      '',
      'FAIL: 1 of 6 checks failed',
    ]);
    expect(code).toBe(1);
  });

  it('explains from the last run summary why nothing is mirrored', async () => {
    // Prepare
    ec2.on(DescribeTrafficMirrorSessionsCommand).resolves({ TrafficMirrorSessions: [] });
    const skipped = summary({
      discoveredTargets: 4, candidateInterfaces: 1, wanted: 0, unchanged: 0, skipped: 4,
      skippedByReason: { 'instance-type-xen-not-supported': 1, 'target-unhealthy': 3 }, missingSources: ['lb/api-nlb'],
    });
    logs.on(FilterLogEventsCommand, { filterPattern: SUMMARY_PATTERN }).resolves({ events: [{ timestamp: NOW - 5 * MINUTE, message: summaryLogLine(skipped, NOW - 5 * MINUTE) }] });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess
    expect(stdout.slice(HEALTHY_FLEET.length + 1)).toEqual([
      '✘ Mirror sessions: the stack owns no sessions (tag traceable:mirroring-stack=prod): no traffic is mirrored',
      '✘ Mirrored sources: 1 configured source not mirrored',
      '    last run 2026-03-02T11:55:00Z, 5 min ago: 4 targets discovered, 0 interfaces to mirror (0 already, 0 created), 4 skipped',
      '    lb/api-nlb: not found (check MirrorSource)',
      '    1 skipped, instance-type-xen-not-supported: Xen instance type without traffic mirroring (use a Nitro type)',
      '    3 skipped, target-unhealthy: unhealthy in its load balancer or target group (set MirrorUnhealthyTargets to true to mirror it anyway)',
      HEALTHY_LAMBDA[2],
      '    fast path: no event-driven run in the last 24 hours',
      ...HEALTHY_SECRET,
      '',
      'FAIL: 2 of 6 checks failed',
    ]);
    expect(code).toBe(1);
  });

  it('shows the session budget in use and prices sessions at TRACEABLE_SESSION_HOUR_PRICE_USD when given', async () => {
    // Prepare
    writeFileSync(join(configDir, 'budget.json'), JSON.stringify({ ...COMMON, StackName: 'prod', MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'shop-alb,api-nlb', MirrorSessionBudget: 4 }));
    const stdout: string[] = [];
    // Act
    await runDoctor(['--stack', 'prod', '--config', join(configDir, 'budget.json')], {
      env: { TRACEABLE_SESSION_HOUR_PRICE_USD: '0.02' }, stdout: (line) => stdout.push(line), stderr: () => undefined, clientsFor: doctorClients, checkCredentials: async () => undefined, now: () => NOW,
      request, sleep: async () => undefined,
    });
    rmSync(join(configDir, 'budget.json'));
    // Assess
    expect(stdout.slice(1 + HEALTHY_FLEET.length, 1 + HEALTHY_FLEET.length + 5)).toEqual([
      ...HEALTHY_SESSIONS.slice(0, 3),
      '    session budget: 3 of 4 (MirrorSessionBudget)',
      '    cost: 2,190 session-hours per month, about US$43.80 at US$0.02 per session-hour (TRACEABLE_SESSION_HOUR_PRICE_USD; data transfer and the NLB not included)',
    ]);
  });

  it('lists the filter ports the last run derived from the targets', async () => {
    // Prepare
    const derived = summary({ filterPorts: { derived: ['443', '8080-8081'], created: 0, deleted: 0 } });
    logs.on(FilterLogEventsCommand, { filterPattern: SUMMARY_PATTERN }).resolves({ events: [{ timestamp: NOW - 5 * MINUTE, message: summaryLogLine(derived, NOW - 5 * MINUTE) }] });
    // Act
    const { stdout } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess
    expect(stdout).toContain('    filter ports derived from the targets: 443, 8080-8081');
  });

  it('reports Lambda errors and timeouts of the last hour', async () => {
    // Prepare
    const failed = summary({ errors: 1, errorSamples: [{ action: 'CreateTrafficMirrorSession', resource: 'eni-9', code: 'UnauthorizedOperation', message: 'not authorized' }] });
    logs.on(FilterLogEventsCommand, { filterPattern: SUMMARY_PATTERN }).resolves({ events: [{ timestamp: NOW - 5 * MINUTE, message: summaryLogLine(failed, NOW - 5 * MINUTE) }] });
    logs.on(FilterLogEventsCommand, { filterPattern: ERROR_PATTERN }).resolves({
      events: [{ timestamp: NOW - 35 * MINUTE, message: '2026-03-02T11:25:00.000Z 5f1c Task timed out after 600.00 seconds\n' }],
    });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess
    expect(stdout).toContain('✘ Session Lambda: last run had 1 error; 1 ERROR or timeout line in the last 60 min');
    expect(stdout).toEqual(expect.arrayContaining([
      '    CreateTrafficMirrorSession eni-9: UnauthorizedOperation: not authorized',
      '    2026-03-02T11:25:00Z, 35 min ago: 2026-03-02T11:25:00.000Z 5f1c Task timed out after 600.00 seconds',
      `    logs: aws logs tail /aws/lambda/prod-mirror-sessions --region ${REGION} --since 1h`,
    ]));
    expect(code).toBe(1);
  });

  it('fails when the stack is not deployed (no target group, no log group)', async () => {
    // Prepare
    elbv2.on(DescribeTargetGroupsCommand).rejects(new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} }));
    logs.on(FilterLogEventsCommand).rejects(new LogGroupNotFound({ message: 'The specified log group does not exist.', $metadata: {} }));
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', configDir);
    // Assess
    expect(stdout).toEqual(expect.arrayContaining([
      `✘ Agent fleet: target group prod-vxlan not found in ${REGION} (is the stack applied?)`,
      '✘ Mirrored sources: log group /aws/lambda/prod-mirror-sessions not found: the session Lambda never ran (is the stack applied?)',
      '✘ Session Lambda: log group /aws/lambda/prod-mirror-sessions not found',
    ]));
    expect(stdout.at(-1)).toBe('FAIL: 3 of 6 checks failed');
    expect(code).toBe(1);
  });

  it('skips the Lambda checks of a MANUAL stack and counts the sessions toward its mirror target', async () => {
    // Prepare
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['manual-vxlan'] }).resolves({ TargetGroups: [{ TargetGroupArn: TG_ARN }] });
    autoScaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['manual-agents'] }).resolves({
      AutoScalingGroups: [{
        AutoScalingGroupName: 'manual-agents', MinSize: 1, MaxSize: 3, DesiredCapacity: 1, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'ELB', CreatedTime: new Date(NOW),
        Instances: [{ InstanceId: 'i-0aaa', LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'eu-west-1a', ProtectedFromScaleIn: false }],
      }],
    });
    elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: 'i-0aaa' }, TargetHealth: { State: 'healthy' } }] });
    elbv2.on(DescribeLoadBalancersCommand, { Names: ['manual-nlb'] }).resolves({ LoadBalancers: [{ LoadBalancerArn: NLB_ARN }] });
    ec2.on(DescribeTrafficMirrorTargetsCommand, { Filters: [{ Name: 'network-load-balancer-arn', Values: [NLB_ARN] }] }).resolves({ TrafficMirrorTargets: [{ TrafficMirrorTargetId: 'tmt-9' }] });
    ec2.on(DescribeTrafficMirrorSessionsCommand, { Filters: [{ Name: 'traffic-mirror-target-id', Values: ['tmt-9'] }] })
      .resolves({ TrafficMirrorSessions: [session('1', 'x', 'eni-web1'), session('2', 'x', 'eni-web0')] });
    secrets.on(DescribeSecretCommand, { SecretId: 'manual/traceable-refresh-token' }).resolves({ Name: 'manual/traceable-refresh-token', VersionIdsToStages: { 'v-1': ['AWSCURRENT'] } });
    // Act
    const { code, stdout } = await doctor('--stack', 'manual', '--config', configDir);
    // Assess
    expect(stdout).toEqual([
      `Traceable traffic mirroring doctor: stack manual (${REGION}, MANUAL)`,
      '✔ Agent fleet: 1 of 1 target healthy in manual-vxlan',
      '    i-0aaa healthy',
      '    autoscaling group manual-agents: 1 instance (desired 1, max 3)',
      '    cost: 730 m5.xlarge instance-hours per month at the current size (1 x 730 h)',
      '      i-0aaa InService, Healthy',
      '- Agent visibility: skipped, no host metrics in /traceable/manual/host-metrics in the last 60 min',
      '✔ Mirror sessions: MANUAL: 2 sessions toward mirror target tmt-9',
      '    source interfaces: eni-web0, eni-web1',
      '- Mirrored sources: skipped, MANUAL: the stack has no session Lambda (sessions are not discovered)',
      '- Session Lambda: skipped, MANUAL: the stack has no session Lambda to fail',
      '✔ Token secret: manual/traceable-refresh-token exists',
      '',
      'OK: no check failed',
    ]);
    expect(code).toBe(0);
    // Only the hosts' metrics: no session Lambda log group is read.
    expect(logs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.logGroupName)).toEqual(['/traceable/manual/host-metrics']);
  });

  it('SameZoneDelivery: reads one autoscaling group per subnet and names a missing one', async () => {
    // Prepare
    const subnets = ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722', 'subnet-0a1b2c3d4e5f60733'];
    const file = join(configDir, 'zones.json.txt');
    writeFileSync(file, JSON.stringify({ ...COMMON, StackName: 'prod', MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'shop-alb,api-nlb', SameZoneDelivery: true, SubnetIds: subnets.join(',') }));
    const names = subnets.map((subnet) => `prod-agents-${subnet}`);
    const zoneGroup = (name: string, instanceId: string, zone: string) => ({
      AutoScalingGroupName: name, MinSize: 1, MaxSize: 3, DesiredCapacity: 1, DefaultCooldown: 300, AvailabilityZones: [zone], HealthCheckType: 'ELB', CreatedTime: new Date(NOW),
      Instances: [{ InstanceId: instanceId, LifecycleState: 'InService' as const, HealthStatus: 'Healthy', AvailabilityZone: zone, ProtectedFromScaleIn: false }],
    });
    autoScaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: names }).resolves({
      AutoScalingGroups: [zoneGroup(names[1], 'i-0bbb', 'eu-west-1b'), zoneGroup(names[0], 'i-0aaa', 'eu-west-1a')],
    });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', file);
    rmSync(file);
    // Assess
    expect(stdout.slice(1, 11)).toEqual([
      '✘ Agent fleet: 2 of 2 targets healthy in prod-vxlan',
      '    i-0aaa healthy',
      '    i-0bbb healthy',
      `    autoscaling group ${names[0]}: 1 instance (desired 1, max 3)`,
      '    cost: 730 m5.xlarge instance-hours per month at the current size (1 x 730 h)',
      '      i-0aaa InService, Healthy',
      `    autoscaling group ${names[1]}: 1 instance (desired 1, max 3)`,
      '    cost: 730 m5.xlarge instance-hours per month at the current size (1 x 730 h)',
      '      i-0bbb InService, Healthy',
      `    autoscaling group ${names[2]} not found`,
    ]);
    expect(code).toBe(1);
  });

  it('refuses an unknown --stack with the available stack names and exit 2', async () => {
    // Act
    const { code, stdout, stderr } = await doctor('--stack', 'staging', '--config', configDir);
    // Assess
    expect(stderr).toEqual([`doctor: no configuration in ${configDir} has StackName staging; available: manual, prod`]);
    expect(stdout).toEqual([]);
    expect(code).toBe(2);
    expect(elbv2.calls()).toHaveLength(0);
  });

  it.each([
    [[], 'doctor: --stack is required'],
    [['--stack'], 'doctor: --stack needs a value'],
    [['--stack', 'prod', '--region', 'us-east-1'], 'doctor: unknown argument --region'],
  ])('exits 2 on usage error %j', async (argv, message) => {
    // Act
    const { code, stderr } = await doctor(...argv);
    // Assess
    expect(stderr).toEqual([message, 'usage: traceable-mirroring-doctor --stack <StackName> [--config <file, comma-separated files or directory>] [--probe <http(s) URL through a mirrored load balancer>]']);
    expect(code).toBe(2);
  });

  it.each([['--help'], ['-h'], ['--stack', 'prod', '--help']])('%s prints the help on stdout and exits 0', async (...argv) => {
    const { code, stdout, stderr } = await doctor(...argv);
    expect(stdout).toEqual([HELP]);
    expect(HELP.split('\n')[0]).toBe(USAGE);
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    expect(elbv2.calls()).toHaveLength(0);
  });

  it('without credentials: one line naming the region and the SDK\'s reason, exit 2, no check made', async () => {
    // Prepare: the SDK's real default chain, with nothing to find (no environment keys, files, SSO or metadata service).
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (/^AWS_/.test(key)) delete process.env[key];
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: join(configDir, 'none'), AWS_CONFIG_FILE: join(configDir, 'none') });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const clientsFor = jest.fn(doctorClients);
    // Act
    let code: number;
    try {
      code = await runDoctor(['--stack', 'prod', '--config', configDir], {
        env: {}, stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line), clientsFor, checkCredentials: resolveCredentials,
        now: () => NOW, request, sleep: async () => undefined,
      });
    } finally {
      process.env = saved;
    }
    // Assess
    expect(stderr).toEqual([
      'doctor: no usable AWS credentials for eu-west-1 (Could not load credentials from any providers); run with the credentials of the stack\'s account, e.g. AWS_PROFILE=<profile>',
    ]);
    expect(stdout).toEqual([]);
    expect(code).toBe(2);
    expect(clientsFor).not.toHaveBeenCalled();
  });

  it('exits 2 with the problems of an invalid configuration', async () => {
    // Prepare
    const bad = join(configDir, 'bad.json.txt');
    writeFileSync(bad, JSON.stringify({ StackName: 'prod' }));
    // Act
    const { code, stderr } = await doctor('--stack', 'prod', '--config', bad);
    // Assess
    expect(stderr[0]).toMatch(new RegExp(`^Invalid configuration ${bad}: \\d+ problems`));
    expect(code).toBe(2);
  });

  describe('--probe', () => {
    const URL_GIVEN = 'http://shop-alb.internal:8080/health?x=1';
    const FEED_FILE = '/var/traceable/log/suricata/traceable-feed.json';
    const HOSTS = ['i-0aaa', 'i-0bbb'];
    let probeConfig: string;
    beforeAll(() => {
      probeConfig = mkdtempSync(join(tmpdir(), 'doctor-probe-'));
      const prod = { ...COMMON, StackName: 'prod', MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'shop-alb,api-nlb' };
      writeFileSync(join(probeConfig, 'file.json'), JSON.stringify({ ...prod, AgentFeed: 'file' }));
      writeFileSync(join(probeConfig, 'socket.json'), JSON.stringify(prod));
    });
    afterAll(() => rmSync(probeConfig, { recursive: true, force: true }));

    /** The marker the request carried, read back from the URL the doctor asked for. */
    const sentMarker = () => new URL(request.mock.calls[0][0]).searchParams.get('traceable-probe')!;
    /** Each host answers the SSM command with the next of its outputs (the last one repeats). */
    function hostsAnswer(outputs: Record<string, string[]>): void {
      let commandNumber = 0;
      ssm.on(SendCommandCommand).callsFake(async () => ({ Command: { CommandId: `c-${++commandNumber}` } }));
      ssm.on(GetCommandInvocationCommand).callsFake(async ({ CommandId, InstanceId }: { CommandId: string; InstanceId: string }) => {
        const answers = outputs[InstanceId];
        return { Status: 'Success', StandardOutputContent: answers[Math.min(Number(CommandId.slice(2)) - 1, answers.length - 1)] };
      });
    }

    it('file mode: finds the marker in the feed file of one host, reports the time, and never puts the URL in a command', async () => {
      // Prepare: i-0bbb has the marker from the second round on
      hostsAnswer({ 'i-0aaa': ['missing\n'], 'i-0bbb': ['missing\n', 'found\n'] });
      // Act
      const { code, stdout } = await doctor('--stack', 'prod', '--config', join(probeConfig, 'file.json'), '--probe', URL_GIVEN);
      // Assess
      const marker = sentMarker();
      expect(marker).toMatch(/^traceable-probe-[0-9a-f]{16}$/);
      expect(request.mock.calls).toEqual([[`http://shop-alb.internal:8080/health?x=1&traceable-probe=${marker}`, { 'X-Traceable-Probe': marker }]]);
      expect(stdout.slice(-6)).toEqual([
        '✔ End-to-end probe: marker reached the agent\'s feed on i-0bbb within 5.0 s of the request',
        `    marker ${marker} in the query (traceable-probe=) and the X-Traceable-Probe header`,
        `    GET http://shop-alb.internal:8080/health?x=1&traceable-probe=${marker}: HTTP 200`,
        `    file mode: the marker itself is in ${FEED_FILE}, the events the agent reads (time: at most, asked every 5 s)`,
        '',
        'OK: no check failed',
      ]);
      expect(code).toBe(0);
      const sent = ssm.commandCalls(SendCommandCommand).map((call) => call.args[0].input);
      expect(sent).toHaveLength(2);
      expect(sent[0]).toEqual({
        DocumentName: 'AWS-RunShellScript', InstanceIds: HOSTS, TimeoutSeconds: 30, Comment: 'traceable doctor --probe',
        Parameters: { commands: [`if [ ! -f ${FEED_FILE} ]; then echo no-file; elif grep -q -F -e '${marker}' ${FEED_FILE}; then echo found; else echo missing; fi`] },
      });
      expect(JSON.stringify(sent)).not.toContain('shop-alb');
    });

    it('file mode: fails after 60 s when no host has the marker, asking every 5 s and naming a host without the file', async () => {
      // Prepare
      hostsAnswer({ 'i-0aaa': ['missing\n'], 'i-0bbb': ['no-file\n'] });
      // Act
      const { code, stdout } = await doctor('--stack', 'prod', '--config', join(probeConfig, 'file.json'), '--probe', URL_GIVEN);
      // Assess
      const marker = sentMarker();
      expect(stdout.slice(-7)).toEqual([
        `✘ End-to-end probe: marker not seen in ${FEED_FILE} on 2 hosts within 60 s`,
        `    marker ${marker} in the query (traceable-probe=) and the X-Traceable-Probe header`,
        `    GET http://shop-alb.internal:8080/health?x=1&traceable-probe=${marker}: HTTP 200`,
        `    i-0bbb: no ${FEED_FILE} (is AgentFeed file applied on it?)`,
        '    is the URL served by a load balancer or target group whose targets are mirrored (Mirrored sources), over HTTP to the targets?',
        '',
        'FAIL: 1 of 7 checks failed',
      ]);
      expect(code).toBe(1);
      expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(13); // at 0, 5, ..., 60 s
      expect(clock - NOW).toBe(60_000);
    });

    it('times out when SSM never answers, bounded by the probe timeout', async () => {
      // Prepare: the commands stay in progress (SSM agent offline, say)
      ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'c-1' } });
      ssm.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
      // Act
      const { code, stdout } = await doctor('--stack', 'prod', '--config', join(probeConfig, 'file.json'), '--probe', URL_GIVEN);
      // Assess
      expect(stdout).toEqual(expect.arrayContaining([
        `✘ End-to-end probe: marker not seen in ${FEED_FILE} on 2 hosts within 60 s`,
        '    i-0aaa: no answer over SSM (InProgress); is its SSM agent online?',
        '    i-0bbb: no answer over SSM (InProgress); is its SSM agent online?',
      ]));
      expect(code).toBe(1);
      expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
      expect(clock - NOW).toBe(60_000);
    });

    it('socket mode: reports the host whose HTTP counters grew after the request, and what that does not prove', async () => {
      // Prepare: baseline, then one round unchanged (stats every 30 s), then i-0aaa counted one more transaction
      hostsAnswer({
        'i-0aaa': ['"tx":{"http":120,"ftp":0}\n', '"tx":{"http":120,"ftp":0}\n', '"tx":{"http":121,"ftp":0}\n'],
        'i-0bbb': ['"tx":{"http":7,"ftp":0}\n'],
      });
      // Act
      const { code, stdout } = await doctor('--stack', 'prod', '--config', join(probeConfig, 'socket.json'), '--probe', URL_GIVEN);
      // Assess
      const marker = sentMarker();
      expect(stdout.slice(-7)).toEqual([
        '✔ End-to-end probe: HTTP transactions decoded on i-0aaa within 5.0 s of the request (socket mode: counters, not the marker)',
        `    marker ${marker} in the query (traceable-probe=) and the X-Traceable-Probe header`,
        `    GET http://shop-alb.internal:8080/health?x=1&traceable-probe=${marker}: HTTP 200`,
        '    i-0aaa app_layer.tx.http 120 -> 121',
        '    socket mode: the agent\'s socket cannot be read, so this proves that Suricata on that host decoded HTTP after the request, not that it was this request (other traffic counts too); set AgentFeed to file to look for the marker itself',
        '',
        'OK: no check failed',
      ]);
      expect(code).toBe(0);
      expect(ssm.commandCalls(SendCommandCommand)[0].args[0].input.Parameters).toEqual({
        commands: ['tail -n 1 /var/traceable/log/suricata/stats.json | grep -o \'"tx":{[^}]*}\' || echo missing'],
      });
    });

    it('fails without asking the hosts again when the request gets no answer', async () => {
      // Prepare
      hostsAnswer({ 'i-0aaa': ['missing\n'], 'i-0bbb': ['missing\n'] });
      request.mockRejectedValue(new Error('connect ECONNREFUSED 10.0.0.5:8080'));
      // Act
      const { code, stdout } = await doctor('--stack', 'prod', '--config', join(probeConfig, 'file.json'), '--probe', URL_GIVEN);
      // Assess
      expect(stdout).toContain(`✘ End-to-end probe: the request to ${URL_GIVEN} got no answer: connect ECONNREFUSED 10.0.0.5:8080`);
      expect(code).toBe(1);
      expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    });

    it.each([
      ['file:///etc/passwd', 'doctor: --probe file:///etc/passwd: only http and https URLs are allowed'],
      ['shop-alb/health', 'doctor: --probe shop-alb/health: not a URL; give http(s)://host[:port]/path of a load balancer whose targets are mirrored'],
      ['http://user:pw@shop-alb/', 'doctor: --probe http://user:pw@shop-alb/: no user name or password in the URL'],
    ])('refuses --probe %s with exit 2 before asking AWS', async (url, message) => {
      // Act
      const { code, stderr } = await doctor('--stack', 'prod', '--config', configDir, '--probe', url);
      // Assess
      expect(stderr[0]).toBe(message);
      expect(code).toBe(2);
      expect(elbv2.calls()).toHaveLength(0);
    });
  });
});

describe('npm run doctor, MirrorTargetType GWLB_ENDPOINT', () => {
  const GWLB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/gwy/prod-gwlb/0123456789abcdef';
  const GENEVE_TG_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/prod-geneve/0123456789abcdef';
  const SERVICE_ID = 'vpce-svc-0123456789abcdef0';
  const SERVICE_NAME = `com.amazonaws.vpce.${REGION}.${SERVICE_ID}`;
  const [VPC_1, VPC_2] = ['vpc-0123456789abcdef1', 'vpc-0123456789abcdef2'];
  const [SUBNET_11, SUBNET_12, SUBNET_21] = ['subnet-0123456789abcde11', 'subnet-0123456789abcde12', 'subnet-0123456789abcde21'];
  const COLLECTOR_SUBNETS = ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'];
  const PRINCIPALS = ['arn:aws:iam::111122223333:root', 'arn:aws:iam::222233334444:root'];
  let file: string;

  beforeAll(() => {
    file = join(configDir, 'gwlb.json.txt');
    writeFileSync(file, JSON.stringify({
      ...COMMON, StackName: 'prod', AccountId: '111122223333', SubnetIds: COLLECTOR_SUBNETS.join(','), MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'shop-alb,api-nlb',
      MirrorTargetType: 'GWLB_ENDPOINT', GatewayLoadBalancerCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
      GatewayLoadBalancerEndpoints: [{ VpcId: VPC_1, SubnetIds: [SUBNET_11, SUBNET_12] }, { VpcId: VPC_2, SubnetIds: [SUBNET_21] }],
      SourceAccounts: [{
        AccountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/deploy', MirrorSourceType: 'LOAD_BALANCER', MirrorSource: ['payments-alb'],
        GatewayLoadBalancerEndpoints: [{ VpcId: 'vpc-0123456789abcdef3', SubnetIds: ['subnet-0123456789abcde31'] }],
      }],
    }));
  });

  /** The collector account's subnets: the GWLB's two and the endpoint VPCs' three (zone IDs as AWS names them). */
  let subnets: { SubnetId: string; VpcId: string; AvailabilityZone: string; AvailabilityZoneId: string }[];
  const subnet = (SubnetId: string, VpcId: string, zone: 'a' | 'b' | 'c') => ({ SubnetId, VpcId, AvailabilityZone: `eu-west-1${zone}`, AvailabilityZoneId: `euw1-az${'abc'.indexOf(zone) + 1}` });
  /** States as DescribeVpcEndpoints answers them (`available`, `pendingAcceptance`), not as the SDK's enum spells them. */
  const endpoint = (id: string, VpcId: string, subnetId: string, State = 'available') =>
    ({ VpcEndpointId: id, VpcEndpointType: 'GatewayLoadBalancer' as const, VpcId, SubnetIds: [subnetId], ServiceName: SERVICE_NAME, State: State as VpcEndpoint['State'] });
  const ENDPOINTS = [endpoint('vpce-0e11', VPC_1, SUBNET_11), endpoint('vpce-0e12', VPC_1, SUBNET_12), endpoint('vpce-0e21', VPC_2, SUBNET_21)];

  /** The healthy `prod` account of the NLB tests, its fleet in the GENEVE target group behind a working GWLB. */
  function healthyGatewayAccount(): void {
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['prod-geneve'] }).resolves({ TargetGroups: [{ TargetGroupArn: GENEVE_TG_ARN, TargetGroupName: 'prod-geneve' }] });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: GENEVE_TG_ARN }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0aaa', Port: 6081 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0bbb', Port: 6081 }, TargetHealth: { State: 'healthy' } },
      ],
    });
    elbv2.on(DescribeLoadBalancersCommand, { Names: ['prod-gwlb'] }).resolves({
      LoadBalancers: [{ LoadBalancerArn: GWLB_ARN, Type: 'gateway', State: { Code: 'active' }, AvailabilityZones: [
        { ZoneName: 'eu-west-1a', SubnetId: COLLECTOR_SUBNETS[0] }, { ZoneName: 'eu-west-1b', SubnetId: COLLECTOR_SUBNETS[1] },
      ] }],
    });
    subnets = [
      subnet(COLLECTOR_SUBNETS[0], COMMON.VpcId, 'a'), subnet(COLLECTOR_SUBNETS[1], COMMON.VpcId, 'b'),
      subnet(SUBNET_11, VPC_1, 'a'), subnet(SUBNET_12, VPC_1, 'b'), subnet(SUBNET_21, VPC_2, 'a'),
    ];
    ec2.on(DescribeSubnetsCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => ({
      Subnets: subnets.filter((candidate) => input.Filters?.[0]?.Name === 'subnet-id' && input.Filters[0].Values?.includes(candidate.SubnetId)),
    }));
    ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
      ServiceConfigurations: [
        // Another team's service of a load balancer that is not the stack's.
        { ServiceId: 'vpce-svc-0fedcba9876543210', ServiceName: `com.amazonaws.vpce.${REGION}.vpce-svc-0fedcba9876543210`, ServiceState: 'Available', GatewayLoadBalancerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/gwy/other/1'] },
        { ServiceId: SERVICE_ID, ServiceName: SERVICE_NAME, ServiceState: 'Available', AcceptanceRequired: false, GatewayLoadBalancerArns: [GWLB_ARN] },
      ],
    });
    ec2.on(DescribeVpcEndpointServicePermissionsCommand, { ServiceId: SERVICE_ID }).resolves({ AllowedPrincipals: PRINCIPALS.map((Principal) => ({ Principal, PrincipalType: 'Account' as const })) });
    ec2.on(DescribeVpcEndpointsCommand, { Filters: [{ Name: 'service-name', Values: [SERVICE_NAME] }] }).resolves({ VpcEndpoints: ENDPOINTS });
    ec2.on(DescribeTrafficMirrorTargetsCommand).resolves({
      TrafficMirrorTargets: [
        { TrafficMirrorTargetId: 'tmt-0nlb', Type: 'network-load-balancer', NetworkLoadBalancerArn: NLB_ARN },
        ...ENDPOINTS.map((found) => ({ TrafficMirrorTargetId: `tmt-${found.VpcEndpointId!.slice(5)}`, Type: 'gateway-load-balancer-endpoint' as const, GatewayLoadBalancerEndpointId: found.VpcEndpointId })),
      ],
    });
  }

  beforeEach(healthyGatewayAccount);

  /** The fleet's check (without the visibility check after it in HEALTHY_FLEET), in the GENEVE target group. */
  const GENEVE_FLEET = HEALTHY_FLEET.slice(0, -HEALTHY_VISIBILITY.length).map((line) => line.replace('prod-vxlan', 'prod-geneve'));
  const HEALTHY_GATEWAY = [
    '✔ Gateway Load Balancer: prod-gwlb active in 2 zones (euw1-az1, euw1-az2)',
    `    ${GWLB_ARN}`,
    '    subnet-0a1b2c3d4e5f60711: eu-west-1a (euw1-az1)',
    '    subnet-0a1b2c3d4e5f60722: eu-west-1b (euw1-az2)',
  ];
  const HEALTHY_SERVICE = [
    `✔ Endpoint service: ${SERVICE_ID} Available, acceptance not required, allowed principals as configured (2)`,
    `    ${SERVICE_NAME}`,
    '    allowed: arn:aws:iam::111122223333:root',
    '    allowed: arn:aws:iam::222233334444:root',
  ];
  const HEALTHY_ENDPOINT_LINES = [
    `    ${VPC_1} ${SUBNET_11} (euw1-az1): vpce-0e11 available, target tmt-0e11`,
    `    ${VPC_1} ${SUBNET_12} (euw1-az2): vpce-0e12 available, target tmt-0e12`,
    `    ${VPC_2} ${SUBNET_21} (euw1-az1): vpce-0e21 available, target tmt-0e21`,
  ];
  const HEALTHY_ENDPOINTS = ['✔ Mirror target endpoints: 3 subnets in 2 VPCs: each an available endpoint with a traffic mirror target', ...HEALTHY_ENDPOINT_LINES];

  /** The lines of the check titled `title`: its line and its details. */
  function section(stdout: string[], title: string): string[] {
    const start = stdout.findIndex((line) => line.slice(2).startsWith(`${title}:`));
    const end = stdout.findIndex((line, index) => index > start && !line.startsWith('    '));
    return stdout.slice(start, end);
  }

  it('reports a healthy stack: the fleet in the GENEVE target group, the GWLB, its service and an endpoint with a target in every subnet', async () => {
    // Act
    const { code, stdout, stderr } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(stdout).toEqual([
      HEADER, ...GENEVE_FLEET, ...HEALTHY_GATEWAY, ...HEALTHY_SERVICE, ...HEALTHY_ENDPOINTS, ...HEALTHY_VISIBILITY,
      ...HEALTHY_SESSIONS, ...HEALTHY_LAMBDA, ...HEALTHY_SECRET, '', 'OK: no check failed',
    ]);
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand).map((call) => call.args[0].input.Names)).toEqual([['prod-geneve']]);
  });

  it('names an unhealthy target of the GENEVE target group with its reason', async () => {
    // Prepare
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: GENEVE_TG_ARN }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0aaa', Port: 6081 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0bbb', Port: 6081 }, TargetHealth: { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' } },
      ],
    });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(stdout, 'Agent fleet').slice(0, 3)).toEqual([
      '✘ Agent fleet: 1 of 2 targets healthy in prod-geneve',
      '    i-0aaa healthy',
      '    i-0bbb unhealthy (Target.FailedHealthChecks: Health checks failed)',
    ]);
    expect(stdout).toContain(`  aws ssm start-session --region ${REGION} --target i-0bbb`);
    expect(stdout.at(-1)).toBe('FAIL: 1 of 9 checks failed');
    expect(code).toBe(1);
  });

  it('an endpoint in pendingAcceptance: service not accepted, with the command that accepts it', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [ENDPOINTS[0], endpoint('vpce-0e12', VPC_1, SUBNET_12, 'pendingAcceptance'), ENDPOINTS[2]] });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(stdout, 'Mirror target endpoints')).toEqual([
      '✘ Mirror target endpoints: 1 of 3 configured subnets without a working mirror target endpoint',
      HEALTHY_ENDPOINT_LINES[0],
      `    ${VPC_1} ${SUBNET_12} (euw1-az2): vpce-0e12 pendingAcceptance: service not accepted; accept it: aws ec2 accept-vpc-endpoint-connections --region ${REGION} --service-id ${SERVICE_ID} --vpc-endpoint-ids vpce-0e12 (in the collector's account)`,
      HEALTHY_ENDPOINT_LINES[2],
    ]);
    expect(code).toBe(1);
  });

  it('names the rejected and failed endpoints with the fix', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [
      endpoint('vpce-0e11', VPC_1, SUBNET_11, 'rejected'), { ...endpoint('vpce-0e12', VPC_1, SUBNET_12, 'failed'), LastError: { Code: 'InternalError', Message: 'endpoint creation failed' } }, ENDPOINTS[2],
    ] });
    // Act
    const { stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(stdout, 'Mirror target endpoints').slice(1)).toEqual([
      `    ${VPC_1} ${SUBNET_11} (euw1-az1): vpce-0e11 rejected: the service's owner rejected it; delete the endpoint (aws ec2 delete-vpc-endpoints --region ${REGION} --vpc-endpoint-ids vpce-0e11) and apply the stack again`,
      `    ${VPC_1} ${SUBNET_12} (euw1-az2): vpce-0e12 failed (endpoint creation failed); delete the endpoint (aws ec2 delete-vpc-endpoints --region ${REGION} --vpc-endpoint-ids vpce-0e12) and apply the stack again`,
      HEALTHY_ENDPOINT_LINES[2],
    ]);
  });

  it('a configured subnet without an endpoint (and an endpoint without a target) fails, naming the subnet', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [ENDPOINTS[0], ENDPOINTS[2]] });
    ec2.on(DescribeTrafficMirrorTargetsCommand).resolves({ TrafficMirrorTargets: [{ TrafficMirrorTargetId: 'tmt-0e11', GatewayLoadBalancerEndpointId: 'vpce-0e11' }] });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(stdout, 'Mirror target endpoints')).toEqual([
      '✘ Mirror target endpoints: 2 of 3 configured subnets without a working mirror target endpoint',
      HEALTHY_ENDPOINT_LINES[0],
      `    ${VPC_1} ${SUBNET_12} (euw1-az2): no endpoint of ${SERVICE_NAME} in this subnet (is the stack applied?)`,
      `    ${VPC_2} ${SUBNET_21} (euw1-az1): no traffic mirror target on vpce-0e21: sessions in this VPC have nothing to target (apply the stack)`,
    ]);
    expect(code).toBe(1);
  });

  it('an extra allowed principal and a missing one are named with the command that fixes each', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointServicePermissionsCommand, { ServiceId: SERVICE_ID }).resolves({
      AllowedPrincipals: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::999988887777:root'].map((Principal) => ({ Principal, PrincipalType: 'Account' as const })),
    });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    const modify = `aws ec2 modify-vpc-endpoint-service-permissions --region ${REGION} --service-id ${SERVICE_ID}`;
    expect(section(stdout, 'Endpoint service')).toEqual([
      `✘ Endpoint service: ${SERVICE_ID}: 1 allowed principal missing, 1 allowed principal not configured`,
      `    ${SERVICE_NAME}`,
      `    missing allowed principal arn:aws:iam::222233334444:root: that account cannot connect its endpoints; apply the stack, or: ${modify} --add-allowed-principals arn:aws:iam::222233334444:root`,
      `    extra allowed principal arn:aws:iam::999988887777:root: neither AccountId nor a SourceAccounts account, yet it may connect endpoints and send traffic to the fleet; remove it: ${modify} --remove-allowed-principals arn:aws:iam::999988887777:root`,
    ]);
    expect(code).toBe(1);
  });

  it('acceptance required on the service is a failure with the command that turns it off', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
      ServiceConfigurations: [{ ServiceId: SERVICE_ID, ServiceName: SERVICE_NAME, ServiceState: 'Available', AcceptanceRequired: true, GatewayLoadBalancerArns: [GWLB_ARN] }],
    });
    // Act
    const { stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(stdout, 'Endpoint service').slice(0, 3)).toEqual([
      `✘ Endpoint service: ${SERVICE_ID}: acceptance required`,
      `    ${SERVICE_NAME}`,
      `    acceptance required: every new endpoint waits in pendingAcceptance until accepted; the stack sets it off (apply it again), or: aws ec2 modify-vpc-endpoint-service-configuration --region ${REGION} --service-id ${SERVICE_ID} --no-acceptance-required`,
    ]);
  });

  it('an endpoint in a zone the GWLB does not serve fails, comparing zone IDs', async () => {
    // Prepare: SUBNET_12 in the third zone, where the GWLB has no subnet
    subnets = subnets.map((candidate) => (candidate.SubnetId === SUBNET_12 ? subnet(SUBNET_12, VPC_1, 'c') : candidate));
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(stdout, 'Mirror target endpoints')).toEqual([
      '✘ Mirror target endpoints: 1 of 3 configured subnets without a working mirror target endpoint',
      HEALTHY_ENDPOINT_LINES[0],
      `    ${VPC_1} ${SUBNET_12} (euw1-az3): zone euw1-az3 not served by prod-gwlb (its zones: euw1-az1, euw1-az2): give the collector a subnet in euw1-az3 or use a subnet of a served zone`,
      HEALTHY_ENDPOINT_LINES[2],
    ]);
    expect(code).toBe(1);
  });

  it('an endpoint of the service outside the configured subnets is a warning naming it', async () => {
    // Prepare: a VPC once configured, its endpoint left behind
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [...ENDPOINTS, endpoint('vpce-0e99', 'vpc-0123456789abcdef9', 'subnet-0123456789abcde99')] });
    // Act
    const { code, stdout } = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(stdout, 'Mirror target endpoints')).toEqual([
      '! Mirror target endpoints: 3 subnets in 2 VPCs: each an available endpoint with a traffic mirror target; 1 endpoint of the service outside them',
      ...HEALTHY_ENDPOINT_LINES,
      '    vpc-0123456789abcdef9 subnet-0123456789abcde99: vpce-0e99 available, not in the configured subnets (each endpoint is billed by the hour; delete it when it is not wanted)',
    ]);
    expect([stdout.at(-1), code]).toEqual(['OK: no check failed (1 warning)', 0]);
  });

  it('MANUAL: counts the sessions toward the targets of the stack\'s endpoints', async () => {
    // Prepare
    const manual = join(configDir, 'gwlb-manual.json.txt');
    writeFileSync(manual, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), MirrorSourceType: 'MANUAL', MirrorSource: '' }));
    ec2.on(DescribeTrafficMirrorSessionsCommand, { Filters: [{ Name: 'traffic-mirror-target-id', Values: ['tmt-0e11', 'tmt-0e12', 'tmt-0e21'] }] })
      .resolves({ TrafficMirrorSessions: [session('1', 'x', 'eni-web1'), session('2', 'x', 'eni-web0')] });
    // Act
    const { stdout } = await doctor('--stack', 'prod', '--config', manual);
    rmSync(manual);
    // Assess
    expect(section(stdout, 'Mirror sessions')).toEqual([
      '✔ Mirror sessions: MANUAL: 2 sessions toward the 3 mirror targets of the stack\'s endpoints',
      '    source interfaces: eni-web0, eni-web1',
    ]);
  });

  it('a GWLB that is not active fails; one not found skips the checks that need it', async () => {
    // Prepare
    elbv2.on(DescribeLoadBalancersCommand, { Names: ['prod-gwlb'] }).resolvesOnce({
      LoadBalancers: [{ LoadBalancerArn: GWLB_ARN, Type: 'gateway', State: { Code: 'provisioning' }, AvailabilityZones: [{ ZoneName: 'eu-west-1a', SubnetId: COLLECTOR_SUBNETS[0] }] }],
    }).rejects(new LoadBalancerNotFoundException({ message: 'Load balancers \'[prod-gwlb]\' not found', $metadata: {} }));
    // Act
    const provisioning = await doctor('--stack', 'prod', '--config', file);
    const missing = await doctor('--stack', 'prod', '--config', file);
    // Assess
    expect(section(provisioning.stdout, 'Gateway Load Balancer')[0]).toBe('✘ Gateway Load Balancer: prod-gwlb is provisioning, not active: it delivers nothing');
    expect(missing.stdout.filter((line) => /^. (Gateway Load Balancer|Endpoint service|Mirror target endpoints):/.test(line))).toEqual([
      `✘ Gateway Load Balancer: prod-gwlb not found in ${REGION} (is the stack applied?)`,
      '- Endpoint service: skipped, no Gateway Load Balancer to look for its service',
      '- Mirror target endpoints: skipped, no endpoint service to look for endpoints of',
    ]);
  });
});
