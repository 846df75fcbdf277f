/**
 * What `main.ts` runs, callable in-process (the hostile-configuration corpus test uses it): validates every
 * configuration first and synthesizes only when all are valid, so a bad file never leaves a half-written output
 * folder behind.
 */
import { App } from 'cdktf';
import { ConfigError, loadConfigs, type LoadedConfig } from '../config';
import { planSourceAccounts } from '../plan';
import { MirroringStack } from './mirroring-stack';
import { SourceAccountStack } from './source-account-stack';

export interface AppRun {
  /** 0 when synthesized, 1 when a configuration is invalid. */
  readonly exitCode: 0 | 1;
  /** What the app prints on stderr: every problem, or the warnings of valid configurations. */
  readonly stderr: string;
}

/** Validates the configurations `spec` names (as MIRRORING_CONFIG does) and synthesizes them into `outdir`. */
export function runApp(spec: string, outdir?: string): AppRun {
  let configs: LoadedConfig[];
  try {
    configs = loadConfigs(spec);
  } catch (error) {
    if (error instanceof ConfigError) return { exitCode: 1, stderr: `${error.message}\n` };
    throw error;
  }
  const warnings = configs.flatMap(({ path, warnings: list }) => list.map((warning) => `Warning: ${path}: ${warning}\n`));
  const app = new App(outdir === undefined ? {} : { outdir });
  for (const { config } of configs) {
    const collector = new MirroringStack(app, { config });
    // Source stacks deploy after their collector and are destroyed before it (cdktf orders stacks by dependency).
    for (const source of planSourceAccounts(config)) new SourceAccountStack(app, source).addDependency(collector);
  }
  app.synth();
  return { exitCode: 0, stderr: warnings.join('') };
}
