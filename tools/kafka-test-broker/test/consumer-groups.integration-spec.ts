import { type Consumer } from 'kafkajs';
import { eventually } from './support/eventually';
import { collectInto, KafkaHarness } from './support/kafka-harness';

interface Consumption {
  readonly consumer: string;
  readonly partition: number;
  readonly value: string;
}

/** Tracks what each consumer of a group received and which partitions its latest join assigned to it. */
class GroupProbe {
  readonly consumed: Consumption[] = [];
  readonly assignments = new Map<string, { generationId: number; partitions: number[] }>();

  async start(name: string, consumer: Consumer, topic: string): Promise<void> {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assignments.set(name, {
        generationId: Number((payload as { generationId?: number }).generationId ?? 0),
        partitions: [...(payload.memberAssignment[topic] ?? [])].sort(),
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: collectInto(this.consumed, ({ partition, message }) => ({
        consumer: name,
        partition,
        value: String(message.value),
      })),
    });
  }

  partitionsOf(name: string): number[] {
    return this.assignments.get(name)?.partitions ?? [];
  }

  valuesOf(name: string): string[] {
    return this.consumed.filter((c) => c.consumer === name).map((c) => c.value);
  }
}

function messages(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: `${prefix}-${i}` }));
}

describe('KafkaTestBroker consumer groups with kafkajs', () => {
  let harness: KafkaHarness;

  beforeAll(async () => {
    harness = await KafkaHarness.start();
  });

  afterAll(() => harness.close());

  it('shares partitions between two members and moves them to the survivor when one leaves, consuming each message once', async () => {
    const topic = 'groups.shared';
    await (await harness.admin()).createTopics({ topics: [{ topic, numPartitions: 4 }] });
    const producer = await harness.producer();
    const probe = new GroupProbe();
    const first = harness.consumer('groups.shared.group');
    const second = harness.consumer('groups.shared.group');

    await probe.start('first', first, topic);
    await probe.start('second', second, topic);
    await eventually(() => {
      expect(probe.partitionsOf('first')).toHaveLength(2);
      expect([...probe.partitionsOf('first'), ...probe.partitionsOf('second')].sort()).toEqual([0, 1, 2, 3]);
    });

    await producer.send({ topic, messages: messages('before', 40) });
    await eventually(() => expect(probe.consumed).toHaveLength(40));
    expect(probe.valuesOf('first').length).toBeGreaterThan(0);
    expect(probe.valuesOf('second').length).toBeGreaterThan(0);

    await second.disconnect();
    await eventually(() => expect(probe.partitionsOf('first')).toEqual([0, 1, 2, 3]));

    await producer.send({ topic, messages: messages('after', 40) });
    await eventually(() => expect(probe.consumed).toHaveLength(80));
    const values = probe.consumed.map((c) => c.value);
    expect(new Set(values).size).toBe(80);
    expect(probe.valuesOf('first').filter((v) => v.startsWith('after'))).toHaveLength(40);
  });

  it('resumes a restarted consumer after its last committed offset', async () => {
    const topic = 'groups.resume';
    const producer = await harness.producer();
    const before: string[] = [];
    const firstRun = harness.consumer('groups.resume.group');
    await firstRun.connect();
    await firstRun.subscribe({ topic, fromBeginning: true });
    await firstRun.run({ eachMessage: collectInto(before, ({ message }) => String(message.value)) });
    await producer.send({ topic, messages: messages('first', 10) });
    await eventually(() => expect(before).toHaveLength(10));
    await firstRun.disconnect();

    await producer.send({ topic, messages: messages('second', 5) });
    const after: string[] = [];
    const secondRun = harness.consumer('groups.resume.group');
    await secondRun.connect();
    await secondRun.subscribe({ topic, fromBeginning: true });
    await secondRun.run({ eachMessage: collectInto(after, ({ message }) => String(message.value)) });

    await eventually(() => expect(after).toEqual(messages('second', 5).map((m) => m.value)));
    const admin = await harness.admin();
    await eventually(async () =>
      expect(await admin.fetchOffsets({ groupId: 'groups.resume.group', topics: [topic] })).toEqual([
        { topic, partitions: [{ partition: 0, offset: '15', metadata: null }] },
      ]),
    );
  });

  it('delivers every message to each of two groups (broadcast)', async () => {
    const topic = 'groups.broadcast';
    await (await harness.admin()).createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = await harness.producer();
    const probe = new GroupProbe();
    const gatewayA = harness.consumer('groups.broadcast.replica-a');
    const gatewayB = harness.consumer('groups.broadcast.replica-b');
    await probe.start('a', gatewayA, topic);
    await probe.start('b', gatewayB, topic);

    await producer.send({ topic, messages: messages('evict', 12) });

    const expected = messages('evict', 12)
      .map((m) => m.value)
      .sort();
    await eventually(() => {
      expect(probe.valuesOf('a').sort()).toEqual(expected);
      expect(probe.valuesOf('b').sort()).toEqual(expected);
    });
  });

  it('lists and describes groups through the admin client', async () => {
    const admin = await harness.admin();
    const consumer = harness.consumer('groups.described');
    await consumer.connect();
    await consumer.subscribe({ topic: 'groups.described.topic', fromBeginning: true });
    await consumer.run({ eachMessage: () => Promise.resolve() });

    const { groups } = await admin.listGroups();
    expect(groups).toContainEqual({ groupId: 'groups.described', protocolType: 'consumer' });
    const description = await admin.describeGroups(['groups.described']);
    expect(description.groups[0]).toMatchObject({
      groupId: 'groups.described',
      state: 'Stable',
      protocol: 'RoundRobinAssigner',
    });
    expect(description.groups[0]?.members).toHaveLength(1);

    await consumer.disconnect();
    await admin.deleteGroups(['groups.described']);
    await eventually(async () =>
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('groups.described'),
    );
  });
});
