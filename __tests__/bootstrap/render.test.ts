/**
 * The fleet's user data and scripts, without AWS: rendering, size, no secret, Terraform-safe, shellcheck, and the
 * scripts' logic (OS detection, token handling, health endpoint) run for real against fakes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  BOOTSTRAP_FILES_DIR,
  BootstrapProps,
  BUNDLE_BUCKET_PLACEHOLDER,
  SHELL_SCRIPTS,
  bootstrapBundle,
  agentEnvironment,
  bootstrapEnvironment,
  LUA_SCRIPTS,
  bootstrapFiles,
  encodeUserData,
  luaWithoutComments,
  renderSuricataYaml,
  renderUnpackScript,
  renderUserData,
} from '../../bootstrap';
import { parseArgs, renderBootstrapTo } from '../../scripts/render-bootstrap';
import {
  DEFAULT_FEED_MODE,
  DEFAULT_HTTP_BODY_LIMIT,
  DEFAULT_SURICATA_IMAGE,
  FEED_FILE_PATH,
  FEED_SOCKET_PATH,
  FEED_STATS_PATH,
  MAX_HTTP_BODY_LIMIT,
  SURICATA_LUA_DIR,
  SURICATA_STATS_FILE,
  HEALTH_CHECK_PATH,
  MEMORY_METRIC_DIMENSION,
  MEMORY_METRIC_NAME,
  METRICS_NAMESPACE,
  USER_DATA_LIMIT_BYTES,
} from '../../bootstrap/constants';

const LIB = join(BOOTSTRAP_FILES_DIR, 'lib.sh');
const TF_REF = '${aws_secretsmanager_secret.token.arn}';
const CANARY = 'CANARY-refresh-token-7f3c9e1d';

const props: BootstrapProps = {
  region: 'eu-west-1',
  tokenSecretArn: TF_REF,
  traceableEnvironment: 'production',
  traceableServiceName: 'shop-api',
  traceableApiEndpoint: 'api.traceable.ai',
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

  test.each([...SHELL_SCRIPTS])('bootstrap/files/%s passes shellcheck', (script) => {
    const r = run('shellcheck', ['-x', '-P', BOOTSTRAP_FILES_DIR, '-s', 'bash', join(BOOTSTRAP_FILES_DIR, script)]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('every shell script under bootstrap/files is in the shellcheck list', () => {
    const scripts = readdirSync(BOOTSTRAP_FILES_DIR).filter((f) => f.endsWith('.sh'));
    expect(scripts.sort()).toEqual([...SHELL_SCRIPTS].sort());
  });

  test('the rendered user data and its unpack script pass shellcheck', () => {
    const ud = join(work, 'user-data.sh');
    writeFileSync(ud, renderUserData(props));
    const unpack = join(work, 'unpack.sh');
    writeFileSync(unpack, renderUnpackScript());
    for (const f of [ud, unpack]) {
      const r = run('shellcheck', ['-s', 'bash', f]);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  test('the e2e orchestration script passes shellcheck', () => {
    const r = run('shellcheck', ['-s', 'bash', join(__dirname, 'netns-e2e.sh')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
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
      tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable/refresh-token/with/a/long/path-AbCdEf',
      traceableEnvironment: 'e'.repeat(128),
      traceableServiceName: 's'.repeat(128),
      traceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/traceableai/traceable-agent:1.71.2',
    }).replace(BUNDLE_BUCKET_PLACEHOLDER, 'b'.repeat(63));
    // Measured: 5,259 bytes; what grows with the files is the bundle, not the user data.
    expect(ec2Bytes(long)).toBeLessThan(USER_DATA_LIMIT_BYTES / 2);
    // S3 has no such limit; this bound keeps the object small in Terraform's state (measured: 21,978 bytes
    // with the HTTP/2 scripts).
    expect(bootstrapBundle().gzip.length).toBeLessThan(48 * 1024);
    expect(gunzipSync(bootstrapBundle().gzip).toString('utf8')).toBe(renderUnpackScript());
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
    const bundle = bootstrapBundle();
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
      TA_SURICATA_EVE_FILE: '/var/log/suricata/eve.json',
    });
  });

  test('refuses values that would break quoting or be interpolated by Terraform', () => {
    expect(() => renderUserData({ ...props, traceableEnvironment: "prod'; rm -rf /" })).toThrow(/traceableEnvironment/);
    expect(() => renderUserData({ ...props, traceableServiceName: 'a${b}' })).toThrow(/traceableServiceName/);
    expect(() => renderUserData({ ...props, traceableApiEndpoint: 'api.traceable.ai/x y' })).toThrow(/traceableApiEndpoint/);
    expect(() => renderUserData({ ...props, suricataImage: 'img:$(id)' })).toThrow(/suricataImage/);
    expect(() => renderUserData({ ...props, tokenSecretArn: "arn'x" })).toThrow(/tokenSecretArn/);
  });

  test('the same user data serves every OS family and architecture (detected at boot)', () => {
    // Nothing OS- or architecture-specific is rendered: AL2023/Ubuntu and x86_64/arm64 are told apart on the
    // instance by traceable_detect_os / traceable_detect_arch (tested below on fake os-release files).
    const a = renderUserData(props);
    expect(renderUserData(props)).toBe(a);
    expect(a).toContain(bootstrapBundle().sha256);
    expect(renderUnpackScript()).toContain('install_al2023');
    expect(renderUnpackScript()).toContain('install_ubuntu');
  });

  test('unpacks to exactly the files under bootstrap/files, with their modes', () => {
    const root = join(work, 'root');
    const r = run('bash', ['-c', `bash -s -- "${root}"`], { input: gunzipSync(bootstrapBundle().gzip).toString('utf8') });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const f of bootstrapFiles()) {
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
    expect(traceableUnit).toContain('--env-file /run/traceable/agent.env');
    expect(traceableUnit).not.toMatch(/-e\s+TA_REFRESH_TOKEN/);
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
    const scripts = [...outputs.matchAll(/^        - (\S+\.lua)$/gm)].map((m) => m[1]);
    expect(scripts).toEqual(LUA_SCRIPTS.filter((name) => name !== 'traceable_feed.lua'));
    for (const name of LUA_SCRIPTS) expect(bootstrapFiles().map((f) => f.path)).toContain(`${SURICATA_LUA_DIR}/${name}`);
    expect(renderSuricataYaml('ens7', { luaDir: '/tmp/lua' })).toContain('scripts-dir: /tmp/lua\n');
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
    TRACEABLE_ENVIRONMENT: 'production',
    TRACEABLE_SERVICE_NAME: 'shop-api',
    TRACEABLE_API_ENDPOINT: 'api.traceable.ai',
    TRACEABLE_EVE_FILE: '/var/log/suricata/eve.json',
    TRACEABLE_RETRY_DELAY: '0',
    TRACEABLE_TOKEN_ATTEMPTS: '2',
  });
  beforeAll(() => {
    // token.sh sources $TRACEABLE_HOME/bin/lib.sh, as installed.
    const home = join(work, 'home', 'bin');
    spawnSync('mkdir', ['-p', home]);
    writeFileSync(join(home, 'lib.sh'), readFileSync(LIB));
  });

  test('reads refresh_token with the aws CLI and writes a 0600 env file; the token never reaches output', () => {
    const bin = fakeBin();
    const argsLog = join(bin, 'args');
    writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho "$@" > "${argsLog}"\necho '{"refresh_token":"${CANARY}","other":"x"}'\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    const out = join(work, 'agent.env');
    const r = run('bash', [join(BOOTSTRAP_FILES_DIR, 'token.sh'), out], { env: { ...env(bin), TRACEABLE_LOG_DIR: work } });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(readFileSync(join(work, 'bootstrap.log'), 'utf8')).not.toContain(CANARY);
    expect((statSync(out).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(out, 'utf8')).toBe(
      `TA_REFRESH_TOKEN=${CANARY}\nTA_ENVIRONMENT=production\nTA_SERVICE_NAME=shop-api\nTA_REMOTE_ENDPOINT=api.traceable.ai\nTA_SURICATA_EVE_FILE=/var/log/suricata/eve.json\n`,
    );
    expect(readFileSync(argsLog, 'utf8')).toContain('secretsmanager get-secret-value --region eu-west-1 --secret-id arn:aws:secretsmanager');
  });

  test('fails loudly (non-zero, clear log line) when the secret has no refresh_token, without echoing it', () => {
    const bin = fakeBin();
    writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho '{"token":"${CANARY}"}'\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    const out = join(work, 'agent-bad.env');
    const r = run('bash', [join(BOOTSTRAP_FILES_DIR, 'token.sh'), out], { env: { ...env(bin), TRACEABLE_LOG_DIR: work } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/could not read the refresh token/);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(() => statSync(out)).toThrow();
  });
});

describe('health endpoint', () => {
  test(`answers 200 on ${HEALTH_CHECK_PATH} only while suricata and traceable are active`, async () => {
    const bin = mkdtempSync(join(work, 'sysd-'));
    const state = join(bin, 'inactive');
    // Fake systemctl: `is-active --quiet UNIT` fails for units listed in $state.
    writeFileSync(join(bin, 'systemctl'), `#!/bin/bash\ngrep -qx "$3" "${state}" && exit 3\nexit 0\n`);
    chmodSync(join(bin, 'systemctl'), 0o755);
    writeFileSync(state, '');
    const port = 20000 + (process.pid % 20000);
    const { spawn } = await import('node:child_process');
    const server = spawn('python3', [join(BOOTSTRAP_FILES_DIR, 'health.py')], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TRACEABLE_HEALTH_PORT: String(port), TRACEABLE_HEALTH_BIND: '127.0.0.1' },
      stdio: 'ignore',
    });
    try {
      const get = async (path: string) => {
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
      expect(await get(HEALTH_CHECK_PATH)).toEqual({ status: 200, body: 'ok\n' });
      writeFileSync(state, 'traceable\n');
      expect(await get(HEALTH_CHECK_PATH)).toEqual({ status: 503, body: 'unhealthy: not active: traceable\n' });
      writeFileSync(state, 'suricata\n');
      expect((await get(HEALTH_CHECK_PATH)).status).toBe(503);
      writeFileSync(state, '');
      expect((await get(HEALTH_CHECK_PATH)).status).toBe(200);
      expect((await get('/other')).status).toBe(404);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
