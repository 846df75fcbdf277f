/**
 * The shared vocabulary (shared/) stays dependency-free, and its facts are defined there only: no other source
 * file spells a tag key or compares a source type by name where a shared list decides.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const tsFiles = (dir: string) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((file) => file.isFile() && file.name.endsWith('.ts'))
    .map((file) => join(file.parentPath, file.name));
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]);

test('shared/ imports only its own files and node builtins', () => {
  const outside = tsFiles('shared').flatMap((file) =>
    importsOf(file)
      .filter((name) => !name.startsWith('node:') && !(name.startsWith('./') && !name.includes('..')))
      .map((name) => `${relative(root, file)}: ${name}`),
  );
  expect(outside).toEqual([]);
});

test('tag keys, ports and source-type rules are spelled only in shared/', () => {
  const spelled = [/'traceable:(stack|mirroring-stack|mirroring-source)'/, /[!=]== '(ECS_CLUSTER|LOAD_BALANCER_TAGS|INSTANCE_TAGS)'/, /(?<![\w-])(4789|8089)(?![\w-])/];
  const product = ['stacks', 'plan', 'config', 'modules', 'lambda', 'bootstrap', 'scripts'].flatMap(tsFiles);
  const found = product.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, index) => ({ line: line.trim(), at: `${relative(root, file)}:${index + 1}` }))
      .filter(({ line }) => !line.startsWith('*') && !line.startsWith('/') && spelled.some((pattern) => pattern.test(line)))
      .map(({ at, line }) => `${at}: ${line}`),
  );
  expect(found).toEqual([]);
});

test('no two exported types (interfaces, type aliases, classes) share a name', () => {
  const product = ['stacks', 'plan', 'config', 'shared', 'modules', 'lambda', 'bootstrap', 'scripts'].flatMap(tsFiles);
  const byName = new Map<string, string[]>();
  for (const file of product) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(/^export (?:abstract )?(?:interface|type|class) ([A-Za-z_$][\w$]*)/gm)) {
      byName.set(name, [...(byName.get(name) ?? []), relative(root, file)]);
    }
  }
  expect([...byName].filter(([, files]) => files.length > 1)).toEqual([]);
});
