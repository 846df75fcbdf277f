/**
 * scripts/install-test-deps.sh installs every tool the tests and scripts run: its `required_commands` list is
 * checked against the programs spawned from the TypeScript sources (first argument of spawnSync, execFileSync,
 * spawn, execFile and of render.test's `run` wrapper) and the commands of the shell scripts the tests and CI run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const INSTALL_SCRIPT = join(ROOT, 'scripts', 'install-test-deps.sh');

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return filesUnder(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

/** Programs named by a literal first argument of a spawning call (a flag such as `run('--config', ...)` names none). */
export function spawnedPrograms(source: string): string[] {
  return [...source.matchAll(/\b(?:spawnSync|execFileSync|spawn|execFile|run)\(\s*['"`]([\w.+][\w.+-]*)['"`]/g)].map((m) => m[1]);
}

const SHELL_WORDS = new Set(
  ('if then else elif fi for while until do done case esac in function select time ! { } [[ ]] ' +
    // bash builtins
    'echo printf read cd set shift trap wait kill test [ exit return local export source . true false break ' +
    'continue command eval exec unset declare readonly pushd popd type umask hash getopts pwd').split(' '),
);

/** Commands run by a bash script: the first word of every simple command (also after `ip netns exec NS` and
 * `env VAR=...`), without builtins, keywords and the script's own functions. */
export function shellCommands(script: string): string[] {
  const functions = new Set([...script.matchAll(/^\s*(?:function\s+)?([\w-]+)\s*\(\)\s*\{/gm)].map((m) => m[1]));
  const found = new Set<string>();
  // Whole-line comments out, then single-quoted text across lines (e.g. a python3 -c '...' program), so that neither
  // is read as commands.
  const code = script.replace(/^\s*#.*$/gm, '').replace(/'[^']*'/g, "''");
  for (const raw of code.split('\n')) {
    // Comments and quoted text out (double-quoted text only when it runs no command substitution).
    const line = raw
      .replace(/(^|\s)#.*$/, '')
      .replace(/'[^']*'/g, "''")
      .replace(/"[^"$]*(\$(?!\()[^"$]*)*"/g, '""')
      // Arithmetic ($(( ... ))) without a command substitution inside runs no command.
      .replace(/\$\(\((?:[^()$]|\$(?!\()|\((?:[^()$]|\$(?!\())*\))*\)\)/g, '0');
    for (const segment of line.split(/\|\||&&|\||;|\$\(|`|\bthen\b|\bdo\b|\belse\b|\(/)) {
      const words = segment.trim().split(/\s+/).filter(Boolean);
      let i = 0;
      const skip = () => {
        while (i < words.length && (/^[A-Za-z_]\w*=/.test(words[i]) || ['if', 'while', 'until', '!', 'time', 'exec', 'elif'].includes(words[i]))) i++;
      };
      skip();
      if (words[i] === 'env') {
        i++;
        skip();
      }
      if (words[i] === 'ip' && words[i + 1] === 'netns' && words[i + 2] === 'exec') {
        found.add('ip');
        i += 4;
        skip();
      }
      const word = words[i]?.replace(/[)"'`]+$/, '');
      if (word && /^[a-z][\w.+-]*$/.test(word) && !SHELL_WORDS.has(word) && !functions.has(word)) found.add(word);
    }
  }
  return [...found];
}

/** A script with the files it sources (`. "$here/wait-for.sh"`, beside it) appended: their functions are its own. */
function withSourcedFiles(file: string): string {
  const script = readFileSync(file, 'utf8');
  const sourced = [...script.matchAll(/^\s*(?:\.|source)\s+"[^"]*\/([\w.-]+\.sh)"/gm)].map((m) => readFileSync(join(dirname(file), m[1]), 'utf8'));
  return [script, ...sourced].join('\n');
}

function requiredCommands(): string[] {
  const m = /^required_commands=\(([^)]*)\)/m.exec(readFileSync(INSTALL_SCRIPT, 'utf8'));
  if (!m) throw new Error('scripts/install-test-deps.sh has no required_commands=(...) list');
  return m[1].split(/\s+/).filter(Boolean);
}

/** The shell scripts the tests and `npm test` run. */
const TEST_SCRIPTS = [...filesUnder(join(ROOT, '__tests__'), /\.sh$/), ...['plan-stacks.sh', 'test.sh', 'checks.sh'].map((name) => join(ROOT, 'scripts', name))];

test('every shell script the tests and CI run passes shellcheck, the files they source followed', () => {
  const scripts = [...TEST_SCRIPTS, INSTALL_SCRIPT, join(ROOT, '.ci', 'run')];
  const r = spawnSync('shellcheck', ['-x', '-P', 'SCRIPTDIR', '-s', 'bash', ...scripts], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(scripts.map((file) => relative(ROOT, file))).toEqual(expect.arrayContaining(['scripts/test.sh', '__tests__/bootstrap/netns-e2e.sh', '.ci/run']));
});

test('every program the tests and scripts run is in install-test-deps.sh required_commands', () => {
  const sources = [...filesUnder(join(ROOT, '__tests__'), /\.(ts|js)$/), ...filesUnder(join(ROOT, 'scripts'), /\.ts$/)].filter(
    (file) => file !== __filename, // its own examples above
  );
  const used = new Map<string, string>();
  for (const file of sources) for (const p of spawnedPrograms(readFileSync(file, 'utf8'))) used.set(p, relative(ROOT, file));
  for (const file of TEST_SCRIPTS) for (const c of shellCommands(withSourcedFiles(file))) used.set(c, relative(ROOT, file));
  const required = new Set(requiredCommands());
  const missing = [...used].filter(([program]) => !required.has(program)).map(([program, file]) => `${program} (${file})`);
  expect(missing).toEqual([]);
  // The extraction finds what the suites are known to run (a parser that finds nothing would pass trivially).
  expect([...used.keys()]).toEqual(expect.arrayContaining(['suricata', 'tcpdump', 'shellcheck', 'luajit', 'terraform', 'curl', 'tc', 'ip', 'python3', 'sysctl']));
});

test('the extraction reads spawn calls and shell commands', () => {
  expect(spawnedPrograms(`spawnSync('tcpdump', ['-r']); execFileSync("luajit", []); spawn(cmd, [])`)).toEqual(['tcpdump', 'luajit']);
  expect(spawnedPrograms(`run('--config', path); run('terraform', ['plan'])`)).toEqual(['terraform']);
  const script = 'f() { :; }\nx=1 ip netns exec "$ns" curl -s | grep -q ok && sleep 1 # tail here\nf\nenv A=1 suricata -c y\necho "$(date)"\necho "a; run b"\necho $((micros / 1000)) $(( (a + $b) * 2 ))';
  expect(shellCommands(script).sort()).toEqual(['curl', 'date', 'grep', 'ip', 'sleep', 'suricata']);
});
