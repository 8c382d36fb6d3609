import { ErrorCode, StrataError } from '@strata/contracts';
import { type ZodType, type ZodTypeDef } from 'zod';
import { compiledContract } from './compiled-contract';

/**
 * Validates a consumed message against its contract; a bad one becomes `invalid_message` (never a crash). A message
 * the contract's compiled validator accepts is one zod would give back unchanged, and is used as it is (a direct
 * call's message as its caller built it); any other is parsed by zod, for its result or its issues.
 */
export function parsePayload<T>(schema: ZodType<T, ZodTypeDef, unknown>, data: unknown, topic: string): T {
  if (compiledContract(schema)?.(data) === true) return data as T;
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new StrataError(ErrorCode.InvalidMessage, `${topic}: ${issues}`);
}
