import { describeWarmRecordingsContract } from '@strata/testing';
import { type RedisConnection } from '../connection/redis-connection';
import { standaloneAndCluster } from '../../test/redis-test-support';
import { RedisWarmRecordings } from './redis-warm-recordings';

const redises = standaloneAndCluster();

function fixture(connection: () => RedisConnection, suite: string) {
  return () => {
    const redis = connection();
    const { prefix, teardown } = redises.prefix(redis, suite);
    return Promise.resolve({
      recordings: new RedisWarmRecordings(redis, { keyPrefix: prefix }),
      advance: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      teardown,
    });
  };
}

describeWarmRecordingsContract(
  RedisWarmRecordings.name,
  fixture(() => redises.single, 'warm'),
);

describeWarmRecordingsContract(
  `${RedisWarmRecordings.name} on Redis Cluster`,
  fixture(redises.cluster, 'cluster-warm'),
);
