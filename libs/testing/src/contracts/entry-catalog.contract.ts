import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type CacheEntry,
  type EntryCatalog,
  type EntryPopularity,
  type ExactStore,
  ListEntriesUseCase,
  type PurgeGenerations,
  entryTag,
  purgeGenerationFields,
} from '@strata/cache-core';
import { type CacheEntriesListRequest, ErrorCode } from '@strata/contracts';
import { createHash, randomUUID } from 'node:crypto';

export interface EntryCatalogFixture {
  /** A fresh, empty exact store, with the catalog and popularity adapters over the same backend. */
  readonly store: ExactStore;
  readonly catalog: EntryCatalog;
  readonly popularity: EntryPopularity;
  readonly generations: PurgeGenerations;
  teardown(): Promise<void>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * What every pair of `EntryCatalog` + `EntryPopularity` adapters must give the entry listing
 * (`ListEntriesUseCase`): every entry of the tenant once across pages, filters, popularity order, and
 * nothing of another tenant, nothing purged.
 */
export function describeEntryCatalogContract(name: string, factory: () => Promise<EntryCatalogFixture>): void {
  describe(`EntryCatalog contract: ${name}`, () => {
    let fixture: EntryCatalogFixture;
    let listing: ListEntriesUseCase;
    let created = Date.now() - 60_000;

    beforeEach(async () => {
      fixture = await factory();
      listing = new ListEntriesUseCase(
        fixture.store,
        fixture.catalog,
        fixture.popularity,
        fixture.generations,
        Date.now,
      );
    });

    afterEach(async () => {
      await fixture.teardown();
    });

    async function put(overrides: Partial<CacheEntry> = {}): Promise<CacheEntry> {
      const id = overrides.id ?? randomUUID();
      const tenant = overrides.tenant ?? 'acme';
      const entry: CacheEntry = {
        id,
        tenant,
        namespace: 'support',
        namespaceVersion: 1,
        model: 'gpt-4o-mini',
        exactKey: sha256(`key:${id}`),
        contextHash: sha256('context'),
        query: `question ${id}`,
        response: { answer: id },
        createdAt: (created += 1_000),
        expiresAt: Date.now() + 3_600_000,
        generation: await fixture.generations.current(tenant),
        ...overrides,
        tags: [...(overrides.tags ?? []), entryTag(id)],
      };
      await fixture.store.put(entry);
      return entry;
    }

    async function listAll(request: Omit<CacheEntriesListRequest, 'limit'>, limit = 2): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const reply = await listing.execute({ ...request, limit, ...(cursor === undefined ? {} : { cursor }) });
        expect(reply.entries.length).toBeLessThanOrEqual(limit);
        ids.push(...reply.entries.map((e) => e.entry.id));
        if (reply.nextCursor === null) return ids;
        cursor = reply.nextCursor;
      }
      throw new Error('the listing never ended');
    }

    it("pages through every entry of the tenant exactly once, and never another tenant's", async () => {
      const mine = await Promise.all([1, 2, 3, 4, 5].map((i) => put({ namespace: i % 2 ? 'support' : 'sales' })));
      await put({ tenant: 'globex' });
      await put({ tenant: 'globex', namespace: 'sales' });

      const listed = await listAll({ tenant: 'acme' });

      expect([...listed].sort()).toEqual(mine.map((e) => e.id).sort());
    });

    it('filters by namespace, tag and question text (case-insensitive)', async () => {
      const returns = await put({ namespace: 'support', query: 'How do I RETURN shoes?', tags: ['doc:returns'] });
      const shipping = await put({ namespace: 'support', query: 'Do you ship to Canada?', tags: ['doc:shipping'] });
      const sales = await put({ namespace: 'sales', query: 'Any discount on returns?', tags: ['doc:returns'] });
      await put({ tenant: 'globex', namespace: 'support', query: 'return policy', tags: ['doc:returns'] });

      expect((await listAll({ tenant: 'acme', namespace: 'support' })).sort()).toEqual(
        [returns.id, shipping.id].sort(),
      );
      expect((await listAll({ tenant: 'acme', tag: 'doc:returns' })).sort()).toEqual([returns.id, sales.id].sort());
      expect(await listAll({ tenant: 'acme', tag: 'doc:returns', namespace: 'sales' })).toEqual([sales.id]);
      expect((await listAll({ tenant: 'acme', q: 'return' })).sort()).toEqual([returns.id, sales.id].sort());
      expect(await listAll({ tenant: 'acme', q: 'nothing like it' })).toEqual([]);
    });

    it('sorts by hits or by last hit, entries never hit after them, with their popularity', async () => {
      const [a, b, c, never] = await Promise.all([put(), put(), put(), put()]);
      await put({ tenant: 'globex' });
      await fixture.popularity.record([
        { tenant: 'acme', id: a.id, count: 2, lastHitAt: 3_000 },
        { tenant: 'acme', id: b.id, count: 5, lastHitAt: 1_000 },
        { tenant: 'acme', id: c.id, count: 1, lastHitAt: 2_000 },
        { tenant: 'globex', id: a.id, count: 100, lastHitAt: 9_000 },
      ]);
      await fixture.popularity.record([{ tenant: 'acme', id: c.id, count: 3, lastHitAt: 4_000 }]);

      expect(await listAll({ tenant: 'acme', sort: 'hits' })).toEqual([b.id, c.id, a.id, never.id]);
      expect(await listAll({ tenant: 'acme', sort: 'recent' })).toEqual([c.id, a.id, b.id, never.id]);
      const top = await listing.execute({ tenant: 'acme', sort: 'hits', limit: 1 });
      expect(top.entries).toEqual([{ entry: b, hits: 5, lastHitAt: 1_000 }]);
      const [first] = (await listing.execute({ tenant: 'acme', limit: 10, q: never.query })).entries;
      expect(first).toEqual({ entry: never, hits: 0, lastHitAt: null });
    });

    it('leaves out purged, stale and backfilled copies, and forgets the popularity of what is gone', async () => {
      const kept = await put({ tags: ['doc:kept'] });
      const stale = await put({ tags: ['doc:changed'] });
      const removed = await put({ tags: ['doc:removed'] });
      await put({ aliasOf: kept.id });
      await fixture.generations.advance('acme', purgeGenerationFields({ tags: ['doc:changed'] }));
      await fixture.store.purge({ tenant: 'acme', tags: ['doc:removed'] });
      await fixture.popularity.record([
        { tenant: 'acme', id: removed.id, count: 9, lastHitAt: 1 },
        { tenant: 'acme', id: stale.id, count: 8, lastHitAt: 1 },
      ]);

      expect(await listAll({ tenant: 'acme', sort: 'hits' })).toEqual([kept.id]);
      expect(await listAll({ tenant: 'acme' })).toEqual([kept.id]);
      expect((await fixture.popularity.of('acme', [removed.id, stale.id])).size).toBe(0);
    });

    it('counts live entries per namespace of the tenant', async () => {
      await Promise.all([put({ namespace: 'support' }), put({ namespace: 'support' }), put({ namespace: 'sales' })]);
      await put({ tenant: 'globex', namespace: 'billing' });

      expect(await fixture.catalog.namespaceCounts('acme')).toEqual([
        { name: 'sales', entries: 1 },
        { name: 'support', entries: 2 },
      ]);
      expect(await fixture.catalog.namespaceCounts('nobody')).toEqual([]);
    });

    it('refuses a cursor it did not hand out', async () => {
      await expect(listing.execute({ tenant: 'acme', limit: 5, cursor: 'not-a-cursor' })).rejects.toMatchObject({
        code: ErrorCode.InvalidRequest,
      });
    });
  });
}
