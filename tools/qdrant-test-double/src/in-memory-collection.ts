import { type Schemas } from '@qdrant/js-client-rest';
import { type Payload, compileFilter } from './filter';
import { type PointId, parsePointId, pointKey } from './point-id';
import { QdrantHttpError } from './qdrant-http-error';

type Distance = 'Cosine' | 'Dot';
type PayloadSchemaType = Schemas['PayloadSchemaType'];

const PAYLOAD_SCHEMA_TYPES: readonly PayloadSchemaType[] = [
  'keyword',
  'integer',
  'float',
  'geo',
  'text',
  'bool',
  'datetime',
  'uuid',
];

const DEFAULT_HNSW: Schemas['HnswConfig'] = { m: 16, ef_construct: 100, full_scan_threshold: 10_000 };

interface StoredPoint {
  readonly id: PointId;
  /** As Qdrant stores it: normalised for Cosine, as given for Dot. */
  readonly vector: Float64Array;
  readonly payload: Payload;
  readonly version: number;
}

interface PayloadIndex {
  readonly data_type: PayloadSchemaType;
  readonly params?: Schemas['PayloadSchemaParams'];
}

/**
 * One Qdrant collection with a single unnamed dense vector, held in memory: exact (brute-force) search, so
 * results are what an HNSW index would return at perfect recall.
 */
export class InMemoryCollection {
  private readonly points = new Map<string, StoredPoint>();
  private readonly payloadIndexes = new Map<string, PayloadIndex>();
  private readonly hnsw: Schemas['HnswConfig'];
  private readonly quantization: Schemas['QuantizationConfig'] | null;
  private readonly size: number;
  private readonly distance: Distance;

  private constructor(
    readonly name: string,
    body: Record<string, unknown>,
    vectors: { size: number; distance: Distance },
  ) {
    this.size = vectors.size;
    this.distance = vectors.distance;
    this.hnsw = { ...DEFAULT_HNSW, ...withoutNulls(optionalObject(body['hnsw_config'], 'hnsw_config')) };
    this.quantization = (optionalObject(body['quantization_config'], 'quantization_config') ?? null) as
      Schemas['QuantizationConfig'] | null;
  }

  /** `PUT /collections/{name}` body (`CreateCollection`). */
  static create(name: string, rawBody: unknown): InMemoryCollection {
    const body = requireObject(rawBody ?? {}, 'body');
    const vectors = body['vectors'];
    if (vectors === undefined || vectors === null) {
      throw QdrantHttpError.unsupported('collections without a dense vector config');
    }
    const params = requireObject(vectors, 'vectors');
    if (!('size' in params) || !('distance' in params)) {
      throw QdrantHttpError.unsupported('named vectors (the double supports one unnamed vector per collection)');
    }
    const { size, distance } = params;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 65_536) {
      throw QdrantHttpError.badRequest('Validation error in JSON body: [vectors.size: value must be in 1..=65536]');
    }
    if (distance === 'Euclid' || distance === 'Manhattan') {
      throw QdrantHttpError.unsupported(`distance ${distance}`);
    }
    if (distance !== 'Cosine' && distance !== 'Dot') {
      throw QdrantHttpError.format(
        `vectors.distance: unknown variant ${JSON.stringify(distance)}, expected one of Cosine, Euclid, Dot, Manhattan`,
      );
    }
    return new InMemoryCollection(name, body, { size, distance });
  }

  /** `PUT /collections/{name}/index` body (`CreateFieldIndex`). */
  createPayloadIndex(rawBody: unknown): void {
    const body = requireObject(rawBody, 'body');
    const fieldName = body['field_name'];
    if (typeof fieldName !== 'string' || fieldName.length === 0) {
      throw QdrantHttpError.format('field_name must be a non-empty string');
    }
    const schema = body['field_schema'];
    if (typeof schema === 'string') {
      this.payloadIndexes.set(fieldName, { data_type: payloadSchemaType(schema) });
      return;
    }
    const params = requireObject(schema, 'field_schema');
    const dataType = payloadSchemaType(params['type']);
    this.payloadIndexes.set(fieldName, { data_type: dataType, params: params as Schemas['PayloadSchemaParams'] });
  }

  /** `PUT /collections/{name}/points` body (`PointsList`). All points are validated before any is written. */
  upsert(rawBody: unknown, version: number): void {
    const body = requireObject(rawBody, 'body');
    if ('batch' in body) {
      throw QdrantHttpError.unsupported('upsert in batch format (send `points`)');
    }
    const rawPoints = body['points'];
    if (!Array.isArray(rawPoints)) {
      throw QdrantHttpError.format('missing field `points`');
    }
    const points = (rawPoints as unknown[]).map((raw, i): StoredPoint => {
      const point = requireObject(raw, `points[${i}]`);
      const id = parsePointId(point['id']);
      const vector = this.parseVector(point['vector'], `points[${i}].vector`);
      const payload = point['payload'] === undefined || point['payload'] === null ? {} : point['payload'];
      return { id, vector: this.stored(vector), payload: requireObject(payload, `points[${i}].payload`), version };
    });
    for (const point of points) {
      this.points.set(pointKey(point.id), point);
    }
  }

  /** `POST /collections/{name}/points/query` body (`QueryRequest`) → `QueryResponse`. */
  query(rawBody: unknown): Schemas['QueryResponse'] {
    const body = requireObject(rawBody, 'body');
    for (const unsupported of ['prefetch', 'lookup_from', 'using']) {
      if (body[unsupported] !== undefined && body[unsupported] !== null) {
        throw QdrantHttpError.unsupported(`query with \`${unsupported}\``);
      }
    }
    searchParams(body['params']);
    const rawQuery = body['query'];
    const queryVector =
      rawQuery !== null && typeof rawQuery === 'object' && !Array.isArray(rawQuery) && 'nearest' in rawQuery
        ? rawQuery.nearest
        : rawQuery;
    if (queryVector === undefined || queryVector === null) {
      throw QdrantHttpError.unsupported('query without a `query` vector');
    }
    const vector = this.stored(this.parseVector(queryVector, 'query'));
    const matches = compileFilter(body['filter']);
    const threshold = optionalNumber(body['score_threshold'], 'score_threshold');
    const limit = optionalCount(body['limit'], 'limit') ?? 10;
    const offset = optionalCount(body['offset'], 'offset') ?? 0;
    const withPayload = payloadSelector(body['with_payload'] ?? false);
    const withVector = body['with_vector'] ?? false;
    if (typeof withVector !== 'boolean') {
      throw QdrantHttpError.unsupported('with_vector other than true/false');
    }

    const scored: { point: StoredPoint; score: number }[] = [];
    for (const point of this.points.values()) {
      if (!matches(point)) {
        continue;
      }
      const score = dot(vector, point.vector);
      if (threshold === undefined || score >= threshold) {
        scored.push({ point, score });
      }
    }
    scored.sort((a, b) => b.score - a.score);
    return {
      points: scored.slice(offset, offset + limit).map(({ point, score }) => ({
        id: point.id,
        version: point.version,
        score,
        payload: withPayload(point.payload),
        ...(withVector ? { vector: Array.from(point.vector) } : {}),
      })),
    };
  }

  /** `POST /collections/{name}/points/count` body (`CountRequest`) → `CountResult` (always exact). */
  count(rawBody: unknown): Schemas['CountResult'] {
    const body = requireObject(rawBody ?? {}, 'body');
    const matches = compileFilter(body['filter']);
    let count = 0;
    for (const point of this.points.values()) {
      if (matches(point)) {
        count++;
      }
    }
    return { count };
  }

  /** `POST /collections/{name}/points/delete` body (`PointsSelector`: `{points}` or `{filter}`). */
  delete(rawBody: unknown): void {
    const body = requireObject(rawBody, 'body');
    if (Array.isArray(body['points'])) {
      for (const id of (body['points'] as unknown[]).map((raw) => parsePointId(raw))) {
        this.points.delete(pointKey(id));
      }
      return;
    }
    if (body['filter'] === undefined || body['filter'] === null) {
      throw QdrantHttpError.format('expected `points` or `filter`');
    }
    const matches = compileFilter(body['filter']);
    for (const [key, point] of this.points) {
      if (matches(point)) {
        this.points.delete(key);
      }
    }
  }

  /** `GET /collections/{name}` → `CollectionInfo`. */
  info(): Schemas['CollectionInfo'] {
    const payloadSchema: Record<string, Schemas['PayloadIndexInfo']> = {};
    for (const [field, index] of this.payloadIndexes) {
      let points = 0;
      for (const point of this.points.values()) {
        if (field in point.payload) {
          points++;
        }
      }
      payloadSchema[field] = { ...index, points };
    }
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: this.points.size,
      segments_count: 1,
      config: {
        params: {
          vectors: { size: this.size, distance: this.distance },
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: true,
        },
        hnsw_config: this.hnsw,
        optimizer_config: {
          deleted_threshold: 0.2,
          vacuum_min_vector_number: 1000,
          default_segment_number: 0,
          flush_interval_sec: 5,
        },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: this.quantization,
      },
      payload_schema: payloadSchema,
    };
  }

  private parseVector(raw: unknown, path: string): number[] {
    if (!Array.isArray(raw)) {
      if (raw !== null && typeof raw === 'object') {
        throw QdrantHttpError.badRequest(
          `Wrong input: Not existing vector name error: ${Object.keys(raw).join(', ')} (the collection has one unnamed vector)`,
        );
      }
      throw QdrantHttpError.format(`${path} must be a list of numbers`);
    }
    const vector = raw as unknown[];
    if (!vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw QdrantHttpError.format(`${path} must be a list of finite numbers`);
    }
    if (vector.length !== this.size) {
      throw QdrantHttpError.badRequest(
        `Wrong input: Vector dimension error: expected dim: ${this.size}, got ${vector.length}`,
      );
    }
    return vector as number[];
  }

  /** Cosine collections store (and compare) unit vectors; a zero vector stays zero, as in Qdrant. */
  private stored(vector: readonly number[]): Float64Array {
    const out = Float64Array.from(vector);
    if (this.distance === 'Cosine') {
      let norm = 0;
      for (const x of out) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      if (norm > Number.EPSILON) {
        for (let i = 0; i < out.length; i++) {
          out[i] = out[i] / norm;
        }
      }
    }
    return out;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    sum += a[i] * b[i];
  }
  return sum;
}

/** `params` (`SearchParams`) is validated, then ignored: the double's search is always exact. */
function searchParams(raw: unknown): void {
  const params = optionalObject(raw, 'params');
  if (params === undefined) {
    return;
  }
  for (const flag of ['exact', 'indexed_only']) {
    if (params[flag] !== undefined && params[flag] !== null && typeof params[flag] !== 'boolean') {
      throw QdrantHttpError.format(`params.${flag} must be a boolean`);
    }
  }
  optionalCount(params['hnsw_ef'], 'params.hnsw_ef');
}

function payloadSchemaType(raw: unknown): PayloadSchemaType {
  if (typeof raw === 'string' && (PAYLOAD_SCHEMA_TYPES as readonly string[]).includes(raw)) {
    return raw as PayloadSchemaType;
  }
  throw QdrantHttpError.format(
    `field_schema: unknown variant ${JSON.stringify(raw)}, expected one of ${PAYLOAD_SCHEMA_TYPES.join(', ')}`,
  );
}

function payloadSelector(raw: unknown): (payload: Payload) => Payload | null {
  if (raw === true) {
    return (payload) => payload;
  }
  if (raw === false) {
    return () => null;
  }
  const pick =
    (keep: (key: string) => boolean) =>
    (payload: Payload): Payload =>
      Object.fromEntries(Object.entries(payload).filter(([key]) => keep(key)));
  if (Array.isArray(raw) && (raw as unknown[]).every((key) => typeof key === 'string')) {
    const include = new Set(raw as string[]);
    return pick((key) => include.has(key));
  }
  if (raw !== null && typeof raw === 'object') {
    const selector = raw as Record<string, unknown>;
    if (Array.isArray(selector['include'])) {
      const include = new Set(selector['include'] as unknown[]);
      return pick((key) => include.has(key));
    }
    if (Array.isArray(selector['exclude'])) {
      const exclude = new Set(selector['exclude'] as unknown[]);
      return pick((key) => !exclude.has(key));
    }
  }
  throw QdrantHttpError.format('with_payload must be a bool, a list of keys, or {include}/{exclude}');
}

function requireObject(raw: unknown, path: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw QdrantHttpError.format(`${path} must be an object`);
  }
  return raw as Record<string, unknown>;
}

function optionalObject(raw: unknown, path: string): Record<string, unknown> | undefined {
  return raw === undefined || raw === null ? undefined : requireObject(raw, path);
}

function withoutNulls(object: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object ?? {}).filter(([, value]) => value !== null && value !== undefined));
}

function optionalNumber(raw: unknown, path: string): number | undefined {
  if (raw === undefined || raw === null) {
    return undefined;
  }
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw QdrantHttpError.format(`${path} must be a number`);
  }
  return raw;
}

function optionalCount(raw: unknown, path: string): number | undefined {
  const value = optionalNumber(raw, path);
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw QdrantHttpError.format(`${path} must be an unsigned integer`);
  }
  return value;
}
