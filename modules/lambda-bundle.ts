/**
 * The session Lambda's code as a deterministic zip (./zip.ts: fixed timestamps, sorted entries, our own deflate), re-zipped per stack with its
 * sources. Two origins: in the repository, lambda/handler.ts is bundled with esbuild and the zip cached under build/
 * between synths; the packed package ships that zip prebuilt ({@link PREBUILT_BUNDLE}, written by `npm run build`),
 * so a consumer needs neither the Lambda's sources nor esbuild.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import { SOURCES_FILE_NAME } from '../lambda/environment';
import { packageRoot } from '../shared/package-root';
import { deterministicZip, readZipEntry, zipEntryContent } from './zip';

/** The prebuilt zip (code only, no sources) inside the package, relative to its root. */
export const PREBUILT_BUNDLE = path.join('dist', 'assets', 'session-lambda.zip');

/** The Lambda's entry point, relative to the package root: present in the repository, not in the packed package. */
const HANDLER_SOURCE = path.join('lambda', 'handler.ts');

const buildDirOf = (root: string) => path.join(root, 'build', 'session-lambda');
/** The code's own cache, apart from the per-stack zips: its clean-up must never remove a zip another synth is about to copy. */
export const codeCacheDirOf = (root: string) => path.join(buildDirOf(root), 'code');
/** Per-stack zips older than this are left from earlier code versions (a synth copies its zips within seconds). */
const STACK_ZIP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** esbuild is a development dependency: loaded only when bundling from the sources. */
function esbuild(): typeof import('esbuild') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('esbuild');
}

export interface SessionLambdaBundle {
  /** Path of the zip (under build/, git-ignored). */
  zipPath: string;
  /** base64 SHA-256 of the zip: Lambda's `source_code_hash`. */
  sourceCodeHash: string;
  bytes: number;
}

/**
 * Bundles lambda/handler.ts with esbuild (SDK clients included, so the runtime's SDK version does not matter) and
 * zips it deterministically. Identifiers are kept: the retry layer names API actions after the SDK command classes.
 */
export function buildSessionLambdaBundle(outputDir = codeCacheDirOf(packageRoot()), root = packageRoot()): SessionLambdaBundle {
  return writeBundle(buildSessionLambdaZip(root), outputDir);
}

/** The zip {@link buildSessionLambdaBundle} writes, in memory (`npm run build` ships it as {@link PREBUILT_BUNDLE}). */
export function buildSessionLambdaZip(root = packageRoot()): Buffer {
  const result = esbuild().buildSync({
    entryPoints: [path.join(root, HANDLER_SOURCE)],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    sourcemap: false,
    write: false,
    logLevel: 'silent',
  });
  return deterministicZip({ 'index.js': result.outputFiles[0].contents });
}

/** Writes a zip into a folder, named by its hash (write then rename: parallel synths never see half a zip). */
function writeBundle(zip: Buffer, outputDir: string): SessionLambdaBundle {
  const sourceCodeHash = createHash('sha256').update(zip).digest('base64');
  const hex = createHash('sha256').update(zip).digest('hex').slice(0, 16);
  mkdirSync(outputDir, { recursive: true });
  const zipPath = path.join(outputDir, `session-lambda-${hex}.zip`);
  if (!existsSync(zipPath) || !readFileSync(zipPath).equals(zip)) {
    const temporary = `${zipPath}.${process.pid}.tmp`;
    writeFileSync(temporary, zip);
    renameSync(temporary, zipPath);
  }
  return { zipPath, sourceCodeHash, bytes: zip.length };
}

/**
 * The zip a stack deploys: the code plus its sources as {@link SOURCES_FILE_NAME}. The source list travels in the
 * bundle, not the environment (4 KB at most): 300 load balancer names must fit. Equal sources give an equal zip.
 */
export function bundleWithSources(baseZip: Buffer, sources: readonly string[], outputDir = synthOutputDir()): SessionLambdaBundle {
  // The code's entry is copied compressed as it is: the per-stack zip is the prebuilt one's bytes plus the sources.
  const code = readZipEntry(baseZip, 'index.js');
  return writeBundle(deterministicZip({ 'index.js': code, [SOURCES_FILE_NAME]: Buffer.from(`${JSON.stringify(sources)}\n`, 'utf8') }), outputDir);
}

/**
 * What the bundle is made from: every file under lambda/ and shared/, the lockfile (the SDK versions bundled in) and the
 * esbuild version. Equal inputs give an equal zip, so a synth can reuse the zip of an earlier one.
 */
function bundleInputsDigest(root = packageRoot()): string {
  const digest = createHash('sha256');
  digest.update(`esbuild ${esbuild().version}\n`);
  // The Lambda's code: lambda/ and the shared vocabulary it imports.
  const files = ['lambda', 'shared']
    .flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of [...files, path.join(root, 'package-lock.json')]) {
    digest.update(`${path.relative(root, file)}\n`);
    digest.update(readFileSync(file));
  }
  return digest.digest('hex');
}

/**
 * The bundle for these inputs: reused from build/ when an earlier synth made it (esbuild costs about half a second,
 * a third of a synth), built otherwise. The zip's own hash is checked before reuse.
 */
export function cachedSessionLambdaBundle(outputDir = codeCacheDirOf(packageRoot()), root = packageRoot()): SessionLambdaBundle {
  const recordPath = path.join(outputDir, `inputs-${bundleInputsDigest(root).slice(0, 32)}.json`);
  try {
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as SessionLambdaBundle;
    const zip = readFileSync(record.zipPath);
    if (createHash('sha256').update(zip).digest('base64') === record.sourceCodeHash) return record;
  } catch {
    // no usable record: build
  }
  const bundle = buildSessionLambdaBundle(outputDir, root);
  writeFileSync(recordPath, JSON.stringify(bundle));
  // Older code versions' zips and records are of no further use (this folder holds the code only, see codeCacheDirOf).
  for (const name of readdirSync(outputDir)) {
    const stale = /^(session-lambda-[0-9a-f]+\.zip|inputs-[0-9a-f]+\.json)$/.test(name) && ![path.basename(bundle.zipPath), path.basename(recordPath)].includes(name);
    if (stale) rmSync(path.join(outputDir, name), { force: true });
  }
  pruneStackZips(synthOutputDir(root));
  return bundle;
}

/** Removes per-stack zips of earlier code versions: only old ones, since other synths may be writing theirs now. */
function pruneStackZips(dir: string): void {
  if (!existsSync(dir)) return;
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!/^session-lambda-[0-9a-f]+\.zip$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STACK_ZIP_MAX_AGE_MS) rmSync(file, { force: true });
    } catch {
      // removed meanwhile by another synth's clean-up
    }
  }
}

/** Whether the package runs from the repository's sources (the Lambda is bundled) or packed (it ships prebuilt). */
export function runsFromSources(root = packageRoot()): boolean {
  return existsSync(path.join(root, HANDLER_SOURCE));
}

/**
 * Where the per-stack zips go before cdktf copies them into its output: build/ in the repository; in a consumer's
 * node_modules (perhaps read-only) a folder of the user's under the temporary directory. Zips are named by their
 * hash, so stacks and processes share them safely.
 */
export function synthOutputDir(root = packageRoot()): string {
  return runsFromSources(root) ? buildDirOf(root) : path.join(tmpdir(), `traceable-traffic-mirroring-${userInfo().uid}`, 'session-lambda');
}

/** The code's zip: built (or reused) from the sources in the repository, the prebuilt one in the packed package. */
export function sessionLambdaCode(root = packageRoot()): Buffer {
  if (runsFromSources(root)) return readFileSync(cachedSessionLambdaBundle(codeCacheDirOf(root), root).zipPath);
  const prebuilt = path.join(root, PREBUILT_BUNDLE);
  if (!existsSync(prebuilt)) throw new Error(`the session Lambda's code ${prebuilt} is missing: the package was packed without \`npm run build\``);
  const zip = readFileSync(prebuilt);
  zipEntryContent(zip, 'index.js');
  return zip;
}

let bundleOfThisProcess: Buffer | undefined;

/**
 * The code's zip, one per process: several stacks (or synths in one test) share it. Kept in memory, since another
 * synth with other code may remove the file meanwhile.
 */
export function sessionLambdaBundle(): Buffer {
  bundleOfThisProcess ??= sessionLambdaCode();
  return bundleOfThisProcess;
}

