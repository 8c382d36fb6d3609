import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type CacheEntry,
  type ExactReads,
  type ExactStore,
  type PurgeGenerations,
  entryGenerationFields,
  entryTag,
  generationOf,
} from '@strata/cache-core';
import { randomUUID } from 'node:crypto';

export interface ExactReadsFixture {
  readonly reads: ExactReads;
  /** The L2 the reads read (entries are put here). */
  readonly store: ExactStore;
  /** The purge generations the reads check against (purges are stamped here). */
  readonly generations: PurgeGenerations;
  /** Loses every tenant's generation state, as a restart without persistence or an eviction would. */
  loseGenerations(): Promise<void>;
  teardown(): Promise<void>;
}

/** Names a naive key or field scheme would get wrong: separators, hash-tag braces, lone surrogates, the text marker. */
const ODD = ['a:b', '{x}', 'p@q', '100%', 'é 🚀', '\ud800', '\u0001marked'];

/**
 * What every `ExactReads` binding must do (memory: `sequentialExactReads`; Redis: one script). Above all: an entry
 * whose tags or namespace were purged after it was stored (its generation) reads with a `latest` above that
 * generation, whichever field the purge stamped and however the names are spelled, so the lookup never serves it.
 */
export function describeExactReadsContract(name: string, factory: () => Promise<ExactReadsFixture>): void {
  describe(`${name} (ExactReads contract)`, () => {
    let fixture: ExactReadsFixture;
    let reads: ExactReads;
    let generations: PurgeGenerations;
    beforeEach(async () => {
      fixture = await factory();
      ({ reads, generations } = fixture);
    });
    afterEach(() => fixture.teardown());

    /** An entry stored as the store use case stores it: with the tenant's current generation as its ticket. */
    async function stored(overrides: Partial<CacheEntry> = {}): Promise<CacheEntry> {
      const id = randomUUID();
      const tenant = overrides.tenant ?? 'acme';
      const now = Date.now();
      const entry: CacheEntry = {
        id,
        tenant,
        namespace: 'support',
        namespaceVersion: 1,
        model: 'm',
        exactKey: id,
        contextHash: 'c',
        query: 'q',
        response: { answer: id },
        tags: ['product:1', entryTag(id)],
        createdAt: now,
        expiresAt: now + 60_000,
        generation: await generations.current(tenant),
        ...overrides,
      };
      await fixture.store.put(entry);
      return entry;
    }

    async function latestOf(entry: CacheEntry): Promise<number> {
      const read = await reads.getWithGenerations(entry.tenant, entry.id);
      if (!read) throw new Error(`entry ${entry.id} not read`);
      return read.latest;
    }

    it("reads the store's entry with PurgeGenerations.latest of its fields, fresh when nothing was purged since", async () => {
      const entry = await stored();
      const read = await reads.getWithGenerations('acme', entry.id);
      expect(read?.entry).toEqual(await fixture.store.get('acme', entry.id));
      expect(read?.latest).toBe(await generations.latest('acme', entryGenerationFields(entry)));
      expect(read?.latest).toBeLessThanOrEqual(generationOf(entry));
    });

    it("reads nothing for an id never stored or another tenant's entry", async () => {
      const entry = await stored();
      await expect(reads.getWithGenerations('acme', randomUUID())).resolves.toBeUndefined();
      await expect(reads.getWithGenerations('globex', entry.id)).resolves.toBeUndefined();
    });

    it('reads an entry stale once its namespace, a tag, or a tag within its namespace is purged', async () => {
      for (const field of ['n:support', 't:product:1', 't:product:1@support']) {
        const entry = await stored();
        const purged = await generations.advance('acme', [field]);
        expect(await latestOf(entry)).toBe(purged);
        expect(await latestOf(entry)).toBeGreaterThan(generationOf(entry));
      }
    });

    it('reads an entry stale when its write landed after the purge it raced (stored with the older ticket)', async () => {
      const ticket = await generations.current('acme');
      await generations.advance('acme', ['t:product:1']);
      const entry = await stored({ generation: ticket });
      expect(await latestOf(entry)).toBeGreaterThan(ticket);
    });

    it("leaves an entry fresh when other tags, another namespace's tag, another namespace or another tenant is purged", async () => {
      const entry = await stored();
      await generations.advance('acme', ['t:product:2', 't:product:1@billing', 'n:billing']);
      await generations.advance('globex', ['t:product:1', 'n:support']);
      expect(await latestOf(entry)).toBe(await generations.latest('acme', entryGenerationFields(entry)));
      expect(await latestOf(entry)).toBeLessThanOrEqual(generationOf(entry));
    });

    it('spells every field of odd tag, namespace and tenant names as a purge stamps it', async () => {
      for (const odd of ODD) {
        for (const [tenant, namespace] of [
          ['acme', `ns ${odd}`],
          [odd, odd],
        ] as const) {
          const entry = await stored({ tenant, namespace, tags: [odd, `${odd} 2`] });
          const read = await reads.getWithGenerations(tenant, entry.id);
          expect(read?.entry).toEqual(await fixture.store.get(tenant, entry.id));
          expect(read?.latest).toBeLessThanOrEqual(generationOf(entry));
          for (const field of entryGenerationFields(entry)) {
            const before = await latestOf(entry);
            const purged = await generations.advance(tenant, [field]);
            expect({ field, latest: await latestOf(entry) }).toEqual({ field, latest: purged });
            expect(purged).toBeGreaterThan(before);
          }
        }
      }
    });

    it('checks every field of an entry with many tags', async () => {
      const tags = Array.from({ length: 600 }, (_, i) => `tag-${i}`);
      const entry = await stored({ tags });
      expect(await latestOf(entry)).toBeLessThanOrEqual(generationOf(entry));
      await generations.advance('acme', ['t:tag-599@support']);
      expect(await latestOf(entry)).toBeGreaterThan(generationOf(entry));
    });

    it('reads every entry stored before the generation state was lost as stale (a new epoch)', async () => {
      const entry = await stored();
      const before = await generations.current('acme');
      await fixture.loseGenerations();
      expect(await latestOf(entry)).toBeGreaterThan(before);
      expect(await latestOf(entry)).toBe(await generations.current('acme'));
    });
  });
}
