/**
 * The pull-request pipeline: several environments synthesized from one app, then `scripts/plan-stacks.sh`
 * planning every stack with the real Terraform CLI (offline), as the example workflow runs it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineTerraformEnv, writeOfflineOverride } from './helpers/terraform';

jest.setTimeout(240_000);
const root = join(__dirname, '..');

describe('pull-request plan of every environment', () => {
  /** examples/environments synthesized once, as the pipeline does; each test plans a copy of its own. */
  let synthesized: string;
  beforeAll(() => {
    synthesized = join(mkdtempSync(join(tmpdir(), 'pipeline-')), 'cdktf.out');
    const synth = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], {
      cwd: root,
      env: { ...process.env, MIRRORING_CONFIG: 'examples/environments', CDKTF_OUTDIR: synthesized },
      encoding: 'utf8',
    });
    expect(synth.stderr).toBe('');
  });

  /** A copy of the synthesized stacks, each with the test-only override: prod keeps its state in S3, so the override
   * swaps in a local backend (and fake credentials). */
  function stacksToPlan(): string {
    const outdir = join(mkdtempSync(join(tmpdir(), 'pipeline-')), 'cdktf.out');
    cpSync(synthesized, outdir, { recursive: true });
    for (const stack of readdirSync(join(outdir, 'stacks'))) writeOfflineOverride(join(outdir, 'stacks', stack), { localBackend: true });
    return outdir;
  }

  test('examples/environments synthesizes one stack each and plan-stacks.sh plans them all', () => {
    // Prepare
    expect(readdirSync(join(synthesized, 'stacks')).sort()).toEqual(['mirroring-dev', 'mirroring-prod']);
    const outdir = stacksToPlan();

    // Act
    const plan = spawnSync('bash', [join(root, 'scripts/plan-stacks.sh'), outdir], {
      cwd: root,
      env: offlineTerraformEnv(),
      encoding: 'utf8',
    });

    // Assess
    expect(plan.stderr).toBe('');
    expect(plan.status).toBe(0);
    const summary = readFileSync(join(outdir, 'plan-summary.md'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe('| Stack | Plan |');
    expect(summary.slice(2)).toEqual([
      expect.stringMatching(/^\| `mirroring-dev` \| Plan: \d+ to add, 0 to change, 0 to destroy\. \|$/),
      expect.stringMatching(/^\| `mirroring-prod` \| Plan: \d+ to add, 0 to change, 0 to destroy\. \|$/),
    ]);
    const prodPlan = readFileSync(join(outdir, 'stacks', 'mirroring-prod', 'plan.txt'), 'utf8');
    expect(prodPlan).toContain('aws_lb.mirror_nlb will be created');
    expect(prodPlan).not.toContain('aws_secretsmanager_secret.token_secret');
  });

  test('a stack that fails to plan makes the script fail, after trying the others', () => {
    // Prepare: a configuration Terraform refuses in the first stack (dev); the second (prod) is as synthesized.
    const outdir = stacksToPlan();
    writeFileSync(join(outdir, 'stacks', 'mirroring-dev', 'zz_broken.tf.json'), JSON.stringify({ output: { broken: { value: '${var.not_declared}' } } }));

    // Act
    const plan = spawnSync('bash', [join(root, 'scripts/plan-stacks.sh'), outdir], { cwd: root, env: offlineTerraformEnv(), encoding: 'utf8' });

    // Assess: dev failed with Terraform's reason, prod was still planned, and the script's status is the failure's.
    expect(plan.status).toBe(1);
    expect(readFileSync(join(outdir, 'plan-summary.md'), 'utf8').trim().split('\n').slice(2)).toEqual([
      '| `mirroring-dev` | **failed**: see plan.txt |',
      expect.stringMatching(/^\| `mirroring-prod` \| Plan: \d+ to add, 0 to change, 0 to destroy\. \|$/),
    ]);
    expect(plan.stderr.replace(/\s+/g, ' ')).toContain('Reference to undeclared input variable');
  });
});
