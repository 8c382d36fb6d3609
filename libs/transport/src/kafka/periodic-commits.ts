import { type Consumer } from 'kafkajs';

/**
 * Offsets of a request-reply consumer (a service answering requests, or a requester's replies), committed every
 * few seconds instead of after every batch. kafkajs' `autoCommit` commits after every batch whatever
 * `autoCommitInterval` says — an OffsetCommit round trip, and a socket write, per request and per reply — so such
 * consumers run with `autoCommit: false` and record here each message once it is handled. Only handled messages
 * are committed; after a crash or a rebalance the requests (replies) of the last interval are delivered again,
 * which nobody waits for: requests are idempotent, and a reply nobody waits for is dropped.
 */
export class PeriodicCommits {
  /** The next offset to read, by `topic` and partition: what was handled and is not yet committed. */
  private readonly handled = new Map<string, Map<number, string>>();
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Consumer,
    private readonly everyMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    // A new assignment: the partitions handled before may be someone else's now; what was handled since is recorded anew.
    consumer.on(consumer.events.GROUP_JOIN, () => this.handled.clear());
  }

  /** `offset` of `topic`/`partition` is handled (messages of one partition are handled in order). */
  handledUpTo(topic: string, partition: number, offset: string): void {
    let partitions = this.handled.get(topic);
    if (!partitions) {
      partitions = new Map();
      this.handled.set(topic, partitions);
    }
    partitions.set(partition, (BigInt(offset) + 1n).toString());
    this.timer ??= setInterval(() => void this.commit(), this.everyMs).unref();
  }

  /** Commits what was handled since the last commit (a failed commit is reported and retried with the next). */
  commit(): Promise<void> {
    this.committing = this.committing.then(() => this.commitNow());
    return this.committing;
  }

  /** Stops the timer and commits what is left (before the consumer disconnects). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.commit();
  }

  private async commitNow(): Promise<void> {
    const offsets = [...this.handled].flatMap(([topic, partitions]) =>
      [...partitions].map(([partition, offset]) => ({ topic, partition, offset })),
    );
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
      // Keep what was handled while the commit was in flight.
      for (const { topic, partition, offset } of offsets) {
        const partitions = this.handled.get(topic);
        if (partitions?.get(partition) === offset) partitions.delete(partition);
      }
    } catch (error) {
      this.onError(error);
    }
  }
}
