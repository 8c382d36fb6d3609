import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import {
  type CacheLookupReply,
  type CacheLookupRequest,
  ErrorCode,
  type LookupExplanation,
  type RequestContext,
  StrataError,
} from '@strata/contracts';
import { type CacheEntry, entryTag, generationOf, isExpired } from '../domain/cache-entry';
import { entryGenerationFields } from '../domain/generation-fields';
import { entryIdFromKey } from '../keys/request-fingerprint';
import { type CacheTelemetry } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type ExactReads, sequentialExactReads } from '../ports/exact-reads.port';
import { type ExactStore } from '../ports/exact-store.port';
import { type MatchExplanation, type MatchVerifier } from '../ports/match-verifier.port';
import { type PurgeGenerations } from '../ports/purge-generations.port';
import { type VectorIndex } from '../ports/vector-index.port';
import { type GatedCandidate, type SemanticGate } from '../verification/semantic-gate';
import { type ContextsBeingWritten } from './contexts-being-written';

export interface LookupOptions {
  /** Vector candidates retrieved before verification. */
  readonly candidates: number;
  /** Cosine below which a candidate is not even retrieved (verification decides above it). */
  readonly minCosine: number;
  /** Similarity threshold when the request names none. */
  readonly defaultThreshold: number;
  /** Cosine lead a semantic hit needs over every other candidate (default {@link DEFAULT_SEMANTIC_MARGIN}). */
  readonly margin?: number;
  readonly now: () => number;
  /** This process's semantic writes in flight (shared with `StoreUseCase`): a context being written may hold entries. */
  readonly writing?: ContextsBeingWritten;
}

/**
 * Measured on PAWS and QQP replayed as a cache (docs/semantic-quality.md): with it, wrong hits on
 * near-duplicate entries drop by two thirds at the cost of a few percent of the right ones.
 */
export const DEFAULT_SEMANTIC_MARGIN = 0.01;

/**
 * How long a context whose lookup found L3 empty is taken as one whose answer may be on its way (the upstream call,
 * then the store's embedding and upsert), and how many such contexts are remembered.
 */
const EMPTY_CONTEXT_TTL_MS = 10 * 60_000;
const EMPTY_CONTEXTS_MAX = 50_000;
/** Longest a lookup without a budget waits for the writes into a context it found empty before it searches. */
const UNBUDGETED_WRITE_WAIT_MS = 1_000;

/** A verified vector candidate: its cosine from the index and the verifier's similarity (0 when vetoed). */
export interface VerifiedCandidate {
  readonly cosine: number;
  readonly similarity: number;
}

/**
 * Which candidate a semantic lookup serves: the most similar one at or above the threshold, provided no
 * other candidate comes within `margin` of its cosine — two stored questions that are nearly the same
 * vector make a choice between them a guess. A candidate with the same words (similarity 1) needs no lead.
 */
export function chooseSemanticHit<T extends VerifiedCandidate>(
  candidates: readonly T[],
  threshold: number,
  margin: number,
): T | undefined {
  let best: T | undefined;
  for (const c of candidates)
    if (c.similarity >= threshold && (best === undefined || c.similarity > best.similarity)) best = c;
  if (best === undefined || best.similarity >= 1) return best;
  for (const c of candidates) if (c !== best && c.cosine > best.cosine - margin) return undefined;
  return best;
}

function describeCandidate(
  entry: CacheEntry,
  cosine: number,
  verdict: MatchExplanation,
): LookupExplanation['candidates'][number] {
  return {
    id: entry.id,
    query: entry.query,
    cosine,
    similarity: verdict.similarity,
    accepted: verdict.accepted,
    reason: verdict.reason,
    ...(verdict.detail === undefined ? {} : { detail: verdict.detail }),
    ...(verdict.features === undefined ? {} : { evidence: verdict.features }),
  };
}

/** Resolves when `writes` settle, or when the lookup's budget (else {@link UNBUDGETED_WRITE_WAIT_MS}) runs out. */
async function settledWithin(writes: Promise<void>, deadline: number | undefined): Promise<void> {
  const waitMs = deadline === undefined ? UNBUDGETED_WRITE_WAIT_MS : deadline - performance.now();
  if (waitMs <= 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([writes, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * The cache service's read path: L2 by exact key, then L3 (embed → retrieve candidates in the same
 * tenant and context → verify). An L3 hit is copied into L2 under the new request's exact key, so the
 * next identical request is an exact hit. A tier that fails is skipped (reported), never fatal.
 * L2 is read through `reads`, which returns the entry with its purge generations and the tenant's ticket (one round
 * trip on Redis).
 */
export class LookupUseCase {
  constructor(
    private readonly l2: ExactStore,
    private readonly l3: VectorIndex,
    private readonly embedder: Embedder,
    private readonly verifier: MatchVerifier,
    private readonly generations: PurgeGenerations,
    private readonly telemetry: CacheTelemetry,
    private readonly options: LookupOptions,
    /** Hit verification (feedback blocks, per-entry thresholds, the model judge); absent: the verifier alone decides. */
    private readonly gate?: SemanticGate,
    /**
     * L2 entries with their purge generations and the lookup's ticket; absent: `l2.get` beside `generations.current`,
     * then `generations.latest` (`sequentialExactReads`).
     */
    private readonly reads: ExactReads = sequentialExactReads(l2, generations),
  ) {}

  /**
   * Contexts a lookup of this process lately found L3 empty in (and did not search): an answer of such a context may be
   * on its way. A later lookup of one — a paraphrase asked right after the first answer — embeds, waits for the
   * context's writes already in flight, and searches.
   */
  private readonly emptyContexts = new LRUCache<string, true>({ max: EMPTY_CONTEXTS_MAX, ttl: EMPTY_CONTEXT_TTL_MS });

  /** `context`: the request the lookup is for (its embedding call names it). */
  async execute(request: CacheLookupRequest, context: RequestContext = {}): Promise<CacheLookupReply> {
    const deadline = request.budgetMs === undefined ? undefined : performance.now() + request.budgetMs;
    // The ticket is taken at the start, before the lookup can answer: a purge after it makes a store with it stale.
    // An exact read brings it along (one round trip on Redis); when there is none, or it failed, `current()` does.
    let ticket: number | Promise<number | undefined>;
    if (request.mode !== 'semantic') {
      const exact = await this.exact(request);
      if (exact.entry) return { hit: true, tier: 'l2', entry: exact.entry };
      ticket = exact.ticket ?? this.ticket(request.tenant);
    } else {
      ticket = this.ticket(request.tenant);
    }
    const explanation: { value?: LookupExplanation } = {};
    const shed = { busy: false };
    if (request.mode !== 'exact' && request.query !== '') {
      const explaining = request.explain === true ? explanation : undefined;
      const hit = await this.semantic(request, deadline, context, shed, explaining);
      if (hit) return explanation.value ? { ...hit, explain: explanation.value } : hit;
    }
    const value = await ticket;
    const miss: CacheLookupReply = {
      hit: false,
      ...(value === undefined ? {} : { ticket: value }),
      ...(shed.busy ? { semantic: 'busy' as const } : {}),
    };
    return explanation.value ? { ...miss, explain: explanation.value } : miss;
  }

  private async ticket(tenant: string): Promise<number | undefined> {
    try {
      return await this.generations.current(tenant);
    } catch (error) {
      this.telemetry.tierError('generations', 'current', error);
      return undefined;
    }
  }

  /** False when a purge since the entry's lookup touched its tags or namespace (or that cannot be checked). */
  private async fresh(entry: CacheEntry): Promise<boolean> {
    let latest: number;
    try {
      latest = await this.generations.latest(entry.tenant, entryGenerationFields(entry));
    } catch (error) {
      this.telemetry.tierError('generations', 'latest', error);
      return false;
    }
    return this.freshAgainst(entry, latest);
  }

  /** False (and the entry cleaned up) when `latest`, its fields' purge generation, is above the entry's generation. */
  private freshAgainst(entry: CacheEntry, latest: number): boolean {
    const stale = latest > generationOf(entry);
    if (stale) this.cleanUp(entry);
    return !stale;
  }

  /**
   * Removes a stale entry and its copies in the background (entries invalidated without being deleted —
   * an `invalidate` or a store that raced a purge — are cleaned up lazily, when first found).
   */
  private cleanUp(entry: CacheEntry): void {
    const selector = { tenant: entry.tenant, tags: [entryTag(entry.aliasOf ?? entry.id)] };
    this.l3
      .purge(selector)
      .then(
        () => this.l2.purge(selector),
        (error: unknown) => this.telemetry.tierError('l3', 'cleanup', error),
      )
      .catch((error: unknown) => this.telemetry.tierError('l2', 'cleanup', error));
  }

  /**
   * The L2 hit, if any, and the lookup's ticket, read with it. A failed read (of the entry, its generations or the
   * ticket: one read, one error, counted as an L2 read error) brings no ticket: the caller then takes it with
   * `current()`, whose own failure is counted as before (a generations error) and leaves the miss without one.
   */
  private async exact(request: CacheLookupRequest): Promise<{ entry?: CacheEntry; ticket?: number }> {
    const start = process.hrtime.bigint();
    let ticket: number | undefined;
    try {
      // The entry, its fields' purge generation and the ticket, read together.
      const read = await this.reads.getWithGenerations(request.tenant, entryIdFromKey(request.exactKey));
      ticket = read.ticket;
      const found = read.found;
      // The id is derived from the key; the checks make a collision or a stale copy a miss, never a wrong hit.
      const hit =
        found !== undefined &&
        found.entry.exactKey === request.exactKey &&
        found.entry.tenant === request.tenant &&
        !isExpired(found.entry, this.options.now()) &&
        this.freshAgainst(found.entry, found.latest) &&
        // A copy of an earlier semantic hit: a client may have called that pairing wrong since.
        !(
          found.entry.aliasOf !== undefined &&
          this.gate &&
          (await this.gate.refused(request.tenant, request.exactKey, found.entry))
        );
      this.telemetry.lookup('l2', hit ? 'hit' : 'miss', seconds(start));
      return hit ? { entry: found.entry, ticket } : { ticket };
    } catch (error) {
      this.telemetry.lookup('l2', 'error', seconds(start));
      this.telemetry.tierError('l2', 'get', error);
      return { ticket };
    }
  }

  /**
   * False when L3 certainly holds no entry of the request's tenant and context in the collection its vector would
   * search (the embedder's recent model); true when it may, when that cannot be told (no recent embedding), or when
   * asking failed (counted): the lookup then goes on as before.
   */
  private async mayHold(request: CacheLookupRequest): Promise<boolean> {
    const model = this.embedder.recentModel?.();
    if (model === undefined) return true;
    // An answer in this context is on its way to L3 (its embedding or upsert is running): it may be there by the time
    // this lookup's own embedding is.
    if (this.options.writing?.has(request.tenant, request.contextHash) === true) return true;
    try {
      return await this.l3.holds(model, request.tenant, request.contextHash);
    } catch (error) {
      this.telemetry.tierError('l3', 'holds', error);
      return true;
    }
  }

  /** `shed.busy` is set when the embedding would have come after `deadline` (it was not waited for). */
  private async semantic(
    request: CacheLookupRequest,
    deadline: number | undefined,
    context: RequestContext,
    shed: { busy: boolean },
    explanation?: { value?: LookupExplanation },
  ): Promise<CacheLookupReply | undefined> {
    const start = process.hrtime.bigint();
    const threshold = request.threshold ?? this.options.defaultThreshold;
    const margin = this.options.margin ?? DEFAULT_SEMANTIC_MARGIN;
    const contextKey = `${request.tenant}\n${request.contextHash}`;
    const foundEmpty = this.emptyContexts.has(contextKey);
    if (!foundEmpty && !(await this.mayHold(request))) {
      // Nothing to find: the query is not embedded (its answer's store embeds it), nothing is searched.
      this.emptyContexts.set(contextKey, true);
      this.telemetry.lookup('l3', 'empty', seconds(start));
      if (explanation) explanation.value = { threshold, margin, candidates: [] };
      return undefined;
    }
    // In a context found empty lately, the writes in flight now (its first answer's, most likely) are waited for before
    // the search: their embeddings were asked for before this one, but may come back with it, in one encoder batch.
    const writes = foundEmpty ? this.options.writing?.inFlight(request.tenant, request.contextHash) : undefined;
    let vector: number[];
    let model: string;
    try {
      const { requestId } = context;
      // What is left of the caller's wait: an embedding that would come later is not waited for.
      const options =
        deadline === undefined ? { requestId } : { budgetMs: Math.max(1, deadline - performance.now()), requestId };
      ({ vector, model } = await this.embedder.embed(request.query, options));
    } catch (error) {
      this.telemetry.lookup('l3', 'skipped', seconds(start));
      // `busy`: the embedding would have come after the caller stopped waiting (`budgetMs`), so it was not awaited.
      shed.busy = error instanceof StrataError && error.code === ErrorCode.RateLimited;
      this.telemetry.tierError('embedding', shed.busy ? 'busy' : 'embed', error);
      return undefined;
    }
    if (writes !== undefined) await settledWithin(writes, deadline);
    const now = this.options.now();
    const verified: { entry: CacheEntry; cosine: number; similarity: number; raw: number; reason: string }[] = [];
    const explained: LookupExplanation['candidates'] = [];
    try {
      const candidates = await this.l3.search({
        vector,
        model,
        tenant: request.tenant,
        contextHash: request.contextHash,
        limit: this.options.candidates,
        minScore: this.options.minCosine,
        now,
      });
      for (const { entry, score } of candidates) {
        // Defence in depth: the index filters these, but a wrong hit must be impossible, not unlikely.
        if (entry.tenant !== request.tenant || entry.contextHash !== request.contextHash || isExpired(entry, now))
          continue;
        const verdict =
          explanation && this.verifier.explain
            ? this.verifier.explain(request.query, entry.query, score, threshold)
            : this.verifier.verify(request.query, entry.query, score, threshold);
        if (!verdict.accepted) this.telemetry.semanticRejected(verdict.reason);
        if (explanation) explained.push(describeCandidate(entry, score, verdict));
        verified.push({
          entry,
          cosine: score,
          similarity: verdict.accepted ? verdict.similarity : 0,
          raw: verdict.similarity,
          reason: verdict.reason,
        });
      }
    } catch (error) {
      this.telemetry.lookup('l3', 'error', seconds(start));
      this.telemetry.tierError('l3', 'search', error);
      return undefined;
    }
    // With a gate, it decides each candidate's acceptance (similarity 0: refused) against the entry's own threshold.
    const pool: (VerifiedCandidate & { entry: CacheEntry; verified?: boolean })[] = this.gate
      ? await this.gate.gate(
          request,
          verified.map((v) => ({ ...v, similarity: v.raw })),
          threshold,
        )
      : verified;
    const floor = this.gate ? Number.MIN_VALUE : threshold;
    let best: { entry: CacheEntry; similarity: number; verified?: boolean } | undefined;
    for (let choice = chooseSemanticHit(pool, floor, margin); choice;) {
      if (await this.fresh(choice.entry)) {
        best = choice;
        break;
      }
      pool.splice(pool.indexOf(choice), 1);
      choice = chooseSemanticHit(pool, floor, margin);
    }
    if (explanation)
      explanation.value = { threshold, margin, candidates: explained, ...(best ? { chosen: best.entry.id } : {}) };
    this.telemetry.lookup('l3', best ? 'hit' : 'miss', seconds(start));
    if (!best) return undefined;
    const verifiedHit = best.verified === true;
    if (this.gate) this.gate.served(request, { ...best, cosine: 0, verified: verifiedHit } satisfies GatedCandidate);
    // A match accepted only under a looser threshold than its namespace's is served to this request
    // but not remembered as an exact answer: later requests of the namespace must not get it.
    // Nor is one the judge decided: each such hit goes through the gate again.
    const remember = best.similarity >= (request.namespaceThreshold ?? this.options.defaultThreshold) && !verifiedHit;
    if (remember) await this.backfill(request, best.entry);
    return {
      hit: true,
      tier: 'l3',
      entry: best.entry,
      similarity: best.similarity,
      backfilled: remember,
      ...(verifiedHit ? { verified: true } : {}),
    };
  }

  /** Copies the answering entry into L2 under this request's key; purging the original purges the copy. */
  private async backfill(request: CacheLookupRequest, source: CacheEntry): Promise<void> {
    if (request.exactKey === source.exactKey) return;
    const rootId = source.aliasOf ?? source.id;
    const tag = entryTag(rootId);
    const copy: CacheEntry = {
      ...source,
      id: entryIdFromKey(request.exactKey),
      exactKey: request.exactKey,
      query: request.query,
      aliasOf: rootId,
      tags: source.tags.includes(tag) ? source.tags : [...source.tags, tag],
    };
    try {
      await this.l2.put(copy);
    } catch (error) {
      this.telemetry.tierError('l2', 'backfill', error);
    }
  }
}
