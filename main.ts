/**
 * The cdktf app: validates every configuration first and synthesizes only when all are valid, so a bad file
 * never leaves a half-written cdktf.out behind. MIRRORING_CONFIG names one file, a comma-separated list of files
 * or a directory of them (one stack per file); without it, the shipped example.
 */
import { App } from 'cdktf';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfigs, type LoadedConfig } from './stacks/config';
import { MirroringStack } from './stacks/mirroring-stack';

function main(): void {
  let configs: LoadedConfig[];
  try {
    configs = loadConfigs(process.env.MIRRORING_CONFIG || DEFAULT_CONFIG_PATH);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  for (const { path, warnings } of configs) {
    for (const warning of warnings) process.stderr.write(`Warning: ${path}: ${warning}\n`);
  }

  const app = new App();
  for (const { config } of configs) new MirroringStack(app, { config });
  app.synth();
}

main();
