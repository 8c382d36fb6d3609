import { type L1Evictions } from '@strata/contracts';
import { type CacheEntry, entryTag } from '../domain/cache-entry';
import {
  type AuditCounts,
  type EntryTrust,
  type HitVerdicts,
  NO_TRUST,
  type PairVerdict,
  type VerdictState,
  type VerdictSubject,
} from './hit-verdicts.port';
import { JudgeBudget } from './judge-budget';
import { JudgeSpend, type JudgeSpendRow } from './judge-spend';
import { type JudgeUsage, type MatchJudge } from './match-judge.port';
import { type WrongHitEstimate, WrongHitBound } from './wrong-hit-bound';

/** The namespace's verification settings, carried by the lookup (see `cacheLookupRequestSchema.verification`). */
export interface VerificationPolicy {
  readonly judge?: 'inline' | 'learn' | undefined;
  readonly maxWrongHitRate?: number | undefined;
  readonly auditShare?: number | undefined;
}

export interface GateRequest {
  readonly tenant: string;
  readonly namespace: string;
  readonly exactKey: string;
  readonly query: string;
  readonly verification?: VerificationPolicy | undefined;
}

/** A retrieved candidate with the verifier's verdict (its similarity even when below the threshold). */
export interface GateCandidate {
  readonly entry: CacheEntry;
  readonly cosine: number;
  readonly similarity: number;
  /** The verifier's reason (a guard's veto has similarity 0: it stays a veto, and is never put to the judge). */
  readonly reason: string;
}

/** A candidate after the gate: `similarity` is its own (0 when the gate rejects it); `verified` when the judge decided. */
export interface GatedCandidate {
  readonly entry: CacheEntry;
  readonly cosine: number;
  readonly similarity: number;
  readonly verified: boolean;
}

export type JudgePurpose = 'inline' | 'learn' | 'audit';

/** What the gate reports; the cache service binds it to metrics. */
export interface VerificationTelemetry {
  judgeCall(purpose: JudgePurpose, outcome: 'yes' | 'no' | 'none'): void;
  /** The tokens one judge call used, as its endpoint reported them, for the tenant's namespace that asked. */
  judgeUsage(tenant: string, namespace: string, usage: JudgeUsage): void;
  verifiedHit(): void;
  audited(namespace: string, passed: boolean, estimate: WrongHitEstimate): void;
  error(operation: string, error: unknown): void;
}

export const NO_VERIFICATION_TELEMETRY: VerificationTelemetry = {
  judgeCall: () => undefined,
  judgeUsage: () => undefined,
  verifiedHit: () => undefined,
  audited: () => undefined,
  error: () => undefined,
};

export interface SemanticGateOptions {
  /** Similarity from which a candidate below its threshold is put to the judge (the borderline band's floor). */
  readonly lowerBound: number;
  /** How long an inline lookup waits for the judge (then: a miss). */
  readonly judgeTimeoutMs: number;
  /** Judge calls per second per tenant (lookups and audits together). */
  readonly judgeCallsPerSecond: number;
  /** What a wrong hit (feedback or a failed audit) adds to the entry's own threshold. */
  readonly raiseStep: number;
  /** What a passed audit takes off it, while the namespace's bound holds. */
  readonly lowerStep: number;
  /** How far below the namespace's threshold passed audits may take an entry's. */
  readonly maxLowering: number;
  readonly now: () => number;
  readonly random: () => number;
}

export interface VerificationSnapshot {
  readonly judgeCalls: number;
  readonly verifiedHits: number;
  /** Judge calls and their tokens per tenant and namespace (priced where the prices are: the gateway's stats). */
  readonly judgeSpend: JudgeSpendRow[];
  readonly namespaces: Record<string, WrongHitEstimate>;
}

function subjectOf(entry: CacheEntry): VerdictSubject {
  return { id: entry.aliasOf ?? entry.id, createdAt: entry.createdAt, expiresAt: entry.expiresAt };
}

/**
 * Decides which semantic candidates may be served, beyond the verifier's similarity: pairings a client
 * called wrong (or the judge rejected) never hit; each entry's own threshold moves with its feedback and
 * audits; candidates in the borderline band [lowerBound, threshold) go to the model judge (`inline`: the
 * lookup waits for it; `learn`: judged in the background, a yes makes the same question hit next time);
 * a share of served hits is audited to bound the namespace's wrong-hit rate. Exact hits never reach it.
 * A judge that fails, is late or answers garbage is no verdict: the lookup behaves as without a judge.
 */
export class SemanticGate {
  private readonly budget: JudgeBudget;
  private readonly bound = new WrongHitBound();
  private readonly spend = new JudgeSpend();
  private readonly inFlight = new Set<string>();
  /** Per namespace: how far failed audits moved every entry's threshold up while the bound was over target. */
  private readonly namespaceRaise = new Map<string, number>();
  private judgeCalls = 0;
  private verifiedHits = 0;

  constructor(
    private readonly verdicts: HitVerdicts,
    private readonly judge: MatchJudge | undefined,
    private readonly telemetry: VerificationTelemetry,
    private readonly options: SemanticGateOptions,
    /** The broadcast that evicts an entry from every gateway's L1 (the one feedback's blocks use); absent: none. */
    private readonly evictions?: L1Evictions,
  ) {
    this.budget = new JudgeBudget(options.judgeCallsPerSecond, options.now);
  }

  /**
   * The candidates with the gate's decision: accepted ones keep their similarity, rejected ones have 0.
   * If the verdicts cannot be read, every candidate is rejected (a block must hold; precision first).
   */
  async gate(request: GateRequest, candidates: readonly GateCandidate[], threshold: number): Promise<GatedCandidate[]> {
    if (candidates.length === 0) return [];
    let states: Map<string, VerdictState>;
    try {
      states = await this.verdicts.read(
        request.tenant,
        request.exactKey,
        candidates.map((c) => subjectOf(c.entry)),
      );
    } catch (error) {
      this.telemetry.error('read', error);
      return candidates.map((c) => ({ entry: c.entry, cosine: c.cosine, similarity: 0, verified: false }));
    }
    const gated: GatedCandidate[] = [];
    let band: GateCandidate | undefined;
    for (const c of candidates) {
      const state = states.get(subjectOf(c.entry).id);
      const own = threshold + (this.namespaceRaise.get(request.namespace) ?? 0) + (state?.trust ?? NO_TRUST).raise;
      const refused = state?.pair === 'blocked' || state?.pair === 'rejected' || c.similarity <= 0;
      let similarity = 0;
      let verified = false;
      if (!refused && c.similarity > 0 && c.similarity >= own) similarity = c.similarity;
      else if (!refused && c.similarity >= this.options.lowerBound) {
        if (state?.pair === 'verified') {
          similarity = c.similarity;
          verified = true;
        } else if (band === undefined || c.similarity > band.similarity) band = c;
      }
      gated.push({ entry: c.entry, cosine: c.cosine, similarity, verified });
    }
    const mode = request.verification?.judge;
    if (band === undefined || mode === undefined || !this.judge || gated.some((g) => g.similarity > 0)) return gated;
    const key = `${request.tenant}\u0000${request.exactKey}\u0000${subjectOf(band.entry).id}`;
    if (this.inFlight.has(key) || !this.budget.take(request.tenant)) return gated;
    const verdict = this.judgeAndRecord(request, band.entry, mode, key);
    if (mode === 'learn') return gated;
    if ((await verdict) !== true) return gated;
    const chosen = band;
    return gated.map((g) => (g.entry === chosen.entry ? { ...g, similarity: chosen.similarity, verified: true } : g));
  }

  /** Whether a backfilled copy (an earlier semantic hit remembered under this request's key) may no longer be served. */
  async refused(tenant: string, exactKey: string, copy: CacheEntry): Promise<boolean> {
    try {
      const state = (await this.verdicts.read(tenant, exactKey, [subjectOf(copy)])).get(subjectOf(copy).id);
      return state?.pair === 'blocked' || state?.pair === 'rejected';
    } catch (error) {
      this.telemetry.error('read', error);
      return true;
    }
  }

  /** A semantic hit is being served: counts a judge-decided one, and audits a share of the others in the background. */
  served(request: GateRequest, hit: GatedCandidate): void {
    if (hit.verified) {
      this.verifiedHits += 1;
      this.telemetry.verifiedHit();
      return;
    }
    const share = request.verification?.auditShare ?? 0;
    // The same words (similarity 1) are not a semantic guess: nothing to audit.
    if (!this.judge || share <= 0 || hit.similarity >= 1 || this.options.random() >= share) return;
    const key = `${request.tenant}\u0000${request.exactKey}\u0000${subjectOf(hit.entry).id}`;
    if (this.inFlight.has(key) || !this.budget.take(request.tenant)) return;
    void this.judgeAndRecord(request, hit.entry, 'audit', key);
  }

  /** The figures of this replica; the audit counts as the shared verdict store has them (this process' if it fails). */
  async snapshot(): Promise<VerificationSnapshot> {
    try {
      for (const [namespace, counts] of await this.verdicts.auditCounts()) this.bound.set(namespace, counts, undefined);
    } catch (error) {
      this.telemetry.error('audit-counts', error);
    }
    return {
      judgeCalls: this.judgeCalls,
      verifiedHits: this.verifiedHits,
      judgeSpend: this.spend.snapshot(),
      namespaces: this.bound.snapshot(),
    };
  }

  /** The judge's verdict, recorded for the pairing (and, for an audit, in the bound and the entry's threshold). */
  private async judgeAndRecord(
    request: GateRequest,
    entry: CacheEntry,
    purpose: JudgePurpose,
    key: string,
  ): Promise<boolean | undefined> {
    this.inFlight.add(key);
    try {
      const verdict = await this.ask(request, entry.query, purpose);
      if (verdict === undefined) return undefined;
      const subject = subjectOf(entry);
      await this.record(request.tenant, request.exactKey, subject, verdict ? 'verified' : 'rejected');
      if (purpose === 'audit') await this.audited(request, subject, verdict);
      return verdict;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async audited(request: GateRequest, subject: VerdictSubject, passed: boolean): Promise<void> {
    const target = request.verification?.maxWrongHitRate;
    const counts = await this.recordAudit(request.namespace, passed);
    if (counts) this.bound.set(request.namespace, counts, target);
    else this.bound.record(request.namespace, passed, target);
    this.telemetry.audited(request.namespace, passed, this.bound.estimate(request.namespace));
    // Failed: this entry needs more similarity, and while the namespace's bound is over its target every entry does
    // (what falls below goes to the judge). Passed: less — only while the namespace's bound holds.
    const holds = target === undefined || this.bound.holds(request.namespace, target);
    const raised = this.namespaceRaise.get(request.namespace) ?? 0;
    if (!passed) {
      if (!holds) this.namespaceRaise.set(request.namespace, Math.min(1, raised + this.options.raiseStep));
      await this.adjust(request.tenant, subject, this.options.raiseStep);
      await this.evictL1(request.tenant, subject);
    } else if (holds) {
      if (raised > 0) this.namespaceRaise.set(request.namespace, Math.max(0, raised - this.options.lowerStep));
      await this.adjust(request.tenant, subject, -this.options.lowerStep);
    }
  }

  /** A failed audit: gateways stop serving the rejected pairing from L1 too (their copies refill from L2, gated). */
  private async evictL1(tenant: string, subject: VerdictSubject): Promise<void> {
    if (!this.evictions) return;
    try {
      await this.evictions.broadcast({ tenant, tags: [entryTag(subject.id)] });
    } catch (error) {
      this.telemetry.error('evict-l1', error);
    }
  }

  /** The namespace's audit counts in the shared store, with this one; undefined if the store failed. */
  private async recordAudit(namespace: string, passed: boolean): Promise<AuditCounts | undefined> {
    try {
      return await this.verdicts.recordAudit(namespace, passed);
    } catch (error) {
      this.telemetry.error('record-audit', error);
      return undefined;
    }
  }

  private async adjust(tenant: string, subject: VerdictSubject, raise: number): Promise<EntryTrust | undefined> {
    try {
      return await this.verdicts.adjust(tenant, subject, { raise, minRaise: -this.options.maxLowering, maxRaise: 1 });
    } catch (error) {
      this.telemetry.error('adjust', error);
      return undefined;
    }
  }

  private async record(tenant: string, queryKey: string, subject: VerdictSubject, verdict: PairVerdict): Promise<void> {
    try {
      await this.verdicts.setPair(tenant, queryKey, subject, verdict);
    } catch (error) {
      this.telemetry.error('set-pair', error);
    }
  }

  private async ask(request: GateRequest, candidate: string, purpose: JudgePurpose): Promise<boolean | undefined> {
    const judge = this.judge;
    if (!judge) return undefined;
    this.judgeCalls += 1;
    const { tenant, namespace, query } = request;
    this.spend.called(tenant, namespace);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(undefined);
      }, this.options.judgeTimeoutMs);
    });
    // The call is counted (and its tokens, once reported) whether or not its verdict comes in time.
    const asked = judge
      .judge({ query, candidate }, controller.signal)
      .then((reply) => {
        if (reply.usage) {
          this.spend.used(tenant, namespace, reply.usage);
          this.telemetry.judgeUsage(tenant, namespace, reply.usage);
        }
        return reply.same;
      })
      .catch(() => undefined);
    let verdict: boolean | undefined;
    try {
      verdict = await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
    }
    const answer = verdict === true || verdict === false ? verdict : undefined;
    this.telemetry.judgeCall(purpose, answer === undefined ? 'none' : answer ? 'yes' : 'no');
    return answer;
  }
}
