#!/bin/bash
# Runs imds-block.sh for real and attacks it as a compromised container would: in a network namespace with a stand-in
# metadata service (python3 http.server on 169.254.169.254 and fd00:ec2::254, on the namespace's loopback: this
# machine's kernel has neither dummy nor veth links, and OUTPUT sees local traffic alike), with a cgroup v2
# subtree standing for the containers' slice, named as the unit names it, under a directory of this run's own.
# Each PROFILE (NAME=CAP,CAP,... as capsh names them, empty for none) runs as root with exactly those capabilities
# (bounding, permitted and effective; no inheritable or ambient) in a container's cgroup inside the slice: it probes
# the metadata service, tries to delete and flush the rules, and probes again. Then the host's own process probes,
# the slice's cgroup is removed and recreated, and the block is run again (as its timer does).
# Usage: imds-netns.sh IMDS_BLOCK_SCRIPT SLICE CONTAINER_CGROUP PROFILE...
#   CONTAINER_CGROUP: a container's cgroup relative to the slice (e.g. docker-1.scope)
set -euo pipefail

block_script="$1" slice_name="$2" container="$3"
shift 3
cgroup_root="$(findmnt -n -t cgroup2 -o TARGET | head -n1)"
[ -n "$cgroup_root" ] || { echo "no cgroup2 mount" >&2; exit 1; }
run_dir="tb-imds-$$"
slice="$run_dir/$slice_name"
ns="tb-imds-$$"
work="$(mktemp -d)"
servers=()

cleanup() {
  # Killed and waited for: gone before the script exits (the test checks that no process outlives it).
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  find "$cgroup_root/$run_dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
# nsenter (not `ip netns exec`, which remounts /sys) keeps the cgroup hierarchy visible.
in_ns() { nsenter --net="/run/netns/$ns" "$@"; }
in_ns ip link set lo up
in_ns ip addr add 169.254.169.254/32 dev lo
in_ns ip -6 addr add fd00:ec2::254/128 dev lo nodad
mkdir -p "$cgroup_root/$slice/$container" "$work/www/latest/meta-data/iam/security-credentials"
printf 'role-credentials\n' >"$work/www/latest/meta-data/iam/security-credentials/stack-agent"
for address in 169.254.169.254 fd00:ec2::254; do
  # nsenter itself, not the in_ns function: a background function is a subshell, and killing it left the server running.
  nsenter --net="/run/netns/$ns" python3 -m http.server 80 --bind "$address" --directory "$work/www" >/dev/null 2>&1 &
  servers+=("$!")
done
for _ in $(seq 100); do
  [ "$(in_ns ss -Hltn 'sport = :80' | wc -l)" = 2 ] && break
  sleep 0.1
done

credentials=/latest/meta-data/iam/security-credentials/stack-agent
# shellcheck disable=SC2016 # (expanded by the shell that runs the probe)
# The probe, run by whoever calls it: v4 and v6, "reached BODY" or "refused (curl exit N)". A refusal must come at once:
# a connection still unanswered after 0.9 s (a SYN waiting for its retransmission) is curl exit 28, not 7.
probe='for url in "http://169.254.169.254'"$credentials"'" "http://[fd00:ec2::254]'"$credentials"'"; do
  case "$url" in *169.254*) family=v4 ;; *) family=v6 ;; esac
  if body="$(curl -gsS --connect-timeout 0.9 --max-time 3 "$url" 2>/dev/null)"; then r="reached $body"; else r="refused (curl exit $?)"; fi
  printf "%s %s" "$family" "$r"; [ "$family" = v6 ] && echo || printf ", "
done'

# shellcheck disable=SC2016 # (expanded by the attacker's shell)
# What a compromised container tries: its capabilities, the metadata service, the rules, the metadata service again.
attack='set -u
caps="$(capsh --decode="$(sed -n "s/^CapEff:\t//p" /proc/self/status)" | cut -d= -f2)"
printf "caps: %s\n" "${caps:-none}"
for set in CapPrm CapBnd; do
  [ "$(sed -n "s/^$set:\t//p" /proc/self/status)" = "$(sed -n "s/^CapEff:\t//p" /proc/self/status)" ] || echo "$set differs from CapEff"
done
for set in CapInh CapAmb; do
  [ "$(sed -n "s/^$set:\t//p" /proc/self/status)" = 0000000000000000 ] || echo "$set not empty"
done
printf "connect: %s\n" "$(bash -c "$PROBE")"
try() { if "$@" >/dev/null 2>&1; then echo "$*: DONE"; else echo "$*: denied"; fi; }
try iptables -w 5 -D TRACEABLE-IMDS 1
try iptables -w 5 -D OUTPUT 1
try iptables -w 5 -F
try ip6tables -w 5 -D TRACEABLE-IMDS 1
try ip6tables -w 5 -F
printf "connect after: %s\n" "$(bash -c "$PROBE")"'

# in_cgroup CGROUP COMMAND...: runs COMMAND in the network namespace from a process placed in CGROUP.
in_cgroup() {
  local cgroup="$1"
  shift
  bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$cgroup_root/$cgroup" nsenter --net="/run/netns/$ns" "$@"
}

block() { TRACEABLE_CGROUP2_ROOT="$cgroup_root" in_ns bash "$block_script" "$slice" >/dev/null; }

echo "before, container: $(in_cgroup "$slice/$container" bash -c "$probe")"
block
block
for profile in "$@"; do
  name="${profile%%=*}" caps="${profile#*=}"
  # setpriv's list: all dropped, then each of the profile's added back (without capsh's cap_ prefix).
  bounding="-all${caps:+,+${caps//,/,+}}"
  bounding="${bounding//cap_/}"
  block
  in_cgroup "$slice/$container" env PROBE="$probe" \
    setpriv --bounding-set "$bounding" --inh-caps -all --ambient-caps -all -- bash -c "$attack" | sed "s/^/$name: /"
done
echo "host: $(in_ns bash -c "$probe")"
echo "chains: v4 $(in_ns iptables -S | grep -c TRACEABLE-IMDS), v6 $(in_ns ip6tables -S | grep -c TRACEABLE-IMDS)"

# A flush by anyone on the host is repaired by the next run.
in_ns iptables -F
in_ns ip6tables -F
block
echo "after a flush and a run, container: $(in_cgroup "$slice/$container" bash -c "$probe")"

# A rule put before the jump (accepting the metadata service) is passed over again: the jump goes first.
in_ns iptables -I OUTPUT 1 -d 169.254.169.254/32 -j ACCEPT
in_ns ip6tables -I OUTPUT 1 -d fd00:ec2::254/128 -j ACCEPT
echo "an ACCEPT put first, container: $(in_cgroup "$slice/$container" bash -c "$probe")"
block
echo "an ACCEPT put first, after a run: $(in_cgroup "$slice/$container" bash -c "$probe")"

# Runs at once (the units' starts and the timer) leave one chain and one jump.
pids=()
for _ in 1 2 3 4 5 6; do
  block &
  pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || echo "a run failed"; done
echo "6 runs at once: chains: v4 $(in_ns iptables -S | grep -c TRACEABLE-IMDS), v6 $(in_ns ip6tables -S | grep -c TRACEABLE-IMDS)"

# The slice's cgroup removed and recreated (e.g. the slice stopped and started): a new cgroup at the same path.
find "$cgroup_root/$slice" -depth -type d -exec rmdir {} +
mkdir -p "$cgroup_root/$slice/$container"
block
echo "recreated cgroup, after a run: $(in_cgroup "$slice/$container" bash -c "$probe")"

# No slice cgroup at all: a run creates it, so the containers started in it later are blocked.
find "$cgroup_root/$slice" -depth -type d -exec rmdir {} +
block
mkdir -p "$cgroup_root/$slice/$container"
echo "missing cgroup, created by a run: $(in_cgroup "$slice/$container" bash -c "$probe")"
echo "chains: v4 $(in_ns iptables -S | grep -c TRACEABLE-IMDS), v6 $(in_ns ip6tables -S | grep -c TRACEABLE-IMDS)"
