#!/bin/bash
# Runs the Traceable agent container (ExecStart of traceable.service): on the host network, in the containers' slice
# whose traffic to the instance metadata service is rejected, with the feed directory and Suricata's logs mounted,
# the non-secret settings from an env file and the refresh token only as a read-only file that agent-entrypoint.sh
# exports before it execs the image's own entrypoint and command.
# Usage: agent-run.sh TOKEN_FILE   (environment: /etc/traceable/bootstrap.env)
set -euo pipefail

TRACEABLE_HOME="${TRACEABLE_HOME:-/opt/traceable}"
# shellcheck source=lib.sh
. "$TRACEABLE_HOME/bin/lib.sh"

token_file="${1:?usage: agent-run.sh TOKEN_FILE}"
: "${TRACEABLE_AGENT_IMAGE:?}" "${TRACEABLE_AGENT_CREDENTIAL_VARIABLE:?}" "${TRACEABLE_CONTAINER_SLICE:?}" "${TRACEABLE_FEED_DIR:?}"
agent_env="${TRACEABLE_AGENT_ENV_FILE:-/etc/traceable/agent.env}"

command=()
while IFS= read -r -d '' arg; do command+=("$arg"); done < <(traceable_image_command "$TRACEABLE_AGENT_IMAGE")
if [ "${#command[@]}" -eq 0 ]; then
  traceable_log ERROR "cannot tell the entrypoint and command of $TRACEABLE_AGENT_IMAGE (docker image inspect)"
  exit 1
fi

# No capability (it reads files, binds the feed socket and calls the Traceable platform), no new privileges, a
# read-only root with a tmpfs scratch directory: README "Containers: least privilege".
exec docker run --rm --name traceable --network host \
  --cgroup-parent "$TRACEABLE_CONTAINER_SLICE" \
  --cap-drop all \
  --security-opt no-new-privileges \
  --read-only --tmpfs /tmp:rw,nosuid,nodev,size=64m \
  --log-driver none \
  --env-file "$agent_env" \
  -v "$token_file:/run/secrets/traceable-refresh-token:ro" \
  -v "$TRACEABLE_HOME/bin/agent-entrypoint.sh:/traceable/agent-entrypoint.sh:ro" \
  -v "$TRACEABLE_FEED_DIR:$TRACEABLE_FEED_DIR" \
  -v "$TRACEABLE_LOG_DIR/suricata:/var/log/suricata:ro" \
  --entrypoint /traceable/agent-entrypoint.sh \
  "$TRACEABLE_AGENT_IMAGE" /run/secrets/traceable-refresh-token "$TRACEABLE_AGENT_CREDENTIAL_VARIABLE" "${command[@]}"
