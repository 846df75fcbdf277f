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

# shellcheck source=netns-fixer.sh
. "$here/netns-fixer.sh"
trap cleanup_namespace_run EXIT INT TERM

# shellcheck source=wait-for.sh
. "$here/wait-for.sh"

mkdir -p "$work/log"
ip netns add "$ns"
ip -n "$ns" link add inject0 mtu 9100 type veth peer name "$iface" mtu 9100
ip -n "$ns" link set inject0 up
ip -n "$ns" link set "$iface" up

start_cut_fixer "$fixer" cut

TRACEABLE_FEED_MODE=file TRACEABLE_FEED_PATH="$work/feed.json" TRACEABLE_FEED_STATS="$work/feed-stats.json" \
  ip netns exec "$ns" suricata -c "$yaml" --af-packet -l "$work/log" >"$work/suricata.stdout" 2>&1 &
suricata_pid=$!
engine_started() { grep -qs 'Engine started' "$work/log/suricata.log"; }
wait_for 60 engine_started

ip netns exec "$ns" python3 "$here/inject-pcap.py" inject0 "$pcap"

sleep 2
stop_suricata_then_fixer
ip -n "$ns" link show dev "$iface" >"$work/xdp-after.txt"
cp "$fixer_dir/cut-stats.json" "$work/cut-stats.json"
