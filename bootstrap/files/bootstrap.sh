#!/bin/bash
# Installs and starts Suricata and the Traceable platform agent (containers under systemd), the health
# endpoint, log rotation and the CloudWatch agent on a Traceable traffic-mirroring target.
# Run once by the user data after it unpacked /opt/traceable and wrote /etc/traceable/bootstrap.env.
# Any failure exits non-zero (cloud-init reports an error) after a "bootstrap FAILED" line in
# /var/traceable/log/bootstrap.log.
set -euo pipefail

TRACEABLE_HOME="${TRACEABLE_HOME:-/opt/traceable}"
# shellcheck source=lib.sh
. "$TRACEABLE_HOME/bin/lib.sh"
# shellcheck disable=SC1091
. /etc/traceable/bootstrap.env

install -d -m 0755 "$TRACEABLE_LOG_DIR" "$TRACEABLE_LOG_DIR/suricata" /etc/traceable/suricata
step="start"
trap 'traceable_log ERROR "bootstrap FAILED during: $step (exit $?); see $TRACEABLE_LOG_DIR/bootstrap.log"' ERR

ATTEMPTS="${TRACEABLE_INSTALL_ATTEMPTS:-6}"

step="detecting the operating system"
if ! os="$(traceable_detect_os /etc/os-release 2>"$TRACEABLE_LOG_DIR/.os-detect.err")"; then
  traceable_log ERROR "bootstrap FAILED: $(cat "$TRACEABLE_LOG_DIR/.os-detect.err")"
  exit 1
fi
arch="$(traceable_detect_arch "$(uname -m)")"
traceable_log INFO "bootstrap starting on $os/$arch (suricata image $TRACEABLE_SURICATA_IMAGE, agent image $TRACEABLE_AGENT_IMAGE)"

install_al2023() {
  traceable_retry "$ATTEMPTS" 5 dnf install -y --setopt=install_weak_deps=False \
    docker amazon-cloudwatch-agent logrotate python3 iptables-nft
}

install_ubuntu() {
  export DEBIAN_FRONTEND=noninteractive
  traceable_retry "$ATTEMPTS" 5 apt-get update -q
  traceable_retry "$ATTEMPTS" 5 apt-get install -y -q --no-install-recommends \
    docker.io logrotate python3 curl ca-certificates iptables
  local deb=/var/tmp/amazon-cloudwatch-agent.deb
  local url="https://amazoncloudwatch-agent.s3.amazonaws.com/ubuntu/$arch/$TRACEABLE_CLOUDWATCH_AGENT_VERSION/amazon-cloudwatch-agent.deb"
  traceable_retry "$ATTEMPTS" 5 curl -fsSL --retry 0 -o "$deb" "$url"
  dpkg -i "$deb"
  rm -f "$deb"
}

step="installing packages ($os)"
"install_$os"

step="starting docker"
systemctl enable --now docker

step="pulling container images"
if ! command -v aws >/dev/null 2>&1; then
  traceable_retry "$ATTEMPTS" 5 docker pull -q "$TRACEABLE_AWS_CLI_IMAGE"
fi
for image in "$TRACEABLE_SURICATA_IMAGE" "$TRACEABLE_AGENT_IMAGE"; do
  step="pulling $image (logged in to its registry if private ECR)"
  traceable_pull "$image" "$ATTEMPTS"
done

step="rendering the Suricata configuration"
iface="$(traceable_primary_interface)"
traceable_render_suricata "$TRACEABLE_HOME/etc/suricata.yaml" /etc/traceable/suricata/suricata.yaml "$iface"
traceable_log INFO "Suricata captures on $iface (VXLAN UDP 4789)"

step="installing systemd units and log rotation"
install -m 0644 "$TRACEABLE_HOME"/systemd/*.service "$TRACEABLE_HOME"/systemd/*.timer "$TRACEABLE_HOME"/systemd/*.slice /etc/systemd/system/
install -d -m 0755 /var/lib/logrotate
systemctl daemon-reload

step="sizing the feed socket's queue"
# Room in the agent's socket queue for bursts of events (host networking: the host's setting).
echo "net.unix.max_dgram_qlen = $TRACEABLE_FEED_MAX_DGRAM_QLEN" >/etc/sysctl.d/90-traceable-feed.conf
sysctl -qw net.unix.max_dgram_qlen="$TRACEABLE_FEED_MAX_DGRAM_QLEN"

step="rejecting the instance metadata service for the containers ($TRACEABLE_CONTAINER_SLICE)"
systemctl start "$TRACEABLE_CONTAINER_SLICE"
"$TRACEABLE_HOME/bin/imds-block.sh" "$TRACEABLE_CONTAINER_SLICE"
# Rebuilt every 10 s as well as before each container start: a flush, or the slice's cgroup recreated, is repaired.
systemctl enable --now "traceable-imds-block@$TRACEABLE_CONTAINER_SLICE.timer"

step="starting the CloudWatch agent"
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c "file:$TRACEABLE_HOME/etc/cloudwatch-agent.json"

step="starting suricata, traceable and the health endpoint"
systemctl enable --now suricata.service traceable.service traceable-health.service traceable-metrics.service traceable-logrotate.timer traceable-cut-fixer.service

step="waiting for the health endpoint"
healthy=no
for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$TRACEABLE_HEALTH_PORT$TRACEABLE_HEALTH_PATH"; then
    healthy=yes
    break
  fi
  sleep 5
done
if [ "$healthy" != yes ]; then
  traceable_log ERROR "bootstrap FAILED: suricata/traceable not active after 300 s: $(systemctl is-active suricata traceable | tr '\n' ' ')"
  exit 1
fi
traceable_log INFO "bootstrap complete: suricata and traceable active, health endpoint answering on :$TRACEABLE_HEALTH_PORT$TRACEABLE_HEALTH_PATH"
