/**
 * The instance metadata service is unreachable from the containers' cgroup, and only from there: imds-block.sh run for
 * real (iptables cgroup match) in a network namespace with a fake metadata service, probed from the slice, from a
 * container scope inside it and from the host (__tests__/bootstrap/imds-netns.sh).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BOOTSTRAP_FILES_DIR } from '../../bootstrap';

test('imds-block.sh rejects 169.254.169.254 for the slice and its containers, not for the host; idempotent', () => {
  const r = spawnSync('bash', [join(__dirname, 'imds-netns.sh'), join(BOOTSTRAP_FILES_DIR, 'imds-block.sh')], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    [
      'before, slice: reached role-credentials',
      'after, slice: refused Connection refused',
      'after, container: refused Connection refused',
      'after, host: reached role-credentials',
      // run twice, one rule
      'rules: 1',
      '',
    ].join('\n'),
  );
  expect(r.status).toBe(0);
});

test('the netns orchestration script passes shellcheck', () => {
  const r = spawnSync('shellcheck', ['-s', 'bash', join(__dirname, 'imds-netns.sh')], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
