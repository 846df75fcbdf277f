import { join } from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { Ec2TrafficMirrorFilter } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter';
import { Ec2TrafficMirrorTarget } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-target';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SessionLambda, type SessionLambdaProps } from '../../modules/session-lambda';

type Resources = Record<string, Record<string, Record<string, any>>>;

/**
 * A SessionLambda of stack `prod` with target selection vpc-endpoint and two endpoint targets carrying the stack's tag
 * (provider default tags), as the GWLB constructs make them; `props` override the construct's props. With `outdir`, the
 * stack is written there (for `terraform plan`) and its folder returned instead of the resources.
 */
export function synthVpcEndpoint(props: Partial<SessionLambdaProps> = {}, outdir?: string): { resource: Resources; stackDir?: string } {
  const app = outdir ? new App({ outdir }) : Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1', defaultTags: [{ tags: { 'traceable:stack': 'prod' } }] });
  const targets = ['a', 'b'].map((zone) => new Ec2TrafficMirrorTarget(stack, `target_${zone}`, { gatewayLoadBalancerEndpointId: `vpce-0${zone}` }));
  const filter = new Ec2TrafficMirrorFilter(stack, 'filter', {});
  new SessionLambda(stack, 'sessions', {
    namePrefix: 'prod', region: 'eu-west-1', targetSelection: 'vpc-endpoint', mirrorTargets: targets,
    mirrorFilterId: filter.id, mirrorFilterArn: filter.arn, sourceType: 'TARGET_GROUP', sources: ['web'],
    ...props,
  } as SessionLambdaProps);
  if (!outdir) return JSON.parse(Testing.synth(stack));
  app.synth();
  return { resource: {}, stackDir: join(outdir, 'stacks', 'test') };
}
