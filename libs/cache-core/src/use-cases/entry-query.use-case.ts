import { type CacheEntry, isExpired } from '../domain/cache-entry';
import { type ExactStore } from '../ports/exact-store.port';

/** Reads one entry by id for its tenant: another tenant's id reads as missing, never as forbidden. */
export class EntryQueryUseCase {
  constructor(
    private readonly l2: ExactStore,
    private readonly now: () => number,
  ) {}

  async execute(tenant: string, id: string): Promise<CacheEntry | undefined> {
    const entry = await this.l2.get(id);
    return entry && entry.tenant === tenant && !isExpired(entry, this.now()) ? entry : undefined;
  }
}
