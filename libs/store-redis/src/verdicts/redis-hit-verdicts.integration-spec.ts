import { type CacheEntry, NO_VERIFICATION_TELEMETRY, SemanticGate } from '@strata/cache-core';
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
    await first.recordAudit('acme', 'default', false);
    await first.recordAudit('acme', 'default', true);

    // Another cache service replica, or this one restarted: a new adapter over the same Redis.
    const second = new RedisHitVerdicts(connection, { keyPrefix: prefix });
    expect(await second.recordAudit('acme', 'default', true)).toEqual({ audited: 3, failed: 1 });
    expect(await first.auditCounts()).toEqual([{ tenant: 'acme', namespace: 'default', audited: 3, failed: 1 }]);
    await deleteKeys(connection, prefix);
  });
});

describe(`${RedisHitVerdicts.name} similarity bands`, () => {
  it('are one namespace-wide state for every replica: verdicts counted by one are read by the other', async () => {
    const prefix = uniquePrefix('verdicts');
    const first = new RedisHitVerdicts(connection, { keyPrefix: prefix });
    const second = new RedisHitVerdicts(connection, { keyPrefix: prefix });
    await first.recordBand('acme', 'docs:v2', 47, false);
    await second.recordBand('acme', 'docs:v2', 47, true);

    expect(await first.bandCounts('acme', 'docs:v2')).toEqual(new Map([[47, { judged: 2, wrong: 1 }]]));
    expect(await second.bandCounts('acme', 'docs')).toEqual(new Map());
    await deleteKeys(connection, prefix);
  });
});

describe(`${SemanticGate.name} replicas over one Redis`, () => {
  const stored: CacheEntry = {
    id: 'e-1',
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: 'm',
    exactKey: 'key-e-1',
    contextHash: 'ctx',
    query: 'how do I reset my password',
    response: 'answer',
    tags: ['$entry:e-1'],
    createdAt: 1_000,
    expiresAt: Date.now() + 3_600_000,
  };
  const replica = (prefix: string) =>
    new SemanticGate(
      new RedisHitVerdicts(connection, { keyPrefix: prefix }),
      { judge: () => Promise.resolve({ same: true }) },
      NO_VERIFICATION_TELEMETRY,
      {
        lowerBound: 0.8,
        judgeTimeoutMs: 1_000,
        judgeCallsPerSecond: 1e6,
        raiseStep: 0.02,
        lowerStep: 0.002,
        maxLowering: 0.05,
        bandWidth: 0.02,
        bandRefreshMs: 0,
        now: Date.now,
        random: () => 0,
      },
    );
  const lookup = (gate: SemanticGate, key: string, judge?: 'inline') =>
    gate.gate(
      {
        tenant: 'acme',
        namespace: 'default',
        exactKey: key,
        query: 'how can I reset my password',
        verification: { maxWrongHitRate: 0.02, ...(judge ? { judge } : {}) },
      },
      [{ entry: stored, cosine: 0.9, similarity: 0.95, reason: 'match' }],
      0.9,
    );

  it("agree on where similarity alone may serve: one replica's judge verdicts open the band on the other", async () => {
    const prefix = uniquePrefix('verdicts');
    const first = replica(prefix);
    const second = replica(prefix);
    expect((await lookup(second, 'q-x'))[0]?.similarity).toBe(0);

    // Questions the first replica's judge said yes to (inline), each a verdict in the band from 0.94, until the
    // band is proved (0 wrong of 133: the 95% upper bound is under 2%) and that replica serves on similarity alone.
    let asked = 0;
    while ((await lookup(first, `q-${asked}`, 'inline'))[0]?.verified === true) asked += 1;
    expect(asked).toBe(133);

    expect(await lookup(second, 'q-y')).toEqual([expect.objectContaining({ similarity: 0.95, verified: false })]);
    await deleteKeys(connection, prefix);
  });
});
