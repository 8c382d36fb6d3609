import { randomUUID } from 'node:crypto';
import { type RedisConnection } from '../src/connection/redis-connection';

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
