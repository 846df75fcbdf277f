/**
 * Upgrades as a pull request shows them: the real `terraform plan` of a changed configuration against a state in
 * which the stack is deployed (built offline, see helpers/fake-state.ts). Changing the agent version, the AMI or
 * the instance type must update the launch template and the autoscaling group in place (instance refresh rolls
 * the fleet) and never replace the NLB, the mirror target or anything else. The state is deployed by 0.2.0, whose
 * token secret version this version forgets (a `removed` block) rather than destroys.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BUNDLE_BUCKET_PLACEHOLDER, bootstrapBundle, renderUserData } from '../bootstrap';
import { bootstrapPropsOf } from '../plan';
import { deployOffline, planAgainstState, plannedActions, replaceConfiguration, workspaceFor, type Workspace } from './helpers/fake-state';
import { configOf, synthConfig } from './helpers/synth';
import { comparablePlanJson, terraformPlan, terraformPlans, type PlanRequest, type PlanResult } from './helpers/terraform';
import { asSynthesizedBy020 } from './helpers/token-secret-0.2';

// The batched plan of the changes is paid by whichever test asks first; a shared two-core machine can take minutes.
jest.setTimeout(900_000);

const DEPLOYED = { MirrorSourceType: 'LOAD_BALANCER', MirrorSource: 'web-alb', InstanceType: 'm5.xlarge' };
const ROLL_THE_FLEET = {
  'aws_autoscaling_group.fleet_autoscaling_group': 'update',
  'aws_launch_template.fleet_launch_template': 'update',
};

describe('upgrades plan as in-place updates of the fleet', () => {
  let workspace: Workspace;

  /** What the first plan of this version against a 0.2.0 deployment did, before it was applied. */
  let upgradeFrom020: Record<string, string>;

  beforeAll(async () => {
    // Deployed by 0.2.0 (the token's secret version in state), then planned and applied with this version.
    const current = synthConfig(DEPLOYED);
    const deployedBy020 = mkdtempSync(join(tmpdir(), 'stack-0.2.0-'));
    cpSync(current.stackDir, deployedBy020, { recursive: true });
    writeFileSync(join(deployedBy020, 'cdk.tf.json'), JSON.stringify(asSynthesizedBy020(current.json), null, 2));
    workspace = await workspaceFor(deployedBy020, { TF_VAR_traceable_refresh_token: 'token-for-plan' });
    // The upgrade plan confirms the deployment: an unsettled one would show its own changes there, beside the forget.
    await deployOffline(workspace, { confirm: false });
    replaceConfiguration(workspace, current.stackDir);
    upgradeFrom020 = plannedActions(await planAgainstState(workspace));
    // Applying a forget changes only the state: offline, any call to AWS would fail this.
    await workspace.terraform('apply', '-input=false', '-no-color', '-lock=false', 'plan.bin');
  }, 1_800_000);

  test("upgrading from 0.2.0 forgets the token's secret version (the value stays in Secrets Manager) and changes nothing else", () => {
    expect(upgradeFrom020).toEqual({ 'aws_secretsmanager_secret_version.token_value': 'forget' });
  });

  /** The changes the tests below plan against the deployed state: all of them in one batched terraform run. */
  const CHANGES: Record<string, unknown>[] = [
    {},
    { TraceableAgentVersion: '1.72.0' },
    { CustomAMI: 'ami-0fedcba9876543210' },
    { InstanceType: 'm5.2xlarge' },
    { AccountId: '123456789012' },
  ];
  const requestOf = (change: Record<string, unknown>): PlanRequest => ({
    stackDir: synthConfig({ ...DEPLOYED, ...change }).stackDir,
    stateFile: join(workspace.dir, 'terraform.tfstate'),
    refresh: false,
    env: { TF_VAR_traceable_refresh_token: 'token-for-plan' },
  });
  let changes: Promise<PlanResult[]> | undefined;
  async function planOfChange(overrides: Record<string, unknown>): Promise<PlanResult> {
    changes ??= terraformPlans(CHANGES.map(requestOf));
    const index = CHANGES.findIndex((change) => JSON.stringify(change) === JSON.stringify(overrides));
    if (index === -1) throw new Error(`${JSON.stringify(overrides)} is not in CHANGES`);
    return (await changes)[index];
  }
  const planChange = async (overrides: Record<string, unknown>) => plannedActions((await planOfChange(overrides)).json);

  test("Terraform renders the hosts' user data with the deployed bundle bucket's name, gzip-compressed", () => {
     
    const state: { resources: any[] } = JSON.parse(readFileSync(join(workspace.dir, 'terraform.tfstate'), 'utf8'));
    const attributes = (type: string, name: string) => state.resources.find((r) => r.type === type && r.name === name).instances[0].attributes;
    const bucket: string = attributes('aws_s3_bucket', 'fleet_bootstrap_bundle_bucket').bucket;
    expect(bucket).toBe('fake-aws_s3_bucket-fleet_bootstrap_bundle_bucket-bucket'); // the stand-in of the name S3 gives
    const userData = gunzipSync(Buffer.from(attributes('aws_launch_template', 'fleet_launch_template').user_data, 'base64')).toString('utf8');
    expect(userData).toBe(renderUserData(bootstrapPropsOf(configOf(DEPLOYED)), bootstrapBundle('ec2')).replace(BUNDLE_BUCKET_PLACEHOLDER, bucket));
  });

  test('a fresh synth of the same configuration plans no change (no churn in pull requests)', async () => {
    expect(await planChange({})).toEqual({});
  });

  test.each([
    ['the agent version', { TraceableAgentVersion: '1.72.0' }],
    ['the AMI', { CustomAMI: 'ami-0fedcba9876543210' }],
    ['the instance type', { InstanceType: 'm5.2xlarge' }],
  ])('changing %s updates the launch template and the group, and replaces nothing', async (_what, overrides) => {
    expect(await planChange(overrides)).toEqual(ROLL_THE_FLEET);
  });

  test('a change planned in the batch, whose stacks share one provider configuration, gets exactly the plan it gets alone', async () => {
    const change = { CustomAMI: 'ami-0fedcba9876543210' };
    const { relevant_attributes: batchedRelevant, ...batched } = comparablePlanJson((await planOfChange(change)).json);
    const { relevant_attributes: aloneRelevant, ...alone } = comparablePlanJson((await terraformPlan(requestOf(change).stackDir, requestOf(change))).json);
    expect(batched).toEqual(alone);
    expect(Object.keys(alone)).toEqual(expect.arrayContaining(['prior_state', 'configuration', 'planned_values', 'resource_changes']));
    // Against a prior state the batch also lists as relevant what the stack's outputs read (the root reads them through
    // the module), and nothing else.
    const outputs = Object.values((alone.configuration as any).root_module.outputs as Record<string, { expression: { references: string[] } }>);
    const readByOutputs = outputs
      .flatMap((output) => output.expression.references.filter((reference) => reference.split('.').length === 3))
      .map((reference) => JSON.stringify({ resource: reference.split('.').slice(0, 2).join('.'), attribute: [reference.split('.')[2]] }));
    expect(batchedRelevant).toEqual([...new Set([...(aloneRelevant as string[]), ...readByOutputs])].sort());
  });

  test("adding the permissions boundary (AccountId) updates the stack's roles in place, and nothing else", async () => {
    expect(await planChange({ AccountId: '123456789012' })).toEqual({
      'aws_iam_role.fleet_role': 'update',
      'aws_iam_role.sessions_role': 'update',
    });
  });
});
