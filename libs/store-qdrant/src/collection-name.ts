import { createHash } from 'node:crypto';

/** Qdrant's limit on collection names. */
const MAX_NAME_LENGTH = 255;
const UNSAFE = /[^A-Za-z0-9_-]/g;

/**
 * The collection of one embedding model: `${prefix}_${model}`. Characters outside `[A-Za-z0-9_-]` become `_`, and
 * then a short hash of the original model name is appended, so `org/model` and `org_model` never share a
 * collection. Deterministic: every process derives the same name.
 */
export function collectionName(prefix: string, model: string): string {
  const safe = model.replace(UNSAFE, '_');
  if (safe === model && safe.length > 0 && prefix.length + 1 + safe.length <= MAX_NAME_LENGTH) {
    return `${prefix}_${model}`;
  }
  const hash = createHash('sha256').update(model).digest('hex').slice(0, 8);
  const room = MAX_NAME_LENGTH - prefix.length - hash.length - 2;
  return safe.length === 0 ? `${prefix}_${hash}` : `${prefix}_${safe.slice(0, Math.max(0, room))}_${hash}`;
}

/** Whether `name` is one of the collections of `prefix` (a model collection as named by `collectionName`). */
export function isCollectionOf(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}_`) && name.length > prefix.length + 1;
}
