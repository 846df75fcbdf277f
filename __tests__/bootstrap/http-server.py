#!/usr/bin/env python3
"""HTTP/1.1 server for the end-to-end test (runs inside the server network namespace).

GET  /api/items[?...]   200 JSON, Connection: close     GET anything unknown   404, Connection: close
POST /api/items         201 echoing the body size, Connection: close
PUT  /api/items/ID      200 echoing the body size (keep-alive)
POST /upload            200 echoing the body size; reads Content-Length or chunked request bodies (keep-alive)
GET  /blob?size=N       N bytes of body_byte(i) with Content-Length (keep-alive)
GET  /chunked?size=N    the same bytes, Transfer-Encoding: chunked, 4 KB chunks (keep-alive)
GET  /gzip              GZIP_TEXT, Content-Encoding: gzip (keep-alive)

Usage: http-server.py ADDRESS PORT READY_FILE"""
import gzip
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GZIP_TEXT = b"gzip-compressed response body, decompressed by Suricata. " * 40


def body_bytes(size):
    """Byte i of every generated body is i % 251: all byte values, printable or not (the test computes the same)."""
    pattern = bytes(range(251))
    return (pattern * (size // 251 + 1))[:size]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "e2e-server/1.0"

    def _reply(self, status, body, content_type="application/json", close=False, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-E2e-Server", "yes")
        for name, value in headers:
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self):  # noqa: N802
        url = urlsplit(self.path)
        size = int(parse_qs(url.query).get("size", ["0"])[0])
        if url.path == "/api/items":
            self._reply(200, b'{"items":["widget","gadget"]}', close=True)
        elif url.path == "/blob":
            self._reply(200, body_bytes(size), "application/octet-stream")
        elif url.path == "/chunked":
            body = body_bytes(size)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-E2e-Server", "yes")
            self.end_headers()
            for i in range(0, len(body), 4096):
                chunk = body[i:i + 4096]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif url.path == "/gzip":
            self._reply(200, gzip.compress(GZIP_TEXT), "text/plain", headers=[("Content-Encoding", "gzip")])
        else:
            self._reply(404, b'{"error":"not found"}', close=True)

    def do_POST(self):  # noqa: N802
        body = self._read_body()
        if self.path == "/upload":
            self._reply(200, ('{"received_bytes":%d}' % len(body)).encode())
        else:
            self._reply(201, ('{"created":true,"received_bytes":%d}' % len(body)).encode(), close=True)

    def do_PUT(self):  # noqa: N802
        body = self._read_body()
        self._reply(200, ('{"updated":true,"received_bytes":%d}' % len(body)).encode())

    def log_message(self, format, *args):  # noqa: A002
        pass


if __name__ == "__main__":
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
    with open(sys.argv[3], "w") as ready:
        ready.write("ready\n")
    server.serve_forever()
