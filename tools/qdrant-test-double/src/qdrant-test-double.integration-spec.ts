import { QdrantClient } from '@qdrant/js-client-rest';
import { QdrantTestDouble, type RunningQdrantTestDouble } from './qdrant-test-double';

const ID_A = '0b7e5f64-3f1c-4c39-9d55-5b8c2b2d7a01';
const ID_B = '0b7e5f64-3f1c-4c39-9d55-5b8c2b2d7a02';

describe('QdrantTestDouble', () => {
  let double: RunningQdrantTestDouble;
  let client: QdrantClient;

  beforeEach(async () => {
    double = await QdrantTestDouble.start({ port: 0 });
    client = new QdrantClient({ url: double.url, checkCompatibility: false });
  });

  afterEach(async () => {
    await double.stop();
  });

  async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${double.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text.length > 0 ? (JSON.parse(text) as unknown) : undefined };
  }

  it('wraps results in the envelope {result, status: "ok", time}', async () => {
    const { status, json } = await raw('GET', '/collections');

    expect(status).toBe(200);
    expect(json).toEqual({ result: { collections: [] }, status: 'ok', time: expect.any(Number) as number });
  });

  it('answers a missing collection with 404 and a Qdrant-shaped error', async () => {
    const { status, json } = await raw('POST', '/collections/nope/points/query', { query: [1, 0] });

    expect(status).toBe(404);
    expect(json).toEqual({
      status: { error: "Not found: Collection `nope` doesn't exist!" },
      time: expect.any(Number) as number,
    });
  });

  it('answers creating an existing collection with 409', async () => {
    await client.createCollection('c', { vectors: { size: 2, distance: 'Cosine' } });

    const { status, json } = await raw('PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } });

    expect(status).toBe(409);
    expect(json).toMatchObject({ status: { error: 'Wrong input: Collection `c` already exists!' } });
  });

  it('answers a dimension mismatch and a malformed body with 400', async () => {
    await client.createCollection('c', { vectors: { size: 2, distance: 'Cosine' } });

    const mismatch = await raw('PUT', '/collections/c/points?wait=true', { points: [{ id: ID_A, vector: [1, 2, 3] }] });
    const malformed = await raw('PUT', '/collections/c/points', '{"points": [');

    expect(mismatch).toEqual({
      status: 400,
      json: {
        status: { error: 'Wrong input: Vector dimension error: expected dim: 2, got 3' },
        time: expect.any(Number) as number,
      },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({
      status: { error: expect.stringMatching(/^Format error in JSON body/) as string },
    });
  });

  it('answers unknown paths with an empty 404', async () => {
    expect(await raw('GET', '/no/such/route')).toEqual({ status: 404, json: undefined });
  });

  it('serves the client calls the adapter makes: create, index, upsert, filtered query, count, delete', async () => {
    expect(await client.collectionExists('c')).toEqual({ exists: false });
    await client.createCollection('c', { vectors: { size: 2, distance: 'Cosine' }, hnsw_config: { m: 8 } });
    await client.createPayloadIndex('c', {
      field_name: 'tenant',
      field_schema: { type: 'keyword', is_tenant: true },
      wait: true,
    });
    const upserted = await client.upsert('c', {
      wait: true,
      points: [
        { id: ID_A, vector: [1, 0], payload: { tenant: 'a', tags: ['x'] } },
        { id: ID_B, vector: [1, 1], payload: { tenant: 'b', tags: ['x', 'y'] } },
      ],
    });

    const hits = await client.query('c', {
      query: [1, 0],
      filter: { must: [{ key: 'tenant', match: { value: 'b' } }] },
      with_payload: true,
      score_threshold: 0.5,
      limit: 5,
    });
    const counted = await client.count('c', { filter: { must: [{ key: 'tags', match: { any: ['x'] } }] } });
    await client.delete('c', { wait: true, filter: { must: [{ key: 'tags', match: { value: 'y' } }] } });

    expect(upserted.status).toBe('completed');
    expect(await client.collectionExists('c')).toEqual({ exists: true });
    expect(hits.points).toEqual([
      {
        id: ID_B,
        version: expect.any(Number) as number,
        score: expect.closeTo(Math.SQRT1_2, 6) as number,
        payload: { tenant: 'b', tags: ['x', 'y'] },
      },
    ]);
    expect(counted).toEqual({ count: 2 });
    expect(await client.count('c', {})).toEqual({ count: 1 });
    expect((await client.getCollection('c')).config.hnsw_config.m).toBe(8);
    expect((await client.getCollections()).collections).toEqual([{ name: 'c' }]);
  });

  it('deletes a collection', async () => {
    await client.createCollection('c', { vectors: { size: 2, distance: 'Cosine' } });

    expect(await client.deleteCollection('c')).toBe(true);
    expect(double.collectionNames()).toEqual([]);
  });

  it('lets a test interleave a request before one is handled', async () => {
    const seen: string[] = [];
    const hooked = await QdrantTestDouble.start({
      onRequest: ({ method, path }) => void seen.push(`${method} ${path}`),
    });
    try {
      await new QdrantClient({ url: hooked.url, checkCompatibility: false }).collectionExists('c');
    } finally {
      await hooked.stop();
    }

    expect(seen).toEqual(['GET /collections/c/exists']);
  });
});
