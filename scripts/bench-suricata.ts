/**
 * Suricata benchmark on VXLAN-mirrored HTTP, with the fleet's rendered configuration, offline.
 *
 *   npm run bench:suricata [-- --connections 20000 --concurrency 64 --items 8 --repeat 3]
 *   npm run bench:suricata -- --instructions [--instructions-connections 2000 --repeat 3]   (valgrind: instructions)
 *
 * Writes a pcap (no dependency: written here) of many HTTP/1.1 connections as AWS Traffic Mirroring delivers
 * them: each packet of both directions in outer Ethernet/IPv4/UDP 4789/VXLAN, the two directions with different
 * outer UDP source ports, full TCP handshakes and teardowns, connections interleaved. Replays it with
 * `suricata -r FILE -c rendered.yaml` in three configurations: stock Suricata's own eve http output (headers only, no
 * Lua: the baseline the pipeline is measured against), and the product's pipeline through the real feed (the Lua
 * outputs, in file mode so that no receiver competes for the CPU) headers only (limit 0: no body read by the Lua)
 * and with bodies (the default HttpBodyLimit). Prints for each the CPU time (user+sys; steadier than wall time on a
 * shared machine), packets and complete transactions (method, uri and status all present) per CPU second, then the
 * ratios, with the machine's load average. --items sets the length of the item lists in the GET responses (a third
 * of the connections; about 27 bytes per item). The configurations run alternately --repeat times and the run with
 * the least CPU time of each counts; with --instructions, the median of each configuration's instruction counts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LUA_SOURCE_DIR, renderSuricataYaml } from '../bootstrap';
import { SURICATA_STATS_FILE } from '../bootstrap/constants';
import { DEFAULT_HTTP_BODY_LIMIT } from '../shared';
import { ethernet, ipv4Header, pcapOf, vxlanWrapped } from './mirrored-packets';

const MAC_A = [0x02, 0, 0, 0, 0, 0x01];
const MAC_B = [0x02, 0, 0, 0, 0, 0x02];
const OUTER_SRC = [10, 0, 1, 10]; // the mirrored ENI
const OUTER_DST = [10, 0, 2, 20]; // the mirror target
const SERVER = [10, 0, 3, 30];
const VNI = 7331;

const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;

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
function mirrored(inner: { src: number[]; dst: number[]; segment: Buffer; id: number }, outerSourcePort: number): Buffer {
  const innerIp = ipv4Header(20 + inner.segment.length, 6, inner.src, inner.dst, inner.id);
  const innerFrame = Buffer.concat([ethernet(MAC_B, MAC_A), innerIp, inner.segment]);
  return vxlanWrapped(innerFrame, { macs: { source: MAC_B, target: MAC_A }, source: OUTER_SRC, target: OUTER_DST, vni: VNI, outerSourcePort }, inner.id);
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

/** What one side of a connection sends, in order: `toServer` for the client's bytes. */
export interface Step {
  toServer: boolean;
  data: Buffer;
}

/** A full-size TCP segment on a 1500-byte MTU path: the steps' data are cut into segments of at most this. */
const MSS = 1460;

/** The packets of one connection, in order: handshake, each step's data in segments of at most {@link MSS} bytes
 * (each answered by an ACK from the other side), teardown. */
function connectionPackets(i: number, steps: Step[]): Array<{ toServer: boolean; segment: Buffer }> {
  const cport = 20000 + (i % 40000);
  let cseq = (i * 2654435761) >>> 0;
  let sseq = (i * 40503 + 12345) >>> 0;
  const E = Buffer.alloc(0);
  const c = (seq: number, ack: number, flags: number, p: Buffer = E) => ({ toServer: true, segment: tcp(cport, 80, seq, ack, flags, p) });
  const s = (seq: number, ack: number, flags: number, p: Buffer = E) => ({ toServer: false, segment: tcp(80, cport, seq, ack, flags, p) });
  const packets = [c(cseq, 0, SYN), s(sseq, cseq + 1, SYN | ACK), c(cseq + 1, sseq + 1, ACK)];
  cseq += 1;
  sseq += 1;
  for (const step of steps) {
    for (let off = 0; off < step.data.length; off += MSS) {
      const part = step.data.subarray(off, off + MSS);
      if (step.toServer) {
        packets.push(c(cseq, sseq, PSH | ACK, part));
        cseq += part.length;
        packets.push(s(sseq, cseq, ACK));
      } else {
        packets.push(s(sseq, cseq, PSH | ACK, part));
        sseq += part.length;
        packets.push(c(cseq, sseq, ACK));
      }
    }
  }
  packets.push(s(sseq, cseq, FIN | ACK), c(cseq, sseq + 1, FIN | ACK), s(sseq + 1, cseq + 1, ACK));
  return packets;
}

/** Writes a pcap of the given connections (each a list of steps, one client per connection, to port 80 of one
 * server), `concurrency` of them interleaved packet by packet, as AWS Traffic Mirroring delivers them; returns the
 * number of packets. */
export function writeMirroredPcap(file: string, connections: Step[][], concurrency: number): number {
  const frames: Buffer[] = [];
  let packets = 0;
  for (let start = 0; start < connections.length; start += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, connections.length - start) }, (_, k) => start + k);
    const perConn = batch.map((i) => connectionPackets(i, connections[i]));
    const steps = Math.max(...perConn.map((p) => p.length));
    for (let step = 0; step < steps; step++) {
      for (let b = 0; b < batch.length; b++) {
        const i = batch[b];
        const p = perConn[b][step];
        if (p === undefined) continue;
        const clientIp = [172, 16, (i >> 8) & 0xff, i & 0xff];
        // As with AWS Traffic Mirroring, the two directions of one connection carry different outer source ports.
        const outerSport = 50000 + ((i * 2 + (p.toServer ? 0 : 1)) * 7919) % 15000;
        const frame = mirrored(
          { src: p.toServer ? clientIp : SERVER, dst: p.toServer ? SERVER : clientIp, segment: p.segment, id: packets },
          outerSport,
        );
        frames.push(frame);
        packets++;
      }
    }
  }
  writeFileSync(file, pcapOf(frames, 65535));
  return packets;
}

/** Writes the benchmark's pcap (one exchange per connection); returns the number of packets. */
export function writeMirroredHttpPcap(file: string, connections: number, concurrency: number, items = 8): number {
  const conns = Array.from({ length: connections }, (_, i) => {
    const { request, response } = exchange(i, items);
    return [
      { toServer: true, data: request },
      { toServer: false, data: response },
    ];
  });
  return writeMirroredPcap(file, conns, concurrency);
}

/** What runs on the capture: stock Suricata's own eve `http` output (headers only, the C path, no Lua: the baseline),
 * the product's Lua pipeline headers only (HttpBodyLimit 0: no body read by the Lua outputs), or with bodies (the default
 * HttpBodyLimit). */
export type BenchMode = 'stock' | 'headers' | 'bodies';

export interface BenchResult {
  mode: BenchMode;
  connections: number;
  packets: number;
  /** Wall time, start-up subtracted. */
  seconds: number;
  /** CPU time (user + system) of Suricata, start-up subtracted: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  packetsPerSecond: number;
  transactions: number;
  /** Complete transactions per CPU second. */
  transactionsPerSecond: number;
  complete: number;
  completeShare: number;
  /** Events with the response body (bodies on) or without any body field (headers only, stock). */
  withExpectedBodies: number;
  kernelOrDecoderPackets: number;
}

/** Runs Suricata on the capture; returns its wall and CPU (user + system, from the shell's `times`) seconds. */
function runSuricata(pcap: string, yaml: string, logDir: string, bodyLimit: number): { wall: number; cpu: number } {
  const t = process.hrtime.bigint();
  const env = {
    ...process.env,
    TRACEABLE_FEED_MODE: 'file',
    TRACEABLE_FEED_PATH: join(logDir, 'feed.json'),
    TRACEABLE_FEED_STATS: join(logDir, 'feed-stats.json'),
    TRACEABLE_HTTP_BODY_LIMIT: String(bodyLimit),
  };
  const script = 'suricata -r "$1" -c "$2" -l "$3" >"$3/stdout" 2>&1; rc=$?; times; exit $rc';
  const r = spawnSync('bash', ['-c', script, 'bench', pcap, yaml, logDir], { encoding: 'utf8', timeout: 600_000, env });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`suricata failed (${r.status ?? r.signal}): ${r.stderr}${readFileSync(join(logDir, 'stdout'), 'utf8')}`);
  // `times`: the shell's own user and system time, then its children's.
  const children = r.stdout.trim().split('\n')[1].split(/\s+/);
  const seconds = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`unexpected times output: ${r.stdout}`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  return { wall, cpu: seconds(children[0]) + seconds(children[1]) };
}

/** The rendered configuration, with the Lua scripts from the source tree (headers only differs by HttpBodyLimit 0 in the
 * environment alone). Stock: the Lua outputs replaced by eve's own http output with every header (eve.json). */
export function benchYaml(mode: BenchMode): string {
  const yaml = renderSuricataYaml(undefined, { luaDir: LUA_SOURCE_DIR });
  if (mode !== 'stock') return yaml;
  const lua = /^ {2}- lua:\n(?: {4}.*\n)+/m;
  if (!lua.test(yaml)) throw new Error('bench: no lua output in the rendered suricata.yaml');
  // Stock: no rule either (the product loads one, the reassembly-gap rule its h2c output reads: part of its cost).
  const rules = /^rule-files:\n(?: {2}- .*\n)+/m;
  if (!rules.test(yaml)) throw new Error('bench: no rule-files in the rendered suricata.yaml');
  const eveHttp = ['  - eve-log:', '      enabled: yes', '      filetype: regular', '      filename: eve.json', '      types:',
    '        - http:', '            extended: yes', '            dump-all-headers: both', ''].join('\n');
  return yaml.replace(lua, eveHttp).replace(rules, '');
}

export function benchSuricata(connections: number, concurrency: number, mode: BenchMode = 'bodies', items = 8): BenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-suricata-'));
  try {
    const yaml = join(dir, 'suricata.yaml');
    writeFileSync(yaml, benchYaml(mode));
    const bodyLimit = mode === 'bodies' ? DEFAULT_HTTP_BODY_LIMIT : 0;
    const pcap = join(dir, 'mirrored-http.pcap');
    const packets = writeMirroredHttpPcap(pcap, connections, concurrency, items);
    // Start-up and shutdown cost, measured on a tiny capture and subtracted.
    const tiny = join(dir, 'tiny.pcap');
    writeMirroredHttpPcap(tiny, 1, 1);
    const overhead = runSuricata(tiny, yaml, mkdtempSync(join(dir, 'log0-')), bodyLimit);
    const logDir = mkdtempSync(join(dir, 'log-'));
    const run = runSuricata(pcap, yaml, logDir, bodyLimit);
    const seconds = Math.max(run.wall - overhead.wall, 1e-3);
    const cpuSeconds = Math.max(run.cpu - overhead.cpu, 1e-3);
    const events = readFileSync(join(logDir, mode === 'stock' ? 'eve.json' : 'feed.json'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.event_type === 'http');
    const complete = events.filter((e) => e.http?.http_method && e.http?.url && e.http?.status).length;
    const withExpectedBodies = events.filter((e) =>
      mode === 'bodies'
        ? typeof e.http?.http_response_body_printable === 'string' && e.http.http_response_body_printable.length === e.http.length
        : !('http_response_body_printable' in e.http) && !('http_request_body_printable' in e.http),
    ).length;
    const statsLines = readFileSync(join(logDir, SURICATA_STATS_FILE), 'utf8').split('\n').filter(Boolean);
    const decoded = Number(JSON.parse(statsLines[statsLines.length - 1]).stats.decoder.pkts);
    return {
      mode,
      connections,
      packets,
      seconds,
      cpuSeconds,
      packetsPerSecond: packets / cpuSeconds,
      transactions: events.length,
      transactionsPerSecond: complete / cpuSeconds,
      complete,
      completeShare: complete / connections,
      withExpectedBodies,
      kernelOrDecoderPackets: decoded,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Instructions Suricata executes per transaction in each mode, counted by valgrind's callgrind (exact and repeatable
 * on a shared machine, unlike time): the difference between a capture of 2n and one of n connections, divided by n,
 * so that start-up, shutdown and LuaJIT's compilation of its traces are left out. Needs valgrind; about a minute per
 * run under it. */
function instructionsPerTransaction(n: number, concurrency: number, mode: BenchMode, items = 8): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  try {
    const yaml = join(dir, 'suricata.yaml');
    writeFileSync(yaml, benchYaml(mode));
    const count = (connections: number) => {
      const pcap = join(dir, `${connections}.pcap`);
      writeMirroredHttpPcap(pcap, connections, concurrency, items);
      const logDir = mkdtempSync(join(dir, 'log-'));
      const env = { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: join(logDir, 'feed.json'), TRACEABLE_FEED_STATS: join(logDir, 'feed-stats.json'),
        TRACEABLE_HTTP_BODY_LIMIT: String(mode === 'bodies' ? DEFAULT_HTTP_BODY_LIMIT : 0) };
      const args = ['--tool=callgrind', `--callgrind-out-file=${join(logDir, 'callgrind.out')}`, 'suricata', '-r', pcap, '-c', yaml, '-l', logDir];
      const r = spawnSync('valgrind', args, { encoding: 'utf8', timeout: 1_800_000, env });
      const m = /Collected : (\d+)/.exec(r.stderr ?? '');
      if (r.status !== 0 || !m) throw new Error(`valgrind suricata failed (${r.status ?? r.signal}): ${r.error ?? ''}${r.stderr?.slice(-2000)}`);
      return Number(m[1]);
    };
    return (count(2 * n) - count(n)) / n;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MODE_NAMES: Record<BenchMode, string> = {
  stock: 'stock Suricata, eve http headers only (no Lua)',
  headers: 'pipeline headers only (HttpBodyLimit 0)',
  bodies: `pipeline with bodies (HttpBodyLimit ${DEFAULT_HTTP_BODY_LIMIT})`,
};

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
  if (args.includes('--instructions')) {
    const n = opt('instructions-connections', 2000);
    console.log(`instructions per transaction (valgrind callgrind; a capture of ${2 * n} connections minus one of ${n}, ${items} items per GET list; median of ${repeat} alternating runs):`);
    // Not exact from run to run: under valgrind, thread scheduling decides whether the capture thread reuses pooled
    // packets, and LuaJIT compiles its traces differently in each run (by thousands of instructions per transaction).
    const modes = ['stock', 'headers', 'bodies'] as const;
    const runs: Record<BenchMode, number[]> = { stock: [], headers: [], bodies: [] };
    for (let i = 0; i < repeat; i++) for (const m of modes) runs[m].push(instructionsPerTransaction(n, concurrency, m, items));
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    const per = Object.fromEntries(modes.map((m) => [m, median(runs[m])])) as Record<BenchMode, number>;
    for (const m of modes) console.log(`  ${MODE_NAMES[m]}: ${Math.round(per[m])} (runs: ${runs[m].map(Math.round).join(', ')})`);
    console.log(`pipeline / stock eve http (throughput, by instructions): with bodies ${(per.stock / per.bodies).toFixed(3)}, headers only ${(per.stock / per.headers).toFixed(3)} (goal: with bodies at least 0.75)`);
    return;
  }
  console.log(`${spawnSync('suricata', ['-V'], { encoding: 'utf8' }).stdout.trim()} on the rendered fleet configuration, offline, feed in file mode`);
  console.log(`load average before: ${load()}`);
  const modes: BenchMode[] = ['stock', 'headers', 'bodies'];
  const runs: Record<BenchMode, BenchResult[]> = { stock: [], headers: [], bodies: [] };
  // Alternately, so that a busy spell of the shared machine hits every configuration alike.
  for (let i = 0; i < repeat; i++) for (const mode of modes) runs[mode].push(benchSuricata(connections, concurrency, mode, items));
  const fastest = (list: BenchResult[]) => list.reduce((a, b) => (b.cpuSeconds < a.cpuSeconds ? b : a));
  const best = Object.fromEntries(modes.map((m) => [m, fastest(runs[m])])) as Record<BenchMode, BenchResult>;
  for (const mode of modes) {
    console.log(`runs of ${mode} (CPU s / wall s, start-up subtracted): ${runs[mode].map((r) => `${r.cpuSeconds.toFixed(2)}/${r.seconds.toFixed(2)}`).join(', ')}`);
  }
  console.log(
    `capture: ${connections} VXLAN-mirrored HTTP connections (${concurrency} interleaved, ${items} items per GET list), ${best.bodies.packets} packets; Suricata decoded ${best.bodies.kernelOrDecoderPackets}; the run with the least CPU time of each counts`,
  );
  for (const mode of modes) {
    const r = best[mode];
    console.log(`${MODE_NAMES[mode]}:`);
    console.log(`  CPU time (user+sys, start-up subtracted): ${r.cpuSeconds.toFixed(2)} s; wall ${r.seconds.toFixed(2)} s`);
    console.log(`  packets per CPU second: ${Math.round(r.packetsPerSecond)}`);
    console.log(`  HTTP transactions (complete) per CPU second: ${Math.round(r.transactionsPerSecond)}`);
    console.log(
      `  transactions complete (method, uri, status): ${r.complete} of ${r.connections} sent = ${(100 * r.completeShare).toFixed(2)}% (events: ${r.transactions}, bodies as expected: ${r.withExpectedBodies})`,
    );
  }
  const ratio = (a: BenchResult, b: BenchResult) => (a.transactionsPerSecond / b.transactionsPerSecond).toFixed(3);
  console.log(`with bodies / headers only (pipeline): transactions per CPU second ${ratio(best.bodies, best.headers)}`);
  console.log(`pipeline / stock eve http (throughput, transactions per CPU second): with bodies ${ratio(best.bodies, best.stock)}, headers only ${ratio(best.headers, best.stock)} (goal: with bodies at least 0.75)`);
  console.log(`load average after: ${load()} (2 cores shared with other jobs: figures are noisy)`);
}

if (require.main === module) main();
