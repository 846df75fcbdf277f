/**
 * `npm run doctor -- --stack <StackName> [--config path]`: picks the stack's configuration (MIRRORING_CONFIG or --config,
 * resolved as main.ts does), runs the checks with clients for its region and prints the report.
 * Exit 0 when no check failed, 1 when one did, 2 for usage and configuration errors.
 */
import { sessionHourPrice } from './cost';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfigs, type LoadedConfig } from '../../stacks/config';
import type { DoctorClients } from './checks';
import { exitCodeOf, formatReport, runChecks } from './report';

export const USAGE = 'usage: npm run doctor -- --stack <StackName> [--config <file, comma-separated files or directory>]';

export interface DoctorIo {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  clientsFor: (region: string) => DoctorClients;
  now: () => number;
}

export function parseArgs(argv: readonly string[]): { stack: string; config?: string } | { error: string } {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag !== '--stack' && flag !== '--config') return { error: `unknown argument ${argv[i]}` };
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) return { error: `${flag} needs a value` };
    values[flag.slice(2)] = value;
  }
  if (!values.stack) return { error: '--stack is required' };
  return { stack: values.stack, config: values.config };
}

export async function runDoctor(argv: readonly string[], io: DoctorIo): Promise<number> {
  const args = parseArgs(argv);
  if ('error' in args) {
    io.stderr(`doctor: ${args.error}`);
    io.stderr(USAGE);
    return 2;
  }
  const spec = args.config ?? (io.env.MIRRORING_CONFIG || DEFAULT_CONFIG_PATH);
  let configs: LoadedConfig[];
  try {
    configs = loadConfigs(spec);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(error.message);
    return 2;
  }
  const chosen = configs.find(({ config }) => config.StackName === args.stack);
  if (!chosen) {
    io.stderr(`doctor: no configuration in ${spec} has StackName ${args.stack}; available: ${configs.map(({ config }) => config.StackName).join(', ')}`);
    return 2;
  }
  const report = await runChecks(io.clientsFor(chosen.config.Region), chosen.config, io.now(), sessionHourPrice(io.env));
  for (const line of formatReport(report)) io.stdout(line);
  return exitCodeOf(report);
}
