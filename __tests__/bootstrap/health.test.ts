/**
 * bootstrap/files/health.py for real: the NLB's health check must answer 200 only while the host works (both services
 * run, Suricata's stats are fresh, the feed is writable), on the EC2 hosts (systemd units) and in the ECS task (no
 * shared PID namespace: ECS stops the task when an essential container exits, and the same stats and feed checks see
 * a dead Suricata or agent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_TOKEN_FILE_NAME, BOOTSTRAP_FILES_DIR } from '../../bootstrap';
import { FEED_DIR } from '../../bootstrap/constants';
import { HEALTH_CHECK_PATH } from '../../shared';
import { renderAgentTaskConfiguration } from '../../modules/ecs-fleet';

let work: string;
const started: ChildProcess[] = [];
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'health-'));
});
afterAll(() => {
  for (const child of started) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

let nextPort = 21000 + (process.pid % 10000);

/** Starts health.py with the given environment; returns a GET function. */
function startHealth(env: Record<string, string>) {
  const port = nextPort++;
  const server = spawn('python3', [join(BOOTSTRAP_FILES_DIR, 'health.py')], {
    env: { ...process.env, TRACEABLE_HEALTH_PORT: String(port), TRACEABLE_HEALTH_BIND: '127.0.0.1', ...env },
    stdio: 'ignore',
  });
  started.push(server);
  return async (path: string = HEALTH_CHECK_PATH) => {
    // Up to 20 s: python3's start on a loaded machine.
    for (let i = 0; i < 200; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: res.status, body: await res.text() };
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('health endpoint did not start');
  };
}

/** A process bound to a unix datagram socket at `path`, as the agent's feed socket. */
async function bindDatagramSocket(path: string): Promise<ChildProcess> {
  const child = spawn('python3', ['-c', `import socket,time\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(${JSON.stringify(path)})\nprint("bound",flush=True)\ntime.sleep(600)`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return child;
}

function freshStats(logDir: string) {
  writeFileSync(join(logDir, 'stats.json'), '{"event_type":"stats","stats":{"uptime":30}}\n');
}

describe('EC2 hosts (systemd units), socket feed', () => {
  const dir = () => join(work, 'ec2');
  let get: ReturnType<typeof startHealth>;
  let inactive: string;
  let sock: string;
  let agent: ChildProcess;

  beforeAll(async () => {
    mkdirSync(join(dir(), 'bin'), { recursive: true });
    mkdirSync(join(dir(), 'log'));
    inactive = join(dir(), 'inactive');
    sock = join(dir(), 'eve.sock');
    // Fake systemctl: `is-active --quiet UNIT` fails for the units listed in $inactive.
    writeFileSync(join(dir(), 'bin', 'systemctl'), `#!/bin/bash\ngrep -qx "$3" "${inactive}" && exit 3\nexit 0\n`);
    chmodSync(join(dir(), 'bin', 'systemctl'), 0o755);
    writeFileSync(inactive, '');
    freshStats(join(dir(), 'log'));
    agent = await bindDatagramSocket(sock);
    get = startHealth({
      PATH: `${join(dir(), 'bin')}:${process.env.PATH}`,
      TRACEABLE_SURICATA_LOG_DIR: join(dir(), 'log'),
      TRACEABLE_STATS_MAX_AGE: '90',
      TRACEABLE_FEED_MODE: 'socket',
      TRACEABLE_FEED_PATH: sock,
    });
  });

  test('200 while both units are active, the stats fresh and the socket bound', async () => {
    expect(await get()).toEqual({ status: 200, body: 'ok\n' });
    expect((await get('/other')).status).toBe(404);
  });

  test.each(['traceable', 'suricata'])('503 while %s is not active', async (unit) => {
    writeFileSync(inactive, `${unit}\n`);
    expect(await get()).toEqual({ status: 503, body: `unhealthy: not running: ${unit}\n` });
    writeFileSync(inactive, '');
    expect((await get()).status).toBe(200);
  });

  test('503 while Suricata stats are stale (older than TRACEABLE_STATS_MAX_AGE) or missing', async () => {
    const stats = join(dir(), 'log', 'stats.json');
    const old = Date.now() / 1000 - 120;
    utimesSync(stats, old, old);
    expect(await get()).toEqual({ status: 503, body: 'unhealthy: Suricata stats are 120 s old (more than 90 s)\n' });
    rmSync(stats);
    expect(await get()).toEqual({ status: 503, body: `unhealthy: no Suricata stats at ${stats}\n` });
    freshStats(join(dir(), 'log'));
    expect((await get()).status).toBe(200);
  });

  test('503 once the agent no longer listens on the feed socket (stale socket file)', async () => {
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    expect(await get()).toEqual({ status: 503, body: `unhealthy: feed socket ${sock} does not accept a connect: Connection refused\n` });
    rmSync(sock);
    expect(await get()).toEqual({ status: 503, body: `unhealthy: feed socket ${sock} does not accept a connect: No such file or directory\n` });
    agent = await bindDatagramSocket(sock);
    expect((await get()).status).toBe(200);
  });

  test('every problem at once', async () => {
    writeFileSync(inactive, 'suricata\ntraceable\n');
    rmSync(join(dir(), 'log', 'stats.json'));
    expect((await get()).body).toBe(`unhealthy: not running: suricata traceable; no Suricata stats at ${join(dir(), 'log', 'stats.json')}\n`);
    writeFileSync(inactive, '');
    freshStats(join(dir(), 'log'));
  });
});

describe('ECS task (ECS supervises the containers), file feed', () => {
  const dir = () => join(work, 'ecs');
  let get: ReturnType<typeof startHealth>;

  beforeAll(() => {
    mkdirSync(join(dir(), 'log'), { recursive: true });
    mkdirSync(join(dir(), 'bin'));
    // A systemctl that reports every unit down: the ECS task must not ask it.
    writeFileSync(join(dir(), 'bin', 'systemctl'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(dir(), 'bin', 'systemctl'), 0o755);
    freshStats(dir());
    get = startHealth({
      PATH: `${join(dir(), 'bin')}:${process.env.PATH}`,
      TRACEABLE_HEALTH_SUPERVISOR: 'ecs',
      TRACEABLE_SURICATA_LOG_DIR: join(dir(), 'log'),
      TRACEABLE_STATS_FILE: join(dir(), 'stats.json'),
      TRACEABLE_FEED_MODE: 'file',
      // The container path, as the feed settings name it: read under TRACEABLE_SURICATA_LOG_DIR.
      TRACEABLE_FEED_PATH: '/var/log/suricata/traceable-feed.json',
    });
  });

  test('200 while the stats are fresh and the feed directory is writable, without asking systemd', async () => {
    expect(await get()).toEqual({ status: 200, body: 'ok\n' });
  });

  test('503 when the feed file cannot be written (its directory is gone, or is not a directory)', async () => {
    const feedDir = join(dir(), 'log');
    rmSync(feedDir, { recursive: true });
    expect(await get()).toEqual({ status: 503, body: `unhealthy: feed directory ${feedDir} is not writable: No such file or directory\n` });
    writeFileSync(feedDir, 'a file where the directory should be');
    expect(await get()).toEqual({ status: 503, body: `unhealthy: feed directory ${feedDir} is not writable: Not a directory\n` });
    rmSync(feedDir);
    mkdirSync(feedDir);
    expect((await get()).status).toBe(200);
  });

  test('an unknown supervisor is a problem named in the answer', async () => {
    const other = startHealth({ TRACEABLE_HEALTH_SUPERVISOR: 'kubernetes', TRACEABLE_STATS_FILE: join(dir(), 'stats.json'), TRACEABLE_FEED_MODE: 'file', TRACEABLE_FEED_PATH: join(dir(), 'log', 'feed.json') });
    expect(await other()).toEqual({ status: 503, body: "unhealthy: not running: unknown TRACEABLE_HEALTH_SUPERVISOR 'kubernetes' (systemd or ecs)\n" });
  });
});

describe('ECS task as the task definition runs it: no shared PID namespace, the agent\'s socket and Suricata\'s stats', () => {
  const dir = () => join(work, 'ecs-task');
  let get: ReturnType<typeof startHealth>;
  let agent: ChildProcess;

  /** The task's settings (socket feed, the default), with the feed directory and Suricata's logs under the test's directory. */
  const task = renderAgentTaskConfiguration({
    region: 'eu-west-1',
    tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf',
    traceableEnvironment: 'test',
    traceableServiceName: 'shop',
    traceableApiEndpoint: 'api.traceable.ai',
    agentGroupName: 'test-agents',
  });
  const local = (env: Record<string, string>) =>
    Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value.replaceAll(FEED_DIR, join(dir(), 'feed')).replaceAll('/var/log/suricata', join(dir(), 'log'))]));

  /** The agent's container: the wrapper with the entrypoint's arguments and the command file the host wrote; the
   * "agent" binds the feed socket where the task's settings say. */
  async function startAgent(): Promise<ChildProcess> {
    const socketPath = local(task.agentEnvironment).TA_SURICATA_EVE_FILE;
    writeFileSync(
      join(dir(), 'agent', 'agent-command'),
      // One argument a line: the program on one line.
      ['python3', '-c', `import socket,time; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(${JSON.stringify(socketPath)}); print("bound",flush=True); time.sleep(600)`].join('\n') + '\n',
    );
    const [, wrapper, , variable] = task.agentEntryPoint;
    expect(wrapper).toBe('/opt/traceable/bin/agent-entrypoint.sh');
    const child = spawn('sh', [join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), join(dir(), 'agent', AGENT_TOKEN_FILE_NAME), variable], {
      env: { ...process.env, ...local(task.agentEnvironment) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push(child);
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    return child;
  }

  beforeAll(async () => {
    for (const sub of ['feed', 'log', 'agent']) mkdirSync(join(dir(), sub), { recursive: true });
    freshStats(join(dir(), 'log'));
    writeFileSync(join(dir(), 'agent', AGENT_TOKEN_FILE_NAME), 'token-for-test');
    agent = await startAgent();
    // On a port of the test's own, not the task's 8089.
    const { TRACEABLE_HEALTH_PORT: _taskPort, ...healthEnvironment } = local(task.healthEnvironment);
    get = startHealth(healthEnvironment);
  });

  test('the task\'s health settings: ECS supervises, the socket feed where the agent binds it', () => {
    expect(task.healthEnvironment.TRACEABLE_HEALTH_SUPERVISOR).toBe('ecs');
    expect(task.healthEnvironment.TRACEABLE_FEED_PATH).toBe(task.agentEnvironment.TA_SURICATA_EVE_FILE);
    expect(Object.keys({ ...task.healthEnvironment, ...task.agentEnvironment, ...task.suricataEnvironment }).filter((name) => /PID/.test(name))).toEqual([]);
  });

  test('200 while the agent listens on the feed socket and Suricata\'s stats are fresh', async () => {
    expect(await get()).toEqual({ status: 200, body: 'ok\n' });
  });

  test('503 once the agent exits (its socket refuses), and once Suricata stops writing its stats', async () => {
    const socketPath = local(task.healthEnvironment).TRACEABLE_FEED_PATH;
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    expect(await get()).toEqual({ status: 503, body: `unhealthy: feed socket ${socketPath} does not accept a connect: Connection refused\n` });
    rmSync(socketPath);
    agent = await startAgent();
    expect((await get()).status).toBe(200);
    const stats = join(dir(), 'log', 'stats.json');
    const old = Date.now() / 1000 - 120;
    utimesSync(stats, old, old);
    expect(await get()).toEqual({ status: 503, body: 'unhealthy: Suricata stats are 120 s old (more than 90 s)\n' });
  });
});
