/**
 * Where this package's own files are, wherever its code runs from: the repository's TypeScript sources (tsx, jest:
 * shared/package-root.ts) or the compiled package in a consumer's node_modules (dist/shared/package-root.js). The two
 * sit at different depths below the package root, so files read at synth (bootstrap/files/**, the session Lambda's
 * bundle) are found from the root, never from `__dirname`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The folder of the nearest package.json above this file: the repository, or the installed package's folder. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}: the package's files cannot be found`);
  }
}

/** A path inside the package, e.g. `packagePath('bootstrap', 'files')`. */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
