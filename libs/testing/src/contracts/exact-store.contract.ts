import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type CacheEntry, type ExactStore, entryTag } from '@strata/cache-core';
import { createHash, randomUUID } from 'node:crypto';

/** The clock an exact store reads (`expiresAt` semantics). Starts at or after the real time, moves forward only. */
export interface ExactStoreContractClock {
  /** Epoch milliseconds, as the store sees them. */
  now(): number;
  /** Moves the store's clock forward. */
  advance(ms: number): void;
}

export interface ExactStoreFixture {
  /** A fresh, empty store. */
  readonly store: ExactStore;
  readonly clock: ExactStoreContractClock;
  /** Releases the store and removes whatever it wrote. */
  teardown(): Promise<void>;
}

const MINUTE = 60_000;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The behaviour every `ExactStore` adapter must have. Call it at the top level of a spec file with a
 * factory that builds a fresh store per test; each adapter's spec adds only what is specific to it.
 */
export function describeExactStoreContract(name: string, factory: () => Promise<ExactStoreFixture>): void {
  describe(`ExactStore contract: ${name}`, () => {
    let fixture: ExactStoreFixture;
    let store: ExactStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.teardown();
    });

    function anEntry(overrides: Partial<CacheEntry> = {}): CacheEntry {
      const id = overrides.id ?? randomUUID();
      const now = fixture.clock.now();
      return {
        id,
        tenant: 'acme',
        namespace: 'support',
        namespaceVersion: 1,
        model: 'gpt-4o-mini',
        exactKey: sha256(`key:${id}`),
        contextHash: sha256('context'),
        query: 'how do i return an item?',
        response: {
          id: `chatcmpl-${id}`,
          choices: [{ index: 0, message: { role: 'assistant', content: 'Within 30 days.' } }],
        },
        tags: [entryTag(id)],
        createdAt: now,
        expiresAt: now + 10 * MINUTE,
        ...overrides,
      };
    }

    async function putAll(...entries: CacheEntry[]): Promise<void> {
      for (const entry of entries) await store.put(entry);
    }

    async function surviving(...entries: CacheEntry[]): Promise<string[]> {
      const found = await Promise.all(entries.map((entry) => store.get(entry.tenant, entry.id)));
      return found.flatMap((entry) => (entry ? [entry.id] : []));
    }

    it('returns undefined for an id it never stored', async () => {
      await expect(store.get('acme', randomUUID())).resolves.toBeUndefined();
    });

    it('returns an equal entry after put, with every field intact', async () => {
      const entry = anEntry({
        query: 'combien coûte la livraison ? 🚚',
        response: { nested: { list: [1, 2.5, -3e-7, null, true, 'ünïcödé "quoted" | pipes'], empty: {} }, n: 0 },
        tags: ['product:123', 'doc:policy-returns', 'with|pipe', entryTag('root-entry')],
        namespaceVersion: 7,
        aliasOf: 'root-entry',
      });
      await store.put(entry);
      await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
    });

    it('returns an entry to its own tenant only', async () => {
      const entry = anEntry({ tenant: 'acme' });
      await store.put(entry);
      await expect(store.get('globex', entry.id)).resolves.toBeUndefined();
      await expect(store.get('acme', entry.id)).resolves.toEqual(entry);
    });

    it('keeps strings with lone surrogates intact, and tags differing only in them apart', async () => {
      const entry = anEntry({ query: 'prix \ud800?', tags: ['price:\ud800'], response: { text: 'a\udc00b' } });
      const other = anEntry({ tags: ['price:\ud801'] });
      await putAll(entry, other);
      await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
      await expect(store.purge({ tenant: 'acme', tags: ['price:\ud800'] })).resolves.toBe(1);
      await expect(surviving(entry, other)).resolves.toEqual([other.id]);
    });

    it('stores responses that are plain strings, numbers, arrays and null', async () => {
      const responses: CacheEntry['response'][] = ['plain text answer', 42, [1, 'two'], null];
      const entries = responses.map((response) => anEntry({ response }));
      await putAll(...entries);
      for (const entry of entries) await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
    });

    it('stops returning an entry once its expiresAt is reached', async () => {
      const entry = anEntry({ expiresAt: fixture.clock.now() + 5_000 });
      await store.put(entry);

      fixture.clock.advance(4_999);
      await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);

      fixture.clock.advance(1);
      await expect(store.get(entry.tenant, entry.id)).resolves.toBeUndefined();
    });

    it('does not store an entry that is already expired', async () => {
      const entry = anEntry({ expiresAt: fixture.clock.now() });
      await store.put(entry);
      await expect(store.get(entry.tenant, entry.id)).resolves.toBeUndefined();
      await expect(store.count()).resolves.toBe(0);
    });

    it('replaces an entry put again under the same id', async () => {
      const first = anEntry({ response: 'first', tags: ['product:1'] });
      const second = anEntry({ id: first.id, response: 'second', tags: ['product:2'] });
      await putAll(first, second);

      await expect(store.get(first.tenant, first.id)).resolves.toEqual(second);
      await expect(store.count()).resolves.toBe(1);
    });

    it('forgets the tags of a replaced entry: purging an old tag no longer removes it', async () => {
      const first = anEntry({ tags: ['product:1', 'shared'] });
      const second = anEntry({ id: first.id, tags: ['product:2', 'shared'] });
      await putAll(first, second);

      await expect(store.purge({ tenant: 'acme', tags: ['product:1'] })).resolves.toBe(0);
      await expect(store.get(first.tenant, first.id)).resolves.toEqual(second);

      await expect(store.purge({ tenant: 'acme', tags: ['shared'] })).resolves.toBe(1);
      await expect(store.get(first.tenant, first.id)).resolves.toBeUndefined();
    });

    it('forgets the namespace of a replaced entry that moved namespace', async () => {
      const first = anEntry({ namespace: 'old' });
      const second = anEntry({ id: first.id, namespace: 'new' });
      await putAll(first, second);

      await expect(store.purge({ tenant: 'acme', namespace: 'old' })).resolves.toBe(0);
      await expect(store.purge({ tenant: 'acme', namespace: 'new' })).resolves.toBe(1);
    });

    it('purges by tag only the entries of that tenant carrying the tag', async () => {
      const tagged1 = anEntry({ tags: ['product:123', 'doc:a'] });
      const tagged2 = anEntry({ tags: ['product:123'] });
      const untagged = anEntry({ tags: ['product:456'] });
      const otherTenant = anEntry({ tenant: 'globex', tags: ['product:123'] });
      await putAll(tagged1, tagged2, untagged, otherTenant);

      await expect(store.purge({ tenant: 'acme', tags: ['product:123'] })).resolves.toBe(2);
      await expect(surviving(tagged1, tagged2, untagged, otherTenant)).resolves.toEqual([untagged.id, otherTenant.id]);
    });

    it('purges entries carrying any of the given tags, each counted once', async () => {
      const a = anEntry({ tags: ['a'] });
      const b = anEntry({ tags: ['b'] });
      const both = anEntry({ tags: ['a', 'b'] });
      const neither = anEntry({ tags: ['c'] });
      await putAll(a, b, both, neither);

      await expect(store.purge({ tenant: 'acme', tags: ['a', 'b'] })).resolves.toBe(3);
      await expect(surviving(a, b, both, neither)).resolves.toEqual([neither.id]);
    });

    it('purges the entry and its backfilled copies through the $entry tag', async () => {
      const root = anEntry();
      const copy = anEntry({ aliasOf: root.id, tags: [entryTag(root.id)] });
      const unrelated = anEntry();
      await putAll(root, copy, unrelated);

      await expect(store.purge({ tenant: 'acme', tags: [entryTag(root.id)] })).resolves.toBe(2);
      await expect(surviving(root, copy, unrelated)).resolves.toEqual([unrelated.id]);
    });

    it('narrows a tag purge to the given namespace', async () => {
      const inNamespace = anEntry({ namespace: 'support', tags: ['product:123'] });
      const otherNamespace = anEntry({ namespace: 'sales', tags: ['product:123'] });
      const untagged = anEntry({ namespace: 'support', tags: [] });
      await putAll(inNamespace, otherNamespace, untagged);

      await expect(store.purge({ tenant: 'acme', tags: ['product:123'], namespace: 'support' })).resolves.toBe(1);
      await expect(surviving(inNamespace, otherNamespace, untagged)).resolves.toEqual([otherNamespace.id, untagged.id]);

      // The survivor is still reachable by its tag.
      await expect(store.purge({ tenant: 'acme', tags: ['product:123'] })).resolves.toBe(1);
    });

    it('purges a whole namespace of one tenant when only the namespace is given', async () => {
      const a = anEntry({ namespace: 'support', tags: ['x'] });
      const b = anEntry({ namespace: 'support', tags: [] });
      const otherNamespace = anEntry({ namespace: 'sales' });
      const otherTenant = anEntry({ tenant: 'globex', namespace: 'support' });
      await putAll(a, b, otherNamespace, otherTenant);

      await expect(store.purge({ tenant: 'acme', namespace: 'support' })).resolves.toBe(2);
      await expect(surviving(a, b, otherNamespace, otherTenant)).resolves.toEqual([otherNamespace.id, otherTenant.id]);
      // The purged entry's tag memberships went with it.
      await expect(store.purge({ tenant: 'acme', tags: ['x'] })).resolves.toBe(0);
    });

    it('treats an empty tag list like no tags', async () => {
      const entry = anEntry({ namespace: 'support' });
      await store.put(entry);
      await expect(store.purge({ tenant: 'acme', tags: [], namespace: 'support' })).resolves.toBe(1);
    });

    it('purges nothing for a selector with neither tags nor namespace', async () => {
      const entry = anEntry();
      await store.put(entry);
      await expect(store.purge({ tenant: 'acme' })).resolves.toBe(0);
      await expect(store.purge({ tenant: 'acme', tags: [] })).resolves.toBe(0);
      await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
    });

    it('returns 0 when the same purge is repeated', async () => {
      await putAll(anEntry({ tags: ['product:9'] }), anEntry({ tags: ['product:9'] }));
      await expect(store.purge({ tenant: 'acme', tags: ['product:9'] })).resolves.toBe(2);
      await expect(store.purge({ tenant: 'acme', tags: ['product:9'] })).resolves.toBe(0);
      await expect(store.purge({ tenant: 'acme', namespace: 'support' })).resolves.toBe(0);
      await expect(store.purge({ tenant: 'acme', namespace: 'support' })).resolves.toBe(0);
    });

    it('does not count expired entries in a purge', async () => {
      const expiring = anEntry({ tags: ['t'], expiresAt: fixture.clock.now() + 1_000 });
      const live = anEntry({ tags: ['t'] });
      await putAll(expiring, live);
      fixture.clock.advance(1_000);

      await expect(store.purge({ tenant: 'acme', tags: ['t'] })).resolves.toBe(1);
      await expect(store.purge({ tenant: 'acme', tags: ['t'] })).resolves.toBe(0);
    });

    it('keeps tenants apart even when tenant and tag names contain separators', async () => {
      const first = anEntry({ tenant: 'a:b', tags: ['c'] });
      const second = anEntry({ tenant: 'a', tags: ['b:c'] });
      const third = anEntry({ tenant: 'a%3Ab', tags: ['c'] });
      await putAll(first, second, third);

      await expect(store.purge({ tenant: 'a:b', tags: ['c'] })).resolves.toBe(1);
      await expect(surviving(first, second, third)).resolves.toEqual([second.id, third.id]);
      await expect(store.purge({ tenant: 'a', namespace: 'support' })).resolves.toBe(1);
      await expect(surviving(second, third)).resolves.toEqual([third.id]);
    });

    it('counts live entries: puts add, replaces do not, purges and expiry remove', async () => {
      await expect(store.count()).resolves.toBe(0);
      const short = anEntry({ expiresAt: fixture.clock.now() + 2_000 });
      const tagged = anEntry({ tags: ['p'] });
      const other = anEntry({ tenant: 'globex', namespace: 'sales' });
      await putAll(
        short,
        tagged,
        other,
        anEntry({ id: other.id, tenant: 'globex', namespace: 'sales', response: 'v2' }),
      );
      await expect(store.count()).resolves.toBe(3);

      await store.purge({ tenant: 'acme', tags: ['p'] });
      await expect(store.count()).resolves.toBe(2);

      fixture.clock.advance(2_000);
      await expect(store.count()).resolves.toBe(1);
    });

    it('answers ping while the backend is reachable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
