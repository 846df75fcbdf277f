#!/bin/bash
# Functions shared by the Traceable mirror-target scripts (sourced, never run).
# Kept free of side effects at source time so tests can call each function alone.

# Log directory; tests point it elsewhere.
TRACEABLE_LOG_DIR="${TRACEABLE_LOG_DIR:-/var/traceable/log}"

# log LEVEL MESSAGE...: one timestamped line to stderr and to bootstrap.log (when writable).
traceable_log() {
  local level="$1"
  shift
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) traceable-bootstrap [$level] $*"
  printf '%s\n' "$line" >&2
  if [ -d "$TRACEABLE_LOG_DIR" ] && [ -w "$TRACEABLE_LOG_DIR" ]; then
    printf '%s\n' "$line" >>"$TRACEABLE_LOG_DIR/bootstrap.log" 2>/dev/null || true
  fi
}

# traceable_retry ATTEMPTS FIRST_DELAY_SECONDS COMMAND...: runs COMMAND until it succeeds, at most ATTEMPTS
# times, doubling the delay between attempts (capped at 60 s). Returns the last exit status.
traceable_retry() {
  local attempts="$1" delay="$2"
  shift 2
  local n=1 rc=0
  while true; do
    if "$@"; then
      return 0
    else
      rc=$?
    fi
    if [ "$n" -ge "$attempts" ]; then
      traceable_log ERROR "gave up after $n attempts (exit $rc): $*"
      return "$rc"
    fi
    traceable_log WARN "attempt $n/$attempts failed (exit $rc), retrying in ${delay}s: $*"
    sleep "$delay"
    n=$((n + 1))
    delay=$((delay * 2))
    if [ "$delay" -gt 60 ]; then delay=60; fi
  done
}

# traceable_detect_os [OS_RELEASE_FILE]: prints "al2023" or "ubuntu"; for anything else prints a reason to
# stderr and returns 1 (end-of-life Amazon Linux 2 and CentOS 7 are named as such).
traceable_detect_os() {
  local file="${1:-/etc/os-release}"
  if [ ! -r "$file" ]; then
    echo "cannot read $file: unsupported operating system" >&2
    return 1
  fi
  local id version
  id="$(sed -n 's/^ID=//p' "$file" | tr -d '"' | head -n1)"
  version="$(sed -n 's/^VERSION_ID=//p' "$file" | tr -d '"' | head -n1)"
  case "$id:$version" in
    amzn:2023*) echo al2023 ;;
    ubuntu:22.04 | ubuntu:24.04) echo ubuntu ;;
    amzn:2)
      echo "Amazon Linux 2 is end of life and not supported: use Amazon Linux 2023 or Ubuntu 22.04/24.04" >&2
      return 1
      ;;
    centos:7*)
      echo "CentOS 7 is end of life and not supported: use Amazon Linux 2023 or Ubuntu 22.04/24.04" >&2
      return 1
      ;;
    *)
      echo "unsupported operating system ID=$id VERSION_ID=$version: use Amazon Linux 2023 or Ubuntu 22.04/24.04" >&2
      return 1
      ;;
  esac
}

# traceable_detect_arch [MACHINE]: maps `uname -m` to the container/package architecture (amd64 or arm64).
traceable_detect_arch() {
  local machine="${1:-$(uname -m)}"
  case "$machine" in
    x86_64 | amd64) echo amd64 ;;
    aarch64 | arm64) echo arm64 ;;
    *)
      echo "unsupported architecture $machine: x86_64 or arm64 only" >&2
      return 1
      ;;
  esac
}

# traceable_primary_interface: the interface of the default IPv4 route (where mirrored VXLAN arrives),
# else the first non-loopback interface that is up.
traceable_primary_interface() {
  local dev
  dev="$(ip -o -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')"
  if [ -z "$dev" ]; then
    dev="$(ip -o link show up 2>/dev/null | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2; exit }')"
  fi
  if [ -z "$dev" ]; then
    echo "no network interface found for capture" >&2
    return 1
  fi
  echo "$dev"
}

# traceable_render_suricata TEMPLATE OUT INTERFACE: writes the Suricata configuration with the capture
# interface filled in (the only value decided at boot).
traceable_render_suricata() {
  local template="$1" out="$2" iface="$3"
  case "$iface" in
    *[!A-Za-z0-9._-]* | '')
      echo "invalid interface name: $iface" >&2
      return 1
      ;;
  esac
  sed "s/__CAPTURE_INTERFACE__/$iface/g" "$template" >"$out.tmp"
  chmod 0644 "$out.tmp"
  mv -f "$out.tmp" "$out"
}

# traceable_token_from_json: reads the secret string (JSON) on stdin, prints the refresh_token value.
# Never echoes the input on error.
traceable_token_from_json() {
  python3 -c '
import json, sys
try:
    value = json.load(sys.stdin)["refresh_token"]
except Exception:
    sys.stderr.write("secret is not JSON with a refresh_token key\n")
    sys.exit(1)
if not isinstance(value, str) or not value or "\n" in value:
    sys.stderr.write("refresh_token is empty or not a single-line string\n")
    sys.exit(1)
sys.stdout.write(value)
'
}

# traceable_write_token_file OUT: writes the token on stdin to OUT (tmpfs), readable only through its 0700
# directory on the host and, mounted read-only, inside the agent container. Never in argv, a log line or an environment.
traceable_write_token_file() {
  local out="$1" token
  token="$(cat)"
  if [ -z "$token" ]; then
    echo "refusing to write $out without a token" >&2
    return 1
  fi
  (
    umask 077
    printf '%s' "$token" >"$out.tmp"
    # The agent image may run as any user: the file is readable, the directory above it (0700, root) is not.
    chmod 0444 "$out.tmp"
    mv -f "$out.tmp" "$out"
  )
}

# traceable_image_command IMAGE [lines]: prints the image's own entrypoint followed by its command (docker image
# inspect), NUL-separated (agent-run.sh's `docker run` arguments), or with `lines` one argument per line (the file
# agent-entrypoint.sh reads in the ECS task; an argument holding a newline is refused), so that a wrapper entrypoint
# can exec exactly what the image would have run.
traceable_image_command() {
  docker image inspect --format '{{json .Config.Entrypoint}}{{"\n"}}{{json .Config.Cmd}}' "$1" | python3 -c '
import json, sys
args = []
for line in sys.stdin.read().splitlines()[:2]:
    args.extend(json.loads(line or "null") or [])
if not args:
    sys.stderr.write("the image has neither an entrypoint nor a command\n")
    sys.exit(1)
separator = "\n" if sys.argv[1:] == ["lines"] else "\0"
if separator == "\n" and any("\n" in arg for arg in args):
    sys.stderr.write("an argument of the image entrypoint or command holds a newline\n")
    sys.exit(1)
sys.stdout.write("".join(arg + separator for arg in args))
' "${2:-nul}"
}

# traceable_aws ARGS...: the aws CLI, or (Ubuntu) its container on the host network (IMDS hop limit 1), outside the
# containers' slice so that it reaches the instance role.
traceable_aws() {
  if command -v aws >/dev/null 2>&1; then
    aws "$@"
  else
    # --log-driver none: the CLI prints the secret, which Docker's json-file log would otherwise keep on disk.
    docker run --rm --network host --log-driver none "${TRACEABLE_AWS_CLI_IMAGE:?}" "$@"
  fi
}

# traceable_ecr_registry IMAGE: prints IMAGE's private ECR registry, if any.
traceable_ecr_registry() {
  local registry="${1%%/*}"
  if [[ "$registry" =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$ ]]; then
    printf '%s\n' "$registry"
  fi
}

# traceable_ecr_login REGISTRY: docker login with the instance role; the password only passes through a pipe.
traceable_ecr_login() {
  local registry="$1" region
  region="$(printf '%s' "$registry" | cut -d. -f4)"
  traceable_aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >/dev/null
}

# traceable_pull IMAGE ATTEMPTS: docker pull with retries, logged in first to IMAGE's private ECR registry, if any.
traceable_pull() {
  local image="$1" attempts="$2" registry
  registry="$(traceable_ecr_registry "$image")"
  if [ -n "$registry" ]; then
    traceable_retry "$attempts" 5 traceable_ecr_login "$registry" || return
  fi
  traceable_retry "$attempts" 5 docker pull -q "$image"
}

# traceable_sha256_hex TEXT: sha256 of TEXT, hex.
traceable_sha256_hex() { printf '%s' "$1" | openssl dgst -sha256 | awk '{print $NF}'; }
# traceable_hex_bytes HEX: writes the bytes HEX spells, with builtins only.
traceable_hex_bytes() {
  local hex="$1" escaped="" i
  for ((i = 0; i < ${#hex}; i += 2)); do escaped+="\\x${hex:i:2}"; done
  printf '%b' "$escaped"
}
# traceable_hmac_hex HEX_KEY TEXT: HMAC-SHA256 of TEXT, hex. RFC 2104 over openssl's plain SHA-256, so that the key
# reaches openssl only through a pipe: its -hmac and -macopt options would put it in argv (/proc/*/cmdline).
traceable_hmac_hex() {
  local key="$1" ipad="" opad="" i byte inner
  if [ "${#key}" -gt 128 ]; then key="$(traceable_hex_bytes "$key" | openssl dgst -sha256 | awk '{print $NF}')"; fi
  while [ "${#key}" -lt 128 ]; do key+=0; done
  for ((i = 0; i < 128; i += 2)); do
    byte=$((16#${key:i:2}))
    printf -v ipad '%s%02x' "$ipad" $((byte ^ 0x36))
    printf -v opad '%s%02x' "$opad" $((byte ^ 0x5c))
  done
  inner="$({ traceable_hex_bytes "$ipad"; printf '%s' "$2"; } | openssl dgst -sha256 | awk '{print $NF}')"
  { traceable_hex_bytes "$opad"; traceable_hex_bytes "$inner"; } | openssl dgst -sha256 | awk '{print $NF}'
}

# traceable_sigv4_authorization ACCESS_KEY SECRET AMZ_DATE REGION SERVICE METHOD PATH PAYLOAD_SHA256 HEADER...: the
# Authorization header value of a request without query string, signing the given lower-case "name:value"
# headers (sorted by name, values trimmed), as in AWS's Signature Version 4 documentation.
traceable_sigv4_authorization() {
  local access_key="$1" secret="$2" amz_date="$3" region="$4" service="$5" method="$6" path="$7" payload="$8"
  shift 8
  local canonical_headers="" signed_headers="" header
  for header in "$@"; do
    canonical_headers+="$header"$'\n'
    signed_headers+="${signed_headers:+;}${header%%:*}"
  done
  local scope="${amz_date%%T*}/$region/$service/aws4_request"
  local request="$method"$'\n'"$path"$'\n'$'\n'"$canonical_headers"$'\n'"$signed_headers"$'\n'"$payload"
  local to_sign k
  to_sign="AWS4-HMAC-SHA256"$'\n'"$amz_date"$'\n'"$scope"$'\n'"$(traceable_sha256_hex "$request")"
  k="$(printf '%s' "AWS4$secret" | od -An -v -tx1 | tr -d ' \n')"
  k="$(traceable_hmac_hex "$k" "${amz_date%%T*}")"
  k="$(traceable_hmac_hex "$k" "$region")"
  k="$(traceable_hmac_hex "$k" "$service")"
  k="$(traceable_hmac_hex "$k" aws4_request)"
  printf 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s' \
    "$access_key" "$scope" "$signed_headers" "$(traceable_hmac_hex "$k" "$to_sign")"
}

# traceable_json_field NAME: the string value of NAME in the JSON on stdin (instance metadata's credentials document).
traceable_json_field() { sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" | head -n1; }
