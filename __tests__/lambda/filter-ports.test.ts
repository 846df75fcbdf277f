/** MirrorTcpPortsFromTargets: filter rules derived from the target groups' ports, on the simulated account. */
import { portRanges } from '../../lambda/filter-ports';
import { resource, resourceAddresses, synthConfig } from '../helpers/synth';
import { simulatedHandler } from '../../scripts/lambda-sim/harness';

function setup() {
  const simulated = simulatedHandler({ env: { MIRROR_SOURCES: '["web","api"]', MIRROR_TCP_PORTS_FROM_TARGETS: 'true' } });
  return { ...simulated, web: simulated.account.addTargetGroup('web'), api: simulated.account.addTargetGroup('api') };
}

const rulesOf = (account: ReturnType<typeof setup>['account']) =>
  (account.filterRules.get('tmf-ours') ?? []).map((r) => `${r.direction} ${r.ruleNumber} ${r.from}-${r.to}`).sort();

describe('derived filter ports on the simulated account', () => {
  it('creates one rule per port range and direction, records them in the summary, and changes nothing at the next run', async () => {
    // Prepare
    const { account, invoke, web, api } = setup();
    account.addInstanceTargets(web, 2, { port: 8080 });
    account.addInstanceTargets(web, 1, { port: 8081 });
    account.addInstanceTargets(api, 1, { port: 443 });
    // Act
    const first = await invoke();
    account.resetCalls();
    const second = await invoke();
    // Assess
    expect(first.summary.filterPorts).toEqual({ derived: ['443', '8080-8081'], created: 4, deleted: 0 });
    expect(rulesOf(account)).toEqual(['egress 100 443-443', 'egress 101 8080-8081', 'ingress 100 443-443', 'ingress 101 8080-8081']);
    expect(second.summary.filterPorts).toEqual({ derived: ['443', '8080-8081'], created: 0, deleted: 0 });
    expect(account.mutations).toEqual([]);
    expect(first.summary.errors).toBe(0);
  });

  it('follows the targets: a port no target uses any more loses its rules, a new one gets them', async () => {
    // Prepare
    const { account, invoke, web, api } = setup();
    account.addInstanceTargets(web, 1, { port: 8080 });
    account.addInstanceTargets(api, 1, { port: 443 });
    await invoke();
    // Act
    api.targets.length = 0;
    account.addInstanceTargets(api, 1, { port: 9443 });
    const { summary } = await invoke();
    // Assess
    expect(summary.filterPorts).toEqual({ derived: ['8080', '9443'], created: 2, deleted: 2 });
    expect(rulesOf(account)).toEqual(['egress 100 9443-9443', 'egress 101 8080-8080', 'ingress 100 9443-9443', 'ingress 101 8080-8080']);
  });

  it('a dry run reports the derived ports and the changes without making them', async () => {
    const { account, invoke, web } = setup();
    account.addInstanceTargets(web, 1, { port: 8080 });
    const { summary } = await invoke({ dryRun: true });
    expect(summary.filterPorts).toEqual({ derived: ['8080'], created: 2, deleted: 0, kept: 'dry run' });
    expect(account.filterRules.get('tmf-ours')).toBeUndefined();
  });
});

describe('portRanges', () => {
  it('joins neighbours and closes the narrowest gaps (the lower one on a tie) until ten ranges remain', () => {
    expect(portRanges([443, 80, 8080, 8081, 8082, 80])).toEqual([{ from: 80, to: 80 }, { from: 443, to: 443 }, { from: 8080, to: 8082 }]);
    const twelve = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 10005, 20000];
    expect(portRanges(twelve).map(({ from, to }) => `${from}-${to}`)).toEqual([
      '1000-2000', '3000-3000', '4000-4000', '5000-5000', '6000-6000', '7000-7000', '8000-8000', '9000-9000', '10000-10005', '20000-20000',
    ]);
  });
});

describe('MirrorTcpPortsFromTargets in the stack', () => {
  it('creates no filter rule in Terraform and lets the function manage exactly the stack filter\'s rules', () => {
    const { json } = synthConfig({ MirrorTcpPortsFromTargets: true });
    expect(resourceAddresses(json).filter((a) => a.startsWith('aws_ec2_traffic_mirror_filter_rule.'))).toEqual([]);
    expect(resource(json, 'aws_lambda_function', 'sessions_function').environment.variables.MIRROR_TCP_PORTS_FROM_TARGETS).toBe('true');
    const statements = JSON.parse(resource(json, 'aws_iam_role_policy', 'sessions_policy').policy).Statement as { Sid: string; Action: unknown; Resource: unknown }[];
    expect(statements.find((s) => s.Sid === 'KeepOurFilterRulesInStep')).toEqual({
      Sid: 'KeepOurFilterRulesInStep', Effect: 'Allow', Action: ['ec2:CreateTrafficMirrorFilterRule', 'ec2:DeleteTrafficMirrorFilterRule'],
      Resource: ['${aws_ec2_traffic_mirror_filter.mirror_mirror_filter.arn}', 'arn:aws:ec2:eu-west-1:*:traffic-mirror-filter-rule/*'],
    });
  });
});
