/**
 * Reading a configuration file safely: only a regular file of sane size (a FIFO or a device would block or never
 * end), decoded strictly (UTF-8 with or without a byte order mark, or UTF-16 with one), parsed as JSON, and refused
 * when a key is given twice in one object (JSON.parse silently keeps the last one).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/** Far above any real configuration (a few KB), far below what would make validation slow. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** A problem with the file as a whole; the message says what is wrong and what is allowed. */
export class ConfigFileProblem extends Error {}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The file's bytes; refuses anything but a regular file up to MAX_CONFIG_FILE_BYTES without blocking on it. */
function readRegularFile(path: string): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigFileProblem(code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : `cannot open it (${code ?? 'unknown error'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ConfigFileProblem(`${kindOf(stats)}; expected a regular JSON file`);
    if (stats.size > MAX_CONFIG_FILE_BYTES) {
      throw new ConfigFileProblem(`the file has ${stats.size} bytes; expected at most ${MAX_CONFIG_FILE_BYTES} (a configuration is a few KB)`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Decodes UTF-8 (an optional byte order mark dropped) or UTF-16 with a byte order mark; refuses invalid bytes. */
export function decodeConfigBytes(bytes: Buffer): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  let text: string;
  try {
    // ignoreBOM false (the default): the decoder drops the byte order mark.
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigFileProblem(
      encoding === 'utf-8'
        ? `not valid UTF-8 (first invalid byte at offset ${firstInvalidUtf8Offset(bytes)}); expected a UTF-8 (or UTF-16 with a byte order mark) JSON file`
        : `not valid ${encoding.toUpperCase()} although it starts with that byte order mark`,
    );
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    throw new ConfigFileProblem(`contains a NUL character at character ${nul} (UTF-16 without a byte order mark?); expected a UTF-8 JSON file`);
  }
  return text;
}

/** The offset where the first invalid sequence starts: the longest prefix that decodes when it may end inside a
 * character (found by bisection), backed up to the last whole character. */
function firstInvalidUtf8Offset(bytes: Buffer): number {
  const decodes = (length: number, partialEnd: boolean) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream: partialEnd });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (decodes(middle, true)) low = middle;
    else high = middle - 1;
  }
  let start = low;
  while (start > 0 && low - start < 3 && !decodes(start, false)) start--;
  return start;
}

/** Keys shown at each end of a duplicate's path: a hostile file may nest 100,000 deep and repeat a key 100,000 times. */
export const SHOWN_PATH_ENDS = 4;

/** Where a key appears twice in one JSON object: the path of the object and the key. */
export interface DuplicateKey {
  /** The object's path: all of it, or (when `omitted` > 0) its first and last SHOWN_PATH_ENDS keys. */
  readonly path: readonly string[];
  /** Keys left out of `path` after its first SHOWN_PATH_ENDS. */
  readonly omitted: number;
  readonly key: string;
}

/**
 * Keys given twice in one object of a JSON text that JSON.parse accepted. Iterative (no recursion), so any nesting
 * depth is fine.
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  interface Frame {
    readonly keys: Set<string> | undefined; // undefined for an array
    readonly name: string;
    expectKey: boolean;
    lastKey: string;
  }
  const frames: Frame[] = [];
  const duplicates: DuplicateKey[] = [];
  // Constant time per duplicate whatever the depth: the ends of the path only.
  const pathOf = (): Pick<DuplicateKey, 'path' | 'omitted'> => {
    const depth = frames.length - 1;
    if (depth <= 2 * SHOWN_PATH_ENDS) return { path: frames.slice(1).map((frame) => frame.name), omitted: 0 };
    return { path: [...frames.slice(1, 1 + SHOWN_PATH_ENDS), ...frames.slice(-SHOWN_PATH_ENDS)].map((frame) => frame.name), omitted: depth - 2 * SHOWN_PATH_ENDS };
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const top = frames[frames.length - 1];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) duplicates.push({ ...pathOf(), key });
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      const name = top === undefined ? '' : top.keys ? top.lastKey : String(top.lastKey);
      frames.push({ keys: char === '{' ? new Set() : undefined, name, expectKey: char === '{', lastKey: char === '[' ? '0' : '' });
    } else if (char === '}' || char === ']') {
      frames.pop();
    } else if (char === ',' && top) {
      if (top.keys) top.expectKey = true;
      else top.lastKey = String(Number(top.lastKey) + 1);
    }
  }
  return duplicates;
}

/** Keys given twice; the caller names them (it knows how to show odd keys). */
export class DuplicateKeysProblem extends ConfigFileProblem {
  constructor(readonly duplicates: readonly DuplicateKey[]) {
    super('keys given twice');
  }
}

/** The parsed JSON of a configuration file; a ConfigFileProblem says why it cannot be used. */
export function readConfigFile(path: string): unknown {
  const text = decodeConfigBytes(readRegularFile(path));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileProblem(`not valid JSON: ${(error as Error).message}`);
  }
  const duplicates = findDuplicateKeys(text);
  if (duplicates.length > 0) throw new DuplicateKeysProblem(duplicates);
  return parsed;
}
