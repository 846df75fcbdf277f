import { TerraformElement, type TerraformStack } from 'cdktf';
import type { IConstruct, Node } from 'constructs';

/**
 * Readable, stable Terraform addresses (`aws_lb.mirror_nlb`, not `aws_lb.mirror_nlb_F7312191`): the construct path below
 * the stack joined by underscores, so a plan in review names what it touches and renaming a construct is a visible
 * change. `skipped` scopes are left out of the path; two elements given one address is an error, not a silent clash.
 */
export class ReadableAddresses {
  private readonly allocated = new Map<string, string>();

  constructor(private readonly stack: TerraformStack, private readonly skipped: (scope: IConstruct) => boolean = () => false) {}

  addressOf(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const scopes = node.scopes.slice(node.scopes.indexOf(this.stack) + 1).filter((scope) => !this.skipped(scope));
    const id = scopes.map((scope) => scope.node.id).join('_').replace(/[^A-Za-z0-9_-]/g, '_');
    const owner = this.allocated.get(id);
    if (owner !== undefined && owner !== node.path) throw new Error(`Terraform address ${id} is used by both ${owner} and ${node.path}`);
    this.allocated.set(id, node.path);
    return id;
  }
}
