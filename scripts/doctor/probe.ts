/**
 * `npm run doctor -- --stack X --probe URL`: one request with a unique marker through a load balancer whose targets
 * are mirrored, then, over SSM Run Command on every healthy agent host, whether it arrived.
 *
 * What it can see depends on AgentFeed:
 * - file: the agent reads the events from traceable-feed.json on the host, so the marker itself is looked for there.
 * - socket: the events go to the agent's unix socket, which cannot be read from outside. The probe compares Suricata's
 *   HTTP transaction counter (stats.json, app_layer.tx.http, rewritten every 30 s) before and after the request. That
 *   proves that a host decoded HTTP after the request, not that it was this request (other traffic counts too), and
 *   only on the host the NLB chose for that source interface: every healthy host is asked.
 *
 * Safety: the URL never reaches a shell. The SSM commands hold only constants, the marker (checked against a fixed
 * alphabet) and numbers. Every wait is bounded: the request by {@link REQUEST_TIMEOUT_MS}, the whole probe by
 * {@link PROBE_TIMEOUT_SECONDS}.
 */
import { randomBytes } from 'node:crypto';
import { GetCommandInvocationCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SURICATA_LOG_DIR, SURICATA_STATS_FILE } from '../../bootstrap/constants';
import { type FeedMode } from '../../shared';
import { errorCode, errorMessage } from '../../lambda/aws';
import type { CheckResult } from './checks';

const PROBE_TITLE = 'End-to-end probe';
/** The query parameter and header that carry the marker. */
const PROBE_PARAMETER = 'traceable-probe';
const PROBE_HEADER = 'X-Traceable-Probe';
/** How long the probe waits for the marker (file mode) or the counters (socket mode: stats.json is rewritten every 30 s). */
const PROBE_TIMEOUT_SECONDS: Record<FeedMode, number> = { file: 60, socket: 90 };
/** Socket mode: how long the counters before the request may take to arrive. */
const BASELINE_WAIT_SECONDS = 30;
/** Pause between two rounds of asking the hosts. */
const PROBE_ROUND_SECONDS = 5;
/** Pause between two GetCommandInvocation polls. */
const INVOCATION_POLL_SECONDS = 1;
const REQUEST_TIMEOUT_MS = 10_000;
/** SendCommand takes at most 50 instance ids. */
const MAX_PROBED_HOSTS = 50;

const FEED_FILE_ON_HOST = `${SURICATA_LOG_DIR}/traceable-feed.json`;
const STATS_FILE_ON_HOST = `${SURICATA_LOG_DIR}/${SURICATA_STATS_FILE}`;

const MARKER_PATTERN = /^traceable-probe-[0-9a-f]{16}$/;

/** A fresh marker: a fixed prefix and 16 hex digits, nothing a shell or grep would interpret. */
function newMarker(random: () => Buffer = () => randomBytes(8)): string {
  return `traceable-probe-${random().toString('hex')}`;
}

/** The probe URL, or why it is refused: http or https, a host, no user name or password (they would be sent and logged). */
export function parseProbeUrl(text: string): URL | { error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: `--probe ${text}: not a URL; give http(s)://host[:port]/path of a load balancer whose targets are mirrored` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `--probe ${text}: only http and https URLs are allowed` };
  if (url.username || url.password) return { error: `--probe ${text}: no user name or password in the URL` };
  return url;
}

/** The URL with the marker added to the query (what stays of the given query is kept). */
function markedUrl(url: URL, marker: string): string {
  const marked = new URL(url.href);
  marked.searchParams.append(PROBE_PARAMETER, marker);
  return marked.href;
}

/** The shell commands run on each host. Only constants and the checked marker: never the URL. */
function hostCommands(mode: FeedMode, marker: string): string[] {
  if (!MARKER_PATTERN.test(marker)) throw new Error(`probe marker ${JSON.stringify(marker)} is not of the fixed alphabet`);
  if (mode === 'file') return [`if [ ! -f ${FEED_FILE_ON_HOST} ]; then echo no-file; elif grep -q -F -e '${marker}' ${FEED_FILE_ON_HOST}; then echo found; else echo missing; fi`];
  // The last stats line's `"tx":{...}` objects (flat: counters only); the doctor picks app_layer.tx's http.
  return [`tail -n 1 ${STATS_FILE_ON_HOST} | grep -o '"tx":{[^}]*}' || echo missing`];
}

/** Suricata's app_layer.tx.http from a host's output, undefined when the output has none. */
function httpTransactions(output: string): number | undefined {
  for (const line of output.split('\n')) {
    if (!line.startsWith('"tx":{')) continue;
    try {
      const counters = JSON.parse(line.slice('"tx":'.length)) as Record<string, unknown>;
      if (typeof counters.http === 'number') return counters.http;
    } catch {
      // not a counters object
    }
  }
  return undefined;
}

export interface ProbeIo {
  /** Sends the request; resolves to the HTTP status (any status means it went through), rejects when no answer came. */
  request: (url: string, headers: Record<string, string>) => Promise<number>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/** The real request: GET, no redirects followed, at most {@link REQUEST_TIMEOUT_MS}. */
export async function httpRequest(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  await response.body?.cancel();
  return response.status;
}

type HostAnswer = { output: string } | { pending: string } | { failed: string };

const TERMINAL_FAILURES = new Set(['Cancelled', 'TimedOut', 'Failed', 'Cancelling', 'DeliveryTimedOut', 'ExecutionTimedOut', 'Undeliverable', 'Terminated', 'InvalidPlatform', 'AccessDenied']);

/** Runs the commands on the hosts and waits for their answers until `deadline` (io.now()). */
async function runOnHosts(ssm: SSMClient, hosts: readonly string[], commands: string[], deadline: number, io: ProbeIo): Promise<Map<string, HostAnswer>> {
  const sent = await ssm.send(new SendCommandCommand({
    DocumentName: 'AWS-RunShellScript', InstanceIds: [...hosts], Parameters: { commands }, TimeoutSeconds: 30, Comment: 'traceable doctor --probe',
  }));
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error('SendCommand returned no CommandId');
  const answers = new Map<string, HostAnswer>(hosts.map((host) => [host, { pending: 'Pending' }]));
  for (;;) {
    for (const host of hosts) {
      if (!('pending' in answers.get(host)!)) continue;
      try {
        const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: host }));
        const status = invocation.Status ?? 'Pending';
        if (status === 'Success') answers.set(host, { output: invocation.StandardOutputContent ?? '' });
        else if (TERMINAL_FAILURES.has(status)) answers.set(host, { failed: `${status}${invocation.StandardErrorContent ? `: ${invocation.StandardErrorContent.trim().slice(0, 200)}` : ''}` });
        else answers.set(host, { pending: status });
      } catch (error) {
        // Right after SendCommand the invocation may not exist yet.
        if (errorCode(error) !== 'InvocationDoesNotExist') answers.set(host, { failed: `${errorCode(error)}: ${errorMessage(error)}` });
      }
    }
    const waiting = [...answers.values()].some((answer) => 'pending' in answer);
    if (!waiting || io.now() + INVOCATION_POLL_SECONDS * 1000 > deadline) return answers;
    await io.sleep(INVOCATION_POLL_SECONDS * 1000);
  }
}

function countersOf(answers: Map<string, HostAnswer>): Map<string, number> {
  const counters = new Map<string, number>();
  for (const [host, answer] of answers) {
    const count = 'output' in answer ? httpTransactions(answer.output) : undefined;
    if (count !== undefined) counters.set(host, count);
  }
  return counters;
}

/** Hosts that answered without what was asked for: the file or the counters are missing. */
function withoutData(mode: FeedMode, answers: Map<string, HostAnswer>): string[] {
  return [...answers].flatMap(([host, answer]) => {
    if (!('output' in answer)) return [];
    if (mode === 'file' && answer.output.trim() === 'no-file') return [`${host}: no ${FEED_FILE_ON_HOST} (is AgentFeed file applied on it?)`];
    if (mode === 'socket' && httpTransactions(answer.output) === undefined) return [`${host}: no HTTP counters in ${STATS_FILE_ON_HOST}`];
    return [];
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function unanswered(answers: Map<string, HostAnswer>): string[] {
  return [...answers].flatMap(([host, answer]) => ('pending' in answer
    ? [`${host}: no answer over SSM (${answer.pending}); is its SSM agent online?`]
    : 'failed' in answer ? [`${host}: SSM command ${answer.failed}`] : []));
}

/**
 * The probe: sends the marked request, then asks the hosts in rounds until one shows it or the time is up.
 * `hosts`: the healthy instances of the target group (from the fleet check).
 */
export async function runProbe(ssm: SSMClient, mode: FeedMode, url: URL, hosts: readonly string[], io: ProbeIo, marker = newMarker()): Promise<CheckResult> {
  const title = PROBE_TITLE;
  const asked = hosts.slice(0, MAX_PROBED_HOSTS);
  if (asked.length === 0) return { title, status: 'fail', summary: 'no healthy agent host to ask (see Agent fleet)', details: [] };
  const limit = ` (${asked.length} of ${hosts.length} hosts asked: SendCommand takes ${MAX_PROBED_HOSTS})`;
  const details = [`marker ${marker} in the query (${PROBE_PARAMETER}=) and the ${PROBE_HEADER} header${hosts.length > asked.length ? limit : ''}`];
  const commands = hostCommands(mode, marker);
  const timeoutMs = PROBE_TIMEOUT_SECONDS[mode] * 1000;
  try {
    let baseline = new Map<string, number>();
    if (mode === 'socket') {
      const answers = await runOnHosts(ssm, asked, commands, io.now() + BASELINE_WAIT_SECONDS * 1000, io);
      baseline = countersOf(answers);
      if (baseline.size === 0) {
        return { title, status: 'fail', summary: `no host answered with Suricata's counters (${STATS_FILE_ON_HOST})`, details: [...details, ...unanswered(answers), ...withoutData(mode, answers)] };
      }
    }
    const target = markedUrl(url, marker);
    const sentAt = io.now();
    let status: number;
    try {
      status = await io.request(target, { [PROBE_HEADER]: marker });
    } catch (error) {
      return { title, status: 'fail', summary: `the request to ${url.href} got no answer: ${errorMessage(error)}`, details };
    }
    details.push(`GET ${target}: HTTP ${status}`);
    const deadline = sentAt + timeoutMs;
    let answers = new Map<string, HostAnswer>();
    for (;;) {
      answers = await runOnHosts(ssm, asked, commands, deadline, io);
      const elapsed = io.now() - sentAt;
      if (mode === 'file') {
        const found = [...answers].filter(([, answer]) => 'output' in answer && answer.output.trim() === 'found').map(([host]) => host);
        if (found.length > 0) {
          return {
            title, status: 'ok', summary: `marker reached the agent's feed on ${found.join(', ')} within ${seconds(elapsed)} of the request`,
            details: [...details, `file mode: the marker itself is in ${FEED_FILE_ON_HOST}, the events the agent reads (time: at most, asked every ${PROBE_ROUND_SECONDS} s)`],
          };
        }
      } else {
        const counters = countersOf(answers);
        const grown = [...counters].filter(([host, count]) => baseline.has(host) && count > baseline.get(host)!);
        if (grown.length > 0) {
          return {
            title, status: 'ok', summary: `HTTP transactions decoded on ${grown.map(([host]) => host).join(', ')} within ${seconds(elapsed)} of the request (socket mode: counters, not the marker)`,
            details: [
              ...details,
              ...grown.map(([host, count]) => `${host} app_layer.tx.http ${baseline.get(host)} -> ${count}`),
              'socket mode: the agent\'s socket cannot be read, so this proves that Suricata on that host decoded HTTP after the request, not that it was this request (other traffic counts too); set AgentFeed to file to look for the marker itself',
            ],
          };
        }
      }
      if (io.now() + PROBE_ROUND_SECONDS * 1000 > deadline) break;
      await io.sleep(PROBE_ROUND_SECONDS * 1000);
    }
    const where = mode === 'file' ? `in ${FEED_FILE_ON_HOST}` : `in Suricata's HTTP counters (${STATS_FILE_ON_HOST})`;
    return {
      title, status: 'fail', summary: `${mode === 'file' ? 'marker' : 'no new HTTP transaction'} not seen ${where} on ${asked.length} host${asked.length === 1 ? '' : 's'} within ${PROBE_TIMEOUT_SECONDS[mode]} s`,
      details: [
        ...details, ...unanswered(answers), ...withoutData(mode, answers),
        'is the URL served by a load balancer or target group whose targets are mirrored (Mirrored sources), over HTTP to the targets?',
      ],
    };
  } catch (error) {
    return { title, status: 'fail', summary: `could not check: ${errorCode(error)}: ${errorMessage(error)}`, details };
  }
}
