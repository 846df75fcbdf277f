/**
 * A stateful in-memory AWS account for the mirror-session Lambda: EC2 (instances, interfaces, instance types,
 * traffic mirror sessions), ELBv2, Classic ELB and ECS, served through aws-sdk-client-mock callbacks. Calls cost
 * simulated latency on a simulated clock and draw from EC2-like token buckets, so scenario tests and the
 * benchmark run thousands of calls in milliseconds of real time. Not part of the Lambda bundle.
 */
import {
  CreateTrafficMirrorFilterRuleCommand,
  CreateTrafficMirrorSessionCommand,
  DeleteTrafficMirrorFilterRuleCommand,
  DescribeTrafficMirrorFiltersCommand,
  DeleteTrafficMirrorSessionCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeTrafficMirrorSessionsCommand,
  DescribeTrafficMirrorTargetsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  EC2ServiceException,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListContainerInstancesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  AccessPointNotFoundException,
  DescribeInstanceHealthCommand,
  DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand,
  DescribeTagsCommand as DescribeClassicTagsCommand,
  ElasticLoadBalancingClient,
  ElasticLoadBalancingServiceException,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConcurrencyCommand, InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients, Clock } from '../../lambda/aws';
import { OWNER_TAG_KEY, STACK_TAG_KEY } from '../../shared';
import { instanceTypeSkipReason } from '../../lambda/eligibility';

/** Simulated time: sleeping advances the clock instantly. */
export class SimClock implements Clock {
  constructor(private nowMs = 1_700_000_000_000) {}
  now(): number {
    return this.nowMs;
  }
  async sleep(ms: number): Promise<void> {
    this.nowMs += Math.max(0, ms);
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

interface BucketSpec {
  burst: number;
  perSecond: number;
}

class SimBucket {
  private tokens: number;
  private at: number;
  constructor(private readonly clock: SimClock, private readonly spec: BucketSpec) {
    this.tokens = spec.burst;
    this.at = clock.now();
  }
  tryTake(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.at) / 1000) * this.spec.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface SimInstance { id: string; type: string; vpcId: string; zone: string; primaryInterfaceId: string; tags: { Key: string; Value: string }[]; state: string }
export interface SimInterface { id: string; type: string; vpcId: string; zone: string; privateIp: string; instanceId?: string }
export interface SimSession {
  id: string; interfaceId: string; targetId: string; filterId: string; sessionNumber: number; tags: { Key: string; Value: string }[];
  /** PacketLength as given (EC2 takes 1 to 8,500; unset: the whole packet, up to the target's limit). */
  packetLength?: number;
  /** The account that created the session (default: this one). */
  ownerId?: string;
}
/**
 * A traffic mirror target as RAM shares it: owned by one account, usable by the accounts it is shared with. On a
 * Gateway Load Balancer endpoint when `endpointId` is set (then tagged as the stack that made it tags it).
 */
export interface SimMirrorTarget { id: string; ownerId: string; sharedWith: Set<string>; endpointId?: string; tags?: { Key: string; Value: string }[] }
/** A GatewayLoadBalancer VPC endpoint: its VPC, subnet and state (`available`, `pendingAcceptance`, `rejected` ...). */
export interface SimVpcEndpoint { id: string; vpcId: string; subnetIds: string[]; state: string }
export interface SimSubnet { id: string; vpcId: string; zone: string }
export interface SimTarget { id: string; health: string; port?: number }
export interface SimFilterRule { id: string; direction: 'ingress' | 'egress'; ruleNumber: number; from: number; to: number }
export interface SimTargetGroup { name: string; arn: string; targetType: 'instance' | 'ip' | 'lambda'; vpcId: string; loadBalancerArns: string[]; targets: SimTarget[] }
export interface SimLoadBalancer { name: string; arn: string; vpcId: string; tags: { Key: string; Value: string }[] }
export interface SimClassicLoadBalancer { name: string; vpcId: string; instances: SimTarget[]; tags: { Key: string; Value: string }[] }
export interface SimTask { arn: string; launchType: 'EC2' | 'FARGATE'; interfaceId?: string; containerInstanceArn?: string; lastStatus: string; healthStatus?: string }
/** A message on the simulated event queue. */
export interface SimMessage { messageId: string; body: string; visibleAt: number }
/** A Lambda function of the simulated account: its code, reserved concurrency and runs in flight. */
export interface SimFunction {
  handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
  timeoutMs: number;
  reservedConcurrency: number;
  inFlight: number;
  /** Every invocation attempt in order: started, or throttled (TooManyRequestsException). */
  log: { at: number; event: unknown; outcome: 'started' | 'throttled' | 'ended' }[];
}
export interface SimCluster { containerInstances: { arn: string; instanceId: string; status: string }[]; tasks: SimTask[] }

export interface SimOptions {
  clock?: SimClock;
  /** The account's ID (default 111122223333). */
  accountId?: string;
  /** Simulated latency of every call. */
  latencyMs?: number;
  /** EC2-like token buckets per service; `false` turns throttling off. */
  buckets?: { describe: BucketSpec; mutate: BucketSpec } | false;
}

/** Instance types the simulation knows; facts as DescribeInstanceTypes returns them. */
const INSTANCE_TYPE_FACTS: Record<string, { Hypervisor?: 'xen' | 'nitro'; BareMetal: boolean }> = {
  'm5.large': { Hypervisor: 'nitro', BareMetal: false },
  'c5.large': { Hypervisor: 'nitro', BareMetal: false },
  't3.small': { Hypervisor: 'nitro', BareMetal: false },
  'm6i.large': { Hypervisor: 'nitro', BareMetal: false },
  'm4.large': { Hypervisor: 'xen', BareMetal: false },
  't2.micro': { Hypervisor: 'xen', BareMetal: false },
  'm5.metal': { BareMetal: true },
  'z9x.large': { Hypervisor: 'nitro', BareMetal: false },
};

type ServiceName = 'ec2' | 'elbv2' | 'elb' | 'ecs' | 'sqs';

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: name === 'InternalError' ? 'server' : 'client', $metadata: {}, message });
}

function throttleError(service: ServiceName): Error {
  const options = { $fault: 'client' as const, $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' };
  if (service === 'ec2') return ec2Error('RequestLimitExceeded', 'Request limit exceeded.');
  if (service === 'elbv2') return new ElasticLoadBalancingV2ServiceException({ name: 'Throttling', ...options });
  if (service === 'elb') return new ElasticLoadBalancingServiceException({ name: 'Throttling', ...options });
  return new ECSServiceException({ name: 'ThrottlingException', ...options });
}

/** What EC2 and ELB answer a caller whose IAM policy does not allow the call (the SDK's own exception classes). */
export function accessDenied(service: 'ec2' | 'elbv2', action: string): Error {
  if (service === 'ec2') return ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
  return new ElasticLoadBalancingV2ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: `User is not authorized to perform: elasticloadbalancing:${action}` });
}

function page<T>(items: readonly T[], maxResults: number | undefined, token: string | undefined): { items: T[]; next?: string } {
  const start = token ? Number(token) : 0;
  const size = maxResults ?? items.length;
  const end = Math.min(items.length, start + size);
  return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}

function filterValues(filters: Filter[] | undefined, name: string): string[] | undefined {
  const filter = filters?.find((f) => f.Name === name);
  if (filter && (filter.Values?.length ?? 0) > 200) throw ec2Error('FilterLimitExceeded', 'The maximum number of filter values specified on a single call is 200');
  return filter?.Values;
}

export class SimAccount {
  readonly clock: SimClock;
  readonly accountId: string;
  /**
   * Traffic mirror targets this account can see (its own, and those shared with it). While empty, the account does
   * not model targets and a session may name any target ID (the single-account scenarios).
   */
  readonly mirrorTargets = new Map<string, SimMirrorTarget>();
  readonly vpcEndpoints = new Map<string, SimVpcEndpoint>();
  readonly subnets = new Map<string, SimSubnet>();
  readonly instances = new Map<string, SimInstance>();
  readonly interfaces = new Map<string, SimInterface>();
  readonly interfaceByIp = new Map<string, string>();
  readonly sessions = new Map<string, SimSession>();
  /** Session ids per interface: keeps per-interface lookups cheap at benchmark scale. */
  private readonly sessionIdsByInterface = new Map<string, Set<string>>();
  readonly targetGroups: SimTargetGroup[] = [];
  readonly loadBalancers: SimLoadBalancer[] = [];
  readonly classicLoadBalancers: SimClassicLoadBalancer[] = [];
  readonly clusters = new Map<string, SimCluster>();
  /** Rules of traffic mirror filters, by filter id (TCP accept rules with a port range, as the Lambda writes them). */
  readonly filterRules = new Map<string, SimFilterRule[]>();
  readonly functions = new Map<string, SimFunction>();
  /** The session function's log group: what its runs logged, with the time. */
  readonly logGroup: { timestamp: number; message: string }[] = [];
  /** The function's event queue: what the EventBridge rules and the function's retries put there. */
  readonly queue: SimMessage[] = [];
  readonly queueUrl = 'https://sqs.us-east-1.amazonaws.com/111122223333/sim-mirror-events';
  /** Calls by action, throttled ones included. */
  readonly calls: Record<string, number> = {};
  /** Filters of every DescribeInstances and DescribeTrafficMirrorSessions call: shows how wide a run looked. */
  readonly lookups: { action: string; filters: Filter[] }[] = [];
  /** Every mutating call that succeeded, in order. */
  readonly mutations: { action: string; id: string }[] = [];
  readonly clients: AwsClients;
  /** Stack name the simulated IAM policy lets us delete sessions for (aws:ResourceTag condition). */
  iamOwner?: string;
  /** Fault injection: an error to answer a create with. */
  failCreate?: (interfaceId: string, attempt: number) => Error | undefined;
  /** Runs before each create is answered (e.g. to delete the interface). */
  beforeCreate?: (interfaceId: string) => void;
  /** Fault injection: an error to answer a DescribeInstances with these filters with. */
  failDescribeInstances?: (filters: Filter[]) => Error | undefined;
  /** Extra throttling on top of the buckets. */
  throttle?: (action: string, input: Record<string, unknown>) => boolean;
  /** Fault injection for any call (after throttling): an error to answer it with, e.g. {@link accessDenied}. */
  refuse?: (action: string, input: Record<string, unknown>) => Error | undefined;

  private readonly latencyMs: number;
  private readonly buckets = new Map<string, SimBucket>();
  private readonly tokens = new Map<string, string>();
  private readonly createAttempts = new Map<string, number>();
  private counter = 0;

  constructor(options: SimOptions = {}) {
    this.clock = options.clock ?? new SimClock();
    this.accountId = options.accountId ?? '111122223333';
    this.latencyMs = options.latencyMs ?? 0;
    if (options.buckets !== false) {
      const spec = options.buckets ?? { describe: { burst: 100, perSecond: 20 }, mutate: { burst: 50, perSecond: 5 } };
      for (const service of ['ec2', 'elbv2', 'elb', 'ecs']) {
        this.buckets.set(`${service}:describe`, new SimBucket(this.clock, spec.describe));
        this.buckets.set(`${service}:mutate`, new SimBucket(this.clock, spec.mutate));
      }
    }
    this.clients = {
      ec2: new EC2Client({ region: 'us-east-1' }),
      elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
      elb: new ElasticLoadBalancingClient({ region: 'us-east-1' }),
      ecs: new ECSClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      lambda: new LambdaClient({ region: 'us-east-1' }),
      logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
    };
    this.wireEc2();
    this.wireSqs();
    this.wireLambda();
    this.wireLogs();
    this.wireElbv2();
    this.wireClassic();
    this.wireEcs();
  }

  private nextId(prefix: string): string {
    this.counter++;
    return `${prefix}-${this.counter.toString(16).padStart(17, '0')}`;
  }

  // ---- building the account -------------------------------------------------------------------------------

  addInstance(options: { type?: string; vpcId?: string; zone?: string; interfaceType?: string; tags?: Record<string, string>; state?: string } = {}): SimInstance {
    const id = this.nextId('i');
    const eni = this.addInterface({ vpcId: options.vpcId, zone: options.zone, type: options.interfaceType, instanceId: id });
    const instance = {
      id, type: options.type ?? 'm5.large', vpcId: options.vpcId ?? 'vpc-1', zone: eni.zone, primaryInterfaceId: eni.id,
      tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })), state: options.state ?? 'running',
    };
    this.instances.set(id, instance);
    return instance;
  }
  /** Sets (value) or removes (undefined) a tag of an instance, as CreateTags / DeleteTags would. */
  tagInstance(instanceId: string, key: string, value: string | undefined): void {
    const instance = this.instances.get(instanceId)!;
    instance.tags = instance.tags.filter((tag) => tag.Key !== key);
    if (value !== undefined) instance.tags.push({ Key: key, Value: value });
  }

  addInterface(options: { vpcId?: string; zone?: string; type?: string; instanceId?: string } = {}): SimInterface {
    const id = this.nextId('eni');
    const n = this.counter;
    const eni = { id, type: options.type ?? 'interface', vpcId: options.vpcId ?? 'vpc-1', zone: options.zone ?? 'us-east-1a', privateIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, instanceId: options.instanceId };
    this.interfaces.set(id, eni);
    this.interfaceByIp.set(`${eni.vpcId}|${eni.privateIp}`, id);
    return eni;
  }

  removeInterface(interfaceId: string): void {
    const eni = this.interfaces.get(interfaceId);
    if (!eni) return;
    this.interfaces.delete(interfaceId);
    this.interfaceByIp.delete(`${eni.vpcId}|${eni.privateIp}`);
    // EC2 deletes the sessions of a deleted interface.
    for (const session of this.sessionsOn(interfaceId)) this.dropSession(session);
  }

  addLoadBalancer(name: string, options: { vpcId?: string; tags?: Record<string, string> } = {}): SimLoadBalancer {
    const lb = { name, arn: `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/${name}/${this.nextId('lb')}`, vpcId: options.vpcId ?? 'vpc-1', tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
    this.loadBalancers.push(lb);
    return lb;
  }

  addClassicLoadBalancer(name: string, options: { vpcId?: string; tags?: Record<string, string> } = {}): SimClassicLoadBalancer {
    const lb = { name, vpcId: options.vpcId ?? 'vpc-1', instances: [], tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
    this.classicLoadBalancers.push(lb);
    return lb;
  }

  addTargetGroup(name: string, options: { targetType?: SimTargetGroup['targetType']; vpcId?: string; loadBalancer?: SimLoadBalancer } = {}): SimTargetGroup {
    const group = { name, arn: `arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/${name}/${this.nextId('tg')}`, targetType: options.targetType ?? 'instance', vpcId: options.vpcId ?? 'vpc-1', loadBalancerArns: options.loadBalancer ? [options.loadBalancer.arn] : [], targets: [] };
    this.targetGroups.push(group);
    return group;
  }

  /** Adds `count` instances of `type` registered in the group; returns them. */
  addInstanceTargets(group: SimTargetGroup, count: number, options: { type?: string; health?: string; port?: number; zone?: string } = {}): SimInstance[] {
    return Array.from({ length: count }, () => {
      const instance = this.addInstance({ type: options.type, vpcId: group.vpcId, zone: options.zone });
      group.targets.push({ id: group.targetType === 'ip' ? this.interfaces.get(instance.primaryInterfaceId)!.privateIp : instance.id, health: options.health ?? 'healthy', port: options.port });
      return instance;
    });
  }

  addForeignSession(interfaceId: string, sessionNumber: number, tags: Record<string, string> = { owner: 'someone-else' }, targetId = 'tmt-foreign'): SimSession {
    const session = { id: this.nextId('tms'), interfaceId, targetId, filterId: 'tmf-foreign', sessionNumber, tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
    this.putSession(session);
    return session;
  }

  /** A traffic mirror target owned by `ownerId` (another account: shared through RAM with this one unless `shared` is false). */
  addMirrorTarget(id: string, ownerId = this.accountId, shared = true): SimMirrorTarget {
    const target = { id, ownerId, sharedWith: new Set(ownerId !== this.accountId && shared ? [this.accountId] : []) };
    this.mirrorTargets.set(id, target);
    return target;
  }

  /**
   * A Gateway Load Balancer endpoint in a new subnet of `vpcId` in `zone`, and a traffic mirror target on it tagged
   * `traceable:stack` = `stack` (as the stack's provider default tags tag it).
   */
  addEndpointTarget(options: { vpcId: string; zone: string; stack: string; state?: string }): { target: SimMirrorTarget; endpoint: SimVpcEndpoint } {
    const subnet = { id: this.nextId('subnet'), vpcId: options.vpcId, zone: options.zone };
    this.subnets.set(subnet.id, subnet);
    const endpoint = { id: this.nextId('vpce'), vpcId: options.vpcId, subnetIds: [subnet.id], state: options.state ?? 'available' };
    this.vpcEndpoints.set(endpoint.id, endpoint);
    const target = { id: this.nextId('tmt'), ownerId: this.accountId, sharedWith: new Set<string>(), endpointId: endpoint.id, tags: [{ Key: STACK_TAG_KEY, Value: options.stack }] };
    this.mirrorTargets.set(target.id, target);
    return { target, endpoint };
  }

  /** A session another account created toward a target of ours: its owner sees it, as AWS shows a target's owner. */
  addSessionOfAccount(ownerId: string, interfaceId: string, targetId: string, tags: Record<string, string>): SimSession {
    const session = { id: this.nextId('tms'), interfaceId, targetId, filterId: 'tmf-of-that-account', sessionNumber: 1, tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })), ownerId };
    this.putSession(session);
    return session;
  }

  private usableTarget(targetId: string): boolean {
    if (this.mirrorTargets.size === 0) return true;
    const target = this.mirrorTargets.get(targetId);
    return target !== undefined && (target.ownerId === this.accountId || target.sharedWith.has(this.accountId));
  }

  sessionsOn(interfaceId: string): SimSession[] {
    return [...(this.sessionIdsByInterface.get(interfaceId) ?? [])].map((id) => this.sessions.get(id)!);
  }

  private putSession(session: SimSession): void {
    this.sessions.set(session.id, session);
    const ids = this.sessionIdsByInterface.get(session.interfaceId) ?? new Set<string>();
    this.sessionIdsByInterface.set(session.interfaceId, ids.add(session.id));
  }

  private dropSession(session: SimSession): void {
    this.sessions.delete(session.id);
    this.sessionIdsByInterface.get(session.interfaceId)?.delete(session.id);
  }

  ownedSessions(stackName: string): SimSession[] {
    return [...this.sessions.values()].filter((s) => s.tags.some((t) => t.Key === OWNER_TAG_KEY && t.Value === stackName));
  }

  resetCalls(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    this.mutations.length = 0;
    this.lookups.length = 0;
  }

  // ---- the event queue -------------------------------------------------------------------------------------

  /** An EventBridge event delivered to the queue (as the rule's SQS target does), now. */
  putEvent(event: object, delaySeconds = 0): void {
    this.queue.push({ messageId: this.nextId('msg'), body: JSON.stringify(event), visibleAt: this.clock.now() + delaySeconds * 1000 });
  }

  /** Takes up to `max` visible messages as the SQS records of one Lambda batch. */
  receive(max = 100): { messageId: string; body: string; eventSource: 'aws:sqs' }[] {
    const visible = this.queue.filter((m) => m.visibleAt <= this.clock.now()).slice(0, max);
    for (const message of visible) this.queue.splice(this.queue.indexOf(message), 1);
    return visible.map((m) => ({ messageId: m.messageId, body: m.body, eventSource: 'aws:sqs' }));
  }

  /** When the next message becomes visible, if any. */
  nextVisibleAt(): number | undefined {
    return this.queue.length ? Math.min(...this.queue.map((m) => m.visibleAt)) : undefined;
  }

  // ---- Lambda ---------------------------------------------------------------------------------------------

  addFunction(name: string, handler: SimFunction['handler'], options: { timeoutMs?: number; reservedConcurrency?: number } = {}): SimFunction {
    const fn = { handler, timeoutMs: options.timeoutMs ?? 600_000, reservedConcurrency: options.reservedConcurrency ?? 1, inFlight: 0, log: [] };
    this.functions.set(name, fn);
    return fn;
  }

  /**
   * One invocation as Lambda runs it: throttled (TooManyRequestsException, as the real client throws it) when the
   * function's runs in flight reach its reserved concurrency, else counted in flight until its handler returns.
   */
  async invokeFunction(name: string, event: unknown, requestId = `${name}-${this.counter++}`): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    if (fn.inFlight >= fn.reservedConcurrency) {
      fn.log.push({ at: this.clock.now(), event, outcome: 'throttled' });
      throw new TooManyRequestsException({ message: 'Rate Exceeded.', $metadata: { httpStatusCode: 429 }, Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    }
    fn.inFlight++;
    fn.log.push({ at: this.clock.now(), event, outcome: 'started' });
    try {
      return await fn.handler(event, lambdaContext(this, fn.timeoutMs, requestId, name));
    } finally {
      fn.inFlight--;
      fn.log.push({ at: this.clock.now(), event, outcome: 'ended' });
    }
  }

  /**
   * FilterLogEvents over the log group, for the one pattern the Lambda uses: summary lines (JSON `message`) that have
   * a non-empty `rejectedInstanceTypes`.
   */
  private wireLogs(): void {
    mockClient(this.clients.logs!).on(FilterLogEventsCommand).callsFake((input) => this.serve('logs' as ServiceName, 'FilterLogEvents', () => {
      const wanted = /^\{ \$\.message = "([^"]+)" && \$\.rejectedInstanceTypes\[0\] = \* \}$/.exec(input.filterPattern ?? '');
      if (!wanted) throw new Error(`unsupported filter pattern ${input.filterPattern}`);
      const events = this.logGroup.filter(({ timestamp, message }) => {
        if (timestamp < (input.startTime ?? 0)) return false;
        try {
          const line = JSON.parse(message);
          return line.message === wanted[1] && Array.isArray(line.rejectedInstanceTypes) && line.rejectedInstanceTypes.length > 0;
        } catch {
          return false;
        }
      });
      return { events: events.map(({ timestamp, message }) => ({ timestamp, message })) };
    }));
  }

  private wireLambda(): void {
    const mock = mockClient(this.clients.lambda!);
    const fn = (name: string | undefined) => {
      const found = this.functions.get(name ?? '');
      if (!found) throw new Error(`no function ${name}`);
      return found;
    };
    mock.on(GetFunctionConcurrencyCommand).callsFake(async (input) => ({ ReservedConcurrentExecutions: fn(input.FunctionName).reservedConcurrency }));
    mock.on(PutFunctionConcurrencyCommand).callsFake(async (input) => {
      fn(input.FunctionName).reservedConcurrency = input.ReservedConcurrentExecutions;
      this.mutations.push({ action: 'PutFunctionConcurrency', id: `${input.FunctionName}=${input.ReservedConcurrentExecutions}` });
      return { ReservedConcurrentExecutions: input.ReservedConcurrentExecutions };
    });
    mock.on(InvokeCommand).callsFake(async (input) => {
      const event = JSON.parse(Buffer.from(input.Payload ?? new Uint8Array()).toString('utf8'));
      try {
        const result = await this.invokeFunction(input.FunctionName, event);
        return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(result ?? null)) };
      } catch (error) {
        if (error instanceof TooManyRequestsException) throw error;
        return { StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorMessage: (error as Error).message })) };
      }
    });
  }

  private wireSqs(): void {
    mockClient(this.clients.sqs!).on(SendMessageBatchCommand).callsFake((input) => this.serve('sqs', 'SendMessageBatch', () => {
      if (input.QueueUrl !== this.queueUrl) throw new Error(`no such queue ${input.QueueUrl}`);
      if ((input.Entries ?? []).length > 10) throw new Error('at most 10 entries per SendMessageBatch');
      const Successful = (input.Entries ?? []).map((entry: { Id: string; MessageBody: string; DelaySeconds?: number }) => {
        this.putEvent(JSON.parse(entry.MessageBody), entry.DelaySeconds ?? 0);
        return { Id: entry.Id, MessageId: this.queue.at(-1)!.messageId };
      });
      return { Successful, Failed: [] };
    }));
  }

  // ---- serving calls --------------------------------------------------------------------------------------

  private serve<T>(service: ServiceName, action: string, answer: () => T, input: Record<string, unknown> = {}): Promise<T> {
    this.calls[action] = (this.calls[action] ?? 0) + 1;
    this.clock.advance(this.latencyMs);
    const kind = /^(Describe|List)/.test(action) ? 'describe' : 'mutate';
    const bucket = this.buckets.get(`${service}:${kind}`);
    if ((bucket && !bucket.tryTake()) || this.throttle?.(action, input)) return Promise.reject(throttleError(service));
    const refused = this.refuse?.(action, input);
    if (refused) return Promise.reject(refused);
    try {
      return Promise.resolve(answer());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private wireEc2(): void {
    const mock = mockClient(this.clients.ec2);
    mock.on(DescribeInstancesCommand).callsFake((input) => this.serve('ec2', 'DescribeInstances', () => {
      this.lookups.push({ action: 'DescribeInstances', filters: input.Filters ?? [] });
      const injected = this.failDescribeInstances?.(input.Filters ?? []);
      if (injected) throw injected;
      const ids = filterValues(input.Filters, 'instance-id') ?? input.InstanceIds ?? [...this.instances.keys()];
      let found: SimInstance[] = ids.flatMap((id: string) => (this.instances.has(id) ? [this.instances.get(id)!] : []));
      // The filters the Lambda uses besides instance-id: EC2 ANDs the filters and ORs the values of one filter.
      for (const filter of input.Filters ?? []) {
        const values: string[] = filter.Values ?? [];
        if (filter.Name === 'vpc-id') found = found.filter((i) => values.includes(i.vpcId));
        else if (filter.Name === 'instance-state-name') found = found.filter((i) => values.includes(i.state));
        else if (filter.Name === 'tag-key') found = found.filter((i) => i.tags.some((t) => values.includes(t.Key)));
        else if (filter.Name?.startsWith('tag:')) found = found.filter((i) => i.tags.some((t) => t.Key === filter.Name!.slice(4) && values.includes(t.Value)));
        else if (filter.Name !== 'instance-id') throw ec2Error('InvalidParameterValue', `The filter '${filter.Name}' is invalid`);
      }
      const { items, next } = page(found, input.MaxResults, input.NextToken);
      return {
        NextToken: next,
        Reservations: items.length === 0 ? [] : [{
          Instances: items.map((instance) => ({
            InstanceId: instance.id,
            InstanceType: instance.type,
            VpcId: instance.vpcId,
            Placement: { AvailabilityZone: instance.zone },
            State: { Name: instance.state },
            Tags: instance.tags,
            NetworkInterfaces: this.interfaces.has(instance.primaryInterfaceId)
              ? [{ NetworkInterfaceId: instance.primaryInterfaceId, InterfaceType: this.interfaces.get(instance.primaryInterfaceId)!.type, Attachment: { DeviceIndex: 0, NetworkCardIndex: 0 } }]
              : [],
          })),
        }],
      };
    }));
    mock.on(DescribeNetworkInterfacesCommand).callsFake((input) => this.serve('ec2', 'DescribeNetworkInterfaces', () => {
      const vpc = filterValues(input.Filters, 'vpc-id');
      const ips = filterValues(input.Filters, 'addresses.private-ip-address');
      const ids = filterValues(input.Filters, 'network-interface-id') ?? input.NetworkInterfaceIds;
      const attachedTo = filterValues(input.Filters, 'attachment.instance-id');
      let found: SimInterface[];
      if (attachedTo) found = [...this.interfaces.values()].filter((eni) => eni.instanceId !== undefined && attachedTo.includes(eni.instanceId));
      else if (ids) found = ids.flatMap((id: string) => (this.interfaces.has(id) ? [this.interfaces.get(id)!] : []));
      else if (ips) {
        const vpcs = vpc ?? [...new Set([...this.interfaces.values()].map((eni) => eni.vpcId))];
        found = ips.flatMap((ip: string) => vpcs.flatMap((v: string) => {
          const id = this.interfaceByIp.get(`${v}|${ip}`);
          return id ? [this.interfaces.get(id)!] : [];
        }));
      }
      else found = [...this.interfaces.values()];
      if (vpc) found = found.filter((eni) => vpc.includes(eni.vpcId));
      const { items, next } = page(found, input.MaxResults, input.NextToken);
      return {
        NextToken: next,
        NetworkInterfaces: items.map((eni) => ({
          NetworkInterfaceId: eni.id, InterfaceType: eni.type, VpcId: eni.vpcId, AvailabilityZone: eni.zone, PrivateIpAddress: eni.privateIp,
          PrivateIpAddresses: [{ PrivateIpAddress: eni.privateIp, Primary: true }],
          Attachment: eni.instanceId ? { InstanceId: eni.instanceId, DeviceIndex: 0 } : undefined,
        })),
      };
    }));
    mock.on(DescribeInstanceTypesCommand).callsFake((input) => this.serve('ec2', 'DescribeInstanceTypes', () => {
      const unknown = (input.InstanceTypes ?? []).filter((type: string) => !INSTANCE_TYPE_FACTS[type]);
      if (unknown.length) throw ec2Error('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
      return { InstanceTypes: (input.InstanceTypes ?? []).map((type: string) => ({ InstanceType: type, ...INSTANCE_TYPE_FACTS[type] })) };
    }));
    mock.on(DescribeTrafficMirrorSessionsCommand).callsFake((input) => this.serve('ec2', 'DescribeTrafficMirrorSessions', () => {
      this.lookups.push({ action: 'DescribeTrafficMirrorSessions', filters: input.Filters ?? [] });
      const byInterface = input.Filters?.find((f: Filter) => f.Name === 'network-interface-id')?.Values;
      let sessions: SimSession[] = (byInterface ? byInterface.flatMap((id: string) => this.sessionsOn(id)) : [...this.sessions.values()]).sort((a: SimSession, b: SimSession) => a.id.localeCompare(b.id));
      for (const filter of input.Filters ?? []) {
        if (filter.Name?.startsWith('tag:')) {
          const key = filter.Name.slice(4);
          sessions = sessions.filter((s) => s.tags.some((t) => t.Key === key && filter.Values?.includes(t.Value)));
        }
        if (filter.Name === 'network-interface-id') sessions = sessions.filter((s) => filter.Values?.includes(s.interfaceId));
        if (filter.Name === 'traffic-mirror-target-id') sessions = sessions.filter((s) => filter.Values?.includes(s.targetId));
      }
      const { items, next } = page(sessions, input.MaxResults, input.NextToken);
      return {
        NextToken: next,
        TrafficMirrorSessions: items.map((s) => ({
          TrafficMirrorSessionId: s.id, NetworkInterfaceId: s.interfaceId, TrafficMirrorTargetId: s.targetId,
          TrafficMirrorFilterId: s.filterId, SessionNumber: s.sessionNumber, Tags: s.tags, OwnerId: s.ownerId ?? this.accountId,
        })),
      };
    }));
    mock.on(CreateTrafficMirrorSessionCommand).callsFake((input) => this.serve('ec2', 'CreateTrafficMirrorSession', () => {
      const interfaceId = input.NetworkInterfaceId as string;
      const attempt = (this.createAttempts.get(interfaceId) ?? 0) + 1;
      this.createAttempts.set(interfaceId, attempt);
      this.beforeCreate?.(interfaceId);
      const injected = this.failCreate?.(interfaceId, attempt);
      if (injected) throw injected;
      const remembered = input.ClientToken ? this.tokens.get(input.ClientToken) : undefined;
      if (remembered && this.sessions.has(remembered)) return { TrafficMirrorSession: { TrafficMirrorSessionId: remembered }, ClientToken: input.ClientToken };
      const eni = this.interfaces.get(interfaceId);
      if (!eni) throw ec2Error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${interfaceId}' does not exist`);
      // A target of another account is usable only once shared with this one (and the share accepted).
      if (!this.usableTarget(input.TrafficMirrorTargetId as string)) {
        throw ec2Error('InvalidTrafficMirrorTargetId.NotFound', `The traffic mirror target ID '${input.TrafficMirrorTargetId}' does not exist`);
      }
      // The role's policy in target selection vpc-endpoint: only targets carrying the stack's tag (aws:ResourceTag).
      const endpointTarget = this.mirrorTargets.get(input.TrafficMirrorTargetId as string);
      if (this.iamOwner !== undefined && endpointTarget?.endpointId && !endpointTarget.tags?.some((t) => t.Key === STACK_TAG_KEY && t.Value === this.iamOwner)) {
        throw ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
      }
      const instance = eni.instanceId ? this.instances.get(eni.instanceId) : undefined;
      // The simulation's truth: the documented rules plus one type the documented list does not know yet.
      if (instance && (instanceTypeSkipReason(instance.type, undefined) || instance.type === 'z9x.large')) {
        throw ec2Error('NetworkInterfaceNotSupported', `The network interface ${interfaceId} is not supported for traffic mirroring`);
      }
      const existing = this.sessionsOn(interfaceId);
      if (existing.length >= 3) throw ec2Error('TrafficMirrorSessionsPerInterfaceLimitExceeded', 'The maximum number of sessions per source interface is 3');
      if (existing.some((s) => s.sessionNumber === input.SessionNumber)) throw ec2Error('InvalidParameterValue', 'The session number is in use');
      const tags = (input.TagSpecifications ?? []).flatMap((spec: { Tags?: { Key?: string; Value?: string }[] }) => spec.Tags ?? []).map((t: { Key?: string; Value?: string }) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
      if (input.PacketLength !== undefined && !(Number.isInteger(input.PacketLength) && input.PacketLength >= 1 && input.PacketLength <= 8500)) {
        throw ec2Error('InvalidParameterValue', `The packet length ${input.PacketLength} is not between 1 and 8500`);
      }
      const session = { id: this.nextId('tms'), interfaceId, targetId: input.TrafficMirrorTargetId as string, filterId: input.TrafficMirrorFilterId as string, sessionNumber: input.SessionNumber as number, tags, ...(input.PacketLength !== undefined ? { packetLength: input.PacketLength } : {}) };
      this.putSession(session);
      if (input.ClientToken) this.tokens.set(input.ClientToken, session.id);
      this.mutations.push({ action: 'CreateTrafficMirrorSession', id: session.id });
      return { TrafficMirrorSession: { TrafficMirrorSessionId: session.id }, ClientToken: input.ClientToken };
    }));
    mock.on(DescribeTrafficMirrorTargetsCommand).callsFake((input) => this.serve('ec2', 'DescribeTrafficMirrorTargets', () => {
      // Two of the filters EC2 documents for this call (it documents no tag filter).
      const unsupported = (input.Filters ?? []).find((f: Filter) => f.Name !== 'traffic-mirror-target-id' && f.Name !== 'owner-id');
      if (unsupported) throw ec2Error('InvalidParameterValue', `The filter '${unsupported.Name}' is invalid`);
      const ids = filterValues(input.Filters, 'traffic-mirror-target-id') ?? input.TrafficMirrorTargetIds;
      const owners = filterValues(input.Filters, 'owner-id');
      const found = [...this.mirrorTargets.values()].filter((target) => this.usableTarget(target.id) && (!ids || ids.includes(target.id)) && (!owners || owners.includes(target.ownerId)));
      const { items, next } = page(found, input.MaxResults, input.NextToken);
      return {
        NextToken: next,
        TrafficMirrorTargets: items.map((target) => ({
          TrafficMirrorTargetId: target.id, OwnerId: target.ownerId, ...(target.tags ? { Tags: target.tags } : {}),
          ...(target.endpointId ? { Type: 'gateway-load-balancer-endpoint' as const, GatewayLoadBalancerEndpointId: target.endpointId } : { Type: 'network-load-balancer' as const }),
        })),
      };
    }));
    mock.on(DescribeVpcEndpointsCommand).callsFake((input) => this.serve('ec2', 'DescribeVpcEndpoints', () => {
      const ids = filterValues(input.Filters, 'vpc-endpoint-id') ?? input.VpcEndpointIds;
      const found = [...this.vpcEndpoints.values()].filter((endpoint) => !ids || ids.includes(endpoint.id));
      const { items, next } = page(found, input.MaxResults, input.NextToken);
      return {
        NextToken: next,
        VpcEndpoints: items.map((endpoint) => ({
          VpcEndpointId: endpoint.id, VpcEndpointType: 'GatewayLoadBalancer' as const, VpcId: endpoint.vpcId, SubnetIds: endpoint.subnetIds, State: endpoint.state as never,
        })),
      };
    }));
    mock.on(DescribeSubnetsCommand).callsFake((input) => this.serve('ec2', 'DescribeSubnets', () => {
      const ids = filterValues(input.Filters, 'subnet-id') ?? input.SubnetIds;
      const found = [...this.subnets.values()].filter((subnet) => !ids || ids.includes(subnet.id));
      const { items, next } = page(found, input.MaxResults, input.NextToken);
      return { NextToken: next, Subnets: items.map((subnet) => ({ SubnetId: subnet.id, VpcId: subnet.vpcId, AvailabilityZone: subnet.zone })) };
    }));
    mock.on(DescribeTrafficMirrorFiltersCommand).callsFake((input) => this.serve('ec2', 'DescribeTrafficMirrorFilters', () => ({
      TrafficMirrorFilters: (input.TrafficMirrorFilterIds ?? []).map((id: string) => {
        const rules = this.filterRules.get(id) ?? [];
        const view = (direction: 'ingress' | 'egress') => rules.filter((r) => r.direction === direction).map((r) => ({
          TrafficMirrorFilterRuleId: r.id, TrafficMirrorFilterId: id, TrafficDirection: direction, RuleNumber: r.ruleNumber, RuleAction: 'accept', Protocol: 6,
          ...(direction === 'ingress' ? { DestinationPortRange: { FromPort: r.from, ToPort: r.to } } : { SourcePortRange: { FromPort: r.from, ToPort: r.to } }),
        }));
        return { TrafficMirrorFilterId: id, IngressFilterRules: view('ingress'), EgressFilterRules: view('egress') };
      }),
    })));
    mock.on(CreateTrafficMirrorFilterRuleCommand).callsFake((input) => this.serve('ec2', 'CreateTrafficMirrorFilterRule', () => {
      const rules = this.filterRules.get(input.TrafficMirrorFilterId as string) ?? [];
      const sameDirection = rules.filter((r) => r.direction === input.TrafficDirection);
      if (sameDirection.length >= 10) throw ec2Error('TrafficMirrorFilterRuleLimitExceeded', 'The maximum number of rules per direction is 10');
      if (sameDirection.some((r) => r.ruleNumber === input.RuleNumber)) throw ec2Error('InvalidParameterValue', 'The rule number is in use');
      const range = input.TrafficDirection === 'ingress' ? input.DestinationPortRange : input.SourcePortRange;
      const rule: SimFilterRule = { id: this.nextId('tmfr'), direction: input.TrafficDirection as 'ingress' | 'egress', ruleNumber: input.RuleNumber as number, from: range!.FromPort!, to: range!.ToPort! };
      this.filterRules.set(input.TrafficMirrorFilterId as string, [...rules, rule]);
      this.mutations.push({ action: 'CreateTrafficMirrorFilterRule', id: rule.id });
      return { TrafficMirrorFilterRule: { TrafficMirrorFilterRuleId: rule.id } };
    }));
    mock.on(DeleteTrafficMirrorFilterRuleCommand).callsFake((input) => this.serve('ec2', 'DeleteTrafficMirrorFilterRule', () => {
      for (const [filterId, rules] of this.filterRules) this.filterRules.set(filterId, rules.filter((r) => r.id !== input.TrafficMirrorFilterRuleId));
      this.mutations.push({ action: 'DeleteTrafficMirrorFilterRule', id: input.TrafficMirrorFilterRuleId as string });
      return { TrafficMirrorFilterRuleId: input.TrafficMirrorFilterRuleId };
    }));
    mock.on(DeleteTrafficMirrorSessionCommand).callsFake((input) => this.serve('ec2', 'DeleteTrafficMirrorSession', () => {
      const session = this.sessions.get(input.TrafficMirrorSessionId as string);
      if (!session) throw ec2Error('InvalidTrafficMirrorSessionId.NotFound', `The traffic mirror session '${input.TrafficMirrorSessionId}' does not exist`);
      if (this.iamOwner !== undefined && !session.tags.some((t) => t.Key === OWNER_TAG_KEY && t.Value === this.iamOwner)) {
        throw ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
      }
      // Only the account that created a session deletes it (assumed: AWS documents only the target's, not the session's, owner rights).
      if ((session.ownerId ?? this.accountId) !== this.accountId) throw ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
      this.dropSession(session);
      this.mutations.push({ action: 'DeleteTrafficMirrorSession', id: session.id });
      return { TrafficMirrorSessionId: session.id };
    }));
  }

  private wireElbv2(): void {
    const mock = mockClient(this.clients.elbv2);
    mock.on(DescribeLoadBalancersCommand).callsFake((input) => this.serve('elbv2', 'DescribeLoadBalancers', () => {
      let found = this.loadBalancers;
      if (input.Names) {
        const missing = input.Names.filter((name: string) => !this.loadBalancers.some((lb) => lb.name === name));
        if (missing.length) throw new LoadBalancerNotFoundException({ message: `One or more load balancers not found`, $metadata: {} });
        found = this.loadBalancers.filter((lb) => input.Names!.includes(lb.name));
      }
      const { items, next } = page(found, input.PageSize, input.Marker);
      return { NextMarker: next, LoadBalancers: items.map((lb) => ({ LoadBalancerName: lb.name, LoadBalancerArn: lb.arn, VpcId: lb.vpcId })) };
    }));
    mock.on(DescribeTargetGroupsCommand).callsFake((input) => this.serve('elbv2', 'DescribeTargetGroups', () => {
      let found = this.targetGroups;
      if (input.LoadBalancerArn) found = found.filter((g) => g.loadBalancerArns.includes(input.LoadBalancerArn!));
      const wanted = input.Names ?? input.TargetGroupArns;
      if (wanted) {
        const key = input.Names ? 'name' : 'arn';
        if (wanted.some((w: string) => !found.some((g) => g[key] === w))) throw new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} });
        found = found.filter((g) => wanted.includes(g[key]));
      }
      const { items, next } = page(found, input.PageSize, input.Marker);
      return { NextMarker: next, TargetGroups: items.map((g) => ({ TargetGroupName: g.name, TargetGroupArn: g.arn, TargetType: g.targetType, VpcId: g.vpcId, LoadBalancerArns: g.loadBalancerArns })) };
    }));
    mock.on(DescribeTargetHealthCommand).callsFake((input) => this.serve('elbv2', 'DescribeTargetHealth', () => {
      const group = this.targetGroups.find((g) => g.arn === input.TargetGroupArn);
      if (!group) throw new TargetGroupNotFoundException({ message: 'Target group not found', $metadata: {} });
      return { TargetHealthDescriptions: group.targets.map((t) => ({ Target: { Id: t.id, Port: t.port ?? 80 }, TargetHealth: { State: t.health } })) };
    }, input));
    mock.on(DescribeTagsCommand).callsFake((input) => this.serve('elbv2', 'DescribeTags', () => {
      if ((input.ResourceArns?.length ?? 0) > 20) throw new ElasticLoadBalancingV2ServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message: 'at most 20 resource ARNs' });
      return { TagDescriptions: (input.ResourceArns ?? []).map((arn: string) => ({ ResourceArn: arn, Tags: this.loadBalancers.find((lb) => lb.arn === arn)?.tags ?? [] })) };
    }));
  }

  private wireClassic(): void {
    const mock = mockClient(this.clients.elb);
    mock.on(DescribeClassicLoadBalancersCommand).callsFake((input) => this.serve('elb', 'DescribeLoadBalancers', () => {
      let found = this.classicLoadBalancers;
      if (input.LoadBalancerNames) {
        if (input.LoadBalancerNames.some((name: string) => !found.some((lb) => lb.name === name))) throw new AccessPointNotFoundException({ message: 'There is no ACTIVE Load Balancer', $metadata: {} });
        found = found.filter((lb) => input.LoadBalancerNames!.includes(lb.name));
      }
      const { items, next } = page(found, input.PageSize, input.Marker);
      return { NextMarker: next, LoadBalancerDescriptions: items.map((lb) => ({ LoadBalancerName: lb.name, VPCId: lb.vpcId, Instances: lb.instances.map((t) => ({ InstanceId: t.id })) })) };
    }));
    mock.on(DescribeInstanceHealthCommand).callsFake((input) => this.serve('elb', 'DescribeInstanceHealth', () => {
      const lb = this.classicLoadBalancers.find((l) => l.name === input.LoadBalancerName);
      if (!lb) throw new AccessPointNotFoundException({ message: 'There is no ACTIVE Load Balancer', $metadata: {} });
      return { InstanceStates: lb.instances.map((t) => ({ InstanceId: t.id, State: t.health })) };
    }));
    mock.on(DescribeClassicTagsCommand).callsFake((input) => this.serve('elb', 'DescribeTags', () => ({
      TagDescriptions: (input.LoadBalancerNames ?? []).map((name: string) => ({ LoadBalancerName: name, Tags: this.classicLoadBalancers.find((lb) => lb.name === name)?.tags ?? [] })),
    })));
  }

  private wireEcs(): void {
    const mock = mockClient(this.clients.ecs);
    const cluster = (name: string | undefined) => {
      const found = this.clusters.get(name ?? 'default');
      if (!found) throw new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} });
      return found;
    };
    mock.on(ListContainerInstancesCommand).callsFake((input) => this.serve('ecs', 'ListContainerInstances', () => {
      let instances = cluster(input.cluster).containerInstances;
      if (input.filter) {
        // The one cluster query language expression the Lambda uses: ec2InstanceId in ['i-1', 'i-2'].
        const match = /^ec2InstanceId in \[(.*)\]$/.exec(input.filter);
        if (!match) throw new ECSServiceException({ name: 'InvalidParameterException', $fault: 'client', $metadata: {}, message: `unsupported filter ${input.filter}` });
        const ids = match[1].split(',').map((id: string) => id.trim().replace(/^'|'$/g, ''));
        instances = instances.filter((ci) => ids.includes(ci.instanceId));
      }
      const { items, next } = page(instances, input.maxResults ?? 100, input.nextToken);
      return { nextToken: next, containerInstanceArns: items.map((ci) => ci.arn) };
    }));
    mock.on(DescribeContainerInstancesCommand).callsFake((input) => this.serve('ecs', 'DescribeContainerInstances', () => ({
      containerInstances: cluster(input.cluster).containerInstances
        .filter((ci) => input.containerInstances?.includes(ci.arn))
        .map((ci) => ({ containerInstanceArn: ci.arn, ec2InstanceId: ci.instanceId, status: ci.status })),
    })));
    mock.on(ListTasksCommand).callsFake((input) => this.serve('ecs', 'ListTasks', () => {
      const { items, next } = page(cluster(input.cluster).tasks, input.maxResults ?? 100, input.nextToken);
      return { nextToken: next, taskArns: items.map((task) => task.arn) };
    }));
    mock.on(DescribeTasksCommand).callsFake((input) => this.serve('ecs', 'DescribeTasks', () => ({
      tasks: cluster(input.cluster).tasks
        .filter((task) => input.tasks?.includes(task.arn))
        .map((task) => ({
          taskArn: task.arn, launchType: task.launchType, lastStatus: task.lastStatus, healthStatus: task.healthStatus, containerInstanceArn: task.containerInstanceArn,
          attachments: task.interfaceId ? [{ type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'networkInterfaceId', value: task.interfaceId }] }] : [],
        })),
    })));
  }
}

/** Runs something as one Lambda invocation with `timeoutMs`, on the account's clock. */
export function lambdaContext(account: SimAccount, timeoutMs: number, requestId = 'req-1', functionName = 'sim-mirror-sessions') {
  const deadline = account.clock.now() + timeoutMs;
  return {
    awsRequestId: requestId, functionName, invokedFunctionArn: `arn:aws:lambda:us-east-1:${account.accountId}:function:${functionName}`,
    getRemainingTimeInMillis: () => deadline - account.clock.now(), deadline,
  };
}

const eventTime = (account: SimAccount) => new Date(account.clock.now()).toISOString();

/** The EventBridge events of the fast path's rules, as they arrive now. */
export const simEvents = {
  instanceRunning: (account: SimAccount, instanceId: string) => ({
    version: '0', id: `ev-${instanceId}`, source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', account: '111122223333',
    time: eventTime(account), region: 'us-east-1', resources: [], detail: { 'instance-id': instanceId, state: 'running' },
  }),
  autoScalingLaunch: (account: SimAccount, instanceId: string) => ({
    version: '0', id: `ev-asg-${instanceId}`, source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', account: '111122223333',
    time: eventTime(account), region: 'us-east-1', resources: [], detail: { StatusCode: 'InProgress', AutoScalingGroupName: 'web-asg', EC2InstanceId: instanceId },
  }),
  taskRunning: (account: SimAccount, cluster: string, taskArn: string) => ({
    version: '0', id: `ev-${taskArn}`, source: 'aws.ecs', 'detail-type': 'ECS Task State Change', account: '111122223333',
    time: eventTime(account), region: 'us-east-1', resources: [taskArn],
    detail: { clusterArn: `arn:aws:ecs:us-east-1:111122223333:cluster/${cluster}`, taskArn, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' },
  }),
};
