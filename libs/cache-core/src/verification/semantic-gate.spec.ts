import { type L1EvictEvent, type L1Evictions } from '@strata/contracts';
import { type GateCandidate, type GateRequest, NO_VERIFICATION_TELEMETRY, SemanticGate } from './semantic-gate';
import { FakeHitVerdicts, FakeJudge, entry } from './verification.fakes';

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

function setup(judge?: FakeJudge, options: { random?: number; callsPerSecond?: number } = {}) {
  const verdicts = new FakeHitVerdicts();
  const evictions = new FakeEvictions();
  const sut = new SemanticGate(
    verdicts,
    judge,
    NO_VERIFICATION_TELEMETRY,
    {
      lowerBound: 0.8,
      judgeTimeoutMs: 50,
      judgeCallsPerSecond: options.callsPerSecond ?? 100,
      raiseStep: 0.02,
      lowerStep: 0.002,
      maxLowering: 0.05,
      now: Date.now,
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
      expect((await sut.snapshot()).namespaces['default']).toMatchObject({
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
      expect((await sut.snapshot()).namespaces['default']).toMatchObject({ audited: 2, failed: 1 });
    });

    it('keeps the wrong-hit bound in the verdict store: a restarted or another replica continues from its counts', async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut, verdicts } = setup(judge);
      const hit = { entry: stored, cosine: 0.9, similarity: 0.95, verified: false };
      sut.served(request({ maxWrongHitRate: 0.05, auditShare: 1 }), hit);
      await flush();

      const replica = new SemanticGate(verdicts, judge, NO_VERIFICATION_TELEMETRY, {
        lowerBound: 0.8,
        judgeTimeoutMs: 50,
        judgeCallsPerSecond: 100,
        raiseStep: 0.02,
        lowerStep: 0.002,
        maxLowering: 0.05,
        now: Date.now,
        random: () => 0,
      });
      expect((await replica.snapshot()).namespaces['default']).toMatchObject({ audited: 1, failed: 1 });
      replica.served({ ...request({ maxWrongHitRate: 0.05, auditShare: 1 }), exactKey: 'key-other' }, hit);
      await flush();
      expect((await replica.snapshot()).namespaces['default']).toMatchObject({ audited: 2, failed: 2, target: 0.05 });
      expect((await sut.snapshot()).namespaces['default']).toMatchObject({ audited: 2, failed: 2 });
    });

    it("raises every entry's threshold in the namespace while failed audits keep its bound over target", async () => {
      const judge = new FakeJudge(() => Promise.resolve(false));
      const { sut } = setup(judge);
      const other = { ...candidate(0.91), entry: entry('e-2', 'how to reset a password') };

      sut.served(request({ maxWrongHitRate: 0.05, auditShare: 1 }), {
        entry: stored,
        cosine: 0.9,
        similarity: 0.95,
        verified: false,
      });
      await flush();

      // e-2 was never audited, but 0.91 is now below the namespace's raised threshold (0.92).
      expect((await sut.gate({ ...request(), exactKey: 'q-x' }, [other], THRESHOLD))[0]?.similarity).toBe(0);
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

  it('refuses every candidate when the verdicts cannot be read (a block must hold)', async () => {
    const { sut, verdicts } = setup();
    verdicts.failing = true;

    expect((await sut.gate(request(), [candidate(0.99)], THRESHOLD))[0]?.similarity).toBe(0);
    expect(await sut.refused('acme', 'key-q', stored)).toBe(true);
  });
});
