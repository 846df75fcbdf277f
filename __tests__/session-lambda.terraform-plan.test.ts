/** The session Lambda with 300 sources, planned by the real terraform (offline). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manyLoadBalancerNames } from './helpers/load-balancer-names';
import { synthVpcEndpoint } from './helpers/session-lambda';
import { resource, synthConfig } from './helpers/synth';
import { terraformPlans, type PlanResult } from './helpers/terraform';

const names = manyLoadBalancerNames();
const manySources = synthConfig({ MirrorSource: names.join(',') });
const vpcEndpoint = synthVpcEndpoint({}, mkdtempSync(join(tmpdir(), 'cdktf-out-')));

/** Both stacks in one batched terraform run (helpers/terraform.ts terraformPlans), planned by whichever test asks first. */
let plans: Promise<PlanResult[]> | undefined;
const planned = () =>
  (plans ??= terraformPlans([
    { stackDir: manySources.stackDir, env: { TF_VAR_traceable_refresh_token: 'token-for-plan' } },
    { stackDir: vpcEndpoint.stackDir! },
  ]));

describe('300 load balancer names', () => {
  it('plan with the real terraform, with an environment far under Lambda\'s 4 KB', async () => {
    // Act
    const { json } = manySources;
    const [plan] = await planned();
    // Assess
    expect(plan.actions['aws_lambda_function.sessions_function']).toEqual(['create']);
    // The planned environment holds values known only after apply (target, filter, queue URL): measured on the
    // synthesized references, each longer than the id or URL it stands for.
    const variables = resource(json, 'aws_lambda_function', 'sessions_function').environment.variables;
    expect(Buffer.byteLength(Object.entries(variables).flat().join(''))).toBeLessThan(1024);
    expect(plan.actions['aws_lambda_invocation.sessions_cleanup_run_1']).toEqual(['create']);
    expect(JSON.parse(resource(json, 'aws_lambda_invocation', 'sessions_apply_time_run').input).sources).toHaveLength(300);
  }, 300_000);
});

describe('target selection vpc-endpoint', () => {
  it('plans with the real terraform: the functions, the role policy, and the runs ordered after the endpoint targets', async () => {
    // Act
    const [, plan] = await planned();
    // Assess: every resource is created (cdktf suffixes the construct's addresses with a hash)
    const addressOf = (prefix: string) => Object.keys(plan.actions).find((address) => address.startsWith(prefix))!;
    for (const prefix of ['aws_ec2_traffic_mirror_target.target_a', 'aws_lambda_function.sessions_function_', 'aws_iam_role_policy.sessions_policy_', 'aws_lambda_invocation.sessions_apply_time_run_', 'aws_lambda_invocation.sessions_cleanup_run_1_']) {
      expect([prefix, plan.actions[addressOf(prefix)]]).toEqual([prefix, ['create']]);
    }
    // The environment and the policy hold values known only after apply (filter, queue, log groups): they are asserted on
    // the synth. Terraform's own graph orders the runs after the targets (and, on destroy, the cleanup before them).
    const dependsOn = (prefix: string) => plan.json.configuration.root_module.resources.find((r: { address: string }) => r.address === addressOf(prefix)).depends_on;
    const targets = ['aws_ec2_traffic_mirror_target.target_a', 'aws_ec2_traffic_mirror_target.target_b'];
    expect(dependsOn('aws_lambda_invocation.sessions_apply_time_run_')).toEqual(expect.arrayContaining(targets));
    expect(dependsOn('aws_lambda_invocation.sessions_cleanup_run_1_')).toEqual(expect.arrayContaining(targets));
  }, 300_000);
});
