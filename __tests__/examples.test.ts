/**
 * The shipped example configurations (examples/README.md lists them): each loads without a problem or a warning, the
 * app synthesizes each folder, and the synthesized stack has what its mode is about, so the examples cannot go stale.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadConfig, type MirroringConfig } from '../config';
import { MIRROR_SOURCE_TYPES, MIRROR_TARGET_TYPES } from '../shared';
import { runApp } from '../stacks/app';
import type { TerraformJson } from './helpers/synth';

const root = join(__dirname, '..');
const examplesDir = join(root, 'examples');

const exampleFiles = readdirSync(examplesDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
  .map((entry) => relative(root, join(entry.parentPath, entry.name)))
  .sort();

const examples = exampleFiles.map((file) => ({ file, ...loadConfig(join(root, file)) }));

/** Synthesizes every example as the app does (`MIRRORING_CONFIG=<folder or file> npm run synth`), one app per folder. */
function synthesizeAll(): Map<string, TerraformJson> {
  const stacks = new Map<string, TerraformJson>();
  for (const spec of ['examples/config.json', 'examples/environments', 'examples/modes']) {
    const outdir = mkdtempSync(join(tmpdir(), 'examples-'));
    expect(runApp(join(root, spec), outdir)).toEqual({ exitCode: 0, stderr: '' });
    for (const stack of readdirSync(join(outdir, 'stacks'))) stacks.set(stack, JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')));
  }
  return stacks;
}

describe('examples/', () => {
  const stacks = synthesizeAll();
  const stackOf = (config: MirroringConfig) => stacks.get(config.StackName)!;
  const addresses = (json: TerraformJson, type: string) => Object.keys(json.resource[type] ?? {}).sort();

  it('are the README\'s list, and each loads without a problem or a warning', () => {
    const readme = readFileSync(join(examplesDir, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/\]\(([^)]+\.json)\)/g)].map((match) => `examples/${match[1]}`).sort();
    expect(listed).toEqual(exampleFiles);
    expect(examples.filter((example) => example.warnings.length > 0).map(({ file, warnings }) => ({ file, warnings }))).toEqual([]);
  });

  it('cover every source type, both target types, both fleets, an existing and a created token secret, and same-zone delivery', () => {
    const configs = examples.map((example) => example.config);
    expect(new Set(configs.map((config) => config.MirrorSourceType))).toEqual(new Set(MIRROR_SOURCE_TYPES));
    expect(new Set(configs.map((config) => config.MirrorTargetType))).toEqual(new Set(MIRROR_TARGET_TYPES));
    expect(new Set(configs.map((config) => config.DeployTraceableAgentInECS))).toEqual(new Set([true, false]));
    expect(new Set(configs.map((config) => Boolean(config.TraceableRefreshTokenSecretArn)))).toEqual(new Set([true, false]));
    expect(configs.some((config) => config.SameZoneDelivery)).toBe(true);
    expect(configs.some((config) => config.SourceAccounts.length > 0)).toBe(true);
    // A stack per configuration, and one per source account of it (`<StackName>-<AccountId>`).
    const stackNames = configs.flatMap((config) => [config.StackName, ...config.SourceAccounts.map((account) => `${config.StackName}-${account.AccountId}`)]);
    expect([...stacks.keys()].sort()).toEqual(stackNames.sort());
  });

  const withAccounts = (targetType: MirroringConfig['MirrorTargetType']) =>
    examples.filter((example) => example.config.SourceAccounts.length > 0 && example.config.MirrorTargetType === targetType).map((example) => [example.file, example.config] as const);

  it.each(withAccounts('NLB'))('%s shares the target with each source account', (_file, config) => {
    const principals = Object.values(stackOf(config).resource.aws_ram_principal_association ?? {}).map((association: any) => association.principal);
    expect(principals.sort()).toEqual(config.SourceAccounts.map((account) => account.AccountId).sort());
  });

  it.each(withAccounts('GWLB_ENDPOINT'))('%s allows each source account on the endpoint service, whose stack has an endpoint and a target per subnet', (_file, config) => {
    const service = stackOf(config).resource.aws_vpc_endpoint_service.mirror_endpoint_service;
    for (const account of config.SourceAccounts) {
      expect(service.allowed_principals).toContain(`arn:aws:iam::${account.AccountId}:root`);
      const json = stacks.get(`${config.StackName}-${account.AccountId}`)!;
      const subnets = account.GatewayLoadBalancerEndpoints.flatMap((vpc) => vpc.SubnetIds.map((subnet) => subnet.replace(/-/g, '_')));
      expect(addresses(json, 'aws_vpc_endpoint')).toEqual(subnets.map((subnet) => `source_endpoint_${subnet}`).sort());
      expect(addresses(json, 'aws_ec2_traffic_mirror_target')).toEqual(subnets.map((subnet) => `source_mirror_target_${subnet}`).sort());
    }
  });

  it.each(examples.filter((example) => example.config.SourceAccounts.length > 0).map((example) => [example.file, example.config] as const))(
    '%s gives each source account a stack that assumes its role and runs its session Lambda',
    (_file, config) => {
      for (const account of config.SourceAccounts) {
        const json = stacks.get(`${config.StackName}-${account.AccountId}`)!;
        expect(json.provider.aws[0].assume_role).toEqual([expect.objectContaining({ role_arn: account.RoleArn })]);
        const input = JSON.parse(json.resource.aws_lambda_invocation.source_sessions_apply_time_run.input);
        expect({ sourceType: input.sourceType, sources: input.sources }).toEqual({ sourceType: account.MirrorSourceType, sources: account.MirrorSource });
      }
    },
  );

  it.each(examples.map((example) => [example.file, example.config] as const))('%s synthesizes what its mode is about', (_file, config) => {
    const json = stackOf(config);
    const sessions = !['MANUAL', 'FARGATE'].includes(config.MirrorSourceType);
    expect(addresses(json, 'aws_lambda_function')).toEqual(sessions ? ['sessions_cleanup_function', 'sessions_function'] : []);
    expect(addresses(json, 'aws_route53_zone')).toEqual(config.MirrorSourceType === 'FARGATE' ? ['fargate_dns_zone'] : []);
    expect(addresses(json, 'aws_ecs_cluster')).toEqual(config.DeployTraceableAgentInECS ? ['ecs_fleet_cluster'] : []);
    expect(addresses(json, 'aws_secretsmanager_secret')).toEqual(config.TraceableRefreshTokenSecretArn ? [] : ['token_secret']);
    const groups = config.DeployTraceableAgentInECS ? ['ecs_fleet_autoscaling_group']
      : config.SameZoneDelivery ? config.SubnetIds.map((subnet) => `fleet_zone_${subnet.replace(/-/g, '_')}_autoscaling_group`).sort()
        : ['fleet_autoscaling_group'];
    expect(addresses(json, 'aws_autoscaling_group')).toEqual(groups);
    const gateway = config.MirrorTargetType === 'GWLB_ENDPOINT';
    expect(addresses(json, 'aws_lb')).toEqual([gateway ? 'mirror_gwlb' : 'mirror_nlb']);
    const endpointSubnets = config.GatewayLoadBalancerEndpoints.flatMap((vpc) => vpc.SubnetIds.map((subnet) => subnet.replace(/-/g, '_')));
    expect(addresses(json, 'aws_ec2_traffic_mirror_target')).toEqual(gateway ? endpointSubnets.map((subnet) => `mirror_mirror_target_${subnet}`).sort() : ['mirror_mirror_target']);
    if (sessions) {
      const sources = JSON.parse(json.resource.aws_lambda_invocation.sessions_apply_time_run.input).sources;
      expect(sources).toEqual(config.MirrorSource);
    }
  });
});
