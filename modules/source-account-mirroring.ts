import { Aspects } from 'cdktf';
import { Construct } from 'constructs';
import type { Ec2TrafficMirrorFilter } from '@cdktf/provider-aws/lib/ec2-traffic-mirror-filter';
import { sessionSettingsOf, unhandled, type SourceAccountPlan } from '../plan';
import { partitionOf } from './aws-partition';
import { addGatewayLoadBalancerEndpoints, type GatewayLoadBalancerEndpoints } from './gateway-load-balancer-target';
import { addMirrorFilter } from './mirror-target';
import { PermissionsBoundary } from './permissions-boundary';
import { SessionLambda, type SingleTargetProps, type VpcEndpointTargetProps } from './session-lambda';

export interface SourceAccountMirroringProps {
  /** What the source account's stack builds (plan/source-accounts.ts). */
  readonly plan: SourceAccountPlan;
  /** ID of the collector's traffic mirror target, shared with this account through RAM (MirrorTargetType NLB; required then). */
  readonly mirrorTargetId?: string;
  /** The collector's endpoint service, toward which this account's endpoints connect (GWLB_ENDPOINT; required then). */
  readonly endpointServiceName?: string;
  /**
   * Actions of the session Lambda's alarms.
   * @default []
   */
  readonly alarmActions?: readonly string[];
}

/**
 * The part of traffic mirroring that lives in a source account: a filter with the collector's rules (filters cannot be
 * shared), with GWLB_ENDPOINT this account's endpoints of the collector's service and a traffic mirror target on each,
 * and the session Lambda, which keeps this account's sessions toward the collector's shared target (or its own
 * endpoints' targets) in step. Its resources use the stack's AWS provider, which must deploy into the source account.
 */
export class SourceAccountMirroring extends Construct {
  readonly mirrorFilter: Ec2TrafficMirrorFilter;
  readonly sessionLambda: SessionLambda;
  /** GWLB_ENDPOINT: this account's endpoints and their traffic mirror targets, by subnet ID. */
  readonly endpoints?: GatewayLoadBalancerEndpoints;

  constructor(scope: Construct, id: string, props: SourceAccountMirroringProps) {
    super(scope, id);
    const { plan } = props;
    Aspects.of(this).add(new PermissionsBoundary(plan.permissionsBoundaryArn));
    this.mirrorFilter = addMirrorFilter(this, { namePrefix: plan.stackName, ...plan.mirror });
    const target = plan.mirrorTarget;
    let sessionTarget: SingleTargetProps | VpcEndpointTargetProps;
    switch (target.kind) {
      case 'shared-target': {
        const mirrorTargetId = required(props.mirrorTargetId, 'mirrorTargetId', 'the shared target of MirrorTargetType NLB');
        // The target is the collector's: its ARN names the collector's account (the only target sessions may name).
        sessionTarget = { mirrorTargetId, mirrorTargetArn: `arn:${partitionOf(plan.region)}:ec2:${plan.region}:${plan.collectorAccountId}:traffic-mirror-target/${mirrorTargetId}` };
        break;
      }
      case 'gwlb-endpoints': {
        const serviceName = required(props.endpointServiceName, 'endpointServiceName', "the collector's endpoint service of MirrorTargetType GWLB_ENDPOINT");
        this.endpoints = addGatewayLoadBalancerEndpoints(this, { namePrefix: plan.stackName, serviceName, endpoints: target.endpoints });
        sessionTarget = { targetSelection: 'vpc-endpoint', mirrorTargets: Object.values(this.endpoints.mirrorTargets) };
        break;
      }
      default:
        unhandled(target);
    }
    const sources = plan.sources;
    this.sessionLambda = new SessionLambda(this, 'sessions', {
      namePrefix: plan.stackName,
      region: plan.region,
      mirrorFilterId: this.mirrorFilter.id,
      mirrorFilterArn: this.mirrorFilter.arn,
      ...sessionSettingsOf(sources),
      ...sessionTarget,
      alarmActions: props.alarmActions,
    });
  }
}

function required(value: string | undefined, name: string, what: string): string {
  if (value === undefined) throw new Error(`SourceAccountMirroring: ${name} is required: ${what}`);
  return value;
}
