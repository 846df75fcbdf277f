/**
 * What runs on the fleet's instances: the user data that installs Suricata and the Traceable agent, rendered
 * from the plain files under bootstrap/files/ (scripts, Suricata configuration, systemd units) so that they can
 * be read, shellchecked and tested outside the stack. The ECS fleet reuses the same pieces: see
 * {@link renderSuricataYaml}, {@link agentEnvironment} and {@link bootstrapEnvironment}.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AGENT_FEED_PATH_VARIABLE, AGENT_TOKEN_VARIABLE, CONTAINER_SLICE, DEFAULT_AWS_CLI_IMAGE, DEFAULT_CAPTURE_INTERFACE, DEFAULT_CLOUDWATCH_AGENT_VERSION, ECS_TASKS_CGROUP, EMF_LISTENER, EVE_FILE_IN_CONTAINER, FEED_DIR, FEED_MAX_DGRAM_QLEN, FEED_FILE_PATH, FEED_SOCKET_PATH, SURICATA_LOG_DIR, SURICATA_STATS_FILE, SURICATA_LUA_DIR, TRACEABLE_AGENT_REPOSITORY } from './constants';
import { DEFAULT_FEED_MODE, DEFAULT_HTTP_BODY_LIMIT, DEFAULT_SURICATA_IMAGE, DEFAULT_TRACEABLE_AGENT_VERSION, FEED_MODES, FeedMode, GENEVE_UDP_PORT, MAX_GATEWAY_LOAD_BALANCER_CIDRS, cidrsWithHostBits, HEALTH_CHECK_PATH, HEALTH_CHECK_PORT, HOST_METRICS_INTERVAL_SECONDS, MAX_HTTP_BODY_LIMIT, MEMORY_METRIC_DIMENSION, MEMORY_METRIC_NAME, METRICS_NAMESPACE, PLAIN_HOST_SETTING } from '../shared';
import { packagePath } from '../shared/package-root';

/** What the fleet's instances need to know at boot. Nothing secret: the token is read at boot from Secrets Manager. */
export interface BootstrapProps {
  /** AWS region of the stack (for the Secrets Manager and CloudWatch calls made at boot). */
  readonly region: string;
  /** The secret holding `{"refresh_token": "..."}` as GetSecretValue's SecretId takes it: its ARN or its name (the plan's
   * tokenSecretId), or a Terraform reference such as `${aws_secretsmanager_secret.x.arn}`. The hosts' variable keeps its
   * old name, TRACEABLE_TOKEN_SECRET_ARN. */
  readonly tokenSecretId: string;
  /** Traceable environment name (TraceableEnvironment). */
  readonly traceableEnvironment: string;
  /** Service name shown for the mirrored traffic (TraceableServiceName). */
  readonly traceableServiceName: string;
  /** Traceable API endpoint host (TraceableAPIEndpoint). */
  readonly traceableApiEndpoint: string;
  /** Traceable platform agent version, the tag of `traceableai/traceable-agent` (TraceableAgentVersion).
   * Default {@link DEFAULT_TRACEABLE_AGENT_VERSION}. Ignored when {@link traceableAgentImage} is given. */
  readonly traceableAgentVersion?: string;
  /** Full agent image reference (TraceableAgentImage), e.g. a mirror in ECR. Default `traceableai/traceable-agent:<traceableAgentVersion>`. */
  readonly traceableAgentImage?: string;
  /** Suricata 7.0.x container image (SuricataImage). Default {@link DEFAULT_SURICATA_IMAGE}. */
  readonly suricataImage?: string;
  /** aws CLI container image used to read the secret on Ubuntu, which has no aws CLI. Default {@link DEFAULT_AWS_CLI_IMAGE}. */
  readonly awsCliImage?: string;
  /** CloudWatch agent .deb version on Ubuntu (S3 path element). Default {@link DEFAULT_CLOUDWATCH_AGENT_VERSION}. */
  readonly cloudWatchAgentVersion?: string;
  /** Name of the agent hosts' autoscaling group (also the ECS cluster and service): the value of the host metrics'
   * group dimension, which the alarms and scaling policies select. */
  readonly agentGroupName: string;
  /** Log group the EC2 hosts' metrics documents go to (created by the stack, with a retention).
   * @default - the CloudWatch agent's default */
  readonly metricsLogGroupName?: string;
  /** How the HTTP events reach the agent (AgentFeed): unix datagram socket or file. Default {@link DEFAULT_FEED_MODE}. */
  readonly feedMode?: FeedMode;
  /** Bytes of each request and response body in the events (HttpBodyLimit), 0 for none. Default {@link DEFAULT_HTTP_BODY_LIMIT}. */
  readonly httpBodyLimit?: number;
  /** GWLB mode (MirrorTargetType GWLB_ENDPOINT): the IPv4 CIDR blocks of the Gateway Load Balancer's nodes
   * (GatewayLoadBalancerCidrs). The hosts then decode the GENEVE-wrapped VXLAN (UDP {@link GENEVE_UDP_PORT}) Suricata
   * captures from these only, consume every GENEVE packet (nothing returned, nothing forwarded) and answer the health
   * check from these only (files/geneve-firewall.sh). Absent (NLB mode): every rendered file is what it was before
   * GWLB mode existed. */
  readonly geneveSourceCidrs?: readonly string[];
}

/** A file the user data installs: its path on the instance, mode and content. */
export interface BootstrapFile {
  readonly path: string;
  readonly mode: string;
  readonly content: string;
}

/** Directory of the plain files the user data is rendered from (shipped as they are in the package). */
export const BOOTSTRAP_FILES_DIR = packagePath('bootstrap', 'files');

/** Where the scripts and templates are installed on the instance. */
export const INSTALL_DIR = '/opt/traceable';

/** Where the ECS hosts keep the agent's files (tmpfs), written by `traceable-agent-files.service` before the ECS agent
 * starts: the refresh token (token.sh) and the agent image's own entrypoint and command (agent-command.sh). The task
 * mounts this directory read-only into the agent container at {@link AGENT_FILES_IN_CONTAINER}; its parent is root's alone. */
export const AGENT_FILES_DIR = '/run/traceable/agent';

/** Where the agent container sees {@link AGENT_FILES_DIR}. */
export const AGENT_FILES_IN_CONTAINER = '/run/secrets/traceable';

/** The token file's name in {@link AGENT_FILES_DIR}; agent-entrypoint.sh reads the command from `agent-command` beside it. */
export const AGENT_TOKEN_FILE_NAME = 'refresh-token';

/** Placeholder for the capture interface in files/suricata.yaml (replaced at boot, or by {@link renderSuricataYaml}). */
export const CAPTURE_INTERFACE_PLACEHOLDER = '__CAPTURE_INTERFACE__';

/** Suricata's Lua output scripts, in the order of the `lua` output's `scripts` in files/suricata.yaml. */
export const LUA_OUTPUT_SCRIPTS = ['traceable_http.lua', 'traceable_http2.lua'];

/** The one rule file (in the Lua scripts' folder, suricata.yaml's default-rule-path): it marks flows with a reassembly
 * gap for traceable_http2.lua. */
export const GAP_RULES = 'traceable_gaps.rules';

/** The output scripts and the modules they require: the feed they share, the HTTP/2 parser (files/lua/, installed in
 * {@link SURICATA_LUA_DIR}). */
export const LUA_SCRIPTS = ['traceable_feed.lua', 'traceable_h2.lua', ...LUA_OUTPUT_SCRIPTS];

/** Which fleet's hosts install a file: only the plain EC2 hosts (`ec2`), only the ECS container instances (`ecs`),
 * or both (absent). Each gets only its own, to keep its user data under EC2's limit. */
export type FleetKind = 'ec2' | 'ecs';

/** Source file (under files/) → installed path and mode; `gwlb`: installed in GWLB mode only. */
const FILES: ReadonlyArray<{ src: string; path: string; mode: string; fleet?: FleetKind; gwlb?: true }> = [
  { src: 'lib.sh', path: `${INSTALL_DIR}/bin/lib.sh`, mode: '0644', fleet: 'ec2' },
  { src: 'bootstrap.sh', path: `${INSTALL_DIR}/bin/bootstrap.sh`, mode: '0755', fleet: 'ec2' },
  { src: 'token.sh', path: `${INSTALL_DIR}/bin/token.sh`, mode: '0755' },
  { src: 'agent-run.sh', path: `${INSTALL_DIR}/bin/agent-run.sh`, mode: '0755', fleet: 'ec2' },
  { src: 'agent-command.sh', path: `${INSTALL_DIR}/bin/agent-command.sh`, mode: '0755', fleet: 'ecs' },
  { src: 'agent-entrypoint.sh', path: `${INSTALL_DIR}/bin/agent-entrypoint.sh`, mode: '0755' },
  { src: 'imds-block.sh', path: `${INSTALL_DIR}/bin/imds-block.sh`, mode: '0755' },
  { src: 'geneve-firewall.sh', path: `${INSTALL_DIR}/bin/geneve-firewall.sh`, mode: '0755', gwlb: true },
  { src: 'suricata-start.sh', path: `${INSTALL_DIR}/bin/suricata-start.sh`, mode: '0755', fleet: 'ecs' },
  { src: 'health.py', path: `${INSTALL_DIR}/bin/health.py`, mode: '0755' },
  { src: 'metrics.py', path: `${INSTALL_DIR}/bin/metrics.py`, mode: '0755' },
  { src: 'vxlan-cut-fixer.py', path: `${INSTALL_DIR}/bin/vxlan-cut-fixer.py`, mode: '0755' },
  { src: 'suricata.yaml', path: `${INSTALL_DIR}/etc/suricata.yaml`, mode: '0644' },
  { src: 'cloudwatch-agent.json', path: `${INSTALL_DIR}/etc/cloudwatch-agent.json`, mode: '0644', fleet: 'ec2' },
  { src: 'logrotate.conf', path: `${INSTALL_DIR}/etc/logrotate.conf`, mode: '0644' },
  { src: 'systemd/suricata.service', path: `${INSTALL_DIR}/systemd/suricata.service`, mode: '0644', fleet: 'ec2' },
  { src: 'systemd/traceable.service', path: `${INSTALL_DIR}/systemd/traceable.service`, mode: '0644', fleet: 'ec2' },
  { src: 'systemd/traceable-health.service', path: `${INSTALL_DIR}/systemd/traceable-health.service`, mode: '0644', fleet: 'ec2' },
  { src: 'systemd/traceable-metrics.service', path: `${INSTALL_DIR}/systemd/traceable-metrics.service`, mode: '0644', fleet: 'ec2' },
  { src: 'systemd/traceable-cut-fixer.service', path: `${INSTALL_DIR}/systemd/traceable-cut-fixer.service`, mode: '0644' },
  { src: 'systemd/traceable-logrotate.service', path: `${INSTALL_DIR}/systemd/traceable-logrotate.service`, mode: '0644' },
  { src: 'systemd/traceable-logrotate.timer', path: `${INSTALL_DIR}/systemd/traceable-logrotate.timer`, mode: '0644' },
  { src: 'systemd/traceable-imds-block@.service', path: `${INSTALL_DIR}/systemd/traceable-imds-block@.service`, mode: '0644' },
  { src: 'systemd/traceable-imds-block@.timer', path: `${INSTALL_DIR}/systemd/traceable-imds-block@.timer`, mode: '0644' },
  { src: 'systemd/traceableagents.slice', path: `${INSTALL_DIR}/systemd/traceableagents.slice`, mode: '0644', fleet: 'ec2' },
  { src: 'systemd/ecs/traceable-ecs-host.service', path: `${INSTALL_DIR}/systemd/ecs/traceable-ecs-host.service`, mode: '0644', fleet: 'ecs' },
  { src: 'systemd/ecs/traceable-agent-files.service', path: `${INSTALL_DIR}/systemd/ecs/traceable-agent-files.service`, mode: '0644', fleet: 'ecs' },
  { src: 'systemd/ecs/traceable-agent-files.timer', path: `${INSTALL_DIR}/systemd/ecs/traceable-agent-files.timer`, mode: '0644', fleet: 'ecs' },
  { src: 'systemd/ecs/ecs-requires-traceable.conf', path: `${INSTALL_DIR}/systemd/ecs/ecs-requires-traceable.conf`, mode: '0644', fleet: 'ecs' },
  ...LUA_SCRIPTS.map((name) => ({ src: `lua/${name}`, path: `${SURICATA_LUA_DIR}/${name}`, mode: '0644' })),
  { src: `lua/${GAP_RULES}`, path: `${SURICATA_LUA_DIR}/${GAP_RULES}`, mode: '0644' },
];

/** Shell scripts among the files (for shellcheck), by the shell they run in: bash on the host, POSIX sh in containers
 * whose images may have no bash. fetch-bundle.sh runs from the user data, not from the bundle. */
export const SHELL_SCRIPTS: Readonly<Record<string, 'bash' | 'sh'>> = {
  'lib.sh': 'bash',
  'bootstrap.sh': 'bash',
  'token.sh': 'bash',
  'agent-run.sh': 'bash',
  'agent-command.sh': 'bash',
  'imds-block.sh': 'bash',
  'geneve-firewall.sh': 'bash',
  'fetch-bundle.sh': 'bash',
  'agent-entrypoint.sh': 'sh',
  'suricata-start.sh': 'sh',
};

function readSource(src: string): string {
  return readFileSync(join(BOOTSTRAP_FILES_DIR, src), 'utf8');
}

/** Lines of a source kept in one mode only, between `# traceable:gwlb-only begin` and `# traceable:gwlb-only end`
 * (or nlb-only): GWLB mode adds to the files without changing a byte of what NLB mode installs. */
const MODE_ONLY = (mode: 'gwlb' | 'nlb') => new RegExp(`^[ \\t]*# traceable:${mode}-only begin\\n[\\s\\S]*?^[ \\t]*# traceable:${mode}-only end\\n`, 'gm');

/** What stands for the GWLB's CIDR blocks in the GWLB-only lines: the capture filter (files/suricata.yaml) and the
 * firewall's arguments (files/systemd/traceable-imds-block@.service). */
const GENEVE_CAPTURE_FILTER_PLACEHOLDER = '__GENEVE_CAPTURE_FILTER__';
const GENEVE_SOURCE_CIDRS_PLACEHOLDER = '__GENEVE_SOURCE_CIDRS__';

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/([1-9]|[12]\d|3[0-2])$/;

/** geneveSourceCidrs validated: 1 to {@link MAX_GATEWAY_LOAD_BALANCER_CIDRS} IPv4 CIDR blocks with prefix /1 to /32 and no
 * host bits (the capture filter refuses them), or undefined (NLB mode). */
export function geneveSourceCidrsOf(cidrs: readonly string[] | undefined): readonly string[] | undefined {
  if (cidrs === undefined) return undefined;
  const allowed = `1 to ${MAX_GATEWAY_LOAD_BALANCER_CIDRS} IPv4 CIDR blocks such as 10.0.0.0/24, without host bits`;
  if (!Array.isArray(cidrs) || cidrs.length === 0 || cidrs.length > MAX_GATEWAY_LOAD_BALANCER_CIDRS) {
    throw new Error(`bootstrap: geneveSourceCidrs must be ${allowed}, got ${JSON.stringify(cidrs)}`);
  }
  for (const cidr of cidrs) {
    if (typeof cidr !== 'string' || !IPV4_CIDR.test(cidr)) {
      throw new Error(`bootstrap: geneveSourceCidrs must be ${allowed}, got ${JSON.stringify(cidr)}`);
    }
    if (cidrsWithHostBits([cidr]).length > 0) {
      throw new Error(`bootstrap: geneveSourceCidrs must be ${allowed}, got ${JSON.stringify(cidr)} (host bits set)`);
    }
  }
  return cidrs;
}

/** A source in NLB mode (its GWLB-only lines dropped) or in GWLB mode (its NLB-only lines dropped, the CIDR blocks
 * put in). */
function forMode(content: string, geneveSourceCidrs: readonly string[] | undefined): string {
  const cidrs = geneveSourceCidrsOf(geneveSourceCidrs);
  if (cidrs === undefined) return content.replace(MODE_ONLY('gwlb'), '');
  const filter = `udp dst port ${GENEVE_UDP_PORT} and (${cidrs.map((cidr) => `src net ${cidr}`).join(' or ')})`;
  return content
    .replace(MODE_ONLY('nlb'), '')
    .replaceAll(GENEVE_CAPTURE_FILTER_PLACEHOLDER, filter)
    .replaceAll(GENEVE_SOURCE_CIDRS_PLACEHOLDER, `${HEALTH_CHECK_PORT} ${cidrs.join(' ')}`);
}

/** Scripts, units and logrotate configuration are installed without their full-line comments, to keep the user data
 * under EC2's 16 KB (the sources in bootstrap/files keep them; the Suricata configuration is installed as it is). */
const COMMENTED = /\.(sh|py|service|timer|slice|conf)$/;

function withoutCommentLines(content: string): string {
  return content
    .split('\n')
    .filter((line) => !/^\s*#(?!!)/.test(line))
    .join('\n');
}

/** A Lua source without its comment-only and blank lines and without indentation (our scripts have no multi-line
 * comments, and their one multi-line string holds C declarations, where indentation does not matter). */
export function luaWithoutComments(source: string): string {
  return `${source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('--'))
    .join('\n')}\n`;
}

/** suricata.yaml without its comment-only and blank lines (the explanations stay in bootstrap/files/suricata.yaml). */
function yamlWithoutComments(source: string): string {
  return `${source
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s*#/.test(line))
    .join('\n')}\n`;
}

/** The files installed under {@link INSTALL_DIR} (all of them, or those of one fleet kind), the same for every configuration
 * of a mode (the settings travel in /etc/traceable/bootstrap.env, see {@link bootstrapEnvironment}); GWLB mode
 * ({@link BootstrapProps.geneveSourceCidrs}) adds geneve-firewall.sh and its lines in the other files. */
export function bootstrapFiles(fleet?: FleetKind, geneveSourceCidrs?: readonly string[]): BootstrapFile[] {
  const files = FILES.filter((file) => (!fleet || !file.fleet || file.fleet === fleet) && (!file.gwlb || geneveSourceCidrs !== undefined));
  return files.map(({ src, path, mode }) => {
    let content = forMode(readSource(src), geneveSourceCidrs);
    if (COMMENTED.test(src)) content = withoutCommentLines(content);
    // The Lua scripts' comments stay in the source (bootstrap/files/lua): the installed copies are the code only,
    // to keep the user data under EC2's limit.
    if (src.endsWith('.lua')) content = luaWithoutComments(content);
    if (src === 'suricata.yaml') content = yamlWithoutComments(content);
    if (src === 'cloudwatch-agent.json') {
      content = content
        .replaceAll('__METRICS_NAMESPACE__', METRICS_NAMESPACE)
        .replaceAll('__MEMORY_METRIC_DIMENSION__', MEMORY_METRIC_DIMENSION)
        .replaceAll('__MEMORY_METRIC_NAME__', MEMORY_METRIC_NAME);
    }
    return { path, mode, content };
  });
}

/** The Suricata configuration for a capture interface (the instance renders the same at boot with the detected
 * primary interface; an ECS task may instead keep the placeholder and pass `--af-packet=IFACE`, which uses the
 * configuration's `default` entry). */
export function renderSuricataYaml(
  captureInterface: string = DEFAULT_CAPTURE_INTERFACE,
  options: { luaDir?: string; geneveSourceCidrs?: readonly string[] } = {},
): string {
  if (!/^[A-Za-z0-9._-]{1,15}$/.test(captureInterface)) throw new Error(`invalid interface name: ${captureInterface}`);
  const yaml = yamlWithoutComments(forMode(readSource('suricata.yaml'), options.geneveSourceCidrs)).replaceAll(CAPTURE_INTERFACE_PLACEHOLDER, captureInterface);
  // Tests and benchmarks run the scripts and the rule file from the source tree (files/lua) instead of the installed copy.
  return options.luaDir === undefined ? yaml : yaml.replaceAll(`: ${SURICATA_LUA_DIR}\n`, `: ${options.luaDir}\n`);
}

/** Directory of the Lua output scripts in the source tree (for running Suricata on them outside an instance). */
export const LUA_SOURCE_DIR = join(BOOTSTRAP_FILES_DIR, 'lua');

/** The feed's settings as the Lua module reads them from Suricata's environment (TRACEABLE_FEED_MODE,
 * TRACEABLE_FEED_PATH, TRACEABLE_HTTP_BODY_LIMIT), validated. */
export function feedEnvironment(feedMode: FeedMode = DEFAULT_FEED_MODE, httpBodyLimit: number = DEFAULT_HTTP_BODY_LIMIT) {
  if (!FEED_MODES.includes(feedMode)) {
    throw new Error(`bootstrap: feedMode must be one of ${FEED_MODES.join(', ')}, got ${JSON.stringify(feedMode)}`);
  }
  if (!Number.isInteger(httpBodyLimit) || httpBodyLimit < 0 || httpBodyLimit > MAX_HTTP_BODY_LIMIT) {
    throw new Error(`bootstrap: httpBodyLimit must be a whole number of bytes from 0 to ${MAX_HTTP_BODY_LIMIT}, got ${JSON.stringify(httpBodyLimit)}`);
  }
  return {
    TRACEABLE_FEED_MODE: feedMode,
    TRACEABLE_FEED_PATH: feedMode === 'socket' ? FEED_SOCKET_PATH : FEED_FILE_PATH,
    TRACEABLE_HTTP_BODY_LIMIT: String(httpBodyLimit),
  };
}

const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;
/** A secret ARN, or a Terraform / cdktf reference resolving to one (`${aws_secretsmanager_secret.x.arn}`). */
const ARN_OR_REFERENCE = /^[A-Za-z0-9:/_+=.@${}[\]-]+$/;

function check(name: string, value: string, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new Error(`bootstrap: ${name} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  if (pattern !== ARN_OR_REFERENCE && (value.includes('${') || value.includes('%{'))) {
    throw new Error(`bootstrap: ${name} must not contain a Terraform template sequence`);
  }
  return value;
}

/** The settings the instance's scripts and units read from /etc/traceable/bootstrap.env, validated so that they
 * can be single-quoted in a file that both bash and systemd read, and contain no Terraform template sequence
 * (only the secret ARN may be a Terraform reference). */
export function bootstrapEnvironment(props: BootstrapProps): Record<string, string> {
  const agentImage =
    props.traceableAgentImage ?? `${TRACEABLE_AGENT_REPOSITORY}:${props.traceableAgentVersion ?? DEFAULT_TRACEABLE_AGENT_VERSION}`;
  return {
    TRACEABLE_REGION: check('region', props.region, REGION, 'an AWS region'),
    TRACEABLE_TOKEN_SECRET_ARN: check('tokenSecretId', props.tokenSecretId, ARN_OR_REFERENCE, 'a secret ARN or name, or a Terraform reference'),
    TRACEABLE_ENVIRONMENT: check('traceableEnvironment', props.traceableEnvironment, PLAIN_HOST_SETTING, 'letters, digits, spaces and ._:/@+=,-'),
    TRACEABLE_SERVICE_NAME: check('traceableServiceName', props.traceableServiceName, PLAIN_HOST_SETTING, 'letters, digits, spaces and ._:/@+=,-'),
    TRACEABLE_API_ENDPOINT: check('traceableApiEndpoint', props.traceableApiEndpoint, HOST, 'a host name, optionally with :port'),
    TRACEABLE_AGENT_IMAGE: check('traceableAgentImage', agentImage, IMAGE, 'a container image reference'),
    TRACEABLE_SURICATA_IMAGE: check('suricataImage', props.suricataImage ?? DEFAULT_SURICATA_IMAGE, IMAGE, 'a container image reference'),
    TRACEABLE_AWS_CLI_IMAGE: check('awsCliImage', props.awsCliImage ?? DEFAULT_AWS_CLI_IMAGE, IMAGE, 'a container image reference'),
    TRACEABLE_CLOUDWATCH_AGENT_VERSION: check(
      'cloudWatchAgentVersion',
      props.cloudWatchAgentVersion ?? DEFAULT_CLOUDWATCH_AGENT_VERSION,
      /^[A-Za-z0-9._-]+$/,
      'a version such as latest or 1.300049.1b929',
    ),
    TRACEABLE_EVE_FILE: EVE_FILE_IN_CONTAINER,
    ...feedEnvironment(props.feedMode, props.httpBodyLimit),
    TRACEABLE_HEALTH_PORT: String(HEALTH_CHECK_PORT),
    TRACEABLE_HEALTH_PATH: HEALTH_CHECK_PATH,
    TRACEABLE_FEED_DIR: FEED_DIR,
    TRACEABLE_FEED_MAX_DGRAM_QLEN: String(FEED_MAX_DGRAM_QLEN),
    TRACEABLE_CONTAINER_SLICE: CONTAINER_SLICE,
    TRACEABLE_AGENT_CREDENTIAL_VARIABLE: AGENT_TOKEN_VARIABLE,
    TRACEABLE_STATS_FILE: `${SURICATA_LOG_DIR}/${SURICATA_STATS_FILE}`,
    TRACEABLE_METRICS_NAMESPACE: METRICS_NAMESPACE,
    TRACEABLE_METRICS_GROUP_DIMENSION: MEMORY_METRIC_DIMENSION,
    TRACEABLE_METRICS_GROUP: check('agentGroupName', props.agentGroupName, /^[A-Za-z0-9._-]{1,255}$/, 'an autoscaling group name'),
    ...(props.metricsLogGroupName
      ? { TRACEABLE_METRICS_LOG_GROUP: check('metricsLogGroupName', props.metricsLogGroupName, /^[A-Za-z0-9._/#-]{1,512}$/, 'a log group name') }
      : {}),
    TRACEABLE_METRICS_SINK: EMF_LISTENER,
    TRACEABLE_METRICS_INTERVAL: String(HOST_METRICS_INTERVAL_SECONDS),
  };
}

/** The container images the hosts pull: Suricata and the agent. */
export function containerImagesOf(props: BootstrapProps): string[] {
  const env = bootstrapEnvironment(props);
  return [env.TRACEABLE_SURICATA_IMAGE, env.TRACEABLE_AGENT_IMAGE];
}

/** The agent container's environment without the token. THE place of the agent's variable names (assumed, see the
 * README), with {@link AGENT_TOKEN_VARIABLE}: the EC2 hosts get them as /etc/traceable/agent.env (`docker run
 * --env-file`), the ECS task as its environment; on both the token is exported by agent-entrypoint.sh from a file
 * mounted read-only, so it is in no container configuration. */
export function agentEnvironment(props: BootstrapProps): Record<string, string> {
  const env = bootstrapEnvironment(props);
  return {
    TA_ENVIRONMENT: env.TRACEABLE_ENVIRONMENT,
    TA_SERVICE_NAME: env.TRACEABLE_SERVICE_NAME,
    TA_REMOTE_ENDPOINT: env.TRACEABLE_API_ENDPOINT,
    // The feed's path is the same in the agent container (both mounts keep their host paths' container names).
    [AGENT_FEED_PATH_VARIABLE]: env.TRACEABLE_FEED_PATH,
  };
}

const FILE_END = 'TRACEABLE_FILE_END';

/** The script that writes {@link bootstrapFiles} under an optional root (`bash unpack.sh [ROOT]`). */
export function renderUnpackScript(files: BootstrapFile[] = bootstrapFiles()): string {
  const lines = ['#!/bin/bash', 'set -euo pipefail', 'root="${1:-}"'];
  const dirs = [...new Set(files.map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))];
  lines.push(`install -d -m 0755 ${dirs.map((d) => `"$root${d}"`).join(' ')}`);
  for (const f of files) {
    if (f.content.split('\n').includes(FILE_END)) throw new Error(`${f.path} contains the line ${FILE_END}`);
    const body = f.content.endsWith('\n') ? f.content : `${f.content}\n`;
    lines.push(`cat > "$root${f.path}" <<'${FILE_END}'`, body + FILE_END, `chmod ${f.mode} "$root${f.path}"`);
  }
  return `${lines.join('\n')}\n`;
}

/** The timer that rebuilds the metadata block for a cgroup every 10 s (an instance of traceable-imds-block@.timer). */
export function imdsBlockTimer(cgroup: string): string {
  return `traceable-imds-block@${cgroup}.timer`;
}

/** The bootstrap bundle: the gzip of the unpack script, stored as an S3 object of the stack (modules/bootstrap-bundle.ts)
 * under a key holding its sha256, so that any change to the files is a new key, new user data, a new launch template
 * version and an instance refresh. */
export interface BootstrapBundle {
  readonly key: string;
  readonly sha256: string;
  readonly gzip: Buffer;
}

/** Key prefix of the bundles in the bucket: the instance role may read this prefix only. */
export const BUNDLE_KEY_PREFIX = 'bootstrap/';

/** Stands for the bundle bucket's name in the rendered user data; Terraform puts the name in (its bucket_prefix makes
 * the name known only once the bucket exists), see modules/bootstrap-bundle.ts. */
export const BUNDLE_BUCKET_PLACEHOLDER = '__TRACEABLE_BUNDLE_BUCKET__';

/** The bundle of a fleet kind's files (in GWLB mode with `geneveSourceCidrs`, see {@link bootstrapFiles}). gzip level 9,
 * no timestamp or name in the header: the same files give the same bytes. */
export function bootstrapBundle(fleet: FleetKind, geneveSourceCidrs?: readonly string[]): BootstrapBundle {
  const gzip = gzipSync(Buffer.from(renderUnpackScript(bootstrapFiles(fleet, geneveSourceCidrs)), 'utf8'), { level: 9 });
  const sha256 = createHash('sha256').update(gzip).digest('hex');
  return { key: `${BUNDLE_KEY_PREFIX}${sha256}.sh.gz`, sha256, gzip };
}

/** Where the hosts fetch the bundle and the script that fetches it, as user data lines: lib.sh (the retry and
 * signing functions) and fetch-bundle.sh, run with the instance role, then the unpack script it wrote. */
function fetchBundleLines(region: string, bundle: BootstrapBundle): string[] {
  check('region', region, REGION, 'an AWS region');
  const bin = `${INSTALL_DIR}/bin`;
  const heredoc = (src: string, end: string) => {
    const content = withoutCommentLines(readSource(src));
    if (content.split('\n').includes(end)) throw new Error(`${src} contains the line ${end}`);
    return [`cat > ${bin}/${src} <<'${end}'`, content + end];
  };
  return [
    `install -d -m 0755 ${bin}`,
    ...heredoc('lib.sh', 'TRACEABLE_LIB_END'),
    ...heredoc('fetch-bundle.sh', 'TRACEABLE_FETCH_END'),
    `bash ${bin}/fetch-bundle.sh ${region} ${BUNDLE_BUCKET_PLACEHOLDER} ${bundle.key} ${bundle.sha256} ${INSTALL_DIR}/unpack.sh`,
    `bash ${INSTALL_DIR}/unpack.sh`,
    `rm -f ${INSTALL_DIR}/unpack.sh`,
  ];
}

/** The lines that write /etc/traceable/bootstrap.env ({@link bootstrapEnvironment}: settings, no secret), which the
 * scripts source and the units read (EnvironmentFile), on both fleet kinds. */
function environmentFileLines(env: Record<string, string>): string[] {
  return ["cat > /etc/traceable/bootstrap.env <<'TRACEABLE_ENV_END'", ...Object.entries(env).map(([k, v]) => `${k}='${v}'`), 'TRACEABLE_ENV_END'];
}

/**
 * Renders the instance user data: a bash script that writes /etc/traceable/bootstrap.env (settings, no secret),
 * fetches the bundle (the unpack script of the files, see {@link bootstrapBundle}) from S3 with the instance role,
 * checks its sha256, unpacks the files and runs bootstrap.sh. The bucket's name is {@link BUNDLE_BUCKET_PLACEHOLDER},
 * which Terraform replaces; EC2 gets the result gzip-compressed (cloud-init decompresses it).
 *
 * What is rendered from the props contains no `${` or `%{` except inside `props.tokenSecretId`; the scripts have
 * their own, so the whole must reach Terraform encoded, never as a template.
 */
export function renderUserData(props: BootstrapProps, bundle: BootstrapBundle = bootstrapBundle('ec2', props.geneveSourceCidrs)): string {
  const env = bootstrapEnvironment(props);
  const lines = [
    '#!/bin/bash',
    '# Traceable traffic-mirroring target: installs Suricata and the Traceable platform agent.',
    '# Generated by bootstrap/index.ts from bootstrap/files/ (`npm run render:bootstrap` writes them out).',
    'set -euo pipefail',
    'umask 022',
    'install -d -m 0755 /etc/traceable /opt/traceable /var/traceable/log',
    ...environmentFileLines(env),
    // docker --env-file format: NAME=value, no quoting (the values are validated plain text).
    "cat > /etc/traceable/agent.env <<'TRACEABLE_AGENT_ENV_END'",
    ...Object.entries(agentEnvironment(props)).map(([k, v]) => `${k}=${v}`),
    'TRACEABLE_AGENT_ENV_END',
    ...fetchBundleLines(env.TRACEABLE_REGION, bundle),
    'exec bash /opt/traceable/bin/bootstrap.sh',
    '',
  ];
  return lines.join('\n');
}

/**
 * Renders the user data of an ECS container instance: joins the cluster, writes the same settings file and installs
 * the same files as the EC2 hosts (fetched as the EC2 hosts fetch theirs, see {@link renderUserData}; the task's
 * containers run health.py, metrics.py, suricata-start.sh and agent-entrypoint.sh from them, mounted read-only), and
 * before the ECS agent starts: creates the feed directory and rejects the instance metadata service for task
 * containers (`traceable-ecs-host.service`, required by ecs.service through a drop-in; rebuilt every 10 s by
 * {@link imdsBlockTimer}), and writes the agent's token
 * and image command to {@link AGENT_FILES_DIR} with the instance role (`traceable-agent-files.service`, wanted by
 * ecs.service, again every 15 minutes by its timer); rotates Suricata's files by size.
 */
export function renderEcsUserData(clusterName: string, props: BootstrapProps, bundle: BootstrapBundle = bootstrapBundle('ecs', props.geneveSourceCidrs)): string {
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(clusterName)) throw new Error(`bootstrap: invalid ECS cluster name ${JSON.stringify(clusterName)}`);
  const env = bootstrapEnvironment(props);
  const systemd = `${INSTALL_DIR}/systemd`;
  return [
    '#!/bin/bash',
    `# Joins the ECS cluster ${clusterName}; its service brings Suricata and the Traceable agent as containers.`,
    'set -euo pipefail',
    'umask 022',
    "cat >> /etc/ecs/ecs.config <<'ECS_CONFIG_END'",
    `ECS_CLUSTER=${clusterName}`,
    // Host-network containers then get the (empty) task role's credentials, not the instance role's.
    'ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true',
    'ECS_CONFIG_END',
    `install -d -m 0755 /etc/traceable ${INSTALL_DIR} ${SURICATA_LOG_DIR} /etc/systemd/system/ecs.service.d`,
    ...environmentFileLines(env),
    // Room in the agent's socket queue for bursts of events (host networking: the host's setting).
    `echo 'net.unix.max_dgram_qlen = ${FEED_MAX_DGRAM_QLEN}' > /etc/sysctl.d/90-traceable-feed.conf`,
    `sysctl -qw net.unix.max_dgram_qlen=${FEED_MAX_DGRAM_QLEN}`,
    ...fetchBundleLines(env.TRACEABLE_REGION, bundle),
    `install -m 0644 ${systemd}/ecs/traceable-ecs-host.service ${systemd}/ecs/traceable-agent-files.service ${systemd}/ecs/traceable-agent-files.timer ${systemd}/traceable-logrotate.service ${systemd}/traceable-logrotate.timer ${systemd}/traceable-imds-block@.service ${systemd}/traceable-imds-block@.timer ${systemd}/traceable-cut-fixer.service /etc/systemd/system/`,
    `install -m 0644 ${systemd}/ecs/ecs-requires-traceable.conf /etc/systemd/system/ecs.service.d/traceable.conf`,
    'install -d -m 0755 /var/lib/logrotate',
    'command -v logrotate >/dev/null || dnf install -y logrotate',
    'systemctl daemon-reload',
    `systemctl start ${ECS_TASKS_CGROUP}`,
    `systemctl enable --now traceable-ecs-host.service traceable-logrotate.timer ${imdsBlockTimer(ECS_TASKS_CGROUP)} traceable-cut-fixer.service`,
    // Before cloud-final ends, so before the ECS agent (ordered after it); a failure must not stop the rest of the boot.
    'systemctl start traceable-agent-files.service || echo "traceable: agent token or command not written (journalctl -u traceable-agent-files); retried every 15 minutes" >&2',
    'systemctl enable --now traceable-agent-files.timer',
    '',
  ].join('\n');
}

/** User data as EC2 takes it (base64), gzip-compressed: cloud-init (Amazon Linux 2023, Ubuntu, the ECS-optimized
 * AMI) recognizes gzip user data and decompresses it before running it. EC2's 16 KB limit applies to the gzip.
 * With the bundle bucket's name put in by Terraform, the stack uses Terraform's base64gzip instead (modules/bootstrap-bundle.ts). */
export function encodeUserData(userData: string): string {
  return gzipSync(Buffer.from(userData, 'utf8'), { level: 9 }).toString('base64');
}
