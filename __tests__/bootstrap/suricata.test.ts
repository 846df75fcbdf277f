/**
 * The real Suricata on the rendered configuration: `suricata -T`, then end to end on real VXLAN-mirrored packets
 * in network namespaces (see netns-e2e.sh), three times in a row, plus a negative control. Needs root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSuricataYaml } from '../../bootstrap';
import { DEFAULT_CAPTURE_INTERFACE } from '../../bootstrap/constants';

const SCRIPT = join(__dirname, 'netns-e2e.sh');
const IFACE = DEFAULT_CAPTURE_INTERFACE; // the target's interface is named as in the rendered configuration
const RUN_ID = `${process.pid % 100000}`;

let work: string;
let yamlPath: string;
const tags: string[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bootstrap-suricata-'));
  yamlPath = join(work, 'suricata.yaml');
  writeFileSync(yamlPath, renderSuricataYaml(IFACE));
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

interface EveHttp {
  event_type: string;
  flow_id: number;
  http: {
    hostname?: string;
    url?: string;
    http_method?: string;
    status?: number;
    http_user_agent?: string;
    request_headers?: Array<{ name: string; value: string }>;
    response_headers?: Array<{ name: string; value: string }>;
  };
}

interface Scenario {
  events: EveHttp[];
  kernelPackets: number;
  kernelDrops: number;
  client: string[];
  burst: string[];
  suricataLog: string;
  /** Last value of each counter in stats.log (Suricata writes a final record at shutdown). */
  stats: Record<string, number>;
}

const BURST = 30;

function runScenario(name: string, extraArgs: string[] = []): Scenario {
  const tag = `${RUN_ID}${tags.length}`;
  tags.push(tag);
  const dir = join(work, name);
  const r = spawnSync('bash', [SCRIPT, dir, yamlPath, IFACE, tag, ...extraArgs], {
    encoding: 'utf8',
    timeout: 55_000,
    env: { ...process.env, BURST: String(BURST) },
  });
  if (r.status !== 0) throw new Error(`netns-e2e.sh failed (${r.status ?? r.signal}): ${r.stderr}`);
  for (const role of ['c', 's', 't']) {
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(`e2e-${role}-${tag}`);
  }
  const eve = join(dir, 'log', 'eve.json');
  const events = existsSync(eve)
    ? readFileSync(eve, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EveHttp)
    : [];
  const suricataLog = readFileSync(join(dir, 'log', 'suricata.log'), 'utf8');
  const m = new RegExp(`device: ${IFACE}: packets: (\\d+), drops: (\\d+)`).exec(suricataLog);
  if (!m) throw new Error(`no capture statistics in suricata.log:\n${suricataLog}`);
  const stats: Record<string, number> = {};
  for (const line of readFileSync(join(dir, 'log', 'stats.log'), 'utf8').split('\n')) {
    const c = /^(\S+)\s+\|\s+Total\s+\|\s+(\d+)$/.exec(line);
    if (c) stats[c[1]] = Number(c[2]);
  }
  return {
    events,
    kernelPackets: Number(m[1]),
    kernelDrops: Number(m[2]),
    client: readFileSync(join(dir, 'client.txt'), 'utf8').split('\n').filter(Boolean),
    burst: readFileSync(join(dir, 'burst.txt'), 'utf8').split('\n').filter(Boolean),
    suricataLog,
    stats,
  };
}

const header = (list: Array<{ name: string; value: string }> | undefined, name: string) =>
  list?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

test('suricata -T accepts the rendered configuration', () => {
  const r = spawnSync('suricata', ['-T', '-c', yamlPath, '-l', work], { encoding: 'utf8', timeout: 30_000 });
  expect(r.error).toBeUndefined();
  expect(r.stdout + r.stderr).toMatch(/Configuration provided was successfully loaded/);
  expect(r.status).toBe(0);
});

describe.each([1, 2, 3])('end to end on VXLAN-mirrored traffic, run %i of 3', (run) => {
  test(
    'every request is one complete eve http transaction with request and response headers, no kernel drops',
    () => {
      const s = runScenario(`positive-${run}`);
      expect(s.client).toEqual(['200', '404', '201']);
      expect(s.burst).toEqual(Array(BURST).fill('200'));
      const all = s.events.filter((e) => e.event_type === 'http');
      const http = all.filter((e) => !e.http.url?.includes('burst='));
      const summary = http.map((e) => [e.http.http_method, e.http.url, e.http.status]);
      expect(summary).toEqual([
        ['GET', '/api/items', 200],
        ['GET', '/api/missing', 404],
        ['POST', '/api/items', 201],
      ]);
      for (const e of http) {
        expect(e.http.hostname).toBe('shop.e2e.test');
        expect(e.http.http_user_agent).toBe('traceable-e2e/1.0');
        expect(header(e.http.request_headers, 'Host')).toBe('shop.e2e.test');
        expect(header(e.http.request_headers, 'User-Agent')).toBe('traceable-e2e/1.0');
        expect(header(e.http.response_headers, 'Server')).toMatch(/^e2e-server\/1.0/);
        expect(header(e.http.response_headers, 'X-E2e-Server')).toBe('yes');
      }
      const post = http[2];
      expect(header(post.http.request_headers, 'Content-Type')).toBe('application/json');
      expect(header(post.http.request_headers, 'Content-Length')).toBe(String('{"name":"widget","qty":3}'.length));
      // Three connections, three flows: each connection's two directions met in one flow.
      expect(new Set(http.map((e) => e.flow_id)).size).toBe(3);
      // The burst: 30 concurrent connections, each one complete transaction (method, uri, status) in its own flow.
      const burst = all.filter((e) => e.http.url?.includes('burst='));
      expect(burst.map((e) => e.http.url).sort()).toEqual(
        Array.from({ length: BURST }, (_, i) => `/api/items?burst=${i + 1}`).sort(),
      );
      for (const e of burst) {
        expect([e.http.http_method, e.http.status, e.http.hostname]).toEqual(['GET', 200, 'shop.e2e.test']);
        expect(header(e.http.response_headers, 'X-E2e-Server')).toBe('yes');
      }
      expect(new Set(burst.map((e) => e.flow_id)).size).toBe(BURST);
      expect(s.suricataLog).not.toMatch(/request_uri_not_seen/);
      expect(s.stats['tcp.sessions']).toBe(3 + BURST);
      expect(s.stats['app_layer.tx.http']).toBe(3 + BURST);
      expect(s.stats['tcp.pkt_on_wrong_thread']).toBe(0);
      expect(s.kernelPackets).toBeGreaterThan(20);
      expect(s.kernelDrops).toBe(0);
      expect(s.stats['capture.kernel_drops']).toBe(0);
    },
    60_000,
  );
});

test(
  'negative control: with the VXLAN decoder disabled the same traffic gives no http events',
  () => {
    const s = runScenario('negative', ['--set', 'decoder.vxlan.enabled=false']);
    expect(s.client).toEqual(['200', '404', '201']);
    expect(s.kernelPackets).toBeGreaterThan(20); // the packets did arrive
    expect(s.stats['decoder.vxlan']).toBe(0);
    expect(s.events.filter((e) => e.event_type === 'http')).toEqual([]);
  },
  60_000,
);
