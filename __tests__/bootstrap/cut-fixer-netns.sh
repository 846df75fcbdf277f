#!/bin/bash
# The packet fixer as the hosts run it, on a live interface: in a network namespace created (and removed) here, a veth
# pair with jumbo MTU; vxlan-cut-fixer.py attached (generic XDP) to the capture end, Suricata capturing there with
# af-packet on the given configuration, and the frames of a pcap sent into the other end one by one (AF_PACKET), in
# the capture's order. Then Suricata and the fixer are stopped (SIGTERM), which writes their counters, and the
# program must be gone from the interface.
#
# Usage: cut-fixer-netns.sh WORK_DIR SURICATA_YAML IFACE TAG PCAP
#   SURICATA_YAML must capture on IFACE. Leaves WORK_DIR/log/{suricata.log,stats.json}, WORK_DIR/feed.json (the feed,
#   file mode), WORK_DIR/cut-stats.json (the fixer's counters), WORK_DIR/xdp-after.txt (ip link after the fixer stopped).
set -euo pipefail

work="$1" yaml="$2" iface="$3" tag="$4" pcap="$5"
here="$(cd "$(dirname "$0")" && pwd)"
fixer="$here/../../bootstrap/files/vxlan-cut-fixer.py"
ns="cut-$tag"
suricata_pid="" fixer_pid="" fixer_dir=""

# shellcheck source=netns-cleanup.sh
. "$here/netns-cleanup.sh"
trap cleanup_namespace_run EXIT INT TERM

# shellcheck source=wait-for.sh
. "$here/wait-for.sh"

mkdir -p "$work/log"
ip netns add "$ns"
ip -n "$ns" link add inject0 mtu 9100 type veth peer name "$iface" mtu 9100
ip -n "$ns" link set inject0 up
ip -n "$ns" link set "$iface" up

# As traceable-cut-fixer.service runs it: an unprivileged user with CAP_BPF and CAP_NET_ADMIN only (the system python3:
# that user cannot read a per-user installation).
fixer_dir="$(mktemp -d /tmp/cut-fixer-XXXXXX)" # the work directory may be closed to other users
chmod 1777 "$fixer_dir"
caps="-all,+bpf,+net_admin"
TRACEABLE_CUT_STATS="$fixer_dir/cut-stats.json" TRACEABLE_CUT_INTERVAL=1 \
  ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
  --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps" /usr/bin/python3 "$fixer" "$iface" >"$work/fixer.log" 2>&1 &
fixer_pid=$!
xdp_attached() { ip -n "$ns" link show dev "$iface" | grep -q xdpgeneric; }
wait_for 10 xdp_attached

TRACEABLE_FEED_MODE=file TRACEABLE_FEED_PATH="$work/feed.json" TRACEABLE_FEED_STATS="$work/feed-stats.json" \
  ip netns exec "$ns" suricata -c "$yaml" --af-packet -l "$work/log" >"$work/suricata.stdout" 2>&1 &
suricata_pid=$!
engine_started() { grep -qs 'Engine started' "$work/log/suricata.log"; }
wait_for 60 engine_started

ip netns exec "$ns" python3 "$here/inject-pcap.py" inject0 "$pcap"

# Suricata flushes what it holds at shutdown; then the fixer detaches and writes its last counters.
sleep 2
kill -TERM "$suricata_pid"
wait "$suricata_pid" || true
suricata_pid=""
kill -TERM "$fixer_pid"
wait "$fixer_pid"
fixer_pid=""
ip -n "$ns" link show dev "$iface" >"$work/xdp-after.txt"
cp "$fixer_dir/cut-stats.json" "$work/cut-stats.json"
