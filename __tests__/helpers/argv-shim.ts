/**
 * An argv-recording shim: a directory with one wrapper per program on a PATH, each writing the argv and the
 * environment it was started with (what any process on the host can read in /proc/PID/cmdline and, as root or the
 * same user, /proc/PID/environ) to a log directory, then exec'ing the real program. A script run with the shim first
 * in its PATH leaves a record of every program it starts by name.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessRecord {
  readonly program: string;
  readonly argv: string[];
  readonly environment: string[];
}

export interface ArgvShim {
  /** The PATH to run the script with: the wrappers only (each execs the program it stands for by its full path). */
  readonly path: string;
  /** Every program started through the shim so far. */
  records(): ProcessRecord[];
}

function executablesOn(path: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of path.split(':').filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (found.has(name) || !/^[\w.+-]+$/.test(name)) continue;
      try {
        const stat = statSync(join(dir, name));
        if (stat.isFile() && stat.mode & 0o111) found.set(name, join(dir, name));
      } catch {
        // a dangling link: nothing to run
      }
    }
  }
  return found;
}

/** Writes the wrappers for every program on `path` into `dir`/bin; records go to `dir`/log. */
export function argvShim(dir: string, path: string = process.env.PATH ?? ''): ArgvShim {
  const bin = join(dir, 'bin');
  const log = join(dir, 'log');
  mkdirSync(bin, { recursive: true });
  mkdirSync(log, { recursive: true });
  for (const [name, real] of executablesOn(path)) {
    if (/'/.test(real)) continue;
    // Builtins only before the exec (mapfile, printf): the wrapper itself starts nothing it would have to record.
    const wrapper = [
      '#!/bin/bash',
      // Named by start time (microseconds) first: the records sort in the order the programs started.
      `record='${log}'/\${EPOCHREALTIME/./}-$$`,
      "mapfile -d '' environment </proc/$$/environ",
      `printf '%s\\0' '${name}' "$@" >"$record.argv"`,
      `printf '%s\\0' "\${environment[@]}" >"$record.env"`,
      `exec '${real}' "$@"`,
      '',
    ].join('\n');
    writeFileSync(join(bin, name), wrapper, { mode: 0o755 });
  }
  const nulSeparated = (file: string) => readFileSync(file, 'utf8').split('\0').slice(0, -1);
  return {
    path: bin,
    records: () =>
      readdirSync(log)
        .filter((name) => name.endsWith('.argv'))
        .sort()
        .map((name) => {
          const argv = nulSeparated(join(log, name));
          return { program: argv[0], argv, environment: nulSeparated(join(log, name.replace(/\.argv$/, '.env'))).filter(Boolean) };
        }),
  };
}

/** The records holding any of `secrets` in their argv or their environment, as "program: where" lines. */
export function recordsHolding(records: ProcessRecord[], secrets: readonly string[]): string[] {
  return records.flatMap(({ program, argv, environment }) => [
    ...(secrets.some((secret) => argv.some((arg) => arg.includes(secret))) ? [`${program}: argv ${JSON.stringify(argv)}`] : []),
    ...environment.filter((entry) => secrets.some((secret) => entry.includes(secret))).map((entry) => `${program}: environment ${entry.split('=')[0]}`),
  ]);
}
