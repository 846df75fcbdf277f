/**
 * `traceable-mirroring-doctor-source` (`npm run doctor:source --`) `--stack <collector StackName> --account <source AccountId>
 * (--mirror-target-id <tmt-...> | --endpoint-service-name <com.amazonaws.vpce...>) [--config path]`: the doctor of one source account, run with that account's credentials (e.g. a profile whose
 * role_arn is the account's RoleArn). The collector's own doctor (`npm run doctor`) checks the target's health.
 * Exit 0 when no check failed, 1 when one did, 2 for usage and configuration errors.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { CONFIG_FIELDS } from '../../config';
import { planSourceAccounts, type SourceAccountPlan } from '../../plan';
import { credentialsProblem, parseFlags, selectStack } from './cli';
import { exitCodeOf, formatReport } from './report';
import { checkSharedTarget, checkSourceAccountSessions, checkSourceEndpointMode } from './source-accounts';

const SOURCE_USAGE = 'usage: traceable-mirroring-doctor-source --stack <collector StackName> --account <source AccountId> (--mirror-target-id <the collector\'s mirror_target_id> | --endpoint-service-name <the collector\'s endpoint_service_name>) [--config <file, comma-separated files or directory>]';

const SOURCE_HELP = [
  SOURCE_USAGE,
  '',
  'The doctor of one source account, run with that account\'s credentials (e.g. a profile whose role_arn is the account\'s',
  'RoleArn): is the collector\'s mirror target shared with it and accepted, and are its stack\'s sessions toward that target.',
  'With MirrorTargetType GWLB_ENDPOINT: is the collector\'s endpoint service visible to it, has each of its configured subnets',
  'an available endpoint of that service with a traffic mirror target, and are its stack\'s sessions toward those targets.',
  'The collector\'s own doctor (traceable-mirroring-doctor) checks the target\'s health.',
  '',
  '  --stack                  the collector\'s StackName',
  '  --account                the source account\'s AccountId, as in the collector\'s SourceAccounts',
  '  --mirror-target-id       NLB: the collector\'s output mirror_target_id (tmt-...)',
  '  --endpoint-service-name  GWLB_ENDPOINT: the collector\'s output endpoint_service_name (default: SharedEndpointServiceName)',
  '  --config                 the configuration: a file, comma-separated files or a directory (default: MIRRORING_CONFIG, else the example)',
  '',
  'In a clone of the repository: npm run doctor:source -- <the same flags>.',
  'Exit 0 when no check failed, 1 when one did, 2 for usage, configuration and credential errors.',
].join('\n');

export interface SourceDoctorIo {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** EC2 of the region, with the source account's credentials. */
  ec2For: (region: string) => EC2Client;
  /** Resolves those credentials, once, before any check; throws when there are none. */
  checkCredentials: (region: string) => Promise<void>;
}

export async function runSourceDoctor(argv: readonly string[], io: SourceDoctorIo): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`doctor: ${message}`);
    io.stderr(SOURCE_USAGE);
    return 2;
  };
  const parsed = parseFlags(argv, ['stack', 'account', 'mirror-target-id', 'endpoint-service-name', 'config']);
  if ('help' in parsed) {
    io.stdout(SOURCE_HELP);
    return 0;
  }
  if ('error' in parsed) return usage(parsed.error);
  const { stack, account, config } = parsed.values;
  const targetId = parsed.values['mirror-target-id'];
  if (!stack || !account) return usage('--stack and --account are required');
  if (targetId !== undefined && !/^tmt-[0-9a-f]{8,17}$/.test(targetId)) return usage(`--mirror-target-id: got ${JSON.stringify(targetId)}; expected a traffic mirror target ID such as tmt-0123456789abcdef0`);
  const selected = selectStack('doctor', stack, config, io.env);
  if ('error' in selected) {
    io.stderr(selected.error);
    return 2;
  }
  const sources = planSourceAccounts(selected.chosen.config);
  const plan = sources.find((source) => source.accountId === account);
  if (!plan) return usage(`--account: ${account} is not among ${stack}'s SourceAccounts (${sources.map((source) => source.accountId).join(', ') || 'none'})`);
  const target = targetOf(plan, stack, targetId, parsed.values['endpoint-service-name']);
  if ('error' in target) return usage(target.error);
  try {
    await io.checkCredentials(plan.region);
  } catch (error) {
    io.stderr(`doctor: ${credentialsProblem(plan.region, error)}`);
    return 2;
  }
  const ec2 = io.ec2For(plan.region);
  const checks = 'serviceName' in target
    ? await checkSourceEndpointMode(ec2, plan, target.serviceName)
    : [await checkSharedTarget(ec2, plan, target.targetId), await checkSourceAccountSessions(ec2, plan, target.targetId)];
  const report = { stackName: plan.stackName, region: plan.region, sourceType: plan.sources.sourceType, ecs: false, checks, unhealthyInstanceIds: [] };
  for (const line of formatReport(report)) io.stdout(line);
  return exitCodeOf(report);
}

/** What the account's sessions target by the stack's MirrorTargetType: the shared target's ID, or the endpoint service's name. */
function targetOf(plan: SourceAccountPlan, stack: string, targetId: string | undefined, serviceFlag: string | undefined): { targetId: string } | { serviceName: string } | { error: string } {
  if (plan.mirrorTarget.kind === 'shared-target') {
    if (serviceFlag !== undefined) return { error: `--endpoint-service-name: ${stack} uses MirrorTargetType NLB; give --mirror-target-id (the collector's mirror_target_id output)` };
    return targetId ? { targetId } : { error: '--mirror-target-id is required (the collector\'s mirror_target_id output)' };
  }
  if (targetId !== undefined) return { error: `--mirror-target-id: ${stack} uses MirrorTargetType GWLB_ENDPOINT: the account's sessions target its own endpoints; give --endpoint-service-name (the collector's endpoint_service_name output)` };
  const serviceName = serviceFlag ?? plan.mirrorTarget.sharedEndpointServiceName;
  if (!serviceName) return { error: '--endpoint-service-name is required (the collector\'s endpoint_service_name output) when the configuration has no SharedEndpointServiceName' };
  // The configuration's own rule for SharedEndpointServiceName; its message allows "" too, which a flag cannot be.
  const checked = CONFIG_FIELDS.SharedEndpointServiceName.schema.safeParse(serviceName);
  if (!checked.success) return { error: `--endpoint-service-name: got ${JSON.stringify(serviceName)}; expected ${checked.error.issues[0].message.replace(/^"" or /, '')}` };
  return { serviceName };
}
