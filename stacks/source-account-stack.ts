import { TerraformElement, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct, Node } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AlarmTopic } from '../modules/alarm-topic';
import { SourceAccountMirroring } from '../modules/source-account-mirroring';
import { ENDPOINT_SERVICE_NAME_VARIABLE, MIRROR_TARGET_ID_VARIABLE, unhandled, type SourceAccountPlan } from '../plan';
import { ReadableAddresses } from './addresses';
import { applyBackend } from './backend';

/** Session name of the provider's assumed role: what CloudTrail shows in the source account. */
const ROLE_SESSION_NAME = 'traceable-traffic-mirroring';

/**
 * One source account of a collector (SourceAccounts): its own state and plan, a provider that assumes the account's
 * role (and refuses to act in any other account), the collector's target ID (NLB) or endpoint service name
 * (GWLB_ENDPOINT) as a Terraform variable (filled from the collector's `mirror_target_id` or `endpoint_service_name`
 * output: no data source), and {@link SourceAccountMirroring}. Apply it after the collector; destroy it before.
 */
export class SourceAccountStack extends TerraformStack {
  readonly mirroring: SourceAccountMirroring;
  /** MirrorTargetType NLB: the `mirror_target_id` variable. */
  readonly mirrorTargetId?: TerraformVariable;
  /** MirrorTargetType GWLB_ENDPOINT: the `endpoint_service_name` variable. */
  readonly endpointServiceName?: TerraformVariable;
  private addresses?: ReadableAddresses;

  constructor(scope: Construct, plan: SourceAccountPlan) {
    super(scope, plan.stackName);
    applyBackend(this, plan.backend, plan.stackName, plan.region);
    new AwsProvider(this, 'aws', {
      region: plan.region,
      assumeRole: [{ roleArn: plan.roleArn, sessionName: ROLE_SESSION_NAME }],
      allowedAccountIds: [plan.accountId],
      defaultTags: [{ tags: { ...plan.tags } }],
    });
    const target = plan.mirrorTarget;
    switch (target.kind) {
      case 'shared-target':
        this.mirrorTargetId = new TerraformVariable(this, MIRROR_TARGET_ID_VARIABLE, {
          type: 'string',
          description: `The collector's traffic mirror target (its mirror_target_id output), shared with account ${plan.accountId} through RAM`,
          nullable: false,
          ...(plan.sharedTargetId ? { default: plan.sharedTargetId } : {}),
          validation: [{
            condition: `\${can(regex("^tmt-[0-9a-f]{8,17}$", var.${MIRROR_TARGET_ID_VARIABLE}))}`,
            errorMessage: 'mirror_target_id must be a traffic mirror target ID such as tmt-0123456789abcdef0: the collector stack\'s mirror_target_id output (apply the collector first).',
          }],
        });
        break;
      case 'gwlb-endpoints':
        this.endpointServiceName = new TerraformVariable(this, ENDPOINT_SERVICE_NAME_VARIABLE, {
          type: 'string',
          description: `The collector's Gateway Load Balancer endpoint service (its endpoint_service_name output), which allows account ${plan.accountId}`,
          nullable: false,
          ...(target.sharedEndpointServiceName ? { default: target.sharedEndpointServiceName } : {}),
          validation: [{
            condition: `\${can(regex("^com[.]amazonaws[.]vpce[.][a-z0-9-]+[.]vpce-svc-[0-9a-f]{17}$", var.${ENDPOINT_SERVICE_NAME_VARIABLE}))}`,
            errorMessage: 'endpoint_service_name must be an endpoint service name such as com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0: the collector stack\'s endpoint_service_name output (apply the collector first).',
          }],
        });
        break;
      default:
        unhandled(target);
    }
    const alarms = new AlarmTopic(this, 'alarms', { namePrefix: plan.stackName });
    this.mirroring = new SourceAccountMirroring(this, 'source', {
      plan,
      mirrorTargetId: this.mirrorTargetId?.stringValue,
      endpointServiceName: this.endpointServiceName?.stringValue,
      alarmActions: alarms.alarmActions,
    });
    new TerraformOutput(this, 'mirror_filter_id', { value: this.mirroring.mirrorFilter.id, description: `Traffic mirror filter of account ${plan.accountId} (the collector's rules)` });
    const endpoints = this.mirroring.endpoints;
    if (endpoints !== undefined) {
      new TerraformOutput(this, 'mirror_target_ids', {
        value: Object.fromEntries(Object.entries(endpoints.mirrorTargets).map(([subnetId, mirrorTarget]) => [subnetId, mirrorTarget.id])),
        description: `Traffic mirror targets (Gateway Load Balancer endpoints) of account ${plan.accountId} by endpoint subnet`,
      });
    }
    new TerraformOutput(this, 'session_function_name', { value: this.mirroring.sessionLambda.function.functionName, description: 'The session Lambda of this account' });
    new TerraformOutput(this, 'alarm_topic_arn', { value: alarms.topicArn, description: 'SNS topic the alarms of this account notify' });
  }

  /** Readable Terraform addresses (`aws_lambda_function.source_sessions_function`), see {@link ReadableAddresses}. */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    this.addresses ??= new ReadableAddresses(this);
    return this.addresses.addressOf(element);
  }
}
