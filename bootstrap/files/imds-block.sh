#!/bin/bash
# Makes the instance metadata service (169.254.169.254, fd00:ec2::254) unreachable from every process in one cgroup v2
# subtree: the Suricata and agent containers (EC2: their slice; ECS: the ECS agent's task slice). Host-network
# containers share the host's network namespace, so the hop limit does not stop them; the host's own tools (bootstrap,
# token.sh, the CloudWatch agent, the ECS agent) stay outside that subtree and keep the instance role.
# Usage: imds-block.sh CGROUP_PATH   (relative to the cgroup2 root, e.g. traceableagents.slice); idempotent.
set -euo pipefail

path="${1:?usage: imds-block.sh CGROUP_PATH}"
case "$path" in
  *[!A-Za-z0-9._/-]* | /* | *..*)
    echo "imds-block: invalid cgroup path: $path" >&2
    exit 64
    ;;
esac
cgroup_root="${TRACEABLE_CGROUP2_ROOT:-/sys/fs/cgroup}"
# The cgroup match resolves the path when the rule is added, so the cgroup must exist first (and live on: the rule
# keeps matching that cgroup and its descendants).
if [ ! -d "$cgroup_root/$path" ]; then
  echo "imds-block: cgroup $cgroup_root/$path does not exist" >&2
  exit 1
fi

# add_rule TOOL DESTINATION: inserts the REJECT rule at the top of OUTPUT unless it is already there.
add_rule() {
  local tool="$1" destination="$2"
  local rule=(OUTPUT -m cgroup --path "$path" -d "$destination" -j REJECT)
  if ! "$tool" -w -C "${rule[@]}" 2>/dev/null; then
    "$tool" -w -I "${rule[@]}"
  fi
}

add_rule iptables 169.254.169.254/32
if [ -e /proc/net/if_inet6 ] && command -v ip6tables >/dev/null 2>&1; then
  add_rule ip6tables fd00:ec2::254/128
fi
echo "imds-block: instance metadata rejected for cgroup $path"
