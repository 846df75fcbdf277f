/** Removes the run's folder global-setup.js made, with everything the suites left in it. */
const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  rmSync(process.env.TEST_RUN_TMPDIR, { recursive: true, force: true });
};
