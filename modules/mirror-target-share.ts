import { Construct } from 'constructs';
import { RamPrincipalAssociation } from '@cdktf/provider-aws/lib/ram-principal-association';
import { RamResourceAssociation } from '@cdktf/provider-aws/lib/ram-resource-association';
import { RamResourceShare } from '@cdktf/provider-aws/lib/ram-resource-share';
import type { MirrorTargetSharePlan } from '../plan';

export interface MirrorTargetShareProps {
  /** Who may use the target (plan/source-accounts.ts). */
  readonly plan: MirrorTargetSharePlan;
  /** ARN of the collector's traffic mirror target. */
  readonly mirrorTargetArn: string;
}

/**
 * The collector's traffic mirror target shared through AWS RAM (resource type `ec2:TrafficMirrorTarget`) with the
 * source accounts, or with an organization or OU, so their session Lambdas can create sessions toward it.
 */
export class MirrorTargetShare extends Construct {
  readonly share: RamResourceShare;
  readonly principalAssociations: RamPrincipalAssociation[];

  constructor(scope: Construct, id: string, props: MirrorTargetShareProps) {
    super(scope, id);
    this.share = new RamResourceShare(this, 'share', {
      name: props.plan.name,
      allowExternalPrincipals: props.plan.allowExternalPrincipals,
      tags: { Name: props.plan.name },
    });
    new RamResourceAssociation(this, 'mirror_target', { resourceShareArn: this.share.arn, resourceArn: props.mirrorTargetArn });
    // One association per principal, addressed by the principal: adding an account later plans one create, not a replacement.
    this.principalAssociations = props.plan.principals.map(
      (principal) => new RamPrincipalAssociation(this, `principal_${principal.replace(/[^A-Za-z0-9]/g, '_')}`, { resourceShareArn: this.share.arn, principal }),
    );
  }
}
