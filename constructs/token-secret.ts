import { Fn, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { REFRESH_TOKEN_SECRET_KEY, createdTokenSecretName } from '../shared';

export interface TokenSecretProps {
  /** Prefix of the secret's name (the stack name). */
  readonly namePrefix: string;
  /**
   * ARN of an existing Secrets Manager secret whose key `refresh_token` holds the token.
   * @default - a secret is created from the ephemeral Terraform variable {@link TokenSecretProps.variableName}
   */
  readonly existingSecretArn?: string;
  /** Name of the Terraform variable that carries the token when no existing secret is given. */
  readonly variableName: string;
  /**
   * Days Secrets Manager keeps the created secret after destroy (0: deleted at once, or 7 to 30). While it waits,
   * the name is taken: a stack of the same name cannot be deployed again until then.
   * @default 7
   */
  readonly recoveryWindowDays?: number;
}

/**
 * Where the Traceable refresh token lives. Either an existing secret, or one this stack creates from an
 * ephemeral, sensitive variable written through the write-only `secret_string_wo` attribute: the token
 * then never lands in synthesized files, the plan file or the Terraform state.
 */
export class TokenSecret extends Construct {
  /** ARN of the secret (a Terraform reference when the stack creates it). */
  readonly secretArn: string;
  /**
   * How instances name the secret in GetSecretValue: a plain string known at synth (the ARN given, or the name
   * of the created secret), so user data holds no Terraform reference and can be rendered and encoded as is.
   */
  readonly secretId: string;

  constructor(scope: Construct, id: string, props: TokenSecretProps) {
    super(scope, id);
    const recoveryWindowDays = props.recoveryWindowDays ?? 7;
    if (!(recoveryWindowDays === 0 || (Number.isInteger(recoveryWindowDays) && recoveryWindowDays >= 7 && recoveryWindowDays <= 30))) {
      throw new Error(`TokenSecret: recoveryWindowDays must be 0 or a whole number from 7 to 30, got ${recoveryWindowDays}`);
    }
    if (props.existingSecretArn) {
      this.secretArn = props.existingSecretArn;
      this.secretId = props.existingSecretArn;
      return;
    }
    const token = new TerraformVariable(this, 'refresh_token', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `Traceable refresh token (Settings > Account > Agent Token). Supply it at plan and apply time, e.g. TF_VAR_${props.variableName}; it is written to Secrets Manager and never stored in the state.`,
    });
    token.overrideLogicalId(props.variableName);
    // Ephemeral: Terraform keeps the value out of plan files and state; only write-only attributes may read it.
    token.addOverride('ephemeral', true);
    token.addValidation({
      // Written out: cdktf's Op.gt drops a literal 0 operand.
      condition: `\${length(var.${props.variableName}) > 0}`,
      errorMessage: `${props.variableName} must not be empty: supply the Traceable refresh token, e.g. export TF_VAR_${props.variableName}=...`,
    });
    const version = new TerraformVariable(this, 'refresh_token_version', {
      type: 'number',
      default: 1,
      description: `Increase by one to write a new value of ${props.variableName} into the secret (rotation).`,
    });
    version.overrideLogicalId(`${props.variableName}_version`);

    const secretName = createdTokenSecretName(props.namePrefix);
    const secret = new SecretsmanagerSecret(this, 'secret', {
      name: secretName,
      description: `Traceable refresh token for the ${props.namePrefix} traffic-mirroring agents (key ${REFRESH_TOKEN_SECRET_KEY})`,
      recoveryWindowInDays: recoveryWindowDays,
    });
    new SecretsmanagerSecretVersion(this, 'value', {
      secretId: secret.id,
      secretStringWo: Fn.jsonencode({ [REFRESH_TOKEN_SECRET_KEY]: token.stringValue }),
      secretStringWoVersion: version.numberValue,
    });
    this.secretArn = secret.arn;
    this.secretId = secretName;
  }
}
