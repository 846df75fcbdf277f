/**
 * The doctor's checks of a source account, against the simulated source account: the collector's target as shared,
 * and the sessions the account's Lambda keeps toward it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeSubnetsCommand, DescribeTrafficMirrorSessionsCommand, DescribeTrafficMirrorTargetsCommand, DescribeVpcEndpointServicesCommand, DescribeVpcEndpointsCommand,
  EC2Client, type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { parseConfig } from '../config';
import { planSourceAccounts } from '../plan';
import { checkSharedTarget, checkSourceAccountSessions } from '../scripts/doctor/source-accounts';
import { runSourceDoctor } from '../scripts/doctor/source-cli';
import { SOURCE_ACCOUNTS_EXAMPLE } from '../scripts/permissions/source-accounts';
import { simulatedHandler } from '../scripts/lambda-sim/harness';

const [source] = planSourceAccounts(parseConfig(SOURCE_ACCOUNTS_EXAMPLE).config);
const TARGET = 'tmt-0a1b2c3d4e5f60718';

function sourceAccount(options: { shared?: boolean; owner?: string } = {}) {
  const simulated = simulatedHandler({ accountId: source.accountId, env: { STACK_NAME: source.stackName, MIRROR_TARGET_ID: TARGET, MIRROR_FILTER_ID: 'tmf-source' } });
  simulated.account.iamOwner = source.stackName;
  simulated.account.addMirrorTarget(TARGET, options.owner ?? source.collectorAccountId, options.shared ?? true);
  return { ...simulated, web: simulated.account.addTargetGroup('web') };
}

test('a shared target and the sessions the account\'s Lambda made: both ok', async () => {
  const { account, invoke, web } = sourceAccount();
  account.addInstanceTargets(web, 2);
  await invoke();
  expect(await checkSharedTarget(account.clients.ec2, source, TARGET)).toEqual({
    title: 'Shared mirror target (222233334444)', status: 'ok', summary: `${TARGET} shared by the collector's account 111122223333`, details: [],
  });
  expect(await checkSourceAccountSessions(account.clients.ec2, source, TARGET)).toEqual({
    title: 'Source account sessions (222233334444)', status: 'ok', summary: `2 sessions of mirroring-222233334444 toward ${TARGET}`, details: ['tg/web: 2 sessions'],
  });
});

test('a target not shared (or the invitation not accepted): both fail, saying why', async () => {
  const { account, invoke, web } = sourceAccount({ shared: false });
  account.addInstanceTargets(web, 1);
  await invoke();
  const target = await checkSharedTarget(account.clients.ec2, source, TARGET);
  expect([target.status, target.summary]).toEqual(['fail', `${TARGET} is not visible in account 222233334444: not shared with it, or the RAM invitation not accepted`]);
  const sessions = await checkSourceAccountSessions(account.clients.ec2, source, TARGET);
  expect([sessions.status, sessions.summary]).toEqual(['fail', `mirroring-222233334444 owns no sessions toward ${TARGET}: nothing of account 222233334444 is mirrored`]);
});

test('a target of another account than the collector fails', async () => {
  const { account } = sourceAccount({ owner: '999988887777' });
  const target = await checkSharedTarget(account.clients.ec2, source, TARGET);
  expect([target.status, target.summary]).toEqual(['fail', `${TARGET} belongs to account 999988887777, not to the collector's 111122223333`]);
});

describe('the source account doctor\'s command line', () => {
  const configFile = join(mkdtempSync(join(tmpdir(), 'doctor-source-')), 'config.json');
  writeFileSync(configFile, JSON.stringify(SOURCE_ACCOUNTS_EXAMPLE));

  async function run(argv: string[], ec2: ReturnType<typeof sourceAccount>['account']['clients']['ec2']) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runSourceDoctor(argv, { env: {}, stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line), ec2For: () => ec2, checkCredentials: async () => undefined });
    return { code, stdout, stderr };
  }

  test('reports both checks for the account and exits 0', async () => {
    const { account, invoke, web } = sourceAccount();
    account.addInstanceTargets(web, 1);
    await invoke();
    const { code, stdout } = await run(['--stack', 'mirroring', '--account', source.accountId, '--mirror-target-id', TARGET, '--config', configFile], account.clients.ec2);
    expect(code).toBe(0);
    expect(stdout[0]).toBe('Traceable traffic mirroring doctor: stack mirroring-222233334444 (eu-west-1, TARGET_GROUP)');
    expect(stdout.at(-1)).toBe('OK: no check failed');
  });

  test('an account that is not a source account of the stack: exit 2, naming the ones it has', async () => {
    const { account } = sourceAccount();
    const { code, stderr } = await run(['--stack', 'mirroring', '--account', '444455556666', '--mirror-target-id', TARGET, '--config', configFile], account.clients.ec2);
    expect(code).toBe(2);
    expect(stderr[0]).toBe("doctor: --account: 444455556666 is not among mirroring's SourceAccounts (222233334444, 333344445555)");
  });

  test.each([
    [['--endpoint-service-name', 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0'], 'doctor: --endpoint-service-name: mirroring uses MirrorTargetType NLB; give --mirror-target-id (the collector\'s mirror_target_id output)'],
    [[], 'doctor: --mirror-target-id is required (the collector\'s mirror_target_id output)'],
  ])('NLB: refuses %j with exit 2', async (argv, message) => {
    const { account } = sourceAccount();
    const { code, stderr } = await run(['--stack', 'mirroring', '--account', source.accountId, '--config', configFile, ...argv], account.clients.ec2);
    expect([code, stderr[0]]).toEqual([2, message]);
  });
});

describe('MirrorTargetType GWLB_ENDPOINT: the source account\'s own endpoints of the collector\'s service', () => {
  const GWLB_EXAMPLE = join(__dirname, '..', 'examples', 'modes', 'gwlb-endpoints.json');
  const [gwlbSource] = planSourceAccounts(parseConfig(JSON.parse(readFileSync(GWLB_EXAMPLE, 'utf8'))).config);
  const SERVICE_NAME = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';
  const VPC = 'vpc-0123456789abcdef3';
  const [SUBNET_1, SUBNET_2] = ['subnet-0123456789abcde31', 'subnet-0123456789abcde32'];
  const STACK = 'mirroring-gwlb-222233334444';
  const ec2 = new EC2Client({ region: 'eu-west-1' });
  const mock = mockClient(ec2);

  /** The source account: its two endpoints available with a target each, a session toward each, the service visible in zones 1 and 2. */
  beforeEach(() => {
    mock.reset();
    mock.on(DescribeVpcEndpointServicesCommand, { ServiceNames: [SERVICE_NAME] }).resolves({
      ServiceDetails: [{ ServiceName: SERVICE_NAME, ServiceId: 'vpce-svc-0123456789abcdef0', Owner: '111122223333', AcceptanceRequired: false, AvailabilityZoneIds: ['euw1-az1', 'euw1-az2'], AvailabilityZones: ['eu-west-1b', 'eu-west-1c'] }],
    });
    // The account's zone names map to other zones than the collector's: only the IDs compare.
    mock.on(DescribeSubnetsCommand).resolves({ Subnets: [
      { SubnetId: SUBNET_1, VpcId: VPC, AvailabilityZone: 'eu-west-1b', AvailabilityZoneId: 'euw1-az1' },
      { SubnetId: SUBNET_2, VpcId: VPC, AvailabilityZone: 'eu-west-1c', AvailabilityZoneId: 'euw1-az2' },
    ] });
    mock.on(DescribeVpcEndpointsCommand, { Filters: [{ Name: 'service-name', Values: [SERVICE_NAME] }] }).resolves({ VpcEndpoints: [
      { VpcEndpointId: 'vpce-0e31', VpcId: VPC, SubnetIds: [SUBNET_1], State: 'available' as VpcEndpoint['State'] },
      { VpcEndpointId: 'vpce-0e32', VpcId: VPC, SubnetIds: [SUBNET_2], State: 'available' as VpcEndpoint['State'] },
    ] });
    mock.on(DescribeTrafficMirrorTargetsCommand).resolves({ TrafficMirrorTargets: [
      { TrafficMirrorTargetId: 'tmt-0e31', GatewayLoadBalancerEndpointId: 'vpce-0e31' }, { TrafficMirrorTargetId: 'tmt-0e32', GatewayLoadBalancerEndpointId: 'vpce-0e32' },
    ] });
    mock.on(DescribeTrafficMirrorSessionsCommand).resolves({ TrafficMirrorSessions: ['tmt-0e31', 'tmt-0e32'].map((TrafficMirrorTargetId, index) => ({
      TrafficMirrorSessionId: `tms-${index}`, TrafficMirrorTargetId, Tags: [{ Key: 'traceable:mirroring-stack', Value: STACK }, { Key: 'traceable:mirroring-source', Value: 'lb/payments-alb' }],
    })) });
  });

  async function run(...argv: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runSourceDoctor(['--stack', 'mirroring-gwlb', '--account', gwlbSource.accountId, '--config', GWLB_EXAMPLE, ...argv], {
      env: {}, stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line), ec2For: () => ec2, checkCredentials: async () => undefined,
    });
    return { code, stdout, stderr };
  }

  test('the service visible, an available endpoint with a target in each subnet, sessions toward them: exit 0', async () => {
    const { code, stdout, stderr } = await run('--endpoint-service-name', SERVICE_NAME);
    expect(stdout).toEqual([
      `Traceable traffic mirroring doctor: stack ${STACK} (eu-west-1, LOAD_BALANCER)`,
      `✔ Endpoint service (222233334444): ${SERVICE_NAME} of the collector's account 111122223333, acceptance not required`,
      '    zones euw1-az1, euw1-az2',
      '✔ Mirror target endpoints (222233334444): 2 subnets in 1 VPC: each an available endpoint with a traffic mirror target',
      `    ${VPC} ${SUBNET_1} (euw1-az1): vpce-0e31 available, target tmt-0e31`,
      `    ${VPC} ${SUBNET_2} (euw1-az2): vpce-0e32 available, target tmt-0e32`,
      `✔ Source account sessions (222233334444): 2 sessions of ${STACK} toward the 2 targets of its endpoints`,
      '    lb/payments-alb: 2 sessions',
      '',
      'OK: no check failed',
    ]);
    expect([code, stderr]).toEqual([0, []]);
  });

  test('without the flag, the configuration\'s SharedEndpointServiceName is the service', async () => {
    const withShared = join(mkdtempSync(join(tmpdir(), 'doctor-source-gwlb-')), 'config.json');
    writeFileSync(withShared, JSON.stringify({ ...JSON.parse(readFileSync(GWLB_EXAMPLE, 'utf8')), SharedEndpointServiceName: SERVICE_NAME }));
    const { code } = await run('--config', withShared);
    expect(code).toBe(0);
    expect(mock.commandCalls(DescribeVpcEndpointServicesCommand).map((call) => call.args[0].input.ServiceNames)).toEqual([[SERVICE_NAME]]);
  });

  test('a service the account may not see: the service fails, the endpoints are skipped, no sessions', async () => {
    mock.on(DescribeVpcEndpointServicesCommand).rejects(Object.assign(new Error(`The Vpc Endpoint Service '${SERVICE_NAME}' does not exist`), { name: 'InvalidServiceName' }));
    mock.on(DescribeTrafficMirrorSessionsCommand).resolves({ TrafficMirrorSessions: [] });
    const { code, stdout } = await run('--endpoint-service-name', SERVICE_NAME);
    expect(stdout.slice(1, -2)).toEqual([
      `✘ Endpoint service (222233334444): ${SERVICE_NAME} is not visible in account 222233334444: the account is not among its allowed principals, or the name is not the collector's`,
      '    the collector\'s doctor (npm run doctor) lists the allowed principals; the name is the collector stack\'s endpoint_service_name output',
      '- Mirror target endpoints (222233334444): skipped, the endpoint service is not visible here',
      `✘ Source account sessions (222233334444): ${STACK} owns no sessions toward the 0 targets of its endpoints: nothing of account 222233334444 is mirrored`,
    ]);
    expect(code).toBe(1);
  });

  test('an endpoint pendingAcceptance and one in a zone the service does not serve, by zone ID', async () => {
    mock.on(DescribeVpcEndpointServicesCommand).resolves({
      ServiceDetails: [{ ServiceName: SERVICE_NAME, ServiceId: 'vpce-svc-0123456789abcdef0', Owner: '111122223333', AcceptanceRequired: false, AvailabilityZoneIds: ['euw1-az1'], AvailabilityZones: ['eu-west-1b'] }],
    });
    mock.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [
      { VpcEndpointId: 'vpce-0e31', VpcId: VPC, SubnetIds: [SUBNET_1], State: 'pendingAcceptance' as VpcEndpoint['State'] },
      { VpcEndpointId: 'vpce-0e32', VpcId: VPC, SubnetIds: [SUBNET_2], State: 'available' as VpcEndpoint['State'] },
    ] });
    const { code, stdout } = await run('--endpoint-service-name', SERVICE_NAME);
    expect(stdout.slice(3, 6)).toEqual([
      '✘ Mirror target endpoints (222233334444): 2 of 2 configured subnets without a working mirror target endpoint',
      `    ${VPC} ${SUBNET_1} (euw1-az1): vpce-0e31 pendingAcceptance: service not accepted; accept it: aws ec2 accept-vpc-endpoint-connections --region eu-west-1 --service-id vpce-svc-0123456789abcdef0 --vpc-endpoint-ids vpce-0e31 (in the collector's account)`,
      `    ${VPC} ${SUBNET_2} (euw1-az2): zone euw1-az2 not served by the endpoint service (its zones: euw1-az1): give the collector a subnet in euw1-az2 or use a subnet of a served zone`,
    ]);
    expect(code).toBe(1);
  });

  test.each([
    [[], 'doctor: --endpoint-service-name is required (the collector\'s endpoint_service_name output) when the configuration has no SharedEndpointServiceName'],
    [['--mirror-target-id', 'tmt-0a1b2c3d4e5f60718'], 'doctor: --mirror-target-id: mirroring-gwlb uses MirrorTargetType GWLB_ENDPOINT: the account\'s sessions target its own endpoints; give --endpoint-service-name (the collector\'s endpoint_service_name output)'],
    [['--endpoint-service-name', 'vpce-svc-0123456789abcdef0'], 'doctor: --endpoint-service-name: got "vpce-svc-0123456789abcdef0"; expected an endpoint service name such as com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0'],
  ])('refuses %j with exit 2 before asking AWS', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect([code, stderr[0]]).toEqual([2, message]);
    expect(mock.calls()).toHaveLength(0);
  });
});
