import { randomUUID } from 'node:crypto';
import { LocalRedisCluster } from '@strata/testing';
import { RedisConnection } from '../src/connection/redis-connection';

/** The Redis the integration tests use (started by `.ci/run` when absent). */
export const TEST_REDIS = { host: '127.0.0.1', port: 6379 };
export const TEST_REDIS_URL = `redis://${TEST_REDIS.host}:${TEST_REDIS.port}`;

/** A key prefix no other test run shares. */
export function uniquePrefix(suite: string): string {
  return `strata-test:${suite}:${randomUUID()}:`;
}

/** Removes every key under `prefix` (on every master of a cluster). */
export async function deleteKeys(connection: RedisConnection, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const key of connection.scan(`${prefix}*`)) keys.push(key);
  // One key per command: on a cluster the keys live in different slots.
  await connection.run((client) => Promise.all(keys.map((key) => client.unlink(key))));
}

/** A spec file's standalone Redis and local Redis Cluster (see `standaloneAndCluster`). */
export interface TestRedises {
  /** The standalone test Redis. */
  readonly single: RedisConnection;
  /** The local Redis Cluster (open from the file's `beforeAll` on). */
  readonly cluster: () => RedisConnection;
  /** A fresh key prefix on `redis`; its keys are deleted after the file's tests (or earlier, by `teardown`). */
  prefix(redis: RedisConnection, suite: string): { prefix: string; teardown: () => Promise<void> };
}

/**
 * Opens the standalone test Redis and the local Redis Cluster for a spec file (a contract suite runs on both), and
 * after its tests deletes every key handed out by `prefix` and closes both. Call it at the file's top level.
 */
export function standaloneAndCluster(): TestRedises {
  const single = RedisConnection.open({ url: TEST_REDIS_URL });
  let cluster: RedisConnection | undefined;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const nodes = await LocalRedisCluster.ensure();
    cluster = RedisConnection.open({ clusterNodes: nodes.nodes });
    await Promise.all([single.whenReady(5_000), cluster.whenReady(10_000)]);
  }, 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await Promise.all([single.close(), cluster?.close()]);
  });

  return {
    single,
    cluster: () => {
      if (!cluster) throw new Error('the Redis Cluster is opened in beforeAll');
      return cluster;
    },
    prefix(redis, suite) {
      const prefix = uniquePrefix(suite);
      const teardown = () => deleteKeys(redis, prefix);
      cleanups.push(teardown);
      return { prefix, teardown };
    },
  };
}

/** Retries `assertion` until it passes or `timeoutMs` runs out (then its last error is thrown). */
export async function eventually(
  assertion: () => Promise<void> | void,
  timeoutMs = 5_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
