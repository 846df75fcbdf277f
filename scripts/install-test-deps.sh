#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian bookworm machine (run as root):
# Suricata 7.0.x from bookworm-backports, shellcheck, iproute2, iptables and systemd (systemd-analyze verify) for the
# bootstrap tests, and the npm packages.
# Terraform and its aws provider mirror come with the machine (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
backports=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$backports"
fi
# iproute2: ip, tc; procps: sysctl; luajit: compiles the Lua scripts in the render test.
# iptables and util-linux (nsenter, findmnt, setpriv): the metadata-service block is tested for real in a network
# namespace, attacked by a process with a container's capabilities (libcap2-bin: capsh decodes them);
# util-linux also runs Suricata as its container does (unshare, mount, setpriv, prlimit: least-privilege.test.ts);
# logrotate: the hosts' rotation configuration is run for real; git: the npm pack test lists the tracked bootstrap files;
# systemd: systemd-analyze verifies the hosts' units; valgrind: bench:suricata --instructions counts instructions.
apt_packages=(git shellcheck iproute2 curl python3 tcpdump luajit procps coreutils findutils grep sed iptables util-linux libcap2-bin logrotate systemd valgrind)
# Every program the tests and scripts run; __tests__/bootstrap/install-deps.test.ts checks this list against
# their sources, and the end of this script checks that each is installed.
required_commands=(bash basename capsh cat chmod cp curl cut dirname env find findmnt git grep head ip ip6tables ip6tables-restore iptables iptables-restore logrotate luajit mkdir mkfifo mktemp mount nice node npm npx nsenter prlimit python3 rm rmdir sed seq setpriv sh shellcheck sleep ss stat suricata sysctl systemd-analyze tail tc tcpdump terraform timeout touch tr unshare valgrind wc xargs)
for attempt in 1 2 3; do
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends -t bookworm-backports suricata \
    && apt-get install -y -qq --no-install-recommends "${apt_packages[@]}"; then
    break
  fi
  [ "$attempt" = 3 ] && { echo "install-test-deps: apt-get failed 3 times" >&2; exit 1; }
  sleep $((attempt * 10))
done
missing=()
for cmd in "${required_commands[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: not installed: ${missing[*]}" >&2
  exit 1
fi
suricata -V
# sed reads to the end: `head` would close the pipe early, and under pipefail the writer's SIGPIPE fails the script.
shellcheck --version | sed -n 1,2p
terraform version | sed -n 1p

npm ci --no-audit --no-fund
