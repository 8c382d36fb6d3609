import { type CachePurgeReply, ErrorCode, type RequestContext, StrataError } from '@strata/contracts';
import { entryTag } from '../domain/cache-entry';
import { normaliseText } from '../keys/normalise-text';
import { type CacheTelemetry } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type VectorIndex } from '../ports/vector-index.port';
import { type PurgeUseCase } from './purge.use-case';

/** Most entries one semantic purge selects (its reply says `truncated` when it reached it). */
export const SEMANTIC_PURGE_MAX_ENTRIES = 10_000;

export interface SemanticPurgeCommand {
  readonly tenant: string;
  /** Narrows the purge to one namespace; every namespace of the tenant when omitted. */
  readonly namespace?: string | undefined;
  /** Compared with each entry's question (normalised like a lookup's query before it is embedded). */
  readonly text: string;
  /** Cosine similarity (of the embedding model) at or above which an entry is purged. */
  readonly minSimilarity: number;
}

export interface SemanticPurgeOptions {
  /** Most entries selected per purge. Default `SEMANTIC_PURGE_MAX_ENTRIES`. */
  readonly maxEntries?: number;
  /** Epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Purge by meaning: embeds the text, finds in L3 the tenant's entries whose question lies within the radius (every
 * context; one namespace when given), and purges each of them with every copy through its `$entry:<rootId>` tag —
 * an ordinary tag purge by `PurgeUseCase`, so generations advance first (stale stores of those entries are refused,
 * their L1 copies cannot come back) and L3 goes before L2.
 *
 * It selects what L3 holds when it runs: an entry whose L3 write lands after the search (or that never reached L3)
 * is not selected. At most `maxEntries` are selected per purge; `truncated` then says to purge again.
 */
export class SemanticPurgeUseCase {
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly l3: VectorIndex,
    private readonly embedder: Embedder,
    private readonly purge: PurgeUseCase,
    private readonly telemetry: CacheTelemetry,
    options: SemanticPurgeOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? SEMANTIC_PURGE_MAX_ENTRIES;
    if (!(this.maxEntries >= 1)) throw new RangeError(`maxEntries must be at least 1, got ${this.maxEntries}`);
    this.now = options.now ?? Date.now;
  }

  /** `context`: the request the purge is for (its embedding call names it). */
  async execute(
    command: SemanticPurgeCommand,
    action: 'purge' | 'invalidate' = 'purge',
    context: RequestContext = {},
  ): Promise<CachePurgeReply> {
    const text = normaliseText(command.text);
    if (text === '') throw new StrataError(ErrorCode.InvalidRequest, 'a semantic purge needs a non-empty text');
    let model: string;
    let vector: number[];
    try {
      ({ model, vector } = await this.embedder.embed(text, { requestId: context.requestId }));
    } catch (error) {
      this.telemetry.tierError('embedding', 'embed', error);
      throw new StrataError(
        ErrorCode.CacheUnavailable,
        'could not embed the semantic purge text; nothing was purged, retry',
      );
    }
    let rootIds: string[];
    let truncated: boolean;
    try {
      const matches = await this.l3.findSimilar({
        vector,
        model,
        tenant: command.tenant,
        ...(command.namespace === undefined ? {} : { namespace: command.namespace }),
        minScore: command.minSimilarity,
        limit: this.maxEntries,
        now: this.now(),
      });
      truncated = matches.length >= this.maxEntries;
      rootIds = [...new Set(matches.map((match) => match.rootId))];
    } catch (error) {
      this.telemetry.tierError('l3', 'find similar', error);
      throw new StrataError(
        ErrorCode.CacheUnavailable,
        'L3 could not be searched for the semantic purge; nothing was purged, retry',
      );
    }
    if (rootIds.length === 0) return { l2: 0, l3: 0, semantic: { entryIds: [], truncated } };
    // Without the namespace: the copies of a selected entry go with it wherever they are.
    const counts = await this.purge.execute({ tenant: command.tenant, tags: rootIds.map(entryTag) }, action);
    return { ...counts, semantic: { entryIds: rootIds, truncated } };
  }
}
