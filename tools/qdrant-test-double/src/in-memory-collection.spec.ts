import { InMemoryCollection } from './in-memory-collection';
import { QdrantHttpError } from './qdrant-http-error';

const ID_A = '6f1d7a1e-0000-4000-8000-00000000000a';
const ID_B = '6f1d7a1e-0000-4000-8000-00000000000b';

function cosineCollection(): InMemoryCollection {
  return InMemoryCollection.create('c', { vectors: { size: 2, distance: 'Cosine' } });
}

function statusOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof QdrantHttpError ? error.statusCode : undefined;
  }
  return undefined;
}

describe(InMemoryCollection.name, () => {
  it('scores by cosine similarity, independent of vector length', () => {
    const collection = cosineCollection();
    collection.upsert(
      {
        points: [
          { id: ID_A, vector: [10, 0] },
          { id: ID_B, vector: [1, 1] },
        ],
      },
      1,
    );

    const { points } = collection.query({ query: [3, 0] });

    expect(points.map((p) => p.id)).toEqual([ID_A, ID_B]);
    expect(points[0]?.score).toBeCloseTo(1, 10);
    expect(points[1]?.score).toBeCloseTo(Math.SQRT1_2, 10);
  });

  it('accepts the nearest-query form and applies score_threshold, offset and limit', () => {
    const collection = cosineCollection();
    collection.upsert(
      {
        points: [
          { id: 1, vector: [1, 0] },
          { id: 2, vector: [1, 0.1] },
          { id: 3, vector: [1, 0.5] },
          { id: 4, vector: [0, 1] },
        ],
      },
      1,
    );

    expect(collection.query({ query: { nearest: [1, 0] }, score_threshold: 0.8 }).points.map((p) => p.id)).toEqual([
      1, 2, 3,
    ]);
    expect(collection.query({ query: [1, 0], limit: 2, offset: 1 }).points.map((p) => p.id)).toEqual([2, 3]);
  });

  it('accepts search params (its search is always exact) and rejects malformed ones', () => {
    const collection = cosineCollection();
    collection.upsert({ points: [{ id: 1, vector: [1, 0] }] }, 1);

    expect(collection.query({ query: [1, 0], params: { exact: true, hnsw_ef: 128 } }).points.map((p) => p.id)).toEqual([
      1,
    ]);
    expect(statusOf(() => collection.query({ query: [1, 0], params: { exact: 'yes' } }))).toBe(400);
    expect(statusOf(() => collection.query({ query: [1, 0], params: 'exact' }))).toBe(400);
  });

  it('overwrites a point upserted twice with the same id', () => {
    const collection = cosineCollection();
    collection.upsert({ points: [{ id: ID_A, vector: [1, 0], payload: { v: 1 } }] }, 1);
    collection.upsert({ points: [{ id: ID_A.toUpperCase(), vector: [0, 1], payload: { v: 2 } }] }, 2);

    expect(collection.count({})).toEqual({ count: 1 });
    expect(collection.query({ query: [0, 1], with_payload: true }).points[0]).toMatchObject({
      id: ID_A,
      version: 2,
      payload: { v: 2 },
    });
  });

  it('returns only the selected payload keys and omits payload by default', () => {
    const collection = cosineCollection();
    collection.upsert({ points: [{ id: 1, vector: [1, 0], payload: { a: 1, b: 2 } }] }, 1);

    expect(collection.query({ query: [1, 0] }).points[0]?.payload).toBeNull();
    expect(collection.query({ query: [1, 0], with_payload: ['b'] }).points[0]?.payload).toEqual({ b: 2 });
    expect(collection.query({ query: [1, 0], with_payload: { exclude: ['b'] } }).points[0]?.payload).toEqual({ a: 1 });
  });

  it('counts and deletes by filter or by ids', () => {
    const collection = cosineCollection();
    collection.upsert(
      {
        points: [
          { id: 1, vector: [1, 0], payload: { t: 'x' } },
          { id: 2, vector: [1, 0], payload: { t: 'x' } },
          { id: 3, vector: [1, 0], payload: { t: 'y' } },
        ],
      },
      1,
    );
    const onlyX = { must: [{ key: 't', match: { value: 'x' } }] };

    expect(collection.count({ filter: onlyX })).toEqual({ count: 2 });
    collection.delete({ filter: onlyX });
    expect(collection.count({})).toEqual({ count: 1 });
    collection.delete({ points: [3] });
    expect(collection.count({})).toEqual({ count: 0 });
  });

  it('rejects a wrong dimension, a non-numeric vector and an invalid id with 400, writing nothing', () => {
    const collection = cosineCollection();

    expect(statusOf(() => collection.upsert({ points: [{ id: 1, vector: [1, 0, 0] }] }, 1))).toBe(400);
    expect(statusOf(() => collection.upsert({ points: [{ id: 1, vector: [1, 'x'] }] }, 1))).toBe(400);
    expect(
      statusOf(() =>
        collection.upsert(
          {
            points: [
              { id: 2, vector: [1, 0] },
              { id: 'nope', vector: [1, 0] },
            ],
          },
          1,
        ),
      ),
    ).toBe(400);
    expect(statusOf(() => collection.query({ query: [1, 0, 0] }))).toBe(400);
    expect(collection.count({})).toEqual({ count: 0 });
  });

  it('reports its vector params, HNSW and quantization config and payload indexes', () => {
    const collection = InMemoryCollection.create('c', {
      vectors: { size: 3, distance: 'Cosine' },
      hnsw_config: { m: 32, ef_construct: 200 },
      quantization_config: { scalar: { type: 'int8', always_ram: true } },
    });
    collection.createPayloadIndex({ field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true } });
    collection.createPayloadIndex({ field_name: 'expires_at', field_schema: 'integer' });
    collection.upsert({ points: [{ id: 1, vector: [1, 0, 0], payload: { tenant: 't' } }] }, 1);

    const info = collection.info();

    expect(info.points_count).toBe(1);
    expect(info.config.params.vectors).toEqual({ size: 3, distance: 'Cosine' });
    expect(info.config.hnsw_config).toMatchObject({ m: 32, ef_construct: 200 });
    expect(info.config.quantization_config).toEqual({ scalar: { type: 'int8', always_ram: true } });
    expect(info.payload_schema).toEqual({
      tenant: { data_type: 'keyword', params: { type: 'keyword', is_tenant: true }, points: 1 },
      expires_at: { data_type: 'integer', points: 0 },
    });
  });

  it('rejects an unknown payload schema type and an unknown distance', () => {
    const collection = cosineCollection();

    expect(statusOf(() => collection.createPayloadIndex({ field_name: 'x', field_schema: 'string' }))).toBe(400);
    expect(statusOf(() => InMemoryCollection.create('d', { vectors: { size: 2, distance: 'cosine' } }))).toBe(400);
  });
});
