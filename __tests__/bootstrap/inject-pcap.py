#!/usr/bin/env python3
# Sends the frames of a pcap out of an interface one by one (AF_PACKET), in the capture's order, 0.5 ms apart.
# Usage: inject-pcap.py IFACE PCAP
import socket
import struct
import sys
import time

iface, path = sys.argv[1:3]
with open(path, "rb") as f:
    data = f.read()
with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
    s.bind((iface, 0))
    i = 24
    while i < len(data):
        caplen = struct.unpack_from("<I", data, i + 8)[0]
        s.send(data[i + 16:i + 16 + caplen])
        i += 16 + caplen
        time.sleep(0.0005)
