import {
  type CacheStoreReply,
  type CacheStoreRequest,
  ErrorCode,
  type RequestContext,
  StrataError,
} from '@strata/contracts';
import { type CacheEntry, entryTag } from '../domain/cache-entry';
import { entryGenerationFields } from '../domain/generation-fields';
import { type PurgeGenerations } from '../ports/purge-generations.port';
import { entryIdFromKey } from '../keys/request-fingerprint';
import { type CacheTelemetry } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type ExactStore } from '../ports/exact-store.port';
import { type VectorIndex } from '../ports/vector-index.port';
import { type ContextsBeingWritten } from './contexts-being-written';

/** Builds the entry a store request describes (also used by the gateway to fill its L1). */
export function entryFromStoreRequest(request: CacheStoreRequest, generation = request.ticket ?? 0): CacheEntry {
  const id = entryIdFromKey(request.exactKey);
  const own = entryTag(id);
  return {
    id,
    tenant: request.tenant,
    namespace: request.namespace,
    namespaceVersion: request.namespaceVersion,
    model: request.model,
    exactKey: request.exactKey,
    contextHash: request.contextHash,
    query: request.query,
    response: request.response,
    tags: request.tags.includes(own) ? request.tags : [...request.tags, own],
    createdAt: request.storedAt,
    expiresAt: request.storedAt + request.ttlSeconds * 1000,
    generation,
  };
}

interface StoreUseCaseOptions {
  /** Where this process's semantic writes in flight are told to its lookups (shared with `LookupUseCase`). */
  readonly writing?: ContextsBeingWritten;
  /**
   * Longest the semantic half of a store (embed, then L3 upsert) may hold up the reply. Past it the reply
   * says `l3: false` (counted as an error of the step that hung) and the write goes on in the background:
   * a hung embedding provider or Qdrant costs the entry its L3 copy, not the whole store. Unset: no limit.
   */
  readonly semanticBudgetMs?: number;
  /**
   * Most semantic halves of `background` stores running at once (default 1,024). Past it a background store
   * keeps its L2 copy and skips L3, counted as an `l3 backlog` error: the encoder is that far behind, and
   * every write waiting on it holds its entry in memory.
   */
  readonly maxBackgroundWrites?: number;
}

const DEFAULT_MAX_BACKGROUND_WRITES = 1_024;

/** The step of a semantic write in progress, named when it runs past the budget. */
interface SemanticStep {
  tier: 'embedding' | 'l3';
}

/**
 * The cache service's write path: L2, then L3 (when the request has a semantic query). Idempotent: the
 * entry id is derived from the exact key, so a replayed store replaces the same entry in both tiers.
 * Fails only when no tier took the entry.
 *
 * A `background` store replies once L2 holds the entry and finishes its semantic half afterwards; `drain`
 * waits for those halves (shutdown). A semantic write that lands after a purge is no risk: the entry carries
 * the generation checked here, and every read compares it with the purges since (`entryGenerationFields`).
 */
export class StoreUseCase {
  constructor(
    private readonly l2: ExactStore,
    private readonly l3: VectorIndex,
    private readonly embedder: Embedder,
    private readonly generations: PurgeGenerations,
    private readonly telemetry: CacheTelemetry,
    private readonly options: StoreUseCaseOptions = {},
  ) {
    this.maxBackground = options.maxBackgroundWrites ?? DEFAULT_MAX_BACKGROUND_WRITES;
    this.backlogFull = new Error(`${this.maxBackground} semantic writes are already waiting; L2 only`);
  }

  /** Semantic halves of `background` stores still running. */
  private readonly background = new Set<Promise<boolean>>();
  private readonly maxBackground: number;
  /** What a skipped L3 write is counted with: one error, not one per store (under overload every store meets it). */
  private readonly backlogFull: Error;

  /** `context`: the request the store is for (its embedding call names it). */
  async execute(request: CacheStoreRequest, context: RequestContext = {}): Promise<CacheStoreReply> {
    const draft = entryFromStoreRequest(request);
    let generation: number;
    try {
      // Without a ticket the store is as fresh as now: nothing can be known about when it was computed.
      // A ticket from the future cannot be genuine (it would make the entry immune to purges): capped at now.
      const current = await this.generations.current(request.tenant);
      generation = request.ticket === undefined ? current : Math.min(request.ticket, current);
      const latest = await this.generations.latest(request.tenant, entryGenerationFields(draft));
      if (latest > generation) return { id: draft.id, l2: false, l3: false, stale: true, generation: latest };
    } catch (error) {
      this.telemetry.tierError('generations', 'check', error);
      throw new StrataError(
        ErrorCode.CacheUnavailable,
        'cannot check the entry against recent purges; not stored, retry later',
      );
    }
    const entry: CacheEntry = { ...draft, generation };
    if (request.semantic === 'background' && entry.query !== '') return this.storeInBackground(entry, context);
    const [l2, l3] = await Promise.all([this.storeExact(entry), this.storeSemantic(entry, context)]);
    return this.reply(entry, l2, l3);
  }

  /** Resolves once no semantic half of a `background` store is running, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.background.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
      });
      await Promise.race([Promise.all(this.background), timeout]);
      clearTimeout(timer);
    }
  }

  /** Semantic halves of `background` stores still running. */
  get backgroundWrites(): number {
    return this.background.size;
  }

  private reply(entry: CacheEntry, l2: boolean, l3: boolean): CacheStoreReply {
    if (!l2 && !l3) throw new StrataError(ErrorCode.CacheUnavailable, 'no cache tier accepted the entry; retry later');
    return { id: entry.id, l2, l3, generation: entry.generation };
  }

  /**
   * The semantic half starts beside the L2 write, as in a waited store; the reply comes once L2 holds the entry.
   * Should L2 refuse it, the reply waits for L3 (within the budget) after all: it must say whether any tier took it.
   */
  private async storeInBackground(entry: CacheEntry, context: RequestContext): Promise<CacheStoreReply> {
    const step: SemanticStep = { tier: 'embedding' };
    const semantic = this.startBackground(entry, step, context);
    const l2 = await this.storeExact(entry);
    if (l2) {
      const reply = this.reply(entry, true, false);
      return semantic === undefined ? reply : { ...reply, l3Pending: true };
    }
    return this.reply(entry, false, semantic === undefined ? false : await this.withinBudget(semantic, step));
  }

  /** Starts and tracks the semantic half of a background store; undefined when too many are running already. */
  private startBackground(
    entry: CacheEntry,
    step: SemanticStep,
    context: RequestContext,
  ): Promise<boolean> | undefined {
    if (this.background.size >= this.maxBackground) {
      this.telemetry.tierError('l3', 'backlog', this.backlogFull);
      return undefined;
    }
    const write = this.writeSemantic(entry, step, context);
    this.background.add(write);
    // writeSemantic never rejects: each failure is counted where it happens and resolves to false.
    void write.then(() => this.background.delete(write));
    return write;
  }

  private async storeExact(entry: CacheEntry): Promise<boolean> {
    try {
      await this.l2.put(entry);
      return true;
    } catch (error) {
      this.telemetry.tierError('l2', 'put', error);
      return false;
    }
  }

  private storeSemantic(entry: CacheEntry, context: RequestContext): Promise<boolean> {
    if (entry.query === '') return Promise.resolve(false);
    const step: SemanticStep = { tier: 'embedding' };
    return this.withinBudget(this.writeSemantic(entry, step, context), step);
  }

  /** `write`, or false once the semantic budget is spent (the write goes on); `step` names what hung. */
  private async withinBudget(write: Promise<boolean>, step: SemanticStep): Promise<boolean> {
    const budget = this.options.semanticBudgetMs;
    if (budget === undefined) return write;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overBudget = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        const operation = step.tier === 'l3' ? 'upsert' : 'embed';
        this.telemetry.tierError(step.tier, operation, new Error(`no answer within the store's ${budget} ms`));
        resolve(false);
      }, budget);
    });
    try {
      return await Promise.race([write, overBudget]);
    } finally {
      clearTimeout(timer);
    }
  }

  private writeSemantic(entry: CacheEntry, step: SemanticStep, context: RequestContext): Promise<boolean> {
    const write = this.embedAndUpsert(entry, step, context);
    return this.options.writing?.track(entry.tenant, entry.contextHash, write) ?? write;
  }

  private async embedAndUpsert(entry: CacheEntry, step: SemanticStep, context: RequestContext): Promise<boolean> {
    let embedding;
    try {
      embedding = await this.embedder.embed(entry.query, { requestId: context.requestId });
    } catch (error) {
      this.telemetry.tierError('embedding', 'embed', error);
      return false;
    }
    step.tier = 'l3';
    try {
      await this.l3.upsert(embedding.model, entry, embedding.vector);
      return true;
    } catch (error) {
      this.telemetry.tierError('l3', 'upsert', error);
      return false;
    }
  }
}
