import { TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';

/**
 * Puts one permissions boundary on every IAM role in a construct's subtree, those added later included: the most the
 * stack's roles may ever do, whatever policy a deployer puts on them (the apply policy creates roles only with it).
 */
export class PermissionsBoundary implements IAspect {
  constructor(private readonly policyArn: string) {}

  visit(node: IConstruct): void {
    if (TerraformResource.isTerraformResource(node) && node.terraformResourceType === 'aws_iam_role') (node as IamRole).permissionsBoundary = this.policyArn;
  }
}
