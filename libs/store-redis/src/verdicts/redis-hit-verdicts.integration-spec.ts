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
