/**
 * Runs the known-heavy suites first, so that a run on a fresh clone (no jest cache, hence no durations of a previous
 * run) does not start a several-minute suite last while the other worker sits idle. The rest keep jest's order
 * (failed first, then longest by the cache's durations, then biggest file).
 */
const Sequencer = require('@jest/test-sequencer').default;

/** By wall seconds in a whole `npm test` on the two-core machine (2026-12-07, after the second pass), most first. */
const HEAVY_FIRST = [
  'package',
  'upgrade.terraform-plan',
  'token-secret-stand-in',
  'bootstrap/suricata',
  'modes.terraform-plan',
  'source-accounts.terraform-plan',
  'docs-commands',
  'pipeline',
  'terraform-plan',
  'gwlb-endpoints.terraform-plan',
  'permissions-simulation',
  'lambda-bundle',
  'bootstrap/least-privilege',
  'bootstrap/h2c',
  'bootstrap/geneve',
  'long-stack-names',
  'bootstrap/render',
].map((name) => `/__tests__/${name}.test.ts`);

const rank = (test) => {
  const index = HEAVY_FIRST.findIndex((suffix) => test.path.endsWith(suffix));
  return index === -1 ? HEAVY_FIRST.length : index;
};

class HeavyFirstSequencer extends Sequencer {
  sort(tests) {
    const byJest = super.sort(tests);
    const order = new Map(byJest.map((test, index) => [test, index]));
    return [...byJest].sort((a, b) => rank(a) - rank(b) || order.get(a) - order.get(b));
  }
}

module.exports = HeavyFirstSequencer;
