import { TerraformElement } from 'cdktf';
import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { REFRESH_TOKEN_SECRET_KEY } from '../shared';
import type { TokenSecretPlan } from '../plan';

export interface TokenSecretProps {
  /** The stack name, in the created secret's description. */
  readonly namePrefix: string;
  /**
   * An existing Secrets Manager secret whose key `refresh_token` holds the token, or the secret to create: its name
   * and the days Secrets Manager keeps it after destroy (0: deleted at once, or 7 to 30; while it waits, the name is taken).
   */
  readonly secret: TokenSecretPlan;
}

/**
 * Where the Traceable refresh token lives. Either an existing secret, or one this stack creates without a value:
 * `npm run token:put` puts the token once (scripts/token-put.ts). Terraform never sees the token, so it is in no
 * synthesized file, plan, state or debug log, and planning needs no secretsmanager:GetSecretValue.
 */
export class TokenSecret extends Construct {
  /** ARN of the secret (a Terraform reference when the stack creates it). */
  readonly secretArn: string;

  constructor(scope: Construct, id: string, props: TokenSecretProps) {
    super(scope, id);
    const plan = props.secret;
    if (plan.kind === 'existing') {
      this.secretArn = plan.arn;
      return;
    }
    const { recoveryWindowDays } = plan;
    if (!(recoveryWindowDays === 0 || (Number.isInteger(recoveryWindowDays) && recoveryWindowDays >= 7 && recoveryWindowDays <= 30))) {
      throw new Error(`TokenSecret: recoveryWindowDays must be 0 or a whole number from 7 to 30, got ${recoveryWindowDays}`);
    }
    const secret = new SecretsmanagerSecret(this, 'secret', {
      name: plan.name,
      description: `Traceable refresh token for the ${props.namePrefix} traffic-mirroring agents (key ${REFRESH_TOKEN_SECRET_KEY})`,
      recoveryWindowInDays: recoveryWindowDays,
    });
    // Same construct id as the version resource of 0.2.0, hence the same Terraform address.
    new ForgottenSecretVersion(this, 'value');
    this.secretArn = secret.arn;
  }
}

/**
 * Terraform's `removed` block (1.7+) for the secret version that 0.2.0 created from a Terraform variable: Terraform
 * forgets it without destroying it. Destroying it would call the provider's delete, which reads the value back
 * (GetSecretValue) and strips the version's other staging labels; forgetting keeps the token where it is (AWSCURRENT).
 * cdktf has no construct for `removed`; this element takes the old resource's address from its own construct path.
 */
class ForgottenSecretVersion extends TerraformElement {
  toTerraform(): unknown {
    return { removed: [{ from: `aws_secretsmanager_secret_version.${this.friendlyUniqueId}`, lifecycle: { destroy: false } }] };
  }
}
