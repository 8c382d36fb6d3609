import { ErrorCode, StrataError } from '@strata/contracts';
import { type ZodType, type ZodTypeDef } from 'zod';

/** Validates a consumed message against its contract; a bad one becomes `invalid_message` (never a crash). */
export function parsePayload<T>(schema: ZodType<T, ZodTypeDef, unknown>, data: unknown, topic: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new StrataError(ErrorCode.InvalidMessage, `${topic}: ${issues}`);
}
