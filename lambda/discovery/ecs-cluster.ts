import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  paginateListContainerInstances,
  paginateListTasks,
  type Task,
} from '@aws-sdk/client-ecs';
import { chunk, collectPages, type AwsClients } from '../aws';
import type { DiscoveryResult, EventScope, TargetRef } from '../types';
import { emptyDiscovery } from './load-balancers';
import { isNotFound } from './lookup';

const clusterSource = (cluster: string) => `ecs/${cluster}`;

/** DescribeContainerInstances and DescribeTasks take at most 100 ARNs per call. */
const ECS_DESCRIBE_BATCH = 100;
/** Instance ids per ListContainerInstances filter expression (the expression is kept well under 1024 characters). */
const INSTANCE_IDS_PER_FILTER = 40;

async function listContainerInstances(clients: AwsClients, cluster: string, filter?: string): Promise<string[]> {
  return (await collectPages(paginateListContainerInstances({ client: clients.ecs }, { cluster, filter })))
    .flatMap((page) => page.containerInstanceArns ?? []);
}

async function describeTasks(clients: AwsClients, cluster: string, taskArns: readonly string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const batch of chunk(taskArns, ECS_DESCRIBE_BATCH)) {
    tasks.push(...((await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }))).tasks ?? []));
  }
  return tasks;
}

/** The awsvpc interface of a task; tasks in bridge or host mode have none and share their container instance's. */
function taskInterfaceId(task: Task): string | undefined {
  return (task.attachments ?? [])
    .filter((attachment) => attachment.type === 'ElasticNetworkInterface')
    .flatMap((attachment) => attachment.details ?? [])
    .find((detail) => detail.name === 'networkInterfaceId')?.value;
}

/**
 * ECS_CLUSTER: the EC2 instances of the cluster's container instances, and the awsvpc interfaces of its
 * EC2-launch-type tasks. Fargate tasks cannot be mirror sources and are skipped with that reason.
 *
 * With a scope (event-driven run), only the named tasks are described and only the container instances of the
 * named instances (one filtered ListContainerInstances per 40 ids) and of those tasks; a bridge or host mode task
 * names its container instance's interface. `subjectRefs` then tells which interface each named task came to.
 */
export async function discoverEcsCluster(clients: AwsClients, cluster: string, scope?: EventScope): Promise<DiscoveryResult> {
  const result = emptyDiscovery();
  const source = clusterSource(cluster);
  try {
    const allContainerInstances = scope ? [] : await listContainerInstances(clients, cluster);
    const tasks = await describeTasks(clients, cluster, scope
      ? [...scope.taskArns]
      : (await collectPages(paginateListTasks({ client: clients.ecs }, { cluster, desiredStatus: 'RUNNING' }))).flatMap((page) => page.taskArns ?? []));

    let containerInstanceArns: string[];
    /** Container instances whose instance is a target (all of them in a full run). */
    let targetContainerInstances: ((arn: string, instanceId: string) => boolean) = () => true;
    if (scope) {
      const bridgeHosts = new Set(tasks.filter((task) => task.launchType !== 'FARGATE' && !taskInterfaceId(task)).flatMap((task) => task.containerInstanceArn ?? []));
      const ofInstances: string[] = [];
      for (const batch of chunk([...scope.instanceIds], INSTANCE_IDS_PER_FILTER)) {
        ofInstances.push(...(await listContainerInstances(clients, cluster, `ec2InstanceId in [${batch.map((id) => `'${id}'`).join(', ')}]`)));
      }
      containerInstanceArns = [...new Set([...ofInstances, ...tasks.flatMap((task) => task.containerInstanceArn ?? [])])];
      targetContainerInstances = (arn, instanceId) => bridgeHosts.has(arn) || scope.instanceIds.has(instanceId);
    } else {
      containerInstanceArns = allContainerInstances;
    }

    const instanceIdByContainerInstance = new Map<string, string>();
    for (const batch of chunk(containerInstanceArns, ECS_DESCRIBE_BATCH)) {
      const described = await clients.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
      for (const containerInstance of described.containerInstances ?? []) {
        const instanceId = containerInstance.ec2InstanceId;
        const arn = containerInstance.containerInstanceArn;
        if (!instanceId || !arn) continue;
        instanceIdByContainerInstance.set(arn, instanceId);
        if (targetContainerInstances(arn, instanceId)) {
          result.targets.push({ ref: { kind: 'instance', instanceId }, source, healthy: containerInstance.status === 'ACTIVE' });
        }
      }
    }

    const subjectRefs = new Map<string, TargetRef>();
    for (const task of tasks) {
      const taskArn = task.taskArn ?? '';
      if (task.launchType === 'FARGATE') {
        result.skips.push({ reason: 'fargate-task', source, target: taskArn });
        continue;
      }
      const interfaceId = taskInterfaceId(task);
      const instanceId = task.containerInstanceArn ? instanceIdByContainerInstance.get(task.containerInstanceArn) : undefined;
      if (!interfaceId) {
        // Bridge or host mode: the container instance's interface, listed above.
        if (instanceId) subjectRefs.set(taskArn, { kind: 'instance', instanceId });
        continue;
      }
      const healthy = task.lastStatus === 'RUNNING' && task.healthStatus !== 'UNHEALTHY';
      const ref: TargetRef = { kind: 'interface', interfaceId, instanceId };
      subjectRefs.set(taskArn, ref);
      result.targets.push({ ref, source, healthy });
    }
    if (scope) result.subjectRefs = subjectRefs;
  } catch (error) {
    if (isNotFound(error)) result.missingSources.push(source);
    else throw error;
  }
  return result;
}
