import { type L1Evictions } from '@strata/contracts';
import { type CacheEntry, entryTag } from '../domain/cache-entry';
import {
  type AuditCounts,
  type BandCounts,
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
import { type WrongHitEstimate, WrongHitBound, wilsonUpperBound } from './wrong-hit-bound';

/** The namespace's verification settings, carried by the lookup (see `cacheLookupRequestSchema.verification`). */
export interface VerificationPolicy {
  readonly judge?: 'inline' | 'learn' | undefined;
  readonly maxWrongHitRate?: number | undefined;
  readonly auditShare?: number | undefined;
  /** `shadow`: the gateway audits served hits (results come back through `auditResult`); the judge does not. */
  readonly audit?: 'judge' | 'shadow' | undefined;
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
  audited(tenant: string, namespace: string, passed: boolean, estimate: WrongHitEstimate): void;
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
  /** Width of the similarity bands whose judged wrong rate decides where unverified hits may be served (with a target). */
  readonly bandWidth: number;
  /** How long a replica uses a namespace's band counts before reading them again from the shared verdict store. */
  readonly bandRefreshMs: number;
  readonly now: () => number;
  readonly random: () => number;
}

/** The state of a namespace's similarity bands with a wrong-hit target: which ones serve unverified hits. */
export interface BandState {
  /** The band's floor (similarity). */
  readonly from: number;
  readonly judged: number;
  readonly wrong: number;
  /** The one-sided 95% Wilson upper bound of the band's wrong rate. */
  readonly upperBound: number;
  /** Whether a candidate in it may be served on similarity alone (its upper bound is under the target). */
  readonly open: boolean;
}

export interface VerificationSnapshot {
  readonly judgeCalls: number;
  readonly verifiedHits: number;
  /** Judge calls and their tokens per tenant and namespace (priced where the prices are: the gateway's stats). */
  readonly judgeSpend: JudgeSpendRow[];
  readonly namespaces: Record<string, WrongHitEstimate>;
  /**
   * Per `tenant/namespace` with a wrong-hit target that this replica has served lookups for: the target and its
   * similarity bands as the replica last read them (at most `bandRefreshMs` old while the namespace is in use).
   */
  readonly bands: Record<string, { readonly target: number; readonly bands: BandState[] }>;
}

interface KnownBands {
  readonly counts: Map<number, BandCounts>;
  readonly readAt: number;
  readonly target: number;
}

/** Tenants' namespaces whose band counts a replica keeps in memory (the first read makes room). */
const MAX_KNOWN_NAMESPACES = 10_000;

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
 *
 * With a wrong-hit target (`maxWrongHitRate`) and a judge, trust is earned before it is spent: every judge verdict
 * (on a lookup's candidate or an audited hit) is counted in the namespace's similarity band, in the shared verdict
 * store; a candidate is served on similarity alone only in a band whose judged wrong rate has a 95% upper bound
 * under the target (a failure closes the band at once; opening takes many passes). Elsewhere it is served only
 * once the judge said yes to that pairing — from the first request on.
 */
export class SemanticGate {
  private readonly budget: JudgeBudget;
  private readonly bound = new WrongHitBound();
  private readonly spend = new JudgeSpend();
  private readonly inFlight = new Set<string>();
  /** Per tenant and namespace with a target: its band counts as last read from (or written to) the verdict store. */
  private readonly bands = new Map<string, KnownBands>();
  private readonly reading = new Map<string, Promise<Map<number, BandCounts> | undefined>>();
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
    const target = this.judge ? request.verification?.maxWrongHitRate : undefined;
    const bands = target === undefined ? undefined : await this.bandsFor(request.tenant, request.namespace, target);
    const gated: GatedCandidate[] = [];
    let band: GateCandidate | undefined;
    for (const c of candidates) {
      const state = states.get(subjectOf(c.entry).id);
      const raise = (state?.trust ?? NO_TRUST).raise;
      const refused = state?.pair === 'blocked' || state?.pair === 'rejected' || c.similarity <= 0;
      // With a target, similarity alone serves only in a band the judge's verdicts have proved (an entry called
      // wrong must reach a proved band even after its raise); without one, the threshold decides as before.
      const onSimilarity =
        bands === undefined
          ? c.similarity >= threshold + raise
          : c.similarity >= 1 ||
            (this.open(bands, c.similarity) && this.open(bands, c.similarity - Math.max(0, raise)));
      let similarity = 0;
      let verified = false;
      if (!refused && onSimilarity) similarity = c.similarity;
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
    const verdict = this.judgeAndRecord(request, band.entry, band.similarity, mode, key);
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
    const share = request.verification?.audit === 'shadow' ? 0 : (request.verification?.auditShare ?? 0);
    // The same words (similarity 1) are not a semantic guess: nothing to audit.
    if (!this.judge || share <= 0 || hit.similarity >= 1 || this.options.random() >= share) return;
    const key = `${request.tenant}\u0000${request.exactKey}\u0000${subjectOf(hit.entry).id}`;
    if (this.inFlight.has(key) || !this.budget.take(request.tenant)) return;
    void this.judgeAndRecord(request, hit.entry, hit.similarity, 'audit', key);
  }

  /** The figures of this replica; the audit counts as the shared verdict store has them (this process' if it fails). */
  async snapshot(): Promise<VerificationSnapshot> {
    try {
      for (const counts of await this.verdicts.auditCounts())
        this.bound.set(counts.tenant, counts.namespace, counts, undefined);
    } catch (error) {
      this.telemetry.error('audit-counts', error);
    }
    const bands: VerificationSnapshot['bands'] = {};
    for (const [key, known] of this.bands) {
      const [tenant, namespace] = key.split('\u0000');
      bands[`${tenant}/${namespace}`] = { target: known.target, bands: this.statesOf(known) };
    }
    return {
      judgeCalls: this.judgeCalls,
      verifiedHits: this.verifiedHits,
      judgeSpend: this.spend.snapshot(),
      namespaces: this.bound.snapshot(),
      bands,
    };
  }

  /** A tenant's namespace's similarity bands under `target`, lowest first, as the shared verdict store has them. */
  async bandStates(tenant: string, namespace: string, target: number): Promise<BandState[]> {
    return this.statesOf(await this.bandsFor(tenant, namespace, target));
  }

  private statesOf(known: KnownBands): BandState[] {
    return [...known.counts]
      .sort(([a], [b]) => a - b)
      .map(([index, counts]) => {
        const upperBound = wilsonUpperBound(counts.wrong, counts.judged);
        return {
          from: Math.round(index * this.options.bandWidth * 1e6) / 1e6,
          judged: counts.judged,
          wrong: counts.wrong,
          upperBound,
          open: upperBound <= known.target,
        };
      });
  }

  private bandOf(similarity: number): number {
    // A hair of tolerance, so that 0.94 is in the band that starts at 0.94 despite floating point.
    return Math.floor(similarity / this.options.bandWidth + 1e-9);
  }

  /** Whether unverified hits at this similarity are proved under the target (a band from the lower bound up). */
  private open(known: KnownBands, similarity: number): boolean {
    if (similarity < this.options.lowerBound) return false;
    const counts = known.counts.get(this.bandOf(similarity));
    return counts !== undefined && wilsonUpperBound(counts.wrong, counts.judged) <= known.target;
  }

  /**
   * The tenant's namespace's band counts: this replica's copy while fresh, else read from the shared store (one read
   * at a time per namespace). If the store cannot be read and nothing is known, no band is open (precision first).
   */
  private async bandsFor(tenant: string, namespace: string, target: number): Promise<KnownBands> {
    const key = `${tenant}\u0000${namespace}`;
    const known = this.bands.get(key);
    if (known && this.options.now() - known.readAt < this.options.bandRefreshMs)
      return known.target === target ? known : { ...known, target };
    let reading = this.reading.get(key);
    if (!reading) {
      reading = this.verdicts.bandCounts(tenant, namespace).then(
        (counts) => counts,
        (error: unknown) => {
          this.telemetry.error('band-counts', error);
          return undefined;
        },
      );
      this.reading.set(key, reading);
      void reading.finally(() => this.reading.delete(key));
    }
    const counts = await reading;
    const next: KnownBands = counts
      ? { counts, readAt: this.options.now(), target }
      : (known ?? { counts: new Map(), readAt: this.options.now(), target });
    this.remember(key, next);
    return next;
  }

  private remember(key: string, known: KnownBands): void {
    if (!this.bands.has(key) && this.bands.size >= MAX_KNOWN_NAMESPACES) {
      const oldest = this.bands.keys().next().value;
      if (oldest !== undefined) this.bands.delete(oldest);
    }
    this.bands.set(key, known);
  }

  /** Counts a judge verdict in its similarity band (in the shared store, and this replica's copy at once). */
  private async recordBand(request: GateRequest, similarity: number, same: boolean): Promise<void> {
    if (similarity < this.options.lowerBound || similarity >= 1) return;
    const key = `${request.tenant}\u0000${request.namespace}`;
    const band = this.bandOf(similarity);
    const target = request.verification?.maxWrongHitRate ?? this.bands.get(key)?.target;
    try {
      const counts = await this.verdicts.recordBand(request.tenant, request.namespace, band, !same);
      if (target !== undefined) this.remember(key, { counts, readAt: this.options.now(), target });
    } catch (error) {
      this.telemetry.error('record-band', error);
      // The store failed: a failure still closes the band on this replica (raised at once), a pass changes nothing.
      const known = this.bands.get(key);
      if (known && !same) {
        const counts = new Map(known.counts);
        const old = counts.get(band) ?? { judged: 0, wrong: 0 };
        counts.set(band, { judged: old.judged + 1, wrong: old.wrong + 1 });
        this.bands.set(key, { ...known, counts });
      }
    }
  }

  /** The judge's verdict, recorded for the pairing (and, for an audit, in the bound and the entry's threshold). */
  private async judgeAndRecord(
    request: GateRequest,
    entry: CacheEntry,
    similarity: number,
    purpose: JudgePurpose,
    key: string,
  ): Promise<boolean | undefined> {
    this.inFlight.add(key);
    try {
      const verdict = await this.ask(request, entry.query, purpose);
      if (verdict === undefined) return undefined;
      await this.recordVerdict(request, entry, similarity, verdict, purpose === 'audit');
      return verdict;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * An audit of a served semantic hit decided elsewhere (a gateway's shadow upstream call, compared with the cached
   * answer): recorded exactly as the judge's audit verdict — the pairing, its band, the namespace's audit counts and
   * bound, the entry's threshold, and on a failure the L1 eviction.
   */
  async auditResult(request: GateRequest, entry: CacheEntry, similarity: number, passed: boolean): Promise<void> {
    await this.recordVerdict(request, entry, similarity, passed, true);
  }

  /** A verdict on a pairing (the judge's, or an audit's): recorded for the pairing, in its band, and as an audit. */
  private async recordVerdict(
    request: GateRequest,
    entry: CacheEntry,
    similarity: number,
    same: boolean,
    audit: boolean,
  ): Promise<void> {
    const subject = subjectOf(entry);
    await this.record(request.tenant, request.exactKey, subject, same ? 'verified' : 'rejected');
    await this.recordBand(request, similarity, same);
    if (audit) await this.audited(request, subject, same);
  }

  private async audited(request: GateRequest, subject: VerdictSubject, passed: boolean): Promise<void> {
    const target = request.verification?.maxWrongHitRate;
    const { tenant, namespace } = request;
    const counts = await this.recordAudit(tenant, namespace, passed);
    if (counts) this.bound.set(tenant, namespace, counts, target);
    else this.bound.record(tenant, namespace, passed, target);
    this.telemetry.audited(tenant, namespace, passed, this.bound.estimate(tenant, namespace));
    // Failed: this entry needs more similarity (namespace-wide, the failure counted in its band may close the band).
    // Passed: less — only while the namespace's bound holds.
    const holds = target === undefined || this.bound.holds(tenant, namespace, target);
    if (!passed) {
      await this.adjust(request.tenant, subject, this.options.raiseStep);
      await this.evictL1(request.tenant, subject);
    } else if (holds) {
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

  /** The tenant's namespace's audit counts in the shared store, with this one; undefined if the store failed. */
  private async recordAudit(tenant: string, namespace: string, passed: boolean): Promise<AuditCounts | undefined> {
    try {
      return await this.verdicts.recordAudit(tenant, namespace, passed);
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
