/**
 * `npm run build` (and `prepack`): the package a consumer installs. Compiles index.ts and what it imports to dist/
 * (JavaScript and .d.ts), writes the session Lambda's code prebuilt into dist/assets/ (consumers synthesize with
 * neither the Lambda's sources nor esbuild; the zip is deterministic: the same sources give the same bytes), and bundles
 * the commands into dist/bin/ (the package's `bin`): each with the AWS SDK clients it uses, which are development
 * dependencies, and with the peers (cdktf, constructs, the provider) and zod left to the consumer's node_modules.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { buildSessionLambdaZip, PREBUILT_BUNDLE } from '../modules/lambda-bundle';
import { packageRoot } from '../shared/package-root';

const root = packageRoot();
// Everything goes to stderr: `npm pack --json` prints its JSON on stdout, where the scripts it runs print too.
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });

writeCdkTerrainFlavour(join(root, 'dist'));

const zip = buildSessionLambdaZip(root);
const zipPath = join(root, PREBUILT_BUNDLE);
mkdirSync(dirname(zipPath), { recursive: true });
writeFileSync(zipPath, zip);
process.stderr.write(`dist/ compiled; ${PREBUILT_BUNDLE}: ${zip.length} bytes, sha256 ${createHash('sha256').update(zip).digest('hex')}\n`);

/**
 * The same compiled construct for CDK Terrain (`traceable-traffic-mirroring-cdktf/cdktn`): dist/cdktn/ is dist/ with
 * the library and provider package names replaced (`cdktf` -> `cdktn`, `@cdktf/provider-aws` -> `@cdktn/provider-aws`),
 * so that a CDK Terrain app's own packages are the ones the construct extends (two copies of the library in one app
 * break its construct tree). The API the construct uses is the same in both (docs/cdk-terrain.md).
 */
function writeCdkTerrainFlavour(dist: string): void {
  const flavour = join(dist, 'cdktn');
  const files = readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(js|d\.ts)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
  for (const file of files) {
    const target = join(flavour, relative(dist, file));
    const code = readFileSync(file, 'utf8').replace(/(["'])cdktf\1/g, '$1cdktn$1').replace(/(["'])@cdktf\/provider-aws\//g, '$1@cdktn/provider-aws/');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
}

/** The package's commands (package.json `bin`): dist/bin/<name>.js from scripts/<name>.ts. */
const COMMANDS = ['doctor', 'doctor-source', 'permissions', 'render-bootstrap', 'token-put'] as const;

async function bundleCommands(): Promise<void> {
  for (const name of COMMANDS) {
    const outfile = join(root, 'dist', 'bin', `${name}.js`);
    await build({
      entryPoints: [join(root, 'scripts', `${name}.ts`)],
      outfile,
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      banner: { js: '#!/usr/bin/env node' },
      external: ['cdktf', 'constructs', '@cdktf/provider-aws', 'zod', 'esbuild'],
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    chmodSync(outfile, 0o755);
    process.stderr.write(`dist/bin/${name}.js: ${statSync(outfile).size} bytes\n`);
  }
}

bundleCommands().catch((error: unknown) => {
  process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
