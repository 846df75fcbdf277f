/**
 * The instance metadata service is unreachable from the containers' cgroup, and only from there, and a compromised
 * container cannot undo that: the rendered imds-block.sh run for real (iptables cgroup match) in a network namespace
 * with a stand-in metadata service on 169.254.169.254 and fd00:ec2::254, attacked by a process with exactly the
 * capabilities of each container (parsed from the rendered `docker run` lines and the synthesized ECS task
 * definition) in a container's cgroup inside the slice (__tests__/bootstrap/imds-netns.sh).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapFiles, imdsBlockTimer, renderEcsUserData, type FleetKind } from '../../bootstrap';
import { CONTAINER_SLICE, ECS_TASKS_CGROUP } from '../../bootstrap/constants';
import { bootstrapPropsOf } from '../../plan';
import { DOCKER_DEFAULT_CAPABILITIES, dockerCapabilities, dockerRunArguments, dockerRunCommands, ecsCapabilities, ecsContainerDefinitions, effectiveCapabilities } from '../helpers/container-privileges';
import { everyArgv } from '../helpers/processes';
import { configOf, synthConfig } from '../helpers/synth';

const fileOf = (fleet: FleetKind, name: string) => bootstrapFiles(fleet).find((f) => f.path.endsWith(`/${name}`))!.content;

const dockerRunCapabilities = (words: readonly string[]) => effectiveCapabilities(dockerCapabilities(words));
const ecsContainerCapabilities = (definition: Parameters<typeof ecsCapabilities>[0]) => effectiveCapabilities(ecsCapabilities(definition));
/** The one `docker run` of a rendered file. */
const dockerRunOf = (fleet: FleetKind, name: string) => dockerRunArguments(fileOf(fleet, name));

const ECS = { DeployTraceableAgentInECS: true };
const ecsContainers = () => ecsContainerDefinitions(synthConfig(ECS).json);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'imds-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs imds-netns.sh with the fleet's rendered imds-block.sh; the capsh names of each "caps:" line sorted. */
function attack(fleet: FleetKind, slice: string, container: string, profiles: Record<string, string[]>) {
  const script = join(work, `imds-block-${fleet}.sh`);
  writeFileSync(script, fileOf(fleet, 'imds-block.sh'));
  const args = Object.entries(profiles).map(([name, caps]) => `${name}=${caps.join(',')}`);
  // The script's own folder (its stand-in metadata service serves from it) under this run's: no process may outlive it.
  const scriptTmp = mkdtempSync(join(work, `tmp-${fleet}-`));
  const r = spawnSync('bash', [join(__dirname, 'imds-netns.sh'), script, slice, container, ...args], { encoding: 'utf8', timeout: 150_000, env: { ...process.env, TMPDIR: scriptTmp } });
  const stdout = r.stdout.replace(/^(\S+: caps: )(.*)$/gm, (_, head: string, caps: string) => head + caps.split(',').sort().join(','));
  return { ...r, stdout, leftRunning: everyArgv().filter((argv) => argv.includes(scriptTmp)) };
}

const REFUSED = 'v4 refused (curl exit 7), v6 refused (curl exit 7)';
const REACHED = 'v4 reached role-credentials, v6 reached role-credentials';

/** What imds-netns.sh prints when the block holds: every profile refused and unable to touch the rules, the host
 * served, one chain and one jump per family, repaired after a flush, and after the cgroup's recreation. */
function expectedOutput(profiles: Record<string, string[]>): string {
  return [
    `before, container: ${REACHED}`,
    ...Object.entries(profiles).flatMap(([name, caps]) => [
      `${name}: caps: ${caps.join(',') || 'none'}`,
      `${name}: connect: ${REFUSED}`,
      ...['iptables -w 5 -D TRACEABLE-IMDS 1', 'iptables -w 5 -D OUTPUT 1', 'iptables -w 5 -F', 'ip6tables -w 5 -D TRACEABLE-IMDS 1', 'ip6tables -w 5 -F'].map(
        (command) => `${name}: ${command}: denied`,
      ),
      `${name}: connect after: ${REFUSED}`,
    ]),
    `host: ${REACHED}`,
    // -N, -A OUTPUT -j, the two -A TRACEABLE-IMDS (TCP reset, then ICMP): run three times, still one of each
    'chains: v4 4, v6 4',
    `after a flush and a run, container: ${REFUSED}`,
    `an ACCEPT put first, container: ${REACHED}`,
    `an ACCEPT put first, after a run: ${REFUSED}`,
    '6 runs at once: chains: v4 4, v6 4',
    `recreated cgroup, after a run: ${REFUSED}`,
    `missing cgroup, created by a run: ${REFUSED}`,
    'chains: v4 4, v6 4',
    '',
  ].join('\n');
}

describe('EC2 hosts: the Suricata and agent containers in their slice', () => {
  test('neither container reaches the metadata service (v4, v6) nor can delete or flush the rules; the host can; a flush and a recreated cgroup are repaired', () => {
    const profiles = {
      suricata: dockerRunCapabilities(dockerRunOf('ec2', 'suricata.service')),
      agent: dockerRunCapabilities(dockerRunOf('ec2', 'agent-run.sh')),
    };
    const r = attack('ec2', CONTAINER_SLICE, 'docker-0123456789ab.scope', profiles);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expectedOutput(profiles));
    expect(r.status).toBe(0);
    expect(r.leftRunning).toEqual([]);
  }, 160_000);

  test('the block runs before each container starts and every 10 s by its timer, enabled by bootstrap.sh for the slice', () => {
    for (const unit of ['suricata.service', 'traceable.service']) {
      const content = fileOf('ec2', unit);
      expect(content).toContain('ExecStartPre=/opt/traceable/bin/imds-block.sh ${TRACEABLE_CONTAINER_SLICE}');
      expect(content.indexOf('imds-block.sh')).toBeLessThan(content.indexOf('ExecStart='));
    }
    expect(fileOf('ec2', 'bootstrap.sh')).toContain('systemctl enable --now "traceable-imds-block@$TRACEABLE_CONTAINER_SLICE.timer"\n');
    expect(imdsBlockTimer(CONTAINER_SLICE)).toBe('traceable-imds-block@traceableagents.slice.timer');
  });
});

describe('ECS hosts: every container of the task in the ECS agent\'s task slice', () => {
  test('no container of the task definition reaches the metadata service nor can delete or flush the rules; the host can; a recreated cgroup is repaired', () => {
    const profiles = Object.fromEntries(Object.entries(ecsContainers()).map(([name, definition]) => [`ecs-${name}`, ecsContainerCapabilities(definition)]));
    expect(Object.keys(profiles)).toEqual(['ecs-suricata', 'ecs-traceable', 'ecs-health', 'ecs-metrics']);
    const r = attack('ecs', ECS_TASKS_CGROUP, 'ecstasks-0123456789abcdef.slice/docker-0123456789ab.scope', profiles);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expectedOutput(profiles));
    expect(r.status).toBe(0);
    expect(r.leftRunning).toEqual([]);
  }, 160_000);

  test('the block runs before the ECS agent and every 10 s by its timer, enabled by the user data for the task slice', () => {
    const userData = renderEcsUserData('traffic-mirroring-agents', bootstrapPropsOf(configOf(ECS)));
    expect(userData).toContain(`systemctl start ${ECS_TASKS_CGROUP}\nsystemctl enable --now traceable-ecs-host.service traceable-logrotate.timer ${imdsBlockTimer(ECS_TASKS_CGROUP)} traceable-cut-fixer.service\n`);
    expect(fileOf('ecs', 'traceable-ecs-host.service')).toContain(`ExecStart=/opt/traceable/bin/imds-block.sh ${ECS_TASKS_CGROUP}\n`);
  });
});

test("the capability sets are computed as Docker computes them: defaults less drops plus adds, or the adds alone after dropping ALL", () => {
  const defaults = DOCKER_DEFAULT_CAPABILITIES.map((c) => `cap_${c.toLowerCase()}`).sort();
  expect(defaults).toHaveLength(14);
  expect(dockerRunCapabilities(['--rm', 'image'])).toEqual(defaults);
  expect(dockerRunCapabilities(['--cap-add', 'net_admin', '--cap-drop=CAP_NET_RAW'])).toEqual(
    [...defaults.filter((c) => c !== 'cap_net_raw'), 'cap_net_admin'].sort(),
  );
  expect(dockerRunCapabilities(['--cap-drop', 'ALL', '--cap-add', 'NET_RAW'])).toEqual(['cap_net_raw']);
  expect(ecsContainerCapabilities({ linuxParameters: { capabilities: { add: ['SYS_NICE'], drop: ['ALL'] } } })).toEqual(['cap_sys_nice']);
  expect(() => dockerRunCapabilities(['--cap-add', 'ALL'])).toThrow('a container is given every capability (ALL)');
  expect(() => dockerRunCapabilities(['--privileged'])).toThrow('a container runs --privileged');
  expect(dockerRunCommands('ExecStart=/usr/bin/docker run --rm \\\n  --cap-add "net_raw" \\\n  image\n')).toEqual([['--rm', '--cap-add', 'net_raw', 'image']]);
});

test('the timer runs the installed imds-block.sh for its instance, every 10 s from its start', () => {
  for (const fleet of ['ec2', 'ecs'] as const) {
    expect(bootstrapFiles(fleet).map((f) => f.path)).toEqual(
      expect.arrayContaining(['/opt/traceable/bin/imds-block.sh', '/opt/traceable/systemd/traceable-imds-block@.service', '/opt/traceable/systemd/traceable-imds-block@.timer']),
    );
  }
  const service = fileOf('ec2', 'traceable-imds-block@.service');
  expect(service.match(/^ExecStart=.*$/gm)).toEqual(['ExecStart=/opt/traceable/bin/imds-block.sh %i']);
  expect(service).toContain('Type=oneshot\n');
  // Its repairs and failures reach the journal; systemd's lines every 10 s do not.
  expect(service).toContain('SyslogLevel=notice\nLogLevelMax=notice\n');
  const timer = fileOf('ec2', 'traceable-imds-block@.timer');
  expect(timer).toContain('[Timer]\nOnActiveSec=0\nOnUnitActiveSec=10s\nAccuracySec=1s\n');
});

test('systemd accepts the timer and its service for both slices (systemd-analyze verify)', () => {
  const units = mkdtempSync(join(work, 'units-'));
  for (const name of ['traceable-imds-block@.service', 'traceable-imds-block@.timer']) writeFileSync(join(units, name), fileOf('ec2', name));
  for (const slice of [CONTAINER_SLICE, ECS_TASKS_CGROUP]) writeFileSync(join(units, slice), '[Slice]\n');
  const timers = [CONTAINER_SLICE, ECS_TASKS_CGROUP].map((slice) => join(units, imdsBlockTimer(slice)));
  const r = spawnSync('systemd-analyze', ['verify', ...timers], { encoding: 'utf8', env: { ...process.env, SYSTEMD_UNIT_PATH: `${units}:` } });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('imds-block.sh refuses a path it would have to escape, before touching any rule', () => {
  for (const path of ['../etc', '/abs.slice', 'a b.slice']) {
    const r = spawnSync('bash', [join(__dirname, '..', '..', 'bootstrap', 'files', 'imds-block.sh'), path], { encoding: 'utf8' });
    expect(r.stderr).toBe(`imds-block: invalid cgroup path: ${path}\n`);
    expect(r.status).toBe(64);
  }
});

// imds-netns.sh passes shellcheck with the other test scripts (install-deps.test.ts).
