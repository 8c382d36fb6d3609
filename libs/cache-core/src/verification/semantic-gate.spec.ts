import { type L1EvictEvent, type L1Evictions } from '@strata/contracts';
import { type GateCandidate, type GateRequest, NO_VERIFICATION_TELEMETRY, SemanticGate } from './semantic-gate';
import { FakeHitVerdicts, FakeJudge, TEST_GATE_OPTIONS, entry } from './verification.fakes';

const THRESHOLD = 0.9;
const stored = entry('e-1', 'how do I reset my password');
const request = (verification?: GateRequest['verification']): GateRequest => ({
  tenant: 'acme',
  namespace: 'default',
  exactKey: 'key-q',
  query: 'how can I reset my password',
  ...(verification ? { verification } : {}),
});
const candidate = (
  similarity: number,
  reason = similarity >= THRESHOLD ? 'match' : 'below-threshold',
): GateCandidate => ({
  entry: stored,
  cosine: 0.9,
  similarity,
  reason,
});

/** The L1-eviction broadcast as gateways would receive it (or failing, when told). */
class FakeEvictions implements L1Evictions {
  readonly events: L1EvictEvent[] = [];
  failing = false;

  broadcast(event: L1EvictEvent): Promise<void> {
    if (this.failing) return Promise.reject(new Error('broker down'));
    this.events.push(event);
    return Promise.resolve();
  }
}

function setup(
  judge?: FakeJudge,
  options: { random?: number; callsPerSecond?: number; verdicts?: FakeHitVerdicts; now?: () => number } = {},
) {
  const verdicts = options.verdicts ?? new FakeHitVerdicts();
  const evictions = new FakeEvictions();
  const sut = new SemanticGate(
    verdicts,
    judge,
    NO_VERIFICATION_TELEMETRY,
    {
      ...TEST_GATE_OPTIONS,
      judgeCallsPerSecond: options.callsPerSecond ?? 100,
      now: options.now ?? Date.now,
      random: () => options.random ?? 0,
    },
    evictions,
  );
  return { sut, verdicts, evictions };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe(SemanticGate.name, () => {
  it('accepts what the similarity accepts when nothing is known of the pairing', async () => {
    const { sut } = setup();
    expect(await sut.gate(request(), [candidate(0.95)], THRESHOLD)).toEqual([
      expect.objectContaining({ similarity: 0.95, verified: false }),
    ]);
  });

  it('never serves a pairing a client blocked, however similar', async () => {
    const { sut, verdicts } = setup();
    await verdicts.setPair('acme', 'key-q', { id: 'e-1', createdAt: 1_000, expiresAt: 0 }, 'blocked');

    expect((await sut.gate(request(), [candidate(0.99)], THRESHOLD))[0]?.similarity).toBe(0);
    expect(await sut.refused('acme', 'key-q', stored)).toBe(true);
    expect(await sut.refused('acme', 'key-other', stored)).toBe(false);
  });

  it("applies the entry's own raised threshold", async () => {
    const { sut, verdicts } = setup();
    await verdicts.adjust(
      'acme',
      { id: 'e-1', createdAt: 1_000, expiresAt: 0 },
      { raise: 0.06, minRaise: -1, maxRaise: 1 },
    );

    expect((await sut.gate(request(), [candidate(0.95)], THRESHOLD))[0]?.similarity).toBe(0);
    expect((await sut.gate(request(), [candidate(0.97)], THRESHOLD))[0]?.similarity).toBe(0.97);
  });

  it('keeps a veto a veto: the judge is never asked about it', async () => {
    const judge = new FakeJudge(() => Promise.resolve(true));
    const { sut } = setup(judge);

    const gated = await sut.gate(request({ judge: 'inline' }), [candidate(0, 'negation-mismatch')], THRESHOLD);
    expect(gated[0]?.similarity).toBe(0);
    expect(judge.calls).toHaveLength(0);
  });

  describe('inline judge', () => {
    it('serves a borderline candidate the judge confirms, marked verified, and remembers the verdict', async () => {
      const judge = new FakeJudge(() => Promise.resolve(true));
      const { sut } = setup(judge);

      const gated = await sut.gate(request({ judge: 'inline' }), [candidate(0.85)], THRESHOLD);
      expect(gated[0]).toEqual(expect.objectContaining({ similarity: 0.85, verified: true }));
      // The same question again: decided from the stored verdict, no second call.
      const again = await sut.gate(request({ judge: 'inline' }), [candidate(0.85)], THRESHOLD);
      expect(again[0]?.verified).toBe(true);
      expect(judge.calls).toHaveLength(1);
    });

    it.each([
      ['says no', () => Promise.resolve(false)],
      ['answers garbage (no verdict)', () => Promise.resolve(undefined)],
      ['fails', () => Promise.reject(new Error('500'))],
      ['hangs past the timeout', () => new Promise<boolean>(() => undefined)],
    ])('misses when the judge %s', async (_, answer) => {
      const judge = new FakeJudge(answer);
      const { sut } = setup(judge);

      const gated = await sut.gate(request({ judge: 'inline' }), [candidate(0.85)], THRESHOLD);
      expect(gated[0]?.similarity).toBe(0);
    });

    it('does not ask below the lower bound, nor when a candidate is accepted already', async () => {
      const judge = new FakeJudge(() => Promise.resolve(true));
      const { sut } = setup(judge);
      const other = { ...candidate(0.95), entry: entry('e-2', 'reset password how') };

      await sut.gate(request({ judge: 'inline' }), [candidate(0.7)], THRESHOLD);
      await sut.gate(request({ judge: 'inline' }), [candidate(0.85), other], THRESHOLD);
      expect(judge.calls).toHaveLength(0);
    });

    it("stops asking once the tenant's calls per second are spent", async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut } = setup(judge, { callsPerSecond: 2 });

      for (let i = 0; i < 5; i++)
        await sut.gate({ ...request({ judge: 'inline' }), exactKey: `q-${i}` }, [candidate(0.85)], THRESHOLD);
      expect(judge.calls).toHaveLength(2);
    });
  });

  describe('judge spend', () => {
    it('counts each judge call and the tokens it reported per tenant and namespace, failed calls included', async () => {
      let fail = false;
      const judge = new FakeJudge(() =>
        fail
          ? Promise.reject(new Error('500'))
          : Promise.resolve({ same: false, usage: { inputTokens: 90, outputTokens: 6 } }),
      );
      const { sut } = setup(judge);

      await sut.gate(request({ judge: 'inline' }), [candidate(0.85)], THRESHOLD);
      await sut.gate({ ...request({ judge: 'inline' }), exactKey: 'q-2' }, [candidate(0.85)], THRESHOLD);
      fail = true;
      await sut.gate(
        { ...request({ judge: 'inline' }), exactKey: 'q-3', namespace: 'docs' },
        [candidate(0.85)],
        THRESHOLD,
      );
      await sut.gate(
        { ...request({ judge: 'inline' }), exactKey: 'q-4', tenant: 'globex' },
        [candidate(0.85)],
        THRESHOLD,
      );

      expect((await sut.snapshot()).judgeCalls).toBe(4);
      expect((await sut.snapshot()).judgeSpend).toEqual(
        expect.arrayContaining([
          { tenant: 'acme', namespace: 'default', calls: 2, inputTokens: 180, outputTokens: 12 },
          { tenant: 'acme', namespace: 'docs', calls: 1, inputTokens: 0, outputTokens: 0 },
          { tenant: 'globex', namespace: 'default', calls: 1, inputTokens: 0, outputTokens: 0 },
        ]),
      );
      expect((await sut.snapshot()).judgeSpend).toHaveLength(3);
    });

    it('counts an audit call for the namespace of the served hit', async () => {
      const judge = new FakeJudge(() => Promise.resolve({ same: true, usage: { inputTokens: 80, outputTokens: 5 } }));
      const { sut } = setup(judge);

      sut.served(request({ auditShare: 1 }), { entry: stored, cosine: 0.9, similarity: 0.95, verified: false });
      await flush();

      expect((await sut.snapshot()).judgeSpend).toEqual([
        { tenant: 'acme', namespace: 'default', calls: 1, inputTokens: 80, outputTokens: 5 },
      ]);
    });
  });

  describe('learn judge', () => {
    it('misses now and serves the same question once the judge said yes', async () => {
      const judge = new FakeJudge(() => Promise.resolve(true));
      const { sut } = setup(judge);

      expect((await sut.gate(request({ judge: 'learn' }), [candidate(0.85)], THRESHOLD))[0]?.similarity).toBe(0);
      await flush();
      const next = await sut.gate(request({ judge: 'learn' }), [candidate(0.85)], THRESHOLD);
      expect(next[0]).toEqual(expect.objectContaining({ similarity: 0.85, verified: true }));
    });
  });

  describe('audits', () => {
    it('raises the entry threshold and rejects the pairing when an audit fails', async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut, verdicts } = setup(judge);
      const policy = { maxWrongHitRate: 0.05, auditShare: 1 };

      sut.served(request(policy), { entry: stored, cosine: 0.9, similarity: 0.95, verified: false });
      await flush();

      expect(verdicts.trust.get('acme|e-1')?.raise).toBeCloseTo(0.02);
      expect((await sut.gate(request(policy), [candidate(0.99)], THRESHOLD))[0]?.similarity).toBe(0);
      expect((await sut.snapshot()).namespaces['acme/default']).toMatchObject({
        audited: 1,
        failed: 1,
        rate: 1,
        target: 0.05,
      });
    });

    it("makes every gateway evict the entry from L1 when an audit rejects a served pairing, like feedback's block", async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut, evictions } = setup(judge);

      sut.served(request({ auditShare: 1 }), { entry: stored, cosine: 0.9, similarity: 0.95, verified: false });
      await flush();

      expect(evictions.events).toEqual([{ tenant: 'acme', tags: ['$entry:e-1'] }]);
    });

    it("evicts the root entry's copies when the audited hit was a backfilled copy", async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut, evictions } = setup(judge);
      const copy = entry('e-copy', 'how do I reset my password', { aliasOf: 'e-1' });

      sut.served(request({ auditShare: 1 }), { entry: copy, cosine: 0.9, similarity: 0.95, verified: false });
      await flush();

      expect(evictions.events).toEqual([{ tenant: 'acme', tags: ['$entry:e-1'] }]);
    });

    it('evicts nothing when an audit passes, and still records a failed one when the broadcast fails', async () => {
      let same = true;
      const judge = new FakeJudge(() => Promise.resolve(same));
      const { sut, evictions, verdicts } = setup(judge);
      const hit = { entry: stored, cosine: 0.9, similarity: 0.95, verified: false };

      sut.served(request({ auditShare: 1 }), hit);
      await flush();
      expect(evictions.events).toEqual([]);

      same = false;
      evictions.failing = true;
      sut.served({ ...request({ auditShare: 1 }), exactKey: 'key-other' }, hit);
      await flush();
      expect(verdicts.pairs.get('acme|key-other|e-1')).toBe('rejected');
      expect((await sut.snapshot()).namespaces['acme/default']).toMatchObject({ audited: 2, failed: 1 });
    });

    it('keeps the wrong-hit bound in the verdict store: a restarted or another replica continues from its counts', async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut, verdicts } = setup(judge);
      const hit = { entry: stored, cosine: 0.9, similarity: 0.95, verified: false };
      sut.served(request({ maxWrongHitRate: 0.05, auditShare: 1 }), hit);
      await flush();

      const replica = new SemanticGate(verdicts, judge, NO_VERIFICATION_TELEMETRY, TEST_GATE_OPTIONS);
      expect((await replica.snapshot()).namespaces['acme/default']).toMatchObject({ audited: 1, failed: 1 });
      replica.served({ ...request({ maxWrongHitRate: 0.05, auditShare: 1 }), exactKey: 'key-other' }, hit);
      await flush();
      expect((await replica.snapshot()).namespaces['acme/default']).toMatchObject({
        audited: 2,
        failed: 2,
        target: 0.05,
      });
      expect((await sut.snapshot()).namespaces['acme/default']).toMatchObject({ audited: 2, failed: 2 });
    });

    it("applies an audit decided elsewhere (a gateway's shadow call) exactly as a judge audit, even without a judge", async () => {
      const { sut, verdicts, evictions } = setup();
      const policy = { maxWrongHitRate: 0.05 };

      await sut.auditResult(request(policy), stored, 0.95, false);
      await sut.auditResult({ ...request(policy), exactKey: 'key-other' }, stored, 0.95, true);

      expect(verdicts.pairs.get('acme|key-q|e-1')).toBe('rejected');
      expect(verdicts.pairs.get('acme|key-other|e-1')).toBe('verified');
      expect(verdicts.trust.get('acme|e-1')?.raise).toBeCloseTo(0.02);
      expect(evictions.events).toEqual([{ tenant: 'acme', tags: ['$entry:e-1'] }]);
      expect((await sut.gate(request(policy), [candidate(0.99)], THRESHOLD))[0]?.similarity).toBe(0);
      expect((await sut.snapshot()).namespaces['acme/default']).toMatchObject({ audited: 2, failed: 1, target: 0.05 });
    });

    it('leaves a namespace audited by shadow calls to the gateway: the judge does not audit its hits too', async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut } = setup(judge);

      sut.served(request({ auditShare: 1, audit: 'shadow' }), {
        entry: stored,
        cosine: 0.9,
        similarity: 0.95,
        verified: false,
      });
      await flush();

      expect(judge.calls).toEqual([]);
    });

    it('lowers the entry threshold on a pass only while the bound holds', async () => {
      const judge = new FakeJudge(() => Promise.resolve(true));
      const { sut, verdicts } = setup(judge);
      const hit = { entry: stored, cosine: 0.9, similarity: 0.95, verified: false };

      sut.served({ ...request({ maxWrongHitRate: 0.05, auditShare: 1 }), exactKey: 'q-a' }, hit);
      await flush();
      expect(verdicts.trust.get('acme|e-1')).toBeUndefined();
      sut.served({ ...request({ auditShare: 1 }), exactKey: 'q-b' }, hit);
      await flush();
      expect(verdicts.trust.get('acme|e-1')?.raise).toBeCloseTo(-0.002);
    });

    it('audits nothing without a share, and never a judge-verified hit', async () => {
      const judge = new FakeJudge(() => Promise.resolve(true));
      const { sut } = setup(judge);

      sut.served(request({ maxWrongHitRate: 0.05 }), { entry: stored, cosine: 0.9, similarity: 0.95, verified: false });
      sut.served(request({ auditShare: 1 }), { entry: stored, cosine: 0.9, similarity: 0.85, verified: true });
      await flush();
      expect(judge.calls).toHaveLength(0);
      expect(await sut.snapshot()).toMatchObject({ verifiedHits: 1, judgeCalls: 0 });
    });
  });

  describe('with a wrong-hit target: trust is earned before similarity alone serves', () => {
    const bound = { judge: 'learn' as const, maxWrongHitRate: 0.02, auditShare: 1 };
    /** The band of similarity 0.95 (width 0.02: from 0.94) proved by `passes` yes verdicts. */
    const prove = async (verdicts: FakeHitVerdicts, passes: number) => {
      for (let i = 0; i < passes; i++) await verdicts.recordBand('acme', 'default', 47, false);
    };

    it('serves nothing on similarity alone from the first request: the judge decides, a yes hits the next time', async () => {
      const judge = new FakeJudge(() => Promise.resolve(true));
      const { sut, verdicts } = setup(judge);

      // 0.99 is well over the threshold (0.9), but no verdict has proved its band yet.
      expect((await sut.gate(request(bound), [candidate(0.99)], THRESHOLD))[0]?.similarity).toBe(0);
      await flush();
      expect(judge.calls).toHaveLength(1);
      expect(await sut.gate(request(bound), [candidate(0.99)], THRESHOLD)).toEqual([
        expect.objectContaining({ similarity: 0.99, verified: true }),
      ]);
      expect(verdicts.bands.get('acme|default')).toEqual(new Map([[49, { judged: 1, wrong: 0 }]]));
    });

    it('keeps serving the same words (similarity 1) at once: they are not a semantic guess', async () => {
      const { sut } = setup(new FakeJudge(() => Promise.resolve(true)));

      expect((await sut.gate(request(bound), [candidate(1)], THRESHOLD))[0]?.similarity).toBe(1);
    });

    it('serves on similarity alone in a band once its wrong rate has a 95% upper bound under the target', async () => {
      const judge = new FakeJudge(() => Promise.resolve(true));
      const { sut, verdicts } = setup(judge);
      await prove(verdicts, 120);
      expect(
        (await sut.gate({ ...request(bound), exactKey: 'q-1' }, [candidate(0.95)], THRESHOLD))[0]?.similarity,
      ).toBe(0);

      const later = setup(judge, { verdicts });
      await prove(verdicts, 20);
      // 0 wrong of 140: the upper bound is 1.9%, under 2%. Below the static threshold too: the band is what is proved.
      const lower = { ...candidate(0.941), entry: entry('e-2', 'how to reset my password') };
      const gated = await later.sut.gate({ ...request(bound), exactKey: 'q-2' }, [candidate(0.95), lower], 0.97);
      expect(gated.map((g) => g.similarity)).toEqual([0.95, 0.941]);
      expect((await later.sut.bandStates('acme', 'default', 0.02)).find((b) => b.from === 0.94)).toMatchObject({
        judged: 141, // with the judge's yes on q-1
        wrong: 0,
        open: true,
      });
      // The band below (0.92–0.94) has no verdicts: closed.
      expect(
        (await later.sut.gate({ ...request(bound), exactKey: 'q-3' }, [candidate(0.93)], 0.9))[0]?.similarity,
      ).toBe(0);
      // What the operator's stats show: the namespace's target and each band, the proved one open.
      const { bands } = await later.sut.snapshot();
      expect(Object.keys(bands)).toEqual(['acme/default']);
      expect(bands['acme/default']?.target).toBe(0.02);
      const proved = bands['acme/default']?.bands.find((b) => b.from === 0.94);
      expect(proved).toEqual({ from: 0.94, judged: 141, wrong: 0, upperBound: expect.any(Number), open: true });
      expect(proved?.upperBound).toBeGreaterThan(0);
      expect(proved?.upperBound).toBeLessThan(0.02);
      expect(bands['acme/default']?.bands.filter((b) => !b.open).every((b) => b.upperBound > 0.02)).toBe(true);
    });

    it('closes a proved band at once when an audit of a hit served in it fails', async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut, verdicts } = setup(judge);
      await prove(verdicts, 140);
      const hit = { entry: stored, cosine: 0.9, similarity: 0.95, verified: false };
      const other = { ...candidate(0.95), entry: entry('e-2', 'how to reset my password') };
      expect((await sut.gate({ ...request(bound), exactKey: 'q-1' }, [other], THRESHOLD))[0]?.similarity).toBe(0.95);

      sut.served({ ...request(bound), exactKey: 'q-1' }, hit);
      await flush();

      expect((await sut.gate({ ...request(bound), exactKey: 'q-2' }, [other], THRESHOLD))[0]?.similarity).toBe(0);
    });

    it('is shared by replicas through the verdict store: what one learns opens the band on the other', async () => {
      let clock = 0;
      const judge = new FakeJudge(() => Promise.resolve(true));
      const first = setup(judge, { now: () => clock });
      const second = setup(judge, { verdicts: first.verdicts, now: () => clock });
      const ask = (gate: SemanticGate, key: string) =>
        gate.gate({ ...request({ ...bound, judge: undefined }), exactKey: key }, [candidate(0.95)], THRESHOLD);
      expect((await ask(second.sut, 'q-0'))[0]?.similarity).toBe(0);

      await prove(first.verdicts, 140);
      clock += 1_000;

      expect((await ask(second.sut, 'q-1'))[0]?.similarity).toBe(0.95);
      expect((await ask(first.sut, 'q-2'))[0]?.similarity).toBe(0.95);
    });

    it('keeps bands per tenant: another tenant proves nothing for this one', async () => {
      const { sut, verdicts } = setup(new FakeJudge(() => Promise.resolve(true)));
      for (let i = 0; i < 140; i++) await verdicts.recordBand('globex', 'default', 47, false);

      expect(
        (await sut.gate(request({ ...bound, judge: undefined }), [candidate(0.95)], THRESHOLD))[0]?.similarity,
      ).toBe(0);
    });

    it('opens no band when the band counts cannot be read (precision first)', async () => {
      const { sut, verdicts } = setup(new FakeJudge(() => Promise.resolve(true)));
      await prove(verdicts, 140);
      const failing = Object.assign(Object.create(verdicts) as FakeHitVerdicts, {
        bandCounts: () => Promise.reject(new Error('down')),
      });
      const replica = setup(new FakeJudge(() => Promise.resolve(true)), { verdicts: failing });

      expect(
        (await replica.sut.gate(request({ ...bound, judge: undefined }), [candidate(0.95)], THRESHOLD))[0]?.similarity,
      ).toBe(0);
      expect(
        (await sut.gate(request({ ...bound, judge: undefined }), [candidate(0.95)], THRESHOLD))[0]?.similarity,
      ).toBe(0.95);
    });

    it('leaves the threshold in charge when there is no judge to earn trust with', async () => {
      const { sut } = setup();

      expect((await sut.gate(request({ maxWrongHitRate: 0.02 }), [candidate(0.95)], THRESHOLD))[0]?.similarity).toBe(
        0.95,
      );
    });
  });

  it('refuses every candidate when the verdicts cannot be read (a block must hold)', async () => {
    const { sut, verdicts } = setup();
    verdicts.failing = true;

    expect((await sut.gate(request(), [candidate(0.99)], THRESHOLD))[0]?.similarity).toBe(0);
    expect(await sut.refused('acme', 'key-q', stored)).toBe(true);
  });
});
