#!/bin/sh
# Start of the Suricata container in the ECS task (the EC2 hosts render the same at boot with lib.sh): finds the
# capture interface (the default route's; host networking, so the host's), writes the configuration from the
# installed template with it into the container's configuration tmpfs (its root file system is read-only) and execs
# Suricata in its place. POSIX sh: the Suricata image need not have bash.
# Usage: suricata-start.sh [SURICATA ARG...]
set -eu

home="${TRACEABLE_HOME:-/opt/traceable}"
route_file="${TRACEABLE_ROUTE_FILE:-/proc/net/route}"
conf_dir="${TRACEABLE_SURICATA_CONF_DIR:-/etc/traceable/suricata}"

iface=""
while read -r name destination _; do
  if [ "$destination" = 00000000 ]; then
    iface="$name"
    break
  fi
done <"$route_file"
case "$iface" in
  '')
    echo "suricata-start: no default route in $route_file, cannot tell the capture interface" >&2
    exit 1
    ;;
  *[!A-Za-z0-9._-]*)
    echo "suricata-start: invalid interface name: $iface" >&2
    exit 1
    ;;
esac

mkdir -p "$conf_dir"
sed "s/__CAPTURE_INTERFACE__/$iface/g" "$home/etc/suricata.yaml" >"$conf_dir/suricata.yaml"
exec suricata -c "$conf_dir/suricata.yaml" --af-packet "$@"
