import { Fn, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { REFRESH_TOKEN_SECRET_KEY } from '../shared';
import type { TokenSecretPlan } from '../plan';

export interface TokenSecretProps {
  /** The stack name, in the created secret's description. */
  readonly namePrefix: string;
  /**
   * An existing Secrets Manager secret whose key `refresh_token` holds the token, or the secret to create: its name,
   * the ephemeral Terraform variable that carries the token, and the days Secrets Manager keeps it after destroy (0:
   * deleted at once, or 7 to 30; while it waits, the name is taken).
   */
  readonly secret: TokenSecretPlan;
}

/**
 * Where the Traceable refresh token lives. Either an existing secret, or one this stack creates from an
 * ephemeral, sensitive variable written through the write-only `secret_string_wo` attribute: the token
 * then never lands in synthesized files, the plan file or the Terraform state.
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
    const { recoveryWindowDays, variableName } = plan;
    if (!(recoveryWindowDays === 0 || (Number.isInteger(recoveryWindowDays) && recoveryWindowDays >= 7 && recoveryWindowDays <= 30))) {
      throw new Error(`TokenSecret: recoveryWindowDays must be 0 or a whole number from 7 to 30, got ${recoveryWindowDays}`);
    }
    const token = new TerraformVariable(this, 'refresh_token', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `Traceable refresh token (Settings > Account > Agent Token). Supply it at plan and apply time, e.g. TF_VAR_${variableName}; it is written to Secrets Manager and never stored in the state.`,
    });
    token.overrideLogicalId(variableName);
    // Ephemeral: Terraform keeps the value out of plan files and state; only write-only attributes may read it.
    token.addOverride('ephemeral', true);
    token.addValidation({
      // Written out: cdktf's Op.gt drops a literal 0 operand.
      condition: `\${length(var.${variableName}) > 0}`,
      errorMessage: `${variableName} must not be empty: supply the Traceable refresh token, e.g. export TF_VAR_${variableName}=...`,
    });
    const version = new TerraformVariable(this, 'refresh_token_version', {
      type: 'number',
      default: 1,
      description: `Increase by one to write a new value of ${variableName} into the secret (rotation).`,
    });
    version.overrideLogicalId(`${variableName}_version`);

    const secret = new SecretsmanagerSecret(this, 'secret', {
      name: plan.name,
      description: `Traceable refresh token for the ${props.namePrefix} traffic-mirroring agents (key ${REFRESH_TOKEN_SECRET_KEY})`,
      recoveryWindowInDays: recoveryWindowDays,
    });
    new SecretsmanagerSecretVersion(this, 'value', {
      secretId: secret.id,
      secretStringWo: Fn.jsonencode({ [REFRESH_TOKEN_SECRET_KEY]: token.stringValue }),
      secretStringWoVersion: version.numberValue,
    });
    this.secretArn = secret.arn;
  }
}
