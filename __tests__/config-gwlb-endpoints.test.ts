/**
 * MirrorTargetType GWLB_ENDPOINT (issue 22): what the configuration accepts and refuses, with the exact texts, and the
 * deployment plan it gives (the constructs, the doctor and the permissions build from it).
 */
import { ConfigError, parseConfig, type MirroringConfig } from '../config';
import { planDeployment, planSourceAccounts } from '../plan';
import { BASE_CONFIG } from './helpers/synth';

const COLLECTOR = '111122223333';
const VPC_A = { VpcId: 'vpc-0aaaaaaaaaaaaaaa1', SubnetIds: ['subnet-0aaaaaaaaaaaaaa11', 'subnet-0aaaaaaaaaaaaaa12'] };
const VPC_B = { VpcId: 'vpc-0bbbbbbbbbbbbbbb1', SubnetIds: ['subnet-0bbbbbbbbbbbbbb11'] };
const SOURCE = {
  AccountId: '222233334444',
  RoleArn: 'arn:aws:iam::222233334444:role/traffic-mirroring-deploy',
  MirrorSourceType: 'TARGET_GROUP',
  MirrorSource: 'web',
  GatewayLoadBalancerEndpoints: [{ VpcId: 'vpc-0ccccccccccccccc1', SubnetIds: ['subnet-0cccccccccccccc11'] }],
};
const GWLB = { AccountId: COLLECTOR, MirrorTargetType: 'GWLB_ENDPOINT', GatewayLoadBalancerCidrs: '10.40.1.0/24,10.40.2.0/24', GatewayLoadBalancerEndpoints: [VPC_A, VPC_B] };

const configOf = (overrides: Record<string, unknown>): MirroringConfig => parseConfig({ ...BASE_CONFIG, ...GWLB, ...overrides }).config;

function problemsOf(overrides: Record<string, unknown>): readonly string[] {
  try {
    parseConfig({ ...BASE_CONFIG, ...GWLB, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`configuration was accepted: ${JSON.stringify(overrides)}`);
}

describe('GWLB_ENDPOINT: accepted', () => {
  test('endpoint VPCs as a list or a JSON string (a CloudFormation parameter), CIDRs as a comma list', () => {
    const config = configOf({ GatewayLoadBalancerEndpoints: JSON.stringify([VPC_A, VPC_B]) });
    expect(config.GatewayLoadBalancerEndpoints).toEqual([VPC_A, VPC_B]);
    expect(config.GatewayLoadBalancerCidrs).toEqual(['10.40.1.0/24', '10.40.2.0/24']);
  });

  test('the plan: the endpoints, the principals (collector and source accounts), no RAM share, the hosts decode GENEVE', () => {
    const plan = planDeployment(configOf({ SourceAccounts: [SOURCE], SharedEndpointServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0' }));
    expect(plan.mirrorTarget).toEqual({
      kind: 'gwlb-endpoints',
      gatewayLoadBalancerCidrs: ['10.40.1.0/24', '10.40.2.0/24'],
      endpoints: [{ vpcId: VPC_A.VpcId, subnetIds: VPC_A.SubnetIds }, { vpcId: VPC_B.VpcId, subnetIds: VPC_B.SubnetIds }],
      allowedPrincipals: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::222233334444:root'],
    });
    expect(plan.mirrorTargetShare).toBeUndefined();
    expect(plan.fleet.bootstrap.geneveSourceCidrs).toEqual(['10.40.1.0/24', '10.40.2.0/24']);
    expect(plan.outputs.map((output) => output.name)).toEqual(['mirror_target_ids', 'mirror_filter_id', 'gateway_load_balancer_arn', 'endpoint_service_name', 'autoscaling_group_name', 'token_secret_arn', 'alarm_topic_arn']);
    const [source] = planSourceAccounts(configOf({ SourceAccounts: [SOURCE], SharedEndpointServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0' }));
    expect(source.mirrorTarget).toEqual({ kind: 'gwlb-endpoints', endpoints: [{ vpcId: 'vpc-0ccccccccccccccc1', subnetIds: ['subnet-0cccccccccccccc11'] }], sharedEndpointServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0' });
  });

  test('NLB (the default) plans as before: one target, the RAM share, no GENEVE on the hosts', () => {
    const plan = planDeployment(parseConfig({ ...BASE_CONFIG, AccountId: COLLECTOR, SourceAccounts: [{ ...SOURCE, GatewayLoadBalancerEndpoints: undefined }] }).config);
    expect(plan.mirrorTarget).toEqual({ kind: 'nlb' });
    expect(plan.mirrorTargetShare?.principals).toEqual(['222233334444']);
    expect(plan.fleet.bootstrap).not.toHaveProperty('geneveSourceCidrs');
  });
});

describe('GWLB_ENDPOINT: refused, each with its exact message', () => {
  test('keys of the mode with NLB', () => {
    expect(problemsOf({ MirrorTargetType: 'NLB', AccountId: COLLECTOR, SourceAccounts: [SOURCE], SharedEndpointServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0' })).toEqual([
      'GatewayLoadBalancerEndpoints: got [{"VpcId":"vpc-0aaaaaaaaaaaaaaa1","SubnetIds":["subnet-0aaaaaaaaaaaaaa11","subnet-0aaaaaaaaaaaaaa12"]},{"VpcId":"vpc-0bbbbbbbbbbbbbbb1","SubnetIds":[…]}]; expected it unset with MirrorTargetType NLB (it applies to GWLB_ENDPOINT only)',
      'GatewayLoadBalancerCidrs: got "10.40.1.0/24,10.40.2.0/24"; expected it unset with MirrorTargetType NLB (it applies to GWLB_ENDPOINT only)',
      'SharedEndpointServiceName: got "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"; expected it unset with MirrorTargetType NLB (it applies to GWLB_ENDPOINT only)',
      'SourceAccounts[0].GatewayLoadBalancerEndpoints: got [{"VpcId":"vpc-0ccccccccccccccc1","SubnetIds":["subnet-0cccccccccccccc11"]}]; expected it unset with MirrorTargetType NLB (it applies to GWLB_ENDPOINT only)',
    ]);
  });

  test('what the mode cannot do or needs: AccountId, FARGATE, SameZoneDelivery, an organization as principal, no CIDRs, no VPC', () => {
    expect(problemsOf({ AccountId: '', MirrorSourceType: 'FARGATE', MirrorSource: '', SameZoneDelivery: true, GatewayLoadBalancerCidrs: '', GatewayLoadBalancerEndpoints: [] })).toEqual([
      'AccountId: got ""; expected the collector\'s 12-digit account ID with MirrorTargetType GWLB_ENDPOINT (the endpoint service allows the collector\'s own account to create its endpoints by this ID)',
      'MirrorSourceType: got "FARGATE"; expected a type other than FARGATE with MirrorTargetType GWLB_ENDPOINT (the FARGATE sidecars send to the NLB\'s private name)',
      "SameZoneDelivery: got true; expected false with MirrorTargetType GWLB_ENDPOINT (a Gateway Load Balancer without cross-zone load balancing already delivers each endpoint's packets to the agents of its zone)",
      'GatewayLoadBalancerCidrs: got ""; expected the CIDR blocks of SubnetIds (or of VpcId) with MirrorTargetType GWLB_ENDPOINT (where the Gateway Load Balancer\'s nodes are: the only senders the agent hosts admit)',
      'GatewayLoadBalancerEndpoints: got []; expected at least one VPC with its subnets with MirrorTargetType GWLB_ENDPOINT (the VPCs whose interfaces are mirrored: each subnet gets an endpoint and a traffic mirror target)',
    ]);
    expect(problemsOf({ SourceAccounts: [SOURCE], ShareMirrorTargetWith: 'arn:aws:organizations::111122223333:organization/o-abcdefghij' })).toEqual([
      'ShareMirrorTargetWith: got "arn:aws:organizations::111122223333:organization/o-abcdefghij"; expected "accounts" with MirrorTargetType GWLB_ENDPOINT (an endpoint service\'s allowed principals are accounts, users or roles, not an organization or OU)',
    ]);
  });

  test('hostile entries: unknown keys, repeats, wrong IDs, too many subnets or VPCs', () => {
    const sevenSubnets = Array.from({ length: 7 }, (_, i) => `subnet-0dddddddddddddd1${i}`);
    expect(problemsOf({ GatewayLoadBalancerEndpoints: [{ ...VPC_A, constructor: 1 }, { VpcId: VPC_A.VpcId, SubnetIds: [VPC_A.SubnetIds[0], 'subnet-x'] }, { VpcId: 'vpc-0eeeeeeeeeeeeeee1', SubnetIds: sevenSubnets }, 'vpc-0123'] })).toEqual([
      'GatewayLoadBalancerEndpoints[0].constructor: unknown key; expected VpcId and SubnetIds',
      'GatewayLoadBalancerEndpoints[1].VpcId: got "vpc-0aaaaaaaaaaaaaaa1"; expected each VPC once (also GatewayLoadBalancerEndpoints[0].VpcId): one endpoint per zone serves the whole VPC',
      'GatewayLoadBalancerEndpoints[1].SubnetIds[0]: got "subnet-0aaaaaaaaaaaaaa11"; expected each subnet once (also GatewayLoadBalancerEndpoints[0].SubnetIds[0]): a subnet holds one endpoint of the service',
      'GatewayLoadBalancerEndpoints[1].SubnetIds[1]: got "subnet-x"; expected a subnet ID such as subnet-0123456789abcdef0',
      'GatewayLoadBalancerEndpoints[2].SubnetIds: got ["subnet-0dddddddddddddd10","subnet-0dddddddddddddd11","subnet-0dddddddddddddd12","subnet-0dddddddddddddd13",…]; expected 1 to 6 subnet IDs such as subnet-0123456789abcdef0, one per Availability Zone of the VPC where its sources run (a GatewayLoadBalancer endpoint sits in one subnet)',
      'GatewayLoadBalancerEndpoints[3]: got "vpc-0123"; expected an object with VpcId and SubnetIds',
    ]);
    const many = Array.from({ length: 201 }, (_, i) => ({ VpcId: `vpc-0${i.toString(16).padStart(16, '0')}`, SubnetIds: [`subnet-0${i.toString(16).padStart(16, '0')}`] }));
    expect(problemsOf({ GatewayLoadBalancerEndpoints: many })).toEqual([
      'GatewayLoadBalancerEndpoints: got 201 VPCs; expected at most 200 (each subnet is an endpoint and a traffic mirror target; split the VPCs over several stacks)',
    ]);
  });

  test('a source account: endpoints required, none shared with the collector, searched VPCs must have one', () => {
    expect(problemsOf({ SourceAccounts: [{ ...SOURCE, GatewayLoadBalancerEndpoints: undefined }] })).toEqual([
      'SourceAccounts[0].GatewayLoadBalancerEndpoints: required with MirrorTargetType GWLB_ENDPOINT; expected at least one VPC of account 222233334444 with its subnets (the source stack creates an endpoint and a traffic mirror target in each)',
    ]);
    expect(problemsOf({ SourceAccounts: [{ ...SOURCE, MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: 'Mirror=True', MirrorSourceVpcId: 'vpc-0ccccccccccccccc1,vpc-0fffffffffffffff1', GatewayLoadBalancerEndpoints: [SOURCE.GatewayLoadBalancerEndpoints[0], VPC_B] }] })).toEqual([
      'SourceAccounts[0].MirrorSourceVpcId: got ["vpc-0ccccccccccccccc1","vpc-0fffffffffffffff1"]; expected VPCs of SourceAccounts[0].GatewayLoadBalancerEndpoints with MirrorTargetType GWLB_ENDPOINT (an interface is mirrored only to an endpoint of its own VPC); without an endpoint: vpc-0fffffffffffffff1',
      'SourceAccounts[0].GatewayLoadBalancerEndpoints[1]: got "vpc-0bbbbbbbbbbbbbbb1"; expected each VPC and subnet once (also GatewayLoadBalancerEndpoints[1].VpcId)',
      'SourceAccounts[0].GatewayLoadBalancerEndpoints[1]: got "subnet-0bbbbbbbbbbbbbb11"; expected each VPC and subnet once (also GatewayLoadBalancerEndpoints[1].SubnetIds[0])',
    ]);
  });
});
