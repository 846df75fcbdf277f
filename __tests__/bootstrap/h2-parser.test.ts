/**
 * The HTTP/2 parser (bootstrap/files/lua/traceable_h2.lua) under luajit: its unit tests (RFC 7541 Appendix C
 * vectors, frames split at every boundary, CONTINUATION, padding, RST_STREAM, many streams, the Upgrade path), then
 * real connections: node's http2 client and server (prior knowledge) and curl --http2 (Upgrade), recorded by a TCP
 * relay here and fed to the parser in random chunks. Needs luajit (scripts/install-test-deps.sh); no root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exchange, Header, headerValue as header } from '../helpers/h2c';

const LUA_DIR = join(__dirname, 'lua');
const MODULE_DIR = join(__dirname, '..', '..', 'bootstrap', 'files', 'lua');
const LUA_PATH = `${MODULE_DIR}/?.lua;;`;
const TRAFFIC = join(__dirname, 'h2c-traffic.mjs');
const BODY_LIMIT = 100_000;

function luajit(args: string[]) {
  const r = spawnSync('luajit', args, { encoding: 'latin1', timeout: 60_000, env: { ...process.env, LUA_PATH }, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return r;
}

test('parser unit tests pass under luajit', () => {
  const r = luajit([join(LUA_DIR, 'traceable_h2_test.lua')]);
  expect(r.stdout).not.toMatch(/FAIL/);
  expect(r.stdout).toMatch(/^2\d passed, 0 failed$/m);
  expect(r.status).toBe(0);
});

interface Stream {
  id: number;
  method: string;
  path: string;
  authority: string;
  status: number;
  upgraded: boolean;
  complete: boolean;
  request_headers: Header[];
  response_headers: Header[];
  request_body: string;
  response_body: string;
  request_body_length: number;
  response_body_length: number;
}

/** A TCP relay in front of PORT that records each connection's two byte streams. */
function recordingRelay(port: number) {
  const connections: Array<{ ts: Buffer[]; tc: Buffer[] }> = [];
  const server: Server = createServer((client) => {
    const rec = { ts: [] as Buffer[], tc: [] as Buffer[] };
    connections.push(rec);
    const upstream = createConnection(port, '127.0.0.1');
    client.on('data', (d) => { rec.ts.push(d); upstream.write(d); });
    upstream.on('data', (d) => { rec.tc.push(d); client.write(d); });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise<{ port: number; server: Server; connections: typeof connections }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server, connections })));
}

function run(cmd: string, args: string[], timeoutMs: number) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

let work: string;
let truth: Exchange[];
let connectionCount = 0;

/** Records the h2c traffic once: node's http2 client and server, curl --http2 Upgrade, through recording relays. */
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'h2-parser-'));
  const server = spawn('node', [TRAFFIC, 'server', '127.0.0.1', '0', '0', join(work, 'ready')], { stdio: 'ignore' });
  const relays: Server[] = [];
  try {
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(work, 'ready')) || !readFileSync(join(work, 'ready'), 'utf8').includes('\n')) {
      if (Date.now() > deadline) throw new Error('h2c-traffic server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const [h2Port, upgradePort] = readFileSync(join(work, 'ready'), 'utf8').trim().split(' ').map(Number);
    const h2Relay = await recordingRelay(h2Port);
    const upRelay = await recordingRelay(upgradePort);
    relays.push(h2Relay.server, upRelay.server);
    const client = await run('node', [TRAFFIC, 'client', '127.0.0.1', String(h2Relay.port), String(upRelay.port), join(work, 'truth.json')], 60_000);
    if (client.code !== 0) throw new Error(`h2c-traffic client failed: ${client.stderr}`);
    truth = JSON.parse(readFileSync(join(work, 'truth.json'), 'utf8')) as Exchange[];
    // serial, 20 concurrent, two upgrades: files 0..3
    const connections = [...h2Relay.connections, ...upRelay.connections];
    connections.forEach((c, i) => {
      writeFileSync(join(work, `${i}.ts`), Buffer.concat(c.ts));
      writeFileSync(join(work, `${i}.tc`), Buffer.concat(c.tc));
    });
    connectionCount = connections.length;
  } finally {
    server.kill('SIGKILL');
    for (const r of relays) r.close();
  }
}, 90_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('real h2c connections (node http2, curl --http2 Upgrade) parse complete at any chunking', () => {
  expect(truth).toHaveLength(28);
  expect(connectionCount).toBe(4);
  const seen = new Map<string, Stream>();
  for (let i = 0; i < connectionCount; i++) {
    // tiny chunks, segment-sized chunks, and chunks bigger than any frame
    for (const [seed, maxChunk] of [[1, 7], [2, 1500], [3, 70_000]]) {
      const r = luajit([join(LUA_DIR, 'h2_dump.lua'), join(work, `${i}.ts`), join(work, `${i}.tc`), String(seed), String(maxChunk), String(BODY_LIMIT)]);
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.pop()).toMatchObject({ errors: [] });
      for (const s of lines as Stream[]) {
        const key = `${s.path} seed ${seed}`;
        expect(seen.has(key)).toBe(false);
        seen.set(key, s);
      }
    }
  }
  for (const seed of [1, 2, 3]) {
    expect([...seen.keys()].filter((k) => k.endsWith(` seed ${seed}`))).toHaveLength(truth.length);
    for (const t of truth) {
      const s = seen.get(`${t.path} seed ${seed}`);
      if (!s) throw new Error(`no stream for ${t.path}`);
      expect({ method: s.method, authority: s.authority, status: s.status, complete: s.complete, upgraded: s.upgraded })
        .toEqual({ method: t.method, authority: t.authority, status: t.status, complete: true, upgraded: t.via === 'upgrade' });
      for (const [name, value] of Object.entries(t.requestHeaders)) expect(header(s.request_headers, name)).toBe(value);
      expect(header(s.request_headers, 'user-agent')).toBe('traceable-e2e-h2/1.0');
      expect(header(s.response_headers, 'x-e2e-server')).toBe(t.via === 'upgrade' ? 'h2c-upgrade' : 'h2');
      expect(header(s.response_headers, 'x-request-bytes')).toBe(String(t.requestBody.length));
      expect(s.request_body_length).toBe(t.requestBody.length);
      expect(s.response_body_length).toBe(t.responseBody.length);
      // byte-exact up to the limit
      expect(s.request_body === t.requestBody.slice(0, BODY_LIMIT)).toBe(true);
      expect(s.response_body === t.responseBody.slice(0, BODY_LIMIT)).toBe(true);
    }
  }
  // The 40000-byte headers went over HEADERS + CONTINUATION in both directions.
  const big = seen.get('/h2/headers?case=continuation seed 2')!;
  expect(header(big.request_headers, 'x-big-request-header')).toBe('a'.repeat(40000));
  expect(header(big.response_headers, 'x-big')).toBe('b'.repeat(40000));
  const over = seen.get('/h2/large?case=over-limit seed 2')!;
  expect([over.request_body.length, over.request_body_length, over.response_body.length, over.response_body_length])
    .toEqual([BODY_LIMIT, 150000, BODY_LIMIT, 150000]);
}, 120_000);

test('traceable_http2.lua with the real feed module: one event per stream, other flows dropped at their first chunk', () => {
  const feedFile = join(work, 'feed.json');
  const r = spawnSync('luajit', [join(LUA_DIR, 'traceable_http2_driver.lua'), join(MODULE_DIR, 'traceable_http2.lua'), join(work, '0.ts'), join(work, '0.tc')], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: feedFile, TRACEABLE_FEED_STATS: join(work, 'feed-stats.json'), TRACEABLE_HTTP_BODY_LIMIT: String(BODY_LIMIT) },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const calls = JSON.parse(r.stdout) as { buffer_calls: Record<string, number>; chunks: Record<string, number>; notices: string[] };
  // The HTTP/1 flow and the flow picked up after its start: SCStreamingBuffer once, none for their other chunks.
  expect([calls.buffer_calls['1'], calls.buffer_calls['3']]).toEqual([1, 1]);
  expect(calls.chunks['1']).toBe(4); // 1 request chunk, 3 response chunks
  // Only flow 5's framing may break at its hole; its open streams then go out up to the hole.
  for (const notice of calls.notices) expect(notice).toMatch(/^traceable_http2: flow 5000015 10\.0\.0\.5:40005 -> 10\.0\.1\.1:8081: .*; its open streams are sent up to the gap$/);
  const events = readFileSync(feedFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const byFlow = (flow: number) => events.filter((e) => e.flow_id === flow * 1000003);
  expect([byFlow(1).length, byFlow(3).length]).toEqual([0, 0]);
  const serial = truth.filter((t) => t.conn === 'pk-serial');
  // Flow 2: the whole connection, every stream complete and byte-exact.
  expect(byFlow(2).map((e) => e.http.url)).toEqual(serial.map((t) => t.path));
  for (const e of byFlow(2)) {
    const t = serial.find((x) => x.path === e.http.url)!;
    expect(e).toMatchObject({
      event_type: 'http', src_ip: '10.0.0.2', src_port: 40002, dest_ip: '10.0.1.1', dest_port: 8081, proto: 'TCP',
      timestamp: new Date((1796000100 + 2) * 1000).toISOString().replace('.000Z', '.250000+0000'), // the driver's SCFlowTimestamps
      http: { http_method: t.method, url: t.path, status: t.status, protocol: 'HTTP/2', version: '2', length: t.responseBody.length,
        hostname: '127.0.0.1', http_user_agent: 'traceable-e2e-h2/1.0', http2: { complete: true } },
    });
    expect(e.http.http_response_body_printable ?? '').toBe(t.responseBody.slice(0, BODY_LIMIT));
    expect(e.http.http_request_body_printable ?? '').toBe(t.requestBody.slice(0, BODY_LIMIT));
  }
  // Flow 4: cut, then closed: the streams finished before the cut complete and exact, the others (their requests
  // were all sent) go out as they were, complete false.
  const cut = byFlow(4);
  expect(cut.map((e) => e.http.url).sort()).toEqual(serial.map((t) => t.path).sort());
  const finished = cut.filter((e) => e.http.http2.complete);
  expect(finished.length).toBeGreaterThanOrEqual(3);
  expect(finished.length).toBeLessThan(serial.length);
  expect(finished.map((e) => e.http.url)).toEqual(serial.slice(0, finished.length).map((t) => t.path));
  for (const e of finished) {
    expect(e.http.http_response_body_printable ?? '').toBe(serial.find((t) => t.path === e.http.url)!.responseBody.slice(0, BODY_LIMIT));
  }
  // Flow 5: 1000 server bytes lost at 40%, Suricata's gap mark set from the next chunk on. The streams finished before
  // the hole complete and exact; the ones it went through marked, their bodies only bytes from before it; none of the
  // rest complete.
  const holed = byFlow(5);
  const complete5 = holed.filter((e) => e.http.http2.complete);
  expect(complete5.length).toBeGreaterThanOrEqual(3);
  expect(complete5.map((e) => e.http.url)).toEqual(serial.slice(0, complete5.length).map((t) => t.path));
  for (const e of complete5) {
    const t = serial.find((x) => x.path === e.http.url)!;
    expect([e.http.http_response_body_printable ?? '', e.http.length]).toEqual([t.responseBody.slice(0, BODY_LIMIT), t.responseBody.length]);
    expect(e.http).not.toHaveProperty('http_response_body_gap');
  }
  const marked = holed.filter((e) => e.http.http_response_body_gap);
  expect(marked.length).toBeGreaterThanOrEqual(1);
  for (const e of marked) {
    expect(e.http.http2.complete).toBe(false);
    const t = serial.find((x) => x.path === e.http.url)!;
    expect(t.responseBody.startsWith(e.http.http_response_body_printable ?? '')).toBe(true);
  }
  const stats = JSON.parse(readFileSync(join(work, 'feed-stats.json'), 'utf8'));
  expect([stats.events_sent, stats.send_errors]).toEqual([events.length, 0]);
});
