/**
 * The containers get the least they need, proved with the real programs (needs root):
 * - the real Suricata, with exactly the capability set of the rendered suricata.service (the ECS task gives the same,
 *   __tests__/modes.test.ts), no new privileges, a read-only root and the kernel's default RLIMIT_MEMLOCK, captures the
 *   host-addressed VXLAN on a veth in a network namespace and sends every transaction through the feed (netns-e2e.sh
 *   with as-container.sh); without any one capability of the set it cannot start, and its own run-as cannot drop to
 *   the set;
 * - the agent's token, exported into the agent's environment by agent-entrypoint.sh, can be read from /proc by a
 *   process in the agent's PID namespace (what the ECS task's `pidMode: task` gave every container) and not from
 *   another PID namespace (every container of the task now has its own).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AGENT_TOKEN_FILE_NAME, BOOTSTRAP_FILES_DIR, bootstrapFiles, renderSuricataYaml } from '../../bootstrap';
import { AGENT_TOKEN_VARIABLE, DEFAULT_CAPTURE_INTERFACE, SURICATA_CAPABILITIES, SURICATA_LUA_DIR, SURICATA_STATS_FILE } from '../../bootstrap/constants';
import { capabilityMask, dockerCapabilities, dockerRunArguments, ecsCapabilities, ecsContainerDefinitions, setprivBoundingSet, type CapabilitySet } from '../helpers/container-privileges';
import { synthConfig } from '../helpers/synth';

const E2E = join(__dirname, 'netns-e2e.sh');
const AS_CONTAINER = join(__dirname, 'as-container.sh');
const IFACE = DEFAULT_CAPTURE_INTERFACE;
const BURST = 5;
const RUN_ID = `${process.pid % 100000}`;
const CANARY = 'CANARY-refresh-token-4b1d0e77';

/** Suricata's capabilities as the EC2 hosts' unit gives them. */
const suricataSet: CapabilitySet = dockerCapabilities(dockerRunArguments(bootstrapFiles('ec2').find((f) => f.path.endsWith('/suricata.service'))!.content));

let work: string;
let yamlPath: string;
const tags: string[] = [];
const started: ChildProcess[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'least-privilege-'));
  yamlPath = join(work, 'suricata.yaml');
  const luaDir = join(work, 'lua');
  mkdirSync(luaDir);
  for (const f of bootstrapFiles().filter((file) => file.path.startsWith(`${SURICATA_LUA_DIR}/`))) writeFileSync(join(luaDir, basename(f.path)), f.content);
  writeFileSync(yamlPath, renderSuricataYaml(IFACE, { luaDir }));
});

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  for (const tag of tags) {
    for (const role of ['c', 's', 't']) {
      const ns = `e2e-${role}-${tag}`;
      spawnSync('bash', ['-c', `ip netns pids ${ns} 2>/dev/null | xargs -r kill -KILL; ip netns del ${ns} 2>/dev/null`], { timeout: 10_000 });
    }
  }
  rmSync(work, { recursive: true, force: true });
});

/** netns-e2e.sh with Suricata run by as-container.sh under `set`; records the target interface's flags meanwhile. */
function capture(name: string, set: CapabilitySet, suricataArgs: string[] = []) {
  const tag = `lp${RUN_ID}${tags.length}`;
  tags.push(tag);
  const dir = join(work, name);
  mkdirSync(dir);
  const linkProbe = join(dir, 'link-probe.sh');
  writeFileSync(linkProbe, `#!/bin/bash\nip -n "\${2/-s-/-t-}" link show ${IFACE} >"$3/link.txt"\n`, { mode: 0o755 });
  const r = spawnSync('bash', [E2E, dir, yamlPath, IFACE, tag, ...suricataArgs], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, SURICATA_WRAPPER: AS_CONTAINER, BOUNDING_SET: setprivBoundingSet(set), WRITABLE: dir, BURST: String(BURST), EXTRA_TRAFFIC: linkProbe },
  });
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  return { status: r.status, stderr: r.stderr, dir, read, lines: (file: string) => read(file).split('\n').filter(Boolean) };
}

describe('Suricata captures with exactly its capabilities (no NET_ADMIN), no new privileges and a read-only root', () => {
  test('the unit gives it NET_RAW and IPC_LOCK after dropping ALL; the ECS task gives each container what its EC2 counterpart has', () => {
    expect(suricataSet).toEqual({ drop: ['ALL'], add: ['NET_RAW', 'IPC_LOCK'] });
    expect(suricataSet.add).toEqual([...SURICATA_CAPABILITIES]);
    const agentSet = dockerCapabilities(dockerRunArguments(bootstrapFiles('ec2').find((f) => f.path.endsWith('/agent-run.sh'))!.content));
    expect(agentSet).toEqual({ drop: ['ALL'], add: [] });
    const task = ecsContainerDefinitions(synthConfig({ DeployTraceableAgentInECS: true }).json);
    expect(Object.fromEntries(Object.entries(task).map(([name, container]) => [name, ecsCapabilities(container)]))).toEqual({
      suricata: suricataSet,
      traceable: agentSet,
      health: agentSet,
      metrics: agentSet,
    });
  });

  test('it decodes the VXLAN-mirrored traffic and sends every transaction through the feed, the interface left as it is', () => {
    const run = capture('exact', suricataSet);
    expect(run.stderr).not.toContain('suricata exited');
    expect(run.status).toBe(0);
    // The process Suricata became had exactly these capabilities, and no_new_privs.
    expect(run.read('process-status')).toBe(`CapEff:\t${capabilityMask(suricataSet.add)}\nCapBnd:\t${capabilityMask(suricataSet.add)}\nNoNewPrivs:\t1\n`);
    const events = run.lines('received.jsonl').map((line) => JSON.parse(line));
    const urls = events.filter((e) => e.event_type === 'http').map((e) => `${e.http.http_method} ${e.http.url} ${e.http.status}`);
    expect(urls.sort()).toEqual(
      ['GET /api/items 200', 'GET /api/missing 404', 'POST /api/items 201', ...Array.from({ length: BURST }, (_, i) => `GET /api/items?burst=${i + 1} 200`)].sort(),
    );
    const stats = JSON.parse(run.lines(join('log', SURICATA_STATS_FILE)).pop()!).stats;
    expect(stats.decoder.vxlan).toBeGreaterThan(0);
    // No promiscuous mode, and no offload change tried (both would need NET_ADMIN or touch the host's interface).
    expect(run.read('link.txt')).toMatch(new RegExp(`^\\d+: ${IFACE}@\\S+: <[A-Z_,]+>`));
    expect(run.read('link.txt')).not.toContain('PROMISC');
    expect(run.read('log/suricata.log')).not.toMatch(/failed to set|promisc/i);
  });

  test.each([
    ['NET_RAW', `af-packet: ${IFACE}: failed to create socket: Operation not permitted`],
    ['IPC_LOCK', `af-packet: ${IFACE}: failed to mmap: Resource temporarily unavailable`],
  ])('without %s it cannot capture: %s', (missing, error) => {
    const run = capture(`without-${missing}`, { drop: ['ALL'], add: suricataSet.add.filter((name) => name !== missing) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('suricata exited during start-up');
    expect(run.read('log/suricata.log')).toContain(error);
    expect(run.read('received.jsonl')).toBe('');
  });

  test('its own run-as (--user) cannot drop to the set: it keeps NET_ADMIN and SYS_NICE, and drops IPC_LOCK', () => {
    // With the set and what changing the user takes: libcap-ng cannot raise NET_ADMIN and SYS_NICE, which it keeps.
    const changeUser = ['SETUID', 'SETGID', 'SETPCAP'];
    const runAs = ['--user', '65534', '--group', '65534'];
    const without = capture('run-as', { drop: ['ALL'], add: [...suricataSet.add, ...changeUser] }, runAs);
    expect(without.status).toBe(1);
    expect(without.read('log/suricata.log')).toContain('privs: capng_change_id for main thread failed');
    // Given them, it drops to NET_RAW, SYS_NICE and NET_ADMIN: the locked ring then fails.
    const given = capture('run-as-net-admin', { drop: ['ALL'], add: [...suricataSet.add, ...changeUser, 'NET_ADMIN', 'SYS_NICE'] }, runAs);
    expect(given.status).toBe(1);
    expect(given.read('log/suricata.log')).toContain('privs: dropped the caps for main thread');
    expect(given.read('log/suricata.log')).toContain(`af-packet: ${IFACE}: failed to mmap: Resource temporarily unavailable`);
  });
});

describe('the agent\'s token: in no other container\'s reach without a shared PID namespace', () => {
  /** Every environment under /proc as a process in `namespace` sees it (its own /proc). */
  function environmentsSeen(namespace: 'own' | { sharedWith: number }): string {
    const read = 'cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n"';
    const args = namespace === 'own' ? ['unshare', '--pid', '--fork', '--mount-proc', 'sh', '-c', read] : ['nsenter', '--target', String(namespace.sharedWith), '--pid', '--mount', 'sh', '-c', read];
    const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    return r.stdout;
  }

  test('another PID namespace sees no process holding it; the agent\'s own namespace does', async () => {
    // The agent's container: its own PID namespace and /proc, the wrapper exporting the token before it execs the agent.
    const dir = mkdtempSync(join(work, 'token-'));
    writeFileSync(join(dir, AGENT_TOKEN_FILE_NAME), `${CANARY}\n`, { mode: 0o600 });
    const agent = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), join(dir, AGENT_TOKEN_FILE_NAME), AGENT_TOKEN_VARIABLE, 'sleep', '60'], { stdio: 'ignore' });
    started.push(agent);
    // The agent (PID 1 of its namespace) is unshare's child, once the wrapper has exec'd sleep.
    let agentPid = 0;
    for (let i = 0; i < 100 && !agentPid; i++) {
      const children = readFileSync(`/proc/${agent.pid}/task/${agent.pid}/children`, 'utf8').trim();
      if (children && readFileSync(`/proc/${children}/comm`, 'utf8').trim() === 'sleep') agentPid = Number(children);
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(agentPid).toBeGreaterThan(0);
    expect(readFileSync(`/proc/${agentPid}/environ`, 'utf8').split('\0')).toContain(`${AGENT_TOKEN_VARIABLE}=${CANARY}`);

    // Another container of the task, as before (pidMode task: the agent's namespace) and now (a namespace of its own).
    expect(environmentsSeen({ sharedWith: agentPid })).toContain(`${AGENT_TOKEN_VARIABLE}=${CANARY}`);
    const seen = environmentsSeen('own');
    expect(seen).toContain('PATH=');
    expect(seen).not.toContain(CANARY);
  });
});
