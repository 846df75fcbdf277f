/**
 * The cdktf app: validates every configuration first and synthesizes only when all are valid, so a bad file
 * never leaves a half-written cdktf.out behind.
 */
import { App } from 'cdktf';
import { ConfigError, loadConfig } from './stacks/config';
import { MirroringStack } from './stacks/mirroring-stack';

const DEFAULT_CONFIG = 'examples/config.json';

function main(): void {
  const path = process.env.MIRRORING_CONFIG || DEFAULT_CONFIG;
  let parsed;
  try {
    parsed = loadConfig(path);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  for (const warning of parsed.warnings) process.stderr.write(`Warning: ${warning}\n`);

  const app = new App();
  new MirroringStack(app, { config: parsed.config });
  app.synth();
}

main();
