/**
 * traceable_http.lua (HTTP/1 events) under luajit with the real feed module, the Suricata functions played by a driver:
 * the accepted h2c Upgrade is left to traceable_http2.lua (no duplicate event), every other transaction is sent; a
 * request held back for its final response goes out with its own flow when none comes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LUA_SOURCE_DIR } from '../../bootstrap';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'http-lua-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the 101 answer to Upgrade: h2c is not an HTTP/1 event; a refused upgrade and other 101s are', () => {
  const feedFile = join(work, 'feed.json');
  const r = spawnSync('luajit', [join(__dirname, 'lua', 'traceable_http_driver.lua'), join(LUA_SOURCE_DIR, 'traceable_http.lua')], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: feedFile, TRACEABLE_FEED_STATS: join(work, 'feed-stats.json') },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const events = readFileSync(feedFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  // Flows 2 (Upgrade: h2c, 101) and 5 (Upgrade: foo, H2C, 101) are HTTP/2 streams; 1, 3 (websocket) and 4 (refused) stay.
  expect(events.map((e) => [e.flow_id, e.http.url, e.http.status])).toEqual([
    [1, '/case/1', 200],
    [3, '/case/3', 101],
    [4, '/case/4', 200],
  ]);
  expect(events[1].http.request_headers).toContainEqual({ name: 'Upgrade', value: 'websocket' });
});

test('a request whose only response was interim (103) is sent without a response when Suricata stops, with its own flow, counted lost', () => {
  const feedFile = join(work, 'interim-feed.json');
  const statsFile = join(work, 'interim-feed-stats.json');
  const r = spawnSync('luajit', [join(__dirname, 'lua', 'traceable_http_interim_driver.lua'), join(LUA_SOURCE_DIR, 'traceable_http.lua')], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: feedFile, TRACEABLE_FEED_STATS: statsFile },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const events = readFileSync(feedFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const at = (flow: number) => new Date((1796000000 + flow) * 1000).toISOString().replace('.000Z', '.000000+0000');
  expect(events.map((e) => [e.flow_id, e.src_ip, e.timestamp, e.http.url, e.http.status, e.http.response_headers])).toEqual([
    [8, '10.0.0.8', at(8), '/flow/8', 200, [{ name: 'Content-Length', value: '0' }]],
    [7, '10.0.0.7', at(7), '/flow/7', undefined, []],
  ]);
  expect(JSON.parse(readFileSync(statsFile, 'utf8'))).toMatchObject({ events_sent: 2, http_responses_lost: 1, http_responses_recovered: 0 });
});
