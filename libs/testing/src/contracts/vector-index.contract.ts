import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type CacheEntry,
  type SimilarEntry,
  type SimilarSearch,
  type VectorCandidate,
  type VectorIndex,
  type VectorSearch,
  entryTag,
} from '@strata/cache-core';
import { createHash, randomUUID } from 'node:crypto';

/** The clock a vector index reads for `count`, `purge` and `upsert` (search takes `now` explicitly). */
export interface VectorIndexContractClock {
  /** Epoch milliseconds, as the index sees them. */
  now(): number;
  /** Moves the index's clock forward. */
  advance(ms: number): void;
}

export interface VectorIndexFixture {
  /** A fresh, empty index. */
  readonly index: VectorIndex;
  readonly clock: VectorIndexContractClock;
  /** Releases the index and removes whatever it wrote (collections included). */
  teardown(): Promise<void>;
}

const MINUTE = 60_000;
/** Embedding models of the suite, with their dimensions. */
const MODEL = 'contract-embed-8';
const DIM = 8;
const OTHER_MODEL = 'contract-embed-4';
const OTHER_DIM = 4;
/** Scores travel as float32 in some backends. */
const SCORE_DIGITS = 5;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A vector at `cosine` similarity to the first axis (in the plane of the first two axes), scaled by `length`. */
function atCosine(cosine: number, length = 1, dim = DIM): number[] {
  const vector = new Array<number>(dim).fill(0);
  vector[0] = cosine * length;
  vector[1] = Math.sqrt(1 - cosine * cosine) * length;
  return vector;
}

const AXIS = atCosine(1);

/**
 * The behaviour every `VectorIndex` adapter must have. Call it at the top level of a spec file with a factory that
 * builds a fresh index per test; each adapter's spec adds only what is specific to it.
 */
export function describeVectorIndexContract(name: string, factory: () => Promise<VectorIndexFixture>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let fixture: VectorIndexFixture;
    let index: VectorIndex;

    beforeEach(async () => {
      fixture = await factory();
      index = fixture.index;
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

    function aSearch(overrides: Partial<VectorSearch> = {}): VectorSearch {
      return {
        vector: AXIS,
        tenant: 'acme',
        contextHash: sha256('context'),
        model: MODEL,
        limit: 10,
        minScore: -1,
        now: fixture.clock.now(),
        ...overrides,
      };
    }

    function aSimilarSearch(overrides: Partial<SimilarSearch> = {}): SimilarSearch {
      return {
        vector: AXIS,
        tenant: 'acme',
        model: MODEL,
        minScore: 0.8,
        limit: 100,
        now: fixture.clock.now(),
        ...overrides,
      };
    }

    function similarIds(matches: SimilarEntry[]): string[] {
      return matches.map((match) => match.id);
    }

    async function upsertAll(...items: [CacheEntry, readonly number[]][]): Promise<void> {
      for (const [entry, vector] of items) await index.upsert(MODEL, entry, vector);
    }

    function ids(candidates: VectorCandidate[]): string[] {
      return candidates.map((candidate) => candidate.entry.id);
    }

    async function found(...entries: CacheEntry[]): Promise<string[]> {
      const hits = await Promise.all(
        entries.map((entry) =>
          index.search(aSearch({ tenant: entry.tenant, contextHash: entry.contextHash, minScore: 0.99 })),
        ),
      );
      return entries.filter((entry, i) => ids(hits[i] ?? []).includes(entry.id)).map((entry) => entry.id);
    }

    describe('search', () => {
      it('returns a stored entry for its own vector with cosine 1 and every field intact', async () => {
        const entry = anEntry({
          query: 'combien coûte la livraison ? 🚚',
          response: { nested: { list: [1, 2.5, -3e-7, null, true, 'ünïcödé "quoted"'], empty: {} }, n: 0 },
          tags: ['product:123', 'with|pipe', entryTag('root-entry')],
          namespaceVersion: 7,
          aliasOf: 'root-entry',
        });
        await index.upsert(MODEL, entry, AXIS);

        const [hit, ...rest] = await index.search(aSearch());

        expect(rest).toEqual([]);
        expect(hit?.entry).toEqual(entry);
        expect(hit?.score).toBeCloseTo(1, SCORE_DIGITS);
      });

      it('scores by cosine similarity, whatever the lengths of the stored and query vectors', async () => {
        const entry = anEntry();
        await index.upsert(MODEL, entry, atCosine(0.5, 7));

        const hits = await index.search(aSearch({ vector: AXIS.map((x) => x * 0.25) }));

        expect(ids(hits)).toEqual([entry.id]);
        expect(hits[0]?.score).toBeCloseTo(0.5, SCORE_DIGITS);
      });

      it('accepts Float32Array vectors for upsert and search', async () => {
        const entry = anEntry();
        await index.upsert(MODEL, entry, Float32Array.from(atCosine(0.6)));

        const hits = await index.search(aSearch({ vector: Float32Array.from(AXIS) }));

        expect(hits[0]?.score).toBeCloseTo(0.6, SCORE_DIGITS);
      });

      it("never returns another tenant's entry, even with an identical vector and context", async () => {
        const mine = anEntry({ tenant: 'acme' });
        const theirs = anEntry({ tenant: 'globex' });
        await upsertAll([mine, AXIS], [theirs, AXIS]);

        await expect(index.search(aSearch({ tenant: 'acme' })).then(ids)).resolves.toEqual([mine.id]);
        await expect(index.search(aSearch({ tenant: 'globex' })).then(ids)).resolves.toEqual([theirs.id]);
        await expect(index.search(aSearch({ tenant: 'initech' }))).resolves.toEqual([]);
      });

      it('never returns an entry of another context of the same tenant, even with an identical vector', async () => {
        const here = anEntry({ contextHash: sha256('system: you are a pirate') });
        const there = anEntry({ contextHash: sha256('system: you are a lawyer') });
        await upsertAll([here, AXIS], [there, AXIS]);

        const hits = await index.search(aSearch({ contextHash: here.contextHash }));

        expect(ids(hits)).toEqual([here.id]);
        await expect(index.search(aSearch({ contextHash: sha256('another context') }))).resolves.toEqual([]);
      });

      it('never returns an entry whose expiresAt is at or before now', async () => {
        const now = fixture.clock.now();
        const expiring = anEntry({ expiresAt: now + 5_000 });
        const later = anEntry({ expiresAt: now + 10_000 });
        await upsertAll([expiring, AXIS], [later, AXIS]);

        await expect(index.search(aSearch({ now: now + 4_999 })).then(ids)).resolves.toEqual(
          expect.arrayContaining([expiring.id, later.id]),
        );
        await expect(index.search(aSearch({ now: now + 5_000 })).then(ids)).resolves.toEqual([later.id]);
        await expect(index.search(aSearch({ now: now + 10_000 }))).resolves.toEqual([]);
      });

      it('does not return an entry that was already expired when it was upserted', async () => {
        await index.upsert(MODEL, anEntry({ expiresAt: fixture.clock.now() }), AXIS);

        await expect(index.search(aSearch())).resolves.toEqual([]);
      });

      it('honours minScore: candidates scoring below it are not returned', async () => {
        const exact = anEntry();
        const close = anEntry();
        const far = anEntry();
        await upsertAll([exact, atCosine(1)], [close, atCosine(0.9)], [far, atCosine(0.6)]);

        await expect(index.search(aSearch({ minScore: 0.8 })).then(ids)).resolves.toEqual([exact.id, close.id]);
        await expect(index.search(aSearch({ minScore: 0.95 })).then(ids)).resolves.toEqual([exact.id]);
      });

      it('returns at most limit candidates, best score first', async () => {
        const byScore = [0.8, 0.95, 0.75, 0.9, 0.85].map((cosine) => ({ cosine, entry: anEntry() }));
        await upsertAll(...byScore.map(({ cosine, entry }): [CacheEntry, number[]] => [entry, atCosine(cosine)]));

        const hits = await index.search(aSearch({ limit: 3 }));

        const best = [...byScore].sort((a, b) => b.cosine - a.cosine).slice(0, 3);
        expect(ids(hits)).toEqual(best.map(({ entry }) => entry.id));
        expect(hits.map((hit) => hit.score)).toEqual(best.map(({ cosine }) => expect.closeTo(cosine, SCORE_DIGITS)));
      });

      it('returns nothing for a model it has never stored', async () => {
        await index.upsert(MODEL, anEntry(), AXIS);

        await expect(index.search(aSearch({ model: 'never-written-model' }))).resolves.toEqual([]);
      });

      it("rejects a vector whose dimension differs from the model's", async () => {
        await index.upsert(MODEL, anEntry(), AXIS);

        await expect(index.upsert(MODEL, anEntry(), atCosine(1, 1, DIM + 1))).rejects.toThrow();
        await expect(index.search(aSearch({ vector: atCosine(1, 1, DIM - 1) }))).rejects.toThrow();
      });
    });

    describe('holds', () => {
      it("says whether the model's collection holds an entry of exactly this tenant and context", async () => {
        const entry = anEntry({ contextHash: sha256('system: you are a pirate') });
        // Nothing stored yet: no collection for the model at all.
        await expect(index.holds(MODEL, 'acme', entry.contextHash)).resolves.toBe(false);
        await index.upsert(MODEL, entry, AXIS);

        await expect(index.holds(MODEL, 'acme', entry.contextHash)).resolves.toBe(true);
        // Another context of the tenant, another tenant with the same context, another model's collection.
        await expect(index.holds(MODEL, 'acme', sha256('system: you are a lawyer'))).resolves.toBe(false);
        await expect(index.holds(MODEL, 'globex', entry.contextHash)).resolves.toBe(false);
        await expect(index.holds(OTHER_MODEL, 'acme', entry.contextHash)).resolves.toBe(false);
      });

      it('does not count an entry that was already expired when it was upserted', async () => {
        const entry = anEntry({ expiresAt: fixture.clock.now() - 1 });
        await index.upsert(MODEL, anEntry({ contextHash: sha256('elsewhere') }), AXIS);
        await index.upsert(MODEL, entry, AXIS);

        await expect(index.holds(MODEL, 'acme', entry.contextHash)).resolves.toBe(false);
      });
    });

    describe('upsert', () => {
      it('keeps one entry per id: upserting it again replaces its vector and its entry', async () => {
        const first = anEntry({ response: 'first' });
        const second = anEntry({ id: first.id, response: 'second' });
        await upsertAll([first, atCosine(1)], [second, atCosine(0)]);

        const hits = await index.search(aSearch({ vector: atCosine(0) }));

        expect(hits.map((hit) => hit.entry)).toEqual([second]);
        expect(hits[0]?.score).toBeCloseTo(1, SCORE_DIGITS);
        await expect(index.search(aSearch({ minScore: 0.5 }))).resolves.toEqual([]);
        await expect(index.count()).resolves.toBe(1);
      });

      it('moves an entry upserted again under another context', async () => {
        const first = anEntry({ contextHash: sha256('old context') });
        const moved = anEntry({ id: first.id, contextHash: sha256('new context') });
        await upsertAll([first, AXIS], [moved, AXIS]);

        await expect(index.search(aSearch({ contextHash: first.contextHash }))).resolves.toEqual([]);
        await expect(index.search(aSearch({ contextHash: moved.contextHash })).then(ids)).resolves.toEqual([moved.id]);
      });

      it("keeps each embedding model's entries in its own collection, with its own dimension", async () => {
        const inModel = anEntry();
        const inOther = anEntry();
        await index.upsert(MODEL, inModel, AXIS);
        await index.upsert(OTHER_MODEL, inOther, atCosine(1, 1, OTHER_DIM));

        await expect(index.search(aSearch()).then(ids)).resolves.toEqual([inModel.id]);
        await expect(
          index.search(aSearch({ model: OTHER_MODEL, vector: atCosine(1, 1, OTHER_DIM) })).then(ids),
        ).resolves.toEqual([inOther.id]);
        await expect(index.count()).resolves.toBe(2);
      });
    });

    describe('purge', () => {
      it('purges by tag only the entries of that tenant carrying the tag', async () => {
        const tagged1 = anEntry({ tags: ['product:123', 'doc:a'] });
        const tagged2 = anEntry({ tags: ['product:123'], contextHash: sha256('other context') });
        const untagged = anEntry({ tags: ['product:456'] });
        const otherTenant = anEntry({ tenant: 'globex', tags: ['product:123'] });
        await upsertAll([tagged1, AXIS], [tagged2, AXIS], [untagged, AXIS], [otherTenant, AXIS]);

        await expect(index.purge({ tenant: 'acme', tags: ['product:123'] })).resolves.toBe(2);
        await expect(found(tagged1, tagged2, untagged, otherTenant)).resolves.toEqual([untagged.id, otherTenant.id]);
      });

      it('purges entries carrying any of the given tags, each counted once', async () => {
        const a = anEntry({ tags: ['a'] });
        const b = anEntry({ tags: ['b'] });
        const both = anEntry({ tags: ['a', 'b'] });
        const neither = anEntry({ tags: ['c'] });
        await upsertAll([a, AXIS], [b, AXIS], [both, AXIS], [neither, AXIS]);

        await expect(index.purge({ tenant: 'acme', tags: ['a', 'b'] })).resolves.toBe(3);
        await expect(index.search(aSearch()).then(ids)).resolves.toEqual([neither.id]);
      });

      it('narrows a tag purge to the given namespace', async () => {
        const inNamespace = anEntry({ namespace: 'support', tags: ['product:123'] });
        const otherNamespace = anEntry({ namespace: 'sales', tags: ['product:123'] });
        const untagged = anEntry({ namespace: 'support', tags: [] });
        await upsertAll([inNamespace, AXIS], [otherNamespace, AXIS], [untagged, AXIS]);

        await expect(index.purge({ tenant: 'acme', tags: ['product:123'], namespace: 'support' })).resolves.toBe(1);
        await expect(index.search(aSearch()).then(ids)).resolves.toEqual(
          expect.arrayContaining([otherNamespace.id, untagged.id]),
        );
        await expect(index.count()).resolves.toBe(2);
      });

      it('purges a whole namespace of one tenant when only the namespace is given', async () => {
        const a = anEntry({ namespace: 'support', tags: ['x'] });
        const b = anEntry({ namespace: 'support', tags: [], contextHash: sha256('other context') });
        const otherNamespace = anEntry({ namespace: 'sales' });
        const otherTenant = anEntry({ tenant: 'globex', namespace: 'support' });
        await upsertAll([a, AXIS], [b, AXIS], [otherNamespace, AXIS], [otherTenant, AXIS]);

        await expect(index.purge({ tenant: 'acme', namespace: 'support' })).resolves.toBe(2);
        await expect(found(a, b, otherNamespace, otherTenant)).resolves.toEqual([otherNamespace.id, otherTenant.id]);
        await expect(index.purge({ tenant: 'acme', tags: ['x'] })).resolves.toBe(0);
      });

      it('treats an empty tag list like no tags', async () => {
        await index.upsert(MODEL, anEntry({ namespace: 'support' }), AXIS);

        await expect(index.purge({ tenant: 'acme', tags: [], namespace: 'support' })).resolves.toBe(1);
      });

      it('purges nothing for a selector with neither tags nor namespace', async () => {
        const entry = anEntry();
        await index.upsert(MODEL, entry, AXIS);

        await expect(index.purge({ tenant: 'acme' })).resolves.toBe(0);
        await expect(index.purge({ tenant: 'acme', tags: [] })).resolves.toBe(0);
        await expect(found(entry)).resolves.toEqual([entry.id]);
      });

      it("purges in every model's collection and counts each stored vector", async () => {
        const inModel = anEntry({ tags: ['doc:1'] });
        const inOther = anEntry({ tags: ['doc:1'] });
        const untouched = anEntry({ tags: ['doc:2'] });
        await index.upsert(MODEL, inModel, AXIS);
        await index.upsert(OTHER_MODEL, inOther, atCosine(1, 1, OTHER_DIM));
        await index.upsert(OTHER_MODEL, untouched, atCosine(1, 1, OTHER_DIM));

        await expect(index.purge({ tenant: 'acme', tags: ['doc:1'] })).resolves.toBe(2);
        await expect(index.search(aSearch())).resolves.toEqual([]);
        await expect(
          index.search(aSearch({ model: OTHER_MODEL, vector: atCosine(1, 1, OTHER_DIM) })).then(ids),
        ).resolves.toEqual([untouched.id]);
      });

      it('purges the entry and its backfilled copies through the $entry tag', async () => {
        const root = anEntry();
        const copy = anEntry({ aliasOf: root.id, tags: [entryTag(root.id)], contextHash: sha256('other context') });
        const unrelated = anEntry();
        await upsertAll([root, AXIS], [copy, AXIS], [unrelated, AXIS]);

        await expect(index.purge({ tenant: 'acme', tags: [entryTag(root.id)] })).resolves.toBe(2);
        await expect(found(root, copy, unrelated)).resolves.toEqual([unrelated.id]);
      });

      it('returns 0 when the same purge is repeated', async () => {
        await upsertAll([anEntry({ tags: ['product:9'] }), AXIS], [anEntry({ tags: ['product:9'] }), AXIS]);

        await expect(index.purge({ tenant: 'acme', tags: ['product:9'] })).resolves.toBe(2);
        await expect(index.purge({ tenant: 'acme', tags: ['product:9'] })).resolves.toBe(0);
      });

      it('does not count expired entries in a purge', async () => {
        const expiring = anEntry({ tags: ['t'], expiresAt: fixture.clock.now() + 1_000 });
        const live = anEntry({ tags: ['t'] });
        await upsertAll([expiring, AXIS], [live, AXIS]);
        fixture.clock.advance(1_000);

        await expect(index.purge({ tenant: 'acme', tags: ['t'] })).resolves.toBe(1);
        await expect(index.purge({ tenant: 'acme', tags: ['t'] })).resolves.toBe(0);
      });

      it('keeps tenants apart even when tenant and tag names contain separators', async () => {
        const first = anEntry({ tenant: 'a:b', tags: ['c'] });
        const second = anEntry({ tenant: 'a', tags: ['b:c'] });
        const third = anEntry({ tenant: 'a%3Ab', tags: ['c'] });
        await upsertAll([first, AXIS], [second, AXIS], [third, AXIS]);

        await expect(index.purge({ tenant: 'a:b', tags: ['c'] })).resolves.toBe(1);
        await expect(found(first, second, third)).resolves.toEqual([second.id, third.id]);
      });
    });

    describe('findSimilar', () => {
      it("finds the tenant's entries within the radius in every context and namespace, best first", async () => {
        const exact = anEntry({ contextHash: sha256('context a'), namespace: 'support' });
        const close = anEntry({ contextHash: sha256('context b'), namespace: 'sales' });
        const far = anEntry({ contextHash: sha256('context a'), namespace: 'support' });
        await upsertAll([exact, atCosine(1, 3)], [close, atCosine(0.9)], [far, atCosine(0.5)]);

        const matches = await index.findSimilar(aSimilarSearch({ minScore: 0.8 }));

        expect(matches).toEqual([
          { id: exact.id, rootId: exact.id, namespace: 'support', score: expect.closeTo(1, SCORE_DIGITS) },
          { id: close.id, rootId: close.id, namespace: 'sales', score: expect.closeTo(0.9, SCORE_DIGITS) },
        ]);
      });

      it("never finds another tenant's entry, even with an identical vector, context and namespace", async () => {
        const mine = anEntry({ tenant: 'acme' });
        const theirs = anEntry({ tenant: 'globex' });
        await upsertAll([mine, AXIS], [theirs, AXIS]);

        await expect(index.findSimilar(aSimilarSearch({ tenant: 'acme' })).then(similarIds)).resolves.toEqual([
          mine.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ tenant: 'globex' })).then(similarIds)).resolves.toEqual([
          theirs.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ tenant: 'initech' }))).resolves.toEqual([]);
      });

      it('narrows to the given namespace', async () => {
        const support = anEntry({ namespace: 'support' });
        const supportElsewhere = anEntry({ namespace: 'support', contextHash: sha256('other context') });
        const sales = anEntry({ namespace: 'sales' });
        await upsertAll([support, AXIS], [supportElsewhere, atCosine(0.95)], [sales, AXIS]);

        await expect(index.findSimilar(aSimilarSearch({ namespace: 'support' })).then(similarIds)).resolves.toEqual([
          support.id,
          supportElsewhere.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ namespace: 'sales' })).then(similarIds)).resolves.toEqual([
          sales.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ namespace: 'billing' }))).resolves.toEqual([]);
      });

      it('honours minScore', async () => {
        const a = anEntry();
        const b = anEntry();
        const c = anEntry();
        await upsertAll([a, atCosine(0.95)], [b, atCosine(0.85)], [c, atCosine(0.7)]);

        await expect(index.findSimilar(aSimilarSearch({ minScore: 0.9 })).then(similarIds)).resolves.toEqual([a.id]);
        await expect(index.findSimilar(aSimilarSearch({ minScore: 0.8 })).then(similarIds)).resolves.toEqual([
          a.id,
          b.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ minScore: 0 })).then(similarIds)).resolves.toEqual([
          a.id,
          b.id,
          c.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ minScore: 0.99 }))).resolves.toEqual([]);
      });

      it('never finds an entry whose expiresAt is at or before now', async () => {
        const now = fixture.clock.now();
        const expiring = anEntry({ expiresAt: now + 5_000 });
        const later = anEntry({ expiresAt: now + 10_000 });
        await upsertAll([expiring, AXIS], [later, atCosine(0.9)]);

        await expect(index.findSimilar(aSimilarSearch({ now: now + 4_999 })).then(similarIds)).resolves.toEqual([
          expiring.id,
          later.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ now: now + 5_000 })).then(similarIds)).resolves.toEqual([
          later.id,
        ]);
        await expect(index.findSimilar(aSimilarSearch({ now: now + 10_000 }))).resolves.toEqual([]);
      });

      it('returns at most limit entries, the best-scoring ones', async () => {
        const byScore = [0.82, 0.97, 0.88, 0.93, 0.85].map((cosine) => ({ cosine, entry: anEntry() }));
        await upsertAll(...byScore.map(({ cosine, entry }): [CacheEntry, number[]] => [entry, atCosine(cosine)]));

        const matches = await index.findSimilar(aSimilarSearch({ limit: 3 }));

        const best = [...byScore].sort((a, b) => b.cosine - a.cosine).slice(0, 3);
        expect(similarIds(matches)).toEqual(best.map(({ entry }) => entry.id));
        await expect(index.findSimilar(aSimilarSearch({ limit: 0 }))).resolves.toEqual([]);
      });

      it('gives a backfilled copy the id of the entry it was copied from as its root', async () => {
        const root = anEntry();
        const copy = anEntry({
          aliasOf: root.id,
          tags: ['doc:1', entryTag(root.id)],
          contextHash: sha256('other context'),
        });
        await upsertAll([root, AXIS], [copy, atCosine(0.9)]);

        const matches = await index.findSimilar(aSimilarSearch());

        expect(matches.map(({ id, rootId }) => ({ id, rootId }))).toEqual([
          { id: root.id, rootId: root.id },
          { id: copy.id, rootId: root.id },
        ]);
      });

      it("searches only the given model's collection", async () => {
        const inModel = anEntry();
        const inOther = anEntry();
        await index.upsert(MODEL, inModel, AXIS);
        await index.upsert(OTHER_MODEL, inOther, atCosine(1, 1, OTHER_DIM));

        await expect(index.findSimilar(aSimilarSearch()).then(similarIds)).resolves.toEqual([inModel.id]);
        await expect(
          index.findSimilar(aSimilarSearch({ model: OTHER_MODEL, vector: atCosine(1, 1, OTHER_DIM) })).then(similarIds),
        ).resolves.toEqual([inOther.id]);
        await expect(index.findSimilar(aSimilarSearch({ model: 'never-written-model' }))).resolves.toEqual([]);
        await expect(index.findSimilar(aSimilarSearch({ vector: atCosine(1, 1, DIM + 1) }))).rejects.toThrow();
      });

      it('no longer finds what a purge of its $entry tag removed', async () => {
        const purged = anEntry();
        const kept = anEntry();
        await upsertAll([purged, AXIS], [kept, atCosine(0.9)]);

        await expect(index.purge({ tenant: 'acme', tags: [entryTag(purged.id)] })).resolves.toBe(1);

        await expect(index.findSimilar(aSimilarSearch()).then(similarIds)).resolves.toEqual([kept.id]);
      });
    });

    describe('count', () => {
      it('counts live entries: upserts add, replaces do not, purges and expiry remove', async () => {
        await expect(index.count()).resolves.toBe(0);
        const short = anEntry({ expiresAt: fixture.clock.now() + 2_000 });
        const tagged = anEntry({ tags: ['p'] });
        const other = anEntry({ tenant: 'globex', namespace: 'sales' });
        await upsertAll([short, AXIS], [tagged, AXIS], [other, AXIS], [{ ...other, response: 'v2' }, AXIS]);
        await expect(index.count()).resolves.toBe(3);

        await index.purge({ tenant: 'acme', tags: ['p'] });
        await expect(index.count()).resolves.toBe(2);

        fixture.clock.advance(2_000);
        await expect(index.count()).resolves.toBe(1);
      });
    });

    it('answers ping while the backend is reachable', async () => {
      await expect(index.ping()).resolves.toBeUndefined();
    });
  });
}
