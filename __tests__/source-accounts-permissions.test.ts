/**
 * The deployer policies of a source account's stack: every synthesized type has a row, the policies stay in the
 * source account and need nothing of RAM or of the collector's target, and the README shows them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../config';
import { PERMISSIONS_TABLE } from '../scripts/permissions/table';
import { deployerPolicies } from '../scripts/permissions/policies';
import { SOURCE_ACCOUNTS_EXAMPLE, sourceAccountPermissionsMarkdown, synthesizeSourceStack } from '../scripts/permissions/source-accounts';
import { sourceGatewayLoadBalancerEndpoints, withResources } from './helpers/gateway-load-balancer-resources';

const { config } = parseConfig(SOURCE_ACCOUNTS_EXAMPLE);

test.each(config.SourceAccounts.map((account) => [account.AccountId]))('the stack of %s: a row per type, its own account only (its boundary too), no RAM', (accountId) => {
  const json = synthesizeSourceStack(config, accountId);
  const types = Object.keys(json.resource ?? {});
  expect(types.filter((type) => !PERMISSIONS_TABLE[type])).toEqual([]);
  const policies = deployerPolicies(json, { account: accountId });
  // The roles carry the source stack's boundary, a policy of the source account (IAM takes one from the role's account).
  expect(policies.boundaryArn).toBe(`arn:aws:iam::${accountId}:policy/mirroring-${accountId}-boundary`);
  const statements = policies.apply.flatMap((document) => document.Statement);
  const actions = new Set(statements.flatMap((statement) => statement.Action));
  expect([...actions].filter((action) => action.startsWith('ram:'))).toEqual([]);
  expect(actions.has('ec2:CreateTrafficMirrorFilter')).toBe(true);
  expect(actions.has('ec2:CreateTrafficMirrorTarget')).toBe(false);
  const accounts = new Set(statements.flatMap((statement) => statement.Resource).flatMap((arn) => /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? []));
  expect([...accounts]).toEqual([accountId]);
});

test("GWLB_ENDPOINT: a source stack's endpoints toward the collector's service and their targets are created in its own account only, without RAM", () => {
  const { config: gwlb } = loadConfig(join(__dirname, '..', 'examples', 'modes', 'gwlb-endpoints.json'));
  const [source] = gwlb.SourceAccounts;
  const stack = `${gwlb.StackName}-${source.AccountId}`;
  // The endpoints as issue 22 shapes them, next to whatever the source stack synthesizes (helpers/gateway-load-balancer-resources.ts).
  const json = withResources(synthesizeSourceStack(gwlb, source.AccountId), sourceGatewayLoadBalancerEndpoints(stack, [{ vpcId: 'vpc-0123456789abcdef3', subnetIds: ['subnet-0123456789abcde31'] }]));
  expect(Object.keys(json.resource ?? {}).filter((type) => !PERMISSIONS_TABLE[type])).toEqual([]);
  const statements = deployerPolicies(json, { account: source.AccountId }).apply.flatMap((document) => document.Statement);
  const actions = new Set(statements.flatMap((statement) => statement.Action));
  expect([...actions].filter((action) => action.startsWith('ram:'))).toEqual([]);
  expect(['ec2:CreateVpcEndpoint', 'ec2:CreateTrafficMirrorTarget'].map((action) => actions.has(action))).toEqual([true, true]);
  // The collector's service is no resource of CreateVpcEndpoint (SAR): nothing in the collector's account is granted.
  const accounts = new Set(statements.flatMap((statement) => statement.Resource).flatMap((arn) => /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? []));
  expect([...accounts]).toEqual([source.AccountId]);
});

test("the README shows the first source account's policies (npx tsx scripts/source-permissions-docs.ts)", () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const between = /<!-- source-permissions:start -->\n([\s\S]*?)\n<!-- source-permissions:end -->/.exec(readme)?.[1];
  expect(between).toBe(sourceAccountPermissionsMarkdown());
});
