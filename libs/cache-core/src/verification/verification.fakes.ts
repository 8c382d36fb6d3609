import { type CacheEntry } from '../domain/cache-entry';
import {
  type AuditCounts,
  type NamespaceAudits,
  type BandCounts,
  type EntryTrust,
  type HitVerdicts,
  NO_TRUST,
  type PairVerdict,
  type TrustChange,
  type VerdictState,
  type VerdictSubject,
} from './hit-verdicts.port';
import { type JudgeAnswer, type JudgeQuestion, type MatchJudge } from './match-judge.port';
import { type SemanticGateOptions } from './semantic-gate';

/** The gate's settings in the use-case tests (the defaults' steps and band; a judge that answers within 50 ms). */
export const TEST_GATE_OPTIONS: SemanticGateOptions = {
  lowerBound: 0.8,
  judgeTimeoutMs: 50,
  judgeCallsPerSecond: 100,
  raiseStep: 0.02,
  lowerStep: 0.002,
  maxLowering: 0.05,
  bandWidth: 0.02,
  bandRefreshMs: 1_000,
  now: Date.now,
  random: () => 0,
};

/** Hit verdicts in a map, for the use-case tests (the adapters pass `hit-verdicts.contract.ts`). */
export class FakeHitVerdicts implements HitVerdicts {
  readonly pairs = new Map<string, PairVerdict>();
  readonly trust = new Map<string, EntryTrust>();
  readonly audits = new Map<string, NamespaceAudits>();
  readonly bands = new Map<string, Map<number, BandCounts>>();
  failing = false;

  read(tenant: string, queryKey: string, entries: readonly VerdictSubject[]): Promise<Map<string, VerdictState>> {
    if (this.failing) return Promise.reject(new Error('verdict store down'));
    const states = new Map<string, VerdictState>();
    for (const e of entries) {
      const pair = this.pairs.get(`${tenant}|${queryKey}|${e.id}`);
      const trust = this.trust.get(`${tenant}|${e.id}`);
      if (pair === undefined && trust === undefined) continue;
      states.set(e.id, pair === undefined ? { trust: trust ?? NO_TRUST } : { pair, trust: trust ?? NO_TRUST });
    }
    return Promise.resolve(states);
  }

  setPair(tenant: string, queryKey: string, entry: VerdictSubject, verdict: PairVerdict): Promise<void> {
    const key = `${tenant}|${queryKey}|${entry.id}`;
    if (this.pairs.get(key) !== 'blocked') this.pairs.set(key, verdict);
    return Promise.resolve();
  }

  adjust(tenant: string, entry: VerdictSubject, change: TrustChange): Promise<EntryTrust> {
    const old = this.trust.get(`${tenant}|${entry.id}`) ?? NO_TRUST;
    const next = {
      wrong: old.wrong + (change.wrong ?? 0),
      right: old.right + (change.right ?? 0),
      raise: Math.min(change.maxRaise, Math.max(change.minRaise, old.raise + (change.raise ?? 0))),
    };
    this.trust.set(`${tenant}|${entry.id}`, next);
    return Promise.resolve(next);
  }

  recordAudit(tenant: string, namespace: string, passed: boolean): Promise<AuditCounts> {
    if (this.failing) return Promise.reject(new Error('verdict store down'));
    const key = JSON.stringify([tenant, namespace]);
    const old = this.audits.get(key) ?? { tenant, namespace, audited: 0, failed: 0 };
    const next = { tenant, namespace, audited: old.audited + 1, failed: old.failed + (passed ? 0 : 1) };
    this.audits.set(key, next);
    return Promise.resolve({ audited: next.audited, failed: next.failed });
  }

  auditCounts(): Promise<NamespaceAudits[]> {
    if (this.failing) return Promise.reject(new Error('verdict store down'));
    return Promise.resolve([...this.audits.values()]);
  }

  recordBand(tenant: string, namespace: string, band: number, wrong: boolean): Promise<Map<number, BandCounts>> {
    if (this.failing) return Promise.reject(new Error('verdict store down'));
    const bands = this.bands.get(`${tenant}|${namespace}`) ?? new Map<number, BandCounts>();
    const old = bands.get(band) ?? { judged: 0, wrong: 0 };
    bands.set(band, { judged: old.judged + 1, wrong: old.wrong + (wrong ? 1 : 0) });
    this.bands.set(`${tenant}|${namespace}`, bands);
    return Promise.resolve(new Map(bands));
  }

  bandCounts(tenant: string, namespace: string): Promise<Map<number, BandCounts>> {
    if (this.failing) return Promise.reject(new Error('verdict store down'));
    return Promise.resolve(new Map(this.bands.get(`${tenant}|${namespace}`) ?? []));
  }
}

/** A judge that answers from a function (or never, or throws), counting its calls; a bare verdict reports no usage. */
export class FakeJudge implements MatchJudge {
  calls: JudgeQuestion[] = [];

  constructor(private readonly answer: (q: JudgeQuestion) => Promise<boolean | undefined | JudgeAnswer>) {}

  async judge(question: JudgeQuestion): Promise<JudgeAnswer> {
    this.calls.push(question);
    const answer = await this.answer(question);
    return typeof answer === 'object' ? answer : { same: answer };
  }
}

export function entry(id: string, query: string, overrides: Partial<CacheEntry> = {}): CacheEntry {
  return {
    id,
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: 'm',
    exactKey: `key-${id}`,
    contextHash: 'ctx',
    query,
    response: `answer to ${query}`,
    tags: [`$entry:${id}`],
    createdAt: 1_000,
    expiresAt: Date.now() + 3_600_000,
    ...overrides,
  };
}
