/**
 * HTTP/2 cleartext through the real Suricata on the rendered configuration: node's http2 client and server (prior
 * knowledge) and curl --http2 (Upgrade), mirrored in VXLAN as AWS does (netns-e2e.sh with h2c-traffic.sh), decoded
 * by traceable_http2.lua and received from the feed's socket as the agent would; then a capture with one segment removed, for
 * what a gap does. Needs root, Suricata, node, curl, tcpdump.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exchange, Header, headerValue as header } from '../helpers/h2c';
import { connectionsTo, everyClientClosed, readCapture, tcpDirection, withoutBytes } from '../helpers/pcap';
import { DATA, END_STREAM, PREFACE, frame, headersFrame, settingsAck, settingsFrame } from '../helpers/h2c-capture';
import { Endpoint, mirrored, segmentedConnection, writePcap, type Segment } from '../helpers/mirror-capture';
import { LUA_SOURCE_DIR, renderSuricataYaml } from '../../bootstrap';
import { DEFAULT_CAPTURE_INTERFACE } from '../../bootstrap/constants';

const E2E = join(__dirname, 'netns-e2e.sh');
const H2C_TRAFFIC = join(__dirname, 'h2c-traffic.sh');
const TRAFFIC = join(__dirname, 'h2c-traffic.mjs');
const IFACE = DEFAULT_CAPTURE_INTERFACE;
const TAG = `h2${process.pid % 100000}`;
const BODY_LIMIT = 100_000;
const BURST = 2;

interface FeedEvent {
  event_type: string;
  flow_id: number;
  src_ip: string;
  src_port: number;
  dest_ip: string;
  dest_port: number;
  proto: string;
  timestamp: string;
  http: {
    hostname?: string;
    http_port?: number;
    url?: string;
    http_method?: string;
    status?: number;
    protocol?: string;
    version?: string;
    length?: number;
    http_user_agent?: string;
    http_content_type?: string;
    request_headers: Header[];
    response_headers: Header[];
    http_request_body_printable?: string;
    http_response_body_printable?: string;
    http_request_body_gap?: boolean;
    http_response_body_gap?: boolean;
    http2?: { stream_id: number; complete: boolean; upgraded?: boolean; reset_code?: number };
  };
}

let work: string;
let yamlPath: string;

/** The rendered configuration, run on the Lua sources: traceable_http2.lua is among the hosts' Lua outputs. */
function yamlWithH2c(): string {
  const yaml = renderSuricataYaml(IFACE, { luaDir: LUA_SOURCE_DIR });
  if (!yaml.includes('        - traceable_http.lua\n        - traceable_http2.lua\n')) throw new Error('no traceable_http2.lua among the rendered Lua outputs');
  return yaml;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'h2c-e2e-'));
  yamlPath = join(work, 'suricata.yaml');
  writeFileSync(yamlPath, yamlWithH2c());
});

afterAll(() => {
  for (const role of ['c', 's', 't']) {
    spawnSync('bash', ['-c', `ip netns pids e2e-${role}-${TAG} 2>/dev/null | xargs -r kill -KILL; ip netns del e2e-${role}-${TAG} 2>/dev/null`], { timeout: 10_000 });
  }
  for (const mtu of LOOPBACK_MTUS) removeNamespace(gapNamespace(mtu));
  rmSync(work, { recursive: true, force: true });
});

/** What feed.printable makes of a body: cut at the limit, every byte but printable ASCII, CR and LF as ".". */
const printable = (s: string) => s.slice(0, BODY_LIMIT).replace(/[^ -~\r\n]/g, '.');
const readEvents = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FeedEvent) : [];

/** The rendered configuration on a capture (`suricata -r`, the feed in file mode, logs in dir/log): the feed's events. */
function suricataOnCapture(dir: string, pcap: string): FeedEvent[] {
  mkdirSync(join(dir, 'log'), { recursive: true });
  const r = spawnSync('suricata', ['-c', yamlPath, '-r', pcap, '-l', join(dir, 'log'), '-k', 'none'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: join(dir, 'feed.json'),
      TRACEABLE_FEED_STATS: join(dir, 'feed-stats.json'), TRACEABLE_HTTP_BODY_LIMIT: String(BODY_LIMIT) },
  });
  if (r.status !== 0) throw new Error(`suricata failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return readEvents(join(dir, 'feed.json'));
}

/** Everything one h2 event must carry for its exchange: method, :path, :authority, status, all headers, bodies. */
function expectExchange(e: FeedEvent, t: Exchange) {
  const h = e.http;
  const [host, port] = t.authority.split(':');
  expect({ method: h.http_method, url: h.url, status: h.status, hostname: h.hostname, port: h.http_port, protocol: h.protocol, version: h.version })
    .toEqual({ method: t.method, url: t.path, status: t.status, hostname: host, port: Number(port), protocol: 'HTTP/2', version: '2' });
  expect(h.http2).toMatchObject({ complete: true, ...(t.via === 'upgrade' ? { stream_id: 1, upgraded: true } : {}) });
  if (t.via === 'prior-knowledge') {
    expect(header(h.request_headers, ':method')).toBe(t.method);
    expect(header(h.request_headers, ':path')).toBe(t.path);
    expect(header(h.request_headers, ':authority')).toBe(t.authority);
    expect(header(h.response_headers, ':status')).toBe(String(t.status));
  } else {
    expect(header(h.request_headers, 'host')).toBe(t.authority);
    expect(header(h.request_headers, 'upgrade')).toBe('h2c');
  }
  for (const [name, value] of Object.entries(t.requestHeaders)) expect(header(h.request_headers, name)).toBe(value);
  expect(h.http_user_agent).toBe('traceable-e2e-h2/1.0');
  expect(header(h.response_headers, 'x-e2e-server')).toBe(t.via === 'upgrade' ? 'h2c-upgrade' : 'h2');
  expect(header(h.response_headers, 'x-request-bytes')).toBe(String(t.requestBody.length));
  expect(h.http_content_type).toBe('text/plain');
  expect(h.length).toBe(t.responseBody.length);
  // byte-exact up to the limit (no field when the body is empty)
  expect(h.http_request_body_printable === (t.requestBody ? printable(t.requestBody) : undefined)).toBe(true);
  expect(h.http_response_body_printable === (t.responseBody ? printable(t.responseBody) : undefined)).toBe(true);
}

test(
  'VXLAN-mirrored h2c: every stream is one complete event with all headers and byte-exact bodies, beside the HTTP/1 events',
  () => {
    expect(readFileSync(yamlPath, 'utf8')).toMatch(/scripts:[\s\S]*- traceable_http2\.lua/);
    const dir = join(work, 'mirror');
    const r = spawnSync('bash', [E2E, dir, yamlPath, IFACE, TAG], {
      encoding: 'utf8',
      timeout: 110_000,
      // at least the 28 h2c streams and the HTTP/1 events (3 and the burst)
      env: { ...process.env, BURST: String(BURST), EXTRA_TRAFFIC: H2C_TRAFFIC, FEED_MODE: 'socket', BODY_LIMIT: String(BODY_LIMIT), EXPECTED_EVENTS: String(28 + 3 + BURST) },
    });
    if (r.status !== 0) throw new Error(`netns-e2e.sh failed (${r.status ?? r.signal}): ${r.stderr}`);
    const truth = JSON.parse(readFileSync(join(dir, 'h2c-truth.json'), 'utf8')) as Exchange[];
    expect(truth).toHaveLength(28);
    // What the agent would receive: the datagrams on the feed socket (the hosts' default mode).
    const events = readEvents(join(dir, 'received.jsonl'));
    const h2 = events.filter((e) => e.http.version === '2');
    const suricataLog = readFileSync(join(dir, 'log', 'suricata.log'), 'utf8');
    expect(suricataLog).not.toMatch(/traceable_http2: |failed to run script/);

    // One event per stream, each complete.
    expect(h2.map((e) => e.http.url).sort()).toEqual(truth.map((t) => t.path).sort());
    for (const t of truth) expectExchange(h2.find((e) => e.http.url === t.path)!, t);
    for (const e of h2) {
      expect([e.event_type, e.proto, e.src_ip, e.dest_ip]).toEqual(['http', 'TCP', '10.213.1.1', '10.213.1.2']);
      expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
    }
    // Four connections, one flow each: 6 streams one after the other, 20 at once, two Upgrades.
    const flows = (conn: string) => new Set(h2.filter((e) => truth.find((t) => t.path === e.http.url)!.conn === conn).map((e) => e.flow_id));
    for (const conn of ['pk-serial', 'pk-concurrent', 'upgrade-get', 'upgrade-post']) expect(flows(conn).size).toBe(1);
    expect(new Set(h2.map((e) => e.flow_id)).size).toBe(4);
    expect(h2.filter((e) => e.dest_port === 8081)).toHaveLength(26);
    const concurrent = h2.filter((e) => e.http.url!.startsWith('/h2/concurrent'));
    expect(concurrent.map((e) => e.http.http2!.stream_id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1));
    // The body over the limit: cut, with its true length; the 40000-byte headers that needed CONTINUATION.
    const over = h2.find((e) => e.http.url === '/h2/large?case=over-limit')!;
    expect([over.http.http_request_body_printable!.length, over.http.http_response_body_printable!.length, over.http.length])
      .toEqual([BODY_LIMIT, BODY_LIMIT, 150000]);
    const big = h2.find((e) => e.http.url === '/h2/headers?case=continuation')!;
    expect(header(big.http.request_headers, 'x-big-request-header')).toBe('a'.repeat(40000));
    expect(header(big.http.response_headers, 'x-big')).toBe('b'.repeat(40000));

    // HTTP/1 on the same feed as before: the three single requests and the burst, none of them taken for HTTP/2.
    const http1 = events.filter((e) => e.http.version !== '2' && e.dest_port === 8080);
    expect(http1).toHaveLength(3 + BURST);
    // The accepted Upgrade requests (port 8082) are their HTTP/2 streams only: no HTTP/1 event of the 101 exchange.
    expect(events.filter((e) => e.http.version !== '2' && e.dest_port === 8082)).toEqual([]);
    expect(h2.some((e) => e.dest_port === 8082 && e.http.http2!.upgraded)).toBe(true);
    const stats = JSON.parse(readFileSync(join(dir, 'feed', 'feed-stats.json'), 'utf8'));
    expect(stats.events_sent).toBe(events.length);
    expect(stats.send_errors).toBe(0);
    const m = new RegExp(`device: ${IFACE}: packets: (\\d+), drops: (\\d+)`).exec(suricataLog);
    expect(m && Number(m[2])).toBe(0);
  },
  120_000,
);

/** Where the payload of stream data begins in a server's HTTP/2 byte stream: the DATA frame whose payload starts with
 * `prefix` (frames walked from the server's first SETTINGS; no padding, node's server sends none). */
function dataFrameStartingWith(serverBytes: Buffer, prefix: Buffer): { payloadStart: number; payloadLength: number } | undefined {
  for (let off = 0; off + 9 <= serverBytes.length; ) {
    const length = serverBytes.readUIntBE(off, 3);
    const payloadStart = off + 9;
    if (serverBytes[off + 3] === 0x0 && serverBytes.subarray(payloadStart, payloadStart + prefix.length).equals(prefix)) return { payloadStart, payloadLength: length };
    off = payloadStart + length;
  }
  return undefined;
}

function waitFor(check: () => boolean, ms: number, what: string) {
  return new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + ms;
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

/** The gap test's own network namespace (its loopback's MTU set per run), removed after every run. */
const gapNamespace = (mtu: number) => `h2gap-${mtu}-${TAG}`;
const removeNamespace = (ns: string) =>
  spawnSync('bash', ['-c', `ip netns pids ${ns} 2>/dev/null | xargs -r kill -KILL; ip netns del ${ns} 2>/dev/null`], { timeout: 10_000 });

/** The live h2c traffic, captured on the loopback of a namespace of its own whose MTU (and so segmentation) is `mtu`. */
async function captureH2c(dir: string, mtu: number): Promise<{ pcap: Buffer; h2Port: number; truth: Exchange[] }> {
  const ns = gapNamespace(mtu);
  removeNamespace(ns);
  for (const args of [['netns', 'add', ns], ['-n', ns, 'link', 'set', 'lo', 'mtu', String(mtu)], ['-n', ns, 'link', 'set', 'lo', 'up']]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  }
  const inNs = (...args: string[]) => ['netns', 'exec', ns, ...args];
  const server = spawn('ip', inNs('node', TRAFFIC, 'server', '127.0.0.1', '0', '0', join(dir, 'ready')), { stdio: 'ignore' });
  let tcpdump: ReturnType<typeof spawn> | undefined;
  try {
    await waitFor(() => existsSync(join(dir, 'ready')) && readFileSync(join(dir, 'ready'), 'utf8').endsWith('\n'), 10_000, 'the h2c server');
    const [h2Port, upgradePort] = readFileSync(join(dir, 'ready'), 'utf8').trim().split(' ').map(Number);
    let dumpErr = '';
    tcpdump = spawn('ip', inNs('tcpdump', '-i', 'lo', '-U', '-s', '0', '-w', join(dir, 'h2c.pcap'), `tcp port ${h2Port} or tcp port ${upgradePort}`));
    tcpdump.stderr!.on('data', (d) => { dumpErr += d; });
    await waitFor(() => dumpErr.includes('listening on'), 10_000, 'tcpdump');
    const client = spawnSync('ip', inNs('node', TRAFFIC, 'client', '127.0.0.1', String(h2Port), String(upgradePort), join(dir, 'truth.json')), { encoding: 'utf8', timeout: 60_000 });
    expect(client.status).toBe(0);
    // The capture ends when tcpdump has written the opening and the client's close of every connection the client made
    // (one per `conn` of its exchanges), however long a loaded machine takes.
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Exchange[];
    const connections = new Set(truth.map((t) => t.conn)).size;
    const closed = () => {
      try {
        const capture = readCapture(readFileSync(join(dir, 'h2c.pcap')));
        return connectionsTo(capture, h2Port).length + connectionsTo(capture, upgradePort).length === connections && everyClientClosed(capture);
      } catch {
        return false; // a record still being written
      }
    };
    await waitFor(closed, 20_000, `the opening and the client's close of all ${connections} connections in the capture`);
    const exited = new Promise((r) => tcpdump!.once('exit', r));
    tcpdump.kill('SIGINT');
    await exited;
    tcpdump = undefined;
    return { pcap: readFileSync(join(dir, 'h2c.pcap')), h2Port, truth };
  } finally {
    tcpdump?.kill('SIGKILL');
    server.kill('SIGKILL');
    removeNamespace(ns);
  }
}

/**
 * The capture without the middle of the first DATA frame of the 64 KB response (stream 7 of the serial connection),
 * found by its content: the connection whose server bytes hold a DATA frame starting with that body. The gap lies
 * inside one frame's payload, so it breaks the framing however the kernel cut the segments around it.
 */
function withoutPartOf64kResponse(pcap: Buffer, h2Port: number, truth: Exchange[]): { pcap: Buffer; touched: number[] } {
  const capture = readCapture(pcap);
  const body = Buffer.from(truth.find((t) => t.path === '/h2/big?case=64k')!.responseBody, 'latin1');
  const found = connectionsTo(capture, h2Port).flatMap(({ clientPort }) => {
    const direction = tcpDirection(capture, h2Port, clientPort);
    const frame = dataFrameStartingWith(direction.bytes, body.subarray(0, 64));
    return frame ? [{ direction, frame }] : [];
  });
  expect(found).toHaveLength(1);
  const [{ direction, frame }] = found;
  expect(frame.payloadLength).toBeGreaterThanOrEqual(64);
  const from = frame.payloadStart + Math.floor(frame.payloadLength / 4);
  return withoutBytes(capture, direction, from, frame.payloadStart + Math.floor(frame.payloadLength / 2));
}

/** Loopback MTUs the gap test runs at: the default (TSO-sized segments), AWS's 9,001, Ethernet's 1,500. */
const LOOPBACK_MTUS = [65536, 9001, 1500];

test.each(LOOPBACK_MTUS)(
  'a segment lost before Suricata: no wrong event, the streams before the gap complete, the broken connection reported (loopback MTU %i)',
  async (mtu) => {
    const dir = join(work, `gap-${mtu}`);
    mkdirSync(join(dir, 'log'), { recursive: true });
    const { pcap: live, h2Port, truth } = await captureH2c(dir, mtu);
    const { pcap, touched } = withoutPartOf64kResponse(live, h2Port, truth);
    expect(touched.length).toBeGreaterThan(0);
    writeFileSync(join(dir, 'gap.pcap'), pcap);
    const h2 = suricataOnCapture(dir, join(dir, 'gap.pcap')).filter((e) => e.http.version === '2');
    const complete = h2.filter((e) => e.http.http2!.complete);
    // Whatever was lost, an event that says complete is right.
    for (const e of complete) expectExchange(e, truth.find((t) => t.path === e.http.url)!);
    const completeUrls = new Set(complete.map((e) => e.http.url));
    const serial = truth.filter((t) => t.conn === 'pk-serial').map((t) => t.path);
    for (const t of truth) {
      if (!serial.includes(t.path)) expect(completeUrls.has(t.path)).toBe(true);
    }
    expect(serial.slice(0, 3).every((p) => completeUrls.has(p))).toBe(true);
    expect(completeUrls.has('/h2/big?case=64k')).toBe(false);
    const log = readFileSync(join(dir, 'log', 'suricata.log'), 'utf8');
    const reported = /traceable_http2: flow \d+ 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+: .*; its open streams are (dropped|sent up to the gap)/.test(log);
    const incomplete = h2.some((e) => e.http.url === '/h2/big?case=64k' && !e.http.http2!.complete);
    expect(reported || incomplete).toBe(true);
    // The stream the hole is in, if sent: marked, and its body only bytes from before the hole.
    const body64k = printable(truth.find((t) => t.path === '/h2/big?case=64k')!.responseBody);
    for (const e of h2.filter((x) => x.http.url === '/h2/big?case=64k')) {
      expect(e.http.http_response_body_gap).toBe(true);
      expect(body64k.startsWith(e.http.http_response_body_printable ?? '')).toBe(true);
    }
  },
  120_000,
);

/** DATA payload n of a built response: a marker the test finds the segment by, then filler. */
const part = (n: number) => Buffer.from(`part-${n}:${'x'.repeat(990)}`);
const AUTHORITY = 'h2.gap.test:8080';
const SERVER: Endpoint = { ip: [10, 2, 0, 9], port: 8080 };
const get = (id: number, path: string) =>
  headersFrame(id, [[':method', 'GET'], [':scheme', 'http'], [':path', path], [':authority', AUTHORITY], ['user-agent', 'gap-e2e/1.0']], true);
/** Response headers without content-length: only the end of the stream tells where the body ends. */
const noLength = (id: number) => headersFrame(id, [[':status', '200'], ['content-type', 'text/plain']]);
const serverStart = () => Buffer.concat([settingsFrame(), settingsAck()]);

/**
 * Two prior-knowledge connections built segment by segment. "whole": stream 1 (/before) ends before the gap; stream 3
 * (/no-length, no content-length) has five DATA frames, one per segment, and the segment of the fourth is lost: the
 * framing stays intact and END_STREAM arrives; stream 5 (/after) follows. "cut": the segment lost carries the last 5
 * bytes of a DATA frame's header and its payload, so the bytes after the hole are read from inside a frame.
 */
function gapConnections(): { segments: Record<'whole' | 'cut', Segment[]>; lost: Record<'whole' | 'cut', string> } {
  const third = frame(DATA, 0, 1, part(3));
  return {
    segments: {
      whole: [
        { from: 'client', payload: Buffer.concat([PREFACE, settingsFrame(), get(1, '/before'), get(3, '/no-length')]) },
        { from: 'server', payload: Buffer.concat([serverStart(), headersFrame(1, [[':status', '200'], ['content-length', '6']]), frame(DATA, END_STREAM, 1, Buffer.from('before'))]) },
        { from: 'server', payload: noLength(3) },
        ...[1, 2, 3, 4].map((n) => ({ from: 'server' as const, payload: frame(DATA, 0, 3, part(n)) })),
        { from: 'server', payload: frame(DATA, END_STREAM, 3, part(5)) },
        { from: 'client', payload: get(5, '/after') },
        { from: 'server', payload: Buffer.concat([noLength(5), frame(DATA, END_STREAM, 5, Buffer.from('after'))]) },
      ],
      cut: [
        { from: 'client', payload: Buffer.concat([PREFACE, settingsFrame(), get(1, '/cut-header')]) },
        { from: 'server', payload: Buffer.concat([serverStart(), noLength(1)]) },
        { from: 'server', payload: frame(DATA, 0, 1, part(1)) },
        { from: 'server', payload: Buffer.concat([frame(DATA, 0, 1, part(2)), third.subarray(0, 4)]) },
        { from: 'server', payload: third.subarray(4) },
        { from: 'server', payload: frame(DATA, 0, 1, part(4)) },
        { from: 'server', payload: frame(DATA, END_STREAM, 1, part(5)) },
      ],
    },
    lost: { whole: 'part-4:', cut: 'part-3:' },
  };
}

test('a gap that swallowed whole DATA frames (or cut a frame header) of a body without content-length: the body up to the hole, marked, never complete', () => {
  const dir = join(work, 'built-gap');
  mkdirSync(dir, { recursive: true });
  const { segments, lost } = gapConnections();
  const frames = (['whole', 'cut'] as const).flatMap((name, i) => {
    const packets = segmentedConnection({ ip: [10, 2, 0, 5], port: 41000 + i }, SERVER, segments[name]);
    // The one segment lost before Suricata, found by its content.
    const kept = packets.filter((p) => !p.payload.includes(lost[name]));
    expect(packets.length - kept.length).toBe(1);
    return mirrored(kept);
  });
  writePcap(join(dir, 'gap.pcap'), frames);
  const h2 = suricataOnCapture(dir, join(dir, 'gap.pcap')).filter((e) => e.http.version === '2');
  const byUrl = (url: string) => h2.filter((e) => e.http.url === url);

  // Finished before the gap: complete and exact.
  expect(byUrl('/before').map((e) => [e.http.status, e.http.http2!.complete, e.http.http_response_body_printable, e.http.length, e.http.http_response_body_gap]))
    .toEqual([[200, true, 'before', 6, undefined]]);
  // The streams the gap went through: their headers, the body up to the hole exactly, marked, not complete.
  const beforeHole = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => part(i + 1))).toString();
  for (const [url, kept] of [['/no-length', 3], ['/cut-header', 2]] as const) {
    const events = byUrl(url);
    expect(events).toHaveLength(1);
    const { http } = events[0];
    expect([http.http_method, http.status, http.hostname, http.http_port, http.http_content_type, http.http_user_agent])
      .toEqual(['GET', 200, 'h2.gap.test', 8080, 'text/plain', 'gap-e2e/1.0']);
    expect(http.http2!.complete).toBe(false);
    expect(http.http_response_body_gap).toBe(true);
    expect(http.http_response_body_printable === beforeHole(kept)).toBe(true);
    expect(http).not.toHaveProperty('length'); // unknown: no content-length, and bytes were lost
    expect(http).not.toHaveProperty('http_request_body_gap');
  }
  // After the gap Suricata 7.0.10 hands the streaming loggers no more of the connection; whatever arrives is not complete.
  for (const e of byUrl('/after')) expect(e.http.http2!.complete).toBe(false);
  // Every stream of the capture is accounted for, once.
  expect(h2.map((e) => e.http.url).sort()).toEqual(expect.arrayContaining(['/before', '/cut-header', '/no-length']));
  expect(h2.length).toBe(new Set(h2.map((e) => e.http.url)).size);
}, 60_000);
