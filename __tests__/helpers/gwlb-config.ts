/** A GWLB_ENDPOINT deployment for the synth and plan tests: a collector with two endpoint VPCs and one source account. */
import { BASE_CONFIG } from './synth';

export const COLLECTOR = '111122223333';
export const SOURCE = '222233334444';
export const VPC_1 = { VpcId: 'vpc-0123456789abcdef1', SubnetIds: ['subnet-0123456789abcde11', 'subnet-0123456789abcde12'] };
export const VPC_2 = { VpcId: 'vpc-0123456789abcdef2', SubnetIds: ['subnet-0123456789abcde21'] };
export const GWLB = {
  ...BASE_CONFIG,
  StackName: 'mirroring-gwlb',
  AccountId: COLLECTOR,
  MirrorTargetType: 'GWLB_ENDPOINT',
  GatewayLoadBalancerCidrs: '10.40.1.0/24,10.40.2.0/24',
  GatewayLoadBalancerEndpoints: [VPC_1, VPC_2],
  MirrorSourceType: 'INSTANCE_TAGS',
  MirrorSource: 'Mirror=True',
  MirrorSourceVpcId: 'vpc-0123456789abcdef1,vpc-0123456789abcdef2',
};
export const SOURCE_ACCOUNT = {
  AccountId: SOURCE,
  RoleArn: `arn:aws:iam::${SOURCE}:role/traffic-mirroring-deploy`,
  MirrorSourceType: 'LOAD_BALANCER',
  MirrorSource: 'payments-alb',
  GatewayLoadBalancerEndpoints: [{ VpcId: 'vpc-0123456789abcdef3', SubnetIds: ['subnet-0123456789abcde31', 'subnet-0123456789abcde32'] }],
};
export const SERVICE_NAME = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';
