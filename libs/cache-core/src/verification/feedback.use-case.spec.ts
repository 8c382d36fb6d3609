import { type CacheEntry } from '../domain/cache-entry';
import { type ExactStore } from '../ports/exact-store.port';
import { type AuditResults, FeedbackUseCase } from './feedback.use-case';
import { NO_VERIFICATION_TELEMETRY, SemanticGate } from './semantic-gate';
import { FakeHitVerdicts, TEST_GATE_OPTIONS, entry } from './verification.fakes';

function setup(audits?: (verdicts: FakeHitVerdicts) => AuditResults) {
  const entries = new Map<string, CacheEntry>();
  const l2: ExactStore = {
    get: (tenant, id) => Promise.resolve([...entries.values()].find((e) => e.id === id && e.tenant === tenant)),
    put: (e) => Promise.resolve(void entries.set(e.id, e)),
    purge: () => Promise.resolve(0),
    count: () => Promise.resolve(entries.size),
    ping: () => Promise.resolve(),
  };
  const verdicts = new FakeHitVerdicts();
  const sut = new FeedbackUseCase(
    l2,
    verdicts,
    {
      wrongsToPurge: 3,
      raiseStep: 0.02,
      maxLowering: 0.05,
      now: Date.now,
    },
    audits?.(verdicts),
  );
  const root = entry('e-1', 'how do I reset my password');
  entries.set(root.id, root);
  return { sut, verdicts, entries, root };
}

describe(FeedbackUseCase.name, () => {
  it('blocks a wrong semantic pairing, raises the entry threshold and counts', async () => {
    const { sut, verdicts } = setup();

    const reply = await sut.execute({ tenant: 'acme', entryId: 'e-1', verdict: 'wrong', exactKey: 'key-paraphrase' });

    expect(reply).toEqual({ found: true, action: 'blocked', wrong: 1, right: 0, thresholdRaise: 0.02 });
    expect(verdicts.pairs.get('acme|key-paraphrase|e-1')).toBe('blocked');
  });

  it('asks for a purge once wrong is repeated past the limit', async () => {
    const { sut } = setup();
    const actions: string[] = [];
    for (const key of ['q-1', 'q-2', 'q-3'])
      actions.push((await sut.execute({ tenant: 'acme', entryId: 'e-1', verdict: 'wrong', exactKey: key })).action);

    expect(actions).toEqual(['blocked', 'blocked', 'purge']);
  });

  it('asks for a purge at once when an exact hit, or the entry itself, is wrong', async () => {
    const { sut, root } = setup();

    expect(
      (await sut.execute({ tenant: 'acme', entryId: 'e-1', verdict: 'wrong', exactKey: root.exactKey })).action,
    ).toBe('purge');
    expect((await sut.execute({ tenant: 'acme', entryId: 'e-1', verdict: 'wrong' })).action).toBe('purge');
  });

  describe('audit results (a shadow upstream call compared with the cached answer)', () => {
    const audit = { namespace: 'support', similarity: 0.93, maxWrongHitRate: 0.02 };

    const gate = (verdicts: FakeHitVerdicts) =>
      new SemanticGate(verdicts, undefined, NO_VERIFICATION_TELEMETRY, TEST_GATE_OPTIONS);

    it("applies them through the gate's audit accounting: a failure rejects the pairing and raises the entry", async () => {
      const { sut, verdicts } = setup(gate);

      const failed = await sut.execute({
        tenant: 'acme',
        entryId: 'e-1',
        verdict: 'wrong',
        exactKey: 'key-paraphrase',
        source: 'audit',
        audit,
      });
      const passed = await sut.execute({
        tenant: 'acme',
        entryId: 'e-1',
        verdict: 'right',
        exactKey: 'key-other',
        source: 'audit',
        audit,
      });

      expect(failed).toEqual({ found: true, action: 'blocked', wrong: 0, right: 0, thresholdRaise: 0.02 });
      expect(passed.action).toBe('counted');
      expect(verdicts.pairs.get('acme|key-paraphrase|e-1')).toBe('rejected');
      expect(verdicts.pairs.get('acme|key-other|e-1')).toBe('verified');
      expect(verdicts.audits.get(JSON.stringify(['acme', 'support']))).toMatchObject({ audited: 2, failed: 1 });
    });

    it("counts nothing as a client's verdict and changes nothing without a gate", async () => {
      const { sut, verdicts } = setup();

      const reply = await sut.execute({
        tenant: 'acme',
        entryId: 'e-1',
        verdict: 'wrong',
        exactKey: 'key-paraphrase',
        source: 'audit',
        audit,
      });

      expect(reply).toEqual({ found: true, action: 'none', wrong: 0, right: 0, thresholdRaise: 0 });
      expect(verdicts.pairs.size).toBe(0);
      expect(verdicts.trust.size).toBe(0);
    });
  });

  it('counts right and marks the pairing verified', async () => {
    const { sut, verdicts } = setup();

    const reply = await sut.execute({ tenant: 'acme', entryId: 'e-1', verdict: 'right', exactKey: 'key-paraphrase' });

    expect(reply).toEqual({ found: true, action: 'counted', wrong: 0, right: 1, thresholdRaise: 0 });
    expect(verdicts.pairs.get('acme|key-paraphrase|e-1')).toBe('verified');
  });

  it("judges a backfilled copy's root entry", async () => {
    const { sut, entries, verdicts } = setup();
    entries.set('copy', entry('copy', 'reset password?', { aliasOf: 'e-1', exactKey: 'key-copy' }));

    await sut.execute({ tenant: 'acme', entryId: 'copy', verdict: 'wrong', exactKey: 'key-copy' });

    expect(verdicts.pairs.get('acme|key-copy|e-1')).toBe('blocked');
  });

  it("finds nothing of another tenant's entry and changes nothing", async () => {
    const { sut, verdicts } = setup();

    const reply = await sut.execute({ tenant: 'globex', entryId: 'e-1', verdict: 'wrong', exactKey: 'k' });

    expect(reply).toEqual({ found: false, action: 'none', wrong: 0, right: 0, thresholdRaise: 0 });
    expect(verdicts.pairs.size + verdicts.trust.size).toBe(0);
  });
});
