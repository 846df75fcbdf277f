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
  CAPTURE_INTERFACE_PLACEHOLDER,
  INSTALL_DIR,
  agentEnvironment,
  bootstrapEnvironment,
  bootstrapFiles,
  type BootstrapProps,
} from '../bootstrap';
import { REFRESH_TOKEN_SECRET_KEY, SURICATA_LOG_DIR, VXLAN_UDP_PORT } from '../bootstrap/constants';
import type { CpuArchitecture } from '../stacks/instance-types';
import { addAgentHosts, type AgentHostSettings } from './agent-host';
import { resourceNames } from './resource-names';
import { ecrPullStatements } from './ecr-pull';

/** The ECS-optimized Amazon Linux 2023 AMI for an architecture, resolved by EC2 at launch (no data source). */
export function ecsOptimizedImageId(architecture: CpuArchitecture): string {
  const variant = architecture === 'arm64' ? 'arm64/' : '';
  return `resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/${variant}recommended/image_id`;
}

/** What the agent task runs: the images, the Suricata configuration and the agent's settings. */
export interface AgentTaskConfiguration {
  readonly suricataImage: string;
  readonly agentImage: string;
  /** Suricata's configuration with {@link captureInterfacePlaceholder} where the capture interface goes. */
  readonly suricataYamlTemplate: string;
  readonly captureInterfacePlaceholder: string;
  /** The agent container's environment, without the token. */
  readonly agentEnvironment: Record<string, string>;
  /** Health endpoint the NLB probes (port, path) and Suricata's eve file, as the EC2 hosts have them. */
  readonly healthPort: string;
  readonly healthPath: string;
  readonly eveFile: string;
}

/**
 * THE place where the EC2 bootstrap's configuration plugs into the ECS fleet: everything the task runs is rendered
 * here from the same {@link BootstrapProps} the EC2 user data is rendered from, so both fleet kinds run the same
 * images, Suricata configuration and agent settings.
 */
export function renderAgentTaskConfiguration(bootstrap: BootstrapProps): AgentTaskConfiguration {
  const env = bootstrapEnvironment(bootstrap);
  const suricataYaml = bootstrapFiles().find((file) => file.path === `${INSTALL_DIR}/etc/suricata.yaml`);
  if (!suricataYaml) throw new Error(`bootstrap: no ${INSTALL_DIR}/etc/suricata.yaml among the bootstrap files`);
  return {
    suricataImage: env.TRACEABLE_SURICATA_IMAGE,
    agentImage: env.TRACEABLE_AGENT_IMAGE,
    suricataYamlTemplate: suricataYaml.content,
    captureInterfacePlaceholder: CAPTURE_INTERFACE_PLACEHOLDER,
    agentEnvironment: agentEnvironment(bootstrap),
    healthPort: env.TRACEABLE_HEALTH_PORT,
    healthPath: env.TRACEABLE_HEALTH_PATH,
    eveFile: env.TRACEABLE_EVE_FILE,
  };
}

export interface EcsFleetProps extends AgentHostSettings {
  /** Target average CPU and memory utilization of the service's tasks, percent. */
  readonly targetUtilization: number;
  /** Target group the service registers its tasks with (the mirror target NLB's; target type instance). */
  readonly targetGroupArn: string;
  /** The listener that forwards to the target group: ECS refuses a target group no load balancer uses yet. */
  readonly targetGroupListener: ITerraformDependable;
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
  /**
   * Size above which the health container empties Suricata's eve.json (the agent has read it by then; the EC2
   * hosts rotate it with logrotate instead).
   * @default 100 MiB
   */
  readonly eveMaxBytes?: number;
}

const SURICATA = 'suricata';
const AGENT = 'traceable';
const HEALTH = 'health';
const SURICATA_LOGS_VOLUME = 'suricata-logs';
const SURICATA_LOGS_IN_CONTAINER = '/var/log/suricata';

/**
 * Suricata's start in its container: find the primary interface (default route; host networking, so the host's),
 * write the configuration with it, run Suricata. POSIX sh only, and no "${": Terraform would read it as interpolation.
 */
const SURICATA_START = [
  'set -eu',
  'iface=""',
  'while read -r name destination _; do if [ "$destination" = 00000000 ]; then iface="$name"; break; fi; done < /proc/net/route',
  'if [ -z "$iface" ]; then echo "suricata: no default route, cannot tell the capture interface" >&2; exit 1; fi',
  'mkdir -p /etc/traceable/suricata',
  'printf %s "$TRACEABLE_SURICATA_YAML_B64" | base64 -d | sed "s/$TRACEABLE_CAPTURE_PLACEHOLDER/$iface/g" > /etc/traceable/suricata/suricata.yaml',
  'exec suricata -c /etc/traceable/suricata/suricata.yaml --af-packet',
].join('\n');

/**
 * The health endpoint the NLB probes, in its own container (the Suricata image carries python3 for suricata-update).
 * It answers 200 while the task runs: Suricata and the agent are essential, so ECS stops the whole task, this
 * endpoint included, when either exits. It also keeps eve.json from filling the disk (no logrotate on ECS hosts).
 */
const HEALTH_SERVER = `import os, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ["TRACEABLE_HEALTH_PORT"])
PATH = os.environ["TRACEABLE_HEALTH_PATH"]
EVE = os.environ["TRACEABLE_EVE_FILE"]
EVE_MAX_BYTES = int(os.environ["TRACEABLE_EVE_MAX_BYTES"])


def trim_eve():
    while True:
        time.sleep(60)
        try:
            if os.path.getsize(EVE) > EVE_MAX_BYTES:
                os.truncate(EVE, 0)  # Suricata appends (O_APPEND), so it goes on writing at the start
        except OSError:
            pass


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        found = self.path.split("?", 1)[0] == PATH
        body = b"ok\\n" if found else b"not found\\n"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


threading.Thread(target=trim_eve, daemon=True).start()
ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
`;

/**
 * The agent fleet as an ECS service on EC2 capacity: an autoscaling group of ECS-optimized Amazon Linux 2023 hosts
 * (capacity provider with managed scaling) running one task per host with Suricata, the Traceable agent and the
 * health endpoint as containers on the host network, registered with the mirror target NLB by ECS, scaled by
 * application autoscaling on CPU and memory.
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
  /** Pulls the images, writes the logs and reads the token secret, nothing else. */
  readonly executionRole: IamRole;
  /** The containers' own role: no permissions (the agent needs none), so no container borrows the instance role's. */
  readonly taskRole: IamRole;
  readonly taskDefinition: EcsTaskDefinition;
  readonly service: EcsService;

  constructor(scope: Construct, id: string, props: EcsFleetProps) {
    super(scope, id);
    const { namePrefix } = props;
    const clusterName = resourceNames(namePrefix).agentGroup;
    const task = renderAgentTaskConfiguration(props.bootstrap);

    const hosts = addAgentHosts(this, {
      ...props,
      launchTemplateDescription: 'Traceable ECS container instance (runs the Suricata + Traceable agent task)',
      roleDescription: 'Traceable ECS container instances: ECS agent and SSM access only',
      managedPolicies: ['AmazonSSMManagedInstanceCore', 'service-role/AmazonEC2ContainerServiceforEC2Role'],
      userData: [
        '#!/bin/bash',
        `# Joins the ECS cluster ${clusterName}; its service brings Suricata and the Traceable agent as containers.`,
        "cat >> /etc/ecs/ecs.config <<'ECS_CONFIG_END'",
        `ECS_CLUSTER=${clusterName}`,
        // Host-network containers then get the (empty) task role's credentials, not the instance role's.
        'ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true',
        'ECS_CONFIG_END',
        '',
      ].join('\n'),
      // ECS tags the group when managed scaling is on; declaring the tag keeps plans free of drift.
      extraAutoscalingGroupTags: [{ key: 'AmazonECSManaged', value: 'true', propagateAtLaunch: true }],
    });
    this.securityGroup = hosts.securityGroup;
    this.role = hosts.role;
    this.launchTemplate = hosts.launchTemplate;
    this.autoscalingGroup = hosts.autoscalingGroup;

    this.cluster = new EcsCluster(this, 'cluster', { name: clusterName });
    this.capacityProvider = new EcsCapacityProvider(this, 'capacity_provider', {
      // Capacity provider names may not start with aws, ecs or fargate, which a stack name might.
      name: `traceable-${namePrefix}`,
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
      name: `/traceable/${namePrefix}/agents`,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    const ecsTasksTrust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    this.executionRole = new IamRole(this, 'execution_role', {
      name: `${namePrefix}-agent-execution`,
      description: 'Traceable agent task execution: read of the refresh token secret, container logs',
      assumeRolePolicy: ecsTasksTrust,
    });
    new IamRolePolicy(this, 'execution_role_policy', {
      name: 'read-token-write-logs',
      role: this.executionRole.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadRefreshToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: props.tokenSecretArn },
          { Sid: 'WriteContainerLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${this.logGroup.arn}:*` },
          ...ecrPullStatements([task.suricataImage, task.agentImage]),
        ],
      }),
    });
    this.taskRole = new IamRole(this, 'task_role', {
      name: `${namePrefix}-agent-task`,
      description: 'Traceable agent task: no permissions (the agent calls no AWS API)',
      assumeRolePolicy: ecsTasksTrust,
    });

    const logsTo = (streamPrefix: string) => ({
      logDriver: 'awslogs',
      options: { 'awslogs-group': this.logGroup.name, 'awslogs-region': props.region, 'awslogs-stream-prefix': streamPrefix },
    });
    const environment = (variables: Record<string, string>) => Object.entries(variables).map(([name, value]) => ({ name, value }));
    const containerDefinitions = [
      {
        name: SURICATA,
        image: task.suricataImage,
        essential: true,
        entryPoint: ['/bin/sh', '-c'],
        command: [SURICATA_START],
        environment: environment({
          TRACEABLE_SURICATA_YAML_B64: Buffer.from(task.suricataYamlTemplate, 'utf8').toString('base64'),
          TRACEABLE_CAPTURE_PLACEHOLDER: task.captureInterfacePlaceholder,
        }),
        // Host networking: the VXLAN packets arrive on the host's interface, where af-packet captures them.
        portMappings: [{ containerPort: VXLAN_UDP_PORT, hostPort: VXLAN_UDP_PORT, protocol: 'udp' }],
        // As the EC2 hosts' suricata.service: capture, thread priorities, locked capture ring.
        linuxParameters: { capabilities: { add: ['NET_ADMIN', 'NET_RAW', 'SYS_NICE', 'IPC_LOCK'] } },
        mountPoints: [{ sourceVolume: SURICATA_LOGS_VOLUME, containerPath: SURICATA_LOGS_IN_CONTAINER, readOnly: false }],
        logConfiguration: logsTo(SURICATA),
      },
      {
        name: AGENT,
        image: task.agentImage,
        essential: true,
        environment: environment(task.agentEnvironment),
        // ECS reads the token with the execution role at task start; it lands in no file, user data or state.
        secrets: [{ name: 'TA_REFRESH_TOKEN', valueFrom: `${props.tokenSecretArn}:${REFRESH_TOKEN_SECRET_KEY}::` }],
        mountPoints: [{ sourceVolume: SURICATA_LOGS_VOLUME, containerPath: SURICATA_LOGS_IN_CONTAINER, readOnly: true }],
        dependsOn: [{ containerName: SURICATA, condition: 'START' }],
        logConfiguration: logsTo(AGENT),
      },
      {
        name: HEALTH,
        image: task.suricataImage,
        essential: true,
        entryPoint: ['python3', '-c'],
        command: [HEALTH_SERVER],
        environment: environment({
          TRACEABLE_HEALTH_PORT: task.healthPort,
          TRACEABLE_HEALTH_PATH: task.healthPath,
          TRACEABLE_EVE_FILE: task.eveFile,
          TRACEABLE_EVE_MAX_BYTES: String(props.eveMaxBytes ?? 100 * 1024 * 1024),
        }),
        portMappings: [{ containerPort: Number(task.healthPort), hostPort: Number(task.healthPort), protocol: 'tcp' }],
        mountPoints: [{ sourceVolume: SURICATA_LOGS_VOLUME, containerPath: SURICATA_LOGS_IN_CONTAINER, readOnly: false }],
        dependsOn: [SURICATA, AGENT].map((containerName) => ({ containerName, condition: 'START' })),
        logConfiguration: logsTo(HEALTH),
      },
    ];

    this.taskDefinition = new EcsTaskDefinition(this, 'task_definition', {
      family: `${namePrefix}-agent`,
      requiresCompatibilities: ['EC2'],
      networkMode: 'host',
      cpu: String(props.taskCpu ?? 3072),
      memory: String(props.taskMemoryMiB ?? 6144),
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      // Where the EC2 hosts keep Suricata's logs too (the seed's troubleshooting path).
      volume: [{ name: SURICATA_LOGS_VOLUME, hostPath: SURICATA_LOG_DIR }],
      containerDefinitions: JSON.stringify(containerDefinitions),
    });

    this.service = new EcsService(this, 'service', {
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
      loadBalancer: [{ targetGroupArn: props.targetGroupArn, containerName: SURICATA, containerPort: VXLAN_UDP_PORT }],
      healthCheckGracePeriodSeconds: 300,
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // Application autoscaling owns the task count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
      dependsOn: [clusterCapacityProviders, props.targetGroupListener],
    });

    const scalingTarget = new AppautoscalingTarget(this, 'scaling_target', {
      serviceNamespace: 'ecs',
      resourceId: `service/${this.cluster.name}/${this.service.name}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: 1,
      maxCapacity: props.maxSize,
    });
    for (const [resource, metric] of [['cpu', 'ECSServiceAverageCPUUtilization'], ['memory', 'ECSServiceAverageMemoryUtilization']] as const) {
      new AppautoscalingPolicy(this, `${resource}_target_tracking`, {
        name: `${namePrefix}-${resource}`,
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
  }
}
