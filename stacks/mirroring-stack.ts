import { TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct, Node } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { OUTPUT_ATTRIBUTES, TraceableTrafficMirroring } from '../modules/traceable-traffic-mirroring';
import { ReadableAddresses } from './addresses';
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
  private addresses?: ReadableAddresses;
  readonly mirroring: TraceableTrafficMirroring;

  constructor(scope: Construct, props: MirroringStackProps) {
    const { config } = props;
    super(scope, config.StackName);

    applyBackend(this, config.Backend, config.StackName, config.Region);

    const { Backend: _backend, ...settings } = config;
    this.mirroring = TraceableTrafficMirroring.fromConfig(this, MIRRORING_ID, settings, { standalone: true });
    new AwsProvider(this, 'aws', {
      region: config.Region,
      defaultTags: [{ tags: { ...this.mirroring.plan.tags } }],
    });
    for (const { name, description } of this.mirroring.plan.outputs) new TerraformOutput(this, name, { value: this.mirroring[OUTPUT_ATTRIBUTES[name]], description });
  }

  /** Addresses as before the construct existed: its own id is left out (see {@link ReadableAddresses}). */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    // Asked while the construct is being built, before `this.mirroring` is set: told apart by its class.
    this.addresses ??= new ReadableAddresses(this, (scope) => scope instanceof TraceableTrafficMirroring);
    return this.addresses.addressOf(element);
  }

  /** cdk.tf.json's `//` comments name construct paths: written without the construct's id, as before it existed. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the signature of TerraformStack.toTerraform
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
