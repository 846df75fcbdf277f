#!/bin/sh
# Entrypoint of the Traceable agent container on the EC2 hosts: exports the refresh token from a file mounted read-only
# (tmpfs on the host) and execs the image's own entrypoint and command, which agent-run.sh read with
# `docker image inspect`. The token is thus in no container configuration (`docker inspect`), argument or log.
# Usage: agent-entrypoint.sh TOKEN_FILE VARIABLE COMMAND [ARG...]
set -eu

if [ "$#" -lt 3 ]; then
  echo "usage: agent-entrypoint.sh TOKEN_FILE VARIABLE COMMAND [ARG...]" >&2
  exit 64
fi
token_file="$1"
variable="$2"
shift 2
case "$variable" in
  '' | [0-9]* | *[!A-Za-z0-9_]*)
    echo "agent-entrypoint: invalid variable name: $variable" >&2
    exit 64
    ;;
esac
if [ ! -s "$token_file" ]; then
  echo "agent-entrypoint: no token in $token_file" >&2
  exit 1
fi
token="$(cat "$token_file")"
export "$variable=$token"
unset token
exec "$@"
