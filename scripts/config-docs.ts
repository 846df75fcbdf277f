/**
 * Writes the settings' documentation from the schema (config/docs.ts): the configuration reference table into
 * README.md, between the `config-reference` markers, and the JSDoc of the construct's props. `npm run docs:config`;
 * tests fail when either is out of step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReferenceMarkdown, withPropDocs } from '../config';

const readmePath = join(__dirname, '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const markers = /(<!-- config-reference:start -->\n)[\s\S]*?(<!-- config-reference:end -->)/;
if (!markers.test(readme)) throw new Error(`${readmePath}: the config-reference markers are missing`);
writeFileSync(readmePath, readme.replace(markers, (_match, start: string, end: string) => `${start}${configReferenceMarkdown()}\n${end}`));
process.stdout.write(`updated the configuration reference in ${readmePath}\n`);

const modulePath = join(__dirname, '..', 'modules', 'traceable-traffic-mirroring.ts');
writeFileSync(modulePath, withPropDocs(readFileSync(modulePath, 'utf8')));
process.stdout.write(`updated the props' documentation in ${modulePath}\n`);
