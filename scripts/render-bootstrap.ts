/**
 * Writes the fleet's rendered user data and everything it installs, for reading and testing outside the stack.
 *
 *   traceable-mirroring-render-bootstrap (npm run render:bootstrap -- in the repository) --out DIR [--config examples/config.json] [--interface ens5] [--feed socket|file]
 *
 * DIR receives: user-data.sh (as given to EC2, but for the bundle bucket's name, which Terraform fills in),
 * bootstrap.env, suricata.yaml (rendered for --interface, default ens5), files/ (the tree unpacked under
 * /opt/traceable) and sizes.json. --feed overrides the configuration's AgentFeed: `file` makes the hosts append
 * every event the agent would receive to /var/traceable/log/suricata/traceable-feed.json, to look at it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BootstrapProps, bootstrapBundle, bootstrapEnvironment, bootstrapFiles, encodeUserData, renderSuricataYaml, renderUserData } from '../bootstrap';
import { DEFAULT_CAPTURE_INTERFACE, USER_DATA_LIMIT_BYTES } from '../bootstrap/constants';
import { FEED_MODES, FeedMode } from '../shared';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config';
import { bootstrapPropsOf } from '../plan';
import { parseFlags } from './doctor/cli';

const USAGE = 'usage: traceable-mirroring-render-bootstrap --out DIR [--config FILE] [--interface NAME] [--feed socket|file]';

const HELP = [
  USAGE,
  '',
  'Writes what the agent hosts of a configuration get, for reading and testing outside the stack: user-data.sh,',
  'bootstrap.env, suricata.yaml, files/ (the tree unpacked under /opt/traceable) and sizes.json. No AWS call is made.',
  '',
  '  --out        the directory to write into',
  '  --config     the configuration file (default: the example)',
  `  --interface  the capture interface suricata.yaml names (default: ${DEFAULT_CAPTURE_INTERFACE})`,
  '  --feed       socket (to the agent) or file (every event appended to a file on the host, to look at it)',
  '',
  'In a clone of the repository: npm run render:bootstrap -- <the same flags>.',
].join('\n');

const FLAGS = ['out', 'config', 'interface', 'feed'] as const;

/** The command line's values; throws with the first problem. `--help` is answered before (see main). */
export function parseArgs(argv: readonly string[]): { out: string; config?: string; iface: string; feed?: FeedMode } {
  const parsed = parseFlags(argv, FLAGS);
  if ('error' in parsed) throw new Error(`${parsed.error}; ${USAGE}`);
  if ('help' in parsed) throw new Error(USAGE);
  const { out, config, interface: iface = DEFAULT_CAPTURE_INTERFACE, feed } = parsed.values;
  if (feed !== undefined && !(FEED_MODES as readonly string[]).includes(feed)) throw new Error(`--feed must be ${FEED_MODES.join(' or ')}, got ${JSON.stringify(feed)}`);
  if (!out) throw new Error(USAGE);
  return { out, config, iface, feed: feed as FeedMode | undefined };
}

export function renderBootstrapTo(out: string, props: BootstrapProps, iface: string = DEFAULT_CAPTURE_INTERFACE) {
  mkdirSync(out, { recursive: true });
  const userData = renderUserData(props);
  writeFileSync(join(out, 'user-data.sh'), userData, { mode: 0o644 });
  const env = bootstrapEnvironment(props);
  writeFileSync(join(out, 'bootstrap.env'), Object.entries(env).map(([k, v]) => `${k}='${v}'\n`).join(''));
  writeFileSync(join(out, 'suricata.yaml'), renderSuricataYaml(iface));
  for (const f of bootstrapFiles()) {
    const target = join(out, 'files', f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: parseInt(f.mode, 8) });
  }
  // The bundle (the files, fetched from S3 at boot) has no such limit; its size is shown for reading.
  const sizes = { userDataBytes: Buffer.from(encodeUserData(userData), 'base64').length, limitBytes: USER_DATA_LIMIT_BYTES, bundleBytes: bootstrapBundle('ec2').gzip.length };
  writeFileSync(join(out, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
  return sizes;
}

function main(argv: readonly string[]) {
  if ('help' in parseFlags(argv, FLAGS)) {
    console.log(HELP);
    return;
  }
  const args = parseArgs(argv);
  const configPath = args.config ?? DEFAULT_CONFIG_PATH;
  const { config } = loadConfig(configPath);
  const props = { ...bootstrapPropsOf(config), ...(args.feed ? { feedMode: args.feed } : {}) };
  const sizes = renderBootstrapTo(resolve(args.out), props, args.iface);
  console.log(
    `rendered ${configPath} into ${resolve(args.out)} (feed: ${props.feedMode}): user data ${sizes.userDataBytes} of ${sizes.limitBytes} bytes (gzip), bundle ${sizes.bundleBytes} bytes (gzip, fetched from S3)`,
  );
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`render-bootstrap: ${(err as Error).message}`);
    process.exit(1);
  }
}
