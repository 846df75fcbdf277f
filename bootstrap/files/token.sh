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

# Secrets Manager's answer for a secret that exists but has no value yet: the stack created it and nobody has run
# `npm run token:put` (README, "Supplying the refresh token").
NO_VALUE_ERROR="can't find the specified secret value"
no_value=0

# The secret and the token stay in shell variables and pipes into builtins: never in argv, never in a log line,
# and the file is written only once a non-empty token was parsed. The CLI's error text (no secret in it) is passed on.
fetch_once() {
  local secret token errors
  no_value=0
  errors="$(mktemp)"
  if ! secret="$(secret_string 2>"$errors")"; then
    grep -q "$NO_VALUE_ERROR" "$errors" && no_value=1
    cat "$errors" >&2
    rm -f "$errors"
    return 1
  fi
  rm -f "$errors"
  token="$(printf '%s' "$secret" | traceable_token_from_json)" || return 1
  printf '%s' "$token" | traceable_write_token_file "$out"
}

if ! traceable_retry "${TRACEABLE_TOKEN_ATTEMPTS:-5}" "${TRACEABLE_RETRY_DELAY:-2}" fetch_once; then
  if [ "$no_value" = 1 ]; then
    # The agent waits for the token: its unit retries (EC2: traceable.service restarts; ECS: traceable-agent-files.timer).
    traceable_log ERROR "the secret $TRACEABLE_TOKEN_SECRET_ARN has no value yet: put the Traceable refresh token once (npm run token:put -- --stack <StackName>); the agent starts when it is there"
  else
    traceable_log ERROR "could not read the refresh token from $TRACEABLE_TOKEN_SECRET_ARN (key refresh_token); check the instance role's secretsmanager:GetSecretValue permission"
  fi
  exit 1
fi
traceable_log INFO "refresh token written to $out"
