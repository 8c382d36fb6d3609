import { CACHE_LOOKUP_TOPIC, CACHE_STORE_TOPIC, ErrorCode, StrataError } from '@strata/contracts';
import { type KafkaMessaging } from '../kafka/kafka-messaging';
import { KafkaCacheService } from './kafka-cache-service';

const KEY = 'a'.repeat(64);
const lookup = {
  tenant: 'acme',
  namespace: 'default',
  model: 'm',
  exactKey: KEY,
  contextHash: KEY,
  query: 'q',
  mode: 'auto' as const,
};

/** A Kafka client that answers every request with `reply` and records what was sent. */
function fakeKafka(reply: unknown) {
  const sent: { topic: string; data: unknown; key: string | undefined }[] = [];
  const kafka: KafkaMessaging = {
    request: (topic, data, _timeoutMs, key) => {
      sent.push({ topic, data, key });
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
    emit: () => Promise.resolve(),
  };
  return { kafka, sent };
}

describe(KafkaCacheService.name, () => {
  it('returns a reply that matches its contract', async () => {
    const { kafka, sent } = fakeKafka({ hit: false, ticket: 4 });

    await expect(new KafkaCacheService(kafka).lookup(lookup, { timeoutMs: 50 })).resolves.toEqual({
      hit: false,
      ticket: 4,
    });
    expect(sent).toEqual([{ topic: CACHE_LOOKUP_TOPIC, data: lookup, key: undefined }]);
  });

  it('refuses a reply that breaks its contract with invalid_reply naming the topic and the field, never casting it', async () => {
    const { kafka } = fakeKafka({ hit: true, tier: 'l2', entry: { id: 'x' } });

    const failure = new KafkaCacheService(kafka).lookup(lookup, { timeoutMs: 50 });

    await expect(failure).rejects.toBeInstanceOf(StrataError);
    await expect(failure).rejects.toMatchObject({
      code: ErrorCode.InvalidReply,
      message: expect.stringMatching(/strata\.cache\.lookup\.v1.*entry\.tenant/) as string,
    });
  });

  it("passes the peer's coded error through unchanged", async () => {
    const { kafka } = fakeKafka(new StrataError(ErrorCode.InvalidMessage, 'bad request'));

    await expect(new KafkaCacheService(kafka).stats({ timeoutMs: 50 })).rejects.toMatchObject({
      code: ErrorCode.InvalidMessage,
    });
  });

  it('keys a store by its entry and a purge by its tenant', async () => {
    const { kafka, sent } = fakeKafka({ id: 'e', l2: true, l3: true });
    const cache = new KafkaCacheService(kafka);
    const store = { ...lookup, namespaceVersion: 1, response: 'r', tags: [], ttlSeconds: 60, storedAt: 1 };

    await cache.store(store, { timeoutMs: 50 });
    await cache.purge({ tenant: 'acme', tags: ['t'] }, { timeoutMs: 50 }).catch(() => undefined);

    expect(sent.map(({ topic, key }) => [topic, key])).toEqual([
      [CACHE_STORE_TOPIC, KEY],
      ['strata.cache.purge.v1', 'acme'],
    ]);
  });
});
