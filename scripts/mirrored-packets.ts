/**
 * Packets as AWS Traffic Mirroring delivers them, byte by byte: an inner IPv4 packet in Ethernet, wrapped in outer
 * Ethernet/IPv4/UDP 4789/VXLAN (to an NLB target), that again in IPv4/UDP 6081/GENEVE as a Gateway Load Balancer
 * delivers it (to a GWLB endpoint target), and a classic pcap of such frames. Shared by `bench:suricata` and the tests that build
 * their captures (no live capture, no kernel segmentation).
 */
import { GENEVE_UDP_PORT, VXLAN_UDP_PORT } from '../shared';

/** An IPv4 header (no options, don't fragment, TTL 64) with its checksum. */
export function ipv4Header(total: number, proto: number, src: readonly number[], dst: readonly number[], id: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(total, 2);
  h.writeUInt16BE(id & 0xffff, 4);
  h.writeUInt16BE(0x4000, 6);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return h;
}

/** An Ethernet header for IPv4. */
export function ethernet(dst: readonly number[], src: readonly number[]): Buffer {
  return Buffer.from([...dst, ...src, 0x08, 0x00]);
}

/** Where a mirrored copy goes: the outer addresses, the VXLAN network identifier, the outer UDP source port. */
export interface MirrorPath {
  readonly macs: { readonly source: readonly number[]; readonly target: readonly number[] };
  readonly source: readonly number[];
  readonly target: readonly number[];
  readonly vni: number;
  readonly outerSourcePort: number;
}

/** The mirrored copy of an inner Ethernet frame: the outer headers tell the length of what is carried. */
export function vxlanWrapped(innerFrame: Buffer, path: MirrorPath, id: number): Buffer {
  const { vni } = path;
  const vxlan = Buffer.from([0x08, 0, 0, 0, (vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0]);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(path.outerSourcePort, 0);
  udp.writeUInt16BE(VXLAN_UDP_PORT, 2);
  udp.writeUInt16BE(8 + vxlan.length + innerFrame.length, 4);
  const outerIp = ipv4Header(20 + 8 + vxlan.length + innerFrame.length, 17, path.source, path.target, id);
  return Buffer.concat([ethernet(path.macs.target, path.macs.source), outerIp, udp, vxlan, innerFrame]);
}

/** What a Gateway Load Balancer adds around a packet: its node's and the target's addresses, the outer UDP source port
 * (a hash of the flow) and its GENEVE options' values. */
export interface GatewayPath {
  readonly macs: { readonly source: readonly number[]; readonly target: readonly number[] };
  readonly source: readonly number[];
  readonly target: readonly number[];
  readonly outerSourcePort: number;
  /** TLV 1: the GWLB endpoint's (VPC endpoint's) ID, 8 bytes. */
  readonly endpointId: bigint;
  /** TLV 2: the attachment ID, 8 bytes. */
  readonly attachmentId: bigint;
  /** TLV 3: the flow cookie, 4 bytes. */
  readonly flowCookie: number;
  /** Options after AWS's three, whole TLVs (the header's option length counts them): what a future GWLB may add. */
  readonly moreOptions?: Buffer;
}

/** AWS's GENEVE option class for the Gateway Load Balancer's TLVs. */
export const GWLB_OPTION_CLASS = 0x0108;

/** One GENEVE option: class, type, length in 4-byte words, value. */
function geneveOption(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(GWLB_OPTION_CLASS, 0);
  header[2] = type;
  header[3] = value.length / 4;
  return Buffer.concat([header, value]);
}

/** A Gateway Load Balancer's GENEVE header (RFC 8926) with its three TLVs (AWS: "Integrate your custom logic or
 * appliance with AWS Gateway Load Balancer"): version 0, option length 8 words, protocol type IPv4 (0x0800), VNI 0;
 * 68 bytes with the outer IPv4 and UDP headers, as AWS documents the encapsulation's overhead. */
function gwlbGeneveHeader(path: GatewayPath): Buffer {
  const u64 = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    return b;
  };
  const cookie = Buffer.alloc(4);
  cookie.writeUInt32BE(path.flowCookie >>> 0);
  const options = Buffer.concat([geneveOption(1, u64(path.endpointId)), geneveOption(2, u64(path.attachmentId)), geneveOption(3, cookie), path.moreOptions ?? Buffer.alloc(0)]);
  const base = Buffer.from([options.length / 4, 0, 0x08, 0x00, 0, 0, 0, 0]);
  return Buffer.concat([base, options]);
}

/** A mirrored frame (as {@link vxlanWrapped} makes it) as the Gateway Load Balancer delivers it to a target: its IPv4
 * packet (from the VXLAN's IPv4 header on) in GENEVE, in the node's IPv4/UDP 6081 (UDP checksum 0), in Ethernet. */
export function geneveWrapped(vxlanFrame: Buffer, path: GatewayPath, id: number): Buffer {
  const packet = vxlanFrame.subarray(14);
  const geneve = gwlbGeneveHeader(path);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(path.outerSourcePort, 0);
  udp.writeUInt16BE(GENEVE_UDP_PORT, 2);
  udp.writeUInt16BE(8 + geneve.length + packet.length, 4);
  const outerIp = ipv4Header(20 + 8 + geneve.length + packet.length, 17, path.source, path.target, id);
  return Buffer.concat([ethernet(path.macs.target, path.macs.source), outerIp, udp, geneve, packet]);
}

/** A classic pcap (Ethernet) of the frames, 20 µs apart from 1,700,000,000 s. */
export function pcapOf(frames: readonly Buffer[], snapLength: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snapLength, 16);
  header.writeUInt32LE(1, 20);
  const chunks: Buffer[] = [header];
  frames.forEach((frame, i) => {
    const record = Buffer.alloc(16);
    const usec = 20 * (i + 1);
    record.writeUInt32LE(1_700_000_000 + Math.floor(usec / 1e6), 0);
    record.writeUInt32LE(usec % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    chunks.push(record, frame);
  });
  return Buffer.concat(chunks);
}
