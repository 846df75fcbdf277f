import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import {
  AGENT_FILES_DIR,
  AGENT_FILES_IN_CONTAINER,
  AGENT_TOKEN_FILE_NAME,
  INSTALL_DIR,
  agentEnvironment,
  bootstrapBundle,
  bootstrapEnvironment,
  renderEcsUserData,
  type BootstrapProps,
} from '../bootstrap';
import { AGENT_TMP_DIR, AGENT_TOKEN_VARIABLE, FEED_DIR, SURICATA_CAPABILITIES, SURICATA_CONF_DIR_IN_CONTAINER, SURICATA_LOG_DIR } from '../bootstrap/constants';
import { addLossAlarms, hostMetric, packetsPerHostTarget, type LossMonitoringSettings } from './host-metrics';
import { addAgentHosts, type AgentHostSettings } from './agent-host';
import { HOST_METRICS, VXLAN_UDP_PORT, agentGroup, resourceNames } from '../shared';
import { ecrPullStatements } from './ecr-pull';

/** Where Suricata's log directory is mounted in the task's containers (its default log directory). */
const SURICATA_LOGS_IN_CONTAINER = '/var/log/suricata';
/** The feed settings (data plane contract) the Suricata container gets, when the bootstrap has them. */
const FEED_SETTINGS = ['TRACEABLE_FEED_MODE', 'TRACEABLE_FEED_PATH', 'TRACEABLE_HTTP_BODY_LIMIT'];

/** What the agent task runs: the images and each container's environment. */
export interface AgentTaskConfiguration {
  readonly suricataImage: string;
  readonly agentImage: string;
  /** The agent container's environment, without the token (agent-entrypoint.sh exports it from a mounted file). */
  readonly agentEnvironment: Record<string, string>;
  /** The agent container's entrypoint: agent-entrypoint.sh with the token file and variable, and no command, so that it
   * execs the image's own entrypoint and command from the file the host wrote beside the token. */
  readonly agentEntryPoint: string[];
  /** suricata-start.sh's: the feed settings. */
  readonly suricataEnvironment: Record<string, string>;
  /** health.py's: port, path, ECS as the supervisor, Suricata's log directory as the container sees it, the feed settings. */
  readonly healthEnvironment: Record<string, string>;
  /** metrics.py's: namespace, group, standard output (the awslogs driver) and the files as the container sees them. */
  readonly metricsEnvironment: Record<string, string>;
  readonly healthPort: number;
}

/**
 * THE place where the EC2 bootstrap's configuration plugs into the ECS fleet: everything the task runs is rendered
 * here from the same {@link BootstrapProps} the EC2 user data is rendered from, and the containers run the same files
 * (bootstrap/files, installed on the ECS hosts by their user data), so both fleet kinds behave the same.
 */
export function renderAgentTaskConfiguration(bootstrap: BootstrapProps): AgentTaskConfiguration {
  const env = bootstrapEnvironment(bootstrap);
  const feed = Object.fromEntries(FEED_SETTINGS.filter((name) => name in env).map((name) => [name, env[name]]));
  return {
    suricataImage: env.TRACEABLE_SURICATA_IMAGE,
    agentImage: env.TRACEABLE_AGENT_IMAGE,
    agentEnvironment: agentEnvironment(bootstrap),
    agentEntryPoint: ['/bin/sh', `${INSTALL_DIR}/bin/agent-entrypoint.sh`, `${AGENT_FILES_IN_CONTAINER}/${AGENT_TOKEN_FILE_NAME}`, AGENT_TOKEN_VARIABLE],
    suricataEnvironment: feed,
    healthEnvironment: {
      TRACEABLE_HEALTH_PORT: env.TRACEABLE_HEALTH_PORT,
      TRACEABLE_HEALTH_PATH: env.TRACEABLE_HEALTH_PATH,
      // "Running" in the task: ECS stops the task when its essential suricata or traceable container exits, as
      // systemd reports the EC2 hosts' units; the rest of the check (stats, feed) is the same on both fleets.
      TRACEABLE_HEALTH_SUPERVISOR: 'ecs',
      TRACEABLE_SURICATA_LOG_DIR: SURICATA_LOGS_IN_CONTAINER,
      ...feed,
    },
    metricsEnvironment: {
      TRACEABLE_METRICS_NAMESPACE: env.TRACEABLE_METRICS_NAMESPACE,
      TRACEABLE_METRICS_GROUP_DIMENSION: env.TRACEABLE_METRICS_GROUP_DIMENSION,
      TRACEABLE_METRICS_GROUP: env.TRACEABLE_METRICS_GROUP,
      TRACEABLE_METRICS_INTERVAL: env.TRACEABLE_METRICS_INTERVAL,
      TRACEABLE_METRICS_SINK: 'stdout',
      TRACEABLE_METRICS_STATE: `${FEED_DIR}/.metrics-state.json`,
      TRACEABLE_STATS_FILE: `${SURICATA_LOGS_IN_CONTAINER}/stats.json`,
      TRACEABLE_FEED_DIR: FEED_DIR,
    },
    healthPort: Number(env.TRACEABLE_HEALTH_PORT),
  };
}

export interface EcsFleetProps extends AgentHostSettings, LossMonitoringSettings {
  /** Target average CPU and memory utilization of the service's tasks, percent. */
  readonly targetUtilization: number;
  /** Target group of the agents (the mirror target NLB's or the Gateway Load Balancer's; target type instance). */
  readonly targetGroupArn: string;
  /** The listener that forwards to the target group: ECS refuses a target group no load balancer uses yet. */
  readonly targetGroupListener: ITerraformDependable;
  /**
   * Who registers the agents in the target group: `ecs-service`, the service each task's instance (NLB); or
   * `autoscaling-group`, the capacity group each instance (a Gateway Load Balancer, which ECS supports only for tasks
   * in awsvpc network mode, not host networking; an instance without a task fails the health check).
   * @default 'ecs-service'
   */
  readonly targetRegistration?: 'ecs-service' | 'autoscaling-group';
  /** Full ARN of the secret holding the refresh token (a Terraform reference when the stack creates it). */
  readonly tokenSecretArn: string;
  /** The configuration the EC2 bootstrap is rendered from; the task runs the same (see {@link renderAgentTaskConfiguration}). */
  readonly bootstrap: BootstrapProps;
  /**
   * CPU units reserved for the agent task (one task per instance; the smallest allowed type has 4 vCPU).
   * @default 3072
   */
  readonly taskCpu?: number;
  /**
   * Memory of the agent task, MiB (hard limit; the smallest allowed type has 8 GiB, of which ECS registers about 7.5).
   * @default 6144
   */
  readonly taskMemoryMiB?: number;
  /**
   * Days the containers' logs are kept in CloudWatch Logs.
   * @default 30
   */
  readonly logRetentionDays?: number;
}

const SURICATA = 'suricata';
const AGENT = 'traceable';
const HEALTH = 'health';
const METRICS = 'metrics';
const SURICATA_LOGS_VOLUME = 'suricata-logs';
const TRACEABLE_HOME_VOLUME = 'traceable-home';
const FEED_VOLUME = 'traceable-feed';
const AGENT_FILES_VOLUME = 'traceable-agent-files';

/** What every container of the task may do (README "Containers: least privilege"): no capability unless added, no new
 * privileges (setuid, file capabilities), a read-only root file system; tmpfs where a container must write besides
 * its volumes. */
function leastPrivilege(opts: { add?: readonly string[]; tmpfs?: { containerPath: string; size: number; mountOptions: string[] }[] } = {}) {
  return {
    readonlyRootFilesystem: true,
    dockerSecurityOptions: ['no-new-privileges'],
    linuxParameters: {
      capabilities: { drop: ['ALL'], ...(opts.add ? { add: [...opts.add] } : {}) },
      ...(opts.tmpfs ? { tmpfs: opts.tmpfs } : {}),
    },
  };
}

/**
 * The agent fleet as an ECS service on EC2 capacity: an autoscaling group of ECS-optimized Amazon Linux 2023 hosts
 * (capacity provider with managed scaling) running one task per host with Suricata, the Traceable agent and the
 * health endpoint as containers on the host network, registered with the mirror target NLB by ECS, scaled by
 * application autoscaling on CPU, memory, packet rate and kernel drops.
 */
export class EcsFleet extends Construct {
  readonly securityGroup: SecurityGroup;
  /** Role of the container instances (ECS agent, SSM); the containers get the task role instead. */
  readonly role: IamRole;
  readonly launchTemplate: LaunchTemplate;
  readonly autoscalingGroup: AutoscalingGroup;
  readonly cluster: EcsCluster;
  readonly capacityProvider: EcsCapacityProvider;
  readonly logGroup: CloudwatchLogGroup;
  /** Pulls the images and writes the logs, nothing else (the hosts read the token secret, see {@link renderEcsUserData}). */
  readonly executionRole: IamRole;
  /** The containers' own role: no permissions (the agent needs none), so no container borrows the instance role's. */
  readonly taskRole: IamRole;
  readonly taskDefinition: EcsTaskDefinition;
  readonly service: EcsService;

  constructor(scope: Construct, id: string, props: EcsFleetProps) {
    super(scope, id);
    const { namePrefix } = props;
    const names = resourceNames(namePrefix);
    const groupNames = agentGroup(namePrefix);
    const clusterName = names.agentGroup;
    const task = renderAgentTaskConfiguration(props.bootstrap);

    const bundle = bootstrapBundle('ecs', props.bootstrap.geneveSourceCidrs);
    const hosts = addAgentHosts(this, {
      ...props,
      launchTemplateDescription: 'Traceable ECS container instance (runs the Suricata + Traceable agent task)',
      roleDescription: 'Traceable ECS container instances: ECS agent, SSM access, read of the refresh token secret',
      managedPolicies: ['AmazonSSMManagedInstanceCore', 'service-role/AmazonEC2ContainerServiceforEC2Role'],
      userData: renderEcsUserData(clusterName, props.bootstrap, bundle),
      bundle,
      // ECS tags the group when managed scaling is on; declaring the tag keeps plans free of drift.
      extraAutoscalingGroupTags: [{ key: 'AmazonECSManaged', value: 'true', propagateAtLaunch: true }],
      ...(props.targetRegistration === 'autoscaling-group' ? { targetGroupArns: [props.targetGroupArn] } : {}),
    });
    this.securityGroup = hosts.securityGroup;
    this.role = hosts.role;
    this.launchTemplate = hosts.launchTemplate;
    this.autoscalingGroup = hosts.autoscalingGroup;

    this.cluster = new EcsCluster(this, 'cluster', { name: clusterName });
    this.capacityProvider = new EcsCapacityProvider(this, 'capacity_provider', {
      // Capacity provider names may not start with aws, ecs or fargate, which a stack name might.
      name: names.capacityProvider,
      autoScalingGroupProvider: {
        autoScalingGroupArn: this.autoscalingGroup.arn,
        // Instance refresh replaces hosts; ECS drains their task first instead of protecting them.
        managedTerminationProtection: 'DISABLED',
        managedDraining: 'ENABLED',
        managedScaling: { status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: props.maxSize },
      },
    });
    const clusterCapacityProviders = new EcsClusterCapacityProviders(this, 'cluster_capacity_providers', {
      clusterName: this.cluster.name,
      capacityProviders: [this.capacityProvider.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: this.capacityProvider.name, weight: 1, base: 0 }],
    });

    this.logGroup = new CloudwatchLogGroup(this, 'log_group', {
      name: names.agentTaskLogGroup,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    const roles = this.addTaskRoles(names, task);
    this.executionRole = roles.execution;
    this.taskRole = roles.task;

    const containerDefinitions = containerDefinitionsOf(task, this.logGroup.name, props.region);

    this.taskDefinition = this.addTaskDefinition(props, containerDefinitions);
    this.service = this.addService(props, clusterName, clusterCapacityProviders);

    const scaleOutOnDrops = this.addScaling(props, groupNames, clusterName);
    addLossAlarms(this, { ...props, alarmNames: groupNames, agentGroupName: clusterName, scaleOutActions: [scaleOutOnDrops.arn] });
  }


  /** Host networking, one task per instance; the volumes are the host's folders the user data prepared. */
  private addTaskDefinition(props: EcsFleetProps, containerDefinitions: ReturnType<typeof containerDefinitionsOf>): EcsTaskDefinition {
    const names = resourceNames(props.namePrefix);
    return new EcsTaskDefinition(this, 'task_definition', {
      family: names.agentTaskFamily,
      requiresCompatibilities: ['EC2'],
      networkMode: 'host',
      cpu: String(props.taskCpu ?? 3072),
      memory: String(props.taskMemoryMiB ?? 6144),
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      // No pidMode: each container has its own PID namespace, so none reads another's /proc/<pid>/environ (the
      // agent's token); health.py leaves "running" to ECS (essential containers).
      volume: [
        // Where the EC2 hosts keep Suricata's logs too (the seed's troubleshooting path).
        { name: SURICATA_LOGS_VOLUME, hostPath: SURICATA_LOG_DIR },
        // The bootstrap files the user data installed (start script, health and metrics), and the feed directory (tmpfs).
        { name: TRACEABLE_HOME_VOLUME, hostPath: INSTALL_DIR },
        { name: FEED_VOLUME, hostPath: FEED_DIR },
        // The agent's token and image command (tmpfs, written by the host with the instance role).
        { name: AGENT_FILES_VOLUME, hostPath: AGENT_FILES_DIR },
      ],
      containerDefinitions: JSON.stringify(containerDefinitions),
    });
  }

  private addService(props: EcsFleetProps, clusterName: string, clusterCapacityProviders: EcsClusterCapacityProviders): EcsService {
    return new EcsService(this, 'service', {
      name: clusterName,
      cluster: this.cluster.id,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: 1,
      capacityProviderStrategy: [{ capacityProvider: this.capacityProvider.name, weight: 1, base: 0 }],
      // Host networking binds UDP 4789 and TCP 8089 on the host: one task per instance, spread over the zones.
      placementConstraints: [{ type: 'distinctInstance' }],
      orderedPlacementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      // ECS registers each task's instance (port 4789) with the NLB's instance-type UDP target group and deregisters
      // it before stopping the task. ECS supports NLB UDP target groups, and with host networking the target is
      // the instance itself. Attaching the autoscaling group to the target group instead (as the EC2 fleet does)
      // would also register hosts that run no task, and the NLB fails open to them when no target is healthy.
      // With registration by the autoscaling group the service has no load balancer (nor its grace period).
      ...(props.targetRegistration === 'autoscaling-group'
        ? {}
        : { loadBalancer: [{ targetGroupArn: props.targetGroupArn, containerName: SURICATA, containerPort: VXLAN_UDP_PORT }], healthCheckGracePeriodSeconds: 300 }),
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // Application autoscaling owns the task count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
      dependsOn: [clusterCapacityProviders, props.targetGroupListener],
    });
  }

  /** Pulls the images and writes the logs (execution); the containers' own role, with no permissions (task). */
  private addTaskRoles(names: ReturnType<typeof resourceNames>, task: ReturnType<typeof renderAgentTaskConfiguration>): { execution: IamRole; task: IamRole } {
    const ecsTasksTrust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const execution = new IamRole(this, 'execution_role', {
      name: names.agentTaskExecutionRole,
      description: 'Traceable agent task execution: image pulls, container logs',
      assumeRolePolicy: ecsTasksTrust,
    });
    new IamRolePolicy(this, 'execution_role_policy', {
      // The name it was created with (a new name would replace the policy); it no longer reads the token.
      name: 'read-token-write-logs',
      role: execution.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'WriteContainerLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${this.logGroup.arn}:*` },
          ...ecrPullStatements([task.suricataImage, task.agentImage]),
        ],
      }),
    });
    const taskRole = new IamRole(this, 'task_role', {
      name: names.agentTaskRole,
      description: 'Traceable agent task: no permissions (the agent calls no AWS API)',
      assumeRolePolicy: ecsTasksTrust,
    });
    return { execution, task: taskRole };
  }

  /** Application autoscaling of the task count: CPU, memory and packets per host tracked, a step out on kernel drops
   * (returned for the drops alarm). */
  private addScaling(props: EcsFleetProps, groupNames: ReturnType<typeof agentGroup>, clusterName: string): AppautoscalingPolicy {
    const scalingTarget = new AppautoscalingTarget(this, 'scaling_target', {
      serviceNamespace: 'ecs',
      resourceId: `service/${this.cluster.name}/${this.service.name}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: 1,
      maxCapacity: props.maxSize,
    });
    for (const [resource, metric, policyName] of [['cpu', 'ECSServiceAverageCPUUtilization', groupNames.cpuPolicy], ['memory', 'ECSServiceAverageMemoryUtilization', groupNames.memoryPolicy]] as const) {
      new AppautoscalingPolicy(this, `${resource}_target_tracking`, {
        name: policyName,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: scalingTarget.serviceNamespace,
        resourceId: scalingTarget.resourceId,
        scalableDimension: scalingTarget.scalableDimension,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: metric },
          targetValue: props.targetUtilization,
          scaleOutCooldown: 60,
          scaleInCooldown: 300,
        },
      });
    }

    // Loss and load: the hosts' own metrics (metrics.py in the task), not only CPU and memory. More tasks need more
    // hosts, which the capacity provider adds.
    const packets = hostMetric(HOST_METRICS.kernelPackets, clusterName);
    new AppautoscalingPolicy(this, 'packets_target_tracking', {
      name: groupNames.packetsPolicy,
      policyType: 'TargetTrackingScaling',
      serviceNamespace: scalingTarget.serviceNamespace,
      resourceId: scalingTarget.resourceId,
      scalableDimension: scalingTarget.scalableDimension,
      targetTrackingScalingPolicyConfiguration: {
        customizedMetricSpecification: {
          namespace: packets.namespace,
          metricName: packets.metricName,
          statistic: 'Average',
          dimensions: Object.entries(packets.dimensions).map(([name, value]) => ({ name, value })),
        },
        targetValue: packetsPerHostTarget(props),
        scaleOutCooldown: 60,
        scaleInCooldown: 300,
      },
    });
    const scaleOutOnDrops = new AppautoscalingPolicy(this, 'drops_step_scaling', {
      name: groupNames.dropsPolicy,
      policyType: 'StepScaling',
      serviceNamespace: scalingTarget.serviceNamespace,
      resourceId: scalingTarget.resourceId,
      scalableDimension: scalingTarget.scalableDimension,
      stepScalingPolicyConfiguration: {
        adjustmentType: 'ChangeInCapacity',
        cooldown: 300,
        metricAggregationType: 'Average',
        stepAdjustment: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
      },
    });
    return scaleOutOnDrops;
  }

}

/** The task's containers: Suricata, the agent, health and metrics, each with least privilege, logging to the group. */
function containerDefinitionsOf(task: ReturnType<typeof renderAgentTaskConfiguration>, logGroupName: string, region: string) {
  const logsTo = (streamPrefix: string) => ({
    logDriver: 'awslogs',
    options: { 'awslogs-group': logGroupName, 'awslogs-region': region, 'awslogs-stream-prefix': streamPrefix },
  });
  const environment = (variables: Record<string, string>) => Object.entries(variables).map(([name, value]) => ({ name, value }));
  const mount = (sourceVolume: string, containerPath: string, readOnly: boolean) => ({ sourceVolume, containerPath, readOnly });
  const home = mount(TRACEABLE_HOME_VOLUME, INSTALL_DIR, true);
  const feed = mount(FEED_VOLUME, FEED_DIR, false);
return [
    {
      name: SURICATA,
      image: task.suricataImage,
      essential: true,
      entryPoint: ['/bin/sh', `${INSTALL_DIR}/bin/suricata-start.sh`],
      environment: environment(task.suricataEnvironment),
      // Host networking: the VXLAN packets arrive on the host's interface, where af-packet captures them.
      portMappings: [{ containerPort: VXLAN_UDP_PORT, hostPort: VXLAN_UDP_PORT, protocol: 'udp' }],
      // As the EC2 hosts' suricata.service: the af-packet socket and its locked ring, nothing else; its configuration
      // for the detected interface goes to a tmpfs.
      ...leastPrivilege({
        add: SURICATA_CAPABILITIES,
        tmpfs: [{ containerPath: SURICATA_CONF_DIR_IN_CONTAINER, size: 1, mountOptions: ['nosuid', 'nodev', 'noexec'] }],
      }),
      mountPoints: [mount(SURICATA_LOGS_VOLUME, SURICATA_LOGS_IN_CONTAINER, false), home, feed],
      logConfiguration: logsTo(SURICATA),
    },
    {
      name: AGENT,
      image: task.agentImage,
      essential: true,
      // The token is in no ECS secret and no environment: the host wrote it with the instance role to a tmpfs file,
      // mounted read-only with the image's own command, and the wrapper exports it before it execs that command.
      entryPoint: task.agentEntryPoint,
      environment: environment(task.agentEnvironment),
      // As agent-run.sh on the EC2 hosts: no capability, a scratch tmpfs.
      ...leastPrivilege({ tmpfs: [{ containerPath: AGENT_TMP_DIR, size: 64, mountOptions: ['nosuid', 'nodev'] }] }),
      mountPoints: [mount(SURICATA_LOGS_VOLUME, SURICATA_LOGS_IN_CONTAINER, true), feed, home, mount(AGENT_FILES_VOLUME, AGENT_FILES_IN_CONTAINER, true)],
      dependsOn: [{ containerName: SURICATA, condition: 'START' }],
      logConfiguration: logsTo(AGENT),
    },
    {
      // The same health.py as the EC2 hosts (the Suricata image carries python3 for suricata-update).
      name: HEALTH,
      image: task.suricataImage,
      essential: true,
      entryPoint: ['python3', `${INSTALL_DIR}/bin/health.py`],
      environment: environment(task.healthEnvironment),
      ...leastPrivilege(),
      portMappings: [{ containerPort: task.healthPort, hostPort: task.healthPort, protocol: 'tcp' }],
      mountPoints: [mount(SURICATA_LOGS_VOLUME, SURICATA_LOGS_IN_CONTAINER, false), home, feed],
      dependsOn: [SURICATA, AGENT].map((containerName) => ({ containerName, condition: 'START' })),
      logConfiguration: logsTo(HEALTH),
    },
    {
      // The same metrics.py as the EC2 hosts; its standard output goes through awslogs, and CloudWatch Logs extracts
      // the metrics from the embedded metric format. Not essential: losing metrics must not stop the capture.
      name: METRICS,
      image: task.suricataImage,
      essential: false,
      entryPoint: ['python3', `${INSTALL_DIR}/bin/metrics.py`],
      environment: environment(task.metricsEnvironment),
      ...leastPrivilege(),
      mountPoints: [mount(SURICATA_LOGS_VOLUME, SURICATA_LOGS_IN_CONTAINER, true), home, feed],
      dependsOn: [{ containerName: SURICATA, condition: 'START' }],
      logConfiguration: logsTo(METRICS),
    },
  ];
}
