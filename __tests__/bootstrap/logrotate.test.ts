/**
 * bootstrap/files/logrotate.conf with the real logrotate: what stays on disk is bounded by size and count, rotated files
 * are compressed at once, Suricata's files are moved (never truncated) and Suricata is told to reopen them, on the EC2
 * hosts (container named suricata) and the ECS hosts (container labelled by ECS).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOTSTRAP_FILES_DIR, bootstrapFiles } from '../../bootstrap';

const MiB = 1024 * 1024;
let root: string;
let logDir: string;
let conf: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'logrotate-'));
  logDir = join(root, 'var/traceable/log');
  mkdirSync(join(logDir, 'suricata'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  // A fake docker: `ps` lists one container per filter kind, `kill` is recorded.
  writeFileSync(
    join(root, 'bin', 'docker'),
    `#!/bin/bash\nif [ "$1" = ps ]; then case "$*" in *label=*) echo ecssuricata ;; *name=*) echo ec2suricata ;; esac; exit 0; fi\necho "$*" >> "${root}/docker-calls"\n`,
  );
  chmodSync(join(root, 'bin', 'docker'), 0o755);
  // The installed configuration, pointed at the test's directories and fake docker.
  const installed = bootstrapFiles().find((f) => f.path.endsWith('/logrotate.conf'))!.content;
  conf = join(root, 'logrotate.conf');
  writeFileSync(conf, installed.replaceAll('/var/traceable/log', logDir).replaceAll('/usr/bin/docker', join(root, 'bin', 'docker')));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rotate() {
  const r = spawnSync('logrotate', ['--state', join(root, 'state'), conf], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}
const listing = (dir: string, prefix: string) => readdirSync(dir).filter((f) => f.startsWith(prefix)).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('logrotate is installed (the test must not silently skip)', () => {
  expect(spawnSync('logrotate', ['--version']).status).toBe(0);
});

test('the file-mode feed rotates past 100 MiB: moved, compressed at once, Suricata told to reopen (EC2 and ECS)', () => {
  const feed = join(logDir, 'suricata', 'traceable-feed.json');
  writeFileSync(feed, '{"event_type":"http"}\n');
  truncateSync(feed, 99 * MiB);
  rotate();
  expect(listing(join(logDir, 'suricata'), 'traceable-feed.json')).toEqual(['traceable-feed.json']);
  truncateSync(feed, 101 * MiB);
  rotate();
  const files = listing(join(logDir, 'suricata'), 'traceable-feed.json');
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^traceable-feed\.json-\d{8}-\d{6}\.gz$/);
  expect(readFileSync(join(root, 'docker-calls'), 'utf8')).toBe('kill --signal HUP ec2suricata\nkill --signal HUP ecssuricata\n');
});

test('Suricata stats keep at most 3 rotations of 20 MiB; the agent log is copied and truncated, 5 kept', async () => {
  const stats = join(logDir, 'suricata', 'stats.json');
  const agentLog = join(logDir, 'traceable.log');
  for (let i = 0; i < 5; i++) {
    writeFileSync(stats, '{"event_type":"stats"}\n');
    truncateSync(stats, 21 * MiB);
    writeFileSync(agentLog, 'agent line\n');
    truncateSync(agentLog, 21 * MiB);
    rotate();
    await sleep(1100); // timestamped names have one-second resolution
  }
  expect(listing(join(logDir, 'suricata'), 'stats.json-')).toHaveLength(3);
  expect(listing(join(logDir, 'suricata'), 'stats.json-').every((f) => f.endsWith('.gz'))).toBe(true);
  expect(listing(logDir, 'traceable.log-')).toHaveLength(5);
  // copytruncate: the file the agent's output is appended to stays, emptied
  expect(statSync(agentLog).size).toBe(0);
}, 60_000);

test('the source configuration rotates every file under the log directory by size, none by time alone', () => {
  const source = readFileSync(join(BOOTSTRAP_FILES_DIR, 'logrotate.conf'), 'utf8');
  expect(source).not.toMatch(/^\s*(daily|weekly|monthly|hourly)\b/m);
  expect(source).not.toContain('delaycompress');
  expect(source.match(/^\s*size /gm)).toHaveLength(3);
  expect(bootstrapFiles().find((f) => f.path.endsWith('traceable-logrotate.timer'))!.content).toContain('OnCalendar=minutely');
});
