#!/bin/bash
# End-to-end data path on real packets, inside network namespaces created (and removed) here:
#
#   client ns --veth-- server ns --veth-- target ns
#   (curl)      c0  s0 (http.server)  s1  IFACE (Suricata, af-packet)
#                   |                  ^
#                   +-- tc mirred ---> vx0 (VXLAN VNI 4242, UDP 4789) --> target address
#
# Both directions of the server's traffic on s0 are mirrored into a VXLAN device toward the target, as AWS
# Traffic Mirroring does; Suricata runs the given configuration as it is, on the interface it names.
#
# Suricata's events reach the test through the real feed (the Lua outputs): in socket mode (FEED_MODE=socket,
# the default) feed-receiver.py binds the unix datagram socket where the agent would and writes each datagram
# as a line to WORK_DIR/received.jsonl; in file mode the Lua appends to WORK_DIR/log/traceable-feed.json.
# BODY_LIMIT (env) is passed as TRACEABLE_HTTP_BODY_LIMIT (unset: the Lua module's default); FEED_QLEN (env) is
# net.unix.max_dgram_qlen in the target namespace, where the receiver runs.
#
# SURICATA_WRAPPER (env, optional): a command line Suricata is started under, inside the target namespace (the capability
# test runs it with exactly the containers' capability set through setpriv); word-split, so no spaces within one argument.
# Usage: netns-e2e.sh WORK_DIR SURICATA_YAML IFACE TAG [extra suricata args, e.g. --set decoder.vxlan.enabled=false]
# Traffic, in order (see http-server.py for the paths):
#   GET 200, GET 404, POST 201, one connection each (status codes in WORK_DIR/client.txt);
#   BODIES=1 (env) also: PUT, a 64 KB POST, 64 KB and 1 MB responses, a chunked request, a chunked response and
#   a gzip response, one connection each (client.txt), KEEPALIVE (env, default 30) GETs of 100 KB on one
#   keep-alive connection (keepalive.txt) and 3 pipelined GETs on one connection (pipeline.txt);
#   then BURST (env, default 30) concurrent GETs (burst.txt).
# Leaves WORK_DIR/log/{suricata.log,stats.json}, the feed's output and WORK_DIR/iface-packets.txt (the packets the
# target's interface received, then sent, while Suricata captured on it). Request bodies sent are written by
# the test into WORK_DIR/post-64k.bin and WORK_DIR/chunked-upload.bin beforehand (BODIES=1).
# Namespaces are named e2e-{c,s,t}-TAG; everything is removed on every exit path.
set -euo pipefail

work="$1" yaml="$2" iface="$3" tag="$4"
BURST="${BURST:-30}"
KEEPALIVE="${KEEPALIVE:-30}"
FEED_MODE="${FEED_MODE:-socket}"
shift 4
here="$(cd "$(dirname "$0")" && pwd)"
ns_c="e2e-c-$tag" ns_s="e2e-s-$tag" ns_t="e2e-t-$tag"
suricata_pid="" server_pid="" receiver_pid=""

cleanup() {
  local rc=$?
  if [ -n "$suricata_pid" ] && kill -0 "$suricata_pid" 2>/dev/null; then
    kill -KILL "$suricata_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ -n "$receiver_pid" ]; then kill "$receiver_pid" 2>/dev/null || true; fi
  for ns in "$ns_c" "$ns_s" "$ns_t"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  exit "$rc"
}
trap cleanup EXIT INT TERM

# shellcheck source=wait-for.sh
. "$here/wait-for.sh"

mkdir -p "$work/log"
for ns in "$ns_c" "$ns_s" "$ns_t"; do
  ip netns add "$ns"
  # IPv4 only: no neighbour discovery or router solicitation reaches the target, so every packet its interface
  # receives is one of the test's.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip link add c0 netns "$ns_c" type veth peer name s0 netns "$ns_s"
ip link add s1 netns "$ns_s" type veth peer name "$iface" netns "$ns_t"
ip -n "$ns_c" addr add 10.213.1.1/24 dev c0
ip -n "$ns_s" addr add 10.213.1.2/24 dev s0
ip -n "$ns_s" addr add 10.213.2.1/24 dev s1
ip -n "$ns_t" addr add 10.213.2.2/24 dev "$iface"
ip -n "$ns_c" link set c0 up
ip -n "$ns_s" link set s0 up
ip -n "$ns_s" link set s1 up
ip -n "$ns_t" link set "$iface" up
# Static neighbours on the mirror's link: no ARP (or its later reachability probes) besides the test's packets.
mac() { ip -n "$1" -o link show "$2" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
ip -n "$ns_s" neigh replace 10.213.2.2 lladdr "$(mac "$ns_t" "$iface")" dev s1 nud permanent
ip -n "$ns_t" neigh replace 10.213.2.1 lladdr "$(mac "$ns_s" s1)" dev "$iface" nud permanent

# The mirror: VXLAN toward the target, fed by tc mirred (u32 match-all: this kernel has no matchall classifier) with both directions of s0.
ip -n "$ns_s" link add vx0 type vxlan id 4242 local 10.213.2.1 remote 10.213.2.2 dstport 4789 dev s1
ip -n "$ns_s" link set vx0 up
tc -n "$ns_s" qdisc add dev s0 clsact
tc -n "$ns_s" filter add dev s0 ingress protocol all u32 match u32 0 0 action mirred egress mirror dev vx0
tc -n "$ns_s" filter add dev s0 egress protocol all u32 match u32 0 0 action mirred egress mirror dev vx0

# The agent's end of the feed (socket mode): the datagram socket, bound before Suricata starts.
mkdir -p "$work/feed"
if [ "$FEED_MODE" = socket ]; then
  feed_path="$work/feed/eve.sock"
  # As on the hosts, the agent's namespace lets FEED_QLEN events wait in its socket queue (Linux default: 10).
  ip netns exec "$ns_t" sysctl -qw net.unix.max_dgram_qlen="${FEED_QLEN:-10}"
  ip netns exec "$ns_t" python3 "$here/feed-receiver.py" "$feed_path" "$work/received.jsonl" "$work/receiver.ready" &
  receiver_pid=$!
  wait_for 60 test -s "$work/receiver.ready"
else
  feed_path="$work/log/traceable-feed.json"
fi

# Suricata on the target, with the configuration as rendered; only the log directory and the feed's paths
# are redirected, through the same variables the container gets.
# shellcheck disable=SC2086 # SURICATA_WRAPPER is a command line, split into its words
env TRACEABLE_FEED_MODE="$FEED_MODE" TRACEABLE_FEED_PATH="$feed_path" TRACEABLE_FEED_STATS="$work/feed/feed-stats.json" \
  ${BODY_LIMIT:+TRACEABLE_HTTP_BODY_LIMIT="$BODY_LIMIT"} \
  ip netns exec "$ns_t" ${SURICATA_WRAPPER:-} suricata -c "$yaml" --af-packet -l "$work/log" --pidfile "$work/suricata.pid" "$@" \
  >"$work/suricata.stdout" 2>&1 &
suricata_pid=$!
engine_started() {
  if ! kill -0 "$suricata_pid" 2>/dev/null; then
    echo "suricata exited during start-up:" >&2
    tail -n 20 "$work/suricata.stdout" >&2
    exit 1
  fi
  grep -q 'Engine started' "$work/log/suricata.log" 2>/dev/null
}
wait_for 90 engine_started

ip netns exec "$ns_s" python3 "$here/http-server.py" 10.213.1.2 8080 "$work/server.ready" &
server_pid=$!
wait_for 60 test -s "$work/server.ready"

client() { # EXPECTED_CODE curl args...
  local code
  code="$(ip netns exec "$ns_c" curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
    -H 'Host: shop.e2e.test' -A 'traceable-e2e/1.0' "${@:2}")"
  echo "$code" >>"$work/client.txt"
  [ "$code" = "$1" ] || { echo "expected HTTP $1, got $code for ${*:2}" >&2; return 1; }
}
client 200 http://10.213.1.2:8080/api/items
client 404 http://10.213.1.2:8080/api/missing
client 201 -X POST -H 'Content-Type: application/json' --data '{"name":"widget","qty":3}' http://10.213.1.2:8080/api/items

if [ "${BODIES:-0}" = 1 ]; then
  base=http://10.213.1.2:8080
  client 200 -X PUT -H 'Content-Type: application/json' --data-binary '{"name":"gadget","qty":7}' "$base/api/items/7"
  client 201 -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$work/post-64k.bin" "$base/api/items"
  client 200 "$base/blob?size=65536"
  client 200 "$base/blob?size=1048576"
  client 200 -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' \
    --data-binary "@$work/chunked-upload.bin" "$base/upload"
  client 200 "$base/chunked?size=20000"
  client 200 -H 'Accept-Encoding: gzip' "$base/gzip"
  # KEEPALIVE requests for 100 KB on one connection (curl reuses it for every URL of one invocation).
  keepalive_args=()
  for i in $(seq 1 "$KEEPALIVE"); do
    keepalive_args+=(-o /dev/null "$base/blob?size=102400&keepalive=$i")
  done
  ip netns exec "$ns_c" curl -sS --max-time 30 -w '%{http_code} %{num_connects}\n' \
    -H 'Host: shop.e2e.test' -A 'traceable-e2e/1.0' "${keepalive_args[@]}" >"$work/keepalive.txt"
  ip netns exec "$ns_c" python3 "$here/http-pipeline.py" 10.213.1.2 8080 3 >"$work/pipeline.txt"
fi

# A burst of concurrent connections: both directions of many flows interleaved on the wire.
burst_args=()
for i in $(seq 1 "$BURST"); do
  burst_args+=(-o /dev/null "http://10.213.1.2:8080/api/items?burst=$i")
done
ip netns exec "$ns_c" curl -sS --max-time 20 --parallel --parallel-max "$BURST" -w '%{http_code}\n' \
  -H 'Host: shop.e2e.test' -A 'traceable-e2e/1.0' "${burst_args[@]}" >"$work/burst.txt"

# More traffic from another test: EXTRA_TRAFFIC (env), a script run with the client and server namespaces and WORK_DIR.
if [ -n "${EXTRA_TRAFFIC:-}" ]; then
  "$EXTRA_TRAFFIC" "$ns_c" "$ns_s" "$work"
fi

# Let the last packets through the ring, then stop Suricata cleanly (it flushes flows and writes final stats; it stops
# reading the ring at SIGTERM). No fixed pause: on a loaded machine Suricata may still be working through the ring.
# EXPECTED_EVENTS (env): first wait until the feed holds that many events (at most 120 s; the test names what is
# missing), however far behind a loaded machine keeps Suricata. Then wait until the feed's output has not grown for
# over a second (at most 30 s), so that an event beyond those expected shows too.
if [ "$FEED_MODE" = socket ]; then feed_out="$work/received.jsonl"; else feed_out="$feed_path"; fi
feed_size() { stat -c %s "$feed_out" 2>/dev/null || echo 0; }
feed_events() { if [ -f "$feed_out" ]; then wc -l <"$feed_out"; else echo 0; fi; }
has_expected_events() { [ "$(feed_events)" -ge "$EXPECTED_EVENTS" ]; }
if [ -n "${EXPECTED_EVENTS:-}" ]; then wait_for 120 has_expected_events || true; fi
# Milliseconds of the clock (SECONDS counts whole seconds: "quiet for over a second" took 2 to 3 s by it).
now_ms() { local micros="${EPOCHREALTIME//[.,]/}"; echo $((micros / 1000)); }
last_size="$(feed_size)" now="$(now_ms)"
changed_at="$now" deadline=$((now + 30000))
while [ $((now - changed_at)) -le 1000 ] && [ "$now" -lt "$deadline" ]; do
  sleep 0.25
  size="$(feed_size)" now="$(now_ms)"
  if [ "$size" != "$last_size" ]; then
    last_size="$size"
    changed_at="$now"
  fi
done
# What the target's interface received and sent while Suricata listened (its capture sees both directions).
ip netns exec "$ns_t" cat "/sys/class/net/$iface/statistics/rx_packets" "/sys/class/net/$iface/statistics/tx_packets" \
  >"$work/iface-packets.txt"
kill -TERM "$suricata_pid"
stopped() { ! kill -0 "$suricata_pid" 2>/dev/null; }
wait_for 30 stopped
wait "$suricata_pid" || true
suricata_pid=""
if [ -n "$receiver_pid" ]; then
  sleep 0.2 # the last datagrams were queued before Suricata exited; let the receiver write them
  kill "$receiver_pid" 2>/dev/null || true
  wait "$receiver_pid" 2>/dev/null || true
  receiver_pid=""
fi
