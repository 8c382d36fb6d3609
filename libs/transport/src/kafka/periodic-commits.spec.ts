import { type Consumer, type TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { PeriodicCommits } from './periodic-commits';

const GROUP_JOIN = 'consumer.group_join';

/** A consumer that records its commits; `hold()` keeps the next commit in flight until `release()`. */
function fakeConsumer() {
  const commits: TopicPartitionOffsetAndMetadata[][] = [];
  const listeners = new Map<string, () => void>();
  let gate: { entered: () => void; released: Promise<void> } | undefined;
  let release = () => undefined as void;
  let failNext = false;
  const consumer = {
    events: { GROUP_JOIN },
    on: (event: string, listener: () => void) => listeners.set(event, listener),
    commitOffsets: async (offsets: TopicPartitionOffsetAndMetadata[]) => {
      if (gate) {
        const { entered, released } = gate;
        gate = undefined;
        entered();
        await released;
      }
      if (failNext) {
        failNext = false;
        throw new Error('rebalance in progress');
      }
      commits.push(offsets);
    },
  } as unknown as Consumer;
  return {
    consumer,
    commits,
    join: () => listeners.get(GROUP_JOIN)?.(),
    /** Resolves once the next commit is in flight. */
    hold: () =>
      new Promise<void>((entered) => {
        gate = { entered, released: new Promise<void>((resolve) => (release = resolve)) };
      }),
    release: () => release(),
    failNext: () => (failNext = true),
  };
}

describe(PeriodicCommits.name, () => {
  it('commits the offset after the last handled message of each partition, once', async () => {
    const { consumer, commits } = fakeConsumer();
    const sut = new PeriodicCommits(consumer, 60_000, () => undefined);

    sut.handledUpTo('requests', 0, '41');
    sut.handledUpTo('requests', 0, '42');
    sut.handledUpTo('requests', 3, '7');
    await sut.commit();
    await sut.commit();
    await sut.stop();

    expect(commits).toEqual([
      [
        { topic: 'requests', partition: 0, offset: '43' },
        { topic: 'requests', partition: 3, offset: '8' },
      ],
    ]);
  });

  it('keeps what was handled while a commit was in flight for the next commit', async () => {
    const { consumer, commits, hold, release } = fakeConsumer();
    const sut = new PeriodicCommits(consumer, 60_000, () => undefined);
    sut.handledUpTo('requests', 0, '1');
    const inFlight = hold();
    const first = sut.commit();
    await inFlight;

    sut.handledUpTo('requests', 0, '2');
    release();
    await first;
    await sut.stop();

    expect(commits.map((offsets) => offsets.map((o) => o.offset))).toEqual([['2'], ['3']]);
  });

  it('reports a failed commit and commits the same offsets with the next one', async () => {
    const { consumer, commits, failNext } = fakeConsumer();
    const errors: unknown[] = [];
    const sut = new PeriodicCommits(consumer, 60_000, (error) => errors.push(error));
    sut.handledUpTo('requests', 1, '9');
    failNext();

    await sut.commit();
    await sut.stop();

    expect(errors).toHaveLength(1);
    expect(commits).toEqual([[{ topic: 'requests', partition: 1, offset: '10' }]]);
  });

  it('forgets what was handled before a rebalance (those partitions may be another member’s now)', async () => {
    const { consumer, commits, join } = fakeConsumer();
    const sut = new PeriodicCommits(consumer, 60_000, () => undefined);
    sut.handledUpTo('requests', 0, '5');

    join();
    sut.handledUpTo('requests', 2, '11');
    await sut.stop();

    expect(commits).toEqual([[{ topic: 'requests', partition: 2, offset: '12' }]]);
  });
});
