/** The base configuration of the tests, without cdktf: the plan's tests stay pure and fast. */
import { parseConfig, type MirroringConfig } from '../../config';
import type { TraceableTrafficMirroringProps } from '../../index';

/** The smallest valid configuration; tests spread their own keys over it. */
export const BASE_CONFIG = {
  Region: 'eu-west-1',
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  MirrorSourceType: 'LOAD_BALANCER',
  MirrorSource: 'web-alb',
  TraceableEnvironment: 'staging',
  TraceableServiceName: 'checkout',
} as const;

export function configOf(overrides: Record<string, unknown> = {}): MirroringConfig {
  return parseConfig({ ...BASE_CONFIG, ...overrides }).config;
}

/** BASE_CONFIG (the JSON app's keys) as the construct's props. */
export const BASE_PROPS: TraceableTrafficMirroringProps = {
  region: 'eu-west-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  mirrorSourceType: 'LOAD_BALANCER',
  mirrorSources: ['web-alb'],
  traceableEnvironment: 'staging',
  traceableServiceName: 'checkout',
};
