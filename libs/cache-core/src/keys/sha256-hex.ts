import { createHash, hash } from 'node:crypto';

/**
 * SHA-256 hex of a string: a request's exact key and context hash, and the digests a proxied request takes (its
 * credentials' digest, its stable prefix's hash, OpenAI's `prompt_cache_key`). `crypto.hash` (Node 20.12+) hashes a
 * short string in half the time of a `Hash` object; Node 20.11, which the engines range still admits, has only the
 * latter. Both give the same digest.
 */
export const sha256Hex: (text: string) => string =
  typeof hash === 'function'
    ? (text) => hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');
