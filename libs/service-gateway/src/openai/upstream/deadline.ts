import { EventEmitter } from 'node:events';

/**
 * A deadline's abort signal, in the other form undici's `request` takes besides an AbortSignal: an EventEmitter with
 * `aborted`, `reason` and an `abort` event (undici reads nothing else of it). An AbortController, and an AbortSignal's
 * EventTarget listeners that undici adds and removes, cost every upstream call more than its timer. Its `reason` once
 * aborted is the one an AbortController gives (an `AbortError` DOMException), so a call fails as it did with one.
 */
export class DeadlineSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  /** Aborts (once): sets `aborted` and `reason`, then emits `abort`. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }
}

/**
 * An abort signal that fires when its time runs out (restartable: an idle timer for streams) or when a
 * parent signal aborts, and remembers which of the two it was.
 */
export class Deadline {
  readonly signal = new DeadlineSignal();
  private timer: NodeJS.Timeout | undefined;
  private expired = false;
  private readonly onParentAbort = () => this.signal.abort();

  constructor(
    private readonly parent: AbortSignal | undefined,
    ms: number,
  ) {
    if (parent?.aborted) this.signal.abort();
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
    this.restart(ms);
  }

  /** True when the time ran out (as opposed to the parent aborting). */
  get timedOut(): boolean {
    return this.expired;
  }

  restart(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.signal.abort();
    }, ms);
    this.timer.unref();
  }

  /** Aborts now, as a parent's abort does (not a timeout). */
  abort(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.signal.abort();
  }

  /** Stops the timer and detaches from the parent. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}
