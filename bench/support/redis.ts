import { RedisConnection } from '@strata/store-redis';

/** The Redis the benches use: the one every machine here has (`.ci/run` starts it), or `--redis-url`. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** `redis://host:port` with the database number set. */
export function redisUrlWithDb(url: string, db: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

export async function openRedis(url: string): Promise<RedisConnection> {
  const connection = RedisConnection.open({ url, commandTimeoutMs: 30_000 });
  await connection.whenReady(5_000);
  return connection;
}

/** How many keys start with `prefix` (SCAN, so it never blocks Redis). */
export async function countKeys(connection: RedisConnection, prefix: string): Promise<number> {
  let n = 0;
  for await (const key of connection.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) {
    void key;
    n++;
  }
  return n;
}

/** Fails unless no key starts with `prefix`: a bench must never mix its data with someone else's. */
export async function requireNoKeys(connection: RedisConnection, prefix: string, hint: string): Promise<void> {
  const n = await countKeys(connection, prefix);
  if (n > 0) throw new Error(`Redis already holds ${n} keys under "${prefix}" (${hint})`);
}

/** Removes every key that starts with `prefix` (SCAN + UNLINK in batches); returns how many. */
export async function deleteKeys(connection: RedisConnection, prefix: string): Promise<number> {
  let batch: string[] = [];
  let deleted = 0;
  for await (const key of connection.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) {
    batch.push(key);
    if (batch.length >= 1_000) {
      deleted += await connection.client.unlink(batch);
      batch = [];
    }
  }
  if (batch.length > 0) deleted += await connection.client.unlink(batch);
  return deleted;
}

/** The redis-server's pid (same machine), to meter its CPU. */
export async function redisPid(connection: RedisConnection): Promise<number> {
  const info = await connection.client.info('server');
  const match = /process_id:(\d+)/.exec(info);
  return match ? Number(match[1]) : -1;
}
