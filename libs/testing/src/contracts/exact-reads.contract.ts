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
 * And every read answers the tenant's ticket as `PurgeGenerations.current` would at that moment: every purge that
 * finished before the read is in it, every purge after it is above it, a lost state gives a new epoch's.
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
      const { found } = await reads.getWithGenerations(entry.tenant, entry.id);
      if (!found) throw new Error(`entry ${entry.id} not read`);
      return found.latest;
    }

    async function ticketOf(tenant: string, id: string = randomUUID()): Promise<number> {
      return (await reads.getWithGenerations(tenant, id)).ticket;
    }

    it("reads the store's entry with PurgeGenerations.latest of its fields, fresh when nothing was purged since", async () => {
      const entry = await stored();
      const { found } = await reads.getWithGenerations('acme', entry.id);
      expect(found?.entry).toEqual(await fixture.store.get('acme', entry.id));
      expect(found?.latest).toBe(await generations.latest('acme', entryGenerationFields(entry)));
      expect(found?.latest).toBeLessThanOrEqual(generationOf(entry));
    });

    it("reads nothing for an id never stored or another tenant's entry", async () => {
      const entry = await stored();
      await expect(reads.getWithGenerations('acme', randomUUID())).resolves.toMatchObject({ found: undefined });
      await expect(reads.getWithGenerations('globex', entry.id)).resolves.toMatchObject({ found: undefined });
    });

    it("answers the tenant's ticket with every read, entry or none: what PurgeGenerations.current answers", async () => {
      const entry = await stored();
      await generations.advance('acme', ['t:product:2']);
      const hit = await reads.getWithGenerations('acme', entry.id);
      expect(hit.ticket).toBe(await generations.current('acme'));
      expect(hit.ticket).toBeGreaterThanOrEqual(hit.found?.latest ?? Infinity);
      const none = await reads.getWithGenerations('acme', randomUUID());
      expect(none).toEqual({ ticket: await generations.current('acme'), found: undefined });
      // Another tenant's ticket is its own.
      expect(await ticketOf('globex', entry.id)).toBe(await generations.current('globex'));
    });

    it('advances the ticket with every purge between two reads, of any field, and leaves it while none runs', async () => {
      const entry = await stored();
      const first = await ticketOf('acme', entry.id);
      expect(await ticketOf('acme', entry.id)).toBe(first);
      const purged = await generations.advance('acme', ['t:unrelated']);
      expect(purged).toBeGreaterThan(first);
      // A purge that finished before the read is in its ticket (a store with it is not refused for that purge)...
      expect(await ticketOf('acme', entry.id)).toBe(purged);
      expect(await ticketOf('acme')).toBe(purged);
      // ...and one after the read is above it (a store carrying it is refused: stale).
      const later = await generations.advance('acme', ['t:product:1']);
      expect(await generations.latest('acme', ['t:product:1'])).toBe(later);
      expect(later).toBeGreaterThan(purged);
      expect(await ticketOf('globex')).toBe(await generations.current('globex'));
    });

    it("answers a new epoch's ticket once the generation state was lost, above every ticket before it", async () => {
      const entry = await stored();
      const before = await ticketOf('acme', entry.id);
      await fixture.loseGenerations();
      const read = await reads.getWithGenerations('acme', entry.id);
      expect(read.ticket).toBeGreaterThan(before);
      expect(read.ticket).toBe(await generations.current('acme'));
      // The old entry is stale against the new floor; one stored with the new ticket is fresh.
      expect(read.found?.latest).toBeGreaterThan(generationOf(entry));
      expect(read.found?.latest).toBeLessThanOrEqual(read.ticket);
      const renewed = await stored({ generation: read.ticket });
      expect(await latestOf(renewed)).toBeLessThanOrEqual(read.ticket);
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
          const { ticket, found } = await reads.getWithGenerations(tenant, entry.id);
          expect(found?.entry).toEqual(await fixture.store.get(tenant, entry.id));
          expect(found?.latest).toBeLessThanOrEqual(generationOf(entry));
          expect(ticket).toBe(await generations.current(tenant));
          for (const field of entryGenerationFields(entry)) {
            const before = await latestOf(entry);
            const purged = await generations.advance(tenant, [field]);
            expect({ field, latest: await latestOf(entry) }).toEqual({ field, latest: purged });
            expect({ field, ticket: await ticketOf(tenant, entry.id) }).toEqual({ field, ticket: purged });
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
