import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { EmbeddingError, EmbeddingErrorCode } from '@strata/embedding';
import {
  SENTENCE_ENCODER_MAX_CHARS,
  SENTENCE_ENCODER_MAX_QUEUED,
  SENTENCE_ENCODER_MODEL,
  SentenceEncoderProvider,
} from './sentence-encoder.provider';

/** Runs the real model (weights from node_modules) in its worker thread. */
describe(SentenceEncoderProvider.name, () => {
  let provider: SentenceEncoderProvider;
  beforeAll(async () => {
    provider = await SentenceEncoderProvider.load();
  }, 60_000);

  const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * b[i], 0);

  it('names the model as the config default and knows its dimensions before the first call', async () => {
    expect(provider.model).toBe(SENTENCE_ENCODER_MODEL);
    expect(provider.model).toBe('use-lite');
    expect(provider.dimensions).toBe(512);
    expect(await SentenceEncoderProvider.load()).toBe(provider);
  });

  it('returns one unit-length vector per text, in order, whatever else is in the batch', async () => {
    const texts = ['How old are you?', '', '?!', 'What is the capital of France?'];
    const vectors = await provider.embed(texts);
    expect(vectors).toHaveLength(4);
    for (const v of vectors) {
      expect(v).toHaveLength(512);
      expect(cosine(v, v)).toBeCloseTo(1, 4);
    }
    const [alone] = await provider.embed(['How old are you?']);
    expect(cosine(alone, vectors[0])).toBeCloseTo(1, 5);
    expect(await provider.embed([])).toEqual([]);
  });

  it('gives concurrent callers their own vectors when their texts share a batch', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `Question number ${i} about the weather in town ${i * 7}?`);
    const together = await Promise.all(texts.map((text) => provider.embed([text])));
    const one = await provider.embed([texts[13]]);
    expect(together.map((v) => v.length)).toEqual(texts.map(() => 1));
    expect(cosine(together[13][0], one[0])).toBeCloseTo(1, 5);
    expect(cosine(together[12][0], one[0])).toBeLessThan(0.999);
  });

  it('tells how long more texts would wait behind what is queued and in its worker, and nothing when idle', async () => {
    await provider.embed(['warms the cost per text']);
    const idle = provider.backlogMs(1);
    const busy = provider.embed(['keeps the worker busy']);
    await new Promise((resolve) => setImmediate(resolve)); // in the worker now
    const few = Array.from({ length: 2 }, (_, i) => provider.embed([`queued question ${i}?`]));
    const behindFew = provider.backlogMs(1);
    const many = Array.from({ length: 30 }, (_, i) => provider.embed([`another queued question ${i}?`]));
    const behindMany = provider.backlogMs(1);
    await Promise.all([busy, ...few, ...many]);
    expect(idle).toBe(0);
    expect(behindFew).toBeGreaterThan(0);
    // Behind the worker's batch and 2 queued, ~5–7 texts' worth; behind it and 32 queued, ~35–37.
    expect(behindMany).toBeGreaterThan(3 * behindFew);
  });

  it('refuses more than its backlog at once (retryable), while one large call alone is taken', async () => {
    const first = provider.embed(['keeps the worker busy']);
    await new Promise((resolve) => setImmediate(resolve)); // in the worker now: nothing waits
    const large = provider
      .embed(Array.from({ length: SENTENCE_ENCODER_MAX_QUEUED }, (_, i) => `text ${i}`))
      .catch((e: unknown) => e);
    const refused: unknown = await provider.embed(['one more']).catch((e: unknown) => e);
    expect(EmbeddingError.is(refused, EmbeddingErrorCode.PROVIDER_RATE_LIMITED)).toBe(true);
    expect((refused as EmbeddingError).retryable).toBe(true);
    // Shed load, not a fault: no stack was captured for it.
    expect((refused as EmbeddingError).stack).not.toMatch(/\n\s+at /);
    await first;
    await provider.close();
    expect(await large).toBeInstanceOf(EmbeddingError);
  }, 60_000);

  it('puts a rewording with few shared words closer than a different question', async () => {
    const [age, reworded, other] = await provider.embed([
      'How old are you?',
      'What is your age?',
      'How far away is the moon?',
    ]);
    expect(cosine(age, reworded)).toBeGreaterThan(0.8);
    expect(cosine(age, reworded)).toBeGreaterThan(cosine(age, other) + 0.2);
  });

  it('reads only the first characters of a very long text', async () => {
    const head = 'Summarise the following report about quarterly revenue. '
      .repeat(60)
      .slice(0, SENTENCE_ENCODER_MAX_CHARS);
    const [whole, cut] = await provider.embed([`${head} and then a long tail that differs`, head]);
    expect(cosine(whole, cut)).toBeCloseTo(1, 5);
  });

  it('fails what its worker was embedding when the worker ends, as retryable, and starts another for the next call', async () => {
    const pending = provider.embed(['a text the worker will not finish']);
    await provider.close();
    const error: unknown = await pending.catch((e: unknown) => e);
    expect(EmbeddingError.is(error, EmbeddingErrorCode.PROVIDER_UNAVAILABLE)).toBe(true);
    expect((error as EmbeddingError).retryable).toBe(true);
    const [again] = await provider.embed(['How old are you?']);
    expect(again).toHaveLength(512);
  }, 60_000);

  describe('with two workers (EMBEDDING_THREADS=2)', () => {
    let two: SentenceEncoderProvider;
    beforeAll(async () => {
      two = await SentenceEncoderProvider.create({ threads: 2 });
    }, 60_000);
    afterAll(() => two.close());
    // 64 texts keep a worker busy for a few hundred ms: what is called meanwhile surely finds it busy.
    const busyWork = (tag: string) =>
      Array.from({ length: 64 }, (_, i) => `Question ${i} of ${tag}: how do I reset the password of my account?`);
    const inWorker = () => new Promise((resolve) => setImmediate(resolve));

    it('starts one worker, and a second only when calls wait while the first is busy', async () => {
      expect(two.workers).toBe(1);
      await two.embed(['one at a time']);
      await two.embed(['fits one worker']);
      expect(two.workers).toBe(1);

      const texts = ['How do I reset my password?', 'What is the capital of France?', 'Can I pay by invoice?'];
      const busy = two.embed(busyWork('the first worker'));
      await inWorker();
      const waiting = Promise.all(texts.map((text) => two.embed([text])));
      expect(two.workers).toBe(2);
      const vectors = (await waiting).flat();
      expect(await busy).toHaveLength(64);
      // The same vectors whichever worker embedded them.
      const alone = await provider.embed(texts);
      vectors.forEach((vector, i) => expect(cosine(vector, alone[i])).toBeCloseTo(1, 5));
    });

    it('ends both workers on close, failing what each had and what waited; the next call starts one again', async () => {
      const busy = two.embed(busyWork('a closing worker'));
      await inWorker();
      const waiting = two.embed(['waits for the second worker']);
      expect(two.workers).toBe(2);
      await two.close();
      expect(two.workers).toBe(0);
      for (const call of [busy, waiting]) {
        const error: unknown = await call.catch((e: unknown) => e);
        expect(EmbeddingError.is(error, EmbeddingErrorCode.PROVIDER_UNAVAILABLE)).toBe(true);
      }
      const [again] = await two.embed(['works after a close']);
      expect(again).toHaveLength(512);
      expect(two.workers).toBe(1);
    });

    it('hands a waiting text to a later idle worker when an earlier place has lost its worker', async () => {
      // Both places running and idle.
      const busy = two.embed(busyWork('the first place'));
      await inWorker();
      const waiting = Promise.all(['starts the second place', 'and keeps it'].map((text) => two.embed([text])));
      expect(two.workers).toBe(2);
      await Promise.all([busy, waiting]);
      // The first place's worker ends (nothing public ends one worker: its thread is reached through the places).
      const places = (two as unknown as { lanes: { thread: Worker | undefined }[] }).lanes;
      await places[0].thread?.terminate();
      expect(two.workers).toBe(1);

      // One text needs no new worker: the running second one takes it rather than leaving it queued.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'still waiting'>((resolve) => {
        timer = setTimeout(() => resolve('still waiting'), 10_000);
      });
      const answered = await Promise.race([two.embed(['reaches the second worker']), bound]);
      clearTimeout(timer);
      expect(answered).toEqual([expect.any(Array)]);
      expect(two.workers).toBe(1);
    }, 60_000);
  });

  /** Each thread of this process and its nice value (Linux: `/proc/self/task/<tid>/stat`, the 19th field). */
  const niceByThread = (): Map<number, number> =>
    new Map(
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        // Fields after the command name, which may hold spaces, start at the 3rd (the state).
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [Number(tid), Number(fields[19 - 3])];
      }),
    );

  (process.platform === 'linux' ? it : it.skip)(
    'runs its workers at the configured nice value (EMBEDDING_THREAD_NICE), the event loop at its own',
    async () => {
      const before = niceByThread();
      const niced = await SentenceEncoderProvider.create({ nice: 7 });
      try {
        const [vector] = await niced.embed(['embedded at a lower priority']);
        expect(vector).toHaveLength(512);
        const started = [...niceByThread()].filter(([tid]) => !before.has(tid));
        // The worker's thread (and any it started) at 7; every thread that was here before keeps its value.
        expect(started.map(([, nice]) => nice)).toContain(7);
        expect(niceByThread().get(process.pid)).toBe(before.get(process.pid));
        for (const [tid, nice] of niceByThread()) if (before.has(tid)) expect(nice).toBe(before.get(tid));
      } finally {
        await niced.close();
      }
    },
    60_000,
  );

  it('keeps no process alive while idle, loaded or after embedding', () => {
    const root = join(__dirname, '..', '..', '..');
    for (const then of ['', '.then((p) => p.embed(["hi"]))']) {
      const child = spawnSync(
        process.execPath,
        [
          '-r',
          join(root, 'tools', 'ts-register.js'),
          '-e',
          `require(${JSON.stringify(join(__dirname, 'sentence-encoder.provider.ts'))}).SentenceEncoderProvider.load()${then}.then(() => console.log('idle'))`,
        ],
        { cwd: root, encoding: 'utf8', timeout: 30_000 },
      );
      expect({ status: child.status, stdout: child.stdout.trim() }).toEqual({ status: 0, stdout: 'idle' });
    }
  }, 70_000);

  afterAll(() => provider.close());
});
