/**
 * `npm run bench:synth`: median wall time of a full synth of the example configuration, measured the way users run
 * it. Prints figures; asserts nothing (goal on a 2-core machine: <= 3 s).
 *   app: the command cdktf.json runs (`node --import tsx main.ts`), into a fresh output folder each time
 *   cli: `npx cdktf synth` as a whole (CLI start-up plus the app)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);

function timeOnce(command: string, args: string[], outdir: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function bench(label: string, command: string, args: string[]): void {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    times.push(timeOnce(command, args, outdir));
    rmSync(outdir, { recursive: true, force: true });
  }
  const shown = times.map((t) => t.toFixed(2)).join(' ');
  process.stdout.write(`${label.padEnd(4)} median ${median(times).toFixed(2)} s over ${runs} runs (${shown})\n`);
}

process.stdout.write(`synth of examples/config.json on ${cpus().length} cores\n`);
bench('app', process.execPath, ['--import', 'tsx', 'main.ts']);
bench('cli', 'npx', ['cdktf', 'synth', '--output', mkdtempSync(join(tmpdir(), 'bench-cli-'))]);
