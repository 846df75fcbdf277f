#!/bin/sh
# Entrypoint of the Traceable agent container: exports the refresh token from a file mounted read-only (tmpfs on the
# host) and execs the image's own entrypoint and command, read with `docker image inspect` on the host. The token is
# thus in no container configuration (`docker inspect`), argument or log.
# - EC2 hosts: agent-run.sh passes the image's command as arguments.
# - ECS task: no command; it is read from agent-command beside TOKEN_FILE (one argument per line, written by
#   agent-command.sh on the host, mounted with the token).
# The token is read by this shell itself (no child process) and exported only to the agent it execs: the ECS task has
# no shared PID namespace, so no other container sees this process's /proc/<pid>/environ.
# A missing token or command file fails at once with the reason (ECS then stops the task and starts another one): the
# host prepares both before the ECS agent starts, so a wait would only delay the same failure.
# Usage: agent-entrypoint.sh TOKEN_FILE VARIABLE [COMMAND [ARG...]]
set -eu

if [ "$#" -lt 2 ]; then
  echo "usage: agent-entrypoint.sh TOKEN_FILE VARIABLE [COMMAND [ARG...]]" >&2
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
if [ "$#" -eq 0 ]; then
  case "$token_file" in
    */*) command_file="${token_file%/*}/agent-command" ;;
    *) command_file=agent-command ;;
  esac
  if [ ! -s "$command_file" ]; then
    echo "agent-entrypoint: no command in $command_file" >&2
    exit 1
  fi
  while IFS= read -r arg || [ -n "$arg" ]; do
    set -- "$@" "$arg"
  done <"$command_file"
fi
token=""
IFS= read -r token <"$token_file" || [ -n "$token" ]
export "$variable=$token"
unset token
exec "$@"
