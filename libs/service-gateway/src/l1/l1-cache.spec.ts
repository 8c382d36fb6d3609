import { type CacheEntry } from '@strata/cache-core';
import { L1Cache, entrySizeBytes } from './l1-cache';

const entry = (over: Partial<CacheEntry> = {}): CacheEntry => ({
  id: 'id-1',
  tenant: 'acme',
  namespace: 'default',
  namespaceVersion: 1,
  model: 'm',
  exactKey: 'a'.repeat(64),
  contextHash: 'c'.repeat(64),
  query: 'q',
  response: { answer: 1 },
  tags: ['product:1', '$entry:id-1'],
  createdAt: 1_000,
  expiresAt: 61_000,
  generation: 0,
  ...over,
});

describe(L1Cache.name, () => {
  let now = 1_000;
  const make = (maxEntries = 10) => new L1Cache({ maxEntries, maxTtlSeconds: 30, now: () => now });
  beforeEach(() => (now = 1_000));

  it('returns an entry only to its tenant', () => {
    const l1 = make();
    l1.set(entry());
    expect(l1.get('a'.repeat(64), 'acme')).toBeDefined();
    expect(l1.get('a'.repeat(64), 'globex')).toBeUndefined();
  });

  it('keeps an entry no longer than its own expiry nor the L1 maximum', () => {
    const l1 = make();
    l1.set(entry({ expiresAt: 11_000 }));
    now = 11_000;
    expect(l1.get('a'.repeat(64), 'acme')).toBeUndefined();
    l1.set(entry({ exactKey: 'b'.repeat(64), expiresAt: 1_000_000 }));
    now = 11_000 + 30_001;
    expect(l1.get('b'.repeat(64), 'acme')).toBeUndefined();
  });

  it('purges by tag and by namespace within the tenant only', () => {
    const l1 = make();
    l1.set(entry());
    l1.set(entry({ tenant: 'globex', exactKey: 'b'.repeat(64) }));
    l1.set(entry({ exactKey: 'c'.repeat(64), tags: ['product:2'] }));
    expect(l1.purge({ tenant: 'acme', tags: ['product:1'] })).toBe(1);
    expect(l1.get('b'.repeat(64), 'globex')).toBeDefined();
    expect(l1.get('c'.repeat(64), 'acme')).toBeDefined();
    expect(l1.purge({ tenant: 'acme', namespace: 'default' })).toBe(1);
    expect(l1.size).toBe(1);
  });

  it('refuses an entry older than a purge of its tags that it arrives after', () => {
    const l1 = make();
    l1.purge({ tenant: 'acme', tags: ['product:1'] }, 5);
    expect(l1.set(entry({ generation: 4 }))).toBe(false);
    expect(l1.get('a'.repeat(64), 'acme')).toBeUndefined();
    expect(l1.set(entry({ generation: 5 }))).toBe(true);
    expect(l1.set(entry({ exactKey: 'd'.repeat(64), tags: ['product:9'], generation: 0 }))).toBe(true);
  });

  it('evicts the least recently used entry when full', () => {
    const l1 = make(2);
    l1.set(entry({ exactKey: '1'.repeat(64) }));
    l1.set(entry({ exactKey: '2'.repeat(64) }));
    l1.get('1'.repeat(64), 'acme');
    l1.set(entry({ exactKey: '3'.repeat(64) }));
    expect(l1.get('2'.repeat(64), 'acme')).toBeUndefined();
    expect(l1.get('1'.repeat(64), 'acme')).toBeDefined();
  });

  it('keeps a newer version of an entry when an older one arrives late', () => {
    const l1 = make();
    l1.set(entry({ createdAt: 2_000, generation: 3, response: { answer: 'new' } }));
    expect(l1.set(entry({ createdAt: 1_500, generation: 2, response: { answer: 'old' } }))).toBe(false);
    expect(l1.get('a'.repeat(64), 'acme')?.response).toEqual({ answer: 'new' });
  });
});

describe(`${L1Cache.name} byte bound`, () => {
  const big = (key: string, tenant = 'acme') =>
    entry({ exactKey: key.repeat(64), tenant, response: { answer: 'x'.repeat(100_000) } });

  it('evicts the least recently used entries once their estimated size passes maxBytes, whatever the entry count', () => {
    const evicted: number[] = [];
    const l1 = new L1Cache({
      maxEntries: 10_000,
      maxBytes: 3 * entrySizeBytes(big('a')),
      maxTtlSeconds: 30,
      now: () => 1_000,
      onEvict: () => evicted.push(1),
    });
    for (const key of ['a', 'b', 'c', 'd']) expect(l1.set(big(key))).toBe(true);
    expect(l1.size).toBe(3);
    expect(evicted).toHaveLength(1);
    expect(l1.get('a'.repeat(64), 'acme')).toBeUndefined();
    expect(l1.get('d'.repeat(64), 'acme')).toBeDefined();
  });

  it('never holds an entry larger than the whole bound, and says so', () => {
    const l1 = new L1Cache({ maxEntries: 10, maxBytes: 10_000, maxTtlSeconds: 30, now: () => 1_000 });
    expect(l1.set(big('a'))).toBe(false);
    expect(l1.size).toBe(0);
    // Its tags were not indexed either: a purge finds nothing.
    expect(l1.purge({ tenant: 'acme', tags: ['product:1'] })).toBe(0);
  });

  it('sizes an entry once per set (its response serialised once)', () => {
    let serialised = 0;
    // A response that counts its serialisations (JSON.stringify calls toJSON once per call).
    const response = { toJSON: () => (serialised++, { answer: 'x' }) } as unknown as CacheEntry['response'];
    const l1 = new L1Cache({ maxEntries: 10, maxBytes: 100_000, maxTtlSeconds: 30, now: () => 1_000 });
    expect(l1.set(entry({ response }))).toBe(true);
    expect(serialised).toBe(1);
  });

  it('estimates at least two bytes per character of the response', () => {
    expect(entrySizeBytes(big('a'))).toBeGreaterThan(200_000);
  });
});
