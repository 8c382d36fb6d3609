import { Inject, Injectable } from '@nestjs/common';
import { NamespacePolicies } from '@strata/cache-core';
import { CACHE_SERVICE, type CacheService, type ImportedEntry, type RequestContext } from '@strata/contracts';

const IMPORT_TIMEOUT_MS = 5_000;

interface ImportOutcome {
  readonly stored: number;
  /** Already expired, or no longer storable (a purge since the export made it stale). */
  readonly skipped: number;
}

/**
 * Stores exported entries again, under the keys they were exported with, for the caller's tenant (keys embed
 * the tenant that computed them: another tenant's export stores entries no lookup of this tenant can reach).
 * The TTL left is kept, capped by the namespace's maximum; the answer is embedded again for L3.
 */
@Injectable()
export class EntryImporter {
  constructor(
    @Inject(CACHE_SERVICE) private readonly cache: CacheService,
    private readonly policies: NamespacePolicies,
  ) {}

  /** `context`: the request importing them (each store names it). */
  async import(
    tenant: string,
    entries: readonly ImportedEntry[],
    context: RequestContext = {},
    now = Date.now(),
  ): Promise<ImportOutcome> {
    let stored = 0;
    let skipped = 0;
    for (const entry of entries) {
      const createdAt = Date.parse(entry.createdAt);
      const expiresAt = Date.parse(entry.expiresAt);
      const policy = this.policies.get(entry.namespace);
      const ttlSeconds = Math.min(Math.ceil((expiresAt - createdAt) / 1000), policy.maxTtlSeconds);
      if (expiresAt <= now || ttlSeconds <= 0 || createdAt + ttlSeconds * 1000 <= now) {
        skipped++;
        continue;
      }
      const reply = await this.cache.store(
        {
          tenant,
          namespace: entry.namespace,
          namespaceVersion: entry.namespaceVersion,
          model: entry.model,
          exactKey: entry.exactKey,
          contextHash: entry.contextHash,
          query: entry.query,
          response: entry.response,
          tags: entry.tags,
          ttlSeconds,
          storedAt: createdAt,
        },
        { timeoutMs: IMPORT_TIMEOUT_MS, requestId: context.requestId },
      );
      if (reply.stale) skipped++;
      else stored++;
    }
    return { stored, skipped };
  }
}
