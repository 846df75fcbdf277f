/**
 * `npm run build` (and `prepack`): the package a consumer installs. Compiles index.ts and what it imports to dist/
 * (JavaScript and .d.ts), then writes the session Lambda's code prebuilt into dist/assets/: consumers synthesize with
 * neither the Lambda's sources nor esbuild. The zip is deterministic: the same sources give the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSessionLambdaZip, PREBUILT_BUNDLE } from '../modules/lambda-bundle';
import { packageRoot } from '../shared/package-root';

const root = packageRoot();
// Everything goes to stderr: `npm pack --json` prints its JSON on stdout, where the scripts it runs print too.
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });

const zip = buildSessionLambdaZip(root);
const zipPath = join(root, PREBUILT_BUNDLE);
mkdirSync(dirname(zipPath), { recursive: true });
writeFileSync(zipPath, zip);
process.stderr.write(`dist/ compiled; ${PREBUILT_BUNDLE}: ${zip.length} bytes, sha256 ${createHash('sha256').update(zip).digest('hex')}\n`);
