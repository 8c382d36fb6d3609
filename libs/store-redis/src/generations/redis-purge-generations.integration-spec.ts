import {
  MAX_FIELDS_PER_TENANT,
  RETENTION_MS,
  describeProcessedEventsContract,
  describePurgeGenerationsContract,
} from '@strata/testing';
import { TEST_REDIS_URL, deleteKeys, uniquePrefix } from '../../test/redis-test-support';
import { RedisConnection } from '../connection/redis-connection';
import { RedisProcessedEvents } from '../events/redis-processed-events';
import { RedisPurgeGenerations } from './redis-purge-generations';

const connection = RedisConnection.open({ url: TEST_REDIS_URL });
beforeAll(() => connection.whenReady(5_000));
afterAll(() => connection.close());

describePurgeGenerationsContract(RedisPurgeGenerations.name, () => {
  const prefix = uniquePrefix('generations');
  let now = Date.now();
  return Promise.resolve({
    generations: new RedisPurgeGenerations(connection, {
      keyPrefix: prefix,
      retainMs: RETENTION_MS,
      maxFieldsPerTenant: MAX_FIELDS_PER_TENANT,
      now: () => now,
    }),
    clock: { advance: (ms: number) => void (now += ms) },
    // What a restart without persistence or an eviction of the keys leaves: nothing.
    loseState: () => deleteKeys(connection, prefix),
    teardown: () => deleteKeys(connection, prefix),
  });
});

describe(RedisPurgeGenerations.name, () => {
  const prefix = uniquePrefix('generations-cap');
  afterAll(() => deleteKeys(connection, prefix));

  it('keeps the hash and its stamp times at the cap under 10 000-tag purges', async () => {
    const generations = new RedisPurgeGenerations(connection, { keyPrefix: prefix, maxFieldsPerTenant: 5_000 });
    for (let i = 0; i < 3; i++)
      await generations.advance(
        'acme',
        Array.from({ length: 10_000 }, (_, j) => `t:${i}-${j}`),
      );
    const key = `${prefix}g:{acme}`;
    await expect(connection.client.hLen(key)).resolves.toBe(5_000 + 2);
    await expect(connection.client.zCard(`${key}:at`)).resolves.toBe(5_000);
  });
});

describeProcessedEventsContract(RedisProcessedEvents.name, () => {
  const prefix = uniquePrefix('events');
  return Promise.resolve({
    events: new RedisProcessedEvents(connection, { keyPrefix: prefix }),
    teardown: () => deleteKeys(connection, prefix),
  });
});
