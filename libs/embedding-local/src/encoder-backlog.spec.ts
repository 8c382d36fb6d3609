import { BATCH_OVERHEAD_TEXTS, type BacklogClocks, EncoderBacklog } from './encoder-backlog';

/**
 * Wall and thread CPU clocks set by the test: `run(ms, share)` lets `ms` of wall time pass while the worker thread
 * gets `share` of a core.
 */
function setup(options: { cpuReadable?: boolean } = {}) {
  const clock = { wall: 0, cpu: 0 };
  const clocks: BacklogClocks = {
    now: () => clock.wall,
    threadCpuMs: () => (options.cpuReadable === false ? undefined : clock.cpu),
  };
  const backlog = new EncoderBacklog(clocks);
  const run = (ms: number, share = 1) => {
    clock.wall += ms;
    clock.cpu += ms * share;
  };
  /** One batch of `texts` that costs `cpuPerText` ms of CPU a text, run at `share` of a core from start to end. */
  const batch = (texts: number, cpuPerText: number, share = 1) => {
    backlog.sent(0, texts, 42);
    run(((texts + BATCH_OVERHEAD_TEXTS) * cpuPerText) / share, share);
    backlog.answered(0, true);
  };
  return { clock, backlog, run, batch };
}

describe(EncoderBacklog.name, () => {
  it('expects nothing of an idle encoder, nor before its first batch', () => {
    const { backlog, batch } = setup();
    expect(backlog.backlogMs(10, 1, 1)).toBe(0);
    batch(1, 6);
    expect(backlog.backlogMs(0, 1, 1)).toBe(0);
  });

  it('counts what is queued and what the busy worker has left, at the measured cost per text, on a core of its own', () => {
    const { backlog, batch, run } = setup();
    batch(8, 6);
    backlog.sent(0, 64, 42);
    run(100);
    // (64 + 1.5) * 6 - 100 = 293 left in the worker, then (30 + 1 + 1.5) * 6 = 195 for the queue and the text.
    expect(backlog.backlogMs(30, 1, 1)).toBeCloseTo(293 + 195, 5);
  });

  it('follows the wall time a text waits when the worker gets a tenth of a core: the batch in the worker and the queue both take 10x', () => {
    const { backlog, batch, run } = setup();
    for (let i = 0; i < 5; i++) batch(16, 6);
    // Another process takes the cores: the batch sent now runs at a tenth of one.
    backlog.sent(0, 64, 42);
    run(1_000, 0.1);
    const estimate = backlog.backlogMs(10, 1, 1);
    // What it actually takes: the batch's CPU left ((65.5 * 6) - 100 = 293 ms) and the queue's (12.5 * 6 = 75 ms),
    // each at 0.1 of a core.
    const actual = (293 + 75) / 0.1;
    expect(estimate / actual).toBeGreaterThan(0.8);
    expect(estimate / actual).toBeLessThan(1.25);
  });

  it('believes at once a batch in the worker that has had less of a core than the running share says', () => {
    const { backlog, batch, run } = setup();
    batch(16, 6);
    backlog.sent(0, 64, 42);
    run(100, 0.1);
    // What it actually takes: the batch's CPU left and the queue's, at 0.1 of a core.
    const actual = (65.5 * 6 - 10 + 12.5 * 6) / 0.1;
    expect(backlog.backlogMs(10, 1, 1) / actual).toBeGreaterThan(0.9);
    expect(backlog.backlogMs(10, 1, 1) / actual).toBeLessThan(1.1);
  });

  it('carries the share of a starved batch to the next one, before that one has run long enough to tell', () => {
    const { backlog, batch, run } = setup();
    batch(16, 6);
    batch(64, 6, 0.1);
    backlog.sent(0, 64, 42);
    run(5, 0.1);
    const actual = (65.5 * 6 - 0.5 + 12.5 * 6) / 0.1;
    expect(backlog.backlogMs(10, 1, 1) / actual).toBeGreaterThan(0.8);
    expect(backlog.backlogMs(10, 1, 1) / actual).toBeLessThan(1.25);
  });

  it('keeps the CPU cost per text across contention: once the worker has had its core back for a second, a queue costs what it did', () => {
    const { backlog, batch, run } = setup();
    batch(16, 6);
    batch(64, 6, 0.05);
    run(10);
    for (let i = 0; i < 3; i++) batch(64, 6);
    backlog.sent(0, 8, 42);
    run(57);
    // The batch of 8 all but done: the queue of 20 and the text cost (20 + 1 + 1.5) * 6 = 135 ms.
    expect(backlog.backlogMs(20, 1, 1)).toBeGreaterThan(135);
    expect(backlog.backlogMs(20, 1, 1)).toBeLessThan(135 * 1.05);
  });

  it('stands wall time in for CPU time where the thread cannot be read: the wall time per text, as before', () => {
    const { backlog, batch, run } = setup({ cpuReadable: false });
    batch(16, 6, 0.5);
    backlog.sent(0, 16, 42);
    run(50);
    // 12 ms a text of wall time; (17.5 * 12) - 50 left in the worker, (10 + 1 + 1.5) * 12 for the queue.
    expect(backlog.backlogMs(10, 1, 1)).toBeCloseTo(17.5 * 12 - 50 + 12.5 * 12, 5);
  });

  it('shares the queue between the workers running, and forgets the batches of a worker that is gone', () => {
    const { backlog, batch } = setup();
    batch(8, 6);
    expect(backlog.backlogMs(20, 1, 2)).toBeCloseTo((21 / 2 + 1.5) * 6, 5);
    backlog.sent(1, 64, 43);
    backlog.forget(1);
    expect(backlog.backlogMs(0, 1, 1)).toBe(0);
  });
});
