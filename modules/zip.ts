/**
 * Deterministic zip archives for the session Lambda's code: fixed timestamps and permissions, sorted entries, and
 * entries deflated by the small compressor below rather than by zlib. zlib's output differs between its builds (Node
 * ships Chromium's, whose match finder depends on the CPU's features), and a different byte means a different
 * `source_code_hash`, so a plan on another machine would show the function changing. This compressor is ours: the same
 * input gives the same bytes on every machine. It trades some ratio for that (greedy LZ77, fixed Huffman codes).
 */
import { inflateRawSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---- deflate (RFC 1951), one block with the fixed Huffman codes ------------------------------------------------

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const WINDOW = 32768;
const MAX_MATCH = 258;
/** How many earlier positions with the same 3-byte hash are tried: more finds longer matches, slower. */
const MAX_CHAIN = 64;

/** Index of the last base that is <= value. */
const codeOf = (bases: readonly number[], value: number) => {
  let code = bases.length - 1;
  while (bases[code] > value) code--;
  return code;
};

class BitWriter {
  private readonly bytes: number[] = [];
  private bits = 0;
  private count = 0;
  /** `length` bits of `value`, least significant first (deflate's extra bits and header). */
  write(value: number, length: number): void {
    this.bits |= value << this.count;
    this.count += length;
    while (this.count >= 8) {
      this.bytes.push(this.bits & 0xff);
      this.bits >>>= 8;
      this.count -= 8;
    }
  }
  /** A Huffman code, most significant bit first. */
  writeCode(code: number, length: number): void {
    for (let bit = length - 1; bit >= 0; bit--) this.write((code >>> bit) & 1, 1);
  }
  finish(): Buffer {
    if (this.count > 0) this.bytes.push(this.bits & 0xff);
    return Buffer.from(this.bytes);
  }
}

/** The fixed literal/length code of a symbol 0..287 (RFC 1951 3.2.6). */
function writeSymbol(out: BitWriter, symbol: number): void {
  if (symbol < 144) out.writeCode(0x30 + symbol, 8);
  else if (symbol < 256) out.writeCode(0x190 + symbol - 144, 9);
  else if (symbol < 280) out.writeCode(symbol - 256, 7);
  else out.writeCode(0xc0 + symbol - 280, 8);
}

function writeMatch(out: BitWriter, length: number, distance: number): void {
  const lengthCode = codeOf(LENGTH_BASE, length);
  writeSymbol(out, 257 + lengthCode);
  out.write(length - LENGTH_BASE[lengthCode], LENGTH_EXTRA[lengthCode]);
  const distanceCode = codeOf(DISTANCE_BASE, distance);
  out.writeCode(distanceCode, 5);
  out.write(distance - DISTANCE_BASE[distanceCode], DISTANCE_EXTRA[distanceCode]);
}

/** Raw deflate of `data`: greedy matches over a 32 KiB window found through 3-byte hash chains. */
export function deflateDeterministic(data: Uint8Array): Buffer {
  const out = new BitWriter();
  out.write(1, 1); // the final block
  out.write(1, 2); // fixed Huffman codes
  const head = new Int32Array(1 << 15).fill(-1);
  const previous = new Int32Array(WINDOW);
  const hashAt = (i: number) => ((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & 0x7fff;
  const insert = (i: number) => {
    if (i + 2 >= data.length) return;
    const hash = hashAt(i);
    previous[i % WINDOW] = head[hash];
    head[hash] = i;
  };
  let i = 0;
  while (i < data.length) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + 2 < data.length) {
      const limit = Math.min(MAX_MATCH, data.length - i);
      for (let candidate = head[hashAt(i)], chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; candidate = previous[candidate % WINDOW], chain++) {
        let length = 0;
        while (length < limit && data[candidate + length] === data[i + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestDistance = i - candidate;
          if (length === limit) break;
        }
      }
    }
    if (bestLength >= 3) {
      writeMatch(out, bestLength, bestDistance);
      for (let k = 0; k < bestLength; k++) insert(i + k);
      i += bestLength;
    } else {
      writeSymbol(out, data[i]);
      insert(i);
      i++;
    }
  }
  writeSymbol(out, 256); // end of block
  return out.finish();
}

// ---- zip ---------------------------------------------------------------------------------------------------------

const STORED = 0;
const DEFLATED = 8;

/** One entry as it goes into the archive: its compressed bytes and what the headers say about them. */
interface ZipEntry {
  readonly method: typeof STORED | typeof DEFLATED;
  readonly crc: number;
  readonly size: number;
  readonly compressed: Buffer;
}

/** An entry deflated when that makes it smaller (a few bytes of JSON are not), stored otherwise. */
function zipEntryOf(data: Uint8Array): ZipEntry {
  const deflated = deflateDeterministic(data);
  return deflated.length < data.length
    ? { method: DEFLATED, crc: crc32(data), size: data.length, compressed: deflated }
    : { method: STORED, crc: crc32(data), size: data.length, compressed: Buffer.from(data) };
}

/**
 * A zip of the given entries with fixed timestamps (1980-01-01), fixed permissions (-rw-r--r--) and sorted names.
 * Entries are given as bytes (compressed here) or as entries read from another archive ({@link readZipEntry}), whose
 * compressed bytes are copied as they are.
 */
export function deterministicZip(files: Record<string, Uint8Array | ZipEntry>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of Object.keys(files).sort()) {
    const file = files[name];
    const entry = file instanceof Uint8Array ? zipEntryOf(file) : file;
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt16LE(0, 10); // time 00:00
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.compressed.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.compressed.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, entry.compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + entry.compressed.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** One entry of a zip made by {@link deterministicZip}, as it is stored (to copy it into another archive). */
export function readZipEntry(zip: Buffer, name: string): ZipEntry {
  for (let offset = 0; offset + 30 <= zip.length && zip.readUInt32LE(offset) === 0x04034b50;) {
    const method = zip.readUInt16LE(offset + 8);
    const compressedSize = zip.readUInt32LE(offset + 18);
    const nameLength = zip.readUInt16LE(offset + 26);
    const dataStart = offset + 30 + nameLength + zip.readUInt16LE(offset + 28);
    if (zip.toString('utf8', offset + 30, offset + 30 + nameLength) === name) {
      if (method !== STORED && method !== DEFLATED) throw new Error(`${name} in the bundle has compression method ${method}`);
      return { method, crc: zip.readUInt32LE(offset + 14), size: zip.readUInt32LE(offset + 22), compressed: zip.subarray(dataStart, dataStart + compressedSize) };
    }
    offset = dataStart + compressedSize;
  }
  throw new Error(`no ${name} in the bundle`);
}

/** The uncompressed bytes of one entry of a zip made by {@link deterministicZip}, its CRC checked. */
export function zipEntryContent(zip: Buffer, name: string): Buffer {
  const entry = readZipEntry(zip, name);
  const content = entry.method === DEFLATED ? inflateRawSync(entry.compressed) : entry.compressed;
  if (content.length !== entry.size || crc32(content) !== entry.crc) throw new Error(`${name} in the bundle is damaged (size or CRC-32 differs)`);
  return content;
}
