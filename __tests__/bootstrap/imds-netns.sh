#!/bin/bash
# Runs bootstrap/files/imds-block.sh for real: in a network namespace whose loopback holds 169.254.169.254 (a fake
# metadata service answering on port 80), with a cgroup v2 standing for the containers' slice. Prints one line per
# probe: from the slice, from a container scope inside it, and from the host (outside it).
# Usage: imds-netns.sh IMDS_BLOCK_SCRIPT
set -euo pipefail

script="$1"
cgroup_root="$(findmnt -n -t cgroup2 -o TARGET | head -n1)"
[ -n "$cgroup_root" ] || { echo "no cgroup2 mount" >&2; exit 1; }
slice="tb-imds-$$.slice"
ns="tb-imds-$$"
server=""

cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rmdir "$cgroup_root/$slice/docker-test.scope" "$cgroup_root/$slice" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add 169.254.169.254/32 dev lo
mkdir -p "$cgroup_root/$slice/docker-test.scope"

# nsenter (not `ip netns exec`, which remounts /sys) keeps the cgroup hierarchy visible.
in_ns() { nsenter --net="/run/netns/$ns" "$@"; }

in_ns python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("169.254.169.254", 80))
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(b"role-credentials\n")
    c.close()' &
server=$!
for _ in $(seq 100); do in_ns ss -ltn | grep -q '169.254.169.254:80 ' && break; sleep 0.1; done

probe='
import socket
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("169.254.169.254", 80))
    print("reached " + s.recv(100).decode().strip())
except OSError as e:
    print("refused " + (e.strerror or str(e)))'

# probe_from CGROUP: connects from a process placed in CGROUP (relative to the root; "" for the host's own).
probe_from() {
  local cgroup="$1"
  if [ -z "$cgroup" ]; then
    in_ns python3 -c "$probe"
  else
    bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$cgroup_root/$cgroup" nsenter --net="/run/netns/$ns" python3 -c "$probe"
  fi
}

echo "before, slice: $(probe_from "$slice")"
TRACEABLE_CGROUP2_ROOT="$cgroup_root" in_ns bash "$script" "$slice" >/dev/null
TRACEABLE_CGROUP2_ROOT="$cgroup_root" in_ns bash "$script" "$slice" >/dev/null
echo "after, slice: $(probe_from "$slice")"
echo "after, container: $(probe_from "$slice/docker-test.scope")"
echo "after, host: $(probe_from "")"
echo "rules: $(in_ns iptables -S OUTPUT | grep -c -- '-m cgroup')"
