/**
 * bootstrap/files/metrics.py for real: the per-host loss metrics are the increases of Suricata's and the feed's counters,
 * published as embedded metric format documents under the namespace and dimension the alarms and scaling policies use.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOTSTRAP_FILES_DIR, bootstrapEnvironment } from '../../bootstrap';
import { HOST_METRICS, MEMORY_METRIC_DIMENSION, METRICS_NAMESPACE } from '../../shared';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'metrics-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Suricata's eve stats line (totals) as the contract's stats.json has it. */
const statsLine = (packets: number, drops: number, vxlan: number, http: number, http2: number, gaps: number, tlsFlows = 0) =>
  JSON.stringify({
    timestamp: '2026-11-30T11:00:00.000000+0000',
    event_type: 'stats',
    stats: {
      uptime: 60,
      capture: { kernel_packets: packets, kernel_drops: drops, errors: 0 },
      decoder: { pkts: packets - drops, vxlan },
      tcp: { reassembly_gap: gaps },
      app_layer: { flow: { http: 9, tls: tlsFlows }, tx: { http, http2, tls: 5 } },
    },
  });

function writeSources(stats: string[], feed?: object, cut?: object) {
  writeFileSync(join(work, 'stats.json'), stats.join('\n') + '\n');
  if (feed) writeFileSync(join(work, 'feed-stats.json'), JSON.stringify(feed));
  // The cut fixer's counters, as vxlan-cut-fixer.py writes them.
  if (cut) writeFileSync(join(work, 'cut-stats.json'), JSON.stringify(cut));
}

function sample(env: Record<string, string> = {}) {
  return spawnSync('python3', [join(BOOTSTRAP_FILES_DIR, 'metrics.py'), '--once'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      ...process.env,
      TRACEABLE_METRICS_GROUP: 'prod-agents',
      TRACEABLE_METRICS_SINK: 'stdout',
      TRACEABLE_METRICS_STATE: join(work, 'state.json'),
      TRACEABLE_STATS_FILE: join(work, 'stats.json'),
      TRACEABLE_FEED_DIR: work,
      ...env,
    },
  });
}

test('the first sample sets the baseline; the next publishes the increases of every counter', () => {
  writeSources([statsLine(1000, 0, 990, 40, 2, 0, 1)], { events_sent: 40, send_errors: 0, bodies_truncated: 0, http_responses_lost: 1, time: 't' }, { cut_packets: 4, cut_bytes_lost: 2060, time: 1 });
  const first = sample();
  expect(first.stderr).toBe('');
  expect(first.stdout).toBe('');

  // older lines are ignored: only the last line holds the current totals
  writeSources([statsLine(1000, 0, 990, 40, 2, 0, 1), statsLine(251000, 1200, 249000, 5040, 12, 7, 4)], {
    events_sent: 5030,
    send_errors: 3,
    bodies_truncated: 1,
    http_responses_lost: 3,
    time: 't',
  }, { cut_packets: 34, cut_bytes_lost: 17510, time: 2 });
  const second = sample();
  expect(second.stderr).toBe('');
  const doc = JSON.parse(second.stdout);
  expect(doc).toEqual({
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[MEMORY_METRIC_DIMENSION], [MEMORY_METRIC_DIMENSION, 'Host']],
          Metrics: Object.values(HOST_METRICS)
            .sort()
            .map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    [MEMORY_METRIC_DIMENSION]: 'prod-agents',
    Host: hostname(),
    [HOST_METRICS.kernelPackets]: 250000,
    [HOST_METRICS.kernelDrops]: 1200,
    [HOST_METRICS.vxlanPackets]: 248010,
    [HOST_METRICS.httpTransactions]: 5010,
    [HOST_METRICS.reassemblyGaps]: 7,
    [HOST_METRICS.feedEventsSent]: 4990,
    [HOST_METRICS.feedSendErrors]: 3,
    [HOST_METRICS.httpResponsesLost]: 2,
    [HOST_METRICS.tlsFlows]: 3,
    [HOST_METRICS.truncatedPackets]: 30,
  });
  expect(Math.abs(doc._aws.Timestamp - Date.now())).toBeLessThan(60_000);
});

test('a restarted Suricata (counters went down) publishes its new totals; stale sources publish nothing', () => {
  writeSources([statsLine(900000, 50, 899000, 9000, 0, 3)], { events_sent: 9000, send_errors: 0 });
  sample();
  writeSources([statsLine(3000, 10, 2990, 30, 0, 0)], { events_sent: 9100, send_errors: 1 });
  const restarted = JSON.parse(sample().stdout);
  expect(restarted[HOST_METRICS.kernelPackets]).toBe(3000);
  expect(restarted[HOST_METRICS.kernelDrops]).toBe(10);
  expect(restarted[HOST_METRICS.feedEventsSent]).toBe(100);

  const old = Date.now() / 1000 - 300;
  writeSources([statsLine(4000, 10, 3990, 40, 0, 0)], { events_sent: 9200, send_errors: 1 });
  utimesSync(join(work, 'stats.json'), old, old);
  const stale = JSON.parse(sample().stdout);
  expect(stale[HOST_METRICS.kernelPackets]).toBeUndefined();
  expect(stale[HOST_METRICS.feedEventsSent]).toBe(100);
});

test('EC2: the documents go to the CloudWatch agent EMF listener (UDP) with the stack log group', async () => {
  const server = createSocket('udp4');
  const received = new Promise<string>((resolve) => server.once('message', (msg) => resolve(msg.toString())));
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
  const port = server.address().port;
  try {
    writeSources([statsLine(10, 0, 10, 1, 0, 0)]);
    sample();
    writeSources([statsLine(70, 5, 60, 3, 0, 0)]);
    const r = sample({ TRACEABLE_METRICS_SINK: `udp:127.0.0.1:${port}`, TRACEABLE_METRICS_LOG_GROUP: '/traceable/prod/host-metrics' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(await received);
    expect(doc._aws.LogGroupName).toBe('/traceable/prod/host-metrics');
    expect(doc[HOST_METRICS.kernelDrops]).toBe(5);
  } finally {
    server.close();
  }
});

test('the EC2 hosts are configured for exactly that: EMF listener, namespace, group dimension and name', () => {
  const env = bootstrapEnvironment({
    region: 'eu-west-1',
    tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf',
    traceableEnvironment: 'p',
    traceableServiceName: 's',
    traceableApiEndpoint: 'api.traceable.ai',
    agentGroupName: 'prod-agents',
  });
  expect(env).toMatchObject({
    TRACEABLE_METRICS_SINK: 'udp:127.0.0.1:25888',
    TRACEABLE_METRICS_NAMESPACE: METRICS_NAMESPACE,
    TRACEABLE_METRICS_GROUP_DIMENSION: MEMORY_METRIC_DIMENSION,
    TRACEABLE_METRICS_GROUP: 'prod-agents',
    TRACEABLE_METRICS_INTERVAL: '60',
  });
  expect(sample({ TRACEABLE_METRICS_GROUP: '' }).stderr).toBe('metrics: TRACEABLE_METRICS_GROUP (the agent group\'s name) is not set\n');
});
