import { DescribeInstancesCommand, DescribeInstanceTypesCommand, DescribeNetworkInterfacesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import {
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  AccessPointNotFoundException,
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand,
  DescribeTagsCommand as DescribeClassicTagsCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsCaller, instrumentClients, TimeBudget, type AwsClients } from '../../lambda/aws';
import { discoverSources } from '../../lambda/discovery';
import { InstanceTypeCache, resolveInterfaces } from '../../lambda/discovery/interfaces';
import { SimClock } from '../../scripts/lambda-sim/account';

function mocks() {
  const clients: AwsClients = {
    ec2: new EC2Client({ region: 'us-east-1' }),
    elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    elb: new ElasticLoadBalancingClient({ region: 'us-east-1' }),
    ecs: new ECSClient({ region: 'us-east-1' }),
  };
  return {
    clients,
    ec2: mockClient(clients.ec2),
    elbv2: mockClient(clients.elbv2),
    elb: mockClient(clients.elb),
    ecs: mockClient(clients.ecs),
  };
}

const notFound = () => new LoadBalancerNotFoundException({ message: "Load balancers '[gone]' not found", $metadata: {} });
const arnOf = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/${name}/1`;
const tgArnOf = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/${name}/1`;

describe('LOAD_BALANCER discovery', () => {
  it('reports a missing name, falls back name by name only for the failing batch, and finds v2 and Classic', async () => {
    // Prepare
    const { clients, elbv2, elb } = mocks();
    elbv2.on(DescribeLoadBalancersCommand, { Names: ['shop', 'gone', 'legacy'] }).rejects(notFound());
    elbv2.on(DescribeLoadBalancersCommand, { Names: ['shop'] }).resolves({ LoadBalancers: [{ LoadBalancerName: 'shop', LoadBalancerArn: arnOf('shop') }] });
    elbv2.on(DescribeLoadBalancersCommand, { Names: ['gone'] }).rejects(notFound());
    elbv2.on(DescribeLoadBalancersCommand, { Names: ['legacy'] }).rejects(notFound());
    elbv2.on(DescribeTargetGroupsCommand, { LoadBalancerArn: arnOf('shop') }).resolves({ TargetGroups: [{ TargetGroupArn: tgArnOf('shop-web'), TargetType: 'ip', VpcId: 'vpc-1' }] });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.0.5' }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: '10.0.0.6' }, TargetHealth: { State: 'unhealthy' } },
      ],
    });
    const accessPointNotFound = new AccessPointNotFoundException({ message: 'There is no ACTIVE Load Balancer named gone', $metadata: {} });
    elb.on(DescribeClassicLoadBalancersCommand, { LoadBalancerNames: ['gone', 'legacy'] }).rejects(accessPointNotFound);
    elb.on(DescribeClassicLoadBalancersCommand, { LoadBalancerNames: ['gone'] }).rejects(accessPointNotFound);
    elb.on(DescribeClassicLoadBalancersCommand, { LoadBalancerNames: ['legacy'] }).resolves({
      LoadBalancerDescriptions: [{
        LoadBalancerName: 'legacy',
        Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }],
        ListenerDescriptions: [{ Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 8080 } }],
      }],
    });
    elb.on(DescribeInstanceHealthCommand).resolves({ InstanceStates: [{ InstanceId: 'i-1', State: 'InService' }, { InstanceId: 'i-2', State: 'OutOfService' }] });
    // Act
    const result = await discoverSources(clients, { sourceType: 'LOAD_BALANCER', sources: ['shop', 'gone', 'legacy'], sourceVpcIds: [] });
    // Assess
    expect(result.missingSources).toEqual(['lb/gone']);
    expect(result.failedSources).toEqual([]);
    expect(result.targets).toEqual([
      { ref: { kind: 'ip', ip: '10.0.0.5', vpcId: 'vpc-1' }, source: 'lb/shop', healthy: true, loadBalanced: true },
      { ref: { kind: 'ip', ip: '10.0.0.6', vpcId: 'vpc-1' }, source: 'lb/shop', healthy: false, loadBalanced: true },
      { ref: { kind: 'instance', instanceId: 'i-1' }, source: 'lb/legacy', healthy: true },
      { ref: { kind: 'instance', instanceId: 'i-2' }, source: 'lb/legacy', healthy: false },
    ]);
    // The Classic load balancer's instance port is a target port, for MirrorTcpPortsFromTargets.
    expect(result.targetPorts).toEqual([8080]);
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(4);
  });
});

describe('TARGET_GROUP discovery', () => {
  it('accepts names and ARNs, reports a missing group and skips lambda targets', async () => {
    // Prepare
    const { clients, elbv2 } = mocks();
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['web', 'nope'] }).rejects(new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} }));
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['web'] }).resolves({ TargetGroups: [{ TargetGroupName: 'web', TargetGroupArn: tgArnOf('web'), TargetType: 'instance' }] });
    elbv2.on(DescribeTargetGroupsCommand, { Names: ['nope'] }).rejects(new TargetGroupNotFoundException({ message: 'not found', $metadata: {} }));
    elbv2.on(DescribeTargetGroupsCommand, { TargetGroupArns: [tgArnOf('fn')] }).resolves({ TargetGroups: [{ TargetGroupName: 'fn', TargetGroupArn: tgArnOf('fn'), TargetType: 'lambda' }] });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: tgArnOf('web') }).resolves({ TargetHealthDescriptions: [{ Target: { Id: 'i-9' }, TargetHealth: { State: 'healthy' } }] });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: tgArnOf('fn') }).resolves({ TargetHealthDescriptions: [{ Target: { Id: 'arn:aws:lambda:us-east-1:111122223333:function:f' }, TargetHealth: { State: 'healthy' } }] });
    // Act
    const result = await discoverSources(clients, { sourceType: 'TARGET_GROUP', sources: ['web', 'nope', tgArnOf('fn')], sourceVpcIds: [] });
    // Assess
    expect(result.missingSources).toEqual(['tg/nope']);
    expect(result.targets).toEqual([{ ref: { kind: 'instance', instanceId: 'i-9' }, source: 'tg/web', healthy: true, loadBalanced: false }]);
    expect(result.skips).toEqual([{ reason: 'target-type-not-supported', source: `tg/${tgArnOf('fn')}`, target: 'arn:aws:lambda:us-east-1:111122223333:function:f' }]);
  });
});

describe('LOAD_BALANCER_TAGS discovery', () => {
  it('keeps load balancers of the given VPCs matching key=value or key, asking for tags 20 ARNs at a time', async () => {
    // Prepare
    const { clients, elbv2, elb } = mocks();
    const names = Array.from({ length: 25 }, (_, i) => `lb-${i}`);
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [...names.map((name) => ({ LoadBalancerName: name, LoadBalancerArn: arnOf(name), VpcId: 'vpc-1' })), { LoadBalancerName: 'elsewhere', LoadBalancerArn: arnOf('elsewhere'), VpcId: 'vpc-9' }],
    });
    elbv2.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
      TagDescriptions: input.ResourceArns.map((arn) => ({
        ResourceArn: arn,
        Tags: arn === arnOf('lb-3') ? [{ Key: 'app', Value: 'shop' }] : arn === arnOf('lb-21') ? [{ Key: 'traceable-app', Value: 'x' }] : [{ Key: 'app', Value: 'other' }],
      })),
    }));
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    elb.on(DescribeClassicLoadBalancersCommand).resolves({ LoadBalancerDescriptions: [{ LoadBalancerName: 'old', VPCId: 'vpc-1', Instances: [{ InstanceId: 'i-7' }] }] });
    elb.on(DescribeClassicTagsCommand).resolves({ TagDescriptions: [{ LoadBalancerName: 'old', Tags: [{ Key: 'app', Value: 'shop' }] }] });
    elb.on(DescribeInstanceHealthCommand).resolves({ InstanceStates: [{ InstanceId: 'i-7', State: 'InService' }] });
    // Act
    const result = await discoverSources(clients, { sourceType: 'LOAD_BALANCER_TAGS', sources: ['app=shop', 'traceable-app'], sourceVpcIds: ['vpc-1'] });
    // Assess
    expect(elbv2.commandCalls(DescribeTagsCommand).map((call) => call.args[0].input.ResourceArns?.length)).toEqual([20, 5]);
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand).map((call) => call.args[0].input.LoadBalancerArn)).toEqual([arnOf('lb-3'), arnOf('lb-21')]);
    expect(result.targets).toEqual([{ ref: { kind: 'instance', instanceId: 'i-7' }, source: 'lb/old', healthy: true }]);
  });
});

describe('ECS_CLUSTER discovery', () => {
  it('lists container instances and awsvpc task interfaces, skipping Fargate tasks', async () => {
    // Prepare
    const { clients, ecs } = mocks();
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: ['ci-1'] });
    ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn: 'ci-1', ec2InstanceId: 'i-1', status: 'ACTIVE' }] });
    ecs.on(ListTasksCommand).resolves({ taskArns: ['task-ec2', 'task-fargate', 'task-bridge'] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        { taskArn: 'task-ec2', launchType: 'EC2', lastStatus: 'RUNNING', containerInstanceArn: 'ci-1', attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'networkInterfaceId', value: 'eni-task' }] }] },
        { taskArn: 'task-fargate', launchType: 'FARGATE', lastStatus: 'RUNNING' },
        { taskArn: 'task-bridge', launchType: 'EC2', lastStatus: 'RUNNING', containerInstanceArn: 'ci-1' },
      ],
    });
    // Act
    const result = await discoverSources(clients, { sourceType: 'ECS_CLUSTER', sources: ['prod'], sourceVpcIds: [] });
    // Assess
    expect(result.targets).toEqual([
      { ref: { kind: 'instance', instanceId: 'i-1' }, source: 'ecs/prod', healthy: true },
      { ref: { kind: 'interface', interfaceId: 'eni-task', instanceId: 'i-1' }, source: 'ecs/prod', healthy: true },
    ]);
    expect(result.skips).toEqual([{ reason: 'fargate-task', source: 'ecs/prod', target: 'task-fargate' }]);
  });

  it('reports a cluster that does not exist', async () => {
    // Prepare
    const { clients, ecs } = mocks();
    ecs.on(ListContainerInstancesCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));
    // Act
    const result = await discoverSources(clients, { sourceType: 'ECS_CLUSTER', sources: ['gone'], sourceVpcIds: [] });
    // Assess
    expect(result.missingSources).toEqual(['ecs/gone']);
  });
});

describe('resolveInterfaces', () => {
  it('batches 450 instance lookups 200 per call and retries EC2 RequestLimitExceeded (3 batches, 4 calls)', async () => {
    // Prepare
    const { clients, ec2 } = mocks();
    const clock = new SimClock();
    const caller = new AwsCaller({ clock, budget: new TimeBudget(() => 60_000, 5_000), random: () => 0.5 });
    const ids = Array.from({ length: 450 }, (_, i) => `i-${i}`);
    ec2.on(DescribeInstancesCommand)
      .rejectsOnce(new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: {}, message: 'Request limit exceeded.' }))
      .callsFake((input: { Filters: { Values: string[] }[] }) => ({
        Reservations: [{ Instances: input.Filters[0].Values.map((id) => ({ InstanceId: id, InstanceType: 'm5.large', NetworkInterfaces: [{ NetworkInterfaceId: `eni-${id}`, InterfaceType: 'interface', Attachment: { DeviceIndex: 0 } }] })) }],
      }));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [{ InstanceType: 'm5.large', Hypervisor: 'nitro', BareMetal: false }] });
    const targets = ids.map((instanceId) => ({ ref: { kind: 'instance' as const, instanceId }, source: 'tg/web', healthy: true }));
    // Act
    const resolved = await resolveInterfaces(instrumentClients(clients, caller), [...targets, { ref: { kind: 'ip', ip: '10.9.9.9', vpcId: 'vpc-1' }, source: 'tg/ip', healthy: true }], new InstanceTypeCache());
    // Assess
    expect(ec2.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input.Filters?.[0].Values?.length)).toEqual([200, 200, 200, 50]);
    expect(caller.stats).toEqual({ callsByAction: { DescribeInstanceTypes: 1, DescribeInstances: 4, DescribeNetworkInterfaces: 1 }, throttledRetries: 1, transientRetries: 0 });
    expect(resolved.candidates).toHaveLength(450);
    expect(resolved.candidates[0]).toEqual({ interfaceId: 'eni-i-0', interfaceType: 'interface', instanceId: 'i-0', instanceType: 'm5.large', sources: ['tg/web'], healthy: true, label: 'tg/web' });
    expect(resolved.skips).toEqual([{ reason: 'interface-not-found', source: 'tg/ip', target: '10.9.9.9' }]);
    expect(clock.now()).toBeGreaterThan(1_700_000_000_000);
  });
});
