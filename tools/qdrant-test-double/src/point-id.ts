import { QdrantHttpError } from './qdrant-http-error';

/** Qdrant point ids: an unsigned integer or a UUID (returned in lowercase hyphenated form). */
export type PointId = number | string;

const HYPHENATED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SIMPLE_UUID = /^[0-9a-f]{32}$/i;

/** Validates and normalises a point id the way Qdrant does; throws a Qdrant-shaped 400 otherwise. */
export function parsePointId(raw: unknown): PointId {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) {
    return raw;
  }
  if (typeof raw === 'string') {
    if (HYPHENATED_UUID.test(raw)) {
      return raw.toLowerCase();
    }
    if (SIMPLE_UUID.test(raw)) {
      const hex = raw.toLowerCase();
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
  throw QdrantHttpError.format(
    `value ${JSON.stringify(raw)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

/** A map key that keeps integer 1 and UUID strings apart. */
export function pointKey(id: PointId): string {
  return typeof id === 'number' ? `n:${id}` : `u:${id}`;
}
