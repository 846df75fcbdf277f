#!/bin/bash
# Writes the Traceable agent image's own entrypoint and command (docker image inspect), one argument per line, to a file
# that the ECS task's agent container reads: its entrypoint is agent-entrypoint.sh, which exports the token from the
# file beside this one and execs that command (on EC2, agent-run.sh passes the command as arguments instead). Pulls the
# image first when the host does not have it yet, logged in with the instance role to a private ECR registry.
# Run by traceable-agent-files.service on the ECS hosts, after token.sh.
# Usage: agent-command.sh OUT_FILE   (environment: /etc/traceable/bootstrap.env)
set -euo pipefail

TRACEABLE_HOME="${TRACEABLE_HOME:-/opt/traceable}"
# shellcheck source=lib.sh
. "$TRACEABLE_HOME/bin/lib.sh"

out="${1:?usage: agent-command.sh OUT_FILE}"
: "${TRACEABLE_AGENT_IMAGE:?}"
image="$TRACEABLE_AGENT_IMAGE"

# The ECS agent pulls the image for the task as well; pulling only when it is missing spares the registry's rate limit.
if ! docker image inspect "$image" >/dev/null 2>&1; then
  traceable_pull "$image" "${TRACEABLE_PULL_ATTEMPTS:-5}"
fi
if ! traceable_image_command "$image" lines >"$out.tmp" || [ ! -s "$out.tmp" ]; then
  rm -f "$out.tmp"
  traceable_log ERROR "cannot tell the entrypoint and command of $image (docker image inspect)"
  exit 1
fi
chmod 0444 "$out.tmp"
mv -f "$out.tmp" "$out"
traceable_log INFO "entrypoint and command of $image written to $out"
