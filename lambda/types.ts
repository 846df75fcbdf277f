/**
 * Shared vocabulary of the mirror-session Lambda: what discovery finds, what the session changes decide, what a run reports.
 * No AWS SDK types here, so deciding the session changes stays pure and testable without mocks.
 */

/** AWS allows at most this many sessions per source network interface. */
export const MAX_SESSIONS_PER_INTERFACE = 3;
/** Valid session numbers (priority on the interface). */
export const MIN_SESSION_NUMBER = 1;
export const MAX_SESSION_NUMBER = 32766;

/** Why an interface (or a target that never became one) gets no session. Counted per reason in the run summary. */
export type SkipReason =
  | 'target-unhealthy'
  | 'target-type-not-supported'
  | 'fargate-task'
  | 'instance-not-found'
  | 'instance-without-primary-interface'
  | 'interface-not-found'
  | 'interface-type-not-supported'
  | 'instance-bare-metal'
  | 'instance-type-xen-not-supported'
  | 'instance-type-not-supported'
  | 'instance-type-rejected-by-ec2'
  | 'interface-session-limit'
  | 'no-free-session-number'
  | 'interface-vanished'
  | 'session-budget'
  /** Target selection `vpc-endpoint`: no available Gateway Load Balancer endpoint of ours in the interface's VPC. */
  | 'no-target-in-vpc';

/** How a discovered target points at its network interface. */
export type TargetRef =
  | { kind: 'instance'; instanceId: string }
  | { kind: 'ip'; ip: string; vpcId?: string }
  | { kind: 'interface'; interfaceId: string; instanceId?: string };

/** One member of a configured source, as discovery saw it. */
export interface DiscoveredTarget {
  ref: TargetRef;
  /** Label of the configured source, e.g. `tg/web` or `lb/shop-alb` or `ecs/prod`. */
  source: string;
  healthy: boolean;
  /** False for a member of a target group no load balancer uses (it receives no traffic through it). */
  loadBalanced?: boolean;
}

/** A skip decided before an interface is known (unhealthy target, Fargate task, missing instance ...). */
export interface TargetSkip {
  reason: SkipReason;
  source: string;
  /** Instance id, IP, task ARN or interface id: whatever names the target. */
  target: string;
}

/** What discovery of the configured sources produced. */
export interface DiscoveryResult {
  targets: DiscoveredTarget[];
  skips: TargetSkip[];
  /** Configured names that do not exist (definitive: their sessions may be deleted). */
  missingSources: string[];
  /** Sources whose discovery failed (transient): sessions tagged with them are kept, not deleted. */
  failedSources: { source: string; error: string }[];
  /** Ports the load balancers send to on the mirrorable targets (DescribeTargetHealth), for derived filter ports. */
  targetPorts?: number[];
  /** Event-driven runs (ECS_CLUSTER): where each named task led, by task ARN. */
  subjectRefs?: Map<string, TargetRef>;
}

/**
 * What an event-driven run looks at: the instances and tasks its events name. Discovery still asks every configured
 * source (membership and health decide), but keeps and resolves only these.
 */
export interface EventScope {
  instanceIds: ReadonlySet<string>;
  taskArns: ReadonlySet<string>;
}

/** Facts about a mirror source's instance type that decide whether it can be one (not the agent hosts': AgentInstanceTypeFacts). */
export interface SourceInstanceTypeFacts {
  hypervisor?: string;
  bareMetal?: boolean;
}

/** A network interface reached from one or more configured sources, with the facts eligibility needs. */
export interface CandidateInterface {
  interfaceId: string;
  /** EC2 interface type (`interface`, `branch`, `trunk`, ...). Only `interface` can be a source. */
  interfaceType: string;
  instanceId?: string;
  instanceType?: string;
  /** The interface's VPC and Availability Zone (name): target selection `vpc-endpoint` picks its target by them. */
  vpcId?: string;
  availabilityZone?: string;
  /** Labels of every configured source that reaches this interface, sorted. */
  sources: string[];
  /** True when the target is healthy in at least one of its sources. */
  healthy: boolean;
  /**
   * The source written into a new session's source tag: the first of `sources` through which traffic reaches the
   * interface (a target group some load balancer uses), else the first.
   * @default sources[0]
   */
  label?: string;
}

/** A traffic mirror session as deciding the session changes sees it. */
export interface SessionView {
  sessionId: string;
  interfaceId: string;
  targetId: string;
  filterId: string;
  sessionNumber: number;
  /** True when the session carries our ownership tag with our stack name. */
  owned: boolean;
  /** Value of the source tag, when owned. */
  source?: string;
}

export interface PlannedCreate {
  interfaceId: string;
  sessionNumber: number;
  /** The source label written into the session's source tag (the first of the interface's sources). */
  source: string;
  instanceType?: string;
  /** Target selection `vpc-endpoint`: the interface's chosen target (else the function's one target). */
  targetId?: string;
}

export type DeleteReason =
  | 'interface-no-longer-a-source' | 'stale-filter' | 'duplicate-session' | 'cleanup' | 'over-session-budget'
  /** Target selection `vpc-endpoint`: toward one of our targets, but not the one chosen for the interface (or none is). */
  | 'not-the-chosen-target';

export interface PlannedDelete {
  sessionId: string;
  interfaceId: string;
  reason: DeleteReason;
}

export interface PlannedSkip {
  interfaceId: string;
  reason: SkipReason;
}

export interface SessionChanges {
  creates: PlannedCreate[];
  deletes: PlannedDelete[];
  skips: PlannedSkip[];
  /** Interfaces that already have our session: nothing to do. */
  unchanged: number;
  /** Owned sessions kept although their interface was not seen, because their source's discovery failed. */
  keptForFailedSources: number;
  /** Wanted interfaces already mirrored to our target and filter by a session someone made by hand (counted in unchanged). */
  mirroredByHand: number;
}
