import { type CachePurgeReply, ErrorCode, StrataError } from '@strata/contracts';
import { type CacheTelemetry } from '../ports/cache-telemetry.port';
import { purgeGenerationFields } from '../domain/generation-fields';
import { type ExactStore, type PurgeSelector } from '../ports/exact-store.port';
import { type PurgeGenerations } from '../ports/purge-generations.port';
import { type VectorIndex } from '../ports/vector-index.port';

/**
 * Advances the purge generation of what the purge selects first: from that instant every selected entry
 * is stale (a miss on read, refused on store) wherever it still is. Then removes them, L3 first, then L2: while a purge is under way a semantic lookup can no longer find the entry,
 * and an exact lookup can only find what L2 still holds, which goes next. A tier that fails makes the
 * purge fail (and be retried): a purge that silently skipped a tier would leave stale answers served.
 */
export class PurgeUseCase {
  constructor(
    private readonly l2: ExactStore,
    private readonly l3: VectorIndex,
    private readonly generations: PurgeGenerations,
    private readonly telemetry: CacheTelemetry,
  ) {}

  async execute(selector: PurgeSelector, action: 'purge' | 'invalidate' = 'purge'): Promise<CachePurgeReply> {
    let generation: number;
    try {
      generation = await this.generations.advance(selector.tenant, purgeGenerationFields(selector));
    } catch (error) {
      this.telemetry.tierError('generations', 'advance', error);
      throw new StrataError(
        ErrorCode.CacheUnavailable,
        'could not record the purge generation; nothing was acknowledged, retry',
      );
    }
    // `invalidate`: unreachable from now on (every read checks the generation); removal is left to expiry.
    if (action === 'invalidate') return { l2: 0, l3: 0, generation };
    const l3 = await this.tier('l3', () => this.l3.purge(selector));
    const l2 = await this.tier('l2', () => this.l2.purge(selector));
    return { l2, l3, generation };
  }

  private async tier(tier: 'l2' | 'l3', purge: () => Promise<number>): Promise<number> {
    try {
      return await purge();
    } catch (error) {
      this.telemetry.tierError(tier, 'purge', error);
      throw new StrataError(
        ErrorCode.CacheUnavailable,
        `${tier.toUpperCase()} purge failed; nothing was acknowledged, retry`,
      );
    }
  }
}
