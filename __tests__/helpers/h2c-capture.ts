/**
 * HTTP/2 cleartext (prior knowledge) built byte by byte for captures: frames (RFC 9113 section 4.1) and header blocks of
 * HPACK literals without indexing and without Huffman coding (RFC 7541 section 6.2.2), so that what a test drops can be
 * found by its bytes. The TCP side (segments, ACKs, mirroring) is helpers/mirror-capture.ts.
 */

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
export const DATA = 0x0;
export const HEADERS = 0x1;
export const SETTINGS = 0x4;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;
export const ACK = 0x1;

/** One frame: 24-bit length, type, flags, 31-bit stream id, payload. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

/** An HPACK integer with an N-bit prefix (RFC 7541 section 5.1); `first` holds the bits above the prefix. */
function hpackInteger(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const out = [first | max];
  for (value -= max; value >= 128; value = Math.floor(value / 128)) out.push((value % 128) | 128);
  out.push(value);
  return Buffer.from(out);
}

const hpackString = (s: string) => Buffer.concat([hpackInteger(Buffer.byteLength(s), 7), Buffer.from(s)]);

/** A header block of literal fields without indexing, new names: each name and value appears as is on the wire. */
export function headerBlock(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(headers.flatMap(([name, value]) => [Buffer.from([0]), hpackString(name), hpackString(value)]));
}

/** A complete header block in one HEADERS frame. */
export const headersFrame = (streamId: number, headers: ReadonlyArray<readonly [string, string]>, endStream = false) =>
  frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, headerBlock(headers));

/** An empty SETTINGS frame (defaults) and its acknowledgement. */
export const settingsFrame = () => frame(SETTINGS, 0, 0);
export const settingsAck = () => frame(SETTINGS, ACK, 0);
