import {
  type CacheEntriesListReply,
  type CacheEntriesListRequest,
  ErrorCode,
  type ListedEntryMessage,
  StrataError,
} from '@strata/contracts';
import { type CacheEntry, generationOf, isExpired } from '../domain/cache-entry';
import { entryGenerationFields } from '../domain/generation-fields';
import { type EntryCatalog } from '../ports/entry-catalog.port';
import { type EntryPopularity, type Popularity } from '../ports/entry-popularity.port';
import { type ExactStore } from '../ports/exact-store.port';
import { type PurgeGenerations } from '../ports/purge-generations.port';

/** Where a listing stands: in the popularity ranking (`r`, at rank `o`) or in the store's order (`s`, at `c`). */
type Position = { readonly p: 'r'; readonly o: number } | { readonly p: 's'; readonly c?: string };

/** Candidates examined per page at most (filters may reject most of them): a page always answers promptly. */
const EXAMINE_PER_PAGE = 2_000;

function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor(cursor: string | undefined, sorted: boolean): Position {
  if (cursor === undefined) return sorted ? { p: 'r', o: 0 } : { p: 's' };
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<{
      p: unknown;
      o: unknown;
      c: unknown;
    }>;
    if (value.p === 'r' && sorted && Number.isSafeInteger(value.o) && (value.o as number) >= 0)
      return { p: 'r', o: value.o as number };
    if (value.p === 's' && (value.c === undefined || typeof value.c === 'string'))
      return value.c === undefined ? { p: 's' } : { p: 's', c: value.c };
  } catch {
    // falls through: not a cursor of ours
  }
  throw new StrataError(ErrorCode.InvalidRequest, 'cursor: not a cursor of this listing (pass nextCursor as given)');
}

/**
 * One page of a tenant's live entries: filtered by namespace, tag and query text, sorted by popularity when
 * asked (entries never hit follow in the store's order). Backfilled copies (`aliasOf`) are left out — they
 * are the same answer under a paraphrase's key — and so are entries a purge made stale: the listing shows
 * what lookups would serve. Another tenant's entries are never candidates (every read is by tenant).
 */
export class ListEntriesUseCase {
  constructor(
    private readonly l2: ExactStore,
    private readonly catalog: EntryCatalog,
    private readonly popularity: EntryPopularity,
    private readonly generations: PurgeGenerations,
    private readonly now: () => number,
  ) {}

  async execute(request: CacheEntriesListRequest): Promise<CacheEntriesListReply> {
    const { tenant, limit, sort } = request;
    let position = decodeCursor(request.cursor, sort !== undefined);
    const listed: ListedEntryMessage[] = [];
    let examined = 0;
    while (listed.length < limit && examined < EXAMINE_PER_PAGE) {
      const want = limit - listed.length;
      if (position.p === 'r') {
        const ranked = await this.popularity.ranked(tenant, sort ?? 'hits', position.o, want);
        examined += ranked.length;
        const entries = await this.live(
          tenant,
          ranked.map((r) => r.id),
        );
        const gone = ranked.filter((r) => entries.get(r.id) === null).map((r) => r.id);
        if (gone.length > 0) await this.popularity.forget(tenant, gone);
        for (const r of ranked) {
          const entry = entries.get(r.id);
          if (entry && this.matches(entry, request)) listed.push({ entry, hits: r.hits, lastHitAt: r.lastHitAt });
        }
        position = ranked.length < want ? { p: 's' } : { p: 'r', o: position.o + ranked.length };
        continue;
      }
      const page = await this.catalog.page(
        tenant,
        { namespace: request.namespace, tag: request.tag },
        position.c,
        want,
      );
      examined += page.ids.length;
      const [entries, popularity] = await Promise.all([
        this.live(tenant, page.ids),
        this.popularity.of(tenant, page.ids),
      ]);
      for (const id of page.ids) {
        const entry = entries.get(id);
        const known: Popularity | undefined = popularity.get(id);
        // Sorted listings showed every entry with hits in the ranking already.
        if (sort !== undefined && known !== undefined && known.hits > 0) continue;
        if (entry && this.matches(entry, request))
          listed.push({ entry, hits: known?.hits ?? 0, lastHitAt: known?.lastHitAt ?? null });
      }
      if (page.cursor === undefined) return { entries: listed, nextCursor: null };
      position = { p: 's', c: page.cursor };
    }
    return { entries: listed, nextCursor: encodeCursor(position) };
  }

  /** Each id's live, fresh root entry of this tenant; null for one that is gone (expired, purged, stale). */
  private async live(tenant: string, ids: readonly string[]): Promise<Map<string, CacheEntry | null>> {
    const now = this.now();
    const found = await Promise.all(
      ids.map(async (id): Promise<[string, CacheEntry | null]> => {
        const entry = await this.l2.get(tenant, id);
        if (!entry || entry.tenant !== tenant || isExpired(entry, now)) return [id, null];
        const latest = await this.generations.latest(tenant, entryGenerationFields(entry));
        return [id, latest > generationOf(entry) ? null : entry];
      }),
    );
    return new Map(found);
  }

  private matches(entry: CacheEntry, request: CacheEntriesListRequest): boolean {
    if (entry.aliasOf !== undefined) return false;
    if (request.namespace !== undefined && entry.namespace !== request.namespace) return false;
    if (request.tag !== undefined && !entry.tags.includes(request.tag)) return false;
    return request.q === undefined || entry.query.toLowerCase().includes(request.q.toLowerCase());
  }
}
