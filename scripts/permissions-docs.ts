/**
 * Writes the shipped example's deployer policies (examples/config.json) into README.md between the `permissions`
 * markers. `npm run docs:permissions`; a test fails when the README is out of step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config';
import { synthesizeStack } from './permissions/cli';
import { permissionsMarkdown } from './permissions/markdown';
import { deployerPolicies } from './permissions/policies';

const readmePath = join(__dirname, '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const markers = /(<!-- permissions:start -->\n)[\s\S]*?(<!-- permissions:end -->)/;
if (!markers.test(readme)) throw new Error(`${readmePath}: the permissions markers are missing`);
const { config } = loadConfig(join(__dirname, '..', DEFAULT_CONFIG_PATH));
const markdown = permissionsMarkdown(config.StackName, deployerPolicies(synthesizeStack(config)));
writeFileSync(readmePath, readme.replace(markers, (_match, start: string, end: string) => `${start}${markdown}\n${end}`));
process.stdout.write(`updated the example's deployer policies in ${readmePath}\n`);
