/**
 * jest's transform of the TypeScript sources: esbuild strips the types with tsconfig.json's settings, as tsx does for
 * the scripts (its isolatedModules keeps every file transpilable alone; type-checking is its own step, `tsc --noEmit`).
 * A clean clone's jest cache is empty: with ts-jest, the unit project's first run took 48.1 s CPU and its second 40.4;
 * with esbuild its first takes 42.4 (measured twice each).
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync, version } = require('esbuild');

const tsconfig = readFileSync(join(__dirname, '..', '..', 'tsconfig.json'), 'utf8');
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'external', sourcesContent: false, tsconfigRaw: tsconfig };
/** What else decides the output: esbuild's version, this file (the options) and tsconfig.json. */
const CONFIG_KEY = createHash('sha256').update(`esbuild ${version}\0`).update(readFileSync(__filename)).update(tsconfig).digest('hex');

module.exports = {
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, { ...OPTIONS, sourcefile: sourcePath });
    return { code, map };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(`${CONFIG_KEY}\0${sourcePath}\0`).update(sourceText).digest('hex');
  },
};
