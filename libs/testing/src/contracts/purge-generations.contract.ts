import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type PurgeGenerations } from '@strata/cache-core';
import { type ProcessedEvents } from '@strata/invalidation';

export interface PurgeGenerationsFixture {
  readonly generations: PurgeGenerations;
  /** The adapter's clock; the fixture builds it with `RETENTION_MS` and `MAX_FIELDS_PER_TENANT`. */
  readonly clock: { advance(ms: number): void };
  /** Loses every tenant's state, as a restart without persistence or an eviction would. */
  loseState(): Promise<void>;
  teardown(): Promise<void>;
}

/** The retention the contract's fixtures configure. */
export const RETENTION_MS = 60_000;
/** The per-tenant cap the contract's fixtures configure. */
export const MAX_FIELDS_PER_TENANT = 4;

/** What every `PurgeGenerations` adapter must do (memory, Redis). */
export function describePurgeGenerationsContract(name: string, factory: () => Promise<PurgeGenerationsFixture>): void {
  describe(`${name} (PurgeGenerations contract)`, () => {
    let fixture: PurgeGenerationsFixture;
    let generations: PurgeGenerations;
    beforeEach(async () => {
      fixture = await factory();
      generations = fixture.generations;
    });
    afterEach(() => fixture.teardown());

    it('starts a tenant at its epoch: the first ticket is the floor, nothing is stamped above it', async () => {
      const start = await generations.current('acme');
      expect(start).toBeGreaterThan(0);
      expect(await generations.latest('acme', ['t:a', 'n:default'])).toBe(start);
      expect(await generations.latest('acme', [])).toBe(start);
      expect(await generations.current('acme')).toBe(start);
    });

    it('advances the sequence on every purge and stamps it on the purged fields only', async () => {
      const start = await generations.current('acme');
      expect(await generations.advance('acme', ['t:a'])).toBe(start + 1);
      expect(await generations.advance('acme', ['t:b', 'n:docs'])).toBe(start + 2);
      expect(await generations.current('acme')).toBe(start + 2);
      expect(await generations.latest('acme', ['t:a'])).toBe(start + 1);
      expect(await generations.latest('acme', ['t:a', 't:b'])).toBe(start + 2);
      expect(await generations.latest('acme', ['n:docs'])).toBe(start + 2);
      expect(await generations.latest('acme', ['t:c'])).toBe(start);
    });

    it('keeps tenants apart', async () => {
      const acme = await generations.advance('acme', ['t:a']);
      const globex = await generations.current('globex');
      expect(await generations.latest('globex', ['t:a'])).toBe(globex);
      expect(await generations.advance('globex', ['t:a'])).toBe(globex + 1);
      expect(await generations.latest('acme', ['t:a'])).toBe(acme);
    });

    it('keeps tenants apart even when their names contain the separator or hash-tag braces', async () => {
      for (const tenant of ['a:b', 'a}b', '{a}']) await generations.advance(tenant, ['t:c']);
      for (const tenant of ['a', 'b', 'a:b:t', '{a']) {
        expect(await generations.latest(tenant, ['b:t:c', 't:c', '}b:t:c'])).toBe(await generations.current(tenant));
      }
    });

    it('stores fields faithfully: lone surrogates are distinct fields, not one replacement character', async () => {
      const start = await generations.current('acme');
      await generations.advance('acme', ['t:\ud800']);
      expect(await generations.latest('acme', ['t:\ud800'])).toBe(start + 1);
      expect(await generations.latest('acme', ['t:\ud801'])).toBe(start);
      expect(await generations.latest('acme', ['t:\ufffd'])).toBe(start);
    });

    it('folds a field forgotten after the retention into the floor: what it made stale stays stale', async () => {
      const old = await generations.advance('acme', ['t:old']);
      fixture.clock.advance(RETENTION_MS / 2);
      const recent = await generations.advance('acme', ['t:recent']);
      fixture.clock.advance(RETENTION_MS / 2 + 1);
      await generations.advance('acme', ['t:new']);
      expect(await generations.latest('acme', ['t:old'])).toBe(old);
      expect(await generations.latest('acme', ['t:never'])).toBe(old);
      expect(await generations.latest('acme', ['t:recent'])).toBe(recent);
      expect(await generations.current('acme')).toBe(recent + 1);
    });

    it('keeps at most the cap of fields per tenant, folding the oldest into the floor', async () => {
      const stamped: number[] = [];
      for (let i = 1; i <= MAX_FIELDS_PER_TENANT + 2; i++) stamped.push(await generations.advance('acme', [`t:${i}`]));
      // t:1 and t:2 were forgotten: the floor is t:2's generation.
      expect(await generations.latest('acme', ['t:1'])).toBe(stamped[1]);
      expect(await generations.latest('acme', ['t:unrelated'])).toBe(stamped[1]);
      for (let i = 3; i <= MAX_FIELDS_PER_TENANT + 2; i++)
        expect(await generations.latest('acme', [`t:${i}`])).toBe(stamped[i - 1]);

      const many = Array.from({ length: MAX_FIELDS_PER_TENANT * 3 }, (_, i) => `t:bulk-${i}`);
      const bulk = await generations.advance('acme', many);
      // One purge with more fields than the cap: every older entry of the tenant is stale.
      expect(await generations.latest('acme', ['t:unrelated'])).toBe(bulk);
      expect(await generations.latest('acme', [many[0] ?? ''])).toBe(bulk);
      expect(await generations.latest('globex', ['t:unrelated'])).toBe(await generations.current('globex'));
    });

    it('starts a new epoch when the state is lost: every earlier generation is below the new floor', async () => {
      const start = await generations.current('acme');
      const purged = await generations.advance('acme', ['t:price']);
      const ticket = await generations.current('acme');
      fixture.clock.advance(1);
      await fixture.loseState();

      const floor = await generations.latest('acme', ['t:unrelated']);
      expect(floor).toBeGreaterThan(Math.max(start, purged, ticket));
      expect(await generations.latest('acme', ['t:price'])).toBe(floor);
      expect(await generations.current('acme')).toBe(floor);
      expect(await generations.advance('acme', ['t:price'])).toBe(floor + 1);
    });
  });
}

export interface ProcessedEventsFixture {
  readonly events: ProcessedEvents;
  teardown(): Promise<void>;
}

/** What every `ProcessedEvents` adapter must do (memory, Redis). */
export function describeProcessedEventsContract(name: string, factory: () => Promise<ProcessedEventsFixture>): void {
  describe(`${name} (ProcessedEvents contract)`, () => {
    let fixture: ProcessedEventsFixture;
    beforeEach(async () => (fixture = await factory()));
    afterEach(() => fixture.teardown());

    it('remembers applied events per tenant', async () => {
      expect(await fixture.events.has('acme', 'evt-1')).toBe(false);
      await fixture.events.add('acme', 'evt-1');
      expect(await fixture.events.has('acme', 'evt-1')).toBe(true);
      expect(await fixture.events.has('globex', 'evt-1')).toBe(false);
      expect(await fixture.events.has('acme', 'evt-2')).toBe(false);
    });
  });
}
