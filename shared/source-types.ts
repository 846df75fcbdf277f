/**
 * The kinds of mirror source (MirrorSourceType) and what each kind implies, as data: the configuration, the plan, the
 * session Lambda, its construct and the doctor ask these lists instead of comparing with type names themselves.
 */

export const MIRROR_SOURCE_TYPES = ['LOAD_BALANCER', 'LOAD_BALANCER_TAGS', 'TARGET_GROUP', 'ECS_CLUSTER', 'INSTANCE_TAGS', 'MANUAL', 'FARGATE'] as const;
export type MirrorSourceType = (typeof MIRROR_SOURCE_TYPES)[number];

/** Source types whose sources the session Lambda discovers; MANUAL and FARGATE create no sessions (and have no Lambda). */
export const SESSION_SOURCE_TYPES = ['LOAD_BALANCER', 'LOAD_BALANCER_TAGS', 'TARGET_GROUP', 'ECS_CLUSTER', 'INSTANCE_TAGS'] as const satisfies readonly MirrorSourceType[];
export type SessionSourceType = (typeof SESSION_SOURCE_TYPES)[number];

/** Source types that select by tag inside the MirrorSourceVpcId VPCs (which they therefore need). */
export const TAG_SOURCE_TYPES = ['LOAD_BALANCER_TAGS', 'INSTANCE_TAGS'] as const satisfies readonly SessionSourceType[];
export type TagSourceType = (typeof TAG_SOURCE_TYPES)[number];

/**
 * Source types whose members are ECS tasks: launch events name tasks (ECS task RUNNING in the one configured cluster)
 * as well as instances, and MirrorSource names exactly one cluster.
 */
export const TASK_SOURCE_TYPES = ['ECS_CLUSTER'] as const satisfies readonly SessionSourceType[];

/** Source types reached through target groups, whose target ports the filter's ports can be derived from (MirrorTcpPortsFromTargets). */
export const TARGET_PORT_SOURCE_TYPES = ['LOAD_BALANCER', 'LOAD_BALANCER_TAGS', 'TARGET_GROUP'] as const satisfies readonly SessionSourceType[];

/** Source types besides the tag ones that use MirrorSourceVpcId: FARGATE associates its private zone with those VPCs. */
export const ZONE_VPC_SOURCE_TYPES = ['FARGATE'] as const satisfies readonly MirrorSourceType[];

const isIn = (list: readonly string[], sourceType: string) => list.includes(sourceType);

/** Whether a MirrorSourceType has a session Lambda (MANUAL and FARGATE have none). */
export function isSessionSourceType(sourceType: string): sourceType is SessionSourceType {
  return isIn(SESSION_SOURCE_TYPES, sourceType);
}

/** Whether sources of this type are tags searched for in the MirrorSourceVpcId VPCs. */
export function selectsByTag(sourceType: string): sourceType is TagSourceType {
  return isIn(TAG_SOURCE_TYPES, sourceType);
}

/** Whether sources of this type are ECS tasks, named by task events besides instance events. */
export function followsTasks(sourceType: string): boolean {
  return isIn(TASK_SOURCE_TYPES, sourceType);
}

/** Whether the filter's TCP ports can be derived from this type's target groups. */
export function derivesPortsFromTargets(sourceType: string): boolean {
  return isIn(TARGET_PORT_SOURCE_TYPES, sourceType);
}

/** Whether MirrorSourceVpcId means something with this type (tag search VPCs, or FARGATE's zone VPCs). */
export function usesSourceVpcIds(sourceType: string): boolean {
  return selectsByTag(sourceType) || isIn(ZONE_VPC_SOURCE_TYPES, sourceType);
}
