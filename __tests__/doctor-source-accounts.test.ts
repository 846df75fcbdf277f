/**
 * The doctor's checks of a source account, against the simulated source account: the collector's target as shared,
 * and the sessions the account's Lambda keeps toward it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config';
import { planSourceAccounts } from '../plan';
import { checkSharedTarget, checkSourceAccountSessions } from '../scripts/doctor/source-accounts';
import { runSourceDoctor } from '../scripts/doctor/source-cli';
import { SOURCE_ACCOUNTS_EXAMPLE } from '../scripts/permissions/source-accounts';
import { simulatedHandler } from '../scripts/lambda-sim/harness';

const [source] = planSourceAccounts(parseConfig(SOURCE_ACCOUNTS_EXAMPLE).config);
const TARGET = 'tmt-0a1b2c3d4e5f60718';

function sourceAccount(options: { shared?: boolean; owner?: string } = {}) {
  const simulated = simulatedHandler({ accountId: source.accountId, env: { STACK_NAME: source.stackName, MIRROR_TARGET_ID: TARGET, MIRROR_FILTER_ID: 'tmf-source' } });
  simulated.account.iamOwner = source.stackName;
  simulated.account.addMirrorTarget(TARGET, options.owner ?? source.collectorAccountId, options.shared ?? true);
  return { ...simulated, web: simulated.account.addTargetGroup('web') };
}

test('a shared target and the sessions the account\'s Lambda made: both ok', async () => {
  const { account, invoke, web } = sourceAccount();
  account.addInstanceTargets(web, 2);
  await invoke();
  expect(await checkSharedTarget(account.clients.ec2, source, TARGET)).toEqual({
    title: 'Shared mirror target (222233334444)', status: 'ok', summary: `${TARGET} shared by the collector's account 111122223333`, details: [],
  });
  expect(await checkSourceAccountSessions(account.clients.ec2, source, TARGET)).toEqual({
    title: 'Source account sessions (222233334444)', status: 'ok', summary: `2 sessions of mirroring-222233334444 toward ${TARGET}`, details: ['tg/web: 2 sessions'],
  });
});

test('a target not shared (or the invitation not accepted): both fail, saying why', async () => {
  const { account, invoke, web } = sourceAccount({ shared: false });
  account.addInstanceTargets(web, 1);
  await invoke();
  const target = await checkSharedTarget(account.clients.ec2, source, TARGET);
  expect([target.status, target.summary]).toEqual(['fail', `${TARGET} is not visible in account 222233334444: not shared with it, or the RAM invitation not accepted`]);
  const sessions = await checkSourceAccountSessions(account.clients.ec2, source, TARGET);
  expect([sessions.status, sessions.summary]).toEqual(['fail', `mirroring-222233334444 owns no sessions toward ${TARGET}: nothing of account 222233334444 is mirrored`]);
});

test('a target of another account than the collector fails', async () => {
  const { account } = sourceAccount({ owner: '999988887777' });
  const target = await checkSharedTarget(account.clients.ec2, source, TARGET);
  expect([target.status, target.summary]).toEqual(['fail', `${TARGET} belongs to account 999988887777, not to the collector's 111122223333`]);
});

describe('the source account doctor\'s command line', () => {
  const configFile = join(mkdtempSync(join(tmpdir(), 'doctor-source-')), 'config.json');
  writeFileSync(configFile, JSON.stringify(SOURCE_ACCOUNTS_EXAMPLE));

  async function run(argv: string[], ec2: ReturnType<typeof sourceAccount>['account']['clients']['ec2']) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runSourceDoctor(argv, { env: {}, stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line), ec2For: () => ec2, checkCredentials: async () => undefined });
    return { code, stdout, stderr };
  }

  test('reports both checks for the account and exits 0', async () => {
    const { account, invoke, web } = sourceAccount();
    account.addInstanceTargets(web, 1);
    await invoke();
    const { code, stdout } = await run(['--stack', 'mirroring', '--account', source.accountId, '--mirror-target-id', TARGET, '--config', configFile], account.clients.ec2);
    expect(code).toBe(0);
    expect(stdout[0]).toBe('Traceable traffic mirroring doctor: stack mirroring-222233334444 (eu-west-1, TARGET_GROUP)');
    expect(stdout.at(-1)).toBe('OK: no check failed');
  });

  test('an account that is not a source account of the stack: exit 2, naming the ones it has', async () => {
    const { account } = sourceAccount();
    const { code, stderr } = await run(['--stack', 'mirroring', '--account', '444455556666', '--mirror-target-id', TARGET, '--config', configFile], account.clients.ec2);
    expect(code).toBe(2);
    expect(stderr[0]).toBe("doctor: --account: 444455556666 is not among mirroring's SourceAccounts (222233334444, 333344445555)");
  });
});
