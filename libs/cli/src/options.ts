import { InvalidArgumentError } from 'commander';
import { type ZodTypeAny, type z } from 'zod';
import { UsageError } from './errors';

/** commander argument parsers: a bad value is a usage error (exit 2) that names the option. */
export function positiveNumber(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError('expected a number above 0.');
  return value;
}

export function positiveInteger(raw: string): number {
  const value = positiveNumber(raw);
  if (!Number.isInteger(value)) throw new InvalidArgumentError('expected a whole number.');
  return value;
}

export function unitInterval(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new InvalidArgumentError('expected a number between 0 and 1.');
  return value;
}

/** Repeatable option: `--tag a --tag b` (and `--tag a,b`). */
export function collect(raw: string, previous: string[] | undefined): string[] {
  const parts = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...parts];
}

/** Validates a request body with its contract before anything is sent: an invalid one is a usage error. */
export function validated<S extends ZodTypeAny>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data as z.infer<S>;
  const problems = parsed.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new UsageError(`${what}: ${problems.join('; ')}`);
}

export function nonNegativeNumber(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0)
    throw new InvalidArgumentError('expected a number of at least 0.');
  return value;
}
