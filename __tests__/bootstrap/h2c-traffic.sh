#!/bin/bash
# EXTRA_TRAFFIC for netns-e2e.sh: HTTP/2 cleartext between its client and server namespaces (h2c-traffic.mjs:
# node's http2 server and client with prior knowledge on port 8081, curl --http2 Upgrade on port 8082).
# Usage: h2c-traffic.sh NS_CLIENT NS_SERVER WORK_DIR; leaves WORK_DIR/h2c-truth.json, every exchange as the
# client sent and received it.
set -euo pipefail

ns_c="$1" ns_s="$2" work="$3"
here="$(cd "$(dirname "$0")" && pwd)"
server=10.213.1.2

ip netns exec "$ns_s" node "$here/h2c-traffic.mjs" server "$server" 8081 8082 "$work/h2c.ready" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  [ -s "$work/h2c.ready" ] && break
  sleep 0.2
done
[ -s "$work/h2c.ready" ] || { echo "h2c-traffic server did not start" >&2; exit 1; }
ip netns exec "$ns_c" timeout 60 node "$here/h2c-traffic.mjs" client "$server" 8081 8082 "$work/h2c-truth.json"
