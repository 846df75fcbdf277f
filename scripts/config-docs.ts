/**
 * Writes the configuration reference table into README.md from the schema (config/docs.ts), between the
 * `config-reference` markers. `npm run docs:config`; a test fails when the README is out of step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReferenceMarkdown } from '../config';

const readmePath = join(__dirname, '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const markers = /(<!-- config-reference:start -->\n)[\s\S]*?(<!-- config-reference:end -->)/;
if (!markers.test(readme)) throw new Error(`${readmePath}: the config-reference markers are missing`);
writeFileSync(readmePath, readme.replace(markers, (_match, start: string, end: string) => `${start}${configReferenceMarkdown()}\n${end}`));
process.stdout.write(`updated the configuration reference in ${readmePath}\n`);
