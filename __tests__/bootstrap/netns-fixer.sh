# Sourced by the namespace scripts that run Suricata and the cut fixer (cut-fixer-netns.sh, geneve-netns.sh).
# shellcheck shell=bash
# shellcheck disable=SC2154 # ns, iface, work and the pids are the sourcing script's
# They set: ns (the namespace), iface (the capture interface in it), work (the run's folder), suricata_pid, fixer_pid,
# fixer_dir (empty when not started), and here (their folder, which holds this file and wait-for.sh).

# shellcheck source=wait-for.sh
. "$here/wait-for.sh"

start_cut_fixer() { # FIXER TAG: runs the cut fixer on $iface as traceable-cut-fixer.service does, until XDP is attached
  # An unprivileged user with CAP_BPF and CAP_NET_ADMIN only; it runs a copy in a folder it can read (the work
  # directory, or a per-user installation, may be closed to other users) with the system python3.
  fixer_dir="$(mktemp -d "/tmp/$2-fixer-XXXXXX")"
  chmod 1777 "$fixer_dir"
  cp "$1" "$fixer_dir/vxlan-cut-fixer.py"
  chmod 0644 "$fixer_dir/vxlan-cut-fixer.py"
  local caps="-all,+bpf,+net_admin"
  TRACEABLE_CUT_STATS="$fixer_dir/cut-stats.json" TRACEABLE_CUT_INTERVAL=1 \
    ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
    --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps" /usr/bin/python3 "$fixer_dir/vxlan-cut-fixer.py" "$iface" >"$work/fixer.log" 2>&1 &
  fixer_pid=$!
  wait_for 10 xdp_attached
}

xdp_attached() { ip -n "$ns" link show dev "$iface" | grep -q xdpgeneric; }

stop_suricata_then_fixer() { # Suricata flushes what it holds at shutdown; then the fixer detaches and writes its last counters
  kill -TERM "$suricata_pid"
  wait "$suricata_pid" || true
  suricata_pid=""
  kill -TERM "$fixer_pid"
  wait "$fixer_pid"
  fixer_pid=""
}

cleanup_namespace_run() { # the EXIT trap: stops what runs, removes the namespace, shows the fixer's log on failure
  local rc=$?
  for pid in "$suricata_pid" "$fixer_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if [ -n "$fixer_dir" ]; then rm -rf "$fixer_dir"; fi
  if [ "$rc" != 0 ] && [ -s "$work/fixer.log" ]; then cat "$work/fixer.log" >&2; fi
  exit "$rc"
}
