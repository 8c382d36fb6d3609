import { Inject, Injectable } from '@nestjs/common';
import {
  type CacheEntry,
  DEFAULT_NAMESPACE,
  NamespacePolicies,
  RESERVED_TAG_PREFIX,
  ageSeconds,
  ttlRemainingSeconds,
} from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { CACHE_SERVICE, type CacheService, type EntriesListQuery, type JsonValue } from '@strata/contracts';

const BROWSE_TIMEOUT_MS = 10_000;

/** An entry as the API shows it (what `GET /v1/cache/entries/:id` answers), with its popularity. */
interface EntryView {
  readonly id: string;
  readonly namespace: string;
  readonly namespaceVersion: number;
  readonly model: string;
  /** The keys the entry is stored under (what `strata export` keeps, so `import` restores it as it was). */
  readonly exactKey: string;
  readonly contextHash: string;
  readonly query: string;
  readonly tags: string[];
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly age: number;
  readonly ttl: number;
  readonly hits: number;
  readonly lastHitAt: string | null;
  readonly response: JsonValue;
}

interface NamespaceView {
  readonly name: string;
  readonly version: number;
  readonly configured: boolean;
  readonly temperaturePolicy: string;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly similarityThreshold: number | null;
  readonly entries: number;
}

function entryView(entry: CacheEntry, hits: number, lastHitAt: number | null, now: number): EntryView {
  return {
    id: entry.id,
    namespace: entry.namespace,
    namespaceVersion: entry.namespaceVersion,
    model: entry.model,
    exactKey: entry.exactKey,
    contextHash: entry.contextHash,
    query: entry.query,
    tags: entry.tags.filter((t) => !t.startsWith(RESERVED_TAG_PREFIX)),
    createdAt: new Date(entry.createdAt).toISOString(),
    expiresAt: new Date(entry.expiresAt).toISOString(),
    age: ageSeconds(entry, now),
    ttl: ttlRemainingSeconds(entry, now),
    hits,
    lastHitAt: lastHitAt === null ? null : new Date(lastHitAt).toISOString(),
    response: entry.response,
  };
}

/** Browsing a tenant's cache: pages of entries with their popularity, and its namespaces with their policies. */
@Injectable()
export class EntryBrowser {
  constructor(
    @Inject(STRATA_CONFIG) private readonly config: StrataConfig,
    @Inject(CACHE_SERVICE) private readonly cache: CacheService,
    private readonly policies: NamespacePolicies,
  ) {}

  async list(
    tenant: string,
    query: Omit<EntriesListQuery, 'tenant'>,
  ): Promise<{ entries: EntryView[]; nextCursor: string | null }> {
    const reply = await this.cache.listEntries(
      {
        tenant,
        limit: query.limit,
        ...(query.namespace === undefined ? {} : { namespace: query.namespace }),
        ...(query.tag === undefined ? {} : { tag: query.tag }),
        ...(query.q === undefined ? {} : { q: query.q }),
        ...(query.sort === undefined ? {} : { sort: query.sort }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      },
      { timeoutMs: BROWSE_TIMEOUT_MS },
    );
    const now = Date.now();
    return {
      entries: reply.entries
        .filter(({ entry }) => entry.tenant === tenant)
        .map(({ entry, hits, lastHitAt }) => entryView(entry, hits, lastHitAt, now)),
      nextCursor: reply.nextCursor,
    };
  }

  /** Configured namespaces and those holding entries, each with its effective policy and live entry count. */
  async namespaces(tenant: string): Promise<NamespaceView[]> {
    const { namespaces } = await this.cache.namespaces({ tenant }, { timeoutMs: BROWSE_TIMEOUT_MS });
    const counts = new Map(namespaces.map((n) => [n.name, n.entries]));
    const configured = new Set(Object.keys(this.config.cache.namespaces));
    const names = [...new Set([DEFAULT_NAMESPACE, ...configured, ...counts.keys()])].sort();
    return names.map((name) => {
      const policy = this.policies.get(name);
      return {
        name,
        version: policy.version,
        configured: configured.has(name),
        temperaturePolicy: policy.temperaturePolicy,
        defaultTtlSeconds: policy.defaultTtlSeconds,
        maxTtlSeconds: policy.maxTtlSeconds,
        similarityThreshold: policy.similarityThreshold ?? null,
        entries: counts.get(name) ?? 0,
      };
    });
  }
}
