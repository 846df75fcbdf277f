/**
 * House rules that keep synth fast, plans offline and a later move to CDK Terrain mechanical.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { synthConfig } from './helpers/synth';

const root = join(__dirname, '..');

function sourceFiles(): string[] {
  const dirs = ['main.ts', 'index.ts', 'stacks', 'plan', 'config', 'shared', 'modules', 'lambda', 'bootstrap', 'scripts'];
  return dirs.flatMap((entry) =>
    entry.endsWith('.ts')
      ? [join(root, entry)]
      : readdirSync(join(root, entry), { recursive: true, withFileTypes: true })
          .filter((file) => file.isFile() && file.name.endsWith('.ts'))
          .map((file) => join(file.parentPath, file.name)),
  );
}

/** Every module a file names: `import ... from`, `export ... from`, `import type` and bare `import '...'`. */
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|^import) '([^']+)'/gm)].map((match) => match[1]);

/** The file a relative import names (`./x` is x.ts or x/index.ts); undefined for a package or a node builtin. */
function localFile(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [`${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (!found) throw new Error(`${relative(root, from)}: cannot resolve ${specifier}`);
  return found;
}

/** The files under a folder of the project (or one file). */
const filesOf = (entry: string) => sourceFiles().filter((file) => file === join(root, entry) || file.startsWith(join(root, entry) + '/'));

/**
 * What the files import, followed through the project's own files: each import as `file -> specifier`, with the
 * project file it resolves to (undefined for a package).
 */
function transitiveImports(entries: string[]): { from: string; specifier: string; file?: string }[] {
  const seen = new Set<string>();
  const edges: { from: string; specifier: string; file?: string }[] = [];
  const pending = [...entries];
  while (pending.length > 0) {
    const from = pending.pop()!;
    if (seen.has(from)) continue;
    seen.add(from);
    for (const specifier of importsOf(from)) {
      const file = localFile(from, specifier);
      edges.push({ from, specifier, file });
      if (file) pending.push(file);
    }
  }
  return edges;
}

/** The imports, transitively, of the files under `entry` that reach a forbidden package or folder. */
function forbiddenImports(entry: string, forbidden: { packages?: string[]; folders?: string[] }): string[] {
  const isPackage = (specifier: string, name: string) => specifier === name || specifier.startsWith(`${name}/`);
  const inForbiddenFolder = (file: string) => (forbidden.folders ?? []).some((folder) => relative(root, file).startsWith(`${folder}/`) || relative(root, file) === `${folder}.ts`);
  // Each crossing once: the import that enters a forbidden folder, not the folder's imports of itself.
  return transitiveImports(filesOf(entry))
    .filter(({ from, specifier, file }) =>
      file === undefined ? (forbidden.packages ?? []).some((name) => isPackage(specifier, name)) : inForbiddenFolder(file) && !inForbiddenFolder(from),
    )
    .map(({ from, specifier }) => `${relative(root, from)} imports ${specifier}`);
}

const INFRASTRUCTURE = ['cdktf', 'constructs', '@cdktf/provider-aws'];

describe('imports', () => {
  test('provider classes are imported deeply, never from the package root (a barrel import makes synth 4x slower)', () => {
    const barrel = sourceFiles().filter((file) => importsOf(file).includes('@cdktf/provider-aws'));
    expect(barrel.map((file) => relative(root, file))).toEqual([]);
  });

  test('no Terraform data source anywhere in the product (plans stay offline and free)', () => {
    const dataSources = sourceFiles().filter((file) => importsOf(file).some((name) => name.startsWith('@cdktf/provider-aws/lib/data-')));
    expect(dataSources.map((file) => relative(root, file))).toEqual([]);
  });

  test('provider classes are used only by the modules and the stacks that configure the provider', () => {
    const users = sourceFiles()
      .filter((file) => importsOf(file).some((name) => name.startsWith('@cdktf/provider-aws')))
      .map((file) => relative(root, file))
      .filter((file) => !file.startsWith('modules/'));
    expect(users).toEqual(['stacks/mirroring-stack.ts', 'stacks/source-account-stack.ts']);
  });
});

describe('synthesized stacks', () => {
  test.each([
    ['LOAD_BALANCER on EC2', {}],
    ['ECS_CLUSTER on ECS', { MirrorSourceType: 'ECS_CLUSTER', MirrorSource: 'shop', DeployTraceableAgentInECS: true }],
    ['FARGATE', { MirrorSourceType: 'FARGATE', MirrorSource: '' }],
  ])('%s declares no data source', (_name, overrides) => {
    expect(synthConfig(overrides).json.data).toBeUndefined();
  });
});

describe('layering', () => {
  test('the Lambda imports no infrastructure code (its bundle stays small and it runs without cdktf)', () => {
    expect(forbiddenImports('lambda', { packages: INFRASTRUCTURE, folders: ['stacks', 'plan', 'config', 'modules', 'index'] })).toEqual([]);
  });

  test('modules do not import the stacks (the construct library works without them)', () => {
    expect(forbiddenImports('modules', { folders: ['stacks', 'main'] })).toEqual([]);
  });

  test('the doctor imports no construct and no cdktf (it reads the plan)', () => {
    expect(forbiddenImports('scripts/doctor', { packages: INFRASTRUCTURE, folders: ['modules', 'stacks'] })).toEqual([]);
  });

  test('render:bootstrap loads no stack (it reads the plan)', () => {
    expect(forbiddenImports('scripts/render-bootstrap.ts', { packages: INFRASTRUCTURE, folders: ['modules', 'stacks'] })).toEqual([]);
  });

  test('the plan imports no cdktf and no provider (it is a pure function of the configuration)', () => {
    expect(forbiddenImports('plan', { packages: INFRASTRUCTURE, folders: ['modules', 'stacks'] })).toEqual([]);
  });

  test('the configuration imports no bootstrap (the settings both read are in shared/host-settings.ts)', () => {
    expect(forbiddenImports('config', { folders: ['bootstrap'] })).toEqual([]);
  });

  test('scripts import no test code (the benchmarks and the simulated account live under scripts/)', () => {
    expect(forbiddenImports('scripts', { folders: ['__tests__'] })).toEqual([]);
  });

  // shared/ on node builtins only: __tests__/shared.test.ts.
});
