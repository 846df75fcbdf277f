/**
 * The refresh token in no argv, and in the environment of no process but the agent's: token.sh (Amazon Linux's aws
 * CLI, Ubuntu's aws CLI container) and agent-entrypoint.sh, as installed, run under an argv-recording shim
 * (__tests__/helpers/argv-shim.ts) that logs the argv and environment of every program they start. The aws CLI and
 * docker are stand-ins printing the secret string, as `get-secret-value --query SecretString --output text` does.
 * The bundle fetch's credentials: fetch-bundle.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapFiles } from '../../bootstrap';
import { AGENT_TOKEN_VARIABLE } from '../../bootstrap/constants';
import { argvShim, recordsHolding } from '../helpers/argv-shim';

const CANARY = 'CANARY-refresh-token-argv-5d1e8b';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/token-AbCdEf';

let work: string;
let home: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'secrets-argv-'));
  // The installed scripts, under a TRACEABLE_HOME of the test's own.
  home = join(work, 'home');
  mkdirSync(join(home, 'bin'), { recursive: true });
  for (const file of bootstrapFiles('ec2').filter((f) => f.path.startsWith('/opt/traceable/bin/'))) {
    writeFileSync(join(home, 'bin', file.path.split('/').pop()!), file.content, { mode: Number.parseInt(file.mode, 8) });
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A directory of stand-in programs, each a bash script. */
function standIns(programs: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'stand-ins-'));
  for (const [name, body] of Object.entries(programs)) writeFileSync(join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  return dir;
}

const SECRET_STRING = `printf '%s\\n' '{"refresh_token":"${CANARY}","other":"x"}'`;

/** PATH without the directories holding an aws CLI (Ubuntu's hosts have none). */
const pathWithoutAws = () =>
  (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !existsSync(join(dir, 'aws')))
    .join(':');

/** Runs token.sh with the shim first in its PATH, built over `path`; returns the run, the token file and the records. */
function readToken(path: string, extraEnv: Record<string, string> = {}) {
  const shim = argvShim(mkdtempSync(join(work, 'shim-')), path);
  const out = join(mkdtempSync(join(work, 'run-')), 'refresh-token');
  const r = spawnSync('bash', [join(home, 'bin', 'token.sh'), out], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: shim.path,
      HOME: work,
      TRACEABLE_HOME: home,
      TRACEABLE_LOG_DIR: work,
      TRACEABLE_REGION: 'eu-west-1',
      TRACEABLE_TOKEN_SECRET_ARN: SECRET_ARN,
      ...extraEnv,
    },
  });
  return { ...r, out, records: shim.records() };
}

describe('token.sh under an argv-recording shim', () => {
  test('Amazon Linux (aws CLI): the token in no argv and no environment; the file holds it', () => {
    const tools = standIns({ aws: SECRET_STRING });
    const r = readToken(`${tools}:${process.env.PATH}`);
    expect(r.status).toBe(0);
    expect(readFileSync(r.out, 'utf8')).toBe(CANARY);
    expect((statSync(r.out).mode & 0o777).toString(8)).toBe('444');
    expect(recordsHolding(r.records, [CANARY])).toEqual([]);
    const aws = r.records.filter((record) => record.program === 'aws');
    expect(aws.map((record) => record.argv.join(' '))).toEqual([
      `aws secretsmanager get-secret-value --region eu-west-1 --secret-id ${SECRET_ARN} --query SecretString --output text`,
    ]);
    // The secret string is parsed by python3 from a pipe.
    expect(r.records.map((record) => record.program)).toContain('python3');
  });

  test('Ubuntu (no aws CLI: its container on the host network): the token in no argv and no environment; the file holds it', () => {
    const tools = standIns({ docker: `case " $* " in *" secretsmanager get-secret-value "*) ${SECRET_STRING} ;; *) exit 1 ;; esac` });
    const path = `${tools}:${pathWithoutAws()}`;
    expect(spawnSync('bash', ['-c', 'command -v aws'], { env: { PATH: path } }).status).toBe(1);
    const r = readToken(path, { TRACEABLE_AWS_CLI_IMAGE: 'public.ecr.aws/aws-cli/aws-cli:2.17.0' });
    expect(r.status).toBe(0);
    expect(readFileSync(r.out, 'utf8')).toBe(CANARY);
    expect(recordsHolding(r.records, [CANARY])).toEqual([]);
    expect(r.records.filter((record) => record.program === 'docker').map((record) => record.argv.join(' '))).toEqual([
      'docker run --rm --network host --log-driver none public.ecr.aws/aws-cli/aws-cli:2.17.0 ' +
        `secretsmanager get-secret-value --region eu-west-1 --secret-id ${SECRET_ARN} --query SecretString --output text`,
    ]);
  });
});

test('agent-entrypoint.sh: the token in no argv, and in the environment of the agent alone', () => {
  const tools = standIns({ 'traceable-agent': 'echo agent started' });
  const shim = argvShim(mkdtempSync(join(work, 'shim-')), `${tools}:${process.env.PATH}`);
  const tokenFile = join(mkdtempSync(join(work, 'token-')), 'refresh-token');
  writeFileSync(tokenFile, CANARY, { mode: 0o444 });
  const r = spawnSync('sh', [join(home, 'bin', 'agent-entrypoint.sh'), tokenFile, AGENT_TOKEN_VARIABLE, 'traceable-agent', '--serve'], {
    encoding: 'utf8',
    env: { PATH: shim.path },
  });
  expect(r.stdout).toBe('agent started\n');
  expect(r.status).toBe(0);
  const records = shim.records();
  expect(recordsHolding(records, [CANARY])).toEqual([`traceable-agent: environment ${AGENT_TOKEN_VARIABLE}`]);
  // The token file is read by the entrypoint's shell itself (no child process sees it); the agent is the only program
  // it runs.
  expect(records.map((record) => record.program)).toEqual(['sh', 'traceable-agent']);
});
