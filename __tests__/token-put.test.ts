/**
 * `npm run token:put` (scripts/token/put.ts) with a mocked Secrets Manager: what it sends, and each refusal with its
 * exact text, none quoting the token. The real process against a Secrets Manager stand-in is in
 * token-secret-stand-in.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeSecretCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseToken, runTokenPut, USAGE } from '../scripts/token/put';
import { BASE_CONFIG } from './helpers/base-config';

const TOKEN = 'eyJ-token-canary-4411';
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/traceable-refresh-token-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
const dir = mkdtempSync(join(tmpdir(), 'token-put-'));
const configFile = join(dir, 'config.json');
writeFileSync(configFile, JSON.stringify({ ...BASE_CONFIG, StackName: 'prod' }));
const existingConfig = join(dir, 'existing.json');
writeFileSync(existingConfig, JSON.stringify({ ...BASE_CONFIG, StackName: 'prod', TraceableRefreshTokenSecretArn: ARN }));

async function tokenPut(argv: string[], stdin = `${TOKEN}\n`): Promise<{ code: number; stdout: string[]; stderr: string[]; regions: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const regions: string[] = [];
  const code = await runTokenPut(argv, {
    env: {},
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    readStdin: async () => stdin,
    readFile: (path) => {
      if (path !== join(dir, 'token.txt')) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return `${TOKEN}\r\n`;
    },
    clientFor: (region) => {
      regions.push(region);
      return new SecretsManagerClient({ region });
    },
  });
  for (const line of [...stdout, ...stderr]) expect(line).not.toContain(TOKEN);
  return { code, stdout, stderr, regions };
}

beforeEach(() => {
  secrets.reset();
  secrets.on(DescribeSecretCommand).resolves({ ARN, Name: 'prod/traceable-refresh-token', VersionIdsToStages: {} });
  secrets.on(PutSecretValueCommand).resolves({ ARN, VersionId: '7d2c0c3e-0000-4000-8000-000000000001' });
});

test('puts {"refresh_token": token} into the created secret, by its ARN, in the configured region', async () => {
  const result = await tokenPut(['--stack', 'prod', '--config', configFile]);
  expect(result).toEqual({
    code: 0,
    stdout: [
      'token:put: put the refresh token into prod/traceable-refresh-token in eu-west-1 (version 7d2c0c3e-0000-4000-8000-000000000001, AWSCURRENT).',
      'EC2 hosts read it at the next start of the agent (one waiting for a first value retries every minute or less); ECS hosts within 15 minutes.',
    ],
    stderr: [],
    regions: ['eu-west-1'],
  });
  expect(secrets.commandCalls(DescribeSecretCommand)[0].args[0].input).toEqual({ SecretId: 'prod/traceable-refresh-token' });
  expect(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input).toEqual({ SecretId: ARN, SecretString: JSON.stringify({ refresh_token: TOKEN }) });
});

test('--token-file: the file\'s one line, its line break dropped', async () => {
  expect((await tokenPut(['--stack=prod', `--config=${configFile}`, '--token-file', join(dir, 'token.txt')], '')).code).toBe(0);
  expect(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString).toBe(JSON.stringify({ refresh_token: TOKEN }));
});

test.each([
  ['nothing', '', 'the token is empty'],
  ['a line break', '\n', 'the token is empty'],
  ['two lines', `${TOKEN}\n${TOKEN}\n`, 'the token spans more than one line; expected the token alone, on one line'],
  ['a leading space', ` ${TOKEN}`, 'the token begins or ends with white space; expected the token alone, as Traceable shows it'],
  ['16,385 characters', 'x'.repeat(16_385), 'the token is 16385 characters long; expected at most 16384'],
])('stdin of %s is refused, nothing sent', async (_label, stdin, reason) => {
  const result = await tokenPut(['--stack', 'prod', '--config', configFile], stdin);
  expect(result).toMatchObject({ code: 2, stderr: [`token:put: ${reason} (read from stdin); nothing was put`] });
  expect(secrets.calls()).toEqual([]);
});

test('a missing secret: apply the stack first; nothing is put', async () => {
  secrets.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
  const result = await tokenPut(['--stack', 'prod', '--config', configFile]);
  expect(result).toMatchObject({
    code: 1,
    stderr: ["token:put: ResourceNotFoundException: Secrets Manager can't find the specified secret.: apply the stack first (it creates prod/traceable-refresh-token); nothing was put"],
  });
  expect(secrets.commandCalls(PutSecretValueCommand)).toEqual([]);
});

test('an existing secret (TraceableRefreshTokenSecretArn) is the user\'s: refused before the token is read', async () => {
  const result = await tokenPut(['--stack', 'prod', '--config', existingConfig]);
  expect(result).toMatchObject({
    code: 2,
    stderr: [`token:put: stack prod reads the existing secret ${ARN} (TraceableRefreshTokenSecretArn), which this command does not write: keep its key refresh_token up to date with your own tooling`],
  });
  expect(secrets.calls()).toEqual([]);
});

test.each([
  [[], 'token:put: --stack is required'],
  [['--stack', 'prod', '--token', TOKEN], 'token:put: unknown argument --token'],
  [['--stack', 'prod', '--token-file'], 'token:put: --token-file needs a value'],
])('usage %j: exit 2 with the reason and the usage; the token is never an argument', async (argv, message) => {
  const result = await tokenPut(argv);
  expect(result).toMatchObject({ code: 2, stderr: [message, USAGE] });
});

test('an unreadable --token-file: exit 2, naming it', async () => {
  const missing = join(dir, 'missing.txt');
  const result = await tokenPut(['--stack', 'prod', '--config', configFile, '--token-file', missing], '');
  expect(result).toMatchObject({ code: 2, stderr: [`token:put: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'`] });
});

test('parseToken keeps the token exactly, but for one trailing line break', () => {
  expect(parseToken('a.b-c_d=\r\n')).toEqual({ token: 'a.b-c_d=' });
});
