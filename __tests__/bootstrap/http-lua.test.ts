/**
 * traceable_http.lua (HTTP/1 events) under luajit with the real feed module, the Suricata functions played by a driver:
 * the accepted h2c Upgrade is left to traceable_http2.lua (no duplicate event), every other transaction is sent.
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
