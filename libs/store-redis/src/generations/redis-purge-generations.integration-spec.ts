import { RETENTION_MS, describeProcessedEventsContract, describePurgeGenerationsContract } from '@strata/testing';
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
    generations: new RedisPurgeGenerations(connection, { keyPrefix: prefix, retainMs: RETENTION_MS, now: () => now }),
    clock: { advance: (ms: number) => void (now += ms) },
    teardown: () => deleteKeys(connection, prefix),
  });
});

describeProcessedEventsContract(RedisProcessedEvents.name, () => {
  const prefix = uniquePrefix('events');
  return Promise.resolve({
    events: new RedisProcessedEvents(connection, { keyPrefix: prefix }),
    teardown: () => deleteKeys(connection, prefix),
  });
});
