import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type ProcessedEvents, type PurgeGenerations } from '@strata/cache-core';

export interface PurgeGenerationsFixture {
  readonly generations: PurgeGenerations;
  /** The adapter's clock; the fixture builds it with a retention of `RETENTION_MS`. */
  readonly clock: { advance(ms: number): void };
  teardown(): Promise<void>;
}

/** The retention the contract's fixtures configure. */
export const RETENTION_MS = 60_000;

/** What every `PurgeGenerations` adapter must do (memory, Redis). */
export function describePurgeGenerationsContract(name: string, factory: () => Promise<PurgeGenerationsFixture>): void {
  describe(`${name} (PurgeGenerations contract)`, () => {
    let fixture: PurgeGenerationsFixture;
    beforeEach(async () => (fixture = await factory()));
    afterEach(() => fixture.teardown());

    it('starts every tenant at generation 0 with nothing stamped', async () => {
      expect(await fixture.generations.current('acme')).toBe(0);
      expect(await fixture.generations.latest('acme', ['t:a', 'n:default'])).toBe(0);
      expect(await fixture.generations.latest('acme', [])).toBe(0);
    });

    it('advances the sequence on every purge and stamps it on the purged fields only', async () => {
      expect(await fixture.generations.advance('acme', ['t:a'])).toBe(1);
      expect(await fixture.generations.advance('acme', ['t:b', 'n:docs'])).toBe(2);
      expect(await fixture.generations.current('acme')).toBe(2);
      expect(await fixture.generations.latest('acme', ['t:a'])).toBe(1);
      expect(await fixture.generations.latest('acme', ['t:a', 't:b'])).toBe(2);
      expect(await fixture.generations.latest('acme', ['n:docs'])).toBe(2);
      expect(await fixture.generations.latest('acme', ['t:c'])).toBe(0);
    });

    it('keeps tenants apart', async () => {
      await fixture.generations.advance('acme', ['t:a']);
      expect(await fixture.generations.current('globex')).toBe(0);
      expect(await fixture.generations.latest('globex', ['t:a'])).toBe(0);
      expect(await fixture.generations.advance('globex', ['t:a'])).toBe(1);
    });

    it('forgets a field once its last purge is older than the retention, never the sequence', async () => {
      await fixture.generations.advance('acme', ['t:old']);
      fixture.clock.advance(RETENTION_MS / 2);
      await fixture.generations.advance('acme', ['t:recent']);
      fixture.clock.advance(RETENTION_MS / 2 + 1);
      await fixture.generations.advance('acme', ['t:new']);
      expect(await fixture.generations.latest('acme', ['t:old'])).toBe(0);
      expect(await fixture.generations.latest('acme', ['t:recent'])).toBe(2);
      expect(await fixture.generations.current('acme')).toBe(3);
    });

    it('keeps tenants apart even when their names contain the separator', async () => {
      await fixture.generations.advance('a:b', ['t:c']);
      expect(await fixture.generations.latest('a', ['b:t:c', 't:c'])).toBe(0);
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
