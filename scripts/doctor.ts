/**
 * `traceable-mirroring-doctor` (`npm run doctor --` in the repository) `--stack <StackName> [--config path] [--probe URL]`: is the stack's traffic mirroring working, and if not, why.
 * The checks live in scripts/doctor/ (tested with mocked clients); this only wires real clients and the process.
 */
import { doctorClients } from './doctor/checks';
import { runDoctor } from './doctor/cli';
import { resolveCredentials } from './doctor/credentials';
import { httpRequest } from './doctor/probe';

runDoctor(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  clientsFor: doctorClients,
  checkCredentials: resolveCredentials,
  now: Date.now,
  request: httpRequest,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
