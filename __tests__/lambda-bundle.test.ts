import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  buildSessionLambdaBundle, buildSessionLambdaZip, bundleWithSources, cachedSessionLambdaBundle, codeCacheDirOf, PREBUILT_BUNDLE, runsFromSources,
  sessionLambdaCode, synthOutputDir,
} from '../modules/lambda-bundle';
import { deflateDeterministic, deterministicZip, readZipEntry, zipEntryContent } from '../modules/zip';
import { packageRoot } from '../shared/package-root';

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'session-lambda-'));

/** What Python's zipfile (an independent reader) sees in a zip: entries with their date, mode and content. */
function readWithPython(zipPath: string): Array<{ name: string; date: number[]; mode: string; crc: number; data: string }> {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'print(json.dumps([{"name": i.filename, "date": list(i.date_time), "mode": oct(i.external_attr >> 16), "crc": i.CRC,',
    '  "data": z.read(i).decode()} for i in z.infolist()]))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script, zipPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`python3 could not read ${zipPath}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('deterministicZip', () => {
  it('writes a valid zip with sorted entries, 1980-01-01 timestamps and -rw-r--r--, whatever order the files come in', () => {
    // Prepare
    const zipPath = path.join(freshDir(), 'two.zip');
    const files = { 'z-last.json': Buffer.from('["web"]\n'), 'index.js': Buffer.from('exports.handler = 1;\n') };

    // Act
    writeFileSync(zipPath, deterministicZip(files));

    // Assess
    expect(readWithPython(zipPath)).toEqual([
      { name: 'index.js', date: [1980, 1, 1, 0, 0, 0], mode: '0o100644', crc: 0x5d8f2417, data: 'exports.handler = 1;\n' },
      { name: 'z-last.json', date: [1980, 1, 1, 0, 0, 0], mode: '0o100644', crc: 0x379fba09, data: '["web"]\n' },
    ]);
    expect(deterministicZip({ 'index.js': files['index.js'], 'z-last.json': files['z-last.json'] }).equals(readFileSync(zipPath))).toBe(true);
  });

  it('gives each entry back by name, and names a missing one', () => {
    const zip = deterministicZip({ 'index.js': Buffer.from('code'), 'mirror-sources.json': Buffer.from('[]') });
    expect(zipEntryContent(zip, 'mirror-sources.json').toString()).toBe('[]');
    expect(zipEntryContent(zip, 'index.js').toString()).toBe('code');
    expect(() => zipEntryContent(zip, 'other.js')).toThrow('no other.js in the bundle');
  });
});

describe('deflateDeterministic', () => {
  /** Inputs that reach each part of the coder: no match, short and long matches, the longest length and distance. */
  const inputs: Record<string, Buffer> = {
    empty: Buffer.alloc(0),
    'one byte': Buffer.from('x'),
    'every byte value': Buffer.from(Array.from({ length: 256 }, (_, index) => index)),
    'a run of 100,000 equal bytes (matches of 258)': Buffer.alloc(100_000, 0x61),
    'text repeating at a 32 KiB distance': (() => {
      const block = Buffer.from(Array.from({ length: 32_768 }, (_, index) => (index * 7919) % 251));
      return Buffer.concat([block, block, Buffer.from('tail')]);
    })(),
    'pseudo-random bytes (no matches)': Buffer.from(Array.from({ length: 70_000 }, (_, index) => (Math.imul(index + 1, 2654435761) >>> 13) & 0xff)),
  };

  it.each(Object.keys(inputs))('%s: zlib inflates it back to the same bytes', (name) => {
    expect(inflateRawSync(deflateDeterministic(inputs[name])).equals(inputs[name])).toBe(true);
  });

  it('compresses the Lambda code to under a third, and Python reads the zip', () => {
    // Prepare
    const code = zipEntryContent(buildSessionLambdaZip(), 'index.js');
    const zipPath = path.join(freshDir(), 'code.zip');

    // Act
    const entry = readZipEntry(buildSessionLambdaZip(), 'index.js');
    writeFileSync(zipPath, buildSessionLambdaZip());

    // Assess
    expect(entry.method).toBe(8);
    expect(entry.compressed.length).toBeLessThan(code.length / 3);
    expect(readWithPython(zipPath)[0].data).toBe(code.toString('utf8'));
  });

  it('finds a damaged entry by its CRC-32', () => {
    const zip = deterministicZip({ 'index.js': Buffer.from('exports.handler = 1;\n'.repeat(20)) });
    const damaged = Buffer.from(zip);
    damaged[damaged.indexOf('index.js') + 'index.js'.length + 3] ^= 0x01;
    expect(zipEntryContent(zip, 'index.js').toString()).toBe('exports.handler = 1;\n'.repeat(20));
    expect(() => zipEntryContent(damaged, 'index.js')).toThrow(/index\.js in the bundle is damaged|invalid|incorrect/);
  });
});

describe('the session Lambda bundle', () => {
  it('is the same bytes over two builds', () => {
    const first = buildSessionLambdaBundle(freshDir());
    const second = buildSessionLambdaBundle(freshDir());
    expect(readFileSync(second.zipPath).equals(readFileSync(first.zipPath))).toBe(true);
    expect(second.sourceCodeHash).toBe(first.sourceCodeHash);
    expect(path.basename(first.zipPath)).toMatch(/^session-lambda-[0-9a-f]{16}\.zip$/);
    expect(readWithPython(first.zipPath).map((entry) => entry.name)).toEqual(['index.js']);
  });

  it('reuses the zip of an earlier synth with the same inputs, and rebuilds one that was altered', () => {
    // Prepare
    const dir = freshDir();
    const built = cachedSessionLambdaBundle(dir);
    const builtAt = statSync(built.zipPath).mtimeMs;

    // Act
    const reused = cachedSessionLambdaBundle(dir);
    const reusedAt = statSync(reused.zipPath).mtimeMs;
    writeFileSync(built.zipPath, 'tampered');
    const rebuilt = cachedSessionLambdaBundle(dir);

    // Assess
    expect(reused).toEqual(built);
    expect(reusedAt).toBe(builtAt);
    expect(rebuilt.sourceCodeHash).toBe(built.sourceCodeHash);
    expect(readFileSync(rebuilt.zipPath).equals(readFileSync(buildSessionLambdaBundle(freshDir()).zipPath))).toBe(true);
  });

  it('is re-zipped per stack with its sources, keeping the code byte for byte', () => {
    // Prepare
    const base = readFileSync(buildSessionLambdaBundle(freshDir()).zipPath);

    // Act
    const withSources = bundleWithSources(base, ['web-alb', 'api-alb'], freshDir());

    // Assess
    const zip = readFileSync(withSources.zipPath);
    expect(zipEntryContent(zip, 'index.js').equals(zipEntryContent(base, 'index.js'))).toBe(true);
    expect(zipEntryContent(zip, 'mirror-sources.json').toString('utf8')).toBe('["web-alb","api-alb"]\n');
    expect(bundleWithSources(base, ['web-alb', 'api-alb'], freshDir()).sourceCodeHash).toBe(withSources.sourceCodeHash);
  });
});

describe('the code cache beside the per-stack zips', () => {
  it("a rebuild of the code (another synth, another worker) leaves the per-stack zips a synth is about to copy", () => {
    // Prepare: a stack's zip where synths write them, and a code cache whose record is gone (so the next call rebuilds).
    const stackZip = bundleWithSources(sessionLambdaCode(), [`rebuild-race-${process.pid}`]);
    const cacheDir = codeCacheDirOf(packageRoot());
    for (const name of readdirSync(cacheDir).filter((entry) => entry.startsWith('inputs-'))) rmSync(path.join(cacheDir, name), { force: true });
    // Act
    const rebuilt = cachedSessionLambdaBundle();
    // Assess: the rebuild cleaned its own folder only.
    expect(existsSync(stackZip.zipPath)).toBe(true);
    expect(path.dirname(rebuilt.zipPath)).not.toBe(path.dirname(stackZip.zipPath));
  });
});

describe('where the code comes from', () => {
  it('in the repository: bundled from lambda/, per-stack zips under build/', () => {
    const root = path.resolve(__dirname, '..');
    expect(packageRoot()).toBe(root);
    expect(runsFromSources()).toBe(true);
    expect(synthOutputDir()).toBe(path.join(root, 'build', 'session-lambda'));
    expect(sessionLambdaCode().equals(buildSessionLambdaZip())).toBe(true);
  });

  it('in a packed package (no lambda/ sources): the prebuilt zip, per-stack zips under the temporary directory', () => {
    // Prepare: the layout `npm pack` ships, with a zip that cannot be mistaken for a build.
    const root = freshDir();
    writeFileSync(path.join(root, 'package.json'), '{"name":"traceable-traffic-mirroring-cdktf"}');
    mkdirSync(path.dirname(path.join(root, PREBUILT_BUNDLE)), { recursive: true });
    const prebuilt = deterministicZip({ 'index.js': Buffer.from('exports.handler = async () => "prebuilt";\n') });
    writeFileSync(path.join(root, PREBUILT_BUNDLE), prebuilt);

    // Act
    const code = sessionLambdaCode(root);

    // Assess
    expect(runsFromSources(root)).toBe(false);
    expect(code.equals(prebuilt)).toBe(true);
    expect(synthOutputDir(root)).toBe(path.join(tmpdir(), `traceable-traffic-mirroring-${process.getuid!()}`, 'session-lambda'));
  });

  it('names the missing prebuilt zip of a package packed without its build', () => {
    const root = freshDir();
    expect(() => sessionLambdaCode(root)).toThrow(`the session Lambda's code ${path.join(root, 'dist', 'assets', 'session-lambda.zip')} is missing: the package was packed without \`npm run build\``);
  });
});
