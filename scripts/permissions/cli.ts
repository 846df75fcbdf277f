/**
 * `traceable-mirroring-permissions` (`npm run permissions --` in the repository) `--stack <StackName> [--config path] [--for plan|apply|boundary] [--account id] [--out dir]`: synthesizes
 * the stack's configuration as the app does and prints (or writes) the deployer's plan and apply policies.
 * Exit 0 when printed, 1 when the stack cannot be described (an unknown resource type), 2 for usage and configuration errors.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import type { MirroringConfig } from '../../config';
import { MirroringStack } from '../../stacks/mirroring-stack';
import { parseFlags, selectStack } from '../doctor/cli';
import { deployerPolicies, formatPolicy, MANAGED_POLICY_LIMIT, PermissionsError, policySize, type PolicyDocument, type TerraformJson } from './policies';

const USAGE =
  'usage: traceable-mirroring-permissions --stack <StackName> [--config <file, comma-separated files or directory>] [--for plan|apply|boundary] ' +
  '[--account <12-digit AWS account ID>] [--out <directory for the policy files>]';

const HELP = [
  USAGE,
  '',
  'The IAM policies a pipeline needs to plan, and to apply and destroy, the stack, and the permissions boundary of the',
  'stack\'s roles: synthesized from its configuration as the app does, each split into managed policies of IAM\'s size.',
  'No AWS call is made.',
  '',
  '  --stack    the StackName of the configuration',
  '  --config   the configuration: a file, comma-separated files or a directory (default: MIRRORING_CONFIG, else the example)',
  '  --for      plan, apply or boundary (the permissions boundary of the stack\'s roles; default: all three)',
  '  --account  the account the policies name (default: any account, *)',
  '  --out      write each policy as <stack>-<plan|apply|boundary>[-n].json into this directory instead of printing it',
  '',
  'In a clone of the repository: npm run permissions -- <the same flags>.',
  'Exit 0 when written, 1 when the stack cannot be described or its roles would have no boundary, 2 for usage and',
  'configuration errors.',
].join('\n');

export const KINDS = ['plan', 'apply', 'boundary'] as const;
export type Kind = (typeof KINDS)[number];

export interface PermissionsIo {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** The stack's cdk.tf.json, synthesized as main.ts does into a temporary folder that is removed afterwards. */
export function synthesizeStack(config: MirroringConfig): TerraformJson {
  const outdir = mkdtempSync(join(tmpdir(), 'permissions-'));
  try {
    const app = new App({ outdir });
    new MirroringStack(app, { config });
    app.synth();
    return JSON.parse(readFileSync(join(outdir, 'stacks', config.StackName, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/** Header and per-document titles of one policy, saying when and why it is split. */
export function describePolicy(kind: Kind, documents: readonly PolicyDocument[]): { header: string; titles: string[] } {
  const sizes = documents.map(policySize);
  if (documents.length === 1) {
    return { header: `${kind} policy: ${count(sizes[0])} of IAM's ${count(MANAGED_POLICY_LIMIT)} characters (whitespace excluded) for a managed policy`, titles: [''] };
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  return {
    header:
      `${kind} policy: split into ${documents.length} managed policies, since ${count(total)} characters exceed IAM's ` +
      `${count(MANAGED_POLICY_LIMIT)}-character limit for one; attach all of them to the ${kind} role`,
    titles: sizes.map((size, i) => `${kind} policy ${i + 1} of ${documents.length}: ${count(size)} characters`),
  };
}

export function runPermissions(argv: readonly string[], io: PermissionsIo, synthesize: (config: MirroringConfig) => TerraformJson = synthesizeStack): number {
  const usageError = (message: string) => {
    io.stderr(`permissions: ${message}`);
    io.stderr(USAGE);
    return 2;
  };
  const parsed = parseFlags(argv, ['stack', 'config', 'for', 'account', 'out']);
  if ('help' in parsed) {
    io.stdout(HELP);
    return 0;
  }
  if ('error' in parsed) return usageError(parsed.error);
  const { stack, config, account, out } = parsed.values;
  if (!stack) return usageError('--stack is required');
  const wanted = parsed.values.for;
  if (wanted !== undefined && !KINDS.includes(wanted as Kind)) return usageError(`--for: got ${JSON.stringify(wanted)}; expected plan, apply or boundary`);
  if (account !== undefined && !/^\d{12}$/.test(account)) return usageError(`--account: got ${JSON.stringify(account)}; expected a 12-digit AWS account ID`);

  if (out !== undefined) {
    try {
      mkdirSync(out, { recursive: true });
    } catch (error) {
      return usageError(`--out: cannot create the directory ${out}: ${(error as Error).message}`);
    }
  }

  const selected = selectStack('permissions', stack, config, io.env);
  if ('error' in selected) {
    io.stderr(selected.error);
    return 2;
  }
  const chosen = selected.chosen.config;
  let policies;
  try {
    policies = deployerPolicies(synthesize(chosen), { account });
  } catch (error) {
    if (!(error instanceof PermissionsError)) throw error;
    io.stderr(`permissions: ${stack}: ${error.message}`);
    return 1;
  }

  const fleet = chosen.DeployTraceableAgentInECS ? 'ECS fleet' : 'EC2 fleet';
  const secret = chosen.TraceableRefreshTokenSecretArn ? 'existing token secret' : 'created token secret';
  // The default target (NLB) goes unsaid, as it always did.
  const target = chosen.MirrorTargetType === 'GWLB_ENDPOINT' ? ', Gateway Load Balancer endpoints' : '';
  io.stdout(`Deployer permissions for stack ${stack} (${chosen.Region}, ${chosen.MirrorSourceType}${target}, ${fleet}, ${secret}, ${policies.backend} backend)`);
  io.stdout(`${policies.resourceTypes.length} resource types: ${policies.resourceTypes.join(', ')}`);
  io.stdout(`Account: ${account ?? '* (any; pass --account to name yours)'}`);
  io.stdout(`Permissions boundary of the stack's roles: ${policies.boundaryArn} (create that policy from the boundary policy below; an existing one must allow at least as much)`);
  for (const kind of KINDS.filter((k) => wanted === undefined || wanted === k)) {
    const documents = policies[kind];
    const { header, titles } = describePolicy(kind, documents);
    io.stdout('');
    io.stdout(`# ${header}`);
    documents.forEach((document, i) => {
      const text = formatPolicy(document);
      if (out) {
        const file = join(out, `${stack}-${kind}${documents.length === 1 ? '' : `-${i + 1}`}.json`);
        writeFileSync(file, `${text}\n`);
        io.stdout(`#   ${titles[i] || `${kind} policy`} -> ${file}`);
        return;
      }
      if (titles[i]) io.stdout(`## ${titles[i]}`);
      io.stdout(text);
    });
  }
  return 0;
}
