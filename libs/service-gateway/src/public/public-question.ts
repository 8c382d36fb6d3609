import { modelSchema } from '@strata/contracts';
import { z } from 'zod';
import { parseBody } from '../http/parse-body';
import { type CacheRequest } from '../cache-api/gateway-cache';

/** Longest question of the GET form: its URL must stay within what CDNs accept (8 KiB at Fastly, with escaping). */
export const PUBLIC_QUESTION_MAX_CHARS = 2_048;

/** The query of `GET /v1/cache/public/{tenant}/{namespace}?q=&model=` (each given once). */
const publicQuestionQuerySchema = z.object({
  q: z
    .string({ required_error: 'required (the question)', invalid_type_error: 'give it once' })
    .trim()
    .min(1, 'must not be empty')
    .max(PUBLIC_QUESTION_MAX_CHARS, `at most ${PUBLIC_QUESTION_MAX_CHARS} characters`),
  model: z.string({ required_error: 'required', invalid_type_error: 'give it once' }).pipe(modelSchema),
});

/**
 * The request a question names: one user message at temperature 0, in the namespace — what the FAQ page's store sent.
 * A missing, repeated, empty or oversized `q` or `model` is a 400 naming the field.
 */
export function publicQuestionRequest(namespace: string, q: unknown, model: unknown): CacheRequest {
  const query = parseBody(publicQuestionQuerySchema, { q, model });
  return {
    namespace,
    model: query.model,
    messages: [{ role: 'user', content: query.q }],
    params: { temperature: 0 },
  };
}
