/**
 * The deployment plan: what each configuration builds, derived once (plan/). Pure: no synth, exact values.
 */
import { MIRROR_SOURCE_TYPES, isSessionSourceType } from '../shared';
import { bootstrapPropsOf, planDeployment, tokenSecretId } from '../plan';
import { SOURCES } from './helpers/mode-sources';
import { configOf } from './helpers/base-config';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traceable-AbCdEf';

describe('sources: what each MirrorSourceType builds', () => {
  test.each(MIRROR_SOURCE_TYPES.map((type) => [type]))('%s', (type) => {
    const { sources } = planDeployment(configOf({ MirrorSourceType: type, ...SOURCES[type] }));
    const expected = {
      LOAD_BALANCER: 'sessions', LOAD_BALANCER_TAGS: 'sessions', TARGET_GROUP: 'sessions', ECS_CLUSTER: 'sessions', INSTANCE_TAGS: 'sessions',
      FARGATE: 'fargate', MANUAL: 'manual',
    }[type];
    expect(sources.kind).toBe(expected);
    expect(isSessionSourceType(type)).toBe(expected === 'sessions');
  });

  test('sessions carry the sources and the session Lambda settings', () => {
    const plan = planDeployment(configOf({
      MirrorSourceType: 'LOAD_BALANCER_TAGS', MirrorSource: 'mirror=yes', MirrorSourceVpcId: 'vpc-0aaaaaaaaaaaaaaa1',
      MirrorUnhealthyTargets: true, MirrorSessionBudget: 40, MirrorTcpPortsFromTargets: true, MirroringSessionLambdaTimeout: 300, MirroringSessionLambdaInterval: 10,
    }));
    expect(plan.sources).toEqual({
      kind: 'sessions', sourceType: 'LOAD_BALANCER_TAGS', sources: ['mirror=yes'], sourceVpcIds: ['vpc-0aaaaaaaaaaaaaaa1'],
      mirrorUnhealthyTargets: true, sessionBudget: 40, tcpPortsFromTargets: true, timeoutSeconds: 300, intervalMinutes: 10,
    });
    expect(plan.mirror).toEqual({ sourceCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], tcpPorts: [], rulesManagedAtRunTime: true, sameZoneDelivery: false });
  });

  test('FARGATE carries its DNS settings: a created zone by default, the given zone and sidecar image otherwise', () => {
    expect(planDeployment(configOf({ MirrorSourceType: 'FARGATE', ...SOURCES.FARGATE })).sources).toEqual({
      kind: 'fargate', sourceVpcIds: ['vpc-0aaaaaaaaaaaaaaa1'], zoneName: 'private.traceable.ai', existingZoneId: undefined, recordName: 'mirroring-fargate', sidecarImage: undefined,
    });
    expect(planDeployment(configOf({ MirrorSourceType: 'FARGATE', MirrorSource: '', Route53ZoneId: 'Z0123456789ABCDEFGHIJ', Route53SubdomainName: 'fw', FargatePacketForwarderImage: 'my/pf:1' })).sources).toEqual({
      kind: 'fargate', sourceVpcIds: [], zoneName: 'private.traceable.ai', existingZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'fw', sidecarImage: 'my/pf:1',
    });
  });

  test('MirrorTcpPorts become port ranges', () => {
    expect(planDeployment(configOf({ MirrorTcpPorts: '443,8000-8099' })).mirror.tcpPorts).toEqual([{ from: 443, to: 443 }, { from: 8000, to: 8099 }]);
  });
});

describe('fleet', () => {
  test('EC2 by default: Amazon Linux 2023 of the instance type\'s architecture, one group', () => {
    const { fleet } = planDeployment(configOf({ InstanceType: 'm5.xlarge' }));
    expect(fleet).toMatchObject({
      kind: 'ec2', instanceType: 'm5.xlarge', architecture: 'x86_64', rootDeviceName: '/dev/xvda', keyName: undefined, maxSize: 3, targetUtilization: 70,
      imageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', perSubnetGroups: false, agentGroupNames: ['traffic-mirroring-agents'],
    });
  });

  test('SameZoneDelivery: one group per subnet, in SubnetIds order', () => {
    const { fleet } = planDeployment(configOf({ SameZoneDelivery: true }));
    expect(fleet).toMatchObject({ kind: 'ec2', perSubnetGroups: true, agentGroupNames: ['traffic-mirroring-agents-subnet-0123456789abcdef0', 'traffic-mirroring-agents-subnet-0123456789abcdef1'] });
  });

  test('CustomInstanceType overrides InstanceType and decides the architecture; a custom Ubuntu AMI its root device', () => {
    expect(planDeployment(configOf({ CustomInstanceType: 'c7g.2xlarge' })).fleet).toMatchObject({
      instanceType: 'c7g.2xlarge', architecture: 'arm64', imageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    });
    expect(planDeployment(configOf({ CustomAMI: 'ami-0123456789abcdef0', CustomAMIOperatingSystem: 'ubuntu', KeyName: 'ops' })).fleet).toMatchObject({
      imageId: 'ami-0123456789abcdef0', rootDeviceName: '/dev/sda1', keyName: 'ops',
    });
  });

  test('ECS: the ECS-optimized AMI of the architecture', () => {
    expect(planDeployment(configOf({ DeployTraceableAgentInECS: true })).fleet).toMatchObject({
      kind: 'ecs', imageId: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id', agentGroupNames: ['traffic-mirroring-agents'],
    });
    expect(planDeployment(configOf({ DeployTraceableAgentInECS: true, InstanceType: 'm6g.xlarge' })).fleet).toMatchObject({
      kind: 'ecs', architecture: 'arm64', imageId: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
    });
  });

  test('the hosts boot from the bootstrap props of the configuration', () => {
    const config = configOf({ AgentFeed: 'file', HttpBodyLimit: '64kb', TraceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ta:1.2.3' });
    expect(planDeployment(config).fleet.bootstrap).toEqual({
      region: 'eu-west-1',
      tokenSecretId: 'traffic-mirroring/traceable-refresh-token',
      traceableEnvironment: 'staging',
      traceableServiceName: 'checkout',
      traceableApiEndpoint: 'api.traceable.ai',
      traceableAgentVersion: config.TraceableAgentVersion,
      traceableAgentImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ta:1.2.3',
      suricataImage: config.SuricataImage,
      agentGroupName: 'traffic-mirroring-agents',
      metricsLogGroupName: '/traceable/traffic-mirroring/host-metrics',
      feedMode: 'file',
      httpBodyLimit: 65536,
    });
    expect(bootstrapPropsOf(config)).toEqual(planDeployment(config).fleet.bootstrap);
  });
});

describe('token secret', () => {
  test('created: its name and recovery window, and no way for a token to reach Terraform', () => {
    const plan = planDeployment(configOf({ StackName: 'shop-prod', TokenSecretRecoveryWindowDays: 0 }));
    expect(plan.tokenSecret).toEqual({ kind: 'created', name: 'shop-prod/traceable-refresh-token', recoveryWindowDays: 0 });
    expect(tokenSecretId(plan.tokenSecret)).toBe('shop-prod/traceable-refresh-token');
  });

  test('existing: the ARN, which the hosts read as it is', () => {
    const plan = planDeployment(configOf({ TraceableRefreshTokenSecretArn: SECRET_ARN }));
    expect(plan.tokenSecret).toEqual({ kind: 'existing', arn: SECRET_ARN });
    expect(plan.fleet.bootstrap.tokenSecretId).toBe(SECRET_ARN);
  });
});

describe('names, tags and the alarm topic', () => {
  test('the names from StackName (shared/names.ts); tags are the configured Tags and traceable:stack', () => {
    const plan = planDeployment(configOf({ StackName: 'shop-prod', Tags: { team: 'sec' } }));
    expect(plan.tags).toEqual({ team: 'sec', 'traceable:stack': 'shop-prod' });
    expect(plan.names).toMatchObject({
      loadBalancer: 'shop-prod-nlb', targetGroup: 'shop-prod-vxlan', agentGroup: 'shop-prod-agents', sessionFunction: 'shop-prod-mirror-sessions',
      hostMetricsLogGroup: '/traceable/shop-prod/host-metrics', sessionLogGroup: '/aws/lambda/shop-prod-mirror-sessions',
      cleanupFunction: 'shop-prod-mirror-sessions-cleanup', cleanupLogGroup: '/aws/lambda/shop-prod-mirror-sessions-cleanup',
      tokenSecret: 'shop-prod/traceable-refresh-token', alarmTopic: 'shop-prod-alarms',
    });
  });

  test('the alarm topic: created, or the given one', () => {
    expect(planDeployment(configOf()).alarmTopic).toEqual({ kind: 'created' });
    expect(planDeployment(configOf({ AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' })).alarmTopic).toEqual({ kind: 'existing', arn: 'arn:aws:sns:eu-west-1:123456789012:ops' });
  });
});

describe('outputs to declare', () => {
  const COMMON = ['mirror_target_id', 'mirror_filter_id', 'nlb_arn', 'nlb_dns_name', 'autoscaling_group_name', 'token_secret_arn', 'alarm_topic_arn'];
  test.each([
    ['LOAD_BALANCER on EC2', {}, COMMON],
    ['ECS fleet', { DeployTraceableAgentInECS: true }, [...COMMON, 'ecs_cluster_name', 'ecs_service_name']],
    ['FARGATE', { MirrorSourceType: 'FARGATE', MirrorSource: '' }, [...COMMON, 'fargate_target_fqdn', 'fargate_sidecar_container_definition']],
    ['MANUAL on ECS', { MirrorSourceType: 'MANUAL', MirrorSource: '', DeployTraceableAgentInECS: true }, [...COMMON, 'ecs_cluster_name', 'ecs_service_name', 'example_mirror_session_command']],
  ])('%s', (_name, overrides, names) => {
    expect(planDeployment(configOf(overrides)).outputs.map((output) => output.name)).toEqual(names);
  });

  test('per-subnet groups are named in one comma-separated output', () => {
    const output = planDeployment(configOf({ SameZoneDelivery: true })).outputs.find((item) => item.name === 'autoscaling_group_name');
    expect(output?.description).toBe('Autoscaling groups of the agent hosts, one per subnet (SameZoneDelivery), comma-separated');
  });
});
