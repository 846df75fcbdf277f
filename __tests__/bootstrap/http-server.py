#!/usr/bin/env python3
"""Tiny HTTP server for the end-to-end test (runs inside the server network namespace).
GET /api/items[?...] -> 200 JSON, GET anything else -> 404, POST /api/items -> 201 echoing the body size.
Usage: http-server.py ADDRESS PORT READY_FILE"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "e2e-server/1.0"

    def _reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-E2e-Server", "yes")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self):  # noqa: N802
        if self.path.split("?", 1)[0] == "/api/items":
            self._reply(200, b'{"items":["widget","gadget"]}')
        else:
            self._reply(404, b'{"error":"not found"}')

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self._reply(201, ('{"created":true,"received_bytes":%d}' % len(body)).encode())

    def log_message(self, format, *args):  # noqa: A002
        pass


if __name__ == "__main__":
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
    with open(sys.argv[3], "w") as ready:
        ready.write("ready\n")
    server.serve_forever()
