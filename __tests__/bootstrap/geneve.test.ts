/**
 * GWLB mode on the hosts (BootstrapProps.geneveSourceCidrs): a Gateway Load Balancer delivers the mirrored VXLAN
 * wrapped in GENEVE (UDP 6081, AWS's TLVs). On captures this test builds (scripts/mirrored-packets.ts: HTTP/1 with
 * request and response bodies on a keep-alive connection, h2c, full-size segments cut at 8,500 bytes after the VXLAN
 * header, reordered), the rendered GWLB configuration (the real Suricata 7.0.10, the cut fixer's XDP program in this
 * kernel) must give exactly the events the NLB configuration gives on the same packets in plain VXLAN. Live, in a
 * network namespace: GENEVE from the GWLB's CIDR blocks reaches Suricata, from another address not; the host answers
 * and forwards nothing on 6081 (geneve-firewall.sh). NLB mode renders every file as before. Needs root, Suricata,
 * python3, iptables.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BootstrapProps,
  bootstrapBundle,
  bootstrapFiles,
  renderEcsUserData,
  renderSuricataYaml,
  renderUserData,
  type FleetKind,
} from '../../bootstrap';
import { SURICATA_LUA_DIR, SURICATA_STATS_FILE } from '../../bootstrap/constants';
import { GENEVE_UDP_PORT, HEALTH_CHECK_PORT } from '../../shared';
import { GatewayPath, GWLB_OPTION_CLASS, geneveWrapped, pcapOf } from '../../scripts/mirrored-packets';
import { capabilityMask, dockerCapabilities, dockerRunArguments, setprivBoundingSet } from '../helpers/container-privileges';
import { Endpoint, Exchange, FULL_SEGMENT, KEPT_OF_FULL_SEGMENT, keepAliveConnection, mirrored, reordered } from '../helpers/mirror-capture';

const props: BootstrapProps = {
  region: 'eu-west-1',
  tokenSecretId: '${aws_secretsmanager_secret.token.arn}',
  traceableEnvironment: 'production',
  traceableServiceName: 'shop-api',
  traceableApiEndpoint: 'api.traceable.ai',
  agentGroupName: 'prod-agents',
  metricsLogGroupName: '/traceable/prod/host-metrics',
};
const CIDRS = ['10.0.3.0/24', '10.0.4.0/25'];
const gwlb: BootstrapProps = { ...props, geneveSourceCidrs: CIDRS };

const fileOf = (fleet: FleetKind | undefined, cidrs: readonly string[] | undefined, name: string) =>
  bootstrapFiles(fleet, cidrs).find((f) => f.path.endsWith(`/${name}`))?.content;

describe('rendering', () => {
  test('NLB mode (no geneveSourceCidrs) renders no GWLB-only line and no marker; GWLB mode changes exactly its own files', () => {
    // Byte identity with the render before GWLB mode was checked when it landed (sha256 of both bundles and every file
    // at a7690ef); from here on NLB-mode changes are legitimate, so the test keeps what must stay true of the modes.
    const contents = (cidrs: readonly string[] | undefined) => new Map(['ec2', 'ecs'].flatMap((fleet) => bootstrapFiles(fleet as FleetKind, cidrs).map((f) => [`${fleet} ${f.path} ${f.mode}`, f.content] as const)));
    const nlb = contents(undefined);
    const withGwlb = contents(CIDRS);
    for (const [name, content] of nlb) {
      expect([name, /traceable:(gwlb|nlb)-only|__GENEVE_|geneve-firewall/.test(content)]).toEqual([name, false]);
    }
    const changed = [...new Set([...nlb.keys(), ...withGwlb.keys()])].filter((name) => nlb.get(name) !== withGwlb.get(name)).map((name) => name.replace(/ \/.*\//, ' '));
    expect(changed.sort()).toEqual(['ec2 geneve-firewall.sh 0755', 'ec2 suricata.yaml 0644', 'ec2 traceable-imds-block@.service 0644', 'ec2 vxlan-cut-fixer.py 0755', 'ecs geneve-firewall.sh 0755', 'ecs suricata.yaml 0644', 'ecs traceable-imds-block@.service 0644', 'ecs vxlan-cut-fixer.py 0755'].sort());
    expect(bootstrapBundle('ec2').sha256).not.toBe(bootstrapBundle('ec2', CIDRS).sha256);
  });

  test('GWLB mode: Suricata decodes GENEVE on 6081 only, and captures GENEVE from the CIDR blocks only', () => {
    const yaml = renderSuricataYaml('ens5', { geneveSourceCidrs: CIDRS });
    expect(/^ {2}geneve:\n((?: {4}.*\n)*)/m.exec(yaml)![1]).toBe('    enabled: true\n    ports: "6081"\n');
    expect(/^ {2}vxlan:\n((?: {4}.*\n)*)/m.exec(yaml)![1]).toBe('    enabled: true\n    ports: "4789"\n');
    const filter = 'bpf-filter: "udp dst port 6081 and (src net 10.0.3.0/24 or src net 10.0.4.0/25)"';
    // Both af-packet entries: the named interface and the default (the ECS task's --af-packet=IFACE).
    expect(yaml.split('\n').filter((line) => line.trim() === filter)).toHaveLength(2);
    expect(renderSuricataYaml('ens5')).not.toMatch(/bpf-filter|6081/);
    expect(/^ {2}geneve:\n {4}enabled: false\n/m.test(renderSuricataYaml('ens5'))).toBe(true);
  });

  test('GWLB mode: both fleets install geneve-firewall.sh, run by the metadata block\'s unit every 10 s; the ECS task reads the same Suricata configuration', () => {
    for (const fleet of ['ec2', 'ecs'] as const) {
      expect(fileOf(fleet, CIDRS, 'geneve-firewall.sh')).toBeDefined();
      expect(fileOf(fleet, undefined, 'geneve-firewall.sh')).toBeUndefined();
      expect(fileOf(fleet, CIDRS, 'traceable-imds-block@.service')).toContain(
        `\nExecStart=/opt/traceable/bin/imds-block.sh %i\nExecStart=/opt/traceable/bin/geneve-firewall.sh ${HEALTH_CHECK_PORT} 10.0.3.0/24 10.0.4.0/25\n`,
      );
      // The bundle the user data fetches is this mode's.
      const bundle = bootstrapBundle(fleet, CIDRS);
      expect(gunzipSync(bundle.gzip).toString('utf8')).toContain('bpf-filter: "udp dst port 6081');
    }
    expect(renderUserData(gwlb)).toContain(bootstrapBundle('ec2', CIDRS).key);
    expect(renderEcsUserData('prod-agents', gwlb)).toContain(bootstrapBundle('ecs', CIDRS).key);
    // suricata-start.sh (the ECS task) renders the installed template: the same as the EC2 hosts' boot-time sed.
    expect(fileOf('ecs', CIDRS, 'suricata.yaml')).toBe(fileOf('ec2', CIDRS, 'suricata.yaml'));
    expect(fileOf('ecs', CIDRS, 'suricata.yaml')!.replaceAll('__CAPTURE_INTERFACE__', 'ens5')).toBe(renderSuricataYaml('ens5', { geneveSourceCidrs: CIDRS }));
  });

  test.each([
    [[], '[]'],
    [['10.0.3.0/24', 'any'], '"any"'],
    [['10.0.3.1/24'], '"10.0.3.1/24" (host bits set)'],
    [['0.0.0.0/0'], '"0.0.0.0/0"'],
    [['10.0.3.0/24 -j ACCEPT'], '"10.0.3.0/24 -j ACCEPT"'],
    [['256.0.0.0/8'], '"256.0.0.0/8"'],
    [Array.from({ length: 17 }, (_, i) => `10.${i}.0.0/16`), JSON.stringify(Array.from({ length: 17 }, (_, i) => `10.${i}.0.0/16`))],
  ])('geneveSourceCidrs %j is refused, naming the key, the value and what is allowed', (cidrs, shown) => {
    expect(() => renderUserData({ ...props, geneveSourceCidrs: cidrs })).toThrow(
      `bootstrap: geneveSourceCidrs must be 1 to 16 IPv4 CIDR blocks such as 10.0.0.0/24, without host bits, got ${shown}`,
    );
  });
});

// --- The captures ---------------------------------------------------------------------------------------------------

const CLIENT: Endpoint = { ip: [10, 1, 0, 5], port: 43210 };
const SERVER: Endpoint = { ip: [10, 1, 0, 9], port: 80 };
const H2_CLIENT: Endpoint = { ip: [10, 1, 0, 6], port: 43999 };
const H2_SERVER: Endpoint = { ip: [10, 1, 0, 9], port: 8080 };
const STRANGER_CLIENT: Endpoint = { ip: [10, 1, 0, 7], port: 45000 };
const BIG = 30000;
const GWLB_NODE = [10, 0, 3, 5];
const STRANGER = [10, 0, 5, 7];

const bigBody = (n: number) => Buffer.from(Array.from({ length: BIG }, (_, i) => 65 + ((i + n) % 26))).toString();
const http1 = (head: string, body = '') => Buffer.from(`${head}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
const exchanges: Exchange[] = [];
for (let n = 1; n <= 4; n++) {
  exchanges.push({
    request: http1(`POST /orders/${n} HTTP/1.1\r\nHost: api.geneve.test\r\nContent-Type: application/json`, `{"order":${n},"items":[1,2,3]}`),
    response: http1('HTTP/1.1 201 Created\r\nContent-Type: application/json', `{"id":${n},"status":"created"}`),
  });
  exchanges.push({
    request: Buffer.from(`GET /big/${n} HTTP/1.1\r\nHost: api.geneve.test\r\n\r\n`),
    response: http1('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream', bigBody(n)),
  });
}

/** HTTP/2 frames (RFC 9113 4.1) and HPACK literals without Huffman coding (RFC 7541 6.2.2). */
const frame = (type: number, flags: number, stream: number, payload: Buffer) => {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
};
const literal = (nameIndex: number, value: string) => Buffer.concat([Buffer.from([nameIndex, value.length]), Buffer.from(value)]);
const literalNamed = (name: string, value: string) => Buffer.concat([Buffer.from([0, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
const [DATA, HEADERS, SETTINGS] = [0, 1, 4];
const [END_STREAM, END_HEADERS, ACK] = [1, 4, 1];
/** An h2c (prior knowledge) connection: a GET on stream 1, a POST with a body on stream 3. */
const h2Exchanges: Exchange[] = [
  {
    request: Buffer.concat([
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      frame(SETTINGS, 0, 0, Buffer.alloc(0)),
      frame(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.concat([Buffer.from([0x82, 0x86]), literal(4, '/h2/items'), literal(1, 'api.geneve.test')])),
    ]),
    response: Buffer.concat([
      frame(SETTINGS, 0, 0, Buffer.alloc(0)),
      frame(SETTINGS, ACK, 0, Buffer.alloc(0)),
      frame(HEADERS, END_HEADERS, 1, Buffer.concat([Buffer.from([0x88]), literalNamed('content-type', 'application/json')])),
      frame(DATA, END_STREAM, 1, Buffer.from('[{"item":1},{"item":2}]')),
    ]),
  },
  {
    request: Buffer.concat([
      frame(SETTINGS, ACK, 0, Buffer.alloc(0)),
      frame(HEADERS, END_HEADERS, 3, Buffer.concat([Buffer.from([0x83, 0x86]), literal(4, '/h2/items'), literal(1, 'api.geneve.test')])),
      frame(DATA, END_STREAM, 3, Buffer.from('{"item":3}')),
    ]),
    response: Buffer.concat([
      frame(HEADERS, END_HEADERS, 3, Buffer.concat([Buffer.from([0x88]), literalNamed('content-type', 'application/json')])),
      frame(DATA, END_STREAM, 3, Buffer.from('{"created":3}')),
    ]),
  },
];

const gatewayPath = (source: number[], moreOptions?: Buffer): GatewayPath => ({
  macs: { source: [2, 0, 0, 0, 0, 0x30], target: [2, 0, 0, 0, 0, 0x20] },
  source,
  target: [10, 0, 2, 20],
  outerSourcePort: 51234,
  endpointId: 0x0a1b2c3d4e5f6071n,
  attachmentId: 0x1122334455667788n,
  flowCookie: 0x2468ace0,
  moreOptions,
});

/** Frames of a pcap, by content. */
function framesOf(pcap: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 24; i < pcap.length; ) {
    const length = pcap.readUInt32LE(i + 8);
    frames.push(pcap.subarray(i + 16, i + 16 + length));
    i += 16 + length;
  }
  return frames;
}

/** A frame cut by the mirror session: its innermost IPv4 header (at `innerIp`) tells more than arrived. */
const isCut = (frame: Buffer, innerIp: number) => frame.readUInt16BE(innerIp + 2) > frame.length - innerIp;

let work: string;
let luaDir: string;
let vxlanFrames: Buffer[];
const geneveOf = (frames: Buffer[], source = GWLB_NODE, moreOptions?: Buffer) => frames.map((f, i) => geneveWrapped(f, gatewayPath(source, moreOptions), 30000 + i));
const write = (name: string, frames: Buffer[]) => {
  const file = join(work, name);
  writeFileSync(file, pcapOf(frames, 262144));
  return file;
};

/** A rendered file of a mode, written to the work directory. */
function rendered(name: string, cidrs: readonly string[] | undefined): string {
  const file = join(work, `${cidrs ? 'gwlb' : 'nlb'}-${name}`);
  writeFileSync(file, fileOf(undefined, cidrs, name)!);
  return file;
}

function fixed(fixer: string, pcap: string, out: string) {
  const r = spawnSync('python3', [fixer, '--pcap', pcap, out], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TRACEABLE_CUT_STATS: `${out}.stats.json` } });
  if (r.status !== 0) throw new Error(`vxlan-cut-fixer.py failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { cut_packets: number; cut_bytes_lost: number; frames: number };
}

interface FeedEvent {
  flow_id?: number;
  timestamp?: string;
  src_port: number;
  dest_port: number;
  http: Record<string, any>;
}
interface Run {
  events: FeedEvent[];
  stats: Record<string, any>;
}

function suricata(name: string, yaml: string, pcap: string): Run {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: join(dir, 'feed.json'), TRACEABLE_FEED_STATS: join(dir, 'feed-stats.json') };
  const r = spawnSync('suricata', ['-r', pcap, '-c', yaml, '-l', dir], { encoding: 'utf8', timeout: 120_000, env });
  if (r.status !== 0) throw new Error(`suricata failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);
  const stats = lines(join(dir, SURICATA_STATS_FILE));
  return { events: lines(join(dir, 'feed.json')).map((l) => JSON.parse(l)), stats: JSON.parse(stats[stats.length - 1]).stats };
}

/** A value as JSON with its objects' keys sorted (the Lua outputs' key order is their tables' hash order). */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

/** What must match between two runs: the events without their flow ids (a hash of the flow keys) and times (of the
 * packet that completed the transaction, or the live capture's), in any order (several worker threads write them). */
const byContent = (events: FeedEvent[]) => events.map(({ flow_id: _flowId, timestamp: _timestamp, ...rest }) => canonical(rest)).sort();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'geneve-'));
  luaDir = join(work, 'lua');
  mkdirSync(luaDir);
  for (const f of bootstrapFiles().filter((file) => file.path.startsWith(`${SURICATA_LUA_DIR}/`))) writeFileSync(join(luaDir, basename(f.path)), f.content);
  writeFileSync(join(work, 'nlb.yaml'), renderSuricataYaml('ens5', { luaDir }));
  writeFileSync(join(work, 'gwlb.yaml'), renderSuricataYaml('ens5', { luaDir, geneveSourceCidrs: CIDRS }));
  const http = keepAliveConnection(CLIENT, SERVER, exchanges);
  const h2 = keepAliveConnection(H2_CLIENT, H2_SERVER, h2Exchanges);
  // The h2c connection's packets interleaved with the HTTP/1 connection's; then neighbours swapped.
  vxlanFrames = mirrored(reordered(http.flatMap((p, i) => (i < h2.length ? [p, h2[i]] : [p]))));
});

afterAll(() => {
  spawnSync('bash', ['-c', `ip netns pids geneve-${process.pid} 2>/dev/null | xargs -r kill -KILL; ip netns del geneve-${process.pid} 2>/dev/null`], { timeout: 10_000 });
  rmSync(work, { recursive: true, force: true });
});

test('the GENEVE capture is what a GWLB delivers: 68 bytes around each mirrored VXLAN packet, option length 8, IPv4, AWS\'s three TLVs', () => {
  const geneve = geneveOf(vxlanFrames);
  for (const [i, f] of geneve.entries()) {
    expect(f.length).toBe(vxlanFrames[i].length + 68);
    expect([f.readUInt16BE(36), f[42], f.readUInt16BE(44), f.readUIntBE(46, 3)]).toEqual([GENEVE_UDP_PORT, 8, 0x0800, 0]);
    // class 0x0108, types 1, 2, 3 of 2, 2 and 1 words.
    expect([50, 62, 74].map((o) => [f.readUInt16BE(o), f[o + 2], f[o + 3]])).toEqual([[GWLB_OPTION_CLASS, 1, 2], [GWLB_OPTION_CLASS, 2, 2], [GWLB_OPTION_CLASS, 3, 1]]);
    expect(f.subarray(82).equals(vxlanFrames[i].subarray(14))).toBe(true);
  }
  // The cut segments, by content: the innermost IPv4 header tells the full 9,001 bytes; 8,500 bytes follow the VXLAN header.
  const cut = geneve.filter((f) => isCut(f, 82 + 50));
  expect(cut.map((f) => [f.length - 82 - 36, f.readUInt16BE(82 + 50 + 2)])).toEqual(Array(12).fill([8500, 9001]));
});

describe('the cut fixer (rendered GWLB-mode vxlan-cut-fixer.py, its XDP program run in this kernel)', () => {
  test('fixes GENEVE-wrapped VXLAN as it fixes plain VXLAN: the same bytes inside, whatever the GENEVE option length', () => {
    const gwlbFixer = rendered('vxlan-cut-fixer.py', CIDRS);
    const plain = fixed(rendered('vxlan-cut-fixer.py', undefined), write('vxlan.pcap', vxlanFrames), join(work, 'vxlan-fixed.pcap'));
    expect(plain).toEqual({ cut_packets: 12, cut_bytes_lost: 12 * (FULL_SEGMENT - KEPT_OF_FULL_SEGMENT), frames: vxlanFrames.length });
    const vxlanFixed = framesOf(readFileSync(join(work, 'vxlan-fixed.pcap')));
    // The GWLB-mode program on plain VXLAN: the same as NLB mode's.
    expect(fixed(gwlbFixer, join(work, 'vxlan.pcap'), join(work, 'vxlan-fixed-by-gwlb.pcap'))).toEqual(plain);
    expect(readFileSync(join(work, 'vxlan-fixed-by-gwlb.pcap')).equals(readFileSync(join(work, 'vxlan-fixed.pcap')))).toBe(true);
    // AWS's 32 bytes of options, and 8 more (a fourth TLV): the option length is read, not assumed.
    const fourth = Buffer.from([0x01, 0x08, 0x04, 0x01, 0xde, 0xad, 0xbe, 0xef]);
    for (const [name, more] of [['geneve', undefined], ['geneve-40', fourth]] as const) {
      const counters = fixed(gwlbFixer, write(`${name}.pcap`, geneveOf(vxlanFrames, GWLB_NODE, more)), join(work, `${name}-fixed.pcap`));
      expect(counters).toEqual(plain);
      const expected = geneveOf(vxlanFixed, GWLB_NODE, more);
      expect(framesOf(readFileSync(join(work, `${name}-fixed.pcap`))).every((f, i) => f.equals(expected[i]))).toBe(true);
    }
    // NLB mode's program does not know GENEVE: it leaves such frames as they are.
    expect(fixed(rendered('vxlan-cut-fixer.py', undefined), join(work, 'geneve.pcap'), join(work, 'geneve-nlb.pcap')).cut_packets).toBe(0);
  });

  test(
    'Suricata with the GWLB configuration on the fixed GENEVE capture gives exactly the events the NLB configuration gives on plain VXLAN',
    () => {
      const nlb = suricata('nlb', join(work, 'nlb.yaml'), join(work, 'vxlan-fixed.pcap'));
      const gw = suricata('gwlb', join(work, 'gwlb.yaml'), join(work, 'geneve-fixed.pcap'));
      const calls = (run: Run) => run.events.map((e) => [e.http.http_method, e.http.url, e.http.status]);
      // Every transaction: 4 POSTs with bodies, 4 GETs of a cut 30,000-byte body on one keep-alive connection, 2 h2c streams.
      expect(calls(nlb).sort()).toEqual(
        [
          ...[1, 2, 3, 4].flatMap((n) => [['POST', `/orders/${n}`, 201], ['GET', `/big/${n}`, 200]]),
          ['GET', '/h2/items', 200],
          ['POST', '/h2/items', 200],
        ].sort(),
      );
      const post = nlb.events.find((e) => e.http.url === '/orders/2')!;
      expect([post.http.http_request_body_printable, post.http.http_response_body_printable]).toEqual(['{"order":2,"items":[1,2,3]}', '{"id":2,"status":"created"}']);
      expect(nlb.events.find((e) => e.http.url === '/big/3')!.http.http_response_body_gap).toBe(true);
      expect(byContent(gw.events)).toEqual(byContent(nlb.events));
      expect([gw.stats.decoder.geneve, gw.stats.decoder.vxlan, gw.stats.decoder.invalid]).toEqual([vxlanFrames.length, vxlanFrames.length, 0]);
      expect([gw.stats.tcp.reassembly_gap, gw.stats.app_layer.tx.http]).toEqual([nlb.stats.tcp.reassembly_gap, 8]);
    },
    180_000,
  );
});

test(
  'live (af-packet, XDP, iptables in a network namespace; Suricata as its container runs): GENEVE from the GWLB\'s CIDR blocks reaches Suricata, another address\'s does not; nothing goes back',
  () => {
    const dir = join(work, 'live');
    mkdirSync(dir);
    // Suricata with exactly the capabilities of the GWLB-mode suricata.service (the ECS task gives the same), a
    // read-only root but its directory: the capture filter needs no more.
    const containerSet = dockerCapabilities(dockerRunArguments(fileOf('ec2', CIDRS, 'suricata.service')!));
    const iface = 'genevecap0';
    writeFileSync(join(work, 'live.yaml'), renderSuricataYaml(iface, { luaDir, geneveSourceCidrs: CIDRS }));
    // The GWLB's frames, and a stranger's copy of another connection (same addresses inside but its own client port).
    const strangerInner = mirrored(keepAliveConnection(STRANGER_CLIENT, SERVER, [exchanges[0]]));
    const frames = [...geneveOf(vxlanFrames), ...geneveOf(strangerInner, STRANGER)];
    const control = write('control.pcap', geneveOf(strangerInner.slice(0, 1), GWLB_NODE));
    const args = [dir, join(work, 'live.yaml'), iface, String(process.pid), write('live.pcap', frames), control, rendered('vxlan-cut-fixer.py', CIDRS), rendered('geneve-firewall.sh', CIDRS), String(HEALTH_CHECK_PORT), ...CIDRS];
    const env = { ...process.env, SURICATA_WRAPPER: join(__dirname, 'as-container.sh'), BOUNDING_SET: setprivBoundingSet(containerSet), WRITABLE: dir };
    const r = spawnSync('bash', [join(__dirname, 'geneve-netns.sh'), ...args], { encoding: 'utf8', timeout: 150_000, env });
    if (r.status !== 0) throw new Error(`geneve-netns.sh failed (${r.status ?? r.signal}): ${r.stderr}`);
    expect(readFileSync(join(dir, 'process-status'), 'utf8')).toBe(`CapEff:\t${capabilityMask(containerSet.add)}\nCapBnd:\t${capabilityMask(containerSet.add)}\nNoNewPrivs:\t1\n`);
    const events = readFileSync(join(dir, 'feed.json'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FeedEvent);
    const nlb = readFileSync(join(work, 'nlb', 'feed.json'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FeedEvent);
    // The GWLB's: every transaction as from plain VXLAN (the fixer attached); the stranger's: none (its client port).
    expect(byContent(events)).toEqual(byContent(nlb));
    expect(events.some((e) => JSON.stringify(e).includes(String(STRANGER_CLIENT.port)))).toBe(false);
    // The control: the stranger's frames are a transaction Suricata logs when nothing filters them (from a pcap file).
    const unfiltered = suricata('stranger', join(work, 'gwlb.yaml'), write('stranger.pcap', geneveOf(strangerInner, STRANGER)));
    expect(unfiltered.events.map((e) => [e.http.url, e.src_port])).toEqual([['/orders/1', STRANGER_CLIENT.port]]);
    expect(JSON.parse(readFileSync(join(dir, 'cut-stats.json'), 'utf8'))).toMatchObject({ cut_packets: 12 });
    // Without the firewall the host answered a GENEVE frame (port unreachable); with it, not one packet left.
    expect(Number(readFileSync(join(dir, 'sent-control.txt'), 'utf8'))).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'sent.txt'), 'utf8').trim()).toBe('0');
    expect(readFileSync(join(dir, 'send-6081.txt'), 'utf8').trim()).toBe('Operation not permitted');
    // Run twice: each jump once, first in its hook; every GENEVE frame dropped after the capture.
    const rules = readFileSync(join(dir, 'rules.txt'), 'utf8').split('\n');
    for (const [hook, chain] of [['INPUT', 'TRACEABLE-GENEVE-IN'], ['OUTPUT', 'TRACEABLE-GENEVE-OUT'], ['FORWARD', 'TRACEABLE-GENEVE-OUT']]) {
      expect(rules.filter((l) => l === `-A ${hook} -j ${chain}`)).toHaveLength(1);
      expect(rules.find((l) => l.startsWith(`-A ${hook} `))).toBe(`-A ${hook} -j ${chain}`);
    }
    expect(rules.filter((l) => l.startsWith('-A TRACEABLE-GENEVE-'))).toEqual([
      '-A TRACEABLE-GENEVE-IN -p udp -m udp --dport 6081 -j DROP',
      `-A TRACEABLE-GENEVE-IN -i lo -p tcp -m tcp --dport ${HEALTH_CHECK_PORT} -j RETURN`,
      `-A TRACEABLE-GENEVE-IN -s 10.0.3.0/24 -p tcp -m tcp --dport ${HEALTH_CHECK_PORT} -j RETURN`,
      `-A TRACEABLE-GENEVE-IN -s 10.0.4.0/25 -p tcp -m tcp --dport ${HEALTH_CHECK_PORT} -j RETURN`,
      `-A TRACEABLE-GENEVE-IN -p tcp -m tcp --dport ${HEALTH_CHECK_PORT} -j DROP`,
      '-A TRACEABLE-GENEVE-OUT -p udp -m udp --dport 6081 -j DROP',
      '-A TRACEABLE-GENEVE-OUT -p udp -m udp --sport 6081 -j DROP',
    ]);
    const counters = readFileSync(join(dir, 'counters.txt'), 'utf8');
    const dropped = /^\s*(\d+)\s+\d+\s+DROP\s+17\s+--\s+\*\s+\*\s+0\.0\.0\.0\/0\s+0\.0\.0\.0\/0\s+udp dpt:6081$/m.exec(counters.split('Chain TRACEABLE-GENEVE-IN')[1])![1];
    expect(Number(dropped)).toBe(frames.length);
    expect(readFileSync(join(dir, 'rules6.txt'), 'utf8')).toContain('-A TRACEABLE-GENEVE-IN -p udp -m udp --dport 6081 -j DROP');
  },
  180_000,
);
