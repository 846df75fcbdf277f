#!/usr/bin/env python3
# Keeps what AWS Traffic Mirroring cuts. A mirror session copies at most PacketLength bytes after the VXLAN header (8500,
# the maximum and the default for NLB targets), while instances send 9001-byte packets: the inner IPv4 header of a cut
# copy still says 9001 bytes. Suricata 7's IPv4 decoder refuses any packet whose total length exceeds what arrived
# (decode-ipv4.c, IPV4_TRUNC_PKT, no setting changes it), so the whole segment is lost, HTTP parsing loses its place, and
# Suricata counts nothing (a refused tunnel packet is not counted). This loads a small XDP program on the capture
# interface (generic mode: it runs before the af-packet capture sees the packet) that, for a VXLAN (UDP 4789) packet
# whose inner IPv4 total length exceeds what arrived, rewrites that length (and the header checksum) to what arrived and
# counts the packet and the bytes lost. Suricata then sees a full-size segment 515 bytes short: a hole it reports as a
# gap, instead of 8949 lost bytes. Every other packet passes untouched. Behind a Gateway Load Balancer (GWLB mode) the
# same VXLAN packet arrives in GENEVE (UDP 6081, options of variable length): the program steps over the GENEVE header
# by its option length and fixes the VXLAN packet inside alike. The program is built here from its instructions (no
# compiler on the host) and loaded with bpf(2); the counters (a per-CPU map) go to TRACEABLE_CUT_STATS every interval.
#
# Usage: vxlan-cut-fixer.py [IFACE]        attach (generic XDP) to IFACE, by default the default route's interface (where
#                                          Suricata captures), write the counters every TRACEABLE_CUT_INTERVAL s, detach on SIGTERM
#        vxlan-cut-fixer.py --pcap IN OUT  run the program in the kernel (BPF_PROG_TEST_RUN) on each frame of IN, write OUT
#                                          and the counters (TRACEABLE_CUT_STATS), print them
#        vxlan-cut-fixer.py --cost FILE    nanoseconds per packet of the program (BPF_PROG_TEST_RUN, repeated) on FILE's first
#                                          frame and on its largest once rewritten
# Needs CAP_BPF and CAP_NET_ADMIN (kernel 5.18 or later), nothing else.
import ctypes
import json
import os
import platform
import signal
import socket
import struct
import sys
import time

STATS_FILE = os.environ.get("TRACEABLE_CUT_STATS", "/run/traceable-feed/cut-stats.json")
INTERVAL = float(os.environ.get("TRACEABLE_CUT_INTERVAL", "10"))

SYS_BPF = {"x86_64": 321, "aarch64": 280}[platform.machine()]
BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_PROG_LOAD, BPF_PROG_TEST_RUN = 0, 1, 5, 10
BPF_MAP_TYPE_PERCPU_ARRAY, BPF_PROG_TYPE_XDP, BPF_F_XDP_HAS_FRAGS = 6, 6, 1 << 5
XDP_PASS, XDP_FLAGS_SKB_MODE = 2, 2
FN_MAP_LOOKUP_ELEM, FN_XDP_GET_BUFF_LEN = 1, 188
# Offsets in the mirrored frame: outer Ethernet 14, IPv4 20 (AWS sends no options), UDP 8, VXLAN 8, inner Ethernet 14.
INNER_IP = 64

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    r = libc.syscall(SYS_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, "bpf(%d): %s" % (cmd, os.strerror(e)))
    return r


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


# eBPF opcodes used below.
LDX_W, LDX_H, LDX_B, STX_H, ST_W = 0x61, 0x69, 0x71, 0x6B, 0x62
MOV_X, MOV_K, ADD_X, ADD_K, SUB_X, SUB_K, AND_K, XOR_K, RSH_K = 0xBF, 0xB7, 0x0F, 0x07, 0x1F, 0x17, 0x57, 0xA7, 0x77
TO_BE = 0xDC  # BPF_ALU | BPF_END | BPF_TO_BE
JNE_K, JGT_X, JLE_X, JEQ_K, CALL, EXIT, LD_DW_IMM = 0x55, 0x2D, 0xBD, 0x15, 0x85, 0x95, 0x18
XADD_DW, LDX_DW, STX_DW = 0xDB, 0x79, 0x7B


# traceable:gwlb-only begin
LSH_K, GENEVE_TO_VXLAN = 0x67, 36  # the GENEVE payload (at 50 + the options' length) becomes r2 + 14
GENEVE_PORT = struct.unpack("<H", struct.pack(">H", 6081))[0]  # as a 2-byte load reads it


def geneve_unwrap():
    """GENEVE (UDP 6081, version 0, protocol type IPv4) around the mirrored VXLAN packet, as a Gateway Load Balancer
    sends it: r2 and r9 move past the GENEVE header and its options (their length is the header's, 0 to 252 bytes),
    so that the VXLAN packet's headers are where a plain one's are (its IPv4 header at r2 + 14); the checks that follow
    are the plain packet's. A plain VXLAN packet skips this. The kernel lets a program without CAP_PERFMON move a
    packet pointer by constants only: the options' length is added bit by bit."""
    unwrap = [
        insn(LDX_H, 5, 2, 44), ("pass", insn(JNE_K, 5, imm=0x0008)),
        insn(LDX_B, 5, 2, 42), insn(MOV_X, 4, 5), insn(AND_K, 4, imm=0xC0), ("pass", insn(JNE_K, 4, imm=0)),
        insn(AND_K, 5, imm=0x3F), insn(LSH_K, 5, imm=2),
        insn(ADD_K, 2, imm=GENEVE_TO_VXLAN), insn(SUB_K, 9, imm=GENEVE_TO_VXLAN),
    ]
    for bit in (4, 8, 16, 32, 64, 128):
        unwrap += [insn(MOV_X, 4, 5), insn(AND_K, 4, imm=bit), insn(JEQ_K, 4, off=2, imm=0),
                   insn(ADD_K, 2, imm=bit), insn(SUB_K, 9, imm=bit)]
    unwrap += [
        insn(MOV_X, 4, 2), insn(ADD_K, 4, imm=INNER_IP + 20), ("pass", insn(JGT_X, 4, 3)),
        insn(LDX_B, 5, 2, 14), ("pass", insn(JNE_K, 5, imm=0x45)),
        insn(LDX_B, 5, 2, 23), ("pass", insn(JNE_K, 5, imm=17)),
    ]
    return [insn(LDX_H, 5, 2, 36), insn(JEQ_K, 5, off=1 + len(unwrap), imm=0xB512),
            ("pass", insn(JNE_K, 5, imm=GENEVE_PORT))] + unwrap


# traceable:gwlb-only end
def program(map_fd):
    """The XDP program. Registers: r6 ctx, r9 buffer length, r2/r3 data/data_end, r7 inner total length, r8 arrived."""
    body = [
        insn(MOV_X, 6, 1),
        insn(CALL, imm=FN_XDP_GET_BUFF_LEN), insn(MOV_X, 9, 0),
        insn(LDX_W, 2, 6, 0), insn(LDX_W, 3, 6, 4),
        insn(MOV_X, 4, 2), insn(ADD_K, 4, imm=INNER_IP + 20),
        ("pass", insn(JGT_X, 4, 3)),                               # headers up to the inner IPv4 header present
        insn(LDX_H, 5, 2, 12), ("pass", insn(JNE_K, 5, imm=0x0008)),   # outer IPv4
        insn(LDX_B, 5, 2, 14), ("pass", insn(JNE_K, 5, imm=0x45)),     # without options
        insn(LDX_B, 5, 2, 23), ("pass", insn(JNE_K, 5, imm=17)),       # UDP
        # traceable:gwlb-only begin
        *geneve_unwrap(),
        # traceable:gwlb-only end
        insn(LDX_H, 5, 2, 36), ("pass", insn(JNE_K, 5, imm=0xB512)),   # to port 4789
        insn(LDX_H, 5, 2, 62), ("pass", insn(JNE_K, 5, imm=0x0008)),   # inner IPv4
        insn(LDX_B, 5, 2, INNER_IP), insn(AND_K, 5, imm=0xF0), ("pass", insn(JNE_K, 5, imm=0x40)),
        insn(LDX_H, 7, 2, INNER_IP + 2), insn(TO_BE, 7, imm=16),
        insn(MOV_X, 8, 9), insn(SUB_K, 8, imm=INNER_IP),
        ("pass", insn(JLE_X, 7, 8)),                               # nothing cut
        # Total length := what arrived; checksum updated as RFC 1624 (3): HC' = ~(~HC + ~m + m').
        insn(MOV_X, 5, 8), insn(TO_BE, 5, imm=16), insn(STX_H, 2, 5, INNER_IP + 2),
        insn(LDX_H, 4, 2, INNER_IP + 10), insn(TO_BE, 4, imm=16), insn(XOR_K, 4, imm=0xFFFF),
        insn(MOV_X, 5, 7), insn(XOR_K, 5, imm=0xFFFF), insn(ADD_X, 4, 5), insn(ADD_X, 4, 8),
        insn(MOV_X, 5, 4), insn(RSH_K, 5, imm=16), insn(AND_K, 4, imm=0xFFFF), insn(ADD_X, 4, 5),
        insn(MOV_X, 5, 4), insn(RSH_K, 5, imm=16), insn(AND_K, 4, imm=0xFFFF), insn(ADD_X, 4, 5),
        insn(XOR_K, 4, imm=0xFFFF), insn(TO_BE, 4, imm=16), insn(STX_H, 2, 4, INNER_IP + 10),
        # Count: packets and bytes lost, in this CPU's slot.
        insn(SUB_X, 7, 8),
        insn(ST_W, 10, 0, -4, 0), insn(MOV_X, 2, 10), insn(ADD_K, 2, imm=-4),
        insn(LD_DW_IMM, 1, 1, 0, map_fd), insn(0),
        insn(CALL, imm=FN_MAP_LOOKUP_ELEM),
        ("pass", insn(JEQ_K, 0, imm=0)),
        insn(LDX_DW, 1, 0, 0), insn(ADD_K, 1, imm=1), insn(STX_DW, 0, 1, 0),
        insn(LDX_DW, 1, 0, 8), insn(ADD_X, 1, 7), insn(STX_DW, 0, 1, 8),
        "pass",
        insn(MOV_K, 0, imm=XDP_PASS), insn(EXIT),
    ]
    # Resolve the jumps to "pass" (offsets count instructions after the jump).
    target = sum(1 for i in body[:body.index("pass")] if not isinstance(i, str))
    out, n = [], 0
    for item in body:
        if item == "pass":
            continue
        if isinstance(item, tuple):
            raw = bytearray(item[1])
            struct.pack_into("<h", raw, 2, target - n - 1)
            item = bytes(raw)
        out.append(item)
        n += 1
    return b"".join(out)


class MapCreate(ctypes.Structure):
    _fields_ = [("map_type", ctypes.c_uint32), ("key_size", ctypes.c_uint32), ("value_size", ctypes.c_uint32),
                ("max_entries", ctypes.c_uint32), ("map_flags", ctypes.c_uint32), ("pad", ctypes.c_char * 108)]


class ProgLoad(ctypes.Structure):
    _fields_ = [("prog_type", ctypes.c_uint32), ("insn_cnt", ctypes.c_uint32), ("insns", ctypes.c_uint64),
                ("license", ctypes.c_uint64), ("log_level", ctypes.c_uint32), ("log_size", ctypes.c_uint32),
                ("log_buf", ctypes.c_uint64), ("kern_version", ctypes.c_uint32), ("prog_flags", ctypes.c_uint32),
                ("prog_name", ctypes.c_char * 16), ("pad", ctypes.c_char * 80)]


class MapElem(ctypes.Structure):
    _fields_ = [("map_fd", ctypes.c_uint32), ("pad0", ctypes.c_uint32), ("key", ctypes.c_uint64),
                ("value", ctypes.c_uint64), ("flags", ctypes.c_uint64), ("pad", ctypes.c_char * 96)]


class TestRun(ctypes.Structure):
    _fields_ = [("prog_fd", ctypes.c_uint32), ("retval", ctypes.c_uint32), ("data_size_in", ctypes.c_uint32),
                ("data_size_out", ctypes.c_uint32), ("data_in", ctypes.c_uint64), ("data_out", ctypes.c_uint64),
                ("repeat", ctypes.c_uint32), ("duration", ctypes.c_uint32), ("pad", ctypes.c_char * 96)]


def possible_cpus():
    with open("/sys/devices/system/cpu/possible") as f:
        return max(int(part.split("-")[-1]) for part in f.read().strip().split(",")) + 1


def load():
    """Creates the counters map and loads the program; returns (program fd, map fd)."""
    map_fd = bpf(BPF_MAP_CREATE, MapCreate(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 1, 0))
    code = program(map_fd)
    insns = ctypes.create_string_buffer(code, len(code))
    license_ = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(65536)
    attr = ProgLoad(BPF_PROG_TYPE_XDP, len(code) // 8, ctypes.addressof(insns), ctypes.addressof(license_), 1,
                    len(log), ctypes.addressof(log), 0, BPF_F_XDP_HAS_FRAGS, b"vxlan_cut_fix")
    try:
        return bpf(BPF_PROG_LOAD, attr), map_fd
    except OSError as e:
        raise SystemExit("vxlan-cut-fixer: the kernel refused the program (%s): %s" % (e, log.value.decode(errors="replace")))


def counters(map_fd):
    """Packets cut and bytes lost, summed over the CPUs."""
    ncpu = possible_cpus()
    key, value = ctypes.c_uint32(0), ctypes.create_string_buffer(16 * ncpu)
    bpf(BPF_MAP_LOOKUP_ELEM, MapElem(map_fd, 0, ctypes.addressof(key), ctypes.addressof(value)))
    slots = [struct.unpack_from("<QQ", value.raw, 16 * i) for i in range(ncpu)]
    return {"cut_packets": sum(s[0] for s in slots), "cut_bytes_lost": sum(s[1] for s in slots)}


def test_run(prog_fd, frame, repeat=1):
    data_in = ctypes.create_string_buffer(bytes(frame), len(frame))
    data_out = ctypes.create_string_buffer(len(frame) + 256)
    attr = TestRun(prog_fd, 0, len(frame), len(data_out), ctypes.addressof(data_in), ctypes.addressof(data_out), repeat)
    bpf(BPF_PROG_TEST_RUN, attr)
    if attr.retval != XDP_PASS:
        raise SystemExit("vxlan-cut-fixer: the program returned %d, not XDP_PASS" % attr.retval)
    return data_out.raw[:attr.data_size_out], attr.duration


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    header, frames, i = data[:24], [], 24
    while i < len(data):
        ts, us, caplen, _ = struct.unpack_from("<IIII", data, i)
        frames.append((ts, us, data[i + 16:i + 16 + caplen]))
        i += 16 + caplen
    return header, frames


def fix_pcap(src, dst):
    prog_fd, map_fd = load()
    header, frames = read_pcap(src)
    out = [header]
    for ts, us, frame in frames:
        fixed, _ = test_run(prog_fd, frame)
        out.append(struct.pack("<IIII", ts, us, len(fixed), len(fixed)) + fixed)
    with open(dst, "wb") as f:
        f.write(b"".join(out))
    write_stats(counters(map_fd))
    print(json.dumps(dict(counters(map_fd), frames=len(frames))))


def cost(path):
    """Per packet, in the kernel: a frame that passes untouched (the first of FILE) and the path of a cut one up to the
    rewrite (the largest frame, once fixed: a repeated run sees the rewritten packet)."""
    prog_fd, _ = load()
    _, frames = read_pcap(path)
    largest = max((f[2] for f in frames), key=len)
    result = {}
    for name, frame in (("untouched", frames[0][2]), ("cut_checked", test_run(prog_fd, largest)[0])):
        _, ns = test_run(prog_fd, frame, repeat=100000)
        result[name] = {"ns_per_packet": ns, "frame_bytes": len(frame)}
    print(json.dumps(result))


def netlink_xdp(ifindex, fd, flags):
    """RTM_SETLINK with IFLA_XDP {IFLA_XDP_FD, IFLA_XDP_FLAGS}; fd -1 detaches."""
    xdp = struct.pack("<HHi", 8, 1, fd) + struct.pack("<HHI", 8, 3, flags)
    attrs = struct.pack("<HH", 4 + len(xdp), 43 | 0x8000) + xdp
    msg = struct.pack("<BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, 0) + attrs
    nl = struct.pack("<IHHII", 16 + len(msg), 19, 0x1 | 0x4, 1, 0) + msg  # RTM_SETLINK, NLM_F_REQUEST|NLM_F_ACK
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) as s:
        s.bind((0, 0))
        s.send(nl)
        reply = s.recv(65536)
    error = struct.unpack_from("<i", reply, 16)[0]
    if error:
        raise OSError(-error, "attaching XDP: %s" % os.strerror(-error))


def write_stats(values):
    tmp = STATS_FILE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(dict(values, time=int(time.time())), f)
    os.replace(tmp, STATS_FILE)


def default_route_interface():
    """The interface of the default IPv4 route, as suricata-start.sh and lib.sh find the capture interface."""
    with open(os.environ.get("TRACEABLE_ROUTE_FILE", "/proc/net/route")) as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if len(fields) > 1 and fields[1] == "00000000":
                return fields[0]
    raise SystemExit("vxlan-cut-fixer: no default route, cannot tell the capture interface")


def attach(iface):
    with open("/sys/class/net/%s/ifindex" % iface) as f:
        ifindex = int(f.read())
    prog_fd, map_fd = load()
    netlink_xdp(ifindex, prog_fd, XDP_FLAGS_SKB_MODE)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    try:
        while not stopping:
            write_stats(counters(map_fd))
            time.sleep(INTERVAL)
    finally:
        netlink_xdp(ifindex, -1, XDP_FLAGS_SKB_MODE)
        write_stats(counters(map_fd))


def main(argv):
    if argv[:1] == ["--pcap"] and len(argv) == 3:
        fix_pcap(argv[1], argv[2])
    elif argv[:1] == ["--cost"] and len(argv) == 2:
        cost(argv[1])
    elif len(argv) <= 1 and not (argv and argv[0].startswith("-")):
        attach(argv[0] if argv else default_route_interface())
    else:
        raise SystemExit("usage: vxlan-cut-fixer.py [IFACE] | --pcap IN OUT | --cost FILE")


if __name__ == "__main__":
    main(sys.argv[1:])
