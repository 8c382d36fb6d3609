/**
 * An abort signal that fires when its time runs out (restartable: an idle timer for streams) or when a
 * parent signal aborts, and remembers which of the two it was.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private expired = false;
  private readonly onParentAbort = () => this.controller.abort();

  constructor(
    private readonly parent: AbortSignal | undefined,
    ms: number,
  ) {
    if (parent?.aborted) this.controller.abort();
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
    this.restart(ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True when the time ran out (as opposed to the parent aborting). */
  get timedOut(): boolean {
    return this.expired;
  }

  restart(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, ms);
    this.timer.unref();
  }

  /** Aborts now, as a parent's abort does (not a timeout). */
  abort(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
  }

  /** Stops the timer and detaches from the parent. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}
