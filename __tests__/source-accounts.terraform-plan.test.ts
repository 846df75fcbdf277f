/**
 * Many accounts, one collector: the app's stacks for a collector and two source accounts, synthesized and planned
 * offline with the real Terraform CLI (the test-only override removes the source providers' role assumption).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from '../stacks/app';
import { parseConfig } from '../config';
import { planMirrorTargetShare, sourceBackend } from '../plan';
import { BASE_CONFIG, resource, type TerraformJson } from './helpers/synth';
import { comparablePlanJson, terraformPlan, terraformPlans, type PlanResult } from './helpers/terraform';

// The batched plan is paid by whichever test asks first; a shared two-core machine can take minutes.
jest.setTimeout(900_000);

const COLLECTOR = '111122223333';
const SOURCES = [
  { AccountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/traffic-mirroring-deploy', MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web' },
  { AccountId: '333344445555', RoleArn: 'arn:aws:iam::333344445555:role/traffic-mirroring-deploy', MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: 'Mirror=True', MirrorSourceVpcId: 'vpc-0123456789abcdef9' },
];
const CONFIG = { ...BASE_CONFIG, StackName: 'mirroring', AccountId: COLLECTOR, MirrorSourceType: 'MANUAL', MirrorSource: '', SourceAccounts: SOURCES };
const SHARED_TARGET = 'tmt-0123456789abcdef0';

function synthApp(config: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'accounts-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const outdir = join(dir, 'out');
  const run = runApp(join(dir, 'config.json'), outdir);
  expect(run).toEqual({ exitCode: 0, stderr: '' });
  const stackDir = (name: string) => join(outdir, 'stacks', name);
  const json = (name: string) => JSON.parse(readFileSync(join(stackDir(name), 'cdk.tf.json'), 'utf8')) as TerraformJson & { provider: { aws: Record<string, unknown>[] }; variable: Record<string, unknown> };
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
  return { stackDir, json, manifest };
}

describe('a collector and two source accounts in one app', () => {
  const app = synthApp(CONFIG);

  test('synth: one stack per account; the sources depend on the collector (applied after it, destroyed before it)', () => {
    expect(Object.fromEntries(Object.entries(app.manifest.stacks).map(([name, stack]) => [name, stack.dependencies]))).toEqual({
      mirroring: [],
      'mirroring-222233334444': ['mirroring'],
      'mirroring-333344445555': ['mirroring'],
    });
  });

  test('synth: the collector shares its mirror target through RAM with the two accounts', () => {
    const collector = app.json('mirroring');
    expect(resource(collector, 'aws_ram_resource_share', 'mirror_target_share_share')).toEqual({ name: 'mirroring-mirror-target', allow_external_principals: true, tags: { Name: 'mirroring-mirror-target' } });
    expect(resource(collector, 'aws_ram_resource_association', 'mirror_target_share_mirror_target')).toEqual({
      resource_arn: '${aws_ec2_traffic_mirror_target.mirror_mirror_target.arn}',
      resource_share_arn: '${aws_ram_resource_share.mirror_target_share_share.arn}',
    });
    expect(Object.values(collector.resource.aws_ram_principal_association).map((association) => (association as { principal: string }).principal)).toEqual(['222233334444', '333344445555']);
  });

  test.each(SOURCES.map((source) => [source.AccountId, source]))('synth: the stack of %s assumes its role in its account and aims its Lambda at the shared target', (accountId, source) => {
    const stack = app.json(`mirroring-${accountId}`);
    expect(stack.provider.aws).toEqual([{
      region: 'eu-west-1',
      assume_role: [{ role_arn: source.RoleArn, session_name: 'traceable-traffic-mirroring' }],
      allowed_account_ids: [accountId],
      default_tags: [{ tags: { 'traceable:stack': `mirroring-${accountId}` } }],
    }]);
    expect(stack.terraform.backend).toEqual({ local: { path: `terraform.mirroring-${accountId}.tfstate` } });
    const fn = resource(stack, 'aws_lambda_function', 'source_sessions_function');
    expect(fn.environment.variables).toMatchObject({
      MIRROR_TARGET_ID: '${var.mirror_target_id}',
      MIRROR_FILTER_ID: '${aws_ec2_traffic_mirror_filter.source_mirror_filter.id}',
      MIRROR_SOURCE_TYPE: source.MirrorSourceType,
      STACK_NAME: `mirroring-${accountId}`,
    });
    expect(Object.keys(stack.resource)).not.toContain('aws_ram_resource_share');
    const statements = JSON.parse(resource(stack, 'aws_iam_role_policy', 'source_sessions_policy').policy).Statement as { Sid: string; Resource: unknown }[];
    expect(statements.find((statement) => statement.Sid === 'CreateSessionsTowardOurTargetAndFilter')?.Resource).toEqual([
      `arn:aws:ec2:eu-west-1:${COLLECTOR}:traffic-mirror-target/\${var.mirror_target_id}`,
      '${aws_ec2_traffic_mirror_filter.source_mirror_filter.arn}',
    ]);
  });

  // The collector and both sources, planned in one batched terraform run (helpers/terraform.ts terraformPlans).
  let plans: Promise<PlanResult[]> | undefined;
  const planned = () =>
    (plans ??= terraformPlans([
      { stackDir: app.stackDir('mirroring'), env: { TF_VAR_traceable_refresh_token: 'not-a-real-token' } },
      ...SOURCES.map((source) => ({ stackDir: app.stackDir(`mirroring-${source.AccountId}`), env: { TF_VAR_mirror_target_id: SHARED_TARGET } })),
    ]));

  test('terraform plan of the collector: the share, its target and both principals', async () => {
    const [plan] = await planned();
    const after = (address: string) => plan.json.resource_changes.find((change: { address: string }) => change.address === address)?.change.after;
    expect(plan.actions['aws_ram_resource_share.mirror_target_share_share']).toEqual(['create']);
    expect(plan.actions['aws_ram_resource_association.mirror_target_share_mirror_target']).toEqual(['create']);
    expect(after('aws_ram_resource_share.mirror_target_share_share')).toMatchObject({ name: 'mirroring-mirror-target', allow_external_principals: true });
    expect(['222233334444', '333344445555'].map((account) => after(`aws_ram_principal_association.mirror_target_share_principal_${account}`)?.principal)).toEqual(['222233334444', '333344445555']);
  });

  test('terraform plan of each source stack: its filter, and the Lambda and its policy fed the collector\'s target', async () => {
    const [, ...sourcePlans] = await planned();
    for (const plan of sourcePlans) {
      expect(plan.actions['aws_ec2_traffic_mirror_filter.source_mirror_filter']).toEqual(['create']);
      expect(plan.actions['aws_ec2_traffic_mirror_filter_rule.source_accept_tcp_ingress']).toEqual(['create']);
      expect(plan.actions['aws_lambda_function.source_sessions_function']).toEqual(['create']);
      expect(Object.keys(plan.actions).filter((address) => address.startsWith('aws_ram_'))).toEqual([]);
      // The environment and the policy also hold IDs known only after apply, so the plan shows them as unknown as a
      // whole; what it does show is the variable's value and that both read it.
      expect(plan.json.variables.mirror_target_id.value).toBe(SHARED_TARGET);
      const configured = (address: string) => plan.json.configuration.root_module.resources.find((r: { address: string }) => r.address === address).expressions;
      expect(configured('aws_lambda_function.source_sessions_function').environment[0].variables.references).toContain('var.mirror_target_id');
      expect(configured('aws_iam_role_policy.source_sessions_policy').policy.references).toContain('var.mirror_target_id');
    }
  });

  test('a stack planned in a batch gets exactly the plan it gets alone (the batched helper the plan tests use)', async () => {
    const [, , batched] = await planned();
    const alone = await terraformPlan(app.stackDir(`mirroring-${SOURCES[1].AccountId}`), { env: { TF_VAR_mirror_target_id: SHARED_TARGET } });
    expect(comparablePlanJson(batched.json)).toEqual(comparablePlanJson(alone.json));
    expect(batched.actions).toEqual(alone.actions);
    expect(Object.keys(alone.json)).toEqual(expect.arrayContaining(['variables', 'checks', 'output_changes', 'configuration', 'planned_values']));
  });

  test('a source stack refuses a mirror_target_id that is not a target ID, naming the collector\'s output', async () => {
    await expect(terraformPlan(app.stackDir('mirroring-222233334444'), { env: { TF_VAR_mirror_target_id: 'not-a-target' } })).rejects.toThrow(
      "mirror_target_id must be a traffic mirror target ID such as tmt-0123456789abcdef0: the collector stack's mirror_target_id output (apply the collector first).",
    );
  });
});

describe('the share and the source states, as planned', () => {
  test('an organization as the principal: one association, no external principals', () => {
    const org = 'arn:aws:organizations::111122223333:organization/o-abcdefghij';
    const { config } = parseConfig({ ...CONFIG, ShareMirrorTargetWith: org });
    expect(planMirrorTargetShare(config)).toEqual({ name: 'mirroring-mirror-target', principals: [org], allowExternalPrincipals: false });
  });

  test('each source stack keeps its state beside the collector\'s, told apart by the account', () => {
    expect(sourceBackend({ type: 's3', bucket: 'states', key: 'mirroring/prod.tfstate' }, '222233334444')).toEqual({ type: 's3', bucket: 'states', key: 'mirroring/prod-222233334444.tfstate' });
    expect(sourceBackend({ type: 'cloud', organization: 'acme', workspace: 'mirroring' }, '222233334444')).toEqual({ type: 'cloud', organization: 'acme', workspace: 'mirroring-222233334444' });
    expect(sourceBackend({ type: 'local', path: 'state/prod.tfstate' }, '222233334444')).toEqual({ type: 'local', path: 'state/prod-222233334444.tfstate' });
    expect(sourceBackend({ type: 's3', bucket: 'states' }, '222233334444')).toEqual({ type: 's3', bucket: 'states' });
  });
});
