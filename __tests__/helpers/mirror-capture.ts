/**
 * Builds captures of AWS's real mirrored packet path, packet by packet (no live capture, no kernel segmentation):
 * TCP connections between sources with a 9,001-byte MTU (full-size segments of 8,949 payload bytes: 20 bytes of IPv4,
 * 32 of TCP with timestamps), each packet wrapped as Traffic Mirroring delivers it (outer Ethernet/IPv4/UDP 4789/VXLAN,
 * the two directions with different outer UDP source ports) and cut to the session's PacketLength bytes after the
 * VXLAN header, the outer headers telling the cut length while the inner IPv4 total length still tells the full one.
 */
import { writeFileSync } from 'node:fs';
import { ethernet, ipv4Header, pcapOf, vxlanWrapped } from '../../scripts/mirrored-packets';

/** AWS: "For sessions with Network Load Balancer (NLB) traffic mirror targets, the default PacketLength will be set to
 * 8500. Valid values are 1-8500." (EC2 API reference, CreateTrafficMirrorSession). */
export const NLB_PACKET_LENGTH = 8500;
/** The MTU of instances in a VPC (jumbo frames). */
export const VPC_MTU = 9001;
/** TCP header with the timestamps option (what Linux sends): 20 + 12 bytes. */
const TCP_HEADER = 32;
/** Payload of a full-size segment at {@link VPC_MTU}. */
export const FULL_SEGMENT = VPC_MTU - 20 - TCP_HEADER; // 8949
const INNER_ETHERNET = 14;
/** Payload bytes of a full-size segment that survive a cut at {@link NLB_PACKET_LENGTH}. */
export const KEPT_OF_FULL_SEGMENT = NLB_PACKET_LENGTH - INNER_ETHERNET - 20 - TCP_HEADER; // 8434

const VNI = 4242;
const INNER_MACS = { source: [2, 0, 0, 0, 0, 1], target: [2, 0, 0, 0, 0, 2] };
const OUTER_MACS = { source: [2, 0, 0, 0, 0, 0x10], target: [2, 0, 0, 0, 0, 0x20] };
const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;

/** TCP with the timestamps option (NOP NOP TS); checksum 0, as mirrored copies of offloaded packets often carry. */
function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, tsval: number, tsecr: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(TCP_HEADER);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = (TCP_HEADER / 4) << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  h.set([1, 1, 8, 10], 20);
  h.writeUInt32BE(tsval >>> 0, 24);
  h.writeUInt32BE(tsecr >>> 0, 28);
  return Buffer.concat([h, payload]);
}

export interface Endpoint {
  ip: number[];
  port: number;
}

/** One inner packet as the source's interface sent it. */
export interface InnerPacket {
  src: Endpoint;
  dst: Endpoint;
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
  /** TCP timestamps: the sender's clock and the last value it saw from its peer. */
  tsval: number;
  tsecr: number;
}

/** The mirrored copy of an inner packet: VXLAN-wrapped, cut to `packetLength` bytes after the VXLAN header. */
export function mirroredFrame(p: InnerPacket, id: number, packetLength = NLB_PACKET_LENGTH, outerSourcePort = 40000): Buffer {
  const segment = tcp(p.src.port, p.dst.port, p.seq, p.ack, p.flags, p.tsval, p.tsecr, p.payload);
  const inner = Buffer.concat([ethernet(INNER_MACS.target, INNER_MACS.source), ipv4Header(20 + segment.length, 6, p.src.ip, p.dst.ip, id), segment]);
  const kept = inner.subarray(0, Math.min(inner.length, packetLength));
  return vxlanWrapped(kept, { macs: OUTER_MACS, source: [10, 0, 1, 10], target: [10, 0, 2, 20], vni: VNI, outerSourcePort }, id);
}

/** A classic pcap (Ethernet) of the frames, 20 µs apart. */
export function writePcap(file: string, frames: Buffer[]): void {
  writeFileSync(file, pcapOf(frames, 262144));
}

/** One HTTP/1.1 exchange on a keep-alive connection. */
export interface Exchange {
  request: Buffer;
  response: Buffer;
}

/** The two ends of one TCP connection (timestamps option, each packet ACKing all the peer sent): `client(flags, payload)`
 * and `server(flags, payload)` append a packet and advance the sender's sequence number (SYN and FIN count one). */
function tcpPeers(client: Endpoint, server: Endpoint) {
  let cs = 1_000_000, ss = 5_000_000, clock = 1000, clientTs = 0, serverTs = 0;
  const packets: InnerPacket[] = [];
  const advance = (flags: number, payload: Buffer) => payload.length + (flags & (SYN | FIN) ? 1 : 0);
  return {
    packets,
    client(flags: number, payload: Buffer = Buffer.alloc(0)) {
      clientTs = ++clock;
      packets.push({ src: client, dst: server, seq: cs, ack: flags & SYN ? 0 : ss, flags, payload, tsval: clientTs, tsecr: serverTs });
      cs += advance(flags, payload);
    },
    server(flags: number, payload: Buffer = Buffer.alloc(0)) {
      serverTs = ++clock;
      packets.push({ src: server, dst: client, seq: ss, ack: cs, flags, payload, tsval: serverTs, tsecr: clientTs });
      ss += advance(flags, payload);
    },
  };
}

/** The packets of one keep-alive connection in the order the source sent them: handshake, then per exchange the
 * request, its ACK, the response in segments of at most `mss` payload bytes, ACKed by the client after every second
 * one and after the last (as a delayed ACK does), then FIN. */
export function keepAliveConnection(client: Endpoint, server: Endpoint, exchanges: Exchange[], mss = FULL_SEGMENT): InnerPacket[] {
  const { packets, client: c, server: s } = tcpPeers(client, server);
  c(SYN);
  s(SYN | ACK);
  c(ACK);
  for (const { request, response } of exchanges) {
    c(PSH | ACK, request);
    s(ACK);
    for (let off = 0, n = 1; off < response.length; off += mss, n++) {
      const part = response.subarray(off, off + mss);
      const last = off + mss >= response.length;
      s(last ? PSH | ACK : ACK, part);
      if (last || n % 2 === 0) c(ACK);
    }
  }
  c(FIN | ACK);
  s(FIN | ACK);
  c(ACK);
  return packets;
}

/** One TCP segment of a {@link segmentedConnection}: who sends it and its payload. */
export interface Segment {
  from: 'client' | 'server';
  payload: Buffer;
}

/** The packets of one connection carrying exactly the given segments, in order, each ACKed by the peer: handshake,
 * the segments, FIN. A test that drops a segment finds it by its payload. */
export function segmentedConnection(client: Endpoint, server: Endpoint, segments: Segment[]): InnerPacket[] {
  const peers = tcpPeers(client, server);
  const other = { client: 'server', server: 'client' } as const;
  peers.client(SYN);
  peers.server(SYN | ACK);
  peers.client(ACK);
  for (const { from, payload } of segments) {
    peers[from](PSH | ACK, payload);
    peers[other[from]](ACK);
  }
  peers.client(FIN | ACK);
  peers.server(FIN | ACK);
  peers.client(ACK);
  return peers.packets;
}

/** What the mirror target may deliver: neighbours swapped (packets 2k+1 and 2k+2 of the whole sequence after the
 * handshake, so two data segments of one direction, or a segment and the other direction's ACK, trade places). */
export function reordered<T>(packets: T[], keepFirst = 3): T[] {
  const out = packets.slice();
  for (let i = keepFirst; i + 1 < out.length - 3; i += 2) [out[i], out[i + 1]] = [out[i + 1], out[i]];
  return out;
}

/** The mirrored frames of inner packets: each direction with its own outer UDP source port. */
export function mirrored(packets: InnerPacket[], packetLength = NLB_PACKET_LENGTH): Buffer[] {
  return packets.map((p, i) => mirroredFrame(p, i + 1, packetLength, 40000 + (p.src.port % 1000) * 7));
}

/** A TLS 1.2 handshake message in its record (ClientHello 1 or ServerHello 2), no extensions: enough for Suricata's
 * protocol detection to call the flow TLS. */
export function tlsHello(type: 1 | 2): Buffer {
  const random = Buffer.alloc(32, type);
  const body = type === 1
    ? Buffer.concat([Buffer.from([3, 3]), random, Buffer.from([0, 0, 2, 0x00, 0x2f, 1, 0])])
    : Buffer.concat([Buffer.from([3, 3]), random, Buffer.from([0, 0x00, 0x2f, 0])]);
  const handshake = Buffer.concat([Buffer.from([type, 0, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1, (handshake.length >> 8) & 0xff, handshake.length & 0xff]), handshake]);
}
