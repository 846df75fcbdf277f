/**
 * What the agents cannot see, per host, from the hosts' own metrics (metrics.py's embedded-metric documents in CloudWatch
 * Logs, last {@link VISIBILITY_WINDOW_MINUTES} minutes): mirrored packets that arrived cut, TCP reassembly gaps and TLS
 * flows on the mirrored ports, each with its fix in AWS's documented numbers.
 */
import { paginateFilterLogEvents, ResourceNotFoundException as LogGroupNotFound, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { collectPages } from '../../lambda/aws';
import { HOST_METRICS } from '../../shared';
import type { CheckResult } from './checks';

export const VISIBILITY_TITLE = 'Agent visibility';
const VISIBILITY_WINDOW_MINUTES = 60;
/** What marks metrics.py's documents among the other lines of a log group (the ECS task's holds the containers' logs too). */
const METRICS_DOCUMENT_PATTERN = '"CloudWatchMetrics"';

/** AWS's numbers behind the fix (the 14 bytes: the inner Ethernet header, the first bytes after the VXLAN header). */
const MIRROR_PACKET_LENGTH = 8500;
const VPC_MTU = 9001;
const SOURCE_MTU_WITHOUT_CUT = MIRROR_PACKET_LENGTH - 14;

const COUNTED = [HOST_METRICS.vxlanPackets, HOST_METRICS.httpTransactions, HOST_METRICS.truncatedPackets, HOST_METRICS.reassemblyGaps, HOST_METRICS.tlsFlows] as const;
export type HostFigures = Record<(typeof COUNTED)[number], number>;

/** The sums per host of the documents in the window; undefined when the log group does not exist. */
export async function readHostFigures(logs: CloudWatchLogsClient, logGroupName: string, now: number): Promise<Map<string, HostFigures> | undefined> {
  let pages;
  try {
    pages = await collectPages(paginateFilterLogEvents({ client: logs }, {
      logGroupName, filterPattern: METRICS_DOCUMENT_PATTERN, startTime: now - VISIBILITY_WINDOW_MINUTES * 60_000,
    }));
  } catch (error) {
    if (error instanceof LogGroupNotFound) return undefined;
    throw error;
  }
  const hosts = new Map<string, HostFigures>();
  for (const event of pages.flatMap((page) => page.events ?? [])) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(event.message ?? '');
    } catch {
      continue; // a container's log line that mentions the word
    }
    if (typeof doc.Host !== 'string') continue;
    const figures = hosts.get(doc.Host) ?? (Object.fromEntries(COUNTED.map((name) => [name, 0])) as HostFigures);
    for (const name of COUNTED) if (typeof doc[name] === 'number') figures[name] += doc[name] as number;
    hosts.set(doc.Host, figures);
  }
  return hosts;
}

const count = (n: number) => n.toLocaleString('en-US');
const counted = (n: number, noun: string) => `${count(n)} ${noun}${n === 1 ? '' : 's'}`;

/** The check: a warning with the fix when packets arrived cut or flows were TLS; skipped without documents. */
export function checkVisibility(hosts: Map<string, HostFigures> | undefined, logGroupName: string): CheckResult {
  const title = VISIBILITY_TITLE;
  if (!hosts) return { title, status: 'skip', summary: `log group ${logGroupName} not found (is the stack applied?)`, details: [] };
  if (hosts.size === 0) return { title, status: 'skip', summary: `no host metrics in ${logGroupName} in the last ${VISIBILITY_WINDOW_MINUTES} min`, details: [] };
  const total = (name: keyof HostFigures) => [...hosts.values()].reduce((sum, figures) => sum + figures[name], 0);
  const [packets, cut, gaps, tls] = [total(HOST_METRICS.vxlanPackets), total(HOST_METRICS.truncatedPackets), total(HOST_METRICS.reassemblyGaps), total(HOST_METRICS.tlsFlows)];
  const share = packets > 0 ? ` (${((100 * cut) / packets).toFixed(3)}%)` : '';
  const summary = `${counted(hosts.size, 'host')}, last ${VISIBILITY_WINDOW_MINUTES} min: ${count(cut)} of ${count(packets)} mirrored packets arrived cut${share}, ${counted(gaps, 'reassembly gap')}, ${counted(tls, 'TLS flow')}`;
  const details = [...hosts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([host, f]) =>
    `${host}: ${count(f[HOST_METRICS.vxlanPackets])} VXLAN packets, ${counted(f[HOST_METRICS.httpTransactions], 'HTTP transaction')}, ${count(f[HOST_METRICS.truncatedPackets])} cut, ${counted(f[HOST_METRICS.reassemblyGaps], 'reassembly gap')}, ${counted(f[HOST_METRICS.tlsFlows], 'TLS flow')}`);
  if (cut > 0) {
    details.push(
      `cut packets: AWS mirrors at most ${MIRROR_PACKET_LENGTH} bytes after the VXLAN header to a Network Load Balancer target (PacketLength: default ${MIRROR_PACKET_LENGTH}, valid values 1-${MIRROR_PACKET_LENGTH}, EC2 API reference CreateTrafficMirrorSession), while instances in a VPC send packets of up to ${VPC_MTU} bytes (EC2 User Guide, "Network maximum transmission unit (MTU) for your EC2 instance": jumbo frames). The hosts keep what arrived: those transactions keep status and headers, their bodies stop at the first hole (http_response_body_gap).`,
      `fix: an MTU of ${SOURCE_MTU_WITHOUT_CUT} or less on the mirrored instances (for a load balancer source, on its targets: their MSS then bounds the other direction too), e.g. \`sudo ip link set dev ens5 mtu ${SOURCE_MTU_WITHOUT_CUT}\`, made permanent as the EC2 User Guide's "Set the MTU for your EC2 instance" describes (${MIRROR_PACKET_LENGTH} bytes after the VXLAN header hold the 14-byte Ethernet header and the IP packet).`,
    );
  }
  if (tls > 0) {
    details.push(
      'TLS flows: encrypted on the mirrored ports, nothing to decode. fix: mirror behind the TLS terminator: a load balancer that terminates TLS (an ALB HTTPS listener, an NLB TLS listener) and speaks HTTP to its targets, mirrored as MirrorSourceType LOAD_BALANCER does (its targets\' interfaces).',
    );
  }
  if (gaps > 0) {
    details.push('reassembly gaps: TCP data Suricata never saw (cut packets, kernel drops, packets lost on the way); the transactions they touch carry http_response_body_gap or http_request_body_gap, and their bodies stop at the gap.');
  }
  return { title, status: cut > 0 || tls > 0 ? 'warn' : 'ok', summary, details };
}
