import { TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct, Node } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TraceableTrafficMirroring } from '../constructs/traceable-traffic-mirroring';
import { applyBackend } from './backend';
import type { MirroringConfig } from '../config';

export interface MirroringStackProps {
  /** A validated configuration (see config/). */
  readonly config: MirroringConfig;
}

/** The construct's id in the stack: left out of every Terraform address and construct path (see below). */
const MIRRORING_ID = 'mirroring';

/**
 * One deployment from a JSON configuration: its backend, the AWS provider (whose default tags carry
 * `traceable:stack` and Tags), the {@link TraceableTrafficMirroring} construct and its outputs.
 */
export class MirroringStack extends TerraformStack {
  private readonly allocatedIds = new Map<string, string>();
  readonly mirroring: TraceableTrafficMirroring;

  constructor(scope: Construct, props: MirroringStackProps) {
    const { config } = props;
    super(scope, config.StackName);

    applyBackend(this, config.Backend, config.StackName, config.Region);

    const { Backend: _backend, ...settings } = config;
    this.mirroring = new TraceableTrafficMirroring(this, MIRRORING_ID, settings, { standalone: true });
    new AwsProvider(this, 'aws', {
      region: config.Region,
      defaultTags: [{ tags: { ...this.mirroring.plan.tags } }],
    });
    for (const { name, value, description } of this.mirroring.outputs) new TerraformOutput(this, name, { value, description });
  }

  /**
   * Construct scopes below the stack, without the construct itself: the addresses of before it existed. (Asked while
   * the construct is being built, before `this.mirroring` is set.)
   */
  private scopesOf(node: Node): Construct[] {
    return node.scopes.slice(node.scopes.indexOf(this) + 1).filter((scope) => !(scope instanceof TraceableTrafficMirroring));
  }

  /**
   * Readable, stable Terraform addresses (`aws_lb.mirror_nlb`, not `aws_lb.mirror_nlb_F7312191`): the construct path
   * joined by underscores, so a plan in review names what it touches and renaming a construct is a visible change.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const id = this.scopesOf(node).map((scope) => scope.node.id).join('_').replace(/[^A-Za-z0-9_-]/g, '_');
    const path = node.path;
    const owner = this.allocatedIds.get(id);
    if (owner !== undefined && owner !== path) throw new Error(`Terraform address ${id} is used by both ${owner} and ${path}`);
    this.allocatedIds.set(id, path);
    return id;
  }

  /** cdk.tf.json's `//` comments name construct paths: written without the construct's id, as before it existed. */
  toTerraform(): any {
    const tf = super.toTerraform();
    const prefix = `${this.node.path}/${MIRRORING_ID}/`;
    for (const blocks of Object.values(tf) as unknown[]) {
      if (typeof blocks !== 'object' || blocks === null) continue;
      for (const byName of Object.values(blocks)) {
        if (typeof byName !== 'object' || byName === null) continue;
        for (const element of Object.values(byName) as { '//'?: { metadata?: { path?: string } } }[]) {
          const metadata = element?.['//']?.metadata;
          if (typeof metadata?.path === 'string' && metadata.path.startsWith(prefix)) metadata.path = `${this.node.path}/${metadata.path.slice(prefix.length)}`;
        }
      }
    }
    return tf;
  }
}
