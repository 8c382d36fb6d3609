/**
 * The requests of one reply lane that are on their way: sent (the broker took their Produce request) and not yet
 * answered. While there are none, the lane's reply consumer has nothing to fetch: its next Fetch would only be parked
 * at the broker. Sent at once after a reply, as kafkajs sends it, that Fetch costs the requester's process CPU and a
 * socket write just when the caller of the reply answers its own client and that client's next request comes in — on
 * the next request's path. So a reply batch ends only once a request of the lane is on its way ({@link whileNone}).
 */
export class AwaitedReplies {
  private onTheirWay = 0;
  private waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    /** How long a batch waits at most for a request to be sent (kafkajs heartbeats only between batches). */
    private readonly maxWaitMs: number,
  ) {}

  /** A request of the lane was sent: the broker took it, its reply may come. */
  sent(): void {
    this.onTheirWay++;
    this.wake();
  }

  /** A request {@link sent} before was answered, timed out or given up. */
  settled(): void {
    this.onTheirWay--;
  }

  /**
   * Resolves at once while a request of the lane is on its way; otherwise once one is sent, after `maxWaitMs`, or when
   * the requester closes.
   */
  whileNone(): Promise<void> {
    if (this.onTheirWay > 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((waiter) => waiter !== done);
        resolve();
      }, this.maxWaitMs);
      this.waiting.push(done);
    });
  }

  /** The requester (re)connects: its batches wait again. */
  open(): void {
    this.closed = false;
  }

  /** The requester is closing: no batch waits any longer (its consumer must stop). */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    for (const done of this.waiting.splice(0)) done();
  }
}
