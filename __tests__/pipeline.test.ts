/**
 * The pull-request pipeline: several environments synthesized from one app, then `scripts/plan-stacks.sh`
 * planning every stack with the real Terraform CLI (offline), as the example workflow runs it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineTerraformEnv, writeOfflineOverride } from './helpers/terraform';

jest.setTimeout(240_000);
const root = join(__dirname, '..');

describe('pull-request plan of every environment', () => {
  test('examples/environments synthesizes one stack each and plan-stacks.sh plans them all', () => {
    // Prepare
    const outdir = join(mkdtempSync(join(tmpdir(), 'pipeline-')), 'cdktf.out');
    const synth = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], {
      cwd: root,
      env: { ...process.env, MIRRORING_CONFIG: 'examples/environments', CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(synth.stderr).toBe('');
    const stacks = readdirSync(join(outdir, 'stacks')).sort();
    expect(stacks).toEqual(['mirroring-dev', 'mirroring-prod']);
    // prod keeps its state in S3: the test-only override swaps in a local backend (and fake credentials).
    for (const stack of stacks) writeOfflineOverride(join(outdir, 'stacks', stack), { localBackend: true });

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
    const outdir = join(mkdtempSync(join(tmpdir(), 'pipeline-')), 'cdktf.out');
    spawnSync(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], {
      cwd: root,
      env: { ...process.env, MIRRORING_CONFIG: 'examples/environments/dev.json', CDKTF_OUTDIR: outdir },
    });
    writeOfflineOverride(join(outdir, 'stacks', 'mirroring-dev'), { localBackend: true });

    // A configuration Terraform refuses: the stack's plan must fail, with Terraform's reason.
    writeFileSync(join(outdir, 'stacks', 'mirroring-dev', 'zz_broken.tf.json'), JSON.stringify({ output: { broken: { value: '${var.not_declared}' } } }));
    const plan = spawnSync('bash', [join(root, 'scripts/plan-stacks.sh'), outdir], { cwd: root, env: offlineTerraformEnv(), encoding: 'utf8' });

    expect(plan.status).toBe(1);
    expect(readFileSync(join(outdir, 'plan-summary.md'), 'utf8')).toContain('| `mirroring-dev` | **failed**: see plan.txt |');
    expect(plan.stderr.replace(/\s+/g, ' ')).toContain('Reference to undeclared input variable');
  });
});
