import { createHash } from 'node:crypto';

/** Bump when the key layout or the text hashing changes: old entries then simply stop matching. */
const EMBEDDING_KEY_SCHEME = 'v1';

/**
 * The embedding-cache key of one text: `v1:<model>:<dimensions|native>:<sha256 hex of the UTF-8 text>`.
 *
 * `dimensions` is the length *requested* of the model (a configured `dimensions`, or the local model's
 * fixed length), not one learned from an answer; `native` means "whatever length the model produces",
 * which is fixed for a model name. So the key of a (model, dimensions, text) is the same before and after
 * a restart, and nothing is embedded twice. The text is hashed exactly as sent to the provider (no
 * normalisation: the caller decides what is embedded). Model names may contain `:`; the key still parses
 * from the right (hash, then dimensions, then model).
 */
export function embeddingCacheKey(model: string, dimensions: number | undefined, text: string): string {
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  return `${EMBEDDING_KEY_SCHEME}:${model}:${dimensions ?? 'native'}:${hash}`;
}
