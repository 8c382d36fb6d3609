import { type CacheEntry } from '@strata/cache-core';
import { RedisServerProcess } from '@strata/testing';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../test/redis-test-support';
import { RedisExactStore } from '../exact/redis-exact-store';
import { RedisPurgeGenerations } from '../generations/redis-purge-generations';
import { RedisConnection, RedisTimeoutError, RedisUnavailableError } from './redis-connection';

const COMMAND_TIMEOUT_MS = 1_000;

function anEntry(): CacheEntry {
  const id = randomUUID();
  const now = Date.now();
  return {
    id,
    tenant: 'acme',
    namespace: 'support',
    namespaceVersion: 1,
    model: 'm',
    exactKey: id,
    contextHash: 'c',
    query: 'q',
    response: 'r',
    tags: ['hung'],
    createdAt: now,
    expiresAt: now + 60_000,
  };
}

describe(`${RedisConnection.name} when Redis hangs (SIGSTOP)`, () => {
  let server: RedisServerProcess;
  let connection: RedisConnection;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });

  afterAll(async () => {
    await connection.close();
    await server.stop();
  });

  it('times out the commands in flight, then refuses the rest at once until Redis answers again', async () => {
    connection = RedisConnection.open({
      url: server.url,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      breakerThreshold: 3,
      breakerCooldownMs: 2 * COMMAND_TIMEOUT_MS,
    });
    await connection.whenReady(5_000);
    const l2 = new RedisExactStore(connection);
    const generations = new RedisPurgeGenerations(connection);
    const entry = anEntry();
    await l2.put(entry);

    server.pause();

    // The first wave was sent to the hung server: each waits out its deadline, no longer.
    const firstWave = await Promise.allSettled(Array.from({ length: 20 }, () => l2.get('acme', entry.id)));
    for (const result of firstWave)
      expect(result).toMatchObject({ status: 'rejected', reason: expect.any(RedisTimeoutError) });

    // The breaker is open: everything after fails at once, reads, stores and generation checks alike,
    // instead of queueing behind the hung commands.
    const started = Date.now();
    const secondWave = await Promise.allSettled([
      ...Array.from({ length: 100 }, () => l2.get('acme', entry.id)),
      l2.put(anEntry()),
      generations.current('acme'),
      generations.advance('acme', ['t:hung']),
      connection.ping(),
    ]);
    for (const result of secondWave)
      expect(result).toMatchObject({ status: 'rejected', reason: expect.any(RedisUnavailableError) });
    expect(Date.now() - started).toBeLessThan(2 * COMMAND_TIMEOUT_MS);

    server.resume();
    await eventually(async () => {
      await expect(l2.get('acme', entry.id)).resolves.toEqual(entry);
    }, 15_000);
    await expect(generations.current('acme')).resolves.toBeGreaterThan(0);
  });
});
