#!/bin/bash
# A GWLB-mode host on a live interface: in a network namespace created (and removed) here, a veth pair with jumbo MTU
# whose capture end has the host's MAC and IPv4 address (the frames are addressed to it, so the host's stack sees them,
# IPv6 off). First, before any firewall, one GENEVE frame of CONTROL_PCAP is sent in and what the host sends back
# counted (the kernel's ICMP port unreachable: the control). Then geneve-firewall.sh (run twice), the cut fixer attached
# (generic XDP, unprivileged) and Suricata capturing with af-packet on the given configuration; the frames of PCAP sent
# in one by one (AF_PACKET), in the capture's order, the interface's sent packets counted around it; a UDP datagram to
# port 6081 tried from the host. Then Suricata and the fixer are stopped (SIGTERM), and the rules' counters read.
#
# SURICATA_WRAPPER (env, optional): a command line Suricata is started under (as in netns-e2e.sh: as-container.sh with
# the container's capability set); word-split.
# Usage: geneve-netns.sh WORK_DIR SURICATA_YAML IFACE TAG PCAP CONTROL_PCAP FIXER FIREWALL HEALTH_PORT CIDR...
#   The frames go to 02:00:00:00:00:20 / 10.0.2.20 from 02:00:00:00:00:30 / 10.0.0.0/16. Leaves in WORK_DIR: log/
#   (Suricata), feed.json (file mode), cut-stats.json, sent-control.txt and sent.txt (packets the interface sent
#   during the control and during PCAP), send-6081.txt (what sending to UDP 6081 gave), rules.txt and counters.txt
#   (iptables -S and -L -v -x -n of the filter table after the run), rules6.txt (ip6tables -S).
set -euo pipefail

work="$1" yaml="$2" iface="$3" tag="$4" pcap="$5" control="$6" fixer="$7" firewall="$8" health_port="$9"
shift 9
here="$(cd "$(dirname "$0")" && pwd)"
ns="geneve-$tag"
suricata_pid="" fixer_pid="" fixer_dir=""

# shellcheck source=netns-fixer.sh
. "$here/netns-fixer.sh"
trap cleanup_namespace_run EXIT INT TERM

# shellcheck source=wait-for.sh
. "$here/wait-for.sh"

in_ns() { ip netns exec "$ns" "$@"; }
sent_packets() { in_ns cat "/sys/class/net/$iface/statistics/tx_packets"; }

mkdir -p "$work/log"
ip netns add "$ns"
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ns" link add inject0 mtu 9100 type veth peer name "$iface" mtu 9100
ip -n "$ns" link set "$iface" address 02:00:00:00:00:20
ip -n "$ns" addr add 10.0.2.20/16 dev "$iface"
ip -n "$ns" link set inject0 up
ip -n "$ns" link set "$iface" up
# The senders' MACs known: an answer would leave at once, without an ARP request.
for source in 10.0.3.5 10.0.5.7; do
  ip -n "$ns" neigh replace "$source" lladdr 02:00:00:00:00:30 dev "$iface" nud permanent
done

before="$(sent_packets)"
in_ns python3 "$here/inject-pcap.py" inject0 "$control"
sleep 1
echo "$(($(sent_packets) - before))" >"$work/sent-control.txt"

in_ns bash "$firewall" "$health_port" "$@"
in_ns bash "$firewall" "$health_port" "$@"

start_cut_fixer "$fixer" geneve

# shellcheck disable=SC2086 # SURICATA_WRAPPER is a command line, split into its words
TRACEABLE_FEED_MODE=file TRACEABLE_FEED_PATH="$work/feed.json" TRACEABLE_FEED_STATS="$work/feed-stats.json" \
  ip netns exec "$ns" ${SURICATA_WRAPPER:-} suricata -c "$yaml" --af-packet -l "$work/log" >"$work/suricata.stdout" 2>&1 &
suricata_pid=$!
engine_started() { grep -qs 'Engine started' "$work/log/suricata.log"; }
wait_for 60 engine_started

before="$(sent_packets)"
in_ns python3 "$here/inject-pcap.py" inject0 "$pcap"
sleep 2
echo "$(($(sent_packets) - before))" >"$work/sent.txt"

in_ns python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b"x", ("10.0.3.5", 6081))
    print("sent")
except OSError as e:
    print(e.strerror)
' >"$work/send-6081.txt"

stop_suricata_then_fixer
cp "$fixer_dir/cut-stats.json" "$work/cut-stats.json"
in_ns iptables -w 5 -S >"$work/rules.txt"
in_ns iptables -w 5 -L -v -x -n >"$work/counters.txt"
in_ns ip6tables -w 5 -S >"$work/rules6.txt"
