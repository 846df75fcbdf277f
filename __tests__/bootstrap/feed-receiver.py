#!/usr/bin/env python3
"""Stands where the Traceable agent would: binds the feed's unix datagram socket and writes every datagram it
receives (one event) as one line to OUT_FILE. Usage: feed-receiver.py SOCKET_PATH OUT_FILE READY_FILE"""
import os
import socket
import sys

path, out, ready = sys.argv[1:4]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.bind(path)
with open(ready, "w") as f:
    f.write("ready\n")
with open(out, "ab", buffering=0) as f:
    while True:
        f.write(sock.recv(1 << 20) + b"\n")
