import { LocalRedisCluster, describeWarmRecordingsContract } from '@strata/testing';
import { TEST_REDIS_URL, deleteKeys, uniquePrefix } from '../../test/redis-test-support';
import { RedisConnection } from '../connection/redis-connection';
import { RedisWarmRecordings } from './redis-warm-recordings';

const single = RedisConnection.open({ url: TEST_REDIS_URL });
let cluster: RedisConnection;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const nodes = await LocalRedisCluster.ensure();
  cluster = RedisConnection.open({ clusterNodes: nodes.nodes });
  await Promise.all([single.whenReady(5_000), cluster.whenReady(10_000)]);
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await Promise.all([single.close(), cluster.close()]);
});

function fixture(connection: () => RedisConnection, suite: string) {
  return () => {
    const redis = connection();
    const prefix = uniquePrefix(suite);
    const teardown = () => deleteKeys(redis, prefix);
    cleanups.push(teardown);
    return Promise.resolve({
      recordings: new RedisWarmRecordings(redis, { keyPrefix: prefix }),
      advance: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      teardown,
    });
  };
}

describeWarmRecordingsContract(
  RedisWarmRecordings.name,
  fixture(() => single, 'warm'),
);

describeWarmRecordingsContract(
  `${RedisWarmRecordings.name} on Redis Cluster`,
  fixture(() => cluster, 'cluster-warm'),
);
