# Sourced by the namespace scripts that run Suricata and the cut fixer (cut-fixer-netns.sh, geneve-netns.sh).
# shellcheck shell=bash
# shellcheck disable=SC2154 # ns, work and the pids are the sourcing script's
# They set: ns (the namespace), work (the run's folder), suricata_pid, fixer_pid, fixer_dir (empty when not started).

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
