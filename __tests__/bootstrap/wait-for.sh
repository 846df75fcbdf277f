# Sourced by the network-namespace test scripts (netns-e2e.sh, cut-fixer-netns.sh, geneve-netns.sh, netns-fixer.sh).
# shellcheck shell=bash

wait_for() { # SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds; fails after SECONDS
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out waiting for: $*" >&2
      return 1
    fi
    sleep 0.2
  done
}
