/**
 * bootstrap/files/health.py for real: the NLB's health check must answer 200 only while the host works (both services
 * run, Suricata's stats are fresh, the feed is writable), on the EC2 hosts (systemd units) and in the ECS task (the PIDs
 * that the suricata and traceable containers' entrypoints record, in the task's one PID namespace).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_TOKEN_FILE_NAME, BOOTSTRAP_FILES_DIR, bootstrapFiles } from '../../bootstrap';
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
    for (let i = 0; i < 50; i++) {
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

describe('ECS task (pid files), file feed', () => {
  const dir = () => join(work, 'ecs');
  let get: ReturnType<typeof startHealth>;
  let sleeper: ChildProcess;

  beforeAll(() => {
    mkdirSync(join(dir(), 'log'), { recursive: true });
    freshStats(dir());
    sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    started.push(sleeper);
    writeFileSync(join(dir(), 'suricata.pid'), `${sleeper.pid}\n`);
    writeFileSync(join(dir(), 'traceable.pid'), `${sleeper.pid}\n`);
    get = startHealth({
      TRACEABLE_HEALTH_PIDFILES: `suricata=${join(dir(), 'suricata.pid')} traceable=${join(dir(), 'traceable.pid')}`,
      TRACEABLE_SURICATA_LOG_DIR: join(dir(), 'log'),
      TRACEABLE_STATS_FILE: join(dir(), 'stats.json'),
      TRACEABLE_FEED_MODE: 'file',
      // The container path, as the feed settings name it: read under TRACEABLE_SURICATA_LOG_DIR.
      TRACEABLE_FEED_PATH: '/var/log/suricata/traceable-feed.json',
    });
  });

  test('200 while both processes live and the feed directory is writable', async () => {
    expect(await get()).toEqual({ status: 200, body: 'ok\n' });
  });

  test('503 when a process is gone', async () => {
    writeFileSync(join(dir(), 'traceable.pid'), '999999999\n');
    expect(await get()).toEqual({ status: 503, body: 'unhealthy: not running: traceable\n' });
    writeFileSync(join(dir(), 'traceable.pid'), `${sleeper.pid}\n`);
    expect((await get()).status).toBe(200);
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
});

describe('ECS task as the task definition runs it: the PIDs recorded by suricata-start.sh and agent-entrypoint.sh', () => {
  const dir = () => join(work, 'ecs-task');
  let get: ReturnType<typeof startHealth>;
  let suricata: ChildProcess;
  let agent: ChildProcess;

  /** The task's settings, with the host paths of the feed directory and Suricata's logs moved under the test's directory. */
  const task = renderAgentTaskConfiguration({
    region: 'eu-west-1',
    tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf',
    traceableEnvironment: 'test',
    traceableServiceName: 'shop',
    traceableApiEndpoint: 'api.traceable.ai',
    agentGroupName: 'test-agents',
    feedMode: 'file',
  });
  const local = (env: Record<string, string>) =>
    Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value.replaceAll(FEED_DIR, join(dir(), 'feed')).replaceAll('/var/log/suricata', join(dir(), 'log'))]));

  /** Waits until a PID file names a live process; returns the PID. */
  async function pidOf(file: string): Promise<number> {
    for (let i = 0; i < 100; i++) {
      try {
        const pid = Number(readFileSync(file, 'utf8').trim());
        if (pid > 0) return pid;
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${file} was not written`);
  }

  beforeAll(async () => {
    for (const sub of ['feed', 'log', 'bin', 'home/etc', 'agent']) mkdirSync(join(dir(), sub), { recursive: true });
    freshStats(join(dir(), 'log'));
    // Suricata's container: suricata-start.sh with the installed template, a default route and a Suricata that waits.
    writeFileSync(join(dir(), 'home', 'etc', 'suricata.yaml'), bootstrapFiles('ecs').find((file) => file.path.endsWith('/suricata.yaml'))!.content);
    writeFileSync(join(dir(), 'route'), 'Iface\tDestination\tGateway\nens5\t00000000\t0101A8C0\n');
    writeFileSync(join(dir(), 'bin', 'suricata'), '#!/bin/sh\nexec sleep 600\n');
    chmodSync(join(dir(), 'bin', 'suricata'), 0o755);
    suricata = spawn('sh', [join(BOOTSTRAP_FILES_DIR, 'suricata-start.sh')], {
      env: {
        ...process.env,
        ...local(task.suricataEnvironment),
        PATH: `${join(dir(), 'bin')}:${process.env.PATH}`,
        TRACEABLE_HOME: join(dir(), 'home'),
        TRACEABLE_ROUTE_FILE: join(dir(), 'route'),
        TRACEABLE_SURICATA_CONF_DIR: join(dir(), 'conf'),
      },
      stdio: 'ignore',
    });
    started.push(suricata);
    // The agent's container: the wrapper with the entrypoint's arguments, the command file the host wrote, no command.
    writeFileSync(join(dir(), 'agent', AGENT_TOKEN_FILE_NAME), 'token-for-test');
    writeFileSync(join(dir(), 'agent', 'agent-command'), 'sleep\n600\n');
    const [, wrapper, , variable] = task.agentEntryPoint;
    expect(wrapper).toBe('/opt/traceable/bin/agent-entrypoint.sh');
    agent = spawn('sh', [join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), join(dir(), 'agent', AGENT_TOKEN_FILE_NAME), variable], {
      env: { ...process.env, ...local(task.agentEnvironment) },
      stdio: 'ignore',
    });
    started.push(agent);
    // On a port of the test's own, not the task's 8089.
    const { TRACEABLE_HEALTH_PORT: _taskPort, ...healthEnvironment } = local(task.healthEnvironment);
    get = startHealth(healthEnvironment);
  });

  test('the entrypoints record the PIDs of the processes they exec, where health.py reads them', async () => {
    const pidfiles = Object.fromEntries(local(task.healthEnvironment).TRACEABLE_HEALTH_PIDFILES.split(' ').map((item) => item.split('=')));
    expect(Object.keys(pidfiles)).toEqual(['suricata', 'traceable']);
    expect(await pidOf(pidfiles.suricata)).toBe(suricata.pid);
    expect(await pidOf(pidfiles.traceable)).toBe(agent.pid);
  });

  test('200 while both run, the stats are fresh and the feed directory is writable', async () => {
    expect(await get()).toEqual({ status: 200, body: 'ok\n' });
  });

  test('503 once the agent exits, then once Suricata exits too', async () => {
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    expect(await get()).toEqual({ status: 503, body: 'unhealthy: not running: traceable\n' });
    suricata.kill('SIGKILL');
    await new Promise((r) => suricata.once('exit', r));
    expect(await get()).toEqual({ status: 503, body: 'unhealthy: not running: suricata traceable\n' });
  });
});
