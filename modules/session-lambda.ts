import { AssetType, TerraformAsset, type ITerraformDependable, type TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaInvocation } from '@cdktf/provider-aws/lib/lambda-invocation';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { DEFAULT_EVENT_RETRY_DELAYS_SECONDS, EVENT_PATTERNS, SESSION_LAMBDA_ENV, SESSION_METRICS_NAMESPACE, SOURCES_FILE_NAME, TARGET_SELECTIONS } from '../lambda/environment';
import { OWNER_TAG_KEY, STACK_TAG_KEY, followsTasks, isSessionSourceType, resourceNames, type SessionSourceType } from '../shared';
import { partitionOf } from './aws-partition';
import { bundleWithSources, sessionLambdaBundle } from './lambda-bundle';

/** The props every target selection shares. */
export interface SessionLambdaBaseProps {
  /** Prefix of every name (function, role, log group, rule, alarm). */
  readonly namePrefix: string;
  /**
   * Value of the ownership tag (`traceable:mirroring-stack`) on the sessions this stack creates; the IAM conditions
   * use it, so the function can only delete sessions carrying it.
   * @default namePrefix
   */
  readonly stackName?: string;
  /** AWS region of the stack: used in the ARNs of the IAM policy (no data sources). */
  readonly region: string;
  /** Traffic mirror filter id (tmf-...). */
  readonly mirrorFilterId: string;
  /** ARN of that filter: the only filter CreateTrafficMirrorSession is allowed with. */
  readonly mirrorFilterArn: string;
  /** MirrorSourceType; MANUAL and FARGATE have no session Lambda. */
  readonly sourceType: SessionSourceType;
  /** MirrorSource: load balancer names, tag selectors (`key=value` or `key`), target group names or ARNs, or one cluster. */
  readonly sources: readonly string[];
  /**
   * MirrorSourceVpcId: VPCs searched for tagged load balancers (LOAD_BALANCER_TAGS only).
   * @default []
   */
  readonly sourceVpcIds?: readonly string[];
  /**
   * Mirror targets whatever their health.
   * @default false
   */
  readonly mirrorUnhealthyTargets?: boolean;
  /**
   * Most sessions the stack may own (MirrorSessionBudget); beyond it lambda/budget.ts decides which interfaces wait.
   * @default 0 (no budget)
   */
  readonly sessionBudget?: number;
  /**
   * Keep the mirror filter's rules in step with the target groups' ports (MirrorTcpPortsFromTargets): the function may
   * then create and delete rules of exactly this stack's filter.
   * @default false
   */
  readonly tcpPortsFromTargets?: boolean;
  /**
   * Function timeout, seconds (MirroringSessionLambdaTimeout), 1 to 900.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Minutes between scheduled runs (MirroringSessionLambdaInterval); must exceed the timeout.
   * @default 15
   */
  readonly intervalMinutes?: number;
  /**
   * Fast path (issue 7): EventBridge rules (instance running, Auto Scaling launch, and ECS task RUNNING for
   * ECS_CLUSTER) feed an SQS queue whose batches trigger targeted runs, so new sources are mirrored within a minute
   * instead of one interval. The schedule stays as the safety net.
   * @default true
   */
  readonly fastPath?: boolean;
  /**
   * Seconds the event source mapping gathers events before invoking (0 to 300): bursts coalesce into one run.
   * @default 10
   */
  readonly eventBatchingWindowSeconds?: number;
  /**
   * Most events in one batch (1 to 10,000; above 10 needs a batching window).
   * @default 100
   */
  readonly eventBatchSize?: number;
  /**
   * Delays of the retries of a target not yet healthy when its event arrived (each 0 to 900 s); their number bounds
   * the attempts, after which the schedule has it.
   * @default [15, 30, 60, 120, 240]
   */
  readonly eventRetryDelaysSeconds?: readonly number[];
  /**
   * Retention of the function's log group, days.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Memory of the function, MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Actions (the stack's alarm topic, see modules/alarm-topic.ts) of the alarms: function errors, session errors
   * and sources whose discovery failed.
   * @default []
   */
  readonly alarmActions?: readonly string[];
  /**
   * Tags of the resources created here (the provider's default tags apply too).
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/** Target selection `single` (the default, the NLB target): every session toward one target. */
export interface SingleTargetProps {
  /** @default 'single' */
  readonly targetSelection?: 'single';
  /** Traffic mirror target id (tmt-...): every session points at it. */
  readonly mirrorTargetId: string;
  /** ARN of that target: the only target CreateTrafficMirrorSession is allowed toward. */
  readonly mirrorTargetArn: string;
}

/**
 * Target selection `vpc-endpoint` (Gateway Load Balancer endpoints): each run finds the traffic mirror targets tagged
 * `traceable:stack` = stackName that sit on a Gateway Load Balancer endpoint, and mirrors each source interface to
 * the one of its own VPC (its own zone's when there is one). CreateTrafficMirrorSession is allowed toward targets
 * carrying that tag only.
 */
export interface VpcEndpointTargetProps {
  readonly targetSelection: 'vpc-endpoint';
  readonly mirrorTargetId?: never;
  readonly mirrorTargetArn?: never;
  /**
   * The stack's traffic mirror targets (and whatever else the first run needs): the apply-time run starts after them,
   * and on destroy the cleanup deletes the sessions before they go (a target with sessions cannot be deleted).
   * @default []
   */
  readonly mirrorTargets?: readonly ITerraformDependable[];
}

export type SessionLambdaProps = SessionLambdaBaseProps & (SingleTargetProps | VpcEndpointTargetProps);

/**
 * How long a scheduled (asynchronous) event may wait for a run: until the next scheduled run could start, at least
 * Lambda's minimum of 60 s, at most its maximum of 6 hours.
 */
export function asyncEventMaxAgeSeconds(intervalMinutes: number, timeoutSeconds: number): number {
  return Math.min(21_600, Math.max(60, intervalMinutes * 60 - timeoutSeconds));
}

/** Timeout of the cleanup function: Lambda's longest, so each link deletes as much as one invocation can. */
export const CLEANUP_TIMEOUT_SECONDS = 900;
/** AWS's limit of traffic mirror sessions per account and region: the most a cleanup may have to delete. */
const MAX_OWNED_SESSIONS = 10_000;
/** EC2's refill rate of mutating calls (the cleanup paces its deletes to it, lambda/reconcile.ts). */
const EC2_MUTATING_CALLS_PER_SECOND = 5;

/**
 * Links in the destroy-time cleanup chain: enough for MAX_OWNED_SESSIONS deletions at EC2's refill rate (burst not
 * counted), each link having the cleanup timeout less its safety margin, the first to run also waiting up to the
 * session function's timeout for its in-flight run.
 */
export function cleanupChainLength(sessionTimeoutSeconds: number): number {
  const working = CLEANUP_TIMEOUT_SECONDS - Math.min(30, Math.max(5, CLEANUP_TIMEOUT_SECONDS / 10));
  const perLink = working * EC2_MUTATING_CALLS_PER_SECOND;
  const firstLink = Math.max(0, working - sessionTimeoutSeconds) * EC2_MUTATING_CALLS_PER_SECOND;
  return 1 + Math.ceil(Math.max(0, MAX_OWNED_SESSIONS - firstLink) / perLink);
}

/** EventBridge wants the singular for 1: `rate(1 minute)`. */
export function scheduleExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

// ---- the construct ------------------------------------------------------------------------------------------

/**
 * The mirror-session Lambda: keeps traffic mirror sessions in step with the configured sources. Runs on a schedule,
 * once at apply time, and once more at destroy time to delete every session this stack owns before the mirror
 * target and filter go (sessions made outside Terraform would otherwise block the target's deletion).
 */
export class SessionLambda extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly schedule: CloudwatchEventRule;
  /** The apply-time run (create and update only). */
  readonly invocation: LambdaInvocation;
  /** The destroy-time cleanup's function: same code and role, its own concurrency and the longest timeout. */
  readonly cleanupFunction: LambdaFunction;
  /** The destroy-time cleanup invocations, link 1 first (it runs last on destroy); see {@link cleanupChainLength}. */
  readonly cleanupRuns: LambdaInvocation[] = [];
  readonly errorsAlarm: CloudwatchMetricAlarm;
  /** A run's failed creates and deletes (the run's own `Errors` metric): AccessDenied and the like end runs successfully. */
  readonly sessionErrorsAlarm: CloudwatchMetricAlarm;
  /** A configured source whose discovery failed (e.g. a missing permission): its sessions are kept, nothing new is mirrored. */
  readonly failedSourcesAlarm: CloudwatchMetricAlarm;
  /** Fast path (undefined when disabled): the event queue, its dead-letter queue and the rules that feed it. */
  readonly eventQueue?: SqsQueue;
  readonly eventDeadLetterQueue?: SqsQueue;
  readonly eventRules: CloudwatchEventRule[] = [];

  constructor(scope: Construct, id: string, props: SessionLambdaProps) {
    super(scope, id);
    const settings = settingsOf(props);
    const names = resourceNames(props.namePrefix);
    const tags = props.tags ?? {};

    this.logGroup = this.addLogGroup('log_group', names.sessionLogGroup, props);
    const cleanupLogGroup = this.addLogGroup('cleanup_log_group', names.cleanupLogGroup, props);
    this.role = new IamRole(this, 'role', { name: names.sessionRole, assumeRolePolicy: LAMBDA_TRUST, tags });
    if (settings.fastPath) ({ deadLetter: this.eventDeadLetterQueue, queue: this.eventQueue } = this.addEventQueues(names, settings, tags));
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'mirror-sessions',
      role: this.role.id,
      policy: JSON.stringify(sessionPolicy(props, settings, { session: this.logGroup, cleanup: cleanupLogGroup }, this.eventQueue)),
    });

    const bundle = bundleWithSources(sessionLambdaBundle(), props.sources);
    const code = this.codeOf(bundle, props);
    const environment = this.environmentOf(props, settings);
    this.function = new LambdaFunction(this, 'function', {
      ...code,
      functionName: settings.functionName,
      description: `Keeps traffic mirror sessions of ${settings.stackName} in step with its ${props.sourceType} sources`,
      timeout: settings.timeoutSeconds,
      // Runs never overlap: two runs would plan against the same sessions.
      reservedConcurrentExecutions: 1,
      environment: { variables: environment },
      tags,
      dependsOn: [this.logGroup, policy],
    });

    const targets = props.targetSelection === 'vpc-endpoint' ? [...(props.mirrorTargets ?? [])] : [];
    this.invocation = this.addApplyTimeRun(props, bundle.sourceCodeHash, [policy, this.logGroup, ...targets]);

    const { schedule, target } = this.addSchedule(names, settings, tags);
    this.schedule = schedule;
    const runStarters: TerraformResource[] = [target];
    if (this.eventQueue) runStarters.push(...this.addFastPath(this.eventQueue, props, settings.functionName, settings, tags));

    this.cleanupFunction = new LambdaFunction(this, 'cleanup_function', {
      functionName: names.cleanupFunction,
      ...code,
      description: `Deletes the mirror sessions of ${settings.stackName} when the stack is destroyed (terraform destroy only)`,
      timeout: CLEANUP_TIMEOUT_SECONDS,
      environment: { variables: { ...environment, [SESSION_LAMBDA_ENV.sessionFunctionName]: settings.functionName } },
      tags,
      dependsOn: [cleanupLogGroup, policy],
    });
    this.addCleanupChain(props, settings, [...runStarters, this.function, policy, this.logGroup, cleanupLogGroup, ...targets]);

    // Scheduled events are asynchronous: Lambda would retry a throttled or failed one for up to 6 hours. A run that
    // cannot start before the next scheduled one is due is dropped, and a failed run is not repeated (the alarms
    // report it; the next run repeats the work anyway).
    new LambdaFunctionEventInvokeConfig(this, 'async_invoke_config', {
      functionName: this.function.functionName,
      maximumEventAgeInSeconds: asyncEventMaxAgeSeconds(settings.intervalMinutes, settings.timeoutSeconds),
      maximumRetryAttempts: 0,
    });

    const alarms = this.addAlarms(props, settings, names, tags);
    this.sessionErrorsAlarm = alarms.sessionErrors;
    this.failedSourcesAlarm = alarms.failedSources;
    this.errorsAlarm = alarms.errors;
  }

  /** The session and the cleanup function run the same bundle with the same role. */
  private codeOf(bundle: { zipPath: string; sourceCodeHash: string }, props: SessionLambdaProps) {
    const asset = new TerraformAsset(this, 'code', { path: bundle.zipPath, type: AssetType.FILE });
    return {
      role: this.role.arn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: bundle.sourceCodeHash,
      memorySize: props.memorySize ?? 256,
    };
  }

  /**
   * Apply time: mirroring starts with the deployment (and runs again when the input changes). Nothing at destroy time:
   * the session function may be busy then (reserved concurrency 1 would throttle the call), so the cleanup runs in its
   * own function. Created before the schedule's target and the queue mapping, so no scheduled or event-driven run
   * competes with it.
   */
  private addApplyTimeRun(props: SessionLambdaProps, sourceCodeHash: string, after: ITerraformDependable[]): LambdaInvocation {
    return new LambdaInvocation(this, 'apply_time_run', {
      functionName: this.function.functionName,
      lifecycleScope: 'CREATE_ONLY',
      input: JSON.stringify({
        action: 'reconcile',
        trigger: 'terraform',
        ...(props.targetSelection === 'vpc-endpoint' ? { targetSelection: props.targetSelection } : { mirrorTargetId: props.mirrorTargetId }),
        mirrorFilterId: props.mirrorFilterId,
        sourceType: props.sourceType,
        sources: props.sources,
        sourceCodeHash,
      }),
      dependsOn: after,
    });
  }

  private addLogGroup(id: string, name: string, props: SessionLambdaProps): CloudwatchLogGroup {
    return new CloudwatchLogGroup(this, id, { name, retentionInDays: props.logRetentionDays ?? 30, tags: props.tags ?? {} });
  }

  /** The fast path's queue and its dead-letter queue. */
  private addEventQueues(names: ResourceNames, settings: Settings, tags: Record<string, string>): { queue: SqsQueue; deadLetter: SqsQueue } {
    // SSE-SQS: encrypted at rest with SQS-owned keys, which EventBridge can write to (a KMS key would need a key policy).
    const deadLetter = new SqsQueue(this, 'event_dlq', {
      name: names.eventDeadLetterQueue,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
      tags,
    });
    const queue = new SqsQueue(this, 'event_queue', {
      name: names.eventQueue,
      sqsManagedSseEnabled: true,
      // AWS's advice for Lambda consumers: six times the function timeout, room for retries of throttled batches
      // (reserved concurrency 1: a batch waits while a scheduled run is going).
      visibilityTimeoutSeconds: Math.min(43_200, 6 * settings.timeoutSeconds),
      // An event older than a day is the schedule's business.
      messageRetentionSeconds: 24 * 3600,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: 5 }),
      tags,
    });
    return { queue, deadLetter };
  }

  /** What both functions are told: the stack, target, filter and sources, and the fast path's queue. */
  private environmentOf(props: SessionLambdaProps, settings: Settings): Record<string, string> {
    return {
      [SESSION_LAMBDA_ENV.stackName]: settings.stackName,
      ...(props.targetSelection === 'vpc-endpoint'
        ? { [SESSION_LAMBDA_ENV.targetSelection]: props.targetSelection }
        : { [SESSION_LAMBDA_ENV.targetId]: props.mirrorTargetId }),
      [SESSION_LAMBDA_ENV.filterId]: props.mirrorFilterId,
      [SESSION_LAMBDA_ENV.sourceType]: props.sourceType,
      [SESSION_LAMBDA_ENV.sourcesFile]: SOURCES_FILE_NAME,
      [SESSION_LAMBDA_ENV.sourceVpcIds]: JSON.stringify(props.sourceVpcIds ?? []),
      [SESSION_LAMBDA_ENV.mirrorUnhealthyTargets]: String(props.mirrorUnhealthyTargets ?? false),
      ...(props.sessionBudget ? { [SESSION_LAMBDA_ENV.sessionBudget]: String(props.sessionBudget) } : {}),
      ...(props.tcpPortsFromTargets ? { [SESSION_LAMBDA_ENV.tcpPortsFromTargets]: 'true' } : {}),
      ...(this.eventQueue ? {
        [SESSION_LAMBDA_ENV.eventQueueUrl]: this.eventQueue.url,
        [SESSION_LAMBDA_ENV.eventRetryDelaysSeconds]: JSON.stringify(settings.retryDelays),
      } : {}),
    };
  }

  /** The schedule and its target: after the apply-time run on create; on destroy the schedule goes first, so no
   * scheduled run recreates sessions behind the cleanup. */
  private addSchedule(names: ResourceNames, settings: Settings, tags: Record<string, string>): { schedule: CloudwatchEventRule; target: CloudwatchEventTarget } {
    const schedule = new CloudwatchEventRule(this, 'schedule', {
      name: names.sessionSchedule,
      description: `Runs ${settings.functionName} every ${settings.intervalMinutes} minutes`,
      scheduleExpression: scheduleExpression(settings.intervalMinutes),
      tags,
    });
    const permission = new LambdaPermission(this, 'schedule_permission', {
      statementId: 'AllowEventBridgeSchedule',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: schedule.arn,
    });
    const target = new CloudwatchEventTarget(this, 'schedule_target', {
      rule: schedule.name,
      targetId: 'mirror-sessions',
      arn: this.function.arn,
      dependsOn: [permission, this.invocation],
    });
    return { schedule, target };
  }

  /**
   * Destroy time: a chain of invocations of the cleanup function, each deleting owned sessions for up to 15 minutes
   * (EC2 refills mutating calls at 5/s: 10,000 sessions take 33 minutes, more than one invocation may run). A resource
   * that depends on another is destroyed before it: the first link depends on what can start a run (schedule target,
   * queue mapping, rule targets), so those are gone before the first link runs; the first link to run drains the
   * session function (waits for its in-flight run, then leaves it taking none). Links depend on each other, so they run
   * one after the other; the last to run (link 1) fails the destroy if sessions remain. On create and update they do nothing.
   */
  private addCleanupChain(props: SessionLambdaProps, settings: Settings, firstLinkAfter: ITerraformDependable[]): void {
    const links = cleanupChainLength(settings.timeoutSeconds);
    for (let link = 1; link <= links; link++) {
      this.cleanupRuns.push(new LambdaInvocation(this, `cleanup_run_${link}`, {
        functionName: this.cleanupFunction.functionName,
        lifecycleScope: 'CRUD',
        // Naming the target and filter makes Terraform destroy the link before them.
        input: JSON.stringify({ action: 'cleanup', link, links, mirrorTargetId: props.mirrorTargetId, mirrorFilterId: props.mirrorFilterId }),
        dependsOn: link === 1 ? firstLinkAfter : [this.cleanupRuns[link - 2]],
      }));
    }
  }

  /** The run's own metrics (failed creates and deletes, failed sources) and the function's Errors, each on any occurrence. */
  private addAlarms(props: SessionLambdaProps, settings: Settings, names: ResourceNames, tags: Record<string, string>) {
    const alarmActions = [...(props.alarmActions ?? [])];
    const anyOccurrenceAlarm = (id: string, alarm: { alarmName: string; alarmDescription: string; namespace: string; metricName: string; dimensions: Record<string, string>; period: number }) =>
      new CloudwatchMetricAlarm(this, id, {
        ...alarm,
        statistic: 'Sum',
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions,
        tags,
      });
    const runMetricAlarm = (id: string, metricName: string, what: string) => anyOccurrenceAlarm(id, {
      alarmName: names.sessionAlarm(id.replace(/_alarm$/, '').replace(/_/g, '-')),
      alarmDescription: `${what} (the run summaries in ${this.logGroup.name} name them)`,
      namespace: SESSION_METRICS_NAMESPACE,
      metricName,
      dimensions: { Stack: settings.stackName },
      // One period per interval: each scheduled run lands in its own period, so a failure that repeats keeps the
      // alarm in ALARM (one notification), and the first clean run brings it back.
      period: settings.intervalMinutes * 60,
    });
    return {
      sessionErrors: runMetricAlarm('session_errors_alarm', 'Errors', `${settings.functionName} could not create or delete mirror sessions`),
      failedSources: runMetricAlarm('failed_sources_alarm', 'FailedSources', `${settings.functionName} could not discover a configured source`),
      errors: anyOccurrenceAlarm('errors_alarm', {
        alarmName: names.sessionAlarm('errors'),
        alarmDescription: `${settings.functionName} failed (see its log group ${this.logGroup.name})`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: this.function.functionName },
        period: 300,
      }),
    };
  }

  /**
   * EventBridge rules -> the event queue (a queue policy lets exactly these rules send) -> the function, in batches.
   * Instance running and Auto Scaling launches for every source type (ECS container instances are instances too);
   * ECS task RUNNING in the configured cluster for ECS_CLUSTER.
   */
  private addFastPath(queue: SqsQueue, props: SessionLambdaProps, functionName: string, batching: Pick<Settings, 'batchingWindow' | 'batchSize'>, tags: Record<string, string>): TerraformResource[] {
    const starters: TerraformResource[] = [];
    const patterns: [string, string, object][] = [
      ['ec2_running', 'EC2 instance entered the running state', EVENT_PATTERNS.instanceRunning],
      ['asg_launch', 'Auto Scaling launched an instance', EVENT_PATTERNS.autoScalingLaunch],
    ];
    if (followsTasks(props.sourceType)) patterns.push(['ecs_task_running', `ECS task RUNNING in cluster ${props.sources[0]}`, EVENT_PATTERNS.ecsTaskRunning(props.sources[0])]);
    for (const [id, what, pattern] of patterns) {
      const rule = new CloudwatchEventRule(this, `${id}_rule`, {
        name: resourceNames(props.namePrefix).eventRule(id.replace(/_/g, '-')),
        description: `${what}: ${functionName} mirrors it if it is a wanted source`,
        eventPattern: JSON.stringify(pattern),
        tags,
      });
      starters.push(new CloudwatchEventTarget(this, `${id}_target`, { rule: rule.name, targetId: 'mirror-events', arn: queue.arn }));
      this.eventRules.push(rule);
    }
    new SqsQueuePolicy(this, 'event_queue_policy', {
      queueUrl: queue.url,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'OnlyOurRulesSend',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queue.arn,
          Condition: { ArnEquals: { 'aws:SourceArn': this.eventRules.map((rule) => rule.arn) } },
        }],
      }),
    });
    // Created after the apply-time run and, on destroy, removed before the cleanup, like the schedule's target.
    starters.push(new LambdaEventSourceMapping(this, 'event_source', {
      eventSourceArn: queue.arn,
      functionName: this.function.arn,
      batchSize: batching.batchSize,
      maximumBatchingWindowInSeconds: batching.batchingWindow,
      functionResponseTypes: ['ReportBatchItemFailures'],
      // The fewest pollers SQS allows; reserved concurrency 1 still keeps runs from overlapping.
      scalingConfig: { maximumConcurrency: 2 },
      tags,
      dependsOn: [this.invocation],
    }));
    return starters;
  }
}

type ResourceNames = ReturnType<typeof resourceNames>;

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** The props' settings with their defaults, checked; and the names the policy and the functions share. */
interface Settings {
  readonly timeoutSeconds: number;
  readonly intervalMinutes: number;
  readonly stackName: string;
  readonly functionName: string;
  readonly fastPath: boolean;
  readonly batchingWindow: number;
  readonly batchSize: number;
  readonly retryDelays: readonly number[];
}

function settingsOf(props: SessionLambdaProps): Settings {
  const timeoutSeconds = props.timeoutSeconds ?? 600;
  const intervalMinutes = props.intervalMinutes ?? 15;
  checkTargetSelection(props);
  if (!isSessionSourceType(props.sourceType)) throw new Error(`SessionLambda: no session Lambda for source type ${props.sourceType}`);
  if (props.sources.length === 0) throw new Error('SessionLambda: sources must name at least one source');
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) throw new Error(`SessionLambda: timeoutSeconds must be 1..900, got ${timeoutSeconds}`);
  if (intervalMinutes * 60 <= timeoutSeconds) throw new Error(`SessionLambda: intervalMinutes (${intervalMinutes}) must be longer than timeoutSeconds (${timeoutSeconds} s) so runs never overlap`);

  const batchingWindow = props.eventBatchingWindowSeconds ?? 10;
  const batchSize = props.eventBatchSize ?? 100;
  const retryDelays = props.eventRetryDelaysSeconds ?? DEFAULT_EVENT_RETRY_DELAYS_SECONDS;
  if (!Number.isInteger(batchingWindow) || batchingWindow < 0 || batchingWindow > 300) throw new Error(`SessionLambda: eventBatchingWindowSeconds must be 0..300, got ${batchingWindow}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000 || (batchSize > 10 && batchingWindow < 1)) {
    throw new Error(`SessionLambda: eventBatchSize must be 1..10000 (above 10 only with a batching window), got ${batchSize}`);
  }
  if (retryDelays.length > 10 || !retryDelays.every((d) => Number.isInteger(d) && d >= 0 && d <= 900)) {
    throw new Error(`SessionLambda: eventRetryDelaysSeconds must be at most 10 whole numbers of seconds from 0 to 900, got ${JSON.stringify(retryDelays)}`);
  }
  return {
    timeoutSeconds, intervalMinutes, stackName: props.stackName ?? props.namePrefix, functionName: resourceNames(props.namePrefix).sessionFunction,
    fastPath: props.fastPath ?? true, batchingWindow, batchSize, retryDelays,
  };
}

/** JavaScript callers and casts get past the types: each target selection with exactly its own props. */
function checkTargetSelection(props: SessionLambdaProps): void {
  const selection: unknown = props.targetSelection ?? 'single';
  if (!(TARGET_SELECTIONS as readonly unknown[]).includes(selection)) {
    throw new Error(`SessionLambda: targetSelection must be one of ${TARGET_SELECTIONS.join(', ')}, got ${JSON.stringify(selection)}`);
  }
  const named = (['mirrorTargetId', 'mirrorTargetArn'] as const).filter((key) => props[key] !== undefined);
  if (selection === 'vpc-endpoint' && named.length > 0) {
    throw new Error(`SessionLambda: ${named.join(' and ')} must not be set with targetSelection vpc-endpoint (each run finds the stack's endpoint targets by their ${STACK_TAG_KEY} tag)`);
  }
  if (selection === 'single' && named.length < 2) {
    throw new Error('SessionLambda: mirrorTargetId and mirrorTargetArn are required with targetSelection single (the default)');
  }
}

/** The role's policy: discover, create sessions only toward our target and filter and only with our tag, delete only
 * ours, write and read our logs, drain our function on destroy, use our queue, keep our filter's rules. */
function sessionPolicy(props: SessionLambdaProps, settings: Settings, logGroups: { session: CloudwatchLogGroup; cleanup: CloudwatchLogGroup }, eventQueue: SqsQueue | undefined) {
  const { stackName, functionName } = settings;
  const endpointTargets = props.targetSelection === 'vpc-endpoint';
  const partition = partitionOf(props.region);
  const ec2Arn = (resource: string) => `arn:${partition}:ec2:${props.region}:*:${resource}`;
  const sourceVpcArns = [...new Set(props.sourceVpcIds ?? [])].sort().map((vpcId) => ec2Arn(`vpc/${vpcId}`));
  const queueStatements = eventQueue ? [
    {
      Sid: 'ReceiveFromOwnEventQueue',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: eventQueue.arn,
    },
    {
      Sid: 'RetryThroughOwnEventQueue',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: eventQueue.arn,
    },
  ] : [];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DiscoverSources',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeTrafficMirrorSessions', 'ec2:DescribeTrafficMirrorFilters', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstances', 'ec2:DescribeInstanceTypes',
          'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
          'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeInstanceHealth',
          'ecs:ListContainerInstances', 'ecs:DescribeContainerInstances', 'ecs:ListTasks', 'ecs:DescribeTasks',
          // vpc-endpoint: the stack's targets, their endpoints and those endpoints' zones (lambda/endpoint-targets.ts).
          ...(endpointTargets ? ['ec2:DescribeTrafficMirrorTargets', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeSubnets'] : []),
        ],
        Resource: '*',
      },
      ...(endpointTargets ? [
        {
          Sid: 'CreateSessionsWithOurFilter',
          Effect: 'Allow',
          Action: 'ec2:CreateTrafficMirrorSession',
          Resource: props.mirrorFilterArn,
        },
        {
          // The targets are found at run time: those the stack made carry its tag (the provider's default tags).
          Sid: 'CreateSessionsTowardOurEndpointTargets',
          Effect: 'Allow',
          Action: 'ec2:CreateTrafficMirrorSession',
          Resource: ec2Arn('traffic-mirror-target/*'),
          Condition: { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: stackName } },
        },
      ] : [{
        Sid: 'CreateSessionsTowardOurTargetAndFilter',
        Effect: 'Allow',
        Action: 'ec2:CreateTrafficMirrorSession',
        Resource: [props.mirrorTargetArn, props.mirrorFilterArn],
      }]),
      {
        Sid: 'CreateSessionsOnlyWithOurOwnershipTag',
        Effect: 'Allow',
        Action: 'ec2:CreateTrafficMirrorSession',
        Resource: ec2Arn('traffic-mirror-session/*'),
        Condition: { StringEquals: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: stackName } },
      },
      {
        // Where the sources' VPCs are known (LOAD_BALANCER_TAGS), only interfaces in them may be mirrored.
        Sid: sourceVpcArns.length > 0 ? 'MirrorOnlyInterfacesInSourceVpcs' : 'MirrorInterfaces',
        Effect: 'Allow',
        Action: 'ec2:CreateTrafficMirrorSession',
        Resource: ec2Arn('network-interface/*'),
        Condition: {
          StringEquals: { [`aws:RequestTag/${OWNER_TAG_KEY}`]: stackName },
          ...(sourceVpcArns.length > 0 ? { ArnLike: { 'ec2:Vpc': sourceVpcArns } } : {}),
        },
      },
      {
        Sid: 'TagSessionsOnlyOnCreation',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: ec2Arn('traffic-mirror-session/*'),
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateTrafficMirrorSession' } },
      },
      {
        Sid: 'DeleteOnlyOwnedSessions',
        Effect: 'Allow',
        Action: 'ec2:DeleteTrafficMirrorSession',
        Resource: ec2Arn('traffic-mirror-session/*'),
        Condition: { StringEquals: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: stackName } },
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${logGroups.session.arn}:*`, `${logGroups.cleanup.arn}:*`],
      },
      {
        // What earlier runs learned (instance types EC2 refused) is read back from the run summaries.
        Sid: 'ReadOwnRunSummaries',
        Effect: 'Allow',
        Action: 'logs:FilterLogEvents',
        Resource: [logGroups.session.arn, `${logGroups.session.arn}:*`],
      },
      {
        // Destroy: the cleanup waits for the session function's in-flight run with a drain invocation, which
        // sets the session function's reserved concurrency to 0 (lambda/drain.ts).
        Sid: 'DrainSessionFunctionOnDestroy',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction', 'lambda:GetFunctionConcurrency', 'lambda:PutFunctionConcurrency'],
        Resource: `arn:${partition}:lambda:${props.region}:*:function:${functionName}`,
      },
      ...queueStatements,
      ...(props.tcpPortsFromTargets ? [{
        Sid: 'KeepOurFilterRulesInStep',
        Effect: 'Allow',
        Action: ['ec2:CreateTrafficMirrorFilterRule', 'ec2:DeleteTrafficMirrorFilterRule'],
        Resource: [props.mirrorFilterArn, ec2Arn('traffic-mirror-filter-rule/*')],
      }] : []),
    ],
  };
}
