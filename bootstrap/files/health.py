#!/usr/bin/env python3
# Health endpoint of a Traceable mirror target (the EC2 hosts and the ECS task run this same file).
# Answers 200 on TRACEABLE_HEALTH_PATH only while the host does its work, else 503 with the reasons (404 elsewhere):
# - both services run: with TRACEABLE_HEALTH_SUPERVISOR=systemd (EC2, the default), the units TRACEABLE_HEALTH_UNITS
#   are active; with ecs, ECS itself stops the whole task when its essential suricata or traceable container exits
#   (the containers share no PID namespace, so this process could not see theirs);
# - Suricata's stats (TRACEABLE_STATS_FILE, written every 30 s) are younger than TRACEABLE_STATS_MAX_AGE seconds;
# - the feed is writable: socket mode, the agent's datagram socket TRACEABLE_FEED_PATH accepts a connect; file mode, a
#   file can be created in the feed file's directory (its container path /var/log/suricata is read under
#   TRACEABLE_SURICATA_LOG_DIR, where this process sees Suricata's log directory).
import os
import socket
import subprocess
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("TRACEABLE_HEALTH_PORT", "8089"))
PATH = os.environ.get("TRACEABLE_HEALTH_PATH", "/healthz")
BIND = os.environ.get("TRACEABLE_HEALTH_BIND", "0.0.0.0")
UNITS = os.environ.get("TRACEABLE_HEALTH_UNITS", "suricata traceable").split()
SUPERVISOR = os.environ.get("TRACEABLE_HEALTH_SUPERVISOR", "systemd")
SURICATA_LOG_DIR = os.environ.get("TRACEABLE_SURICATA_LOG_DIR", "/var/traceable/log/suricata")
STATS_FILE = os.environ.get("TRACEABLE_STATS_FILE", os.path.join(SURICATA_LOG_DIR, "stats.json"))
STATS_MAX_AGE = float(os.environ.get("TRACEABLE_STATS_MAX_AGE", "90"))
FEED_MODE = os.environ.get("TRACEABLE_FEED_MODE", "socket")
FEED_PATH = os.environ.get("TRACEABLE_FEED_PATH", "/run/traceable-feed/eve.sock")
CONTAINER_LOG_DIR = "/var/log/suricata"


def services_down():
    """Names of the services that are not running."""
    if SUPERVISOR == "ecs":
        return []
    if SUPERVISOR != "systemd":
        return ["unknown TRACEABLE_HEALTH_SUPERVISOR %r (systemd or ecs)" % SUPERVISOR]
    down = []
    for unit in UNITS:
        try:
            rc = subprocess.run(["systemctl", "is-active", "--quiet", unit], timeout=5).returncode
        except (OSError, subprocess.TimeoutExpired):
            rc = 1
        if rc != 0:
            down.append(unit)
    return down


def stats_problem():
    try:
        age = time.time() - os.stat(STATS_FILE).st_mtime
    except OSError:
        return "no Suricata stats at %s" % STATS_FILE
    if age > STATS_MAX_AGE:
        return "Suricata stats are %d s old (more than %d s)" % (age, STATS_MAX_AGE)
    return None


def host_path(path):
    """The feed path as this process sees it (Suricata's container log directory is elsewhere on the host)."""
    if path == CONTAINER_LOG_DIR or path.startswith(CONTAINER_LOG_DIR + "/"):
        return SURICATA_LOG_DIR + path[len(CONTAINER_LOG_DIR):]
    return path


def feed_problem():
    if FEED_MODE == "socket":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.settimeout(2)
        try:
            sock.connect(FEED_PATH)
        except OSError as e:
            return "feed socket %s does not accept a connect: %s" % (FEED_PATH, e.strerror or e)
        finally:
            sock.close()
        return None
    if FEED_MODE == "file":
        directory = os.path.dirname(host_path(FEED_PATH))
        try:
            with tempfile.NamedTemporaryFile(dir=directory, prefix=".health-"):
                pass
        except OSError as e:
            return "feed directory %s is not writable: %s" % (directory, e.strerror or e)
        return None
    return "unknown TRACEABLE_FEED_MODE %r (socket or file)" % FEED_MODE


def problems():
    found = []
    down = services_down()
    if down:
        found.append("not running: %s" % " ".join(down))
    for problem in (stats_problem(), feed_problem()):
        if problem:
            found.append(problem)
    return found


class Handler(BaseHTTPRequestHandler):
    server_version = "traceable-health/2"

    def _answer(self, with_body):
        if self.path.split("?", 1)[0] != PATH:
            status, body = 404, b"not found\n"
        else:
            found = problems()
            if found:
                status, body = 503, ("unhealthy: %s\n" % "; ".join(found)).encode()
            else:
                status, body = 200, b"ok\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._answer(True)

    def do_HEAD(self):  # noqa: N802
        self._answer(False)

    def log_message(self, format, *args):  # noqa: A002 - health probes every few seconds would flood the log
        pass


if __name__ == "__main__":
    ThreadingHTTPServer((BIND, PORT), Handler).serve_forever()
