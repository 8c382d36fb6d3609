import { loadConfig } from '@strata/config';
import { QdrantClient } from '@qdrant/js-client-rest';
import { type CacheEntry, entryTag } from '@strata/cache-core';
import { type VectorIndexFixture, describeVectorIndexContract } from '@strata/testing';
import { createHash, randomUUID } from 'node:crypto';
import { type Server, type Socket, createServer } from 'node:net';
// The double is a test-only tool without a path alias (tsconfig.base.json maps libs only), hence the relative path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { QdrantTestDouble, type RunningQdrantTestDouble } from '../../../tools/qdrant-test-double/src';
import { QdrantIndexError } from './qdrant-index-error';
import { QdrantVectorIndex, type QdrantVectorIndexOptions } from './qdrant-vector-index';

/** A real Qdrant to run the contract against too, e.g. `QDRANT_URL=http://localhost:6333` (see README.md). */
// The real Qdrant, if any, is configured like the services' (QDRANT_URL, QDRANT_API_KEY).
const { url: QDRANT_URL, apiKey: QDRANT_API_KEY } = loadConfig().qdrant;

function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

function uniquePrefix(): string {
  return `strata_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/** Deletes every collection of `prefix`: the teardown of a fixture. */
async function dropCollections(url: string, prefix: string, apiKey?: string): Promise<void> {
  const client = new QdrantClient({ url, apiKey, checkCompatibility: false });
  const { collections } = await client.getCollections();
  for (const { name } of collections) if (name.startsWith(`${prefix}_`)) await client.deleteCollection(name);
}

function fixtureOn(url: string, apiKey?: string): Promise<VectorIndexFixture> {
  const clock = manualClock();
  const prefix = uniquePrefix();
  const index = new QdrantVectorIndex({ url, apiKey, collectionPrefix: prefix, now: clock.now });
  return Promise.resolve({ index, clock, teardown: () => dropCollections(url, prefix, apiKey) });
}

let double: RunningQdrantTestDouble;

beforeAll(async () => {
  double = await QdrantTestDouble.start({ port: 0 });
});

afterAll(async () => {
  await double.stop();
});

describeVectorIndexContract('QdrantVectorIndex on the Qdrant test double', () => fixtureOn(double.url));

// A real Qdrant cannot be installed on CI machines: this block runs wherever QDRANT_URL points at one.
(QDRANT_URL ? describe : describe.skip)(
  QDRANT_URL
    ? `against the real Qdrant at ${QDRANT_URL}`
    : 'against a real Qdrant — SKIPPED: set QDRANT_URL (e.g. http://localhost:6333) to run',
  () => {
    describeVectorIndexContract('QdrantVectorIndex on a real Qdrant', () =>
      fixtureOn(QDRANT_URL ?? '', QDRANT_API_KEY),
    );
  },
);

describe(QdrantVectorIndex.name, () => {
  const MODEL = 'BAAI/bge-small-en-v1.5';
  let prefix: string;
  let client: QdrantClient;

  beforeEach(() => {
    prefix = uniquePrefix();
    client = new QdrantClient({ url: double.url, checkCompatibility: false });
  });

  afterEach(async () => {
    await dropCollections(double.url, prefix);
  });

  function indexOn(url = double.url, options: Partial<QdrantVectorIndexOptions> = {}): QdrantVectorIndex {
    return new QdrantVectorIndex({ url, collectionPrefix: prefix, ...options });
  }

  function anEntry(overrides: Partial<CacheEntry> = {}): CacheEntry {
    const id = randomUUID();
    return {
      id,
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 1,
      model: 'gpt-4o-mini',
      exactKey: createHash('sha256').update(id).digest('hex'),
      contextHash: createHash('sha256').update('context').digest('hex'),
      query: 'q',
      response: { answer: 42 },
      tags: [entryTag(id)],
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      ...overrides,
    };
  }

  const search = (index: QdrantVectorIndex, entry: CacheEntry) =>
    index.search({
      vector: [1, 0, 0],
      tenant: entry.tenant,
      contextHash: entry.contextHash,
      model: MODEL,
      limit: 5,
      minScore: 0.5,
      now: Date.now(),
    });

  it('creates a collection per model: cosine, first vector dimension, configured HNSW and quantization, payload indexes', async () => {
    const index = indexOn(double.url, { hnsw: { m: 32, efConstruct: 256 }, quantization: 'scalar' });

    await index.upsert(MODEL, anEntry(), [1, 0, 0]);

    const name = index.collectionFor(MODEL);
    expect(name).toMatch(new RegExp(`^${prefix}_BAAI_bge-small-en-v1_5_[0-9a-f]{8}$`));
    const info = await client.getCollection(name);
    expect(info.config.params.vectors).toEqual({ size: 3, distance: 'Cosine' });
    expect(info.config.hnsw_config).toMatchObject({ m: 32, ef_construct: 256 });
    expect(info.config.quantization_config).toEqual({ scalar: { type: 'int8', quantile: 0.99, always_ram: true } });
    expect(info.payload_schema).toEqual({
      tenant: { data_type: 'keyword', params: { type: 'keyword', is_tenant: true }, points: 1 },
      context_hash: { data_type: 'keyword', points: 1 },
      namespace: { data_type: 'keyword', points: 1 },
      tags: { data_type: 'keyword', points: 1 },
      expires_at: { data_type: 'integer', params: { type: 'integer', lookup: false, range: true }, points: 1 },
    });
  });

  it('creates collections without quantization by default', async () => {
    const index = indexOn();

    await index.upsert(MODEL, anEntry(), [1, 0, 0]);

    const info = await client.getCollection(index.collectionFor(MODEL));
    expect(info.config.quantization_config).toBeNull();
    expect(info.config.hnsw_config).toMatchObject({ m: 16, ef_construct: 100 });
  });

  it('stores the point under the entry id, with the full entry in its payload', async () => {
    const index = indexOn();
    const entry = anEntry({ aliasOf: 'root', tags: ['doc:1', entryTag('root')] });

    await index.upsert(MODEL, entry, [1, 0, 0]);

    const {
      points: [point],
    } = await client.query(index.collectionFor(MODEL), {
      query: [1, 0, 0],
      filter: { must: [{ has_id: [entry.id] }] },
      with_payload: true,
    });
    expect(point?.id).toBe(entry.id);
    expect(point?.payload).toMatchObject({ tenant: 'acme', namespace: 'support', tags: entry.tags });
    expect(JSON.parse(String(point?.payload?.['entry']))).toEqual(entry);
  });

  it('succeeds when another writer creates the collection between its existence check and its create call', async () => {
    let raced = false;
    const racing = await QdrantTestDouble.start({
      onRequest: async ({ method, path }) => {
        if (raced || method !== 'PUT' || !/^\/collections\/[^/]+$/.test(path)) return;
        raced = true;
        const other = new QdrantClient({ url: racing.url, checkCompatibility: false });
        await other.createCollection(path.split('/')[2] ?? '', { vectors: { size: 3, distance: 'Cosine' } });
      },
    });
    try {
      const index = indexOn(racing.url);
      const entry = anEntry();

      await index.upsert(MODEL, entry, [1, 0, 0]);

      expect(raced).toBe(true);
      expect((await search(index, entry)).map((hit) => hit.entry.id)).toEqual([entry.id]);
    } finally {
      await racing.stop();
    }
  });

  it('lets two writers create the same collection concurrently', async () => {
    const [a, b] = [anEntry(), anEntry()];

    await Promise.all([indexOn().upsert(MODEL, a, [1, 0, 0]), indexOn().upsert(MODEL, b, [1, 0, 0])]);

    expect(double.collectionNames().filter((name) => name.startsWith(prefix))).toHaveLength(1);
    await expect(indexOn().count()).resolves.toBe(2);
  });

  it('recreates a collection that was deleted behind its back', async () => {
    const index = indexOn();
    await index.upsert(MODEL, anEntry(), [1, 0, 0]);
    await client.deleteCollection(index.collectionFor(MODEL));
    const entry = anEntry();

    await index.upsert(MODEL, entry, [1, 0, 0]);

    expect((await search(index, entry)).map((hit) => hit.entry.id)).toEqual([entry.id]);
  });

  it('rejects a dimension mismatch with the HTTP status and Qdrant error text', async () => {
    const index = indexOn();
    await index.upsert(MODEL, anEntry(), [1, 0, 0]);

    const rejection = index.upsert(MODEL, anEntry(), [1, 0]);

    await expect(rejection).rejects.toBeInstanceOf(QdrantIndexError);
    await expect(rejection).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('expected dim: 3, got 2') as string,
    });
  });

  it('rejects non-finite vector components before sending anything', async () => {
    const index = indexOn();

    await expect(index.upsert(MODEL, anEntry(), [1, Number.NaN, 0])).rejects.toThrow(RangeError);
    expect(double.collectionNames().filter((name) => name.startsWith(prefix))).toEqual([]);
  });

  it('never returns a point whose stored entry disagrees with its filterable fields', async () => {
    const index = indexOn();
    const entry = anEntry();
    await index.upsert(MODEL, entry, [1, 0, 0]);
    const forged = anEntry({ tenant: 'globex' });
    await client.upsert(index.collectionFor(MODEL), {
      wait: true,
      points: [
        {
          id: forged.id,
          vector: [1, 0, 0],
          payload: {
            tenant: 'acme',
            context_hash: entry.contextHash,
            namespace: 'support',
            tags: [],
            expires_at: forged.expiresAt,
            entry: JSON.stringify(forged),
          },
        },
      ],
    });

    expect((await search(index, entry)).map((hit) => hit.entry.id)).toEqual([entry.id]);
  });

  it('pages a tenant-wide similarity search as exact searches, reading only the fields it needs', async () => {
    const queries: Record<string, unknown>[] = [];
    const recording = await QdrantTestDouble.start({
      onRequest: ({ path, body }) => {
        if (path.endsWith('/points/query')) queries.push(body as Record<string, unknown>);
      },
    });
    try {
      const index = indexOn(recording.url, { similarPageSize: 2 });
      const entries = [1, 0.98, 0.96, 0.94, 0.92].map((cosine) => ({
        entry: anEntry({ contextHash: randomUUID() }),
        cosine,
      }));
      for (const { entry, cosine } of entries) {
        await index.upsert(MODEL, entry, [cosine, Math.sqrt(1 - cosine * cosine), 0]);
      }
      const query = { vector: [1, 0, 0], model: MODEL, tenant: 'acme', minScore: 0.9, now: Date.now() };

      const all = await index.findSimilar({ ...query, limit: 10 });
      const best3 = await index.findSimilar({ ...query, limit: 3 });

      expect(all.map((match) => match.id)).toEqual(entries.map(({ entry }) => entry.id));
      expect(best3.map((match) => match.id)).toEqual(entries.slice(0, 3).map(({ entry }) => entry.id));
      expect(queries.map(({ offset, limit }) => [offset, limit])).toEqual([
        [0, 2],
        [2, 2],
        [4, 2],
        [0, 2],
        [2, 1],
      ]);
      expect(queries[0]).toMatchObject({
        params: { exact: true },
        score_threshold: 0.9,
        with_payload: ['tenant', 'namespace', 'tags', 'expires_at'],
      });
    } finally {
      await recording.stop();
    }
  });

  it('finds nothing, without failing, before the collection exists', async () => {
    await expect(
      indexOn().findSimilar({
        vector: [1, 0, 0],
        model: MODEL,
        tenant: 'acme',
        minScore: 0,
        limit: 10,
        now: Date.now(),
      }),
    ).resolves.toEqual([]);
  });

  it('deletes expired points on demand and reports how many', async () => {
    const clock = manualClock();
    const index = indexOn(double.url, { now: clock.now });
    await index.upsert(MODEL, anEntry({ expiresAt: clock.now() + 1_000 }), [1, 0, 0]);
    await index.upsert(MODEL, anEntry({ expiresAt: clock.now() + 5_000 }), [1, 0, 0]);
    clock.advance(1_000);

    await expect(index.sweepExpired()).resolves.toBe(1);
    await expect(client.count(index.collectionFor(MODEL), {})).resolves.toEqual({ count: 1 });
  });

  describe('when Qdrant is unreachable', () => {
    let deadUrl: string;

    beforeAll(async () => {
      const gone = await QdrantTestDouble.start({ port: 0 });
      deadUrl = gone.url;
      await gone.stop();
    });

    it.each([
      ['upsert', (index: QdrantVectorIndex) => index.upsert(MODEL, anEntry(), [1, 0, 0])],
      ['search', (index: QdrantVectorIndex) => search(index, anEntry())],
      [
        'findSimilar',
        (index: QdrantVectorIndex) =>
          index.findSimilar({
            vector: [1, 0, 0],
            model: MODEL,
            tenant: 'acme',
            minScore: 0,
            limit: 10,
            now: Date.now(),
          }),
      ],
      ['purge', (index: QdrantVectorIndex) => index.purge({ tenant: 'acme', tags: ['x'] })],
      ['count', (index: QdrantVectorIndex) => index.count()],
      ['ping', (index: QdrantVectorIndex) => index.ping()],
    ])('rejects %s with a QdrantIndexError', async (_, operation) => {
      await expect(operation(indexOn(deadUrl))).rejects.toBeInstanceOf(QdrantIndexError);
    });

    it('works again once Qdrant is back', async () => {
      const index = indexOn(deadUrl);
      await expect(index.upsert(MODEL, anEntry(), [1, 0, 0])).rejects.toBeInstanceOf(QdrantIndexError);
      const port = Number(new URL(deadUrl).port);
      const back = await QdrantTestDouble.start({ port });
      try {
        const entry = anEntry();
        await index.upsert(MODEL, entry, [1, 0, 0]);
        expect((await search(index, entry)).map((hit) => hit.entry.id)).toEqual([entry.id]);
      } finally {
        await back.stop();
      }
    });
  });

  describe('when Qdrant accepts connections but never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let silentUrl: string;

    beforeAll(async () => {
      silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const address = silent.address();
      silentUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('rejects a search once the timeout has passed', async () => {
      const index = indexOn(silentUrl, { timeout: 200 });

      const rejection = search(index, anEntry());

      await expect(rejection).rejects.toBeInstanceOf(QdrantIndexError);
      await expect(rejection).rejects.toThrow(/search failed/);
    });
  });
});
