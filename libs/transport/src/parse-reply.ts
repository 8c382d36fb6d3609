import { ErrorCode, StrataError } from '@strata/contracts';
import { type ZodType, type ZodTypeDef } from 'zod';
import { compiledContract } from './compiled-contract';

/**
 * Validates a peer's reply against its contract, as requests are validated on consume: a reply that does not
 * match is `invalid_reply` naming the topic and what is wrong, never a value cast to a type it does not have. A reply
 * the contract's compiled validator accepts is one zod would give back unchanged, and is used as it is.
 */
export function parseReply<T>(schema: ZodType<T, ZodTypeDef, unknown>, data: unknown, topic: string): T {
  if (compiledContract(schema)?.(data) === true) return data as T;
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new StrataError(ErrorCode.InvalidReply, `malformed reply to ${topic}: ${issues}`);
}
