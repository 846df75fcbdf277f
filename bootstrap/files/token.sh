#!/bin/bash
# Reads the Traceable refresh token from Secrets Manager (key refresh_token) with the instance role into a file on
# tmpfs, which agent-run.sh mounts read-only into the agent container. Run by traceable.service before every start.
# Usage: token.sh OUT_TOKEN_FILE   (environment: TRACEABLE_REGION, TRACEABLE_TOKEN_SECRET_ARN)
set -euo pipefail

TRACEABLE_HOME="${TRACEABLE_HOME:-/opt/traceable}"
# shellcheck source=lib.sh
. "$TRACEABLE_HOME/bin/lib.sh"

out="${1:?usage: token.sh OUT_TOKEN_FILE}"
: "${TRACEABLE_REGION:?}" "${TRACEABLE_TOKEN_SECRET_ARN:?}"

# Prints the secret string.
secret_string() {
  traceable_aws secretsmanager get-secret-value --region "$TRACEABLE_REGION" --secret-id "$TRACEABLE_TOKEN_SECRET_ARN" \
    --query SecretString --output text
}

# The secret and the token stay in shell variables and pipes into builtins: never in argv, never in a log line,
# and the file is written only once a non-empty token was parsed.
fetch_once() {
  local secret token
  secret="$(secret_string)" || return 1
  token="$(printf '%s' "$secret" | traceable_token_from_json)" || return 1
  printf '%s' "$token" | traceable_write_token_file "$out"
}

if ! traceable_retry "${TRACEABLE_TOKEN_ATTEMPTS:-5}" "${TRACEABLE_RETRY_DELAY:-2}" fetch_once; then
  traceable_log ERROR "could not read the refresh token from $TRACEABLE_TOKEN_SECRET_ARN (key refresh_token); check the instance role's secretsmanager:GetSecretValue permission"
  exit 1
fi
traceable_log INFO "refresh token written to $out"
