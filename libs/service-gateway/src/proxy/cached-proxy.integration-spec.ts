import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { type CacheEntry, NamespacePolicies, entryIdFromKey } from '@strata/cache-core';
import { type StrataConfig, loadConfig } from '@strata/config';
import {
  type CacheLookupReply,
  type CacheLookupRequest,
  type CacheService,
  type CacheStoreRequest,
  ErrorCode,
  type HitCount,
  type Invalidation,
  StrataError,
} from '@strata/contracts';
import { FakeGate, FakeUpstream, eventually, fakeCompletion } from '@strata/testing';
import { GatewayCache } from '../cache-api/gateway-cache';
import { HitRecorder } from '../cache-api/hit-recorder';
import { TenantStats } from '../cache-api/tenant-stats';
import { L1Cache } from '../l1/l1-cache';
import { ChatCompletionsProxy } from '../openai/chat/chat-completions.proxy';
import { DEFAULT_CONTROLS, type ProxyControls } from '../openai/controls/proxy-controls';
import { ClientConnection } from '../openai/http/client-connection';
import { type ProxyReply } from '../openai/http/proxy-reply';
import { ProxyStoreQueue } from '../openai/store/proxy-store-queue';
import { UpstreamClient } from '../openai/upstream/upstream-client';
import { SavingsRecorder } from './cost/savings-recorder';
import { PrefixDiagnostics } from './prompt-cache/prefix-diagnostics';
import { AnswerComparator } from './shadow/answer-comparator';
import { ShadowAudits } from './shadow/shadow-audits';

const TENANT = 'acme';
const MODEL = 'gpt-test';
const QUESTION = 'What time do you open?';
/** Stale-while-revalidate grace of the `swr` namespace, in seconds. */
const GRACE_SECONDS = 60;

/**
 * A cache service whose every lookup finds a stale entry (past its freshness, within the grace) and whose purge
 * tickets cannot be had (as when it does not answer in time); it records the stores it receives.
 */
class StaleCacheWithoutTickets implements CacheService {
  readonly stores: CacheStoreRequest[] = [];
  tickets = 0;

  lookup(request: CacheLookupRequest): Promise<CacheLookupReply> {
    const now = Date.now();
    const entry: CacheEntry = {
      id: entryIdFromKey(request.exactKey),
      tenant: request.tenant,
      namespace: request.namespace,
      namespaceVersion: 1,
      model: request.model,
      exactKey: request.exactKey,
      contextHash: request.contextHash,
      query: request.query,
      response: fakeCompletion('chatcmpl-old', MODEL, 'We open at nine.', 5) as CacheEntry['response'],
      tags: [],
      createdAt: now - 3_600_000,
      // Fresh until 30 s ago, served stale for another 30 s.
      expiresAt: now + (GRACE_SECONDS - 30) * 1000,
      generation: 0,
    };
    return Promise.resolve({ hit: true, tier: 'l2', entry });
  }

  store(request: CacheStoreRequest) {
    this.stores.push(request);
    return Promise.resolve({ id: entryIdFromKey(request.exactKey), l2: true, l3: false, generation: 0 });
  }

  ticket() {
    this.tickets++;
    return Promise.reject(new StrataError(ErrorCode.CacheUnavailable, 'the cache service did not answer in time'));
  }

  getEntry() {
    return Promise.resolve({ entry: null });
  }

  stats() {
    return Promise.resolve({ l2: 0, l3: 0 });
  }

  purge() {
    return Promise.resolve({ l2: 0, l3: 0 });
  }

  feedback() {
    return Promise.resolve({ found: false, action: 'none' as const, wrong: 0, right: 0, thresholdRaise: 0 });
  }

  listEntries() {
    return Promise.resolve({ entries: [], nextCursor: null });
  }

  namespaces() {
    return Promise.resolve({ namespaces: [] });
  }

  recordHits({ hits }: { hits: HitCount[] }) {
    return Promise.resolve({ recorded: hits.length });
  }
}

/** A cache service that misses every lookup, with a ticket, and records the stores it receives. */
class MissingCache extends StaleCacheWithoutTickets {
  /** Runs before a lookup answers its miss (the test stores the same request meanwhile). */
  beforeMiss: ((request: CacheLookupRequest) => Promise<void>) | undefined;

  override async lookup(request: CacheLookupRequest): Promise<CacheLookupReply> {
    await this.beforeMiss?.(request);
    return { hit: false, ticket: 4 };
  }
}

function gatewayCache(config: StrataConfig, service: CacheService): GatewayCache {
  const policies = new NamespacePolicies(
    { temperaturePolicy: 'deterministic-only', defaultTtlSeconds: 3_600, maxTtlSeconds: 86_400 },
    {},
  );
  const invalidation: Invalidation = {
    purge: () => Promise.resolve({ l2: 0, l3: 0, generation: 0 }),
    publish: () => Promise.resolve(),
    recent: () => Promise.resolve({ events: [], deadLetters: [] }),
  };
  return new GatewayCache(
    config,
    new L1Cache({ maxEntries: 100, maxTtlSeconds: 86_400 }),
    policies,
    service,
    invalidation,
    new TenantStats(),
    new HitRecorder(service, config),
  );
}

/** A client connection that stays open for the test's length. */
function openConnection(): ClientConnection {
  return new ClientConnection(new ServerResponse(new IncomingMessage(new Socket())));
}

/**
 * The chat proxy (`CachedProxy` in OpenAI's wire format) over the real gateway cache, upstream client and store
 * queue, with the cache service and the upstream as stand-ins: what the proxy reports in its headers against what it
 * does.
 */
describe('CachedProxy', () => {
  let upstream: FakeUpstream;
  let client: UpstreamClient;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
  });

  afterEach(async () => {
    await client?.onApplicationShutdown();
  });

  afterAll(async () => {
    await upstream?.stop();
  });

  function setup(service: StaleCacheWithoutTickets = new StaleCacheWithoutTickets()) {
    const config = loadConfig(
      { UPSTREAM_URL: upstream.url, LOG_LEVEL: 'silent' },
      { upstream: { staleWhileRevalidateSeconds: { swr: GRACE_SECONDS } } },
    );
    client = new UpstreamClient(config);
    const shadow = new ShadowAudits(
      new AnswerComparator(undefined, undefined, 0.9),
      { feedback: () => Promise.reject(new Error('no audits here')), evictL1: () => undefined },
      { callsPerSecond: 0, concurrency: 0, random: Math.random, now: Date.now },
    );
    const cache = gatewayCache(config, service);
    const sut = new ChatCompletionsProxy(
      config,
      cache,
      client,
      new ProxyStoreQueue(config),
      new SavingsRecorder(config),
      new PrefixDiagnostics(),
      shadow,
    );
    const ask = (controls: Partial<ProxyControls>): Promise<ProxyReply> =>
      sut.handle(
        {
          caller: { tenant: TENANT, credentials: {} },
          body: { model: MODEL, temperature: 0, messages: [{ role: 'user', content: QUESTION }] },
          headers: {},
          controls: { ...DEFAULT_CONTROLS, namespace: 'swr', ...controls },
        },
        openConnection(),
      );
    return { sut, service, cache, ask };
  }

  describe('a background refresh of a stale hit when the cache service gives no purge ticket', () => {
    it('does not tell a request that joins the refresh that its answer was stored, and stores nothing', async () => {
      const { service, ask } = setup();
      const gate = new FakeGate();
      const removeRule = upstream.rule({ match: QUESTION, holdUntil: gate, content: 'We open at eight now.' });
      try {
        const stale = await ask({});
        expect(stale.headers['x-strata-cache']).toBe('STALE');
        // The refresh asked for a ticket, got none, and its upstream call is under way (held).
        await eventually(() => service.tickets === 1 && upstream.held === 1);

        // A forced refresh of the same request: it gets no ticket either, so it joins the background refresh's call.
        const joiner = ask({ noCache: true });
        await eventually(() => service.tickets === 2);
        // Past the failed ticket the joiner reaches the flight without waiting on anything but promises.
        await new Promise((resolve) => setImmediate(resolve));
        gate.release();
        const joined = await joiner;

        expect(joined.status).toBe(200);
        expect(joined.headers['x-strata-cache']).toBe('MISS');
        expect(joined.headers['cache-status']).toMatch(/; collapsed/);
        expect(joined.headers['cache-status']).not.toMatch(/stored/);
        expect(joined.headers['x-strata-entry-id']).toBeUndefined();
        expect(upstream.chatCalls(QUESTION)).toHaveLength(1);
        await eventually(() => upstream.chatCalls(QUESTION)[0]?.completed === true);
        // The store queue runs on the next turns; nothing reaches it without a ticket.
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
        expect(service.stores).toEqual([]);
      } finally {
        removeRule();
      }
    });
  });

  describe('the store after a miss', () => {
    it('asks for a reply once L2 holds the answer, its L3 copy following in the background (nobody waits on it)', async () => {
      const { service, ask } = setup(new MissingCache());
      const reply = await ask({});
      expect(reply.headers['x-strata-cache']).toBe('MISS');
      await eventually(() => service.stores.length === 1);
      expect(service.stores[0]).toMatchObject({ ticket: 4, semantic: 'background' });
    });

    it("serves from L1 an identical request's answer stored while its own lookup was on its way, without a second call", async () => {
      const service = new MissingCache();
      const { cache, ask } = setup(service);
      const calls = upstream.chatCalls(QUESTION).length;
      // The identical request before it: its answer stored (L2, then this gateway's L1) and its call over, all while
      // this request's lookup was at the cache service.
      service.beforeMiss = async ({ exactKey, contextHash, query }) => {
        await cache.store(
          TENANT,
          {
            namespace: 'swr',
            model: MODEL,
            messages: [{ role: 'user', content: QUESTION }],
            params: { temperature: 0 },
          },
          fakeCompletion('chatcmpl-landed', MODEL, 'We open at nine.', 5) as CacheEntry['response'],
          { fingerprint: { exactKey, contextHash, query }, ticket: 4 },
        );
      };
      const reply = await ask({});
      expect(reply.headers['x-strata-cache']).toBe('HIT');
      expect(reply.headers['x-strata-tier']).toBe('l1');
      expect(upstream.chatCalls(QUESTION)).toHaveLength(calls);
    });
  });
});
