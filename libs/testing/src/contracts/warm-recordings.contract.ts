import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type WarmRecording, type WarmRecordings } from '@strata/cache-core';

export interface WarmRecordingsFixture {
  readonly recordings: WarmRecordings;
  /** Moves the adapter's clock forward (Redis: waits, so keep it short). */
  readonly advance: (ms: number) => Promise<void>;
  readonly teardown: () => Promise<void>;
}

function recording(entryId: string, overrides: Partial<WarmRecording> = {}): WarmRecording {
  return {
    entryId,
    namespace: 'docs',
    version: 1,
    api: 'openai',
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `question ${entryId}` }] }),
    tags: ['product:1'],
    ...overrides,
  };
}

/** The behaviour every `WarmRecordings` adapter keeps (memory, Redis, Redis Cluster). */
export function describeWarmRecordingsContract(name: string, setup: () => Promise<WarmRecordingsFixture>): void {
  describe(`${name} (WarmRecordings contract)`, () => {
    let fixture: WarmRecordingsFixture;
    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      await fixture.teardown();
    });

    it('gives back the recordings it keeps, by entry id, and nothing for unknown ids', async () => {
      const { recordings } = fixture;
      await recordings.record('acme', recording('a'), 60);
      await recordings.record('acme', recording('b', { api: 'anthropic', tags: [] }), 60);
      const found = await recordings.get('acme', ['a', 'b', 'missing']);
      expect([...found.keys()].sort()).toEqual(['a', 'b']);
      expect(found.get('a')).toEqual(recording('a'));
      expect(found.get('b')).toEqual(recording('b', { api: 'anthropic', tags: [] }));
      expect((await recordings.get('acme', [])).size).toBe(0);
    });

    it("never gives one tenant another tenant's recordings", async () => {
      const { recordings } = fixture;
      await recordings.record('acme', recording('a'), 60);
      expect((await recordings.get('globex', ['a'])).size).toBe(0);
    });

    it('forgets a recording once its entry would have expired', async () => {
      const { recordings, advance } = fixture;
      await recordings.record('acme', recording('a'), 1);
      await advance(1_100);
      expect((await recordings.get('acme', ['a'])).size).toBe(0);
    });

    it('remembers the first version a namespace was recorded at, per tenant, until it is marked seen at another', async () => {
      const { recordings } = fixture;
      await recordings.record('acme', recording('a', { version: 1 }), 60);
      await recordings.record('acme', recording('b', { version: 2 }), 60);
      await recordings.markSeen('globex', 'docs', 3, true);
      await recordings.markSeen('globex', 'docs', 4, true);
      const sorted = async () =>
        (await recordings.seenVersions())
          .filter((v) => v.tenant === 'acme' || v.tenant === 'globex')
          .sort((x, y) => x.tenant.localeCompare(y.tenant));
      expect(await sorted()).toEqual([
        { tenant: 'acme', namespace: 'docs', version: 1 },
        { tenant: 'globex', namespace: 'docs', version: 3 },
      ]);
      await recordings.markSeen('acme', 'docs', 2, false);
      expect((await sorted())[0]).toEqual({ tenant: 'acme', namespace: 'docs', version: 2 });
    });

    it('lets exactly one caller claim a (tenant, namespace, version) until the claim expires', async () => {
      const { recordings, advance } = fixture;
      const claims = await Promise.all([1, 2, 3].map(() => recordings.claim('acme', 'docs', 2, 1)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await recordings.claim('acme', 'docs', 3, 1)).toBe(true);
      expect(await recordings.claim('globex', 'docs', 2, 1)).toBe(true);
      await advance(1_100);
      expect(await recordings.claim('acme', 'docs', 2, 1)).toBe(true);
    });
  });
}
