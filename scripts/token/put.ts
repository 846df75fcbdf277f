/**
 * `traceable-mirroring-token-put` (`npm run token:put --` in the repository) `--stack <StackName> [--config path] [--token-file path]`: puts the Traceable refresh token into
 * the secret the stack created (no value until then), as JSON under the key the hosts read. The token comes from a
 * file or stdin, never from argv or an environment variable, and is never printed. Terraform never sees it.
 * Exit 0 when put, 1 when AWS refused, 2 for usage, configuration and token-format errors.
 */
import { DescribeSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseFlags, selectStack } from '../doctor/cli';
import { errorCode, errorMessage } from '../../lambda/aws';
import { planDeployment } from '../../plan';
import { REFRESH_TOKEN_SECRET_KEY } from '../../shared';

export const USAGE = 'usage: traceable-mirroring-token-put --stack <StackName> [--config <file, comma-separated files or directory>] [--token-file <path>]  (else the token is read from stdin)';

const HELP = [
  USAGE,
  '',
  'Puts the Traceable refresh token into the secret the stack created (it has no value until then), as JSON under the key',
  'the hosts read, with the AWS credentials of the stack\'s account. The token comes from the file or stdin (hidden on a',
  'terminal), never from the command line or an environment variable, and is never printed; Terraform never sees it.',
  '',
  '  --stack       the StackName of the configuration',
  '  --config      the configuration: a file, comma-separated files or a directory (default: MIRRORING_CONFIG, else the example)',
  '  --token-file  read the token from this file instead of stdin',
  '',
  'In a clone of the repository: npm run token:put -- <the same flags>.',
  'Exit 0 when put, 1 when AWS refused, 2 for usage, configuration and token-format errors.',
].join('\n');

/** Far above any Traceable token, far below Secrets Manager's 65,536-byte SecretString. */
const MAX_TOKEN_LENGTH = 16_384;

export interface TokenPutIo {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** The token as typed or piped: stdin, read to its end (without echo on a terminal). */
  readStdin: () => Promise<string>;
  readFile: (path: string) => string;
  clientFor: (region: string) => SecretsManagerClient;
}

/** The token, or why it is refused (the message never quotes it). One trailing line break (echo, a file's last line) is dropped. */
export function parseToken(input: string): { token: string } | { error: string } {
  const token = input.replace(/\r?\n$/, '');
  if (token === '') return { error: 'the token is empty' };
  if (/[\r\n]/.test(token)) return { error: 'the token spans more than one line; expected the token alone, on one line' };
  if (/^\s|\s$/.test(token)) return { error: 'the token begins or ends with white space; expected the token alone, as Traceable shows it' };
  if (token.length > MAX_TOKEN_LENGTH) return { error: `the token is ${token.length} characters long; expected at most ${MAX_TOKEN_LENGTH}` };
  return { token };
}

export async function runTokenPut(argv: readonly string[], io: TokenPutIo): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`token:put: ${message}`);
    io.stderr(USAGE);
    return 2;
  };
  const parsed = parseFlags(argv, ['stack', 'config', 'token-file']);
  if ('help' in parsed) {
    io.stdout(HELP);
    return 0;
  }
  if ('error' in parsed) return usage(parsed.error);
  const { stack, config, 'token-file': tokenFile } = parsed.values;
  if (!stack) return usage('--stack is required');
  const selected = selectStack('token:put', stack, config, io.env);
  if ('error' in selected) {
    io.stderr(selected.error);
    return 2;
  }
  const { Region: region } = selected.chosen.config;
  const { tokenSecret } = planDeployment(selected.chosen.config);
  if (tokenSecret.kind === 'existing') {
    io.stderr(`token:put: stack ${stack} reads the existing secret ${tokenSecret.arn} (TraceableRefreshTokenSecretArn), which this command does not write: keep its key ${REFRESH_TOKEN_SECRET_KEY} up to date with your own tooling`);
    return 2;
  }

  let input: string;
  try {
    input = tokenFile === undefined ? await io.readStdin() : io.readFile(tokenFile);
  } catch (error) {
    io.stderr(`token:put: cannot read ${tokenFile ?? 'stdin'}: ${errorMessage(error)}`);
    return 2;
  }
  const token = parseToken(input);
  if ('error' in token) {
    io.stderr(`token:put: ${token.error} (read from ${tokenFile ?? 'stdin'}); nothing was put`);
    return 2;
  }

  const client = io.clientFor(region);
  try {
    // DescribeSecret first: a missing secret gets its own advice, before the token is sent anywhere.
    const secret = await client.send(new DescribeSecretCommand({ SecretId: tokenSecret.name }));
    if (secret.DeletedDate) {
      io.stderr(`token:put: ${tokenSecret.name} is scheduled for deletion (${secret.DeletedDate.toISOString()}); nothing was put`);
      return 1;
    }
    const put = await client.send(new PutSecretValueCommand({ SecretId: secret.ARN ?? tokenSecret.name, SecretString: JSON.stringify({ [REFRESH_TOKEN_SECRET_KEY]: token.token }) }));
    io.stdout(`token:put: put the refresh token into ${tokenSecret.name} in ${region} (version ${put.VersionId}, AWSCURRENT).`);
    io.stdout('EC2 hosts read it at the next start of the agent (one waiting for a first value retries every minute or less); ECS hosts within 15 minutes.');
    return 0;
  } catch (error) {
    const code = errorCode(error);
    const advice = code === 'ResourceNotFoundException' ? `: apply the stack first (it creates ${tokenSecret.name})` : '';
    io.stderr(`token:put: ${code}: ${errorMessage(error)}${advice}; nothing was put`);
    return 1;
  }
}
