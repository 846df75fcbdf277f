/**
 * Classic pcap files of IPv4/TCP over Ethernet (what tcpdump writes on lo and veth): read into segments, find
 * bytes of one direction of a connection by their content, and write the capture back with a byte range of that
 * direction removed. Tests pick what they drop by content and sequence number, never by how the kernel
 * happened to segment the traffic (TSO/GSO, MTU).
 */

const PCAP_MAGIC_LE = 0xa1b2c3d4;
const LINKTYPE_ETHERNET = 1;
const ETHERNET_HEADER = 14;
const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const ACK = 0x10;

export interface TcpSegment {
  /** The packet's position in the file, from 0. */
  readonly index: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly flags: number;
  readonly payload: Buffer;
  /** The whole record: pcap record header, Ethernet, IPv4, TCP, payload. */
  readonly record: Buffer;
}

export interface Capture {
  readonly fileHeader: Buffer;
  readonly segments: TcpSegment[];
}

/** Every IPv4/TCP packet of a classic little-endian pcap with Ethernet framing; anything else is an error. */
export function readCapture(pcap: Buffer): Capture {
  if (pcap.readUInt32LE(0) !== PCAP_MAGIC_LE) throw new Error(`not a little-endian microsecond pcap (magic 0x${pcap.readUInt32LE(0).toString(16)})`);
  if (pcap.readUInt32LE(20) !== LINKTYPE_ETHERNET) throw new Error(`pcap link type ${pcap.readUInt32LE(20)}, expected Ethernet (1)`);
  const segments: TcpSegment[] = [];
  for (let off = 24; off < pcap.length; ) {
    const captured = pcap.readUInt32LE(off + 8);
    if (captured !== pcap.readUInt32LE(off + 12)) throw new Error(`packet ${segments.length} was cut by the snap length`);
    const record = pcap.subarray(off, off + 16 + captured);
    off += 16 + captured;
    const ip = record.subarray(16 + ETHERNET_HEADER);
    if (record.readUInt16BE(16 + 12) !== 0x0800 || ip[9] !== 6) throw new Error(`packet ${segments.length} is not IPv4/TCP`);
    const ipHeader = (ip[0] & 15) * 4;
    const tcp = ip.subarray(ipHeader, ip.readUInt16BE(2));
    segments.push({
      index: segments.length,
      srcPort: tcp.readUInt16BE(0),
      dstPort: tcp.readUInt16BE(2),
      seq: tcp.readUInt32BE(4),
      flags: tcp[13],
      payload: tcp.subarray((tcp[12] >> 4) * 4),
      record,
    });
  }
  return { fileHeader: pcap.subarray(0, 24), segments };
}

/** One direction of one TCP connection: its bytes in sequence order, and where each segment's payload sits in them. */
export interface TcpDirection {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly bytes: Buffer;
  /** Stream offset of a segment's first payload byte (relative to the SYN's sequence number). */
  offsetOf(segment: TcpSegment): number;
  readonly segments: TcpSegment[];
}

/** The data one side sent on a connection (ports as seen in its packets), reassembled from its SYN on. */
export function tcpDirection(capture: Capture, srcPort: number, dstPort: number): TcpDirection {
  const segments = capture.segments.filter((s) => s.srcPort === srcPort && s.dstPort === dstPort);
  const syn = segments.find((s) => s.flags & SYN);
  if (!syn) throw new Error(`no SYN from port ${srcPort} to ${dstPort} in the capture`);
  const offsetOf = (s: TcpSegment) => ((s.seq - syn.seq - 1) >>> 0);
  const carrying = segments.filter((s) => s.payload.length > 0);
  const length = Math.max(0, ...carrying.map((s) => offsetOf(s) + s.payload.length));
  if (length > 1 << 30) throw new Error(`port ${srcPort} to ${dstPort}: a segment ${length} bytes past the SYN (not from this connection?)`);
  const bytes = Buffer.alloc(length);
  for (const s of carrying) s.payload.copy(bytes, offsetOf(s));
  return { srcPort, dstPort, bytes, offsetOf, segments };
}

/** The connections (client port, server port) that the server on serverPort answered, in the capture's order. */
export function connectionsTo(capture: Capture, serverPort: number): Array<{ clientPort: number; serverPort: number }> {
  const clientPorts = capture.segments.filter((s) => s.dstPort === serverPort && s.flags & SYN).map((s) => s.srcPort);
  return [...new Set(clientPorts)].map((clientPort) => ({ clientPort, serverPort }));
}

/** Whether the client of every connection the capture saw open (a SYN without ACK) closed it (FIN) or reset it: once
 * that is in the capture, so is everything both sides sent before (a server may keep its half open). */
export function everyClientClosed(capture: Capture): boolean {
  const opened = capture.segments.filter((s) => s.flags & SYN && !(s.flags & ACK));
  return opened.every((syn) => capture.segments.some((s) => s.srcPort === syn.srcPort && s.dstPort === syn.dstPort && s.flags & (FIN | RST)));
}

function checksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const part of parts) {
    for (let i = 0; i + 1 < part.length; i += 2) sum += part.readUInt16BE(i);
    if (part.length % 2) sum += part[part.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A copy of a segment's record that carries only payload[from, to), with its sequence number, lengths and checksums. */
function withPayloadSlice(s: TcpSegment, from: number, to: number): Buffer {
  const head = s.record.subarray(0, s.record.length - s.payload.length);
  const out = Buffer.concat([head, s.payload.subarray(from, to)]);
  const ip = out.subarray(16 + ETHERNET_HEADER);
  const ipHeader = (ip[0] & 15) * 4;
  out.writeUInt32LE(out.length - 16, 8);
  out.writeUInt32LE(out.length - 16, 12);
  ip.writeUInt16BE(ip.length, 2);
  ip.writeUInt16BE(0, 10);
  ip.writeUInt16BE(checksum(ip.subarray(0, ipHeader)), 10);
  const tcp = ip.subarray(ipHeader);
  tcp.writeUInt32BE((s.seq + from) >>> 0, 4);
  tcp.writeUInt16BE(0, 16);
  const pseudo = Buffer.alloc(12);
  ip.copy(pseudo, 0, 12, 20);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(tcp.length, 10);
  tcp.writeUInt16BE(checksum(pseudo, tcp), 16);
  return out;
}

/**
 * The capture without bytes [from, to) of one direction: every copy of those bytes is removed (a segment that
 * also carries bytes outside the range keeps them, as two packets where needed), so Suricata sees exactly that gap.
 * Returns the new file and the indexes of the packets that were changed or removed.
 */
export function withoutBytes(capture: Capture, direction: TcpDirection, from: number, to: number): { pcap: Buffer; touched: number[] } {
  const touched: number[] = [];
  const records = capture.segments.flatMap((s) => {
    if (s.srcPort !== direction.srcPort || s.dstPort !== direction.dstPort || s.payload.length === 0) return [s.record];
    const start = direction.offsetOf(s);
    const end = start + s.payload.length;
    if (end <= from || start >= to) return [s.record];
    touched.push(s.index);
    const kept: Buffer[] = [];
    if (start < from) kept.push(withPayloadSlice(s, 0, from - start));
    if (end > to) kept.push(withPayloadSlice(s, to - start, s.payload.length));
    return kept;
  });
  return { pcap: Buffer.concat([capture.fileHeader, ...records]), touched };
}
