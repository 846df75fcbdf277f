/**
 * The token secret as 0.2.0 synthesized it in the standalone app (modules/token-secret.ts at 0.2.0): the secret, its
 * value written from the ephemeral variable `traceable_refresh_token` through the write-only `secret_string_wo`, and
 * `traceable_refresh_token_version`. Upgrade tests deploy this shape, then plan the current one against its state.
 */
import type { TerraformJson } from './synth';

/** A current standalone stack's cdk.tf.json (with a created secret) turned back into what 0.2.0 synthesized. */
export function asSynthesizedBy020(current: TerraformJson): TerraformJson {
  if (!current.resource.aws_secretsmanager_secret?.token_secret) throw new Error('the stack creates no token secret (token_secret)');
  const { removed: _removed, ...rest } = current;
  return {
    ...rest,
    variable: {
      ...current.variable,
      traceable_refresh_token: {
        type: 'string',
        sensitive: true,
        nullable: false,
        ephemeral: true,
        description: 'Traceable refresh token (Settings > Account > Agent Token). Supply it at plan and apply time, e.g. TF_VAR_traceable_refresh_token; it is written to Secrets Manager and never stored in the state.',
        validation: [
          {
            condition: '${length(var.traceable_refresh_token) > 0}',
            error_message: 'traceable_refresh_token must not be empty: supply the Traceable refresh token, e.g. export TF_VAR_traceable_refresh_token=...',
          },
        ],
      },
      traceable_refresh_token_version: { type: 'number', default: 1, description: 'Increase by one to write a new value of traceable_refresh_token into the secret (rotation).' },
    },
    resource: {
      ...current.resource,
      aws_secretsmanager_secret_version: {
        token_value: {
          secret_id: '${aws_secretsmanager_secret.token_secret.id}',
          secret_string_wo: '${jsonencode({"refresh_token" = var.traceable_refresh_token})}',
          secret_string_wo_version: '${var.traceable_refresh_token_version}',
        },
      },
    },
  };
}
