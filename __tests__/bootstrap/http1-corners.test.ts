/**
 * HTTP/1 corners on keep-alive connections, on captures built here (writeMirroredPcap: VXLAN-mirrored, each connection's
 * transactions one after the other): responses that have no body by their status (1xx, 204, 304) or request (HEAD) but
 * carry Content-Length, and interim responses (100 Continue, 103 Early Hints) before the final one. Stock Suricata
 * 7.0.10 (its own eve http output) first: what its HTTP parser does with them. Then the rendered pipeline (the installed
 * Lua outputs, the feed in file mode): every transaction with its own status, headers and body.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { bootstrapFiles, renderSuricataYaml } from '../../bootstrap';
import { SURICATA_LUA_DIR } from '../../bootstrap/constants';
import { DEFAULT_HTTP_BODY_LIMIT } from '../../shared';
import { benchYaml, writeMirroredPcap, type Step } from '../../scripts/bench-suricata';

type Header = [string, string];
interface Response {
  status: number;
  headers: Header[];
  /** The body as the agent gets it (de-chunked); absent: none. */
  body?: string;
  /** eve's length. */
  length: number;
  /** The bytes on the wire. */
  wire: Buffer;
}
interface Exchange {
  method: string;
  url: string;
  /** What the event must carry: the final response; absent: none (lost). */
  response?: Response;
  /** What the server sends (interim responses included). */
  wire: Buffer;
  request: Buffer;
}

const request = (method: string, url: string, extra = '', body = '') =>
  Buffer.from(`${method} ${url} HTTP/1.1\r\nHost: corners.test\r\nUser-Agent: corners/1.0\r\n${extra}${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`);
const head = (status: string, headers: Header[]) => `HTTP/1.1 ${status}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
function response(status: string, headers: Header[], body = '', opts: { chunked?: boolean } = {}): Response {
  const wireBody = opts.chunked ? `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` : body;
  return { status: Number(status.slice(0, 3)), headers, body: body || undefined, length: body.length, wire: Buffer.from(head(status, headers) + wireBody) };
}
/** A JSON 200 whose size depends on n. */
const ok = (n: number, pad = 40 + n) => {
  const body = `{"n":${n},"pad":"${'x'.repeat(pad)}"}`;
  return response('200 OK', [['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ['X-N', String(n)]], body);
};
const exchange = (method: string, url: string, r: Response | undefined, wire: Buffer = r!.wire, extra = '', body = ''): Exchange => ({
  method,
  url,
  response: r,
  wire,
  request: request(method, url, extra, body),
});
const get = (url: string, r: Response, wire?: Buffer) => exchange('GET', url, r, wire);

const notModified = (length: number) => response('304 Not Modified', [['ETag', '"v1"'], ['Content-Length', String(length)]]);
const bodiless = (r: Response) => ({ ...r, length: 0 });
const big = (n: number) => ok(n, 60_000);
const interim = (status: string, headers: Header[]) => Buffer.from(head(status, headers));
const chunkedOk = response('200 OK', [['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']], 'chunked after a 304', { chunked: true });

/** The connections: name -> exchanges, in order. */
const CONNECTIONS: Record<string, Exchange[]> = {
  // 304 with the representation's Content-Length (RFC 9110 8.6), longer than all that follows.
  a: [
    get('/a/1', ok(1)),
    get('/a/2', bodiless(notModified(1234))),
    get('/a/3', chunkedOk),
    exchange('POST', '/a/4', ok(4), Buffer.concat([interim('100 Continue', []), ok(4).wire]), 'Expect: 100-continue\r\n', '{"q":4}'),
    get('/a/5', ok(5)),
  ],
  // 304 whose Content-Length is exactly the next response's length: libhtp gives the later transactions shifted responses.
  b: [get('/b/1', bodiless(notModified(ok(2).wire.length))), get('/b/2', ok(2)), get('/b/3', ok(3)), get('/b/4', ok(4))],
  // 204 with Content-Length 10: ends inside the next response.
  c: [get('/c/1', bodiless(response('204 No Content', [['Content-Length', '10']]))), get('/c/2', ok(2)), get('/c/3', ok(3))],
  d: [get('/d/1', bodiless(response('204 No Content', [['Content-Length', '0']]))), get('/d/2', ok(2))],
  // 100 Continue with a header of its own, then the final response.
  e: [
    exchange('POST', '/e/1', ok(1), Buffer.concat([interim('100 Continue', [['X-Interim', 'yes']]), ok(1).wire]), 'Expect: 100-continue\r\n', '{"q":1}'),
    get('/e/2', ok(2)),
  ],
  f: [
    exchange('POST', '/f/1', ok(1), Buffer.concat([interim('100 Continue', [['Content-Length', '0']]), ok(1).wire]), 'Expect: 100-continue\r\n', '{"q":1}'),
    get('/f/2', ok(2)),
  ],
  g: [
    get('/g/1', ok(1), Buffer.concat([interim('103 Early Hints', [['Link', '</style.css>; rel=preload']]), ok(1).wire])),
    get('/g/2', ok(2)),
    get('/g/3', ok(3)),
  ],
  // A 204 that does send its Content-Length's bytes (RFC 9110 forbids it): nothing of the next response is taken.
  j: [
    get('/j/1', bodiless(response('204 No Content', [['Content-Length', '4']])), Buffer.from(head('204 No Content', [['Content-Length', '4']]) + 'oops')),
    get('/j/2', ok(2)),
  ],
  h: [
    exchange('HEAD', '/h/1', bodiless(response('200 OK', [['Content-Type', 'text/html'], ['Content-Length', '5000']]))),
    get('/h/2', ok(2)),
    get('/h/3', ok(3)),
  ],
};

/** 304 + Content-Length 5, then a response whose body is one line longer than libhtp reads (60 KB without a newline):
 * libhtp reads the rest of that response line by line as the 304's body and gives up on the connection at that line
 * (no transaction after it). The response's status and headers are recovered, its body is lost (counted). */
const LINE_CASE: Exchange[] = [get('/i/1', bodiless(notModified(5))), get('/i/2', big(2)), get('/i/3', ok(3)), get('/i/4', ok(4))];

function steps(exchanges: Exchange[]): Step[] {
  return exchanges.flatMap((x) => [
    { toServer: true, data: x.request },
    { toServer: false, data: x.wire },
  ]);
}

let work: string;
let stock: any[];
let pipeline: any[];
let feedStats: Record<string, number>;
let pipelineLog: string;

function suricata(pcap: string, yaml: string, logDir: string) {
  mkdirSync(logDir);
  const env = { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: join(logDir, 'feed.json'), TRACEABLE_FEED_STATS: join(logDir, 'feed-stats.json') };
  const r = spawnSync('suricata', ['-r', pcap, '-c', yaml, '-l', logDir], { encoding: 'utf8', timeout: 60_000, env });
  if (r.error) throw r.error;
  expect(r.status).toBe(0);
  const lines = (file: string) => readFileSync(join(logDir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return lines;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'http1-corners-'));
  const pcap = join(work, 'corners.pcap');
  writeMirroredPcap(pcap, [...Object.values(CONNECTIONS), LINE_CASE].map(steps), 4);
  writeFileSync(join(work, 'stock.yaml'), benchYaml('stock'));
  // The Lua scripts as the hosts install them, in a directory of their own.
  const luaDir = join(work, 'lua');
  mkdirSync(luaDir);
  for (const f of bootstrapFiles().filter((file) => file.path.startsWith(`${SURICATA_LUA_DIR}/`))) writeFileSync(join(luaDir, basename(f.path)), f.content);
  writeFileSync(join(work, 'pipeline.yaml'), renderSuricataYaml(undefined, { luaDir }));
  stock = suricata(pcap, join(work, 'stock.yaml'), join(work, 'stock'))('eve.json').filter((e) => e.event_type === 'http');
  const lines = suricata(pcap, join(work, 'pipeline.yaml'), join(work, 'pipeline'));
  pipeline = lines('feed.json');
  feedStats = lines('feed-stats.json')[0];
  pipelineLog = readFileSync(join(work, 'pipeline', 'suricata.log'), 'utf8');
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const statusByUrl = (events: any[]) => Object.fromEntries(events.map((e) => [e.http.url, e.http.status ?? null]));

test("stock Suricata 7.0.10: a bodiless response's Content-Length swallows the next responses; 103 becomes the final status", () => {
  const status = statusByUrl(stock);
  // 304 with a Content-Length longer than the rest: every later transaction of the connection has no response.
  expect(['/a/1', '/a/2', '/a/3', '/a/4', '/a/5'].map((u) => status[u])).toEqual([200, 304, null, null, null]);
  // exactly the next response's length: the later transactions get the response after theirs, the last none.
  expect(['/b/1', '/b/2', '/b/3', '/b/4'].map((u) => status[u])).toEqual([304, 200, 200, null]);
  expect(stock.find((e) => e.http.url === '/b/2').http.response_headers).toContainEqual({ name: 'X-N', value: '3' });
  expect(['/c/1', '/c/2', '/c/3'].map((u) => status[u])).toEqual([204, null, null]);
  expect(['/d/1', '/d/2'].map((u) => status[u])).toEqual([204, 200]); // Content-Length: 0 is harmless
  expect(['/j/1', '/j/2'].map((u) => status[u])).toEqual([204, 200]);
  // 103 Early Hints is taken for the final response; the final one is a transaction without a request.
  expect(['/g/1', '/libhtp::request_uri_not_seen', '/g/2', '/g/3'].map((u) => status[u])).toEqual([103, 200, 200, 200]);
  expect(['/h/1', '/h/2', '/h/3'].map((u) => status[u])).toEqual([200, 200, 200]); // HEAD: libhtp never reads a body
  // A line longer than libhtp reads in what follows: it gives up on the connection (no transaction after it).
  expect(['/i/1', '/i/2', '/i/3', '/i/4'].map((u) => status[u])).toEqual([304, null, undefined, undefined]);
});

const printable = (s: string) => s.replace(/[^ -~\r\n]/g, '.');

test('the pipeline: every transaction has its own status, final headers (no interim ones) and body, in order', () => {
  const byUrl = (url: string) => {
    const found = pipeline.filter((e) => e.http.url === url);
    expect(found).toHaveLength(1);
    return found[0];
  };
  for (const [name, exchanges] of Object.entries(CONNECTIONS)) {
    const events = exchanges.map((x) => byUrl(x.url));
    expect(new Set(events.map((e) => e.flow_id)).size).toBe(1);
    for (const [i, x] of exchanges.entries()) {
      const e = events[i].http;
      const r = x.response!;
      expect([name, e.http_method, e.status, e.length]).toEqual([name, x.method, r.status, r.length]);
      expect(e.response_headers).toEqual(r.headers.map(([n, v]) => ({ name: n, value: v })));
      expect(e.http_response_body_printable).toBe(r.body === undefined ? undefined : printable(r.body));
    }
  }
  expect(pipeline.filter((e) => e.http.url === '/libhtp::request_uri_not_seen')).toEqual([]);
  expect(pipelineLog).not.toMatch(/failed to run script|traceable_feed:/);
  expect(byUrl('/a/4').http.http_request_body_printable).toBe('{"q":4}');
});

test('a line longer than libhtp reads after the swallow: status and headers recovered, the body counted lost', () => {
  const [i1, i2, ...rest] = LINE_CASE.map((x) => pipeline.find((e) => e.http.url === x.url)?.http);
  expect([i1.status, i1.length, i1.http_response_body_printable]).toEqual([304, 0, undefined]);
  const r = LINE_CASE[1].response!;
  expect([i2.status, i2.length, i2.http_response_body_printable]).toEqual([200, r.length, undefined]);
  expect(i2.response_headers).toEqual(r.headers.map(([n, v]) => ({ name: n, value: v })));
  expect(rest).toEqual([undefined, undefined]); // no transaction: libhtp stopped parsing the connection
  expect(feedStats).toMatchObject({ http_responses_lost: 1, events_sent: pipeline.length, send_errors: 0, body_limit: DEFAULT_HTTP_BODY_LIMIT });
  // a: 3 (the 100 Continue is not one), b: 1, c: 2.
  expect(feedStats.http_responses_recovered).toBe(3 + 1 + 2);
});
