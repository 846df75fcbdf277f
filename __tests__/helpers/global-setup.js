/**
 * One folder per jest run for every temporary file of the run, removed by global-teardown.js: the workers and every
 * process they start (terraform, npm, Suricata, cdktf's own output folders) find it as TMPDIR. Inside it, the folder
 * the workers share for what they compute once per run (helpers/terraform.ts: the provider mirror's path, the CLI
 * configuration and one `terraform init` per provider requirements).
 */
const { chmodSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  const runDir = mkdtempSync(join(tmpdir(), 'traceable-tests-'));
  // Like /tmp: a process a test runs as another user (nobody) makes its own files in it.
  chmodSync(runDir, 0o1777);
  process.env.TEST_RUN_TMPDIR = runDir;
  process.env.TMPDIR = runDir;
  process.env.TF_TEST_CACHE_DIR = mkdtempSync(join(runDir, 'tf-test-cache-'));
};
