import { type CacheEntry, generationOf, isExpired } from '../domain/cache-entry';
import { entryGenerationFields } from '../domain/generation-fields';
import { type ExactStore } from '../ports/exact-store.port';
import { type PurgeGenerations } from '../ports/purge-generations.port';

/**
 * Reads one entry by id for its tenant: another tenant's id reads as missing, never as forbidden, and so
 * does an entry a purge made stale (exactly what lookups would not serve).
 */
export class EntryQueryUseCase {
  constructor(
    private readonly l2: ExactStore,
    private readonly generations: PurgeGenerations,
    private readonly now: () => number,
  ) {}

  async execute(tenant: string, id: string): Promise<CacheEntry | undefined> {
    const entry = await this.l2.get(tenant, id);
    if (!entry || entry.tenant !== tenant || isExpired(entry, this.now())) return undefined;
    const latest = await this.generations.latest(tenant, entryGenerationFields(entry));
    return latest > generationOf(entry) ? undefined : entry;
  }
}
