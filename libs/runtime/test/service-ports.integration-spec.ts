import { createHash } from 'node:crypto';
import { type DynamicModule, type INestApplicationContext, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ENTRY_CATALOG,
  ENTRY_POPULARITY,
  EXACT_STORE,
  MATCH_VERIFIER,
  type MatchVerifier,
  PURGE_GENERATIONS,
  VECTOR_INDEX,
  type VectorIndex,
} from '@strata/cache-core';
import { type StrataConfig, loadConfig } from '@strata/config';
import { HIT_VERDICTS } from '@strata/cache-core';
import { MemoryHitVerdicts } from '@strata/store-memory';
import {
  CACHE_LOOKUP_TOPIC,
  CACHE_PURGE_TOPIC,
  CACHE_SERVICE,
  type CacheService,
  type CacheStoreRequest,
  type CallOptions,
  EMBEDDINGS,
  EMBEDDING_EMBED_TOPIC,
  type Embeddings,
  ErrorCode,
  INVALIDATION_PURGE_TOPIC,
  type Invalidation,
  L1_EVICTIONS,
  type L1EvictEvent,
  REQUEST_TOPICS,
  type RequestContext,
  allTopics,
} from '@strata/contracts';
import { EMBEDDING_CACHE, EMBEDDING_PROVIDER, type EmbeddingProvider } from '@strata/embedding';
import { PROCESSED_EVENTS } from '@strata/invalidation';
import { CacheServiceModule, DirectCacheService } from '@strata/service-cache';
import { DirectEmbeddings, EmbeddingServiceModule } from '@strata/service-embedding';
import { DirectInvalidation, InvalidationServiceModule } from '@strata/service-invalidation';
import {
  MemoryEmbeddingCache,
  MemoryEntryCatalog,
  MemoryEntryPopularity,
  MemoryExactStore,
  MemoryProcessedEvents,
  MemoryPurgeGenerations,
  MemoryVectorIndex,
} from '@strata/store-memory';
import { StrataMetrics } from '@strata/observability';
import { eventually } from '@strata/testing';
import {
  KafkaAdmin,
  KafkaCacheService,
  KafkaEmbeddings,
  KafkaInvalidation,
  type KafkaRequester,
  createKafkaRequester,
  createKafkaServer,
} from '@strata/transport';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only tool, never a runtime dependency
import { KafkaTestBroker } from '../../../tools/kafka-test-broker/src';

/**
 * One contract for each service port, passed by both of its adapters: the direct call of the embedded default
 * and Kafka request-reply through the wire-level test broker (which also keeps the services' Kafka message
 * controllers exercised: the embedded default no longer goes through them).
 */

const CALL = { timeoutMs: 15_000 };
const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** What the provider embedded, and how far behind it says it is (asked only for callers with a budget). */
const embedded: string[] = [];
const backlog = { behindMs: 0, asked: 0 };
/** While set, the provider's answers wait for it. */
const held: { until?: Promise<void> } = {};
/** Four dimensions, deterministic per text: enough for stores to write L3. */
const provider: EmbeddingProvider = {
  model: 'test-embedding',
  dimensions: 4,
  embed: async (texts) => {
    embedded.push(...texts);
    if (held.until !== undefined) await held.until;
    return texts.map((text) => [text.length, 1, 2, 3]);
  },
  backlogMs: () => {
    backlog.asked++;
    return backlog.behindMs;
  },
};
const verifier: MatchVerifier = {
  verify: (_query, _candidate, cosine, threshold) => ({
    accepted: cosine >= threshold,
    similarity: cosine,
    reason: 'test',
  }),
};

/** The request ids the services passed on with their onward calls (a call for no request: undefined). */
interface Onward {
  /** The cache service's calls to the embedding service. */
  readonly embed: (string | undefined)[];
  /** The invalidation service's purges of the cache service, and its L1-eviction broadcasts. */
  readonly purge: (string | undefined)[];
  readonly evict: (string | undefined)[];
}

interface Ports {
  readonly cache: CacheService;
  readonly embeddings: Embeddings;
  readonly invalidation: Invalidation;
  /** What the invalidation service broadcast to the gateways. */
  readonly evicted: L1EvictEvent[];
  readonly onward: Onward;
  close(): Promise<void>;
}

function modules(config: StrataConfig, evicted: L1EvictEvent[], onward: Onward) {
  // The ports the services call out through, recording the request id each call names.
  const embeddingsSeen = (embeddings: Embeddings): Embeddings => ({
    embed: (request, options) => {
      onward.embed.push(options.requestId);
      return embeddings.embed(request, options);
    },
  });
  const purgesSeen = (cache: CacheService): CacheService =>
    Object.assign(Object.create(cache) as CacheService, {
      purge: (request: Parameters<CacheService['purge']>[0], options: CallOptions) => {
        onward.purge.push(options.requestId);
        return cache.purge(request, options);
      },
    });
  return {
    embedding: () =>
      EmbeddingServiceModule.register({
        config,
        adapters: [
          { provide: EMBEDDING_PROVIDER, useValue: provider },
          { provide: EMBEDDING_CACHE, useValue: new MemoryEmbeddingCache({ maxEntries: 100 }) },
        ],
      }),
    cache: (embeddings: Embeddings) => {
      const l2 = new MemoryExactStore({ maxEntries: 1_000 });
      return CacheServiceModule.register({
        config,
        adapters: [
          { provide: EXACT_STORE, useValue: l2 },
          { provide: ENTRY_CATALOG, useValue: new MemoryEntryCatalog(l2) },
          { provide: ENTRY_POPULARITY, useValue: new MemoryEntryPopularity() },
          { provide: VECTOR_INDEX, useValue: new MemoryVectorIndex({ maxEntries: 1_000 }) },
          { provide: MATCH_VERIFIER, useValue: verifier },
          { provide: PURGE_GENERATIONS, useValue: new MemoryPurgeGenerations() },
          { provide: HIT_VERDICTS, useValue: new MemoryHitVerdicts() },
          { provide: EMBEDDINGS, useValue: embeddingsSeen(embeddings) },
        ],
        defaultThreshold: 0.99,
        minCosine: 0.5,
      });
    },
    invalidation: (cache: CacheService) =>
      InvalidationServiceModule.register({
        config,
        adapters: [
          { provide: PROCESSED_EVENTS, useValue: new MemoryProcessedEvents() },
          { provide: CACHE_SERVICE, useValue: purgesSeen(cache) },
          {
            provide: L1_EVICTIONS,
            useValue: {
              broadcast: (event: L1EvictEvent, context?: RequestContext) => {
                onward.evict.push(context?.requestId);
                return Promise.resolve(void evicted.push(event));
              },
            },
          },
        ],
      }),
  };
}

async function direct(): Promise<Ports> {
  const config = loadConfig({}, { log: { level: 'silent' }, verification: { feedback: true } });
  const evicted: L1EvictEvent[] = [];
  const onward: Onward = { embed: [], purge: [], evict: [] };
  const apps: INestApplicationContext[] = [];
  const start = async (module: DynamicModule) => {
    const app = await NestFactory.createApplicationContext(module, { logger: false });
    apps.push(app);
    return app;
  };
  const build = modules(config, evicted, onward);
  const embeddings: Embeddings = (await start(build.embedding())).get<DirectEmbeddings>(DirectEmbeddings);
  const cache: CacheService = (await start(build.cache(embeddings))).get<DirectCacheService>(DirectCacheService);
  const invalidation: Invalidation = (await start(build.invalidation(cache))).get<DirectInvalidation>(
    DirectInvalidation,
  );
  return {
    cache,
    embeddings,
    invalidation,
    evicted,
    onward,
    close: async () => {
      for (const app of apps.reverse()) await app.close();
    },
  };
}

async function overKafka(broker: KafkaTestBroker): Promise<Ports> {
  const config = loadConfig(
    {},
    {
      kafka: { brokers: [broker.brokers], partitions: 2, sessionTimeoutMs: 6_000 },
      log: { level: 'silent' },
      verification: { feedback: true },
    },
  );
  const admin = new KafkaAdmin(config, 'ports-admin');
  await admin.waitForBroker();
  await admin.ensureTopics(allTopics());
  await admin.close();
  const clients: KafkaRequester[] = [];
  const client = (name: string, topics: readonly string[]) => {
    // Lookup replies in a consumer of their own, as in distributed mode.
    const created = createKafkaRequester(config, name, name, topics, [CACHE_LOOKUP_TOPIC]);
    clients.push(created);
    return created;
  };
  const evicted: L1EvictEvent[] = [];
  const onward: Onward = { embed: [], purge: [], evict: [] };
  const build = modules(config, evicted, onward);
  const services: INestMicroservice[] = [];
  for (const [name, module] of [
    ['embedding', build.embedding()],
    ['cache', build.cache(new KafkaEmbeddings(client('ports-cache', [EMBEDDING_EMBED_TOPIC])))],
    ['invalidation', build.invalidation(new KafkaCacheService(client('ports-invalidation', [CACHE_PURGE_TOPIC])))],
  ] as const) {
    const service = await NestFactory.createMicroservice(module, {
      strategy: createKafkaServer(config, `ports-${name}`, `ports-${name}`),
      logger: false,
    });
    await service.listen();
    services.push(service);
  }
  const gateway = client('ports-gateway', REQUEST_TOPICS);
  for (const created of clients) await created.connect();
  return {
    cache: new KafkaCacheService(gateway),
    embeddings: new KafkaEmbeddings(gateway),
    invalidation: new KafkaInvalidation(gateway),
    evicted,
    onward,
    close: async () => {
      for (const created of clients) await created.close();
      for (const service of services.reverse()) await service.close();
    },
  };
}

function storeRequest(
  tenant: string,
  question: string,
  tags: string[] = ['doc:returns'],
  ticket?: number,
): CacheStoreRequest {
  return {
    tenant,
    namespace: 'default',
    namespaceVersion: 1,
    model: 'gpt-test',
    exactKey: hex(`${tenant}:${question}`),
    contextHash: hex(`${tenant}:context`),
    query: question,
    response: { answer: `answer to ${question}` },
    tags,
    ttlSeconds: 3_600,
    storedAt: Date.now(),
    ...(ticket === undefined ? {} : { ticket }),
  };
}

function lookupRequest(tenant: string, question: string) {
  const { exactKey, contextHash, query } = storeRequest(tenant, question);
  return { tenant, namespace: 'default', model: 'gpt-test', exactKey, contextHash, query, mode: 'exact' as const };
}

function describePortContracts(name: string, open: () => Promise<Ports>): void {
  describe(name, () => {
    let ports: Ports;
    beforeAll(async () => {
      ports = await open();
    }, 90_000);
    afterAll(() => ports?.close());

    describe('CacheService', () => {
      it('misses an unknown request with a ticket, then hits what was stored for that tenant only', async () => {
        const miss = await ports.cache.lookup(lookupRequest('acme', 'How long do returns take?'), CALL);
        expect(miss).toEqual({ hit: false, ticket: expect.any(Number) as number });

        const stored = await ports.cache.store(
          storeRequest('acme', 'How long do returns take?', ['doc:returns'], miss.hit ? 0 : miss.ticket),
          CALL,
        );
        expect(stored).toMatchObject({ l2: true, id: expect.any(String) as string });

        const hit = await ports.cache.lookup(lookupRequest('acme', 'How long do returns take?'), CALL);
        expect(hit).toMatchObject({
          hit: true,
          tier: 'l2',
          entry: { id: stored.id, tenant: 'acme', response: { answer: 'answer to How long do returns take?' } },
        });
        expect(
          (await ports.cache.lookup({ ...lookupRequest('acme', 'How long do returns take?'), tenant: 'globex' }, CALL))
            .hit,
        ).toBe(false);
      });

      it("records a verdict on a semantic pairing of the tenant's entry, and finds nothing of another tenant's", async () => {
        const { id } = await ports.cache.store(storeRequest('acme', 'Can I pay by invoice?'), CALL);
        const paraphraseKey = 'f'.repeat(64);

        expect(
          await ports.cache.feedback({ tenant: 'acme', entryId: id, verdict: 'wrong', exactKey: paraphraseKey }, CALL),
        ).toEqual({ found: true, action: 'blocked', wrong: 1, right: 0, thresholdRaise: 0.02 });
        expect(await ports.cache.feedback({ tenant: 'globex', entryId: id, verdict: 'wrong' }, CALL)).toMatchObject({
          found: false,
          action: 'none',
        });
      });

      it("answers a semantic lookup with a miss and its ticket, saying 'busy', when the embedding would come after the lookup's budget", async () => {
        const asked = backlog.asked;
        backlog.behindMs = 10_000;
        try {
          const request = { ...lookupRequest('acme', `a new question for ${name}`), mode: 'semantic' as const };
          expect(await ports.cache.lookup({ ...request, budgetMs: 50 }, CALL)).toEqual({
            hit: false,
            ticket: expect.any(Number) as number,
            semantic: 'busy',
          });
        } finally {
          backlog.behindMs = 0;
        }
        // The budget reached the embedding service's provider, through the cache service.
        expect(backlog.asked).toBeGreaterThan(asked);
      });

      it('passes the request id of a lookup, a store and a semantic purge on to the embedding service', async () => {
        const question = (what: string) => `${what} (${name})?`;
        const semantic = { ...lookupRequest('acme', question('Which carriers do you use')), mode: 'semantic' as const };

        await ports.cache.lookup(semantic, { ...CALL, requestId: 'req-lookup' });
        await ports.cache.store(storeRequest('acme', question('Do you deliver on Sundays')), {
          ...CALL,
          requestId: 'req-store',
        });
        await ports.cache.purge(
          { tenant: 'acme', semantic: { text: question('Anything about parcels'), minSimilarity: 0.99 } },
          { ...CALL, requestId: 'req-purge' },
        );
        await ports.cache.store(storeRequest('acme', question('Is there a loyalty card')), CALL);

        expect(ports.onward.embed.slice(-4)).toEqual(['req-lookup', 'req-store', 'req-purge', undefined]);
      });

      it('answers a background store once L2 holds the entry, and writes L3 when the embedding comes', async () => {
        const question = `Do you price-match (${name})?`;
        let release!: () => void;
        held.until = new Promise<void>((resolve) => (release = resolve));
        try {
          const stored = await ports.cache.store({ ...storeRequest('acme', question), semantic: 'background' }, CALL);
          expect(stored).toEqual({
            id: expect.any(String) as string,
            l2: true,
            l3: false,
            l3Pending: true,
            generation: expect.any(Number) as number,
          });
          expect(await ports.cache.lookup(lookupRequest('acme', question), CALL)).toMatchObject({
            hit: true,
            tier: 'l2',
          });
        } finally {
          held.until = undefined;
          release();
        }
        const semantic = { ...lookupRequest('acme', question), mode: 'semantic' as const };
        await eventually(async () => {
          expect(await ports.cache.lookup(semantic, CALL)).toMatchObject({ hit: true, tier: 'l3' });
        });
      });

      it('reads an entry by id for its tenant, and nothing for another', async () => {
        const { id } = await ports.cache.store(storeRequest('acme', 'Do you ship abroad?'), CALL);

        expect((await ports.cache.getEntry({ tenant: 'acme', id }, CALL)).entry).toMatchObject({
          id,
          query: 'Do you ship abroad?',
        });
        expect(await ports.cache.getEntry({ tenant: 'globex', id }, CALL)).toEqual({ entry: null });
      });

      it('purges by tag: counts, a newer ticket, no more hits, and a store with the old ticket refused as stale', async () => {
        const before = await ports.cache.ticket({ tenant: 'acme' }, CALL);
        await ports.cache.store(storeRequest('acme', 'What is the warranty?', ['doc:warranty']), CALL);

        const purged = await ports.cache.purge({ tenant: 'acme', tags: ['doc:warranty'] }, CALL);

        expect(purged.l2).toBeGreaterThanOrEqual(1);
        expect((await ports.cache.ticket({ tenant: 'acme' }, CALL)).ticket).toBeGreaterThan(before.ticket);
        expect((await ports.cache.lookup(lookupRequest('acme', 'What is the warranty?'), CALL)).hit).toBe(false);
        expect(
          await ports.cache.store(storeRequest('acme', 'What is the warranty?', ['doc:warranty'], before.ticket), CALL),
        ).toMatchObject({ stale: true });
      });

      it("lists a tenant's entries with the hits recorded for them, and counts them per namespace", async () => {
        const stored = await ports.cache.store(storeRequest('listing', 'Do you gift-wrap?'), CALL);
        await ports.cache.store(storeRequest('listing', 'Do you engrave?'), CALL);
        await ports.cache.store(storeRequest('other-tenant', 'Do you gift-wrap?'), CALL);
        expect(
          await ports.cache.recordHits({ hits: [{ tenant: 'listing', id: stored.id, count: 3, lastHitAt: 7 }] }, CALL),
        ).toEqual({ recorded: 1 });

        const page = await ports.cache.listEntries({ tenant: 'listing', sort: 'hits', limit: 10 }, CALL);

        expect(page.nextCursor).toBeNull();
        expect(page.entries.map((e) => [e.entry.query, e.hits, e.lastHitAt])).toEqual([
          ['Do you gift-wrap?', 3, 7],
          ['Do you engrave?', 0, null],
        ]);
        expect(await ports.cache.namespaces({ tenant: 'listing' }, CALL)).toEqual({
          namespaces: [{ name: 'default', entries: 2 }],
        });
      });

      it('counts the entries of L2 and L3', async () => {
        const stats = await ports.cache.stats(CALL);

        expect(stats.l2).toBeGreaterThanOrEqual(2);
        expect(stats.l3).toEqual(expect.any(Number));
      });

      it('refuses a request that breaks its contract with invalid_message', async () => {
        await expect(
          ports.cache.lookup({ ...lookupRequest('acme', 'x'), exactKey: 'not-a-key' }, CALL),
        ).rejects.toMatchObject({
          code: ErrorCode.InvalidMessage,
          message: expect.stringContaining(CACHE_LOOKUP_TOPIC) as string,
        });
      });
    });

    describe('Embeddings', () => {
      it('answers one vector per text with the model and its dimensions', async () => {
        expect(await ports.embeddings.embed({ texts: ['a', 'bb'] }, CALL)).toEqual({
          model: 'test-embedding',
          dimensions: 4,
          vectors: [
            [1, 1, 2, 3],
            [2, 1, 2, 3],
          ],
        });
      });

      it('refuses at once, as rate_limited, a request whose budget the provider is too far behind to meet, and embeds its text all the same', async () => {
        const text = `too late for ${name}`;
        backlog.behindMs = 10_000;
        try {
          await expect(ports.embeddings.embed({ texts: [text], budgetMs: 50 }, CALL)).rejects.toMatchObject({
            code: ErrorCode.RateLimited,
          });
        } finally {
          backlog.behindMs = 0;
        }
        // The store that follows asks without a budget: the text is embedded once.
        expect(await ports.embeddings.embed({ texts: [text] }, CALL)).toMatchObject({
          vectors: [[text.length, 1, 2, 3]],
        });
        expect(embedded.filter((t) => t === text)).toHaveLength(1);
      });

      it('refuses an empty request with invalid_message', async () => {
        await expect(ports.embeddings.embed({ texts: [] }, CALL)).rejects.toMatchObject({
          code: ErrorCode.InvalidMessage,
        });
      });
    });

    describe('Invalidation', () => {
      it('purges the cache service and broadcasts the L1 eviction with the purge generation', async () => {
        await ports.cache.store(storeRequest('acme', 'Can I pay by invoice?', ['doc:invoice']), CALL);

        const purged = await ports.invalidation.purge({ tenant: 'acme', tags: ['doc:invoice'], purgeId: 'p-1' }, CALL);

        expect(purged).toMatchObject({ l2: 1, generation: expect.any(Number) as number });
        expect(ports.evicted).toContainEqual({
          tenant: 'acme',
          tags: ['doc:invoice'],
          purgeId: 'p-1',
          generation: purged.generation,
        });
        expect((await ports.cache.lookup(lookupRequest('acme', 'Can I pay by invoice?'), CALL)).hit).toBe(false);
      });

      it('passes the request id of a purge, and of a published data change, on to the cache service and the L1 broadcast', async () => {
        await ports.cache.store(storeRequest('acme', 'Do you price-match?', ['doc:price-match']), CALL);
        await ports.cache.store(storeRequest('acme', 'Do you price-match online?', ['doc:price-match-online']), CALL);

        await ports.invalidation.purge(
          { tenant: 'acme', tags: ['doc:price-match'], purgeId: 'p-req' },
          { ...CALL, requestId: 'req-purge' },
        );
        await ports.invalidation.publish(
          {
            id: `evt-req-${name}`,
            tenant: 'acme',
            tags: ['doc:price-match-online'],
            action: 'purge',
            occurredAt: new Date().toISOString(),
          },
          { requestId: 'req-publish' },
        );

        await eventually(() => expect(ports.onward.evict.slice(-2)).toEqual(['req-purge', 'req-publish']));
        expect(ports.onward.purge.slice(-2)).toEqual(['req-purge', 'req-publish']);
      });

      it('applies a published data change', async () => {
        await ports.cache.store(storeRequest('acme', 'Is there a student discount?', ['doc:discounts']), CALL);

        await ports.invalidation.publish({
          id: `evt-${name}`,
          tenant: 'acme',
          tags: ['doc:discounts'],
          action: 'purge',
          occurredAt: new Date().toISOString(),
        });

        await eventually(async () =>
          expect((await ports.cache.lookup(lookupRequest('acme', 'Is there a student discount?'), CALL)).hit).toBe(
            false,
          ),
        );
      });

      it('lists the data-change events it applied, to their tenant only', async () => {
        await ports.invalidation.publish({
          id: `evt-recent-${name}`,
          tenant: 'recent',
          tags: ['doc:recent'],
          action: 'purge',
          occurredAt: new Date().toISOString(),
        });

        await eventually(async () =>
          expect((await ports.invalidation.recent({ tenant: 'recent' }, CALL)).events).toEqual([
            expect.objectContaining({ id: `evt-recent-${name}`, outcome: 'applied', tags: ['doc:recent'] }),
          ]),
        );
        expect((await ports.invalidation.recent({ tenant: 'nobody' }, CALL)).events).toEqual([]);
      });

      it('refuses a purge without a selector with invalid_message', async () => {
        await expect(ports.invalidation.purge({ tenant: 'acme' }, CALL)).rejects.toMatchObject({
          code: ErrorCode.InvalidMessage,
          message: expect.stringContaining(INVALIDATION_PURGE_TOPIC) as string,
        });
      });
    });
  });
}

describePortContracts('direct adapters (embedded default)', direct);

describe('the cache service on shutdown', () => {
  it('finishes the L3 writes of background stores before it closes', async () => {
    const config = loadConfig({}, { log: { level: 'silent' } });
    const build = modules(config, [], { embed: [], purge: [], evict: [] });
    const embedding = await NestFactory.createApplicationContext(build.embedding(), { logger: false });
    const cacheApp = await NestFactory.createApplicationContext(
      build.cache(embedding.get<DirectEmbeddings>(DirectEmbeddings)),
      { logger: false },
    );
    const l3 = cacheApp.get<VectorIndex>(VECTOR_INDEX);
    let release!: () => void;
    held.until = new Promise<void>((resolve) => (release = resolve));
    try {
      const request = {
        ...storeRequest('acme', 'Do you take returns without a receipt?'),
        semantic: 'background' as const,
      };
      expect(await cacheApp.get<DirectCacheService>(DirectCacheService).store(request, CALL)).toMatchObject({
        l3Pending: true,
      });
      const pending = await StrataMetrics.shared().l3WritesPending.get();
      expect(pending.values[0]?.value).toBe(1); // strata_cache_l3_writes_pending
      let closed = false;
      const closing = cacheApp.close().then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closed).toBe(false); // waiting for the embedding of the store it answered
      held.until = undefined;
      release();
      await closing;
      expect(await l3.count()).toBe(1);
    } finally {
      held.until = undefined;
      release();
      await embedding.close();
    }
  });
});

let broker: KafkaTestBroker | undefined;
describePortContracts('Kafka adapters and message controllers (wire-level test broker)', async () => {
  broker = await KafkaTestBroker.start({ autoCreateTopics: false });
  return overKafka(broker);
});
afterAll(() => broker?.stop());
