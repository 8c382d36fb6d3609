import { describeEntryCatalogContract } from '@strata/testing';
import { type RedisConnection } from '../connection/redis-connection';
import { standaloneAndCluster } from '../../test/redis-test-support';
import { RedisExactStore } from '../exact/redis-exact-store';
import { RedisPurgeGenerations } from '../generations/redis-purge-generations';
import { RedisEntryCatalog } from './redis-entry-catalog';
import { RedisEntryPopularity } from './redis-entry-popularity';

const redises = standaloneAndCluster();
const single = redises.single;

function fixture(connection: () => RedisConnection, suite: string) {
  return () => {
    const redis = connection();
    const { prefix, teardown } = redises.prefix(redis, suite);
    return Promise.resolve({
      store: new RedisExactStore(redis, { keyPrefix: prefix }),
      catalog: new RedisEntryCatalog(redis, { keyPrefix: prefix }),
      popularity: new RedisEntryPopularity(redis, { keyPrefix: prefix }),
      generations: new RedisPurgeGenerations(redis, { keyPrefix: prefix }),
      teardown,
    });
  };
}

describeEntryCatalogContract(
  RedisEntryCatalog.name,
  fixture(() => single, 'catalog'),
);

describeEntryCatalogContract(`${RedisEntryCatalog.name} on Redis Cluster`, fixture(redises.cluster, 'cluster-catalog'));

describe(RedisEntryPopularity.name, () => {
  it("forgets a tenant's least hit entries past its bound, and keeps every key in the tenant's hash tag", async () => {
    const { prefix } = redises.prefix(single, 'popularity');
    const popularity = new RedisEntryPopularity(single, { keyPrefix: prefix, maxEntriesPerTenant: 2 });
    await popularity.record([
      { tenant: 'acme', id: 'a', count: 3, lastHitAt: 1 },
      { tenant: 'acme', id: 'b', count: 1, lastHitAt: 2 },
      { tenant: 'acme', id: 'c', count: 2, lastHitAt: 3 },
    ]);

    expect((await popularity.ranked('acme', 'hits', 0, 10)).map((r) => r.id)).toEqual(['a', 'c']);
    expect((await popularity.ranked('acme', 'recent', 0, 10)).map((r) => r.id)).toEqual(['c', 'a']);
    const keys: string[] = [];
    for await (const key of single.scan(`${prefix}*`)) keys.push(key);
    expect(keys.sort()).toEqual([`${prefix}ph:{acme}`, `${prefix}pr:{acme}`]);
  });
});
