/**
 * The user data's fetch of the bootstrap bundle (bootstrap/files/fetch-bundle.sh), run for real against a fake
 * instance metadata service and a fake S3 on loopback (fake-aws.py), which checks the SigV4 signature itself.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOTSTRAP_FILES_DIR, BUNDLE_BUCKET_PLACEHOLDER, bootstrapBundle, bootstrapFiles, renderUnpackScript, renderUserData } from '../../bootstrap';
import { argvShim, recordsHolding } from '../helpers/argv-shim';

const bundle = bootstrapBundle('ec2');
const userData = renderUserData({
  region: 'eu-west-1',
  tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf',
  traceableEnvironment: 'production',
  traceableServiceName: 'shop-api',
  traceableApiEndpoint: 'api.traceable.ai',
  agentGroupName: 'traffic-mirroring-agents',
});

/** A script the user data writes under /opt/traceable/bin, as it writes it. */
function writtenByUserData(name: string): string {
  const m = new RegExp(`cat > /opt/traceable/bin/${name.replace('.', '\\.')} <<'(TRACEABLE_\\w+_END)'\\n([\\s\\S]*?\\n)\\1\\n`).exec(userData);
  if (!m) throw new Error(`the user data writes no ${name}`);
  return m[2];
}
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fetch-bundle-'));
  writeFileSync(join(work, 'bundle.gz'), bundle.gzip);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Fake {
  readonly imds: string;
  readonly s3: string;
  readonly log: string;
  readonly process: ChildProcessWithoutNullStreams;
}

/** Starts fake-aws.py serving the bundle, failing the first `failFirst` S3 requests with 503. */
async function startFake(failFirst: number): Promise<Fake> {
  const log = join(mkdtempSync(join(work, 'fake-')), 's3-requests.jsonl');
  const child = spawn('python3', [join(__dirname, 'fake-aws.py'), join(work, 'bundle.gz'), bundle.key, String(failFirst), log]);
  const ports = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (data: Buffer) => {
      text += data.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    child.once('exit', (code) => reject(new Error(`fake-aws.py exited (${code})`)));
  });
  const [imds, s3] = ports.split(' ');
  return { imds: `http://127.0.0.1:${imds}`, s3: `http://127.0.0.1:${s3}`, log, process: child };
}

/** Runs fetch-bundle.sh as the user data writes it (next to lib.sh), against the fake. */
function fetch(fake: Fake, sha256: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(work, 'host-'));
  for (const name of ['lib.sh', 'fetch-bundle.sh']) writeFileSync(join(dir, name), writtenByUserData(name));
  const out = join(dir, 'unpack.sh');
  const r = spawnSync('bash', [join(dir, 'fetch-bundle.sh'), 'eu-west-1', 'stack-bootstrap-123', bundle.key, sha256, out], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      TRACEABLE_LOG_DIR: dir,
      TRACEABLE_IMDS_ENDPOINT: fake.imds,
      TRACEABLE_S3_ENDPOINT: fake.s3,
      TRACEABLE_FETCH_DELAY: '0',
      TRACEABLE_FETCH_ATTEMPTS: '4',
      ...env,
    },
  });
  const requests = existsSync(fake.log)
    ? readFileSync(fake.log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { path: string; headers: Record<string, string> })
    : [];
  return { ...r, dir, out, requests };
}

test('shellcheck passes on fetch-bundle.sh with the lib.sh it sources', () => {
  const r = spawnSync('shellcheck', ['-x', '-P', BOOTSTRAP_FILES_DIR, '-s', 'bash', join(BOOTSTRAP_FILES_DIR, 'fetch-bundle.sh')], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test("the SigV4 signer gives the signature of AWS's documented S3 GET example", () => {
  // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object".
  const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const r = spawnSync(
    'bash',
    [
      '-c',
      `. "${join(BOOTSTRAP_FILES_DIR, 'lib.sh')}"; traceable_sigv4_authorization AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ` +
        `20130524T000000Z us-east-1 s3 GET /test.txt ${empty} host:examplebucket.s3.amazonaws.com range:bytes=0-9 ` +
        `x-amz-content-sha256:${empty} x-amz-date:20130524T000000Z`,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stdout).toBe(
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
});

test('the user data writes lib.sh (as installed) and fetch-bundle.sh without comment lines, then fetches the bundle it names', () => {
  expect(writtenByUserData('lib.sh')).toBe(bootstrapFiles('ec2').find((file) => file.path === '/opt/traceable/bin/lib.sh')!.content);
  const source = readFileSync(join(BOOTSTRAP_FILES_DIR, 'fetch-bundle.sh'), 'utf8');
  expect(writtenByUserData('fetch-bundle.sh')).toBe(source.split('\n').filter((line) => !/^\s*#(?!!)/.test(line)).join('\n'));
  expect(userData).toContain(
    `bash /opt/traceable/bin/fetch-bundle.sh eu-west-1 ${BUNDLE_BUCKET_PLACEHOLDER} ${bundle.key} ${bundle.sha256} /opt/traceable/unpack.sh\n` +
      'bash /opt/traceable/unpack.sh\nrm -f /opt/traceable/unpack.sh\nexec bash /opt/traceable/bin/bootstrap.sh\n',
  );
  expect(bundle.key).toBe(`bootstrap/${bundle.sha256}.sh.gz`);
});

describe('against fake instance metadata and S3', () => {
  const fakes: Fake[] = [];
  const fake = async (failFirst: number) => {
    const f = await startFake(failFirst);
    fakes.push(f);
    return f;
  };
  afterAll(() => {
    for (const f of fakes) f.process.kill('SIGTERM');
  });

  test('signs with the role credentials from IMDSv2, retries a 503, checks the sha256 and writes the unpack script', async () => {
    // Prepare: S3 answers 503 twice
    const f = await fake(2);

    // Act
    const r = fetch(f, bundle.sha256);

    // Assess
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/attempt 1\/4 failed \(exit 22\)/);
    expect(r.stderr).toMatch(/attempt 2\/4 failed \(exit 22\)/);
    expect(r.requests).toHaveLength(3);
    for (const { path, headers } of r.requests) {
      expect(path).toBe(`/${bundle.key}`);
      expect(headers['x-amz-security-token']).toBe('session-token-xyz');
      expect(headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIAFAKE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
      );
    }
    // The fake answered 200 only to a signature it computed itself.
    expect(readFileSync(r.out, 'utf8')).toBe(renderUnpackScript(bootstrapFiles('ec2')));
    expect(r.stdout + r.stderr).not.toContain('fake/secret+key');
    expect(r.stdout + r.stderr).not.toContain('session-token-xyz');
    expect(readdirSync(r.dir).sort()).toEqual(['bootstrap.log', 'fetch-bundle.sh', 'lib.sh', 'unpack.sh']);

    // and the unpack script it wrote installs the files
    const root = join(r.dir, 'root');
    expect(spawnSync('bash', [r.out, root]).status).toBe(0);
    for (const file of bootstrapFiles('ec2')) expect(readFileSync(join(root, file.path), 'utf8')).toBe(file.content);
  });

  test('no credential in any argv or environment: the secret key, its signing keys, the session and metadata tokens (argv-recording shim)', async () => {
    const f = await fake(0);
    const shim = argvShim(mkdtempSync(join(work, 'shim-')));
    const r = fetch(f, bundle.sha256, { PATH: shim.path });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(r.out, 'utf8')).toBe(renderUnpackScript(bootstrapFiles('ec2')));
    // fake-aws.py's credentials, and the SigV4 keys derived from the secret for the day signed (each signs alone).
    const secret = 'fake/secret+key';
    const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
    const derived = [...new Set(r.requests.map(({ headers }) => headers['x-amz-date'].slice(0, 8)))].flatMap((day) => {
      const kDate = hmac(`AWS4${secret}`, day);
      const kRegion = hmac(kDate, 'eu-west-1');
      const kService = hmac(kRegion, 's3');
      return [kDate, kRegion, kService, hmac(kService, 'aws4_request')].map((key) => key.toString('hex'));
    });
    const secrets = [secret, Buffer.from(`AWS4${secret}`).toString('hex'), 'session-token-xyz', 'imds-token-1', ...derived];
    expect(derived).toHaveLength(4);
    const records = shim.records();
    expect(recordsHolding(records, secrets)).toEqual([]);
    // The shim saw the programs that handle them (a shim that recorded nothing would pass the line above).
    const programs = records.map((record) => record.program);
    expect(programs.filter((program) => program === 'curl')).toHaveLength(4);
    expect(programs.filter((program) => program === 'openssl').length).toBeGreaterThanOrEqual(11);
    expect(programs).toEqual(expect.arrayContaining(['bash', 'od', 'awk', 'sha256sum', 'gzip']));
  });

  test('a bundle whose sha256 differs from the user data fails with a clear message and nothing is unpacked', async () => {
    const f = await fake(0);
    const expected = 'a'.repeat(64);
    const r = fetch(f, expected);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `[ERROR] bootstrap bundle: s3://stack-bootstrap-123/${bundle.key} has sha256 ${bundle.sha256}, the user data expects ${expected}: not unpacked`,
    );
    expect(r.requests).toHaveLength(1); // a wrong digest is not retried: the key names the content
    expect(readdirSync(r.dir).sort()).toEqual(['bootstrap.log', 'fetch-bundle.sh', 'lib.sh']);
  });

  test('gives up loudly after the bounded attempts while S3 keeps failing', async () => {
    const f = await fake(1000);
    const r = fetch(f, bundle.sha256, { TRACEABLE_FETCH_ATTEMPTS: '3' });
    expect(r.status).toBe(1);
    expect(r.requests).toHaveLength(3);
    expect(r.stderr).toMatch(/gave up after 3 attempts \(exit 22\): download/);
    expect(r.stderr).toContain(`[ERROR] bootstrap bundle: could not download s3://stack-bootstrap-123/${bundle.key} (see the attempts above)`);
    expect(readFileSync(join(r.dir, 'bootstrap.log'), 'utf8')).toContain('could not download');
    expect(existsSync(r.out)).toBe(false);
  });

  test('refuses a key or digest it would have to escape', async () => {
    const f = await fake(0);
    const r = fetch(f, 'not-a-digest');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`bootstrap bundle: invalid key '${bundle.key}' or sha256 'not-a-digest'`);
    expect(r.requests).toHaveLength(0);
  });
});
