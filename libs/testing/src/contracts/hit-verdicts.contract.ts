import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type HitVerdicts, type VerdictSubject } from '@strata/cache-core';

export interface HitVerdictsFixture {
  readonly verdicts: HitVerdicts;
  teardown(): Promise<void>;
}

const BOUNDS = { minRaise: -0.05, maxRaise: 1 };

/** What every `HitVerdicts` adapter must do (memory, Redis). */
export function describeHitVerdictsContract(name: string, factory: () => Promise<HitVerdictsFixture>): void {
  describe(`${name} (HitVerdicts contract)`, () => {
    let fixture: HitVerdictsFixture;
    let verdicts: HitVerdicts;
    const entry: VerdictSubject = { id: 'e-1', createdAt: 1_000, expiresAt: Date.now() + 60_000 };
    const other: VerdictSubject = { id: 'e-2', createdAt: 2_000, expiresAt: Date.now() + 60_000 };
    beforeEach(async () => {
      fixture = await factory();
      verdicts = fixture.verdicts;
    });
    afterEach(() => fixture.teardown());

    it('knows nothing of an entry before a verdict', async () => {
      expect((await verdicts.read('acme', 'q-1', [entry])).size).toBe(0);
    });

    it('keeps a pairing verdict for that query only, with the entry record', async () => {
      await verdicts.setPair('acme', 'q-1', entry, 'verified');

      const states = await verdicts.read('acme', 'q-1', [entry, other]);
      expect(states.get('e-1')).toEqual({ pair: 'verified', trust: { wrong: 0, right: 0, raise: 0 } });
      expect(states.has('e-2')).toBe(false);
      expect((await verdicts.read('acme', 'q-2', [entry])).get('e-1')).toEqual({
        trust: { wrong: 0, right: 0, raise: 0 },
      });
    });

    it('never lifts a block with a later verdict', async () => {
      await verdicts.setPair('acme', 'q-1', entry, 'blocked');
      await verdicts.setPair('acme', 'q-1', entry, 'verified');

      expect((await verdicts.read('acme', 'q-1', [entry])).get('e-1')?.pair).toBe('blocked');
    });

    it('lets a judge verdict be replaced by a newer one', async () => {
      await verdicts.setPair('acme', 'q-1', entry, 'rejected');
      await verdicts.setPair('acme', 'q-1', entry, 'verified');

      expect((await verdicts.read('acme', 'q-1', [entry])).get('e-1')?.pair).toBe('verified');
    });

    it('adds to counts and clamps the raise', async () => {
      expect(await verdicts.adjust('acme', entry, { wrong: 1, raise: 0.02, ...BOUNDS })).toEqual({
        wrong: 1,
        right: 0,
        raise: 0.02,
      });
      expect(await verdicts.adjust('acme', entry, { right: 2, raise: -0.5, ...BOUNDS })).toEqual({
        wrong: 1,
        right: 2,
        raise: -0.05,
      });
      expect((await verdicts.read('acme', 'q-9', [entry])).get('e-1')?.trust).toEqual({
        wrong: 1,
        right: 2,
        raise: -0.05,
      });
    });

    it('starts afresh for a new entry with the same id (the old one was purged and stored again)', async () => {
      await verdicts.setPair('acme', 'q-1', entry, 'blocked');
      await verdicts.adjust('acme', entry, { wrong: 2, raise: 0.04, ...BOUNDS });
      const restored = { ...entry, createdAt: entry.createdAt + 1 };

      expect((await verdicts.read('acme', 'q-1', [restored])).size).toBe(0);
      expect(await verdicts.adjust('acme', restored, { wrong: 1, ...BOUNDS })).toEqual({
        wrong: 1,
        right: 0,
        raise: 0,
      });
    });

    it("counts audits per tenant's namespace, passed and failed, and lists every one audited", async () => {
      await verdicts.recordAudit('acme', 'default', true);
      await verdicts.recordAudit('acme', 'default', false);
      expect(await verdicts.recordAudit('acme', 'default', true)).toEqual({ audited: 3, failed: 1 });
      await verdicts.recordAudit('acme', 'docs:v2', false);
      // Another tenant's namespace of the same name counts apart (a tenant's audits never move another's bound).
      expect(await verdicts.recordAudit('globex', 'default', false)).toEqual({ audited: 1, failed: 1 });
      // Names that a separator would confuse stay apart too.
      await verdicts.recordAudit('a/b', 'c', true);
      await verdicts.recordAudit('a', 'b/c', false);

      const byScope = <T extends { tenant: string; namespace: string }>(rows: readonly T[]) =>
        [...rows].sort((x, y) => `${x.tenant}\u0000${x.namespace}`.localeCompare(`${y.tenant}\u0000${y.namespace}`));
      expect(byScope(await verdicts.auditCounts())).toEqual(
        byScope([
          { tenant: 'acme', namespace: 'default', audited: 3, failed: 1 },
          { tenant: 'acme', namespace: 'docs:v2', audited: 1, failed: 1 },
          { tenant: 'globex', namespace: 'default', audited: 1, failed: 1 },
          { tenant: 'a/b', namespace: 'c', audited: 1, failed: 0 },
          { tenant: 'a', namespace: 'b/c', audited: 1, failed: 1 },
        ]),
      );
    });

    it("counts judge verdicts per similarity band of a tenant's namespace, and returns every band of it", async () => {
      expect((await verdicts.bandCounts('acme', 'default')).size).toBe(0);
      await verdicts.recordBand('acme', 'default', 47, false);
      await verdicts.recordBand('acme', 'default', 47, true);
      expect(await verdicts.recordBand('acme', 'default', 48, false)).toEqual(
        new Map([
          [47, { judged: 2, wrong: 1 }],
          [48, { judged: 1, wrong: 0 }],
        ]),
      );
      await verdicts.recordBand('acme', 'docs:v2', 47, true);
      await verdicts.recordBand('globex', 'default', 47, true);

      expect(await verdicts.bandCounts('acme', 'default')).toEqual(
        new Map([
          [47, { judged: 2, wrong: 1 }],
          [48, { judged: 1, wrong: 0 }],
        ]),
      );
      expect(await verdicts.bandCounts('globex', 'default')).toEqual(new Map([[47, { judged: 1, wrong: 1 }]]));
    });

    it("keeps tenants apart: one tenant's verdicts never apply to another's entry with the same id", async () => {
      await verdicts.setPair('acme', 'q-1', entry, 'blocked');
      await verdicts.adjust('acme', entry, { wrong: 1, raise: 0.1, ...BOUNDS });

      expect((await verdicts.read('globex', 'q-1', [entry])).size).toBe(0);
    });
  });
}
