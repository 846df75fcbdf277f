/**
 * The fleet's user data and scripts, without AWS: rendering, size, no secret, Terraform-safe, shellcheck, and the
 * scripts' logic (OS detection, token handling, health endpoint) run for real against fakes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  AGENT_FILES_DIR,
  AGENT_FILES_IN_CONTAINER,
  AGENT_TOKEN_FILE_NAME,
  BOOTSTRAP_FILES_DIR,
  BootstrapProps,
  BUNDLE_BUCKET_PLACEHOLDER,
  INSTALL_DIR,
  SHELL_SCRIPTS,
  bootstrapBundle,
  agentEnvironment,
  bootstrapEnvironment,
  LUA_OUTPUT_SCRIPTS,
  GAP_RULES,
  LUA_SCRIPTS,
  bootstrapFiles,
  encodeUserData,
  luaWithoutComments,
  renderSuricataYaml,
  renderEcsUserData,
  renderUnpackScript,
  renderUserData,
} from '../../bootstrap';
import { parseArgs, renderBootstrapTo } from '../../scripts/render-bootstrap';
import { AGENT_TMP_DIR, AGENT_TOKEN_VARIABLE, CONTAINER_SLICE, SURICATA_CAPABILITIES, FEED_FILE_PATH, FEED_SOCKET_PATH, FEED_STATS_PATH, SURICATA_LUA_DIR, SURICATA_STATS_FILE, FEED_DIR, USER_DATA_LIMIT_BYTES } from '../../bootstrap/constants';
import { DEFAULT_FEED_MODE, DEFAULT_HTTP_BODY_LIMIT, DEFAULT_SURICATA_IMAGE, MAX_HTTP_BODY_LIMIT } from '../../shared';
import { MEMORY_METRIC_DIMENSION, MEMORY_METRIC_NAME, METRICS_NAMESPACE } from '../../shared';
import { dockerCapabilities, dockerRunArguments, optionValues } from '../helpers/container-privileges';

const LIB = join(BOOTSTRAP_FILES_DIR, 'lib.sh');
const TF_REF = '${aws_secretsmanager_secret.token.arn}';
const CANARY = 'CANARY-refresh-token-7f3c9e1d';

const props: BootstrapProps = {
  region: 'eu-west-1',
  tokenSecretId: TF_REF,
  traceableEnvironment: 'production',
  traceableServiceName: 'shop-api',
  traceableApiEndpoint: 'api.traceable.ai',
  agentGroupName: 'prod-agents',
  metricsLogGroupName: '/traceable/prod/host-metrics',
};

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bootstrap-render-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...opts.env }, input: opts.input });
}

/** Runs a bash snippet with lib.sh sourced. */
function lib(snippet: string, env: NodeJS.ProcessEnv = {}, input?: string) {
  return run('bash', ['-c', `set -euo pipefail; . "${LIB}"; ${snippet}`], { env: { TRACEABLE_LOG_DIR: work, ...env }, input });
}

/** The user data without the static scripts it writes (lib.sh and fetch-bundle.sh, with their own ${...}). */
function renderedPartOf(userData: string): string {
  return userData.replace(/cat > \S+ <<'(TRACEABLE_(LIB|FETCH)_END)'\n[\s\S]*?\n\1\n/g, '');
}

/** Bytes EC2 counts against its 16 KB: the gzip that encodeUserData base64-encodes. */
const ec2Bytes = (userData: string) => Buffer.from(encodeUserData(userData), 'base64').length;

describe('shellcheck', () => {
  test('shellcheck is installed (the lint must not silently skip)', () => {
    const r = run('shellcheck', ['--version']);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
  });

  test.each(Object.entries(SHELL_SCRIPTS))('bootstrap/files/%s passes shellcheck (%s)', (script, shell) => {
    const r = run('shellcheck', ['-x', '-P', BOOTSTRAP_FILES_DIR, '-s', shell, join(BOOTSTRAP_FILES_DIR, script)]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('every shell script under bootstrap/files is in the shellcheck list', () => {
    const scripts = readdirSync(BOOTSTRAP_FILES_DIR).filter((f) => f.endsWith('.sh'));
    expect(scripts.sort()).toEqual(Object.keys(SHELL_SCRIPTS).sort());
  });

  test('the rendered user data and its unpack script pass shellcheck (EC2 and ECS hosts)', () => {
    const ud = join(work, 'user-data.sh');
    writeFileSync(ud, renderUserData(props));
    const unpack = join(work, 'unpack.sh');
    writeFileSync(unpack, renderUnpackScript());
    const ecsUserData = join(work, 'ecs-user-data.sh');
    writeFileSync(ecsUserData, renderEcsUserData('prod-agents', props));
    for (const f of [ud, unpack, ecsUserData]) {
      const r = run('shellcheck', ['-s', 'bash', f]);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  test('the e2e orchestration scripts (with the wait_for they source) and the container stand-in pass shellcheck', () => {
    for (const [shell, script] of [['bash', 'netns-e2e.sh'], ['bash', 'cut-fixer-netns.sh'], ['bash', 'geneve-netns.sh'], ['sh', 'as-container.sh']]) {
      const r = run('shellcheck', ['-x', '-P', __dirname, '-s', shell, join(__dirname, script)]);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});

describe('user data', () => {
  const userData = renderUserData(props);

  test('is a bash script far under EC2 16 KB limit once gzip-compressed, as cloud-init reads it; the files travel in the bundle', () => {
    expect(userData.startsWith('#!/bin/bash\n')).toBe(true);
    expect(gunzipSync(Buffer.from(encodeUserData(userData), 'base64')).toString('utf8')).toBe(userData);
    // The longest bucket name S3 allows in place of the placeholder, and the longest settings.
    const long = renderUserData({
      ...props,
      tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/refresh-token/with/a/long/path-AbCdEf',
      traceableEnvironment: 'e'.repeat(128),
      traceableServiceName: 's'.repeat(128),
      traceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/traceableai/traceable-agent:1.71.2',
    }).replace(BUNDLE_BUCKET_PLACEHOLDER, 'b'.repeat(63));
    // Measured: 4,165 bytes (ECS hosts: 3,757); what grows with the files is the bundle, not the user data.
    expect(ec2Bytes(long)).toBeLessThan(USER_DATA_LIMIT_BYTES / 2);
    expect(ec2Bytes(renderEcsUserData('c'.repeat(255), props).replace(BUNDLE_BUCKET_PLACEHOLDER, 'b'.repeat(63)))).toBeLessThan(USER_DATA_LIMIT_BYTES / 2);
    // S3 has no such limit; this bound keeps the object small in Terraform's state (measured with the HTTP/2
    // scripts: 21,517 bytes for the EC2 hosts, 17,051 for the ECS hosts).
    for (const fleet of ['ec2', 'ecs'] as const) {
      expect(bootstrapBundle(fleet).gzip.length).toBeLessThan(48 * 1024);
      expect(gunzipSync(bootstrapBundle(fleet).gzip).toString('utf8')).toBe(renderUnpackScript(bootstrapFiles(fleet)));
    }
  });

  test('renders no Terraform template sequence except the secret ARN reference (the files are static sources)', () => {
    // The scripts are bash with their own ${...}: they reach Terraform base64-encoded (modules/bootstrap-bundle.ts),
    // which it never interpolates. What is rendered from the props must not add any.
    const withoutRef = renderedPartOf(userData).split(TF_REF).join('');
    expect(userData).toContain(`TRACEABLE_TOKEN_SECRET_ARN='${TF_REF}'`);
    expect(withoutRef).not.toContain('${');
    expect(withoutRef).not.toContain('%{');
  });

  test('contains no secret: the token is read at boot, never rendered', () => {
    // The canary plays the token: whatever the props, it can only come from Secrets Manager at boot.
    expect(userData).not.toContain(CANARY);
    expect(renderUnpackScript()).not.toContain(CANARY);
    expect(renderedPartOf(userData)).not.toMatch(/refresh_token\s*[=:]\s*\S/i);
    // The same static files whatever the props: the bundle is the unpack script, the user data names its digest.
    const bundle = bootstrapBundle('ec2');
    expect(userData).toContain(
      `bash /opt/traceable/bin/fetch-bundle.sh eu-west-1 ${BUNDLE_BUCKET_PLACEHOLDER} bootstrap/${bundle.sha256}.sh.gz ${bundle.sha256} /opt/traceable/unpack.sh\n`,
    );
    expect(Object.keys(bootstrapEnvironment(props)).some((k) => /TOKEN(?!_SECRET_ARN)/.test(k))).toBe(false);
  });

  test('passes the Traceable settings and pinned images', () => {
    expect(userData).toContain("TRACEABLE_ENVIRONMENT='production'");
    expect(userData).toContain("TRACEABLE_SERVICE_NAME='shop-api'");
    expect(userData).toContain("TRACEABLE_API_ENDPOINT='api.traceable.ai'");
    expect(userData).toContain(`TRACEABLE_SURICATA_IMAGE='${DEFAULT_SURICATA_IMAGE}'`);
    expect(userData).toMatch(/TRACEABLE_AGENT_IMAGE='traceableai\/traceable-agent:\d+\.\d+\.\d+'/);
    expect(renderUserData({ ...props, traceableAgentVersion: '1.70.0' })).toContain("TRACEABLE_AGENT_IMAGE='traceableai/traceable-agent:1.70.0'");
    expect(agentEnvironment(props)).toEqual({
      TA_ENVIRONMENT: 'production',
      TA_SERVICE_NAME: 'shop-api',
      TA_REMOTE_ENDPOINT: 'api.traceable.ai',
      TA_SURICATA_EVE_FILE: '/run/traceable-feed/eve.sock',
    });
  });

  test('refuses values that would break quoting or be interpolated by Terraform', () => {
    expect(() => renderUserData({ ...props, traceableEnvironment: "prod'; rm -rf /" })).toThrow(/traceableEnvironment/);
    expect(() => renderUserData({ ...props, traceableServiceName: 'a${b}' })).toThrow(/traceableServiceName/);
    expect(() => renderUserData({ ...props, traceableApiEndpoint: 'api.traceable.ai/x y' })).toThrow(/traceableApiEndpoint/);
    expect(() => renderUserData({ ...props, suricataImage: 'img:$(id)' })).toThrow(/suricataImage/);
    expect(() => renderUserData({ ...props, tokenSecretId: "arn'x" })).toThrow(/tokenSecretId/);
  });

  test('the same user data serves every OS family and architecture (detected at boot)', () => {
    // Nothing OS- or architecture-specific is rendered: AL2023/Ubuntu and x86_64/arm64 are told apart on the
    // instance by traceable_detect_os / traceable_detect_arch (tested below on fake os-release files).
    const a = renderUserData(props);
    expect(renderUserData(props)).toBe(a);
    expect(a).toContain(bootstrapBundle('ec2').sha256);
    expect(renderUnpackScript()).toContain('install_al2023');
    expect(renderUnpackScript()).toContain('install_ubuntu');
  });

  test('unpacks to exactly the files under bootstrap/files, with their modes', () => {
    const root = join(work, 'root');
    const r = run('bash', ['-c', `bash -s -- "${root}"`], { input: gunzipSync(bootstrapBundle('ec2').gzip).toString('utf8') });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const f of bootstrapFiles('ec2')) {
      const p = join(root, f.path);
      expect(readFileSync(p, 'utf8')).toBe(f.content);
      expect((statSync(p).mode & 0o777).toString(8)).toBe(f.mode.slice(1));
    }
  });
});

describe('files', () => {
  test('CloudWatch agent publishes memory under the namespace, metric and dimension the scaling policy uses', () => {
    const cw = JSON.parse(bootstrapFiles().find((f) => f.path.endsWith('cloudwatch-agent.json'))!.content);
    expect(cw.metrics.namespace).toBe(METRICS_NAMESPACE);
    expect(cw.metrics.metrics_collected.mem.measurement).toEqual([MEMORY_METRIC_NAME]);
    expect(cw.metrics.append_dimensions).toEqual({ [MEMORY_METRIC_DIMENSION]: '${aws:AutoScalingGroupName}' });
    expect(cw.agent.omit_hostname).toBe(true);
  });

  test('units are named suricata and traceable, logs go under /var/traceable/log, rotated with timestamps', () => {
    const names = bootstrapFiles().map((f) => f.path.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['suricata.service', 'traceable.service', 'traceable-health.service']));
    const traceableUnit = bootstrapFiles().find((f) => f.path.endsWith('/traceable.service'))!.content;
    expect(traceableUnit).toContain('StandardOutput=append:/var/traceable/log/traceable.log');
    const rotate = bootstrapFiles().find((f) => f.path.endsWith('logrotate.conf'))!.content;
    expect(rotate).toContain('/var/traceable/log/*.log');
    expect(rotate).toContain('dateext');
  });

  test('Suricata configuration: VXLAN 4789, one capture thread, no checksum checks, http events from the Lua feed only', () => {
    const yaml = renderSuricataYaml('ens7');
    expect(yaml).toContain('  - interface: ens7\n    threads: 1\n');
    expect(yaml).toMatch(/vxlan:\n\s+enabled: true\n\s+ports: "4789"/);
    expect(yaml).toMatch(/af-packet:[\s\S]*checksum-checks: no/);
    expect(yaml).toContain('runmode: autofp');
    expect(yaml).not.toContain('__CAPTURE_INTERFACE__');
    expect(() => renderSuricataYaml('eth0; reboot')).toThrow();
    // eve keeps only Suricata's counters; the http events come from the Lua scripts, installed where scripts-dir says.
    const outputs = yaml.slice(yaml.indexOf('\noutputs:\n'), yaml.indexOf('\nlogging:\n'));
    expect(outputs).toContain(`      filename: ${SURICATA_STATS_FILE}\n      types:\n        - stats:\n`);
    expect(outputs.match(/- eve-log:/g)).toHaveLength(1);
    expect(outputs).not.toMatch(/- http:|eve\.json|dump-all-headers/);
    expect(outputs).toContain(`scripts-dir: ${SURICATA_LUA_DIR}\n`);
    const scripts = [...outputs.matchAll(/^ {8}- (\S+\.lua)$/gm)].map((m) => m[1]);
    // HTTP/1 and h2c, in this order (no body logger: Suricata 7.0 keeps HTTP bodies whatever the outputs); the modules
    // they require (feed, HTTP/2 parser) are installed beside them, and every Lua file of bootstrap/files/lua is installed.
    expect(scripts).toEqual(['traceable_http.lua', 'traceable_http2.lua']);
    expect(scripts).toEqual(LUA_OUTPUT_SCRIPTS);
    expect([...LUA_SCRIPTS, GAP_RULES].sort()).toEqual(readdirSync(join(BOOTSTRAP_FILES_DIR, 'lua')).sort());
    for (const name of [...LUA_SCRIPTS, GAP_RULES]) expect(bootstrapFiles().map((f) => f.path)).toContain(`${SURICATA_LUA_DIR}/${name}`);
    // The one rule file (the reassembly-gap mark traceable_http2.lua reads) is installed beside the scripts.
    expect(yaml).toContain(`\ndefault-rule-path: ${SURICATA_LUA_DIR}\nrule-files:\n  - ${GAP_RULES}\n`);
    expect(renderSuricataYaml('ens7', { luaDir: '/tmp/lua' })).toContain('scripts-dir: /tmp/lua\n');
    expect(renderSuricataYaml('ens7', { luaDir: '/tmp/lua' })).toContain('\ndefault-rule-path: /tmp/lua\n');
    // Long keep-alive connections: no reassembly depth; bodies kept up to the largest HttpBodyLimit, never pruned.
    expect(yaml).toMatch(/reassembly:\n\s+memcap: \S+\n\s+depth: 0\n/);
    for (const key of ['request-body-limit', 'response-body-limit', 'request-body-minimal-inspect-size', 'response-body-minimal-inspect-size']) {
      expect(yaml).toContain(`${key}: ${MAX_HTTP_BODY_LIMIT}\n`);
    }
  });

  test('feed settings travel in bootstrap.env, validated; the Lua module falls back to the same defaults', () => {
    expect(bootstrapEnvironment(props)).toMatchObject({
      TRACEABLE_FEED_MODE: 'socket',
      TRACEABLE_FEED_PATH: FEED_SOCKET_PATH,
      TRACEABLE_HTTP_BODY_LIMIT: String(DEFAULT_HTTP_BODY_LIMIT),
    });
    expect(bootstrapEnvironment({ ...props, feedMode: 'file', httpBodyLimit: 0 })).toMatchObject({
      TRACEABLE_FEED_MODE: 'file',
      TRACEABLE_FEED_PATH: FEED_FILE_PATH,
      TRACEABLE_HTTP_BODY_LIMIT: '0',
    });
    expect(() => bootstrapEnvironment({ ...props, feedMode: 'tcp' as 'file' })).toThrow('bootstrap: feedMode must be one of socket, file, got "tcp"');
    expect(() => bootstrapEnvironment({ ...props, httpBodyLimit: MAX_HTTP_BODY_LIMIT + 1 })).toThrow(
      `bootstrap: httpBodyLimit must be a whole number of bytes from 0 to ${MAX_HTTP_BODY_LIMIT}, got ${MAX_HTTP_BODY_LIMIT + 1}`,
    );
    const lua = readFileSync(join(BOOTSTRAP_FILES_DIR, 'lua', 'traceable_feed.lua'), 'utf8');
    const luaDefault = (name: string) => new RegExp(`^M\\.${name} = (.+)$`, 'm').exec(lua)?.[1];
    expect(luaDefault('DEFAULT_MODE')).toBe(`"${DEFAULT_FEED_MODE}"`);
    expect(luaDefault('DEFAULT_SOCKET_PATH')).toBe(`"${FEED_SOCKET_PATH}"`);
    expect(luaDefault('DEFAULT_FILE_PATH')).toBe(`"${FEED_FILE_PATH}"`);
    expect(luaDefault('DEFAULT_STATS_PATH')).toBe(`"${FEED_STATS_PATH}"`);
    expect(luaDefault('DEFAULT_BODY_LIMIT')).toBe(String(DEFAULT_HTTP_BODY_LIMIT));
  });

  test('render:bootstrap --feed file switches the same pipeline to the feed file', () => {
    expect(parseArgs(['--out', 'x', '--feed', 'file'])).toMatchObject({ out: 'x', feed: 'file' });
    expect(parseArgs(['--out', 'x']).feed).toBeUndefined();
    expect(() => parseArgs(['--out', 'x', '--feed', 'tcp'])).toThrow('--feed must be socket or file, got "tcp"');
    const out = join(work, 'rendered-file-feed');
    renderBootstrapTo(out, { ...props, feedMode: 'file' });
    expect(readFileSync(join(out, 'bootstrap.env'), 'utf8')).toContain(`TRACEABLE_FEED_MODE='file'\nTRACEABLE_FEED_PATH='${FEED_FILE_PATH}'\n`);
  });

  test('installed Lua scripts are the sources without comments, code unchanged', () => {
    for (const name of LUA_SCRIPTS) {
      const source = readFileSync(join(BOOTSTRAP_FILES_DIR, 'lua', name), 'utf8');
      const installed = bootstrapFiles().find((f) => f.path === `${SURICATA_LUA_DIR}/${name}`)!.content;
      expect(installed).toBe(luaWithoutComments(source));
      expect(installed).not.toMatch(/^--/m);
      const r = run('luajit', ['-bl', '-'], { input: installed }); // compiles
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  test('the boot-time rendering (sed in lib.sh) equals renderSuricataYaml', () => {
    const out = join(work, 'suricata-boot.yaml');
    const template = join(work, 'suricata-template.yaml');
    writeFileSync(template, bootstrapFiles().find((f) => f.path.endsWith('/suricata.yaml'))!.content);
    const r = lib(`traceable_render_suricata "${template}" "${out}" ens6`);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(renderSuricataYaml('ens6'));
    expect(lib(`traceable_render_suricata /dev/null "${out}" 'a/b'`).status).not.toBe(0);
  });
});

describe('OS and architecture detection', () => {
  const osRelease = (id: string, version: string) => {
    const p = join(work, `os-release-${id}-${version}`);
    writeFileSync(p, `NAME="x"\nID="${id}"\nVERSION_ID="${version}"\nPRETTY_NAME="x"\n`);
    return p;
  };

  test.each([
    ['amzn', '2023', 'al2023'],
    ['ubuntu', '22.04', 'ubuntu'],
    ['ubuntu', '24.04', 'ubuntu'],
  ])('%s %s is supported as %s', (id, version, expected) => {
    const r = lib(`traceable_detect_os "${osRelease(id, version)}"`);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(expected);
  });

  test.each([
    ['amzn', '2', /Amazon Linux 2 is end of life/],
    ['centos', '7', /CentOS 7 is end of life/],
    ['ubuntu', '20.04', /unsupported operating system ID=ubuntu VERSION_ID=20.04/],
    ['debian', '12', /unsupported operating system/],
  ])('%s %s is refused with a clear message', (id, version, message) => {
    const r = lib(`traceable_detect_os "${osRelease(id, version)}"`);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  test('a missing os-release is refused', () => {
    expect(lib(`traceable_detect_os "${join(work, 'nope')}"`).status).not.toBe(0);
  });

  test.each([
    ['x86_64', 'amd64'],
    ['aarch64', 'arm64'],
  ])('%s maps to %s; others are refused', (machine, arch) => {
    expect(lib(`traceable_detect_arch ${machine}`).stdout.trim()).toBe(arch);
    expect(lib('traceable_detect_arch armv7l').status).not.toBe(0);
  });

  test('the primary interface is the default route device', () => {
    const ns = `tb-render-${process.pid}`;
    try {
      for (const cmd of [
        `ip netns add ${ns}`,
        `ip -n ${ns} link add ens9 type veth peer name peer9`,
        `ip -n ${ns} link set ens9 up`,
        `ip -n ${ns} addr add 192.168.250.2/24 dev ens9`,
        `ip -n ${ns} route add default via 192.168.250.1`,
      ]) {
        expect(run('bash', ['-c', cmd]).status).toBe(0);
      }
      const r = run('ip', ['netns', 'exec', ns, 'bash', '-c', `. "${LIB}"; traceable_primary_interface`]);
      expect(r.stdout.trim()).toBe('ens9');
    } finally {
      run('ip', ['netns', 'del', ns]);
    }
  });
});

describe('retry', () => {
  test('retries with backoff, then succeeds', () => {
    const counter = join(work, 'count');
    writeFileSync(counter, '0');
    const r = lib(`flaky() { n=$(($(cat "${counter}") + 1)); echo $n > "${counter}"; [ $n -ge 3 ]; }; traceable_retry 5 0 flaky`);
    expect(r.status).toBe(0);
    expect(readFileSync(counter, 'utf8').trim()).toBe('3');
    expect(r.stderr).toMatch(/attempt 1\/5 failed/);
  });

  test('gives up after the bounded attempts with a logged error and the command status', () => {
    const r = lib('traceable_retry 3 0 bash -c "exit 7"');
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/gave up after 3 attempts \(exit 7\)/);
    expect(readFileSync(join(work, 'bootstrap.log'), 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ traceable-bootstrap \[ERROR\] gave up/m);
  });
});

describe('private ECR images', () => {
  test.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/traceable-agent:1.71.2', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
    ['210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/suricata:7.0.10', '210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn'],
    ['traceableai/traceable-agent:1.71.2', ''],
    ['public.ecr.aws/aws-cli/aws-cli:2.15.0', ''],
  ])('traceable_ecr_registry %s -> "%s"', (image, registry) => {
    const r = lib(`traceable_ecr_registry '${image}'`);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(registry);
  });

  test('logs docker in with the role through a pipe: the password is in no argument', () => {
    // Prepare: fake aws and docker that record their arguments and standard input
    const bin = mkdtempSync(join(work, 'ecr-bin-'));
    writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho "aws $*" >> "${bin}/calls"\necho '${CANARY}'\n`);
    writeFileSync(join(bin, 'docker'), `#!/bin/bash\necho "docker $*" >> "${bin}/calls"\ncat > "${bin}/docker-stdin"\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    chmodSync(join(bin, 'docker'), 0o755);

    // Act
    const r = lib('traceable_ecr_login 123456789012.dkr.ecr.eu-west-1.amazonaws.com', { PATH: `${bin}:${process.env.PATH}` });

    // Assess
    expect(r.status).toBe(0);
    // The two ends of a pipe run at once: their order in the log is not meaningful.
    expect(readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n').sort()).toEqual([
      'aws ecr get-login-password --region eu-west-1',
      'docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    ]);
    expect(readFileSync(join(bin, 'docker-stdin'), 'utf8').trim()).toBe(CANARY);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
  });
});

describe('token.sh', () => {
  const fakeBin = () => {
    const bin = mkdtempSync(join(work, 'bin-'));
    return bin;
  };
  const env = (bin: string) => ({
    PATH: `${bin}:${process.env.PATH}`,
    TRACEABLE_HOME: join(work, 'home'),
    TRACEABLE_REGION: 'eu-west-1',
    TRACEABLE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable-AbCdEf',
    TRACEABLE_RETRY_DELAY: '0',
    TRACEABLE_TOKEN_ATTEMPTS: '2',
  });
  beforeAll(() => {
    // token.sh sources $TRACEABLE_HOME/bin/lib.sh, as installed.
    const home = join(work, 'home', 'bin');
    spawnSync('mkdir', ['-p', home]);
    writeFileSync(join(home, 'lib.sh'), readFileSync(LIB));
  });

  test('reads refresh_token with the aws CLI and writes it alone to a file; the token never reaches output', () => {
    const bin = fakeBin();
    const argsLog = join(bin, 'args');
    writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho "$@" > "${argsLog}"\necho '{"refresh_token":"${CANARY}","other":"x"}'\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    const out = join(work, 'refresh-token');
    const r = run('bash', [join(BOOTSTRAP_FILES_DIR, 'token.sh'), out], { env: { ...env(bin), TRACEABLE_LOG_DIR: work } });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(readFileSync(join(work, 'bootstrap.log'), 'utf8')).not.toContain(CANARY);
    expect((statSync(out).mode & 0o777).toString(8)).toBe('444');
    expect(readFileSync(out, 'utf8')).toBe(CANARY);
    expect(readFileSync(argsLog, 'utf8')).toContain('secretsmanager get-secret-value --region eu-west-1 --secret-id arn:aws:secretsmanager');
  });

  test('a secret without a value yet (token:put not run): says so and how to put it, exits non-zero for its unit to retry', () => {
    const bin = fakeBin();
    // What the aws CLI prints when the secret exists but has no version labelled AWSCURRENT.
    writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" >&2\nexit 254\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    const out = join(work, 'refresh-token-none');
    const r = run('bash', [join(BOOTSTRAP_FILES_DIR, 'token.sh'), out], { env: { ...env(bin), TRACEABLE_LOG_DIR: work } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
    expect(r.stderr).toMatch(/attempt 1\/2 failed/);
    expect(r.stderr).toContain(
      'traceable-bootstrap [ERROR] the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable-AbCdEf has no value yet: put the Traceable refresh token once (npm run token:put -- --stack <StackName>); the agent starts when it is there',
    );
    expect(r.stderr).not.toMatch(/GetSecretValue permission/);
    expect(() => statSync(out)).toThrow();
    // EC2: the failed ExecStartPre fails the start, and systemd starts it again 10 s later, without a limit.
    expect(fileNamed('traceable.service')).toMatch(/^StartLimitIntervalSec=0$[\s\S]*^ExecStartPre=\/opt\/traceable\/bin\/token\.sh [\s\S]*^Restart=always\nRestartSec=10$/m);
  });

  test('fails loudly (non-zero, clear log line) when the secret has no refresh_token, without echoing it', () => {
    const bin = fakeBin();
    writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho '{"token":"${CANARY}"}'\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    const out = join(work, 'refresh-token-bad');
    const r = run('bash', [join(BOOTSTRAP_FILES_DIR, 'token.sh'), out], { env: { ...env(bin), TRACEABLE_LOG_DIR: work } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/could not read the refresh token/);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(() => statSync(out)).toThrow();
  });
});

/** The installed content of a bootstrap file, by its name. */
const fileNamed = (name: string) => bootstrapFiles().find((f) => f.path.endsWith(`/${name}`))!.content;

/** The `docker run` arguments of a unit's ExecStart (continuation lines joined). */
const dockerRunOf = (unit: string) => /^ExecStart=\/usr\/bin\/docker run (.*)$/m.exec(fileNamed(unit).replace(/ \\\n\s*/g, ' '))?.[1] ?? '';

describe('secrets never in a container configuration, environment or log', () => {
  test('the agent env file holds the settings and no token; the token is only a file mounted read-only', () => {
    const userData = renderUserData(props);
    const agentEnv = /cat > \/etc\/traceable\/agent.env <<'TRACEABLE_AGENT_ENV_END'\n([\s\S]*?)\nTRACEABLE_AGENT_ENV_END/.exec(userData)![1];
    expect(agentEnv).toBe(
      'TA_ENVIRONMENT=production\nTA_SERVICE_NAME=shop-api\nTA_REMOTE_ENDPOINT=api.traceable.ai\nTA_SURICATA_EVE_FILE=/run/traceable-feed/eve.sock',
    );
    expect(agentEnv).not.toMatch(new RegExp(AGENT_TOKEN_VARIABLE));
    const unit = fileNamed('traceable.service');
    expect(unit).toContain('ExecStartPre=/opt/traceable/bin/token.sh /run/traceable/refresh-token');
    expect(unit).toContain('ExecStart=/opt/traceable/bin/agent-run.sh /run/traceable/refresh-token');
    expect(unit).toContain('RuntimeDirectoryMode=0700');
    expect(unit).not.toContain(AGENT_TOKEN_VARIABLE);
  });

  test('every container that handles the secret logs nowhere (--log-driver none)', () => {
    expect(dockerRunOf('suricata.service')).toContain('--log-driver none');
    expect(fileNamed('agent-run.sh')).toContain('  --log-driver none \\\n');
    expect(fileNamed('lib.sh')).toContain('docker run --rm --network host --log-driver none "${TRACEABLE_AWS_CLI_IMAGE:?}" "$@"');
  });

  test('agent-run.sh runs the image through the wrapper with its own entrypoint and command; no token in any argument', () => {
    // Prepare: a fake docker answering `image inspect` with an image's entrypoint and command, recording `run`.
    const bin = mkdtempSync(join(work, 'agent-run-'));
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/bash\nif [ "$1" = image ]; then echo '["/usr/bin/tini","--"]'; echo '["/opt/agent/run","--config","/etc/ta.yaml"]'; exit 0; fi\nprintf '%s\\n' "$@" > "${bin}/run-args"\n`,
    );
    chmodSync(join(bin, 'docker'), 0o755);
    const home = join(bin, 'home');
    spawnSync('mkdir', ['-p', join(home, 'bin')]);
    writeFileSync(join(home, 'bin', 'lib.sh'), readFileSync(LIB));
    const tokenFile = join(bin, 'refresh-token');
    writeFileSync(tokenFile, CANARY);

    // Act
    const r = run('bash', [join(BOOTSTRAP_FILES_DIR, 'agent-run.sh'), tokenFile], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        TRACEABLE_HOME: home,
        TRACEABLE_LOG_DIR: work,
        ...bootstrapEnvironment(props),
      },
    });

    // Assess
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const args = readFileSync(join(bin, 'run-args'), 'utf8').trim().split('\n');
    expect(args.join('\n')).not.toContain(CANARY);
    expect(args).toEqual([
      'run', '--rm', '--name', 'traceable', '--network', 'host',
      '--cgroup-parent', CONTAINER_SLICE,
      '--cap-drop', 'all',
      '--security-opt', 'no-new-privileges',
      '--read-only', '--tmpfs', `${AGENT_TMP_DIR}:rw,nosuid,nodev,size=64m`,
      '--log-driver', 'none',
      '--env-file', '/etc/traceable/agent.env',
      '-v', `${tokenFile}:/run/secrets/traceable-refresh-token:ro`,
      '-v', `${home}/bin/agent-entrypoint.sh:/traceable/agent-entrypoint.sh:ro`,
      '-v', `${FEED_DIR}:${FEED_DIR}`,
      '-v', `${work}/suricata:/var/log/suricata:ro`,
      '--entrypoint', '/traceable/agent-entrypoint.sh',
      'traceableai/traceable-agent:1.71.2',
      '/run/secrets/traceable-refresh-token', AGENT_TOKEN_VARIABLE,
      '/usr/bin/tini', '--', '/opt/agent/run', '--config', '/etc/ta.yaml',
    ]);
  });

  test('agent-run.sh refuses an image without entrypoint and command', () => {
    const bin = mkdtempSync(join(work, 'agent-run-empty-'));
    writeFileSync(join(bin, 'docker'), `#!/bin/bash\nif [ "$1" = image ]; then echo null; echo null; exit 0; fi\ntouch "${bin}/ran"\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    const r = run('bash', [join(BOOTSTRAP_FILES_DIR, 'agent-run.sh'), '/dev/null'], {
      env: { PATH: `${bin}:${process.env.PATH}`, TRACEABLE_HOME: join(work, 'home'), TRACEABLE_LOG_DIR: work, ...bootstrapEnvironment(props) },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the image has neither an entrypoint nor a command');
    expect(r.stderr).toContain('cannot tell the entrypoint and command of traceableai/traceable-agent:1.71.2');
    expect(() => statSync(join(bin, 'ran'))).toThrow();
  });

  test('the wrapper (POSIX sh) exports the token from the file and execs the image command with its arguments', () => {
    const tokenFile = join(work, 'wrapper-token');
    writeFileSync(tokenFile, CANARY);
    const out = join(work, 'wrapper-out');
    // The fake image command: prints its arguments and the variable, as the agent would read it.
    const r = run('sh', [
      join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), tokenFile, AGENT_TOKEN_VARIABLE,
      'sh', '-c', `printf '%s|' "$@" > "${out}"; printf '%s' "$${AGENT_TOKEN_VARIABLE}" >> "${out}"; echo "pid $$"`, 'agent', 'a b', '--flag',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`a b|--flag|${CANARY}`);
    expect(r.stdout).not.toContain(CANARY);
  });

  test('the wrapper refuses a missing token and a bad variable name, without running the command', () => {
    const marker = join(work, 'wrapper-ran');
    const missing = run('sh', [join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), join(work, 'nope'), AGENT_TOKEN_VARIABLE, 'touch', marker]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`agent-entrypoint: no token in ${join(work, 'nope')}\n`);
    const bad = run('sh', [join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), '/dev/null', 'A;B', 'touch', marker]);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toBe('agent-entrypoint: invalid variable name: A;B\n');
    expect(() => statSync(marker)).toThrow();
  });
});

describe('containers: metadata service, feed directory and settings', () => {
  test('both containers run in the slice whose metadata traffic is rejected, installed before they start', () => {
    for (const unit of ['suricata.service', 'traceable.service']) {
      const content = fileNamed(unit);
      expect(content).toMatch(new RegExp(`^Requires=docker.service ${CONTAINER_SLICE}$`, 'm'));
      expect(content).toContain('ExecStartPre=/opt/traceable/bin/imds-block.sh ${TRACEABLE_CONTAINER_SLICE}');
      // the rule before the container: every ExecStartPre runs before ExecStart
      expect(content.indexOf('imds-block.sh')).toBeLessThan(content.indexOf('ExecStart='));
    }
    expect(dockerRunOf('suricata.service')).toContain('--cgroup-parent ${TRACEABLE_CONTAINER_SLICE}');
    expect(bootstrapEnvironment(props).TRACEABLE_CONTAINER_SLICE).toBe(CONTAINER_SLICE);
    expect(bootstrapFiles().map((f) => f.path)).toContain(`/opt/traceable/systemd/${CONTAINER_SLICE}`);
    const boot = fileNamed('bootstrap.sh');
    expect(boot.indexOf('imds-block.sh" "$TRACEABLE_CONTAINER_SLICE"')).toBeLessThan(boot.indexOf('systemctl enable --now suricata.service'));
  });

  test('Suricata gets the feed directory and the feed settings; the agent the feed directory', () => {
    const suricata = dockerRunOf('suricata.service');
    expect(suricata).toContain('-v ${TRACEABLE_FEED_DIR}:${TRACEABLE_FEED_DIR}');
    expect(suricata).toContain('-e TRACEABLE_FEED_MODE -e TRACEABLE_FEED_PATH -e TRACEABLE_HTTP_BODY_LIMIT');
    expect(bootstrapEnvironment(props).TRACEABLE_FEED_DIR).toBe(FEED_DIR);
    expect(fileNamed('agent-run.sh')).toContain('-v "$TRACEABLE_FEED_DIR:$TRACEABLE_FEED_DIR"');
  });
});

describe('containers: least privilege (README "Containers: least privilege"; ECS: __tests__/modes.test.ts)', () => {
  test('suricata.service: exactly NET_RAW and IPC_LOCK, no new privileges, a read-only root, Suricata itself as the entrypoint', () => {
    const args = dockerRunArguments(fileNamed('suricata.service'));
    expect(dockerCapabilities(args)).toEqual({ drop: ['ALL'], add: [...SURICATA_CAPABILITIES] });
    expect(optionValues(args, '--security-opt')).toEqual(['no-new-privileges']);
    expect(args).toContain('--read-only');
    expect(optionValues(args, '--tmpfs')).toEqual([]);
    // It writes only its logs and the feed; reads its configuration and Lua scripts.
    expect(optionValues(args, '-v')).toEqual([
      '/etc/traceable/suricata:/etc/traceable/suricata:ro',
      `${SURICATA_LUA_DIR}:${SURICATA_LUA_DIR}:ro`,
      '/var/traceable/log/suricata:/var/log/suricata',
      '${TRACEABLE_FEED_DIR}:${TRACEABLE_FEED_DIR}',
    ]);
    expect(optionValues(args, '--entrypoint')).toEqual(['suricata']);
    expect(args.filter((arg) => /^--(privileged|user|pid|ipc|userns|cap-add=|security-opt=)/.test(arg))).toEqual([]);
  });

  test.each([
    ['NLB', undefined],
    ['GWLB', ['10.0.3.0/24', '10.0.4.0/25']],
  ])('systemd accepts the EC2 hosts\' units in %s mode (systemd-analyze verify, in a root holding the commands they run)', (_mode, geneveSourceCidrs) => {
    // The root: the OS's own units (targets the units are ordered after), a docker.service, the units, and a stand-in
    // for every command they run: ours must be among the installed files.
    const root = mkdtempSync(join(work, 'systemd-root-'));
    cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
    const unitDir = join(root, 'etc/systemd/system');
    mkdirSync(unitDir, { recursive: true });
    const units = bootstrapFiles('ec2', geneveSourceCidrs).filter((f) => f.path.startsWith(`${INSTALL_DIR}/systemd/`) && !f.path.includes('/ecs/'));
    const docker = { path: 'docker.service', content: '[Service]\nExecStart=/usr/bin/dockerd\n' };
    for (const unit of [...units, docker]) writeFileSync(join(unitDir, basename(unit.path)), unit.content);
    const installed = bootstrapFiles('ec2', geneveSourceCidrs).map((f) => f.path);
    for (const command of new Set([...units, docker].flatMap((unit) => [...unit.content.matchAll(/^Exec\w+=[-@:+!]*(\/\S+)/gm)].map((m) => m[1])))) {
      if (command.startsWith(`${INSTALL_DIR}/`)) expect(installed).toContain(command);
      mkdirSync(join(root, dirname(command)), { recursive: true });
      writeFileSync(join(root, command), '#!/bin/sh\n', { mode: 0o755 });
    }
    // Templates (traceable-imds-block@) are verified as the hosts instantiate them: for the containers' slice.
    const names = units.map((unit) => basename(unit.path).replace('@.', `@${CONTAINER_SLICE}.`));
    const r = run('systemd-analyze', ['verify', `--root=${root}`, ...names]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('agent-run.sh: no capability at all, no new privileges, a read-only root with a tmpfs /tmp', () => {
    const args = dockerRunArguments(fileNamed('agent-run.sh'));
    expect(dockerCapabilities(args)).toEqual({ drop: ['ALL'], add: [] });
    expect(optionValues(args, '--security-opt')).toEqual(['no-new-privileges']);
    expect(args).toContain('--read-only');
    expect(optionValues(args, '--tmpfs')).toEqual([`${AGENT_TMP_DIR}:rw,nosuid,nodev,size=64m`]);
  });
});

describe('suricata-start.sh (the ECS task\'s Suricata container)', () => {
  test('renders the configuration for the default route\'s interface and execs Suricata in its place', () => {
    const dir = mkdtempSync(join(work, 'suricata-start-'));
    spawnSync('mkdir', ['-p', join(dir, 'home', 'etc'), join(dir, 'bin')]);
    writeFileSync(join(dir, 'home', 'etc', 'suricata.yaml'), fileNamed('suricata.yaml'));
    writeFileSync(
      join(dir, 'route'),
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
        'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n' +
        'ens6\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n',
    );
    // The fake Suricata reports its PID and arguments.
    writeFileSync(join(dir, 'bin', 'suricata'), '#!/bin/sh\necho "pid $$"\necho "args $*"\n');
    chmodSync(join(dir, 'bin', 'suricata'), 0o755);
    const r = run('sh', [join(BOOTSTRAP_FILES_DIR, 'suricata-start.sh'), '--runmode', 'autofp'], {
      env: {
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
        TRACEABLE_HOME: join(dir, 'home'),
        TRACEABLE_ROUTE_FILE: join(dir, 'route'),
        TRACEABLE_SURICATA_CONF_DIR: join(dir, 'conf'),
      },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [pidLine, argsLine] = r.stdout.trim().split('\n');
    expect(pidLine).toBe(`pid ${r.pid}`);
    expect(argsLine).toBe(`args -c ${join(dir, 'conf')}/suricata.yaml --af-packet --runmode autofp`);
    expect(readFileSync(join(dir, 'conf', 'suricata.yaml'), 'utf8')).toBe(renderSuricataYaml('ens6'));
  });

  test('refuses to start without a default route', () => {
    const route = join(work, 'route-none');
    writeFileSync(route, 'Iface\tDestination\tGateway\neth0\t0000A8C0\t00000000\n');
    const r = run('sh', [join(BOOTSTRAP_FILES_DIR, 'suricata-start.sh')], { env: { TRACEABLE_ROUTE_FILE: route } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`suricata-start: no default route in ${route}, cannot tell the capture interface\n`);
  });
});

describe('ECS hosts: the agent\'s token and command as files for the task (traceable-agent-files.service)', () => {
  /** A fake docker: `image inspect IMAGE` succeeds once pulled (or at once with `present`), `--format` prints the
   * image's entrypoint and command from entry.json and cmd.json, `login` keeps its standard input; every call is logged. */
  function fakeDocker(options: { present?: boolean; entry: unknown; cmd: unknown }) {
    const dir = mkdtempSync(join(work, 'agent-files-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'home', 'bin'), { recursive: true });
    writeFileSync(join(dir, 'home', 'bin', 'lib.sh'), readFileSync(LIB));
    writeFileSync(join(dir, 'entry.json'), JSON.stringify(options.entry));
    writeFileSync(join(dir, 'cmd.json'), JSON.stringify(options.cmd));
    if (options.present) writeFileSync(join(dir, 'pulled'), '');
    writeFileSync(
      join(dir, 'bin', 'docker'),
      [
        '#!/bin/bash',
        `echo "docker $*" >> "${dir}/calls"`,
        'if [ "$1 $2" = "image inspect" ]; then',
        `  [ -f "${dir}/pulled" ] || exit 1`,
        `  if [ "$3" = --format ]; then cat "${dir}/entry.json"; echo; cat "${dir}/cmd.json"; echo; fi`,
        '  exit 0',
        'fi',
        `if [ "$1" = pull ]; then touch "${dir}/pulled"; exit 0; fi`,
        `if [ "$1" = login ]; then cat > "${dir}/login-stdin"; exit 0; fi`,
        'exit 1',
      ].join('\n') + '\n',
    );
    writeFileSync(join(dir, 'bin', 'aws'), `#!/bin/bash\necho "aws $*" >> "${dir}/calls"\necho '${CANARY}'\n`);
    chmodSync(join(dir, 'bin', 'docker'), 0o755);
    chmodSync(join(dir, 'bin', 'aws'), 0o755);
    const agentCommand = (out: string, image = 'traceableai/traceable-agent:1.71.2') =>
      run('bash', [join(BOOTSTRAP_FILES_DIR, 'agent-command.sh'), out], {
        env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, TRACEABLE_HOME: join(dir, 'home'), TRACEABLE_LOG_DIR: dir, TRACEABLE_AGENT_IMAGE: image },
      });
    const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    return { dir, agentCommand, calls };
  }

  test('agent-command.sh pulls the missing image and writes its entrypoint and command; the wrapper, given no command, runs exactly that with the token', () => {
    // Prepare: an image whose command has an argument with spaces and an empty one; the "agent" reports what it got.
    const agentScript = 'printf "%s|" "$@"; printf "token=%s pid=%s" "$TA_REFRESH_TOKEN" "$$"';
    const { dir, agentCommand, calls } = fakeDocker({ entry: ['sh', '-c', agentScript], cmd: ['agent', 'a b', '', '--flag'] });
    const files = join(dir, 'agent');
    mkdirSync(files);
    writeFileSync(join(files, AGENT_TOKEN_FILE_NAME), CANARY);

    // Act: the host side, then the container side as the ECS task runs it (entryPoint without a command).
    const written = agentCommand(join(files, 'agent-command'));
    const agent = run('sh', [join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), join(files, AGENT_TOKEN_FILE_NAME), AGENT_TOKEN_VARIABLE]);

    // Assess
    expect(written.status).toBe(0);
    expect(written.stdout + written.stderr).not.toContain(CANARY);
    expect(calls()).toEqual([
      'docker image inspect traceableai/traceable-agent:1.71.2',
      'docker pull -q traceableai/traceable-agent:1.71.2',
      `docker image inspect --format {{json .Config.Entrypoint}}{{"\\n"}}{{json .Config.Cmd}} traceableai/traceable-agent:1.71.2`,
    ]);
    expect(readFileSync(join(files, 'agent-command'), 'utf8')).toBe(`sh\n-c\n${agentScript}\nagent\na b\n\n--flag\n`);
    expect((statSync(join(files, 'agent-command')).mode & 0o777).toString(8)).toBe('444');
    expect(agent.stderr).toBe('');
    expect(agent.status).toBe(0);
    // The arguments as the image has them; the token exported; the agent is the wrapper's own process (exec).
    expect(agent.stdout).toBe(`a b||--flag|token=${CANARY} pid=${agent.pid}`);
  });

  test('a private ECR image: logged in with the instance role (password through a pipe) before the pull', () => {
    const { dir, agentCommand, calls } = fakeDocker({ entry: ['/agent'], cmd: null });
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/traceable-agent:1.71.2';
    const r = agentCommand(join(dir, 'agent-command'), image);
    expect(r.status).toBe(0);
    expect(calls().sort()).toEqual(
      [
        `docker image inspect ${image}`,
        'aws ecr get-login-password --region eu-west-1',
        'docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        `docker pull -q ${image}`,
        `docker image inspect --format {{json .Config.Entrypoint}}{{"\\n"}}{{json .Config.Cmd}} ${image}`,
      ].sort(),
    );
    expect(readFileSync(join(dir, 'login-stdin'), 'utf8').trim()).toBe(CANARY);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(readFileSync(join(dir, 'agent-command'), 'utf8')).toBe('/agent\n');
  });

  test('agent-command.sh pulls nothing the host has, and writes nothing for an image it cannot pass on', () => {
    const present = fakeDocker({ present: true, entry: null, cmd: ['/agent', 'run'] });
    expect(present.agentCommand(join(present.dir, 'agent-command')).status).toBe(0);
    expect(present.calls().filter((call) => call.startsWith('docker pull'))).toEqual([]);
    expect(readFileSync(join(present.dir, 'agent-command'), 'utf8')).toBe('/agent\nrun\n');

    const newline = fakeDocker({ present: true, entry: ['/agent'], cmd: ['--banner', 'two\nlines'] });
    const refused = newline.agentCommand(join(newline.dir, 'agent-command'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('an argument of the image entrypoint or command holds a newline\n');
    expect(refused.stderr).toContain('cannot tell the entrypoint and command of traceableai/traceable-agent:1.71.2 (docker image inspect)');
    expect(readdirSync(newline.dir).filter((name) => name.startsWith('agent-command'))).toEqual([]);

    const empty = fakeDocker({ present: true, entry: null, cmd: null });
    expect(empty.agentCommand(join(empty.dir, 'agent-command')).stderr).toContain('the image has neither an entrypoint nor a command\n');
    expect(readdirSync(empty.dir).filter((name) => name.startsWith('agent-command'))).toEqual([]);
  });

  test('the wrapper given no command fails at once, naming the file, when the host has not written the command', () => {
    const dir = mkdtempSync(join(work, 'no-command-'));
    writeFileSync(join(dir, AGENT_TOKEN_FILE_NAME), CANARY);
    const r = run('sh', [join(BOOTSTRAP_FILES_DIR, 'agent-entrypoint.sh'), join(dir, AGENT_TOKEN_FILE_NAME), AGENT_TOKEN_VARIABLE]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`agent-entrypoint: no command in ${dir}/agent-command\n`);
    expect(r.stdout).toBe('');
  });

  test('the unit writes both files where the task mounts them from, before the ECS agent, and is retried by its timer', () => {
    const unit = fileNamed('traceable-agent-files.service');
    expect(unit).toContain('Before=ecs.service\n');
    expect(unit).toContain('EnvironmentFile=/etc/traceable/bootstrap.env\n');
    expect(unit.match(/^ExecStart=.*$/gm)).toEqual([
      `ExecStart=/usr/bin/install -d -m 0700 ${AGENT_FILES_DIR.slice(0, AGENT_FILES_DIR.lastIndexOf('/'))}`,
      `ExecStart=/usr/bin/install -d -m 0755 ${AGENT_FILES_DIR}`,
      `ExecStart=/opt/traceable/bin/token.sh ${AGENT_FILES_DIR}/${AGENT_TOKEN_FILE_NAME}`,
      `ExecStart=/opt/traceable/bin/agent-command.sh ${AGENT_FILES_DIR}/agent-command`,
    ]);
    expect(fileNamed('traceable-agent-files.timer')).toContain('OnUnitInactiveSec=15min\n');
    expect(AGENT_FILES_IN_CONTAINER).toBe('/run/secrets/traceable');
    // Only the ECS hosts get the unit and agent-command.sh; the EC2 hosts run the agent with agent-run.sh.
    const ecs = bootstrapFiles('ecs').map((file) => file.path);
    const ec2 = bootstrapFiles('ec2').map((file) => file.path);
    expect(ecs).toEqual(expect.arrayContaining(['/opt/traceable/bin/agent-command.sh', '/opt/traceable/systemd/ecs/traceable-agent-files.timer']));
    expect(ec2.filter((path) => path.includes('agent-command') || path.includes('/ecs/'))).toEqual([]);
  });

  test('systemd accepts the ECS hosts\' units and drop-in (systemd-analyze verify)', () => {
    // The units with stand-ins for the AMI's docker.service, ecs.service and the ECS agent's slice.
    const units = mkdtempSync(join(work, 'units-'));
    mkdirSync(join(units, 'ecs.service.d'));
    for (const file of bootstrapFiles('ecs').filter((f) => f.path.includes('/systemd/ecs/') || f.path.endsWith('/traceable-cut-fixer.service'))) {
      const name = file.path.split('/').pop()!;
      writeFileSync(name.endsWith('.conf') ? join(units, 'ecs.service.d', 'traceable.conf') : join(units, name), file.content);
    }
    for (const stub of ['docker.service', 'ecs.service']) writeFileSync(join(units, stub), '[Service]\nExecStart=/bin/true\n');
    writeFileSync(join(units, 'ecstasks.slice'), '[Slice]\n');
    const r = run(
      'systemd-analyze',
      ['verify', ...['traceable-ecs-host.service', 'traceable-agent-files.service', 'traceable-agent-files.timer', 'traceable-cut-fixer.service', 'ecs.service'].map((name) => join(units, name))],
      { env: { SYSTEMD_UNIT_PATH: `${units}:` } },
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
