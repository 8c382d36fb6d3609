import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * A batch of n texts costs about (n + BATCH_OVERHEAD_TEXTS) texts' worth of time: measured on the 2-core machine
 * (2026-12-05), 1 text 16.6 ms, 2 17.7, 4 29.6, 8 44.2, 16 93, 32 188, 64 391 ms — 5.3–6.6 ms per text so counted.
 */
export const BATCH_OVERHEAD_TEXTS = 1.5;
/** Weight of the latest batch in the running CPU cost per text (the model's work per text hardly changes). */
const COST_WEIGHT = 0.2;
/**
 * How fast the workers' CPU share follows a change (ms of busy wall time for 63 % of it; 98 % after 1 s): the share
 * of a core a worker at nice 10 gets falls within a few hundred ms of another process taking the cores.
 */
const SHARE_TIME_CONSTANT_MS = 250;
/** The shortest interval the share is sampled over (the kernel's run time moves in scheduler ticks, 1–4 ms). */
const SHARE_SAMPLE_MS = 20;
/** The least share believed (a worker that ran not at all in a sample still runs eventually). */
const MIN_SHARE = 0.01;

/** The clocks the estimate reads: wall time, and the CPU time a worker thread has run. */
export interface BacklogClocks {
  /** Wall time, ms (`performance.now()`). */
  now(): number;
  /** The CPU time the thread `tid` of this process has run, ms; undefined when it cannot be read. */
  threadCpuMs(tid: number): number | undefined;
}

/** Linux: `/proc/self/task/<tid>/schedstat`'s first field (ns on a CPU). Elsewhere, or without procfs: undefined. */
export function readThreadCpuMs(tid: number): number | undefined {
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ', 1)[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

export const SYSTEM_CLOCKS: BacklogClocks = { now: () => performance.now(), threadCpuMs: readThreadCpuMs };

/** A worker's batch: its texts, its thread, and the wall and CPU clocks when it was sent and last sampled. */
interface Running {
  readonly texts: number;
  readonly tid: number | undefined;
  readonly sentAt: number;
  /** The thread's CPU time when it was sent; undefined when it cannot be read (its wall time stands in for it). */
  readonly cpuAt: number | undefined;
  sampledAt: number;
  sampledCpu: number | undefined;
}

/**
 * How long a text handed to the sentence encoder now would wait for its vector: the work ahead of it (what the busy
 * workers have left of their batches, then one batch of everything queued and it, shared between the workers) in the
 * model's CPU time per text, divided by the share of a core the workers get now.
 *
 * Wall time per text is not a cost the encoder has: it is its CPU cost (steady, ~6 ms a text) over the CPU share its
 * threads get, and that share is what contention changes — a worker at nice 10 beside busy processes at nice 0 gets a
 * few percent of a core, within a few hundred ms of them starting. Measured per finished batch and averaged over
 * batches, as it was, the wall time per text lagged by several batches of several seconds each, and a batch that was
 * taking 10× its estimate counted as all but done (its remaining time clamped at 0): texts accepted at ~720 ms waited
 * 3–6 s. Here the cost per text is the threads' CPU time (`/proc/self/task/<tid>/schedstat`), and the share is
 * sampled from the busy workers' CPU and wall clocks whenever an estimate is asked for (an exponential average over
 * ~0.25 s of busy time; a batch in a worker that has had less so far is believed at once), so a batch that slows
 * down shows at once in its own remainder and in everything queued.
 * Where a thread's CPU time cannot be read, its wall time stands in (share 1): the wall time per text, as before.
 *
 * 0 when nothing is queued or running (an idle encoder is always waited for: a text's own cost is what its lookup costs
 * anyway, and the first batches after a start overstate it) and before the first batch has been measured.
 */
export class EncoderBacklog {
  /** Recent batches' CPU time per text, the batch's own overhead counted as texts (ms); undefined before one. */
  private cpuPerText: number | undefined;
  /** The share of a core a busy worker gets (1: a core of its own). */
  private share = 1;
  /** The batches in the workers, by worker place. */
  private readonly running = new Map<number, Running>();

  constructor(private readonly clocks: BacklogClocks = SYSTEM_CLOCKS) {}

  /** The worker at `place` (thread `tid`, when known) was sent a batch of `texts` texts. */
  sent(place: number, texts: number, tid: number | undefined): void {
    const now = this.clocks.now();
    const cpu = tid === undefined ? undefined : this.clocks.threadCpuMs(tid);
    this.running.set(place, { texts, tid, sentAt: now, cpuAt: cpu, sampledAt: now, sampledCpu: cpu });
  }

  /** The worker at `place` answered its batch: with vectors (`measured`, its cost counts) or an error. */
  answered(place: number, measured: boolean): void {
    const batch = this.running.get(place);
    this.running.delete(place);
    if (batch === undefined || !measured || batch.texts === 0) return;
    const now = this.clocks.now();
    const cpu = this.sample(batch, now, true);
    const used = batch.cpuAt === undefined || cpu === undefined ? now - batch.sentAt : cpu - batch.cpuAt;
    const perText = used / (batch.texts + BATCH_OVERHEAD_TEXTS);
    this.cpuPerText =
      this.cpuPerText === undefined ? perText : this.cpuPerText + COST_WEIGHT * (perText - this.cpuPerText);
  }

  /** The worker at `place` is gone (its batch failed with it), or every worker was closed (no place). */
  forget(place?: number): void {
    if (place === undefined) this.running.clear();
    else this.running.delete(place);
  }

  /** The wait, in wall ms, of `texts` more texts behind `queued` waiting ones, with `workers` workers running. */
  backlogMs(queued: number, texts: number, workers: number): number {
    const perText = this.cpuPerText;
    if (perText === undefined || (this.running.size === 0 && queued === 0)) return 0;
    const now = this.clocks.now();
    let ahead = 0;
    let share = this.share;
    for (const batch of this.running.values()) {
      const cpu = this.sample(batch, now);
      const used = batch.cpuAt === undefined || cpu === undefined ? now - batch.sentAt : cpu - batch.cpuAt;
      ahead += Math.max(0, (batch.texts + BATCH_OVERHEAD_TEXTS) * perText - used);
      // A batch slower than the running share says is believed at once: the share falls with the first batch of a
      // burst, when the other processes start too, and the texts that queue behind that batch must see it.
      const elapsed = now - batch.sentAt;
      if (cpu !== undefined && batch.cpuAt !== undefined && elapsed >= SHARE_SAMPLE_MS)
        share = Math.min(share, Math.max(MIN_SHARE, used / elapsed));
    }
    const shared = Math.max(1, workers);
    return (ahead / shared + ((queued + texts) / shared + BATCH_OVERHEAD_TEXTS) * perText) / share;
  }

  /**
   * The batch's thread CPU time now (undefined when it cannot be read), and the share it got since its last sample
   * folded into the running share (an interval shorter than {@link SHARE_SAMPLE_MS} waits for a longer one, and
   * reads no clock unless `fresh`: its last sample stands).
   */
  private sample(batch: Running, now: number, fresh = false): number | undefined {
    if (batch.tid === undefined || batch.sampledCpu === undefined) return undefined;
    const elapsed = now - batch.sampledAt;
    if (elapsed < SHARE_SAMPLE_MS && !fresh) return batch.sampledCpu;
    const cpu = this.clocks.threadCpuMs(batch.tid);
    if (cpu === undefined || elapsed < SHARE_SAMPLE_MS) return cpu;
    const share = Math.min(1, Math.max(MIN_SHARE, (cpu - batch.sampledCpu) / elapsed));
    this.share += (1 - Math.exp(-elapsed / SHARE_TIME_CONSTANT_MS)) * (share - this.share);
    batch.sampledAt = now;
    batch.sampledCpu = cpu;
    return cpu;
  }
}
