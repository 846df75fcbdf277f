import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  paginateListContainerInstances,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { chunk, collectPages, type AwsClients } from '../aws';
import type { DiscoveryResult } from '../types';
import { emptyDiscovery } from './load-balancers';
import { isNotFound } from './lookup';

export const clusterSource = (cluster: string) => `ecs/${cluster}`;

/** DescribeContainerInstances and DescribeTasks take at most 100 ARNs per call. */
const ECS_DESCRIBE_BATCH = 100;

/**
 * ECS_CLUSTER: the EC2 instances of the cluster's container instances, and the awsvpc interfaces of its
 * EC2-launch-type tasks. Fargate tasks cannot be mirror sources and are skipped with that reason.
 */
export async function discoverEcsCluster(clients: AwsClients, cluster: string): Promise<DiscoveryResult> {
  const result = emptyDiscovery();
  const source = clusterSource(cluster);
  try {
    const containerInstanceArns = (await collectPages(paginateListContainerInstances({ client: clients.ecs }, { cluster })))
      .flatMap((page) => page.containerInstanceArns ?? []);
    const instanceIdByContainerInstance = new Map<string, string>();
    for (const batch of chunk(containerInstanceArns, ECS_DESCRIBE_BATCH)) {
      const described = await clients.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
      for (const containerInstance of described.containerInstances ?? []) {
        const instanceId = containerInstance.ec2InstanceId;
        if (!instanceId || !containerInstance.containerInstanceArn) continue;
        instanceIdByContainerInstance.set(containerInstance.containerInstanceArn, instanceId);
        result.targets.push({ ref: { kind: 'instance', instanceId }, source, healthy: containerInstance.status === 'ACTIVE' });
      }
    }

    const taskArns = (await collectPages(paginateListTasks({ client: clients.ecs }, { cluster, desiredStatus: 'RUNNING' })))
      .flatMap((page) => page.taskArns ?? []);
    for (const batch of chunk(taskArns, ECS_DESCRIBE_BATCH)) {
      const described = await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
      for (const task of described.tasks ?? []) {
        const taskArn = task.taskArn ?? '';
        if (task.launchType === 'FARGATE') {
          result.skips.push({ reason: 'fargate-task', source, target: taskArn });
          continue;
        }
        const interfaceId = (task.attachments ?? [])
          .filter((attachment) => attachment.type === 'ElasticNetworkInterface')
          .flatMap((attachment) => attachment.details ?? [])
          .find((detail) => detail.name === 'networkInterfaceId')?.value;
        // Tasks in bridge or host mode share the container instance's interface, already listed above.
        if (!interfaceId) continue;
        const instanceId = task.containerInstanceArn ? instanceIdByContainerInstance.get(task.containerInstanceArn) : undefined;
        const healthy = task.lastStatus === 'RUNNING' && task.healthStatus !== 'UNHEALTHY';
        result.targets.push({ ref: { kind: 'interface', interfaceId, instanceId }, source, healthy });
      }
    }
  } catch (error) {
    if (isNotFound(error)) result.missingSources.push(source);
    else throw error;
  }
  return result;
}
