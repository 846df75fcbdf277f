/**
 * The real Suricata on the rendered configuration: `suricata -T`, then end to end on real VXLAN-mirrored packets
 * in network namespaces (see netns-e2e.sh), through the real feed: the Lua outputs send every HTTP event as a
 * unix datagram to a receiver bound where the agent would be (three runs), or append it to the feed file (one
 * run, with a smaller body limit), plus a negative control. Needs root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { bootstrapFiles, renderSuricataYaml } from '../../bootstrap';
import { DEFAULT_CAPTURE_INTERFACE, FEED_MAX_DGRAM_QLEN, SURICATA_LUA_DIR, SURICATA_STATS_FILE } from '../../bootstrap/constants';
import { DEFAULT_HTTP_BODY_LIMIT, FeedMode } from '../../shared';

const SCRIPT = join(__dirname, 'netns-e2e.sh');
const IFACE = DEFAULT_CAPTURE_INTERFACE; // the target's interface is named as in the rendered configuration
const RUN_ID = `${process.pid % 100000}`;

let work: string;
let yamlPath: string;
const tags: string[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bootstrap-suricata-'));
  yamlPath = join(work, 'suricata.yaml');
  // The Lua scripts as the hosts install them (bootstrapFiles), in a directory of their own.
  const luaDir = join(work, 'lua');
  mkdirSync(luaDir);
  for (const f of bootstrapFiles().filter((file) => file.path.startsWith(`${SURICATA_LUA_DIR}/`))) {
    writeFileSync(join(luaDir, basename(f.path)), f.content);
  }
  writeFileSync(yamlPath, renderSuricataYaml(IFACE, { luaDir }));
});

afterAll(() => {
  // Belt and braces: the script cleans up on every exit path; this catches a killed script.
  for (const tag of tags) {
    for (const role of ['c', 's', 't']) {
      const ns = `e2e-${role}-${tag}`;
      spawnSync('bash', ['-c', `ip netns pids ${ns} 2>/dev/null | xargs -r kill -KILL; ip netns del ${ns} 2>/dev/null`], { timeout: 10_000 });
    }
  }
  rmSync(work, { recursive: true, force: true });
});

type Header = { name: string; value: string };
interface FeedEvent {
  event_type: string;
  flow_id: number;
  timestamp: string;
  src_ip: string;
  src_port: number;
  dest_ip: string;
  dest_port: number;
  proto: string;
  http: {
    hostname?: string;
    url?: string;
    http_method?: string;
    protocol?: string;
    status?: number;
    length?: number;
    http_user_agent?: string;
    http_content_type?: string;
    request_headers?: Header[];
    response_headers?: Header[];
    http_request_body_printable?: string;
    http_response_body_printable?: string;
  };
}

interface Scenario {
  dir: string;
  events: FeedEvent[];
  kernelPackets: number;
  kernelDrops: number;
  /** What the target's interface received and sent while Suricata captured on it (netns-e2e.sh's counts). */
  iface: { received: number; sent: number };
  client: string[];
  burst: string[];
  keepalive: string[];
  pipeline: string[];
  suricataLog: string;
  /** Suricata's counters from the last line of stats.json (written again at shutdown). */
  stats: Record<string, any>;
  /** The feed's counters (feed-stats.json). */
  feed: Record<string, number | string>;
}

const BURST = 30;
const KEEPALIVE = 30;

/** Byte i of every body the test sends or the server returns (http-server.py body_bytes). */
const bodyBytes = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
/** What Traceable's fork puts in *_body_printable: printable ASCII, CR and LF kept, every other byte ".". */
const printable = (b: Buffer) => Array.from(b, (c) => (c === 10 || c === 13 || (c >= 32 && c <= 126) ? String.fromCharCode(c) : '.')).join('');
const GZIP_TEXT = 'gzip-compressed response body, decompressed by Suricata. '.repeat(40);

/** The http events the traffic with bodies makes: 3 single requests, 7 with bodies, the keep-alive and pipelined ones, the burst. */
const EVENTS_WITH_BODIES = 3 + 7 + KEEPALIVE + 3 + BURST;

function runScenario(name: string, opts: { mode?: FeedMode; bodies?: boolean; bodyLimit?: number; expectedEvents?: number; extraArgs?: string[] } = {}): Scenario {
  const { mode = 'socket', bodies = false, bodyLimit, expectedEvents, extraArgs = [] } = opts;
  const tag = `${RUN_ID}${tags.length}`;
  tags.push(tag);
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'post-64k.bin'), bodyBytes(65536));
  writeFileSync(join(dir, 'chunked-upload.bin'), bodyBytes(20000));
  const env: NodeJS.ProcessEnv = { ...process.env, BURST: String(BURST), KEEPALIVE: String(KEEPALIVE), FEED_MODE: mode, BODIES: bodies ? '1' : '0', FEED_QLEN: String(FEED_MAX_DGRAM_QLEN) };
  if (bodyLimit !== undefined) env.BODY_LIMIT = String(bodyLimit);
  if (expectedEvents !== undefined) env.EXPECTED_EVENTS = String(expectedEvents);
  const r = spawnSync('bash', [SCRIPT, dir, yamlPath, IFACE, tag, ...extraArgs], { encoding: 'utf8', timeout: 240_000, env });
  if (r.status !== 0) throw new Error(`netns-e2e.sh failed (${r.status ?? r.signal}): ${r.stderr}`);
  for (const role of ['c', 's', 't']) {
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(`e2e-${role}-${tag}`);
  }
  const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const feedOut = mode === 'socket' ? join(dir, 'received.jsonl') : join(dir, 'log', 'traceable-feed.json');
  const events = lines(feedOut).map((l) => JSON.parse(l) as FeedEvent);
  const suricataLog = readFileSync(join(dir, 'log', 'suricata.log'), 'utf8');
  const m = new RegExp(`device: ${IFACE}: packets: (\\d+), drops: (\\d+)`).exec(suricataLog);
  if (!m) throw new Error(`no capture statistics in suricata.log:\n${suricataLog}`);
  const statsLines = lines(join(dir, 'log', SURICATA_STATS_FILE));
  const [received, sent] = lines(join(dir, 'iface-packets.txt')).map(Number);
  return {
    iface: { received, sent },
    dir,
    events,
    kernelPackets: Number(m[1]),
    kernelDrops: Number(m[2]),
    client: lines(join(dir, 'client.txt')),
    burst: lines(join(dir, 'burst.txt')),
    keepalive: lines(join(dir, 'keepalive.txt')),
    pipeline: lines(join(dir, 'pipeline.txt')),
    suricataLog,
    stats: JSON.parse(statsLines[statsLines.length - 1]).stats,
    feed: JSON.parse(readFileSync(join(dir, 'feed', 'feed-stats.json'), 'utf8')),
  };
}

const header = (list: Header[] | undefined, name: string) => list?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** Every transaction complete: method, uri, status, request and response headers, as the agent needs them. */
function expectComplete(e: FeedEvent) {
  expect(e.event_type).toBe('http');
  expect(e.proto).toBe('TCP');
  expect([e.src_ip, e.dest_ip, e.dest_port]).toEqual(['10.213.1.1', '10.213.1.2', 8080]);
  expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
  expect(e.http.http_method).toMatch(/^(GET|POST|PUT)$/);
  expect(e.http.protocol).toBe('HTTP/1.1');
  expect(typeof e.http.status).toBe('number');
  expect(header(e.http.request_headers, 'User-Agent')).toBe('traceable-e2e/1.0');
  expect(header(e.http.response_headers, 'X-E2e-Server')).toBe('yes');
}

/** The traffic of a BODIES=1 run, checked against the events (limit: the body limit in force). */
function expectBodies(s: Scenario, limit: number) {
  expect(s.client).toEqual(['200', '404', '201', '200', '201', '200', '200', '200', '200', '200']);
  const all = s.events.filter((e) => e.event_type === 'http');
  const byUrl = (url: string, method = 'GET') => {
    const found = all.filter((e) => e.http.url === url && e.http.http_method === method);
    expect(found).toHaveLength(1);
    return found[0].http;
  };
  const cut = (b: Buffer) => printable(b.subarray(0, limit));

  const put = byUrl('/api/items/7', 'PUT');
  expect([put.status, put.http_request_body_printable]).toEqual([200, '{"name":"gadget","qty":7}']);
  expect(put.http_response_body_printable).toBe('{"updated":true,"received_bytes":25}');
  const posts = all.filter((e) => e.http.url === '/api/items' && e.http.http_method === 'POST').map((e) => e.http);
  expect(posts.map((h) => header(h.request_headers, 'Content-Length'))).toEqual(['25', '65536']);
  const [post, post64k] = posts;
  expect(post.http_request_body_printable).toBe(JSON.stringify({ name: 'widget', qty: 3 }));
  expect(post64k.http_request_body_printable).toBe(cut(bodyBytes(65536)));
  expect(post64k.status).toBe(201);

  const blob64k = byUrl('/blob?size=65536');
  expect([blob64k.length, blob64k.http_response_body_printable]).toEqual([65536, cut(bodyBytes(65536))]);
  const blob1m = byUrl('/blob?size=1048576');
  expect(blob1m.length).toBe(1048576); // the true length, not what was kept
  expect(blob1m.http_response_body_printable).toBe(cut(bodyBytes(1048576)));

  const upload = byUrl('/upload', 'POST');
  expect(header(upload.request_headers, 'Transfer-Encoding')).toBe('chunked');
  expect(upload.http_request_body_printable).toBe(cut(bodyBytes(20000))); // de-chunked
  expect(upload.http_response_body_printable).toBe('{"received_bytes":20000}');
  const chunked = byUrl('/chunked?size=20000');
  expect(header(chunked.response_headers, 'Transfer-Encoding')).toBe('chunked');
  expect(chunked.http_response_body_printable).toBe(cut(bodyBytes(20000)));
  const gzip = byUrl('/gzip');
  expect(header(gzip.response_headers, 'Content-Encoding')).toBe('gzip');
  expect(gzip.http_response_body_printable).toBe(GZIP_TEXT.slice(0, limit)); // decompressed by Suricata

  // 30 requests with 100 KB responses on one keep-alive connection: all complete, one flow.
  expect(s.keepalive).toEqual(['200 1', ...Array(KEEPALIVE - 1).fill('200 0')]); // one connect, then reuse
  const keepalive = all.filter((e) => e.http.url?.includes('keepalive='));
  expect(keepalive.map((e) => e.http.url)).toEqual(Array.from({ length: KEEPALIVE }, (_, i) => `/blob?size=102400&keepalive=${i + 1}`));
  expect(new Set(keepalive.map((e) => e.flow_id)).size).toBe(1);
  for (const e of keepalive) {
    expectComplete(e);
    expect([e.http.status, e.http.length, e.http.http_content_type]).toEqual([200, 102400, 'application/octet-stream']);
    expect(e.http.http_response_body_printable).toBe(cut(bodyBytes(102400)));
  }
  // Pipelining: three requests in one write, three complete transactions in order on one flow.
  expect(s.pipeline).toEqual(['200', '200', '200']);
  const pipelined = all.filter((e) => e.http.url?.includes('pipelined='));
  expect(pipelined.map((e) => [e.http.url, e.http.status, e.http.length])).toEqual(
    [1, 2, 3].map((i) => [`/blob?size=${1000 * i}&pipelined=${i}`, 200, 1000 * i]),
  );
  expect(new Set(pipelined.map((e) => e.flow_id)).size).toBe(1);
  for (const e of pipelined) expect(e.http.http_response_body_printable).toBe(cut(bodyBytes(Number(/size=(\d+)/.exec(e.http.url!)![1]))));

  // Every transaction of the run is complete; the feed counted every event sent and each body it cut.
  for (const e of all) expectComplete(e);
  const bodySizes = [65536, 65536, 1048576, 20000, 20000, 2280, ...Array(KEEPALIVE).fill(102400), 1000, 2000, 3000];
  expect(s.feed).toMatchObject({ events_sent: all.length, send_errors: 0, events_too_large: 0, body_limit: limit });
  expect(s.feed.bodies_truncated).toBe(bodySizes.filter((n) => n > limit).length);
  expect(s.stats.app_layer.tx.http).toBe(all.length);
  expect(s.stats.tcp.reassembly_gap).toBe(0);
  expect(s.stats.tcp.segment_memcap_drop).toBe(0);
  // Nothing per transaction on disk but the feed file in file mode: no eve.json.
  expect(existsSync(join(s.dir, 'log', 'eve.json'))).toBe(false);
}

/** Every packet the target's interface received or sent reached Suricata's capture, none dropped: counted against what
 * the interface itself counted, not against a number of packets (that depends on how the kernel segmented the traffic). */
function expectEveryPacketCaptured(s: Scenario) {
  expect(s.iface.received).toBeGreaterThan(0);
  expect(s.kernelPackets).toBe(s.iface.received + s.iface.sent);
  expect(s.stats.capture.kernel_packets).toBe(s.kernelPackets);
  expect(s.kernelDrops).toBe(0);
  expect(s.stats.capture.kernel_drops).toBe(0);
}

test('suricata -T accepts the rendered configuration', () => {
  const r = spawnSync('suricata', ['-T', '-c', yamlPath, '-l', work], { encoding: 'utf8', timeout: 30_000 });
  expect(r.error).toBeUndefined();
  expect(r.stdout + r.stderr).toMatch(/Configuration provided was successfully loaded/);
  expect(r.status).toBe(0);
});

describe.each([1, 2, 3])('end to end on VXLAN-mirrored traffic through the feed socket, run %i of 3', (run) => {
  test(
    'every request is one complete http event with headers and bodies up to the limit, no kernel drops',
    () => {
      const s = runScenario(`positive-${run}`, { bodies: true, expectedEvents: EVENTS_WITH_BODIES });
      // First: a packet the kernel dropped (the machine overloaded) shows as itself, not as a shorter body further down.
      expectEveryPacketCaptured(s);
      expect(s.burst).toEqual(Array(BURST).fill('200'));
      const all = s.events.filter((e) => e.event_type === 'http');
      const first = all.slice(0, 3);
      expect(first.map((e) => [e.http.http_method, e.http.url, e.http.status])).toEqual([
        ['GET', '/api/items', 200],
        ['GET', '/api/missing', 404],
        ['POST', '/api/items', 201],
      ]);
      for (const e of first) {
        expect(e.http.hostname).toBe('shop.e2e.test');
        expect(e.http.http_user_agent).toBe('traceable-e2e/1.0');
        expect(header(e.http.request_headers, 'Host')).toBe('shop.e2e.test');
        expect(header(e.http.response_headers, 'Server')).toMatch(/^e2e-server\/1.0/);
      }
      expect(header(first[2].http.request_headers, 'Content-Type')).toBe('application/json');
      expect(first[0].http.http_response_body_printable).toBe('{"items":["widget","gadget"]}');
      expect(first[1].http.http_response_body_printable).toBe('{"error":"not found"}');
      expect(new Set(first.map((e) => e.flow_id)).size).toBe(3);
      expectBodies(s, DEFAULT_HTTP_BODY_LIMIT);
      // The burst: 30 concurrent connections, each one complete transaction in its own flow.
      const burst = all.filter((e) => e.http.url?.includes('burst='));
      expect(burst.map((e) => e.http.url).sort()).toEqual(Array.from({ length: BURST }, (_, i) => `/api/items?burst=${i + 1}`).sort());
      for (const e of burst) expect([e.http.http_method, e.http.status, e.http.hostname]).toEqual(['GET', 200, 'shop.e2e.test']);
      expect(new Set(burst.map((e) => e.flow_id)).size).toBe(BURST);
      expect(all).toHaveLength(EVENTS_WITH_BODIES);
      expect(s.suricataLog).not.toMatch(/request_uri_not_seen|traceable_feed:/);
      expect(s.stats.tcp.sessions).toBe(3 + 7 + 1 + 1 + BURST);
      expect(s.stats.tcp.pkt_on_wrong_thread).toBe(0);
    },
    250_000,
  );
});

test(
  'file mode: the same pipeline appends the events to the feed file; bodies are cut at TRACEABLE_HTTP_BODY_LIMIT',
  () => {
    const s = runScenario('file-mode', { mode: 'file', bodies: true, bodyLimit: 4096, expectedEvents: EVENTS_WITH_BODIES });
    expectEveryPacketCaptured(s);
    expect(s.feed.mode).toBe('file');
    expect(s.events).toHaveLength(EVENTS_WITH_BODIES);
    expectBodies(s, 4096);
    expect(readdirSync(join(s.dir, 'log')).sort()).toEqual([SURICATA_STATS_FILE, 'suricata.log', 'traceable-feed.json']);
  },
  250_000,
);

test(
  'negative control: with the VXLAN decoder disabled the same traffic gives no http events',
  () => {
    const s = runScenario('negative', { extraArgs: ['--set', 'decoder.vxlan.enabled=false'] });
    expect(s.client).toEqual(['200', '404', '201']);
    // The packets did arrive: each of the 3 connections is at least 8 packets (handshake, request, response, two FINs
    // and their ACKs), each mirrored once, however the kernel segmented them.
    expect(s.iface.received).toBeGreaterThan(3 * 8);
    expectEveryPacketCaptured(s);
    expect(s.stats.decoder.vxlan).toBe(0);
    expect(s.events).toEqual([]);
    expect(s.feed).toMatchObject({ events_sent: 0, send_errors: 0 });
  },
  250_000,
);
