import { readFile, writeFile, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The compact on-disk form of a word-vector table: the words in frequency order and their vectors
 * quantised to int8 with one float32 scale per word (`vector ≈ code * scale`; cosine error < 1e-3).
 *
 * Layout (little-endian):
 * ```
 *  0  8 bytes  magic "STRATAWV"
 *  8  u32      format version
 * 12  u32      word count N
 * 16  u32      dimensions D
 * 20  u32      byte length W of the word list
 * 24  f64      byte size of the source file (a changed source invalidates the cache)
 * 32  W bytes  words, UTF-8, '\n'-separated, most frequent first; zero-padded to a multiple of 4
 *     N f32    scales
 *     N*D i8   codes
 * ```
 */
export interface CompactVectors {
  /** Most frequent first: the index of a word is its frequency rank. */
  readonly words: readonly string[];
  readonly dimensions: number;
  /** One per word. */
  readonly scales: Float32Array;
  /** `words.length * dimensions` int8 codes, row-major. */
  readonly codes: Int8Array;
  /** Byte size of the file the table was built from (cache invalidation). */
  readonly sourceBytes: number;
}

export const COMPACT_VECTORS_FORMAT_VERSION = 1;
const MAGIC = 'STRATAWV';
const HEADER_BYTES = 32;

export class CompactVectorsFormatError extends Error {
  override readonly name = 'CompactVectorsFormatError';
}

/** Quantises float vectors (row-major, `words.length * dimensions`) to int8 codes with per-row scales. */
export function quantize(
  words: readonly string[],
  dimensions: number,
  vectors: Float32Array,
  sourceBytes: number,
): CompactVectors {
  const count = words.length;
  if (vectors.length !== count * dimensions) {
    throw new CompactVectorsFormatError(`expected ${count * dimensions} values, got ${vectors.length}`);
  }
  const scales = new Float32Array(count);
  const codes = new Int8Array(count * dimensions);
  for (let row = 0; row < count; row++) {
    const base = row * dimensions;
    let maxAbs = 0;
    for (let d = 0; d < dimensions; d++) maxAbs = Math.max(maxAbs, Math.abs(vectors[base + d]));
    const scale = maxAbs === 0 ? 1 : maxAbs / 127;
    scales[row] = scale;
    for (let d = 0; d < dimensions; d++) codes[base + d] = Math.round(vectors[base + d] / scale);
  }
  return { words, dimensions, scales, codes, sourceBytes };
}

export function encodeCompactVectors(table: CompactVectors): Buffer {
  const wordBytes = Buffer.from(table.words.join('\n'), 'utf8');
  const paddedWords = align4(wordBytes.length);
  const count = table.words.length;
  const size = HEADER_BYTES + paddedWords + count * 4 + table.codes.length;
  const out = Buffer.alloc(size);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(COMPACT_VECTORS_FORMAT_VERSION, 8);
  out.writeUInt32LE(count, 12);
  out.writeUInt32LE(table.dimensions, 16);
  out.writeUInt32LE(wordBytes.length, 20);
  out.writeDoubleLE(table.sourceBytes, 24);
  wordBytes.copy(out, HEADER_BYTES);
  let offset = HEADER_BYTES + paddedWords;
  Buffer.from(table.scales.buffer, table.scales.byteOffset, table.scales.byteLength).copy(out, offset);
  offset += count * 4;
  Buffer.from(table.codes.buffer, table.codes.byteOffset, table.codes.byteLength).copy(out, offset);
  return out;
}

export function decodeCompactVectors(bytes: Buffer): CompactVectors {
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, 8) !== MAGIC) {
    throw new CompactVectorsFormatError('not a compact vector file');
  }
  const version = bytes.readUInt32LE(8);
  if (version !== COMPACT_VECTORS_FORMAT_VERSION) {
    throw new CompactVectorsFormatError(`format version ${version}, expected ${COMPACT_VECTORS_FORMAT_VERSION}`);
  }
  const count = bytes.readUInt32LE(12);
  const dimensions = bytes.readUInt32LE(16);
  const wordBytes = bytes.readUInt32LE(20);
  const sourceBytes = bytes.readDoubleLE(24);
  const scalesOffset = HEADER_BYTES + align4(wordBytes);
  const codesOffset = scalesOffset + count * 4;
  if (bytes.length !== codesOffset + count * dimensions) {
    throw new CompactVectorsFormatError(`truncated compact vector file (${bytes.length} bytes)`);
  }
  const words = count === 0 ? [] : bytes.toString('utf8', HEADER_BYTES, HEADER_BYTES + wordBytes).split('\n');
  if (words.length !== count) {
    throw new CompactVectorsFormatError(`expected ${count} words, found ${words.length}`);
  }
  // Copy into fresh, aligned arrays: a Buffer may sit at any offset of a shared pool.
  const scales = new Float32Array(count);
  Buffer.from(scales.buffer).set(bytes.subarray(scalesOffset, codesOffset));
  const codes = new Int8Array(count * dimensions);
  Buffer.from(codes.buffer).set(bytes.subarray(codesOffset));
  return { words, dimensions, scales, codes, sourceBytes };
}

export async function readCompactVectors(path: string): Promise<CompactVectors> {
  return decodeCompactVectors(await readFile(path));
}

/** Writes atomically (temp file + rename), so concurrent processes never read a half-written file. */
export async function writeCompactVectors(path: string, table: CompactVectors): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temp, encodeCompactVectors(table));
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
