/**
 * The shell commands of the README, docs/ and examples/README.md, as written: every `npm run` names a script, every
 * command of the package is in its `bin`, every path they give exists, and the commands that need neither AWS nor a
 * placeholder filled in run, in a copy of the repository, and succeed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const DOCUMENTS = ['README.md', 'examples/README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

interface DocumentedCommand {
  readonly where: string;
  readonly command: string;
}

/** The commands of the shell code blocks (sh, bash or unmarked), continuation lines joined and comments dropped. */
function documentedCommands(): DocumentedCommand[] {
  const commands: DocumentedCommand[] = [];
  for (const document of DOCUMENTS) {
    const lines = readFileSync(join(root, document), 'utf8').split('\n');
    let shell: boolean | undefined;
    let pending = '';
    lines.forEach((line, index) => {
      const fence = /^```(\w*)/.exec(line);
      if (fence) {
        shell = shell === undefined ? ['sh', 'bash', 'shell', ''].includes(fence[1]) : undefined;
        return;
      }
      if (!shell) return;
      const text = pending + line.replace(/\s+#\s.*$/, '').replace(/^#.*$/, '').trim();
      if (text.endsWith('\\')) {
        pending = `${text.slice(0, -1).trim()} `;
        return;
      }
      pending = '';
      if (/^([A-Z_]+=\S* )*(npm|npx|bash|terraform|cdktf|export|aws)\b/.test(text)) commands.push({ where: `${document}:${index + 1}`, command: text });
    });
  }
  return commands;
}

const COMMANDS = documentedCommands();
/** A value the reader fills in: `<StackName>`, `$(terraform ... output ...)`, `[--flag value]`, `path/to/config.json`. */
const hasPlaceholder = (command: string) => /<[^>]+>|\$\(|[[\]]|\bpath\/to\//.test(command);

describe('the commands the documentation gives', () => {
  it('are found (the documents have them at all)', () => {
    expect(COMMANDS.length).toBeGreaterThan(15);
    expect(COMMANDS.map(({ command }) => command)).toEqual(expect.arrayContaining(['npm ci && npm run synth', 'MIRRORING_CONFIG=examples/environments npm run synth']));
  });

  it('name npm scripts that exist', () => {
    const missing = COMMANDS.flatMap(({ where, command }) =>
      [...command.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]).filter((script) => !(script in manifest.scripts)).map((script) => `${where}: npm run ${script}`));
    expect(missing).toEqual([]);
  });

  it('name the package\'s own commands as its bin has them', () => {
    const missing = COMMANDS.flatMap(({ where, command }) =>
      [...command.matchAll(/\b(traceable-mirroring-[\w-]+)/g)].map((match) => match[1]).filter((bin) => !(bin in manifest.bin)).map((bin) => `${where}: ${bin}`));
    expect(missing).toEqual([]);
  });

  it('give configuration paths and scripts that exist in the repository', () => {
    const paths = COMMANDS.flatMap(({ where, command }) => [
      ...[...command.matchAll(/(?:MIRRORING_CONFIG=|--config[ =])(\S+)/g)].flatMap((match) => match[1].split(',')),
      ...[...command.matchAll(/\bbash (scripts\/\S+)/g)].map((match) => match[1]),
    ].filter((path) => !hasPlaceholder(path)).map((path) => ({ where, path })));
    expect(paths.length).toBeGreaterThan(3);
    expect(paths.filter(({ path }) => !existsSync(join(root, path)))).toEqual([]);
  });

  describe('run as written', () => {
    // A copy of the repository's tracked files with its node_modules, so that what the commands write stays there.
    const copy = mkdtempSync(join(tmpdir(), 'docs-commands-'));
    beforeAll(() => {
      const tracked = spawnSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const file of tracked) cpSync(join(root, file), join(copy, file));
      symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    });

    /** The parts of a documented command line this test runs: npm scripts that make no AWS call. `npm ci` and
     * `npm test` are what CI runs; `npm pack` is the package test's. */
    const OFFLINE = /^([A-Z_]+=\S+ )*npm run (synth|permissions|render:bootstrap|docs:config|docs:permissions)\b/;
    const runnable = [...new Set(COMMANDS.flatMap(({ command }) => command.split(' && ')).filter((part) => OFFLINE.test(part) && !hasPlaceholder(part)))];

    it('include the synth of the example and of the environments, and a permissions command', () => {
      expect(runnable).toEqual(expect.arrayContaining(['npm run synth', 'MIRRORING_CONFIG=examples/environments npm run synth']));
      expect(runnable.some((command) => command.includes('npm run permissions'))).toBe(true);
    });

    it.each(runnable)('%s', (command) => {
      const result = spawnSync('bash', ['-c', command], { cwd: copy, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
      expect([result.status, result.status === 0 ? '' : `${result.stderr}\n${result.stdout}`]).toEqual([0, '']);
    }, 300_000);
  });
});
