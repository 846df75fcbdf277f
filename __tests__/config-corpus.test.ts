/**
 * The generated corpus of hostile configuration files (helpers/hostile-configs.ts): each either synthesizes or
 * fails with exit 1 and a message naming the file and the key, never a stack trace, and leaves the output folder as
 * it was.
 *
 * Most files go in-process through runApp, the function main.ts runs. The real app (`node --import tsx main.ts`, one
 * process per file, two at a time, each with a timeout) gets every file that needs the process boundary (FIFO,
 * device: a hang or a read of /dev/zero must not take the test down; encodings: what the process really reads) and
 * a representative few of the rest.
 */
import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from '../stacks/app';
import { hostileConfigs, type HostileFile } from './helpers/hostile-configs';
import { snapshot } from './helpers/synth';

const ROOT = join(__dirname, '..');
const APP_TIMEOUT_MS = 60_000;
const corpus = hostileConfigs();
const needsProcess = (file: HostileFile) => file.content === 'fifo' || file.content === 'device';

interface Prepared {
  /** What MIRRORING_CONFIG names. */
  readonly spec: string;
  /** The file the messages must name. */
  readonly path: string;
  readonly outdir: string;
}

const SEED = { '/stacks/old/cdk.tf.json': Buffer.from('{"kept": true}').toString('base64') };

/** Writes the file (or makes the special file) in a fresh folder, with an output folder holding an old stack. */
function prepare(file: HostileFile): Prepared {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  const path = join(dir, file.name);
  if (file.content === 'fifo') execFileSync('mkfifo', [path]);
  else if (file.content === 'device') symlinkSync('/dev/zero', path);
  else if (file.content === 'directory') mkdirSync(path);
  else writeFileSync(path, file.content);
  const outdir = join(dir, 'cdktf.out');
  mkdirSync(join(outdir, 'stacks', 'old'), { recursive: true });
  writeFileSync(join(outdir, 'stacks', 'old', 'cdk.tf.json'), '{"kept": true}');
  // A directory is named through its parent (MIRRORING_CONFIG=<folder> reads the folder's *.json entries).
  return { spec: file.content === 'directory' ? dir : path, path, outdir };
}

/** The assertions every run must pass, in-process or not. */
function expectOutcome(file: HostileFile, { path, outdir }: Prepared, exitCode: number | null, stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('Error');
  if (file.expected === 'synth') {
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(Object.keys(snapshot(outdir))).toEqual(expect.arrayContaining(['/stacks/old/cdk.tf.json', '/stacks/traffic-mirroring/cdk.tf.json']));
    return;
  }
  const [headline, firstProblem] = stderr.split('\n');
  expect({ exitCode, headline: headline.replace(/: \d+ problems?$/, ''), firstProblem: firstProblem?.slice(0, file.expected.length + 4) }).toEqual({
    exitCode: 1,
    headline: `Invalid configuration ${path}`,
    firstProblem: `  - ${file.expected}`,
  });
  expect(snapshot(outdir)).toEqual(SEED);
}

test('the corpus holds at least 60 hostile files with unique names', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(60);
  expect(new Set(corpus.map((file) => file.name)).size).toBe(corpus.length);
});

describe('in-process, through runApp', () => {
  test.each(corpus.filter((file) => !needsProcess(file)).map((file) => [file.name, file] as const))('%s', (_name, file) => {
    const prepared = prepare(file);
    const { exitCode, stderr } = runApp(prepared.spec, prepared.outdir);
    expectOutcome(file, prepared, exitCode, stderr);
  });
});

describe('the real app, node --import tsx main.ts', () => {
  const spawned = corpus.filter((file) => file.spawn || needsProcess(file));
  const runs = new Map<string, { prepared: Prepared; exitCode: number | null; stderr: string; stdout: string }>();

  beforeAll(async () => {
    const queue = [...spawned];
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const prepared = prepare(file);
        const result = await new Promise<{ exitCode: number | null; stderr: string; stdout: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', 'main.ts'],
            { cwd: ROOT, env: { ...process.env, MIRRORING_CONFIG: prepared.spec, CDKTF_OUTDIR: prepared.outdir }, timeout: APP_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr, stdout }),
          );
        });
        runs.set(file.name, { prepared, ...result });
      }
    };
    // Two at a time: the machine has two cores.
    await Promise.all([worker(), worker()]);
  }, spawned.length * APP_TIMEOUT_MS);

  test('spawns every special file and encoding case, and some of the rest', () => {
    expect(spawned.map((file) => file.name)).toEqual(expect.arrayContaining(['fifo.json', 'device.json', 'utf8-bom.json', 'utf16le-bom.json', 'utf16le-no-bom.json', 'invalid-utf8-value.json']));
  });

  test.each(spawned.map((file) => [file.name, file] as const))('%s', (name, file) => {
    const run = runs.get(name);
    if (run === undefined) throw new Error(`${name} did not run`);
    expect(run.stdout).not.toMatch(/^\s+at /m);
    expectOutcome(file, run.prepared, run.exitCode, run.stderr);
  });
});
