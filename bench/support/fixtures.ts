import { createHash } from 'node:crypto';
import { type CacheEntry, entryIdFromKey, entryTag } from '@strata/cache-core';

export const BENCH_MODEL = 'gpt-4o-mini';

/** A typical cached chat answer: an OpenAI chat completion of ~750 bytes of JSON. */
export const SAMPLE_RESPONSE = {
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  model: BENCH_MODEL,
  choices: [
    {
      index: 0,
      finish_reason: 'stop',
      message: {
        role: 'assistant',
        content:
          'Items can be returned within 30 days of delivery for a full refund, provided they are unused and in their original packaging. ' +
          'Start a return from the Orders page: choose the item, pick a reason and print the prepaid label. Refunds go back to the original ' +
          'payment method within 5 to 7 business days after the parcel reaches our warehouse. Final-sale items, gift cards and personalised ' +
          'products cannot be returned. If the item arrived damaged, contact support within 48 hours with a photo and we will replace it.',
      },
    },
  ],
  usage: { prompt_tokens: 42, completion_tokens: 118, total_tokens: 160 },
};

/**
 * A complete L2/L3 entry, keyed like a real one (exact key = a SHA-256 hex, id derived from it), carrying
 * `tags` and its own `$entry:` tag, living for a day.
 */
export function benchEntry(options: {
  readonly seed: string;
  readonly tenant: string;
  readonly tags?: readonly string[];
  readonly now?: number;
}): CacheEntry {
  const exactKey = createHash('sha256').update(options.seed).digest('hex');
  const id = entryIdFromKey(exactKey);
  const now = options.now ?? Date.now();
  return {
    id,
    tenant: options.tenant,
    namespace: 'default',
    namespaceVersion: 1,
    model: BENCH_MODEL,
    exactKey,
    contextHash: createHash('sha256').update('bench-context').digest('hex'),
    query: `bench question ${options.seed}`,
    response: SAMPLE_RESPONSE,
    tags: [...(options.tags ?? []), entryTag(id)],
    createdAt: now,
    expiresAt: now + 86_400_000,
  };
}
