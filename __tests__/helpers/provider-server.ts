/**
 * The aws provider started by the test instead of by terraform, for one terraform command (TF_REATTACH_PROVIDERS).
 * terraform starts its provider once per step of a command: a plan starts it three times (for the schema, to
 * validate, to plan), and each start costs about 0.6 s CPU. Served by one process, a plan took 4.8 s CPU instead of
 * 6.7 and a `show -json` 3.5 instead of 4.2 (measured on the shipped example). It is the same binary, the one the
 * shared `terraform init` installed from the mirror, and the same plan (text and JSON compared).
 * A provider process can be configured once, so a command that configures two aws providers (a batch of stacks, an
 * alias) or configures one twice (`apply` without a saved plan plans and applies) must not run this way.
 */
import { spawn } from 'node:child_process';
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** The provider's SDK logs every request at trace level to stderr when it serves: nobody reads it here. */
const QUIET = { TF_LOG_SDK: 'off', TF_LOG_SDK_PROTO: 'off', TF_LOG_SDK_MUX: 'off', TF_LOG_PROVIDER: 'off' };
const STARTUP_TIMEOUT_MS = 120_000;

/** The aws provider binary an initialized working directory runs (its `.terraform/providers`, a link to the shared one). */
export function installedProvider(workDir: string): string {
  const providers = realpathSync(join(workDir, '.terraform', 'providers'));
  const binary = readdirSync(providers, { recursive: true, encoding: 'utf8' }).find((path) => /(^|\/)terraform-provider-aws_[^/]*$/.test(path));
  if (!binary) throw new Error(`no terraform-provider-aws binary under ${providers}: was ${workDir} initialized?`);
  return join(providers, binary);
}

/** Runs `command` with the environment that makes terraform use a provider process of `binary` started for it alone. */
export async function withOwnProvider<T>(binary: string, command: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const provider = spawn(binary, ['-debug'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...QUIET } });
  const exited = new Promise<void>((resolve) => {
    provider.once('close', () => resolve());
    provider.once('error', () => resolve()); // never started
  });
  try {
    const reattach = await new Promise<string>((resolve, reject) => {
      let printed = '';
      const timer = setTimeout(() => reject(new Error(`${binary} -debug printed no TF_REATTACH_PROVIDERS in ${STARTUP_TIMEOUT_MS / 1000} s: ${printed}`)), STARTUP_TIMEOUT_MS);
      provider.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        const line = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(printed);
        if (line) {
          clearTimeout(timer);
          resolve(line[1]);
        }
      });
      provider.once('error', reject);
      provider.once('close', (code, signal) => reject(new Error(`${binary} -debug ended (${signal ?? `exit ${code}`}) before it printed TF_REATTACH_PROVIDERS: ${printed}`)));
    });
    return await command({ TF_REATTACH_PROVIDERS: reattach });
  } finally {
    // terraform leaves a provider it did not start running; SIGINT is the provider's own way to stop serving.
    provider.kill('SIGINT');
    await exited;
  }
}
