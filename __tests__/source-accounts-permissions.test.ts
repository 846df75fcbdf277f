/**
 * The deployer policies of a source account's stack: every synthesized type has a row, the policies stay in the
 * source account and need nothing of RAM or of the collector's target, and the README shows them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config';
import { PERMISSIONS_TABLE } from '../scripts/permissions/table';
import { deployerPolicies } from '../scripts/permissions/policies';
import { SOURCE_ACCOUNTS_EXAMPLE, sourceAccountPermissionsMarkdown, synthesizeSourceStack } from '../scripts/permissions/source-accounts';

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

test("the README shows the first source account's policies (npx tsx scripts/source-permissions-docs.ts)", () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const between = /<!-- source-permissions:start -->\n([\s\S]*?)\n<!-- source-permissions:end -->/.exec(readme)?.[1];
  expect(between).toBe(sourceAccountPermissionsMarkdown());
});
