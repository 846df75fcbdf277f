const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Two projects: `unit` (`npm run test:unit`: no Terraform, no Suricata, no network, no builds, no long-running
 * processes; feedback in seconds) and `integration` (the suites below). `npm test` runs both.
 */
const LISTED = [
  // npm pack, and a consumer app's synth and plan
  'package',
  // Suricata, tcpdump, network namespaces, shellcheck of the bootstrap
  'bootstrap/bench', 'bootstrap/h2c', 'bootstrap/imds', 'bootstrap/install-deps', 'bootstrap/least-privilege', 'bootstrap/render',
  'bootstrap/suricata',
  // the bootstrap's programs run as processes (servers, retries, logrotate, LuaJIT)
  'bootstrap/fetch-bundle', 'bootstrap/health', 'bootstrap/logrotate', 'bootstrap/metrics', 'bootstrap/h2-parser',
  'bootstrap/secrets-argv',
  // esbuild builds, the app run as a process (and the documented commands), and the large synth corpora (every mode, every hostile input)
  'lambda-bundle', 'stack', 'permissions', 'config-corpus', 'docs-commands',
  // the TypeScript compiler over the package's types (about a minute)
  'props-types',
].map((name) => `__tests__/${name}.test.ts`);

/** Found, not listed, so that a new suite cannot slip into `unit`: every suite that runs the real terraform (through
 * the offline helpers) or spawns terraform, Suricata, tcpdump, ip or npm. */
const RUNS_TOOLS = /from '(\.\.?\/)+helpers\/(terraform|fake-state)'|\b(spawnSync|execFileSync|spawn|execFile|run)\(\s*['"`](terraform|suricata|tcpdump|ip|npm)['"`]/;
const found = readdirSync(join(__dirname, '__tests__'), { recursive: true })
  .map((file) => `__tests__/${file}`)
  .filter((file) => file.endsWith('.test.ts') && RUNS_TOOLS.test(readFileSync(join(__dirname, file), 'utf8')));

const INTEGRATION = [...new Set([...LISTED, ...found])].sort().map((file) => `<rootDir>/${file}`);

/** @type {import('jest').Config} */
const project = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  transform: { '^.+\\.ts$': '<rootDir>/__tests__/helpers/esbuild-transform.js' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/jest-setup.js'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...project, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION] },
    { ...project, displayName: 'integration', testMatch: INTEGRATION },
  ],
  testTimeout: 30000,
  // A folder the workers share for what is computed once per run (see helpers/terraform.ts).
  globalSetup: '<rootDir>/__tests__/helpers/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/helpers/global-teardown.js',
  // Two cores: suites that wait on terraform or suricata overlap well with two workers.
  maxWorkers: 2,
  // The known-heavy suites first: a fresh clone has no durations of a previous run to order by.
  testSequencer: '<rootDir>/__tests__/helpers/heavy-first-sequencer.js',
  reporters: ['default', '<rootDir>/__tests__/helpers/summary-reporter.js'],
};
