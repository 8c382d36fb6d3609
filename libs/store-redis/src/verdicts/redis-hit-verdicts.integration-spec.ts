import { describeHitVerdictsContract } from '@strata/testing';
import { TEST_REDIS_URL, deleteKeys, uniquePrefix } from '../../test/redis-test-support';
import { RedisConnection } from '../connection/redis-connection';
import { RedisHitVerdicts } from './redis-hit-verdicts';

const connection = RedisConnection.open({ url: TEST_REDIS_URL });
beforeAll(() => connection.whenReady(5_000));
afterAll(() => connection.close());

describeHitVerdictsContract(RedisHitVerdicts.name, () => {
  const prefix = uniquePrefix('verdicts');
  return Promise.resolve({
    verdicts: new RedisHitVerdicts(connection, { keyPrefix: prefix }),
    teardown: () => deleteKeys(connection, prefix),
  });
});

describe(`${RedisHitVerdicts.name} audit counts`, () => {
  it('are shared by every replica on the same Redis and outlive the one that recorded them', async () => {
    const prefix = uniquePrefix('verdicts');
    const first = new RedisHitVerdicts(connection, { keyPrefix: prefix });
    await first.recordAudit('default', false);
    await first.recordAudit('default', true);

    // Another cache service replica, or this one restarted: a new adapter over the same Redis.
    const second = new RedisHitVerdicts(connection, { keyPrefix: prefix });
    expect(await second.recordAudit('default', true)).toEqual({ audited: 3, failed: 1 });
    expect(await first.auditCounts()).toEqual(new Map([['default', { audited: 3, failed: 1 }]]));
    await deleteKeys(connection, prefix);
  });
});
