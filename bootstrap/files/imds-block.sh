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

# Concurrent runs (a unit's start and the timer) take turns.
exec 9>"${TRACEABLE_LOCK_DIR:-/run/lock}/traceable-imds-block.lock"
flock 9

# rebuild TOOL DESTINATION: the chain with the one REJECT rule, and exactly one jump to it, first in OUTPUT.
rebuild() {
  local tool="$1" destination="$2" jumps
  jumps="$("$tool" -w 5 -S OUTPUT | grep -cxF -- "-A OUTPUT -j $chain" || true)"
  {
    echo '*filter'
    echo ":$chain - [0:0]"
    echo "-F $chain"
    echo "-A $chain -m cgroup --path $path -d $destination -j REJECT"
    for ((i = 0; i < jumps; i++)); do echo "-D OUTPUT -j $chain"; done
    echo "-I OUTPUT 1 -j $chain"
    echo COMMIT
  } | "$tool-restore" -w 5 --noflush
  if [ "$jumps" != 1 ]; then echo "imds-block: $tool: jump to $chain restored in OUTPUT (found $jumps)"; fi
}

rebuild iptables 169.254.169.254/32
if [ -e /proc/net/if_inet6 ]; then
  rebuild ip6tables fd00:ec2::254/128
fi
