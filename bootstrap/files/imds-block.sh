#!/bin/bash
# Makes the instance metadata service (169.254.169.254, fd00:ec2::254) unreachable from every process in one cgroup v2
# subtree: the Suricata and agent containers (EC2: their slice; ECS: the ECS agent's task slice). Host-network
# containers share the host's network namespace, so the hop limit does not stop them; the host's own tools (bootstrap,
# token.sh, the CloudWatch agent, the ECS agent) stay outside that subtree and keep the instance role.
# Usage: imds-block.sh CGROUP_PATH   (relative to the cgroup2 root, e.g. traceableagents.slice)
#
# Run before every container start and every 10 s by traceable-imds-block@.timer. Each run rebuilds the chain
# TRACEABLE-IMDS in one iptables-restore transaction (no moment without the rule) and puts its jump first in OUTPUT:
# the cgroup match resolves the path when the rule is added, so a rule merely checked (`iptables -C` compares the path
# text) would keep matching a removed cgroup while its recreation went free. A flush is repaired by the next run.
set -euo pipefail

path="${1:?usage: imds-block.sh CGROUP_PATH}"
case "$path" in
  *[!A-Za-z0-9._/-]* | /* | *..*)
    echo "imds-block: invalid cgroup path: $path" >&2
    exit 64
    ;;
esac
cgroup_root="${TRACEABLE_CGROUP2_ROOT:-/sys/fs/cgroup}"
chain=TRACEABLE-IMDS

# The rule can only name an existing cgroup: created when missing (systemd adopts it when the slice starts), so that
# containers started in it later are blocked from their first packet.
if [ ! -d "$cgroup_root/$path" ]; then
  mkdir -p "$cgroup_root/$path"
  echo "imds-block: created cgroup $cgroup_root/$path"
fi

# rules CHAIN_JUMPS DESTINATION: the iptables-restore input: the chain with its two REJECT rules, and exactly one jump
# to it, first in OUTPUT (the jumps found are deleted, so that no other rule can be put before it). TCP (the metadata
# service's HTTP) is refused with a reset, at once: an ICMPv6 error for a rejected SYN reached the socket only after the
# SYN's one-second retransmission (measured, imds.test.ts). Anything else gets the ICMP error.
rules() {
  local i
  echo '*filter'
  echo ":$chain - [0:0]"
  echo "-F $chain"
  echo "-A $chain -m cgroup --path $path -d $2 -p tcp -j REJECT --reject-with tcp-reset"
  echo "-A $chain -m cgroup --path $path -d $2 -j REJECT"
  for ((i = 0; i < $1; i++)); do echo "-D OUTPUT -j $chain"; done
  echo "-I OUTPUT 1 -j $chain"
  echo COMMIT
}

# rebuild TOOL DESTINATION: one transaction. A concurrent run (a unit's start and the timer) can change the jumps between
# the count and the commit, which fails the whole transaction (nothing applied): counted again and retried.
rebuild() {
  local tool="$1" destination="$2" attempt jumps errors
  for attempt in 1 2 3; do
    jumps="$("$tool" -w 5 -S OUTPUT | grep -cxF -- "-A OUTPUT -j $chain" || true)"
    if errors="$(rules "$jumps" "$destination" | "$tool-restore" -w 5 --noflush 2>&1)"; then
      if [ "$jumps" != 1 ]; then echo "imds-block: $tool: jump to $chain put first in OUTPUT (found $jumps)"; fi
      return 0
    fi
  done
  echo "imds-block: $tool-restore failed $attempt times: $errors" >&2
  return 1
}

rebuild iptables 169.254.169.254/32
if [ -e /proc/net/if_inet6 ]; then
  rebuild ip6tables fd00:ec2::254/128
fi
