/** The benchmark's generated capture is valid VXLAN-mirrored HTTP, and the rendered configuration decodes all of it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchSuricata, benchYaml, writeMirroredHttpPcap } from '../../scripts/bench-suricata';

test('the generated pcap reads back as VXLAN on UDP 4789 with both directions of every connection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pcap-'));
  try {
    const file = join(dir, 'x.pcap');
    expect(writeMirroredHttpPcap(file, 30, 8)).toBe(300);
    const r = spawnSync('tcpdump', ['-nn', '-r', file, 'udp dst port 4789'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^\d\d:\d\d:/.test(l)); // the outer packets (inner ones follow on their own line)
    expect(lines).toHaveLength(300);
    expect(lines.every((l) => l.includes('VXLAN') && l.includes('vni 7331'))).toBe(true);
    // Distinct outer source ports per direction, as AWS Traffic Mirroring sends them.
    expect(new Set(lines.map((l) => / IP (\S+) >/.exec(l)![1])).size).toBe(60);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Suricata with the rendered configuration decodes every mirrored transaction complete, with its bodies, through the feed', () => {
  const r = benchSuricata(600, 64, 'bodies');
  expect(r.packets).toBe(6000);
  expect(r.kernelOrDecoderPackets).toBe(6000);
  expect(r.transactions).toBe(600);
  expect(r.complete).toBe(600);
  expect(r.completeShare).toBe(1);
  expect(r.withExpectedBodies).toBe(600);
}, 120_000);

test('headers only (body limit 0): the same transactions, no body fields', () => {
  const r = benchSuricata(300, 64, 'headers');
  expect([r.transactions, r.complete, r.withExpectedBodies]).toEqual([300, 300, 300]);
}, 120_000);

test('the stock baseline (eve http, headers only, no Lua, no rule): the same transactions complete in eve.json, no body fields', () => {
  expect(benchYaml('stock')).not.toMatch(/^rule-files:|^ {2}- lua:/m);
  expect(benchYaml('bodies')).toMatch(/^rule-files:\n {2}- traceable_gaps\.rules\n/m);
  const r = benchSuricata(300, 64, 'stock');
  expect([r.transactions, r.complete, r.withExpectedBodies]).toEqual([300, 300, 300]);
  expect(r.cpuSeconds).toBeGreaterThan(0);
}, 120_000);
