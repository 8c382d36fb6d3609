import { ErrorCode, StrataError } from '@strata/contracts';
import { type ZodType, type ZodTypeDef } from 'zod';

/** Validates a request body; every problem is listed in `details` with its path. */
export function parseBody<T>(schema: ZodType<T, ZodTypeDef, unknown>, body: unknown): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new StrataError(ErrorCode.InvalidRequest, 'request body must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = details[0];
  const message = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid request';
  throw new StrataError(ErrorCode.InvalidRequest, message, details);
}
