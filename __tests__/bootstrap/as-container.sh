#!/bin/sh
# Runs a command as the Suricata container runs it (netns-e2e.sh's SURICATA_WRAPPER): uid 0 with exactly the
# capabilities of BOUNDING_SET (setpriv's --bounding-set list, e.g. -all,+net_raw,+ipc_lock: after exec root has its
# bounding set and nothing more), no new privileges, RLIMIT_MEMLOCK at the kernel's default of 8 MiB, and every file
# system read-only except WRITABLE (the container's volumes) and /proc, /sys, /dev (Docker mounts its own there).
# The capabilities and no_new_privs the command gets are written to WRITABLE/process-status before it runs.
# Usage: BOUNDING_SET=... WRITABLE=DIR as-container.sh COMMAND [ARG...]
set -eu
: "${BOUNDING_SET:?}" "${WRITABLE:?}"

# shellcheck disable=SC2016 # expanded by the inner shell, in the new mount namespace
exec unshare --mount --propagation private sh -c '
  set -eu
  mount --bind "$WRITABLE" "$WRITABLE"
  findmnt -rn -o TARGET | while read -r target; do
    case "$target" in
      /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | "$WRITABLE" | "$WRITABLE"/*) ;;
      *) mount -o remount,bind,ro "$target" ;;
    esac
  done
  if touch /.as-container-probe 2>/dev/null; then
    echo "as-container: / is still writable" >&2
    exit 1
  fi
  exec prlimit --memlock=8388608 setpriv --no-new-privs --inh-caps=-all --bounding-set="$BOUNDING_SET" -- sh -c "
    grep -E \"^(CapEff|CapBnd|NoNewPrivs):\" /proc/self/status >\"\$WRITABLE/process-status\"
    exec \"\$@\"" sh "$@"
' sh "$@"
