import { randomUUID } from 'node:crypto';
import { type RedisConnection } from '../src/connection/redis-connection';

/** The Redis the integration tests use (started by `.ci/run` when absent). */
export const TEST_REDIS = { host: '127.0.0.1', port: 6379 };
export const TEST_REDIS_URL = `redis://${TEST_REDIS.host}:${TEST_REDIS.port}`;

/** A key prefix no other test run shares. */
export function uniquePrefix(suite: string): string {
  return `strata-test:${suite}:${randomUUID()}:`;
}

/** Removes every key under `prefix`. */
export async function deleteKeys(connection: RedisConnection, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const key of connection.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) keys.push(key);
  if (keys.length > 0) await connection.client.unlink(keys);
}

/** Retries `assertion` until it passes or `timeoutMs` runs out (then its last error is thrown). */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 5_000, intervalMs = 20): Promise<void> {
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
