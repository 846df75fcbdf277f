/**
 * One folder per jest run that the workers share (helpers/terraform.ts: the provider mirror's path, the CLI
 * configuration and one `terraform init` per provider requirements), removed by global-teardown.js.
 */
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  if (!process.env.TF_TEST_CACHE_DIR) {
    process.env.TF_TEST_CACHE_DIR = mkdtempSync(join(tmpdir(), 'tf-test-cache-'));
    process.env.TF_TEST_CACHE_DIR_OWNED = '1';
  }
};
