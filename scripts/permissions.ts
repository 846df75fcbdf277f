/**
 * `traceable-mirroring-permissions` (`npm run permissions --`) `--stack <StackName> [--config path] [--for plan|apply|boundary]`: the IAM
 * policies a pipeline needs to plan, and to apply and destroy, this stack, and the permissions boundary of its roles
 * (scripts/permissions/: the table, the generator, the command).
 */
import { runPermissions } from './permissions/cli';

process.exitCode = runPermissions(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
