#!/usr/bin/env python3
"""Health endpoint of a Traceable mirror target: answers 200 on TRACEABLE_HEALTH_PATH only while every unit in
TRACEABLE_HEALTH_UNITS (default: suricata traceable) is active, 503 otherwise, 404 on other paths."""
import os
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("TRACEABLE_HEALTH_PORT", "8089"))
PATH = os.environ.get("TRACEABLE_HEALTH_PATH", "/healthz")
BIND = os.environ.get("TRACEABLE_HEALTH_BIND", "0.0.0.0")
UNITS = os.environ.get("TRACEABLE_HEALTH_UNITS", "suricata traceable").split()


def inactive_units():
    """Names of the units that are not active (asks systemd once per unit, bounded by a timeout)."""
    down = []
    for unit in UNITS:
        try:
            rc = subprocess.run(["systemctl", "is-active", "--quiet", unit], timeout=5).returncode
        except (OSError, subprocess.TimeoutExpired):
            rc = 1
        if rc != 0:
            down.append(unit)
    return down


class Handler(BaseHTTPRequestHandler):
    server_version = "traceable-health/1"

    def _answer(self, with_body):
        if self.path.split("?", 1)[0] != PATH:
            status, body = 404, b"not found\n"
        else:
            down = inactive_units()
            if down:
                status, body = 503, ("unhealthy: not active: %s\n" % " ".join(down)).encode()
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
