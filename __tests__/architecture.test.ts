/**
 * House rules that keep synth fast, plans offline and a later move to CDK Terrain mechanical.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { synthConfig } from './helpers/synth';

const root = join(__dirname, '..');

function sourceFiles(): string[] {
  const dirs = ['main.ts', 'app', 'config', 'shared', 'constructs', 'lambda', 'bootstrap', 'scripts'];
  return dirs.flatMap((entry) =>
    entry.endsWith('.ts')
      ? [join(root, entry)]
      : readdirSync(join(root, entry), { recursive: true, withFileTypes: true })
          .filter((file) => file.isFile() && file.name.endsWith('.ts'))
          .map((file) => join(file.parentPath, file.name)),
  );
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]);

describe('imports', () => {
  test('provider classes are imported deeply, never from the package root (a barrel import makes synth 4x slower)', () => {
    const barrel = sourceFiles().filter((file) => importsOf(file).includes('@cdktf/provider-aws'));
    expect(barrel.map((file) => relative(root, file))).toEqual([]);
  });

  test('no Terraform data source anywhere in the product (plans stay offline and free)', () => {
    const dataSources = sourceFiles().filter((file) => importsOf(file).some((name) => name.startsWith('@cdktf/provider-aws/lib/data-')));
    expect(dataSources.map((file) => relative(root, file))).toEqual([]);
  });

  test('provider classes are used only by the modules and the stack that configures the provider', () => {
    const users = sourceFiles()
      .filter((file) => importsOf(file).some((name) => name.startsWith('@cdktf/provider-aws')))
      .map((file) => relative(root, file))
      .filter((file) => !file.startsWith('constructs/'));
    expect(users).toEqual(['app/mirroring-stack.ts']);
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
