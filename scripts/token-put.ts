/**
 * `npm run token:put -- --stack <StackName> [--config path] [--token-file path]`: puts the Traceable refresh token
 * into the stack's created secret. The logic lives in scripts/token/put.ts; this only wires the process.
 * On a terminal the token is read without echo; else stdin is read to its end (`... < token.txt`, a pipe).
 */
import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runTokenPut } from './token/put';

/** Reads one line from a terminal without echoing it (raw mode); Ctrl-C and Ctrl-D give up. */
function readHiddenLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write('Traceable refresh token (input hidden), then Enter: ');
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    let line = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004') return done(new Error('cancelled'));
        line = char === '\u007f' || char === '\b' ? line.slice(0, -1) : line + char;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) return readHiddenLine();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

runTokenPut(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin: readAllStdin,
  readFile: (path) => readFileSync(path, 'utf8'),
  clientFor: (region) => new SecretsManagerClient({ region }),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // No stack trace: it could only hold our own frames, and the token is never in an error.
    process.stderr.write(`token:put: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
