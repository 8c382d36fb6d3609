import { entryTag } from '@strata/cache-core';
import { type CachePurgeReply, type L1EvictEvent, type PurgeSelectorMessage } from '@strata/contracts';

/**
 * What the gateways evict from L1 after a purge: the purge's own selector, or for a semantic purge (gateways hold no
 * vectors) the `$entry` tags of the entries the cache service selected; nothing when it selected none. Carries the
 * purge's generation so an L1 fill already in flight cannot bring an evicted entry back.
 */
export function l1Eviction(selector: PurgeSelectorMessage, counts: CachePurgeReply): L1EvictEvent | undefined {
  const generation = counts.generation === undefined ? {} : { generation: counts.generation };
  if (selector.semantic === undefined) return { ...selector, ...generation };
  const entryIds = counts.semantic?.entryIds ?? [];
  if (entryIds.length === 0) return undefined;
  return {
    tenant: selector.tenant,
    tags: entryIds.map(entryTag),
    ...(selector.purgeId === undefined ? {} : { purgeId: selector.purgeId }),
    ...(selector.action === undefined ? {} : { action: selector.action }),
    ...generation,
  };
}
