#!/usr/bin/env python3
# Publishes a host's loss and throughput as CloudWatch metrics (embedded metric format) every interval: kernel packets
# and drops, VXLAN-decoded packets, HTTP transactions, TCP reassembly gaps and TLS flows from Suricata's stats
# (TRACEABLE_STATS_FILE, eve stats totals), events sent, send errors and HTTP/1 responses lost from the feed's counters
# (TRACEABLE_FEED_DIR/feed-stats.json), mirrored packets that arrived cut from the cut fixer's
# (TRACEABLE_FEED_DIR/cut-stats.json, vxlan-cut-fixer.py). Each value is the increase since the previous sample (a
# counter that went down means its writer restarted: the new total is the increase). Stale or missing sources publish
# nothing.
# Destination (TRACEABLE_METRICS_SINK): "udp:HOST:PORT" (EC2: the CloudWatch agent's EMF listener) or "stdout" (ECS: the
# awslogs driver ships it to CloudWatch Logs, which extracts the metrics).
# Usage: metrics.py [--once]   (--once: one sample against the state file, then exit)
import json
import os
import socket
import sys
import time

NAMESPACE = os.environ.get("TRACEABLE_METRICS_NAMESPACE", "Traceable/TrafficMirroring")
GROUP_DIMENSION = os.environ.get("TRACEABLE_METRICS_GROUP_DIMENSION", "AutoScalingGroupName")
GROUP = os.environ.get("TRACEABLE_METRICS_GROUP", "")
LOG_GROUP = os.environ.get("TRACEABLE_METRICS_LOG_GROUP", "")
SINK = os.environ.get("TRACEABLE_METRICS_SINK", "stdout")
INTERVAL = float(os.environ.get("TRACEABLE_METRICS_INTERVAL", "60"))
STATE_FILE = os.environ.get("TRACEABLE_METRICS_STATE", "/run/traceable-feed/.metrics-state.json")
STATS_FILE = os.environ.get("TRACEABLE_STATS_FILE", "/var/traceable/log/suricata/stats.json")
FEED_STATS_FILE = os.path.join(os.environ.get("TRACEABLE_FEED_DIR", "/run/traceable-feed"), "feed-stats.json")
CUT_STATS_FILE = os.path.join(os.environ.get("TRACEABLE_FEED_DIR", "/run/traceable-feed"), "cut-stats.json")
# Suricata writes its stats every 30 s, the feed and the cut fixer their counters at most every 10 s.
MAX_AGE = float(os.environ.get("TRACEABLE_METRICS_MAX_AGE", "90"))

# Metric name -> (source, path of the counter in it); several paths are summed.
COUNTERS = {
    "KernelPackets": ("suricata", [("capture", "kernel_packets")]),
    "KernelDrops": ("suricata", [("capture", "kernel_drops")]),
    "VxlanPackets": ("suricata", [("decoder", "vxlan")]),
    "HttpTransactions": ("suricata", [("app_layer", "tx", "http"), ("app_layer", "tx", "http2")]),
    "ReassemblyGaps": ("suricata", [("tcp", "reassembly_gap")]),
    "TlsFlows": ("suricata", [("app_layer", "flow", "tls")]),
    "TruncatedPackets": ("cut", [("cut_packets",)]),
    "FeedEventsSent": ("feed", [("events_sent",)]),
    "FeedSendErrors": ("feed", [("send_errors",)]),
    "HttpResponsesLost": ("feed", [("http_responses_lost",)]),
}


def last_json_line(path, now):
    """The last line of a fresh file as JSON, else None."""
    try:
        if now - os.stat(path).st_mtime > MAX_AGE:
            return None
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 65536))
            lines = [line for line in f.read().splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None


def totals(now):
    """Current counter totals of the fresh sources."""
    stats = last_json_line(STATS_FILE, now)
    sources = {"suricata": (stats or {}).get("stats"), "feed": last_json_line(FEED_STATS_FILE, now),
               "cut": last_json_line(CUT_STATS_FILE, now)}
    found = {}
    for name, (source, paths) in COUNTERS.items():
        data = sources[source]
        if not isinstance(data, dict):
            continue
        values = []
        for path in paths:
            value = data
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, (int, float)):
                values.append(value)
        if values:
            found[name] = sum(values)
    return found


def increases(previous, current):
    return {name: (value - previous[name] if value >= previous[name] else value)
            for name, value in current.items() if name in previous}


def document(values, now):
    """One embedded-metric-format document with the group and group+host dimension sets."""
    directive = {"Namespace": NAMESPACE, "Dimensions": [[GROUP_DIMENSION], [GROUP_DIMENSION, "Host"]],
                 "Metrics": [{"Name": name, "Unit": "Count"} for name in sorted(values)]}
    metadata = {"Timestamp": int(now * 1000), "CloudWatchMetrics": [directive]}
    if LOG_GROUP:
        metadata["LogGroupName"] = LOG_GROUP
    doc = {"_aws": metadata, GROUP_DIMENSION: GROUP, "Host": socket.gethostname()}
    doc.update(values)
    return json.dumps(doc, sort_keys=True)


def send(line):
    if SINK == "stdout":
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        return
    kind, host, port = SINK.split(":")
    if kind != "udp":
        raise SystemExit("metrics: TRACEABLE_METRICS_SINK must be stdout or udp:HOST:PORT, got %r" % SINK)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(line.encode() + b"\n", (host, int(port)))


def sample(now):
    """Publishes the increases since the state file's totals (if any) and keeps the new totals."""
    current = totals(now)
    try:
        with open(STATE_FILE) as f:
            previous = json.load(f)
    except (OSError, ValueError):
        previous = {}
    values = increases(previous, current)
    if values:
        send(document(values, now))
    tmp = STATE_FILE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(current, f)
    os.replace(tmp, STATE_FILE)


def main(argv):
    if not GROUP:
        raise SystemExit("metrics: TRACEABLE_METRICS_GROUP (the agent group's name) is not set")
    if "--once" in argv:
        sample(time.time())
        return
    while True:
        try:
            sample(time.time())
        except OSError as e:
            sys.stderr.write("metrics: %s\n" % e)
        time.sleep(INTERVAL)


if __name__ == "__main__":
    main(sys.argv[1:])
