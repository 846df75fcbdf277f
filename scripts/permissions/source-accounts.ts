/**
 * The deployer policies of a source account's stack (many accounts, one collector), for the README: what the role in
 * SourceAccounts[].RoleArn needs. Synthesized from the configuration the README's section shows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { MirroringStack } from '../../stacks/mirroring-stack';
import { SourceAccountStack } from '../../stacks/source-account-stack';
import { parseConfig, type MirroringConfig } from '../../config';
import { planSourceAccounts } from '../../plan';
import { permissionsMarkdown } from './markdown';
import { deployerPolicies, type TerraformJson } from './policies';

/** The README's example of a collector with two source accounts. */
export const SOURCE_ACCOUNTS_EXAMPLE = {
  StackName: 'mirroring',
  Region: 'eu-west-1',
  AccountId: '111122223333',
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  MirrorSourceType: 'MANUAL',
  TraceableEnvironment: 'production',
  TraceableServiceName: 'checkout',
  SourceAccounts: [
    { AccountId: '222233334444', RoleArn: 'arn:aws:iam::222233334444:role/traffic-mirroring-deploy', MirrorSourceType: 'TARGET_GROUP', MirrorSource: 'web' },
    { AccountId: '333344445555', RoleArn: 'arn:aws:iam::333344445555:role/traffic-mirroring-deploy', MirrorSourceType: 'INSTANCE_TAGS', MirrorSource: 'Mirror=True', MirrorSourceVpcId: 'vpc-0123456789abcdef9' },
  ],
};

/** A source account's cdk.tf.json, synthesized with its collector as the app does, in a folder removed afterwards. */
export function synthesizeSourceStack(config: MirroringConfig, accountId: string): TerraformJson {
  const plan = planSourceAccounts(config).find((source) => source.accountId === accountId);
  if (!plan) throw new Error(`no source account ${accountId} in ${config.StackName}`);
  const outdir = mkdtempSync(join(tmpdir(), 'permissions-'));
  try {
    const app = new App({ outdir });
    new SourceAccountStack(app, plan).addDependency(new MirroringStack(app, { config }));
    app.synth();
    return JSON.parse(readFileSync(join(outdir, 'stacks', plan.stackName, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The README's policies of the example's first source stack, for its own account (`--account` as the README states it). */
export function sourceAccountPermissionsMarkdown(): string {
  const { config } = parseConfig(SOURCE_ACCOUNTS_EXAMPLE, 'the README example');
  const [first] = config.SourceAccounts;
  const stackName = planSourceAccounts(config)[0].stackName;
  return permissionsMarkdown(stackName, deployerPolicies(synthesizeSourceStack(config, first.AccountId), { account: first.AccountId }));
}
