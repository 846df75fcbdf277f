/** The session Lambda with 300 sources, planned by the real terraform (offline). */
import { manyLoadBalancerNames } from './helpers/load-balancer-names';
import { resource, synthConfig } from './helpers/synth';
import { terraformPlan } from './helpers/terraform';

describe('300 load balancer names', () => {
  const names = manyLoadBalancerNames();

  it('plan with the real terraform, with an environment far under Lambda\'s 4 KB', async () => {
    // Act
    const { stackDir, json } = synthConfig({ MirrorSource: names.join(',') });
    const plan = await terraformPlan(stackDir, { env: { TF_VAR_traceable_refresh_token: 'token-for-plan' } });
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
