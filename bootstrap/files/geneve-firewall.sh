#!/bin/bash
# GWLB mode: the host's firewall for what the Gateway Load Balancer sends, GENEVE (UDP 6081) and its health checks.
# - In: every GENEVE packet is consumed here. Suricata's capture (af-packet, whose socket filter admits GENEVE from the
#   GWLB's CIDR blocks only) has taken its copy before netfilter sees the packet; the host's stack then drops it, so
#   that no ICMP error goes back and nothing is forwarded. The health endpoint answers the GWLB's CIDR blocks and the
#   host itself (loopback) only.
# - Out: nothing leaves on UDP 6081, from the host or forwarded (a GWLB target is expected to send each packet back
#   in GENEVE; the mirrored copies must end here).
# IPv6: the GWLB speaks IPv4 only, so no GENEVE and no health check from anywhere but loopback.
# Usage: geneve-firewall.sh HEALTH_PORT CIDR...   (the GWLB's IPv4 CIDR blocks)
#
# Run every 10 s by traceable-imds-block@.service's timer. Each run rebuilds the chains in one iptables-restore
# transaction (no moment without the rules) and puts their jumps first in INPUT, OUTPUT and FORWARD (as imds-block.sh).
set -euo pipefail

geneve_port=6081
in_chain=TRACEABLE-GENEVE-IN
out_chain=TRACEABLE-GENEVE-OUT
health_port="${1:-}"
shift || true
case "$health_port" in
  '' | *[!0-9]*)
    echo "geneve-firewall: usage: geneve-firewall.sh HEALTH_PORT CIDR... (health port: $health_port)" >&2
    exit 64
    ;;
esac
if [ "$#" = 0 ]; then
  echo "geneve-firewall: no CIDR block of the Gateway Load Balancer given" >&2
  exit 64
fi
for cidr in "$@"; do
  if ! [[ "$cidr" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$ ]]; then
    echo "geneve-firewall: not an IPv4 CIDR block: $cidr" >&2
    exit 64
  fi
done

# The jumps to our chains: hook and chain.
jumps=("INPUT $in_chain" "OUTPUT $out_chain" "FORWARD $out_chain")

# rules TOOL CIDR...: the iptables-restore input: both chains' rules, and exactly one jump to each, first in its hook
# (the jumps found are deleted, so that no other rule can be put before them).
rules() {
  local tool="$1" jump hook chain count i cidr
  shift
  echo '*filter'
  echo ":$in_chain - [0:0]"
  echo ":$out_chain - [0:0]"
  echo "-F $in_chain"
  echo "-F $out_chain"
  echo "-A $in_chain -p udp --dport $geneve_port -j DROP"
  echo "-A $in_chain -p tcp --dport $health_port -i lo -j RETURN"
  for cidr in "$@"; do echo "-A $in_chain -p tcp --dport $health_port -s $cidr -j RETURN"; done
  echo "-A $in_chain -p tcp --dport $health_port -j DROP"
  echo "-A $out_chain -p udp --dport $geneve_port -j DROP"
  echo "-A $out_chain -p udp --sport $geneve_port -j DROP"
  for jump in "${jumps[@]}"; do
    read -r hook chain <<<"$jump"
    count="$("$tool" -w 5 -S "$hook" | grep -cxF -- "-A $hook -j $chain" || true)"
    for ((i = 0; i < count; i++)); do echo "-D $hook -j $chain"; done
    echo "-I $hook 1 -j $chain"
  done
  echo COMMIT
}

# rebuild TOOL CIDR...: one transaction. A concurrent run can change the jumps between the count and the commit, which
# fails the whole transaction (nothing applied): counted again and retried.
rebuild() {
  local tool="$1" attempt errors
  for attempt in 1 2 3; do
    if errors="$(rules "$@" | "$tool-restore" -w 5 --noflush 2>&1)"; then return 0; fi
  done
  echo "geneve-firewall: $tool-restore failed $attempt times: $errors" >&2
  return 1
}

rebuild iptables "$@"
if [ -e /proc/net/if_inet6 ]; then
  rebuild ip6tables
fi
