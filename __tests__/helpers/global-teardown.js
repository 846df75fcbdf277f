/** Removes the folder global-setup.js made (a TF_TEST_CACHE_DIR given from outside is left alone). */
const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  if (process.env.TF_TEST_CACHE_DIR_OWNED === '1') rmSync(process.env.TF_TEST_CACHE_DIR, { recursive: true, force: true });
};
