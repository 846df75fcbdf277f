/**
 * `traceable-mirroring-doctor-source` (`npm run doctor:source --` in the repository): the doctor of one source account (scripts/doctor/source-cli.ts): this only wires a real EC2 client (the SDK's
 * default credentials: run it as the source account) and the process.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { resolveCredentials } from './doctor/credentials';
import { runSourceDoctor } from './doctor/source-cli';

runSourceDoctor(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  ec2For: (region) => new EC2Client({ region }),
  checkCredentials: resolveCredentials,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
