import { Aspects } from 'cdktf';
import { Construct } from 'constructs';
import type { Ec2TrafficMirrorFilter } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter';
import { sessionSettingsOf, type SourceAccountPlan } from '../plan';
import { partitionOf } from './aws-partition';
import { addMirrorFilter } from './mirror-target';
import { PermissionsBoundary } from './permissions-boundary';
import { SessionLambda } from './session-lambda';

export interface SourceAccountMirroringProps {
  /** What the source account's stack builds (plan/source-accounts.ts). */
  readonly plan: SourceAccountPlan;
  /** ID of the collector's traffic mirror target, shared with this account through RAM. */
  readonly mirrorTargetId: string;
  /**
   * Actions of the session Lambda's alarms.
   * @default []
   */
  readonly alarmActions?: readonly string[];
}

/**
 * The part of traffic mirroring that lives in a source account: a filter with the collector's rules (filters cannot be
 * shared) and the session Lambda, which keeps this account's sessions toward the collector's shared target in step.
 * Its resources use the stack's AWS provider, which must deploy into the source account.
 */
export class SourceAccountMirroring extends Construct {
  readonly mirrorFilter: Ec2TrafficMirrorFilter;
  readonly sessionLambda: SessionLambda;

  constructor(scope: Construct, id: string, props: SourceAccountMirroringProps) {
    super(scope, id);
    const { plan } = props;
    Aspects.of(this).add(new PermissionsBoundary(plan.permissionsBoundaryArn));
    this.mirrorFilter = addMirrorFilter(this, { namePrefix: plan.stackName, ...plan.mirror });
    const sources = plan.sources;
    this.sessionLambda = new SessionLambda(this, 'sessions', {
      namePrefix: plan.stackName,
      region: plan.region,
      mirrorTargetId: props.mirrorTargetId,
      // The target is the collector's: its ARN names the collector's account (the only target sessions may name).
      mirrorTargetArn: `arn:${partitionOf(plan.region)}:ec2:${plan.region}:${plan.collectorAccountId}:traffic-mirror-target/${props.mirrorTargetId}`,
      mirrorFilterId: this.mirrorFilter.id,
      mirrorFilterArn: this.mirrorFilter.arn,
      ...sessionSettingsOf(sources),
      alarmActions: props.alarmActions,
    });
  }
}
