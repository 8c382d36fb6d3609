import { existsSync, mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOCAL_EMBEDDING_MODEL,
  LocalEmbeddingProvider,
  SENTENCE_ENCODER_MODEL,
  SentenceEncoderProvider,
} from '@strata/embedding-local';

/** A local model's vector per text, ready before the measurements start (they read them synchronously). */
export interface TextVectors {
  readonly model: string;
  vector(text: string): Float32Array;
}

const BATCH = 64;

/**
 * Embeds every text with the local model `model`. The sentence encoder costs milliseconds per text, so its
 * vectors are kept in `cacheDir` (one JSONL file per model, base64 float32) and a rerun embeds only new texts.
 */
export async function loadTextVectors(model: string, texts: Iterable<string>, cacheDir: string): Promise<TextVectors> {
  if (model === LOCAL_EMBEDDING_MODEL) {
    const provider = await LocalEmbeddingProvider.load();
    return { model, vector: (text) => provider.embedOne(text) };
  }
  if (model !== SENTENCE_ENCODER_MODEL)
    throw new Error(`--model is ${SENTENCE_ENCODER_MODEL} or ${LOCAL_EMBEDDING_MODEL}, not ${model}`);

  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `${model}.jsonl`);
  const known = new Map<string, Float32Array>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const { t, v } = JSON.parse(line) as { t: string; v: string };
      const bytes = Buffer.from(v, 'base64');
      known.set(t, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    }
  }
  const todo = [...new Set(texts)].filter((t) => !known.has(t));
  if (todo.length > 0) {
    const provider = await SentenceEncoderProvider.load();
    const started = performance.now();
    for (let i = 0; i < todo.length; i += BATCH) {
      const batch = todo.slice(i, i + BATCH);
      const vectors = await provider.embedVectors(batch);
      let lines = '';
      batch.forEach((text, j) => {
        known.set(text, vectors[j]);
        lines += `${JSON.stringify({ t: text, v: Buffer.from(vectors[j].buffer).toString('base64') })}\n`;
      });
      appendFileSync(file, lines);
      if ((i / BATCH) % 50 === 0)
        console.error(`embedding ${todo.length} new texts with ${model}: ${i + batch.length} done`);
    }
    console.error(
      `embedded ${todo.length} texts in ${((performance.now() - started) / 1000).toFixed(0)} s (kept in ${file})`,
    );
    await provider.close();
  }
  return {
    model,
    vector(text) {
      const vector = known.get(text);
      if (vector === undefined) throw new Error(`no ${model} vector for ${JSON.stringify(text.slice(0, 60))}`);
      return vector;
    },
  };
}
