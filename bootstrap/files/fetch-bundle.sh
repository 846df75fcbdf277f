#!/bin/bash
# Fetches the bootstrap bundle (the gzip of the unpack script, an S3 object of the stack) with the instance role,
# checks it against the sha256 the user data names, and writes the unpack script to OUTPUT. Run by the user data
# before anything is installed, so it needs only bash, curl, openssl, coreutils and gzip, present on Amazon Linux
# 2023 (ECS-optimized included) and Ubuntu 22.04/24.04. The request is signed here (SigV4 with openssl's SHA-256), not
# with curl --aws-sigv4: Ubuntu 22.04's curl 7.81 signs neither x-amz-security-token nor x-amz-content-sha256, which
# S3 requires signed. No credential is ever an argument (any process can read /proc/*/cmdline): the keys reach
# openssl and curl through pipes.
#
# usage: fetch-bundle.sh REGION BUCKET KEY SHA256 OUTPUT
# Tests point TRACEABLE_IMDS_ENDPOINT and TRACEABLE_S3_ENDPOINT at fakes on loopback.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

region="$1" bucket="$2" key="$3" sha256="$4" out="$5"
case "$region" in cn-*) dns_suffix=amazonaws.com.cn ;; *) dns_suffix=amazonaws.com ;; esac
imds="${TRACEABLE_IMDS_ENDPOINT:-http://169.254.169.254}"
s3="${TRACEABLE_S3_ENDPOINT:-https://$bucket.s3.$region.$dns_suffix}"
attempts="${TRACEABLE_FETCH_ATTEMPTS:-8}"
first_delay="${TRACEABLE_FETCH_DELAY:-2}"
# The key is ours (bootstrap/<sha256>.sh.gz): nothing in it needs URI encoding.
if ! [[ "$key" =~ ^[A-Za-z0-9._/-]+$ && "$sha256" =~ ^[0-9a-f]{64}$ ]]; then
  traceable_log ERROR "bootstrap bundle: invalid key '$key' or sha256 '$sha256'"
  exit 2
fi

# download FILE: one attempt: IMDSv2 token, the role's current credentials, the signed GET.
download() {
  local token role creds
  token="$(curl -fsS --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$imds/latest/api/token")"
  # The metadata token too goes to curl through stdin, not argv.
  role="$(printf 'X-aws-ec2-metadata-token: %s\n' "$token" | curl -fsS --max-time 5 -H @- "$imds/latest/meta-data/iam/security-credentials/" | head -n1)"
  creds="$(printf 'X-aws-ec2-metadata-token: %s\n' "$token" | curl -fsS --max-time 5 -H @- "$imds/latest/meta-data/iam/security-credentials/$role")"
  local access_key secret session
  access_key="$(printf '%s' "$creds" | traceable_json_field AccessKeyId)"
  secret="$(printf '%s' "$creds" | traceable_json_field SecretAccessKey)"
  session="$(printf '%s' "$creds" | traceable_json_field Token)"
  if [ -z "$access_key" ] || [ -z "$secret" ] || [ -z "$session" ]; then
    traceable_log WARN "bootstrap bundle: no credentials for role '$role' from instance metadata yet"
    return 1
  fi
  local host="${s3#*://}" amz_date payload
  host="${host%%/*}"
  amz_date="$(date -u +%Y%m%dT%H%M%SZ)"
  payload="$(traceable_sha256_hex '')"
  local authorization
  authorization="$(traceable_sigv4_authorization "$access_key" "$secret" "$amz_date" "$region" s3 GET "/$key" "$payload" \
    "host:$host" "x-amz-content-sha256:$payload" "x-amz-date:$amz_date" "x-amz-security-token:$session")"
  # The credentials go in headers, never in arguments other processes could read: curl reads them from stdin.
  printf 'Authorization: %s\nx-amz-content-sha256: %s\nx-amz-date: %s\nx-amz-security-token: %s\n' \
    "$authorization" "$payload" "$amz_date" "$session" |
    curl -fsS --max-time 60 -H @- -o "$1" "$s3/$key"
}

tmp="$(mktemp)"
trap 'rm -f "$tmp" "$out.tmp"' EXIT
if ! traceable_retry "$attempts" "$first_delay" download "$tmp"; then
  traceable_log ERROR "bootstrap bundle: could not download s3://$bucket/$key (see the attempts above)"
  exit 1
fi
actual="$(sha256sum "$tmp" | awk '{print $1}')"
if [ "$actual" != "$sha256" ]; then
  traceable_log ERROR "bootstrap bundle: s3://$bucket/$key has sha256 $actual, the user data expects $sha256: not unpacked"
  exit 1
fi
gzip -dc "$tmp" >"$out.tmp"
mv "$out.tmp" "$out"
