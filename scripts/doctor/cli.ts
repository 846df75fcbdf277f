/**
 * `npm run doctor -- --stack <StackName> [--config path]`: picks the stack's configuration (MIRRORING_CONFIG or --config,
 * resolved as main.ts does), runs the checks with clients for its region and prints the report.
 * Exit 0 when no check failed, 1 when one did, 2 for usage and configuration errors.
 */
import { sessionHourPrice } from './cost';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfigs, type LoadedConfig } from '../../config';
import type { DoctorClients } from './checks';
import { parseProbeUrl, type ProbeIo } from './probe';
import { exitCodeOf, formatReport, runChecks } from './report';

export const USAGE = 'usage: traceable-mirroring-doctor --stack <StackName> [--config <file, comma-separated files or directory>] [--probe <http(s) URL through a mirrored load balancer>]';

export const HELP = [
  USAGE,
  '',
  'Is the stack\'s traffic mirroring working, and if not, why: the agent fleet\'s health, the mirror sessions, the sources',
  'the session Lambda saw, its recent runs and the token secret, read with the AWS credentials of the collector\'s account',
  '(the SDK\'s default chain: AWS_PROFILE, the environment, SSO, an instance role). With MirrorTargetType GWLB_ENDPOINT also the',
  'Gateway Load Balancer, its endpoint service (acceptance, allowed principals) and an endpoint with a mirror target in each subnet.',
  '',
  '  --stack   the StackName of the configuration to check',
  '  --config  the configuration: a file, comma-separated files or a directory (default: MIRRORING_CONFIG, else the example)',
  '  --probe   also send one request through a mirrored load balancer and wait for its event on the hosts',
  '',
  'In a clone of the repository: npm run doctor -- <the same flags>.',
  'Exit 0 when no check failed, 1 when one did, 2 for usage, configuration and credential errors.',
].join('\n');

export interface DoctorIo {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  clientsFor: (region: string) => DoctorClients;
  now: () => number;
  /** Resolves the credentials the clients will use, once, before any check; throws when there are none. */
  checkCredentials: (region: string) => Promise<void>;
  /** For --probe: the HTTP request and the pauses between polls. */
  request: ProbeIo['request'];
  sleep: ProbeIo['sleep'];
}

/** What a command line asked for: the flags' values, help (`--help` or `-h` anywhere), or its first problem. */
export type ParsedFlags<F extends string> = { values: Partial<Record<F, string>> } | { help: true } | { error: string };

/** `--flag value` or `--flag=value` pairs of the allowed flags. Shared by every command of the package. */
export function parseFlags<F extends string>(argv: readonly string[], allowed: readonly F[]): ParsedFlags<F> {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { help: true };
  const values: Partial<Record<F, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const name = flag.slice(2) as F;
    if (!flag.startsWith('--') || !allowed.includes(name)) return { error: `unknown argument ${argv[i]}` };
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) return { error: `${flag} needs a value` };
    values[name] = value;
  }
  return { values };
}

function parseArgs(argv: readonly string[]): { stack: string; config?: string; probe?: URL } | { help: true } | { error: string } {
  const parsed = parseFlags(argv, ['stack', 'config', 'probe']);
  if (!('values' in parsed)) return parsed;
  if (!parsed.values.stack) return { error: '--stack is required' };
  const probe = parsed.values.probe === undefined ? undefined : parseProbeUrl(parsed.values.probe);
  if (probe && !(probe instanceof URL)) return probe;
  return { stack: parsed.values.stack, config: parsed.values.config, probe };
}

/**
 * The configuration whose StackName is `stack` among those `--config` (else MIRRORING_CONFIG, else the example) names,
 * loaded as main.ts loads them; or the message to print (exit 2). Shared with `npm run permissions`.
 */
export function selectStack(tool: string, stack: string, config: string | undefined, env: NodeJS.ProcessEnv): { chosen: LoadedConfig } | { error: string } {
  const spec = config ?? (env.MIRRORING_CONFIG || DEFAULT_CONFIG_PATH);
  let configs: LoadedConfig[];
  try {
    configs = loadConfigs(spec);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { error: error.message };
  }
  const chosen = configs.find((loaded) => loaded.config.StackName === stack);
  if (!chosen) return { error: `${tool}: no configuration in ${spec} has StackName ${stack}; available: ${configs.map((loaded) => loaded.config.StackName).join(', ')}` };
  return { chosen };
}

export async function runDoctor(argv: readonly string[], io: DoctorIo): Promise<number> {
  const args = parseArgs(argv);
  if ('help' in args) {
    io.stdout(HELP);
    return 0;
  }
  if ('error' in args) {
    io.stderr(`doctor: ${args.error}`);
    io.stderr(USAGE);
    return 2;
  }
  const selected = selectStack('doctor', args.stack, args.config, io.env);
  if ('error' in selected) {
    io.stderr(selected.error);
    return 2;
  }
  const { chosen } = selected;
  try {
    await io.checkCredentials(chosen.config.Region);
  } catch (error) {
    io.stderr(`doctor: ${credentialsProblem(chosen.config.Region, error)}`);
    return 2;
  }
  const probe = args.probe && { url: args.probe, io: { request: io.request, sleep: io.sleep, now: io.now } };
  const report = await runChecks(io.clientsFor(chosen.config.Region), chosen.config, io.now(), sessionHourPrice(io.env), probe);
  for (const line of formatReport(report)) io.stdout(line);
  return exitCodeOf(report);
}

/** One line for credentials that cannot be used, instead of the same failure from every check. */
export function credentialsProblem(region: string, error: unknown): string {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `no usable AWS credentials for ${region} (${reason}); run with the credentials of the stack's account, e.g. AWS_PROFILE=<profile>`;
}
