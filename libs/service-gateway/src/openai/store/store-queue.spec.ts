import { type StoreJob, type StoreJobOutcome, StoreQueue, type StoreQueueOptions } from './store-queue';

class Deferred {
  resolve!: () => void;
  reject!: (error: unknown) => void;
  readonly promise = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

class FakeJob implements StoreJob {
  runs = 0;
  outcome: StoreJobOutcome | undefined;
  private readonly pending: Deferred[] = [];

  constructor(readonly name: string) {}

  run(): Promise<void> {
    this.runs++;
    const d = new Deferred();
    this.pending.push(d);
    return d.promise;
  }

  settle(outcome: StoreJobOutcome): void {
    this.outcome = outcome;
  }

  succeed(): Promise<void> {
    this.pending.shift()!.resolve();
    return flush();
  }

  fail(error: unknown = new Error('timeout')): Promise<void> {
    this.pending.shift()!.reject(error);
    return flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function setup(options: Partial<StoreQueueOptions> = {}) {
  const scheduled: { fn: () => void; ms: number }[] = [];
  const outcomes: string[] = [];
  const sut = new StoreQueue(
    { capacity: 10, concurrency: 1, maxAttempts: 3, retryBaseMs: 100, ...options },
    {
      retryable: (error) => !(error instanceof Error && error.message === 'not cacheable'),
      onOutcome: (o) => outcomes.push(o),
      schedule: (fn, ms) => scheduled.push({ fn, ms }),
      random: () => 0.5,
    },
  );
  const runScheduled = () => {
    for (const { fn } of scheduled.splice(0)) fn();
  };
  return { sut, scheduled, outcomes, runScheduled };
}

describe(StoreQueue.name, () => {
  it('runs jobs up to its concurrency and settles them as stored', async () => {
    const { sut } = setup({ concurrency: 2 });
    const [a, b, c] = [new FakeJob('a'), new FakeJob('b'), new FakeJob('c')];
    [a, b, c].forEach((job) => sut.enqueue(job));
    expect([a.runs, b.runs, c.runs]).toEqual([1, 1, 0]);
    expect(sut.depth).toBe(1);
    await a.succeed();
    expect(a.outcome).toBe('stored');
    expect(c.runs).toBe(1);
  });

  it('drops the oldest waiting job when full, and counts it', () => {
    const { sut, outcomes } = setup({ capacity: 2 });
    const jobs = ['running', 'b', 'c', 'd'].map((n) => new FakeJob(n));
    jobs.forEach((job) => sut.enqueue(job));
    expect(jobs.map((j) => j.outcome)).toEqual([undefined, 'dropped', undefined, undefined]);
    expect(outcomes).toEqual(['dropped']);
    expect(sut.depth).toBe(2);
  });

  it('retries a retryable failure with exponential backoff, then stores', async () => {
    const { sut, scheduled, runScheduled, outcomes } = setup();
    const job = new FakeJob('a');
    sut.enqueue(job);
    await job.fail();
    expect(scheduled.map((s) => s.ms)).toEqual([100]);
    expect(sut.depth).toBe(1);
    runScheduled();
    await job.fail();
    expect(scheduled.map((s) => s.ms)).toEqual([200]);
    runScheduled();
    await job.succeed();
    expect(job.runs).toBe(3);
    expect(job.outcome).toBe('stored');
    expect(outcomes).toEqual(['retried', 'retried', 'stored']);
  });

  it('gives up after the last attempt', async () => {
    const { sut, runScheduled } = setup({ maxAttempts: 2 });
    const job = new FakeJob('a');
    sut.enqueue(job);
    await job.fail();
    runScheduled();
    await job.fail();
    expect(job.outcome).toBe('failed');
    expect(sut.depth).toBe(0);
  });

  it('does not retry what can never succeed', async () => {
    const { sut, scheduled } = setup();
    const job = new FakeJob('a');
    sut.enqueue(job);
    await job.fail(new Error('not cacheable'));
    expect(job.outcome).toBe('rejected');
    expect(scheduled).toEqual([]);
  });

  it('keeps serving the next job while one backs off', async () => {
    const { sut } = setup();
    const [a, b] = [new FakeJob('a'), new FakeJob('b')];
    sut.enqueue(a);
    sut.enqueue(b);
    await a.fail();
    expect(b.runs).toBe(1);
  });

  it('drains: resolves once nothing is waiting or running', async () => {
    const { sut } = setup();
    const job = new FakeJob('a');
    sut.enqueue(job);
    let drained = false;
    const done = sut.drain(60_000).then(() => (drained = true));
    await flush();
    expect(drained).toBe(false);
    await job.succeed();
    await done;
    expect(drained).toBe(true);
  });
});
