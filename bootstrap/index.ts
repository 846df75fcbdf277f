import { HEALTH_CHECK_PORT } from './constants';

/** What the fleet's instances need to know at boot. Nothing secret: the token is read at boot from Secrets Manager. */
export interface BootstrapProps {
  /** AWS region of the stack (for the Secrets Manager and CloudWatch calls made at boot). */
  readonly region: string;
  /** ARN of the secret holding `{"refresh_token": "..."}`; may be a Terraform reference such as `${aws_secretsmanager_secret.x.arn}`. */
  readonly tokenSecretArn: string;
  /** Traceable environment name (TraceableEnvironment). */
  readonly traceableEnvironment: string;
  /** Service name shown for the mirrored traffic (TraceableServiceName). */
  readonly traceableServiceName: string;
  /** Traceable API endpoint host (TraceableAPIEndpoint). */
  readonly traceableApiEndpoint: string;
}

/** Renders the instance user data (a shell script). Placeholder until the real bootstrap lands. */
export function renderUserData(props: BootstrapProps): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    `# Traceable traffic-mirroring agent host (${props.traceableEnvironment}/${props.traceableServiceName})`,
    `echo "bootstrap placeholder: health port ${HEALTH_CHECK_PORT}, secret ${props.tokenSecretArn}, region ${props.region}, endpoint ${props.traceableApiEndpoint}"`,
    '',
  ].join('\n');
}
