/**
 * Writes a source account's deployer policies (scripts/permissions/source-accounts.ts) into README.md between the
 * `source-permissions` markers: `npx tsx scripts/source-permissions-docs.ts`; a test fails when they are out of step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceAccountPermissionsMarkdown } from './permissions/source-accounts';

const readmePath = join(__dirname, '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const markers = /(<!-- source-permissions:start -->\n)[\s\S]*?(<!-- source-permissions:end -->)/;
if (!markers.test(readme)) throw new Error(`${readmePath}: the source-permissions markers are missing`);
writeFileSync(readmePath, readme.replace(markers, (_match, start: string, end: string) => `${start}${sourceAccountPermissionsMarkdown()}\n${end}`));
process.stdout.write(`updated the source account's deployer policies in ${readmePath}\n`);
