import { readFileSync, readdirSync } from 'node:fs';

/** The argv of every process on the machine right now, NUL-separated arguments joined with spaces. */
export function everyArgv(): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/cmdline`).toString('utf8').replace(/\0/g, ' ')];
      } catch {
        return []; // gone meanwhile
      }
    });
}
