/**
 * AWS's real mirrored packet path, on a capture this test builds packet by packet (helpers/mirror-capture.ts): a source
 * with a 9,001-byte MTU (full-size segments of 8,949 payload bytes), one keep-alive connection with 10 GETs of
 * 30,000-byte responses and 10 small ones, mirrored in VXLAN and cut to 8,500 bytes after the VXLAN header as an NLB
 * target's session does, delivered out of order (neighbours swapped, the directions interleaved), plus a TLS
 * connection on a mirrored port. It runs through the rendered configuration (the hosts' suricata.yaml and Lua outputs,
 * `suricata -r`), without and with the hosts' packet fixer (bootstrap/files/vxlan-cut-fixer.py: its XDP program run
 * in this kernel on every frame with BPF_PROG_TEST_RUN), and the hosts' metrics publisher reads the counters of the
 * run. Needs root (bpf), Suricata and python3.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { bootstrapFiles, BOOTSTRAP_FILES_DIR, renderSuricataYaml } from '../../bootstrap';
import { SURICATA_LUA_DIR, SURICATA_STATS_FILE } from '../../bootstrap/constants';
import { HOST_METRICS } from '../../shared';
import {
  Endpoint,
  Exchange,
  FULL_SEGMENT,
  KEPT_OF_FULL_SEGMENT,
  keepAliveConnection,
  mirrored,
  reordered,
  tlsHello,
  writePcap,
} from '../helpers/mirror-capture';

const FIXER = join(BOOTSTRAP_FILES_DIR, 'vxlan-cut-fixer.py');
const LIVE = join(__dirname, 'cut-fixer-netns.sh');
const LIVE_IFACE = 'cutcap0';
const BIG = 30000;
const CLIENT: Endpoint = { ip: [10, 1, 0, 5], port: 43210 };
const SERVER: Endpoint = { ip: [10, 1, 0, 9], port: 80 };

/** Body byte i of response n: letters, so that a shifted byte shows. */
const bigBody = (n: number) => Buffer.from(Array.from({ length: BIG }, (_, i) => 65 + ((i + n) % 26))).toString();
const smallBody = (n: number) => `{"small":${n}}`;
const responseHead = (type: string, length: number, seq: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\nX-Seq: ${seq}\r\n\r\n`;
const request = (path: string) => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: api.cut.test\r\nUser-Agent: cut-e2e/1.0\r\n\r\n`);

const exchanges: Exchange[] = [];
for (let n = 1; n <= 10; n++) {
  exchanges.push({ request: request(`/big/${n}`), response: Buffer.from(responseHead('application/octet-stream', BIG, String(n)) + bigBody(n)) });
  exchanges.push({ request: request(`/small/${n}`), response: Buffer.from(responseHead('application/json', smallBody(n).length, `s${n}`) + smallBody(n)) });
}
/** The body bytes of big response n that arrive before its first hole: the first segment's kept payload minus the head. */
const beforeFirstHole = (n: number) => KEPT_OF_FULL_SEGMENT - responseHead('application/octet-stream', BIG, String(n)).length;

let work: string;
let yamlPath: string;
/** Frames in the capture: the HTTP connection's handshake, per big exchange the request, its ACK, 4 segments and 2
 * ACKs, per small one 4, the teardown; the TLS connection's 10. */
const FRAMES = 3 + 10 * (2 + 4 + 2) + 10 * 4 + 3 + 10;

interface FeedEvent {
  flow_id: number;
  src_ip: string;
  dest_port: number;
  http: Record<string, any> & { request_headers: { name: string; value: string }[]; response_headers: { name: string; value: string }[] };
}

interface Run {
  events: FeedEvent[];
  stats: Record<string, any>;
  dir: string;
}

function suricata(name: string, pcap: string): Run {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: join(dir, 'feed.json'), TRACEABLE_FEED_STATS: join(dir, 'feed-stats.json') };
  const r = spawnSync('suricata', ['-r', pcap, '-c', yamlPath, '-l', dir], { encoding: 'utf8', timeout: 120_000, env });
  if (r.status !== 0) throw new Error(`suricata failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
  const stats = lines(join(dir, SURICATA_STATS_FILE));
  return { dir, events: lines(join(dir, 'feed.json')).map((l) => JSON.parse(l)), stats: JSON.parse(stats[stats.length - 1]).stats };
}

/** The fixer's XDP program, run by this kernel on every frame of `pcap`; its counters as the hosts write them. */
function fixed(pcap: string, out: string, statsFile: string) {
  const r = spawnSync('python3', [FIXER, '--pcap', pcap, out], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TRACEABLE_CUT_STATS: statsFile } });
  if (r.status !== 0) throw new Error(`vxlan-cut-fixer.py failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const header = (list: { name: string; value: string }[], name: string) => list.find((h) => h.name === name)?.value;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'aws-packet-path-'));
  const luaDir = join(work, 'lua');
  mkdirSync(luaDir);
  for (const f of bootstrapFiles().filter((file) => file.path.startsWith(`${SURICATA_LUA_DIR}/`))) writeFileSync(join(luaDir, basename(f.path)), f.content);
  yamlPath = join(work, 'suricata.yaml');
  writeFileSync(yamlPath, renderSuricataYaml('ens5', { luaDir }));
  writeFileSync(join(work, 'live.yaml'), renderSuricataYaml(LIVE_IFACE, { luaDir }));
  const http = keepAliveConnection(CLIENT, SERVER, exchanges);
  const tls = keepAliveConnection({ ip: [10, 1, 0, 6], port: 50123 }, { ip: [10, 1, 0, 9], port: 443 }, [{ request: tlsHello(1), response: tlsHello(2) }]);
  // The TLS connection's packets interleaved with the HTTP connection's; then neighbours swapped.
  const both = http.flatMap((p, i) => (i < tls.length ? [p, tls[i]] : [p]));
  writePcap(join(work, 'aws.pcap'), mirrored(reordered(both)));
  writePcap(join(work, 'uncut.pcap'), mirrored(reordered(both), 65535));
});

afterAll(() => {
  // Belt and braces: the script removes its namespace on every exit path; this catches a killed script.
  spawnSync('bash', ['-c', `ip netns pids cut-${process.pid} 2>/dev/null | xargs -r kill -KILL; ip netns del cut-${process.pid} 2>/dev/null`], { timeout: 10_000 });
  rmSync(work, { recursive: true, force: true });
});

test('the capture is what AWS delivers: full-size segments of 8949 bytes, 8500 bytes after the VXLAN header, the inner IPv4 length uncut', () => {
  expect([FULL_SEGMENT, KEPT_OF_FULL_SEGMENT]).toEqual([8949, 8434]);
  const pcap = readFileSync(join(work, 'aws.pcap'));
  let offset = 24;
  const cut: number[][] = [];
  let lastServerSeq = 0;
  let serverSegmentsBehind = 0;
  while (offset < pcap.length) {
    const length = pcap.readUInt32LE(offset + 8);
    const frame = pcap.subarray(offset + 16, offset + 16 + length);
    if (frame.readUInt16BE(64 + 2) > length - 64) cut.push([length, frame.readUInt16BE(38), frame.readUInt16BE(64 + 2)]);
    // Inner TCP at 84: a data segment of the HTTP server that arrives after a later one of its own.
    if (frame.readUInt16BE(84) === SERVER.port && length > 84 + 32) {
      const seq = frame.readUInt32BE(84 + 4);
      if (seq < lastServerSeq) serverSegmentsBehind++;
      lastServerSeq = seq;
    }
    offset += 16 + length;
  }
  // 3 full-size segments in each of the 10 big responses, each 14+20+8+8 outer bytes + 8500 (UDP length 8516).
  expect(cut).toEqual(Array(30).fill([8550, 8516, 9001]));
  // Reordered within a direction, not only across the two: 9 of the server's data segments arrive after a later one.
  expect(serverSegmentsBehind).toBe(9);
});

test("the gap check's bound in traceable_http.lua is what suricata.yaml keeps of a body", () => {
  const lua = readFileSync(join(BOOTSTRAP_FILES_DIR, 'lua', 'traceable_http.lua'), 'utf8');
  const yaml = readFileSync(join(BOOTSTRAP_FILES_DIR, 'suricata.yaml'), 'utf8');
  const kept = Number(/^local KEPT_AT_MOST = (\d+)$/m.exec(lua)![1]);
  expect([/request-body-limit: (\d+)/.exec(yaml)![1], /response-body-limit: (\d+)/.exec(yaml)![1]].map(Number)).toEqual([kept, kept]);
});

test(
  'without the fixer, Suricata 7 refuses every cut segment: no transaction keeps its status, and no event carries wrong bytes',
  () => {
    const s = suricata('unfixed', join(work, 'aws.pcap'));
    const http = s.events.filter((e) => e.dest_port === 80);
    expect(http.map((e) => e.http.url)).toEqual(exchanges.map((x) => x.request.toString().split(' ')[1]));
    expect(http.filter((e) => e.http.status !== undefined)).toHaveLength(0);
    // The cut segments never reach TCP (decoder.tcp counts the rest), and Suricata counts no invalid packet for them.
    expect([s.stats.decoder.vxlan - s.stats.decoder.tcp, s.stats.decoder.invalid]).toEqual([30, 0]);
    // Without a status line no response body is sent (before: /big/1 carried 33,363 shifted bytes).
    for (const e of http) expect(e.http.http_response_body_printable).toBeUndefined();
  },
  120_000,
);

describe('through the fixer', () => {
  let run: Run;
  let counters: Record<string, number>;
  beforeAll(() => {
    counters = fixed(join(work, 'aws.pcap'), join(work, 'fixed.pcap'), join(work, 'cut-stats.json'));
    run = suricata('fixed', join(work, 'fixed.pcap'));
  });

  test('the fixer rewrote the 30 cut segments, 515 bytes lost each, and touched nothing else', () => {
    expect(counters).toEqual({ cut_packets: 30, cut_bytes_lost: 30 * (FULL_SEGMENT - KEPT_OF_FULL_SEGMENT), frames: FRAMES });
    expect(JSON.parse(readFileSync(join(work, 'cut-stats.json'), 'utf8'))).toMatchObject({ cut_packets: 30, cut_bytes_lost: 15450 });
    const again = fixed(join(work, 'uncut.pcap'), join(work, 'uncut-fixed.pcap'), join(work, 'uncut-stats.json'));
    expect(again.cut_packets).toBe(0);
    expect(readFileSync(join(work, 'uncut-fixed.pcap')).equals(readFileSync(join(work, 'uncut.pcap')))).toBe(true);
  });

  test(
    'every transaction keeps status and headers; big bodies exact up to their first hole and marked; small ones exact',
    () => {
      const http = run.events.filter((e) => e.dest_port === 80);
      expect(http.map((e) => [e.http.http_method, e.http.url, e.http.status])).toEqual(
        exchanges.map((x) => ['GET', x.request.toString().split(' ')[1], 200]),
      );
      expect(new Set(http.map((e) => e.flow_id)).size).toBe(1);
      for (const e of http) {
        const [, kind, n] = /^\/(big|small)\/(\d+)$/.exec(e.http.url)!;
        expect(e.http.request_headers).toEqual([
          { name: 'Host', value: 'api.cut.test' },
          { name: 'User-Agent', value: 'cut-e2e/1.0' },
        ]);
        expect(e.http.hostname).toBe('api.cut.test');
        if (kind === 'big') {
          expect(e.http.response_headers).toEqual([
            { name: 'Content-Type', value: 'application/octet-stream' },
            { name: 'Content-Length', value: String(BIG) },
            { name: 'X-Seq', value: n },
          ]);
          expect([e.http.length, e.http.http_content_type, e.http.http_response_body_gap]).toEqual([BIG, 'application/octet-stream', true]);
          // Exactly the bytes before the first hole (compared whole, reported short).
          const body: string = e.http.http_response_body_printable;
          expect([body.length, body === bigBody(Number(n)).slice(0, beforeFirstHole(Number(n)))]).toEqual([beforeFirstHole(Number(n)), true]);
        } else {
          expect(header(e.http.response_headers, 'X-Seq')).toBe(`s${n}`);
          expect([e.http.length, e.http.http_response_body_printable]).toEqual([smallBody(Number(n)).length, smallBody(Number(n))]);
          expect(e.http).not.toHaveProperty('http_response_body_gap');
        }
        expect(e.http).not.toHaveProperty('http_request_body_printable');
        expect(e.http).not.toHaveProperty('http_request_body_gap');
      }
      // Three holes per big response, each a reassembly gap; every inner packet decoded; one TLS flow.
      expect([run.stats.tcp.reassembly_gap, run.stats.decoder.vxlan - run.stats.decoder.tcp, run.stats.app_layer.flow.tls]).toEqual([30, 0, 1]);
      expect(run.stats.app_layer.tx.http).toBe(20);
    },
    120_000,
  );

  test('the hosts\' metrics publisher reads that run: 30 truncated packets, 30 reassembly gaps, 1 TLS flow, 20 transactions', () => {
    // The host's files as metrics.py finds them: Suricata's stats, the feed's and the fixer's counters.
    const dir = join(work, 'metrics');
    mkdirSync(dir);
    copyFileSync(join(run.dir, SURICATA_STATS_FILE), join(dir, SURICATA_STATS_FILE));
    copyFileSync(join(run.dir, 'feed-stats.json'), join(dir, 'feed-stats.json'));
    copyFileSync(join(work, 'cut-stats.json'), join(dir, 'cut-stats.json'));
    // The previous sample: every counter at 0, so the document carries this run's totals.
    writeFileSync(join(dir, 'state.json'), JSON.stringify(Object.fromEntries(Object.values(HOST_METRICS).map((name) => [name, 0]))));
    const r = spawnSync('python3', [join(BOOTSTRAP_FILES_DIR, 'metrics.py'), '--once'], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, TRACEABLE_METRICS_GROUP: 'prod-agents', TRACEABLE_METRICS_SINK: 'stdout', TRACEABLE_METRICS_STATE: join(dir, 'state.json'), TRACEABLE_STATS_FILE: join(dir, SURICATA_STATS_FILE), TRACEABLE_FEED_DIR: dir },
    });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    // A pcap run has no capture counters (KernelPackets, KernelDrops): only what this capture sets.
    expect(Object.fromEntries(Object.values(HOST_METRICS).filter((name) => name in doc).map((name) => [name, doc[name]]))).toEqual({
      [HOST_METRICS.vxlanPackets]: FRAMES,
      [HOST_METRICS.httpTransactions]: 20,
      [HOST_METRICS.reassemblyGaps]: 30,
      [HOST_METRICS.tlsFlows]: 1,
      [HOST_METRICS.truncatedPackets]: 30,
      [HOST_METRICS.feedEventsSent]: 20,
      [HOST_METRICS.feedSendErrors]: 0,
      // every response of the capture kept its status: none lost to the parser (traceable_http.lua)
      [HOST_METRICS.httpResponsesLost]: 0,
    });
  });

  test(
    'the same capture uncut: every transaction and body exact, no gap flag (the control)',
    () => {
      const s = suricata('uncut', join(work, 'uncut.pcap'));
      const http = s.events.filter((e) => e.dest_port === 80);
      expect(http).toHaveLength(20);
      for (const e of http) {
        const [, kind, n] = /^\/(big|small)\/(\d+)$/.exec(e.http.url)!;
        expect(e.http.status).toBe(200);
        expect(e.http.http_response_body_printable === (kind === 'big' ? bigBody(Number(n)) : smallBody(Number(n)))).toBe(true);
        expect(e.http).not.toHaveProperty('http_response_body_gap');
      }
      expect(s.stats.tcp.reassembly_gap).toBe(0);
    },
    120_000,
  );

  test(
    'attached to a live interface (generic XDP) the fixer runs before af-packet capture: the same events, counted, detached at stop',
    () => {
      const dir = join(work, 'live');
      const r = spawnSync('bash', [LIVE, dir, join(work, 'live.yaml'), LIVE_IFACE, String(process.pid), join(work, 'aws.pcap')], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`cut-fixer-netns.sh failed (${r.status ?? r.signal}): ${r.stderr}`);
      const live = readFileSync(join(dir, 'feed.json'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FeedEvent);
      const strip = (events: FeedEvent[]) => events.filter((e) => e.dest_port === 80).map((e) => ({ ...e.http }));
      expect(strip(live)).toEqual(strip(run.events));
      expect(JSON.parse(readFileSync(join(dir, 'cut-stats.json'), 'utf8'))).toMatchObject({ cut_packets: 30, cut_bytes_lost: 15450 });
      expect(readFileSync(join(dir, 'xdp-after.txt'), 'utf8')).not.toMatch(/xdp/);
    },
    150_000,
  );
});
