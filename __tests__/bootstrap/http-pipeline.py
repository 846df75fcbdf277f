#!/usr/bin/env python3
"""Sends COUNT GET requests on one connection in a single write (HTTP/1.1 pipelining), reads the responses in
order and prints their status codes, one per line. Usage: http-pipeline.py HOST PORT COUNT"""
import socket
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sock = socket.create_connection((host, port), timeout=10)
sock.sendall(b"".join(
    b"GET /blob?size=%d&pipelined=%d HTTP/1.1\r\nHost: shop.e2e.test\r\nUser-Agent: traceable-e2e/1.0\r\n\r\n"
    % (1000 * (i + 1), i + 1) for i in range(count)))
reader = sock.makefile("rb")
for _ in range(count):
    status = reader.readline().split()[1].decode()
    length = 0
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    reader.read(length)
    print(status)
sock.close()
