/**
 * Suricata benchmark on VXLAN-mirrored HTTP, with the fleet's rendered configuration, offline.
 *
 *   npm run bench:suricata [-- --connections 20000 --concurrency 64 --items 8 --repeat 3]
 *
 * Writes a pcap (no dependency: written here) of many HTTP/1.1 connections as AWS Traffic Mirroring delivers
 * them: each packet of both directions in outer Ethernet/IPv4/UDP 4789/VXLAN, the two directions with different
 * outer UDP source ports, full TCP handshakes and teardowns, connections interleaved. Replays it with
 * `suricata -r FILE -c rendered.yaml` twice, through the real feed (the Lua outputs, in file mode so that no
 * receiver competes for the CPU): with bodies (the default HttpBodyLimit) and headers only (limit 0, and no body
 * kept by Suricata), and prints for each packets/s, HTTP transactions/s and the share of transactions decoded
 * complete (method, uri and status all present), then the ratio, with the machine's load average. --items sets
 * the length of the item lists in the GET responses (a third of the connections; about 27 bytes per item).
 * The two configurations run alternately --repeat times and the fastest run of each counts (the machine may be
 * shared: the slower runs measure the other jobs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LUA_SOURCE_DIR, renderSuricataYaml } from '../bootstrap';
import { DEFAULT_HTTP_BODY_LIMIT, SURICATA_STATS_FILE } from '../bootstrap/constants';
import { VXLAN_UDP_PORT } from '../shared';

const MAC_A = [0x02, 0, 0, 0, 0, 0x01];
const MAC_B = [0x02, 0, 0, 0, 0, 0x02];
const OUTER_SRC = [10, 0, 1, 10]; // the mirrored ENI
const OUTER_DST = [10, 0, 2, 20]; // the mirror target
const SERVER = [10, 0, 3, 30];
const VNI = 7331;

const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;

function ipv4Header(total: number, proto: number, src: number[], dst: number[], id: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(total, 2);
  h.writeUInt16BE(id & 0xffff, 4);
  h.writeUInt16BE(0x4000, 6);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return h;
}

function ethernet(dst: number[], src: number[]): Buffer {
  return Buffer.from([...dst, ...src, 0x08, 0x00]);
}

/** TCP segment without options; checksum left 0 (mirrored packets often carry unfinished checksums anyway). */
function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

/** One inner TCP packet wrapped as AWS Traffic Mirroring sends it. */
function mirrored(inner: { src: number[]; dst: number[]; segment: Buffer; id: number }, outerSport: number): Buffer {
  const innerIp = ipv4Header(20 + inner.segment.length, 6, inner.src, inner.dst, inner.id);
  const innerFrame = Buffer.concat([ethernet(MAC_B, MAC_A), innerIp, inner.segment]);
  const vxlan = Buffer.from([0x08, 0, 0, 0, (VNI >> 16) & 0xff, (VNI >> 8) & 0xff, VNI & 0xff, 0]);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(outerSport, 0);
  udp.writeUInt16BE(VXLAN_UDP_PORT, 2);
  udp.writeUInt16BE(8 + vxlan.length + innerFrame.length, 4);
  const outerIp = ipv4Header(20 + 8 + vxlan.length + innerFrame.length, 17, OUTER_SRC, OUTER_DST, inner.id);
  return Buffer.concat([ethernet(MAC_A, MAC_B), outerIp, udp, vxlan, innerFrame]);
}

interface Exchange {
  request: Buffer;
  response: Buffer;
}

function exchange(i: number, items: number): Exchange {
  const kind = i % 3;
  const host = `api-${i % 7}.shop.example`;
  if (kind === 0) {
    const body = JSON.stringify({ items: Array.from({ length: items }, (_, k) => ({ id: i * 10 + k, name: `item-${k}` })) });
    return {
      request: Buffer.from(`GET /api/items/${i}?page=${i % 5} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: bench/1.0\r\nAccept: application/json\r\n\r\n`),
      response: Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
    };
  }
  if (kind === 1) {
    const body = '{"error":"not found"}';
    return {
      request: Buffer.from(`GET /api/missing/${i} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: bench/1.0\r\n\r\n`),
      response: Buffer.from(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
    };
  }
  const reqBody = JSON.stringify({ name: `widget-${i}`, qty: i % 9, tags: ['a', 'b', 'c'] });
  const body = `{"created":${i}}`;
  return {
    request: Buffer.from(
      `POST /api/items HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: bench/1.0\r\nContent-Type: application/json\r\nContent-Length: ${reqBody.length}\r\n\r\n${reqBody}`,
    ),
    response: Buffer.from(`HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
  };
}

/** The packets of one connection, in order: [fromClient, segment]. */
function connectionPackets(i: number, items: number): Array<{ toServer: boolean; segment: Buffer }> {
  const cport = 20000 + (i % 40000);
  const c0 = (i * 2654435761) >>> 0;
  const s0 = (i * 40503 + 12345) >>> 0;
  const { request, response } = exchange(i, items);
  const E = Buffer.alloc(0);
  const c = (seq: number, ack: number, flags: number, p: Buffer = E) => ({ toServer: true, segment: tcp(cport, 80, seq, ack, flags, p) });
  const s = (seq: number, ack: number, flags: number, p: Buffer = E) => ({ toServer: false, segment: tcp(80, cport, seq, ack, flags, p) });
  const cr = c0 + 1 + request.length;
  const sr = s0 + 1 + response.length;
  return [
    c(c0, 0, SYN),
    s(s0, c0 + 1, SYN | ACK),
    c(c0 + 1, s0 + 1, ACK),
    c(c0 + 1, s0 + 1, PSH | ACK, request),
    s(s0 + 1, cr, ACK),
    s(s0 + 1, cr, PSH | ACK, response),
    c(cr, sr, ACK),
    s(sr, cr, FIN | ACK),
    c(cr, sr + 1, FIN | ACK),
    s(sr + 1, cr + 1, ACK),
  ];
}

/** Writes the pcap; returns the number of packets. */
export function writeMirroredHttpPcap(file: string, connections: number, concurrency: number, items = 8): number {
  const chunks: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  chunks.push(global);
  let packets = 0;
  let usec = 0;
  const t0 = 1_700_000_000;
  for (let start = 0; start < connections; start += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, connections - start) }, (_, k) => start + k);
    const perConn = batch.map((i) => connectionPackets(i, items));
    for (let step = 0; step < perConn[0].length; step++) {
      for (let b = 0; b < batch.length; b++) {
        const i = batch[b];
        const clientIp = [172, 16, (i >> 8) & 0xff, i & 0xff];
        const p = perConn[b][step];
        // As with AWS Traffic Mirroring, the two directions of one connection carry different outer source ports.
        const outerSport = 50000 + ((i * 2 + (p.toServer ? 0 : 1)) * 7919) % 15000;
        const frame = mirrored(
          { src: p.toServer ? clientIp : SERVER, dst: p.toServer ? SERVER : clientIp, segment: p.segment, id: packets },
          outerSport,
        );
        const rec = Buffer.alloc(16);
        usec += 20;
        rec.writeUInt32LE(t0 + Math.floor(usec / 1e6), 0);
        rec.writeUInt32LE(usec % 1e6, 4);
        rec.writeUInt32LE(frame.length, 8);
        rec.writeUInt32LE(frame.length, 12);
        chunks.push(rec, frame);
        packets++;
      }
    }
  }
  writeFileSync(file, Buffer.concat(chunks));
  return packets;
}

export interface BenchResult {
  connections: number;
  packets: number;
  seconds: number;
  packetsPerSecond: number;
  transactions: number;
  transactionsPerSecond: number;
  complete: number;
  completeShare: number;
  /** Events with the response body (bodies on) or without any body field (bodies off). */
  withExpectedBodies: number;
  kernelOrDecoderPackets: number;
}

function runSuricata(pcap: string, yaml: string, logDir: string, bodyLimit: number): number {
  const t = process.hrtime.bigint();
  const env = {
    ...process.env,
    TRACEABLE_FEED_MODE: 'file',
    TRACEABLE_FEED_PATH: join(logDir, 'feed.json'),
    TRACEABLE_FEED_STATS: join(logDir, 'feed-stats.json'),
    TRACEABLE_HTTP_BODY_LIMIT: String(bodyLimit),
  };
  const r = spawnSync('suricata', ['-r', pcap, '-c', yaml, '-l', logDir], { encoding: 'utf8', timeout: 600_000, env });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`suricata failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return seconds;
}

/** The rendered configuration, with the Lua scripts from the source tree; headers only: without the script that
 * makes Suricata keep bodies. */
function benchYaml(bodies: boolean): string {
  const yaml = renderSuricataYaml(undefined, { luaDir: LUA_SOURCE_DIR });
  return bodies ? yaml : yaml.replace(/^\s+- traceable_bodies\.lua\n/m, '');
}

export function benchSuricata(connections: number, concurrency: number, bodies = true, items = 8): BenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-suricata-'));
  try {
    const yaml = join(dir, 'suricata.yaml');
    writeFileSync(yaml, benchYaml(bodies));
    const bodyLimit = bodies ? DEFAULT_HTTP_BODY_LIMIT : 0;
    const pcap = join(dir, 'mirrored-http.pcap');
    const packets = writeMirroredHttpPcap(pcap, connections, concurrency, items);
    // Start-up and shutdown cost, measured on a tiny capture and subtracted.
    const tiny = join(dir, 'tiny.pcap');
    writeMirroredHttpPcap(tiny, 1, 1);
    const overhead = runSuricata(tiny, yaml, mkdtempSync(join(dir, 'log0-')), bodyLimit);
    const logDir = mkdtempSync(join(dir, 'log-'));
    const wall = runSuricata(pcap, yaml, logDir, bodyLimit);
    const seconds = Math.max(wall - overhead, 1e-3);
    const events = readFileSync(join(logDir, 'feed.json'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.event_type === 'http');
    const complete = events.filter((e) => e.http?.http_method && e.http?.url && e.http?.status).length;
    const withExpectedBodies = events.filter((e) =>
      bodies
        ? typeof e.http?.http_response_body_printable === 'string' && e.http.http_response_body_printable.length === e.http.length
        : !('http_response_body_printable' in e.http) && !('http_request_body_printable' in e.http),
    ).length;
    const statsLines = readFileSync(join(logDir, SURICATA_STATS_FILE), 'utf8').split('\n').filter(Boolean);
    const decoded = Number(JSON.parse(statsLines[statsLines.length - 1]).stats.decoder.pkts);
    return {
      connections,
      packets,
      seconds,
      packetsPerSecond: packets / seconds,
      transactions: events.length,
      transactionsPerSecond: complete / seconds,
      complete,
      completeShare: complete / connections,
      withExpectedBodies,
      kernelOrDecoderPackets: decoded,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const connections = opt('connections', 20000);
  const concurrency = opt('concurrency', 64);
  const items = opt('items', 8);
  const repeat = opt('repeat', 3);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${spawnSync('suricata', ['-V'], { encoding: 'utf8' }).stdout.trim()} on the rendered fleet configuration, offline, feed in file mode`);
  console.log(`load average before: ${load()}`);
  const runs: { off: BenchResult[]; on: BenchResult[] } = { off: [], on: [] };
  for (let i = 0; i < repeat; i++) {
    runs.off.push(benchSuricata(connections, concurrency, false, items));
    runs.on.push(benchSuricata(connections, concurrency, true, items));
  }
  const fastest = (list: BenchResult[]) => list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const [off, on] = [fastest(runs.off), fastest(runs.on)];
  console.log(`runs (s, start-up subtracted): headers only ${runs.off.map((r) => r.seconds.toFixed(2)).join(', ')}; with bodies ${runs.on.map((r) => r.seconds.toFixed(2)).join(', ')}; the fastest of each counts`);
  console.log(
    `capture: ${connections} VXLAN-mirrored HTTP connections (${concurrency} interleaved, ${items} items per GET list), ${on.packets} packets; Suricata decoded ${on.kernelOrDecoderPackets}`,
  );
  for (const [name, r] of [['headers only (HttpBodyLimit 0)', off], [`with bodies (HttpBodyLimit ${DEFAULT_HTTP_BODY_LIMIT})`, on]] as const) {
    console.log(`${name}:`);
    console.log(`  time (start-up subtracted): ${r.seconds.toFixed(2)} s`);
    console.log(`  packets/s: ${Math.round(r.packetsPerSecond)}`);
    console.log(`  HTTP transactions/s (complete): ${Math.round(r.transactionsPerSecond)}`);
    console.log(
      `  transactions complete (method, uri, status): ${r.complete} of ${r.connections} sent = ${(100 * r.completeShare).toFixed(2)}% (events: ${r.transactions}, bodies as expected: ${r.withExpectedBodies})`,
    );
  }
  console.log(`with bodies / headers only: transactions/s ${(on.transactionsPerSecond / off.transactionsPerSecond).toFixed(3)}, packets/s ${(on.packetsPerSecond / off.packetsPerSecond).toFixed(3)}`);
  console.log(`load average after: ${load()} (2 cores shared with other jobs: figures are noisy)`);
}

if (require.main === module) main();
