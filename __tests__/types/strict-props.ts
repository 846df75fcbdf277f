/**
 * Wrong values the props' types refuse at compile time: each `@ts-expect-error` line must be an error, or tsc fails
 * ("Unused '@ts-expect-error' directive"). Compiled by `npx tsc --noEmit` and by props-types.test.ts; never run.
 */
import { TerraformStack } from 'cdktf';
import { TraceableTrafficMirroring, type TraceableTrafficMirroringProps } from '../../index';

const props: TraceableTrafficMirroringProps = {
  region: 'eu-west-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
  mirrorSourceType: 'LOAD_BALANCER',
  mirrorSources: ['web-alb'],
  traceableEnvironment: 'staging',
  traceableServiceName: 'checkout',
};
const { region: _region, ...withoutRegion } = props;

export function wrongTypes(stack: TerraformStack): void {
  // @ts-expect-error: a number, not the JSON file's string
  new TraceableTrafficMirroring(stack, 'max_size_string', { ...props, autoscalingMaxSize: '3' });
  // @ts-expect-error: a boolean, not "true"
  new TraceableTrafficMirroring(stack, 'ecs_string', { ...props, deployTraceableAgentInEcs: 'true' });
  // @ts-expect-error: a list, not a comma-separated string
  new TraceableTrafficMirroring(stack, 'subnets_string', { ...props, subnetIds: 'subnet-0123456789abcdef0' });
  // @ts-expect-error: one of the source types
  new TraceableTrafficMirroring(stack, 'source_type', { ...props, mirrorSourceType: 'LOADBALANCER' });
  // @ts-expect-error: x86_64 or arm64 ("" in the JSON file: leave the prop out)
  new TraceableTrafficMirroring(stack, 'architecture_empty', { ...props, customAmiArchitecture: '' });
  // @ts-expect-error: amazon-linux-2023 or ubuntu
  new TraceableTrafficMirroring(stack, 'operating_system', { ...props, customAmiOperatingSystem: 'amazon-linux-2' });
  // @ts-expect-error: socket or file
  new TraceableTrafficMirroring(stack, 'feed', { ...props, agentFeed: 'udp' });
  // @ts-expect-error: bytes, not a size text
  new TraceableTrafficMirroring(stack, 'body_limit', { ...props, httpBodyLimit: '64kb' });
  // @ts-expect-error: an object, not JSON text
  new TraceableTrafficMirroring(stack, 'tags_text', { ...props, tags: '{"env":"prod"}' });
  // @ts-expect-error: tag values are strings
  new TraceableTrafficMirroring(stack, 'tag_number', { ...props, tags: { cost: 42 } });
  // @ts-expect-error: the JSON configuration's name (the props of 0.2.x)
  new TraceableTrafficMirroring(stack, 'pascal_case', { ...props, StackName: 'shop-prod' });
  // @ts-expect-error: region is required
  new TraceableTrafficMirroring(stack, 'no_region', withoutRegion);
  // @ts-expect-error: a source account's type creates sessions (not MANUAL)
  new TraceableTrafficMirroring(stack, 'source_manual', { ...props, sourceAccounts: [{ accountId: '222233334444', roleArn: 'arn:aws:iam::222233334444:role/deploy', mirrorSourceType: 'MANUAL' }] });
  // @ts-expect-error: an AwsProvider, not its Terraform name
  new TraceableTrafficMirroring(stack, 'provider_name', { ...props, provider: 'aws.eu' });
}
