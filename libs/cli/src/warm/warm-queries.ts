import { createHash } from 'node:crypto';
import { z } from 'zod';
import { chatMessageSchema, modelSchema, namespaceSchema, tagSchema } from '@strata/contracts';
import { UsageError } from '../errors';

/** One distinct question to replay, with how popular it is. */
export interface WarmQuery {
  /** The line's `id` (or `custom_id`), else a hash of what is sent: the same question twice is one query. */
  readonly id: string;
  /** Where it first appears (1-based). */
  readonly line: number;
  /** Popularity: the sum of the `count` of every line with this id (1 per line without one). */
  readonly count: number;
  /** The `/v1/chat/completions` body sent. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly namespace: string | undefined;
  readonly tags: readonly string[];
  readonly ttl: number | undefined;
}

/** Defaults from the command line for lines that name none. */
interface WarmDefaults {
  readonly namespace?: string | undefined;
  readonly tags?: readonly string[];
}

const tagForHeader = tagSchema.refine((t) => !t.includes(','), 'tags sent in X-Strata-Tags cannot contain ","');

/** Strata's own fields of a line; every other field belongs to the chat request. */
const strataFieldsSchema = z.object({
  id: z.string().min(1).max(256).optional(),
  custom_id: z.string().min(1).max(256).optional(),
  count: z.number().int().positive().optional(),
  namespace: namespaceSchema.optional(),
  tags: z.array(tagForHeader).max(64).optional(),
  ttl: z.number().int().positive().optional(),
});

const chatRequestSchema = z
  .object({ model: modelSchema, messages: z.array(chatMessageSchema).min(1, 'messages must not be empty') })
  .passthrough();

/** Never sent: the warm asks for whole answers (a stream record and a JSON one answer each other). */
const DROPPED = ['stream', 'stream_options'];
const STRATA_FIELDS = ['id', 'custom_id', 'count', 'namespace', 'tags', 'ttl'];

/** JSON with sorted keys: equal requests hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function problems(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * One line: a chat completion request with optional Strata fields (`id`, `count`, `namespace`, `tags`,
 * `ttl`), or an OpenAI Batch API line (`{"custom_id", "method", "url", "body": {…}}`, Strata fields beside
 * `body`). Lines without `temperature` are sent with `temperature: 0`, the one cacheable by default.
 */
function parseLine(value: unknown, line: number, defaults: WarmDefaults): WarmQuery {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object');
  const record = value as Record<string, unknown>;
  const batch = record['body'] !== undefined && typeof record['url'] === 'string';
  if (batch && record['url'] !== '/v1/chat/completions')
    throw new Error(`url: only /v1/chat/completions can be warmed, got ${String(record['url'])}`);
  const strata = strataFieldsSchema.safeParse(record);
  if (!strata.success) throw new Error(problems(strata.error));
  const request = batch
    ? record['body']
    : Object.fromEntries(Object.entries(record).filter(([key]) => !STRATA_FIELDS.includes(key)));
  const chat = chatRequestSchema.safeParse(request);
  if (!chat.success) throw new Error(problems(chat.error));
  const body: Record<string, unknown> = Object.fromEntries(
    Object.entries(chat.data).filter(([key]) => !DROPPED.includes(key)),
  );
  body['temperature'] ??= 0;
  const namespace = strata.data.namespace ?? defaults.namespace;
  const tags = [...new Set([...(defaults.tags ?? []), ...(strata.data.tags ?? [])])];
  const ttl = strata.data.ttl;
  const id =
    strata.data.id ??
    strata.data.custom_id ??
    createHash('sha256').update(canonical({ body, namespace, tags, ttl })).digest('hex').slice(0, 32);
  return { id, line, count: strata.data.count ?? 1, body, namespace, tags, ttl };
}

/** Parses a JSONL file of questions; lines with the same id are one query whose counts add up. Bad lines are a usage error. */
export function parseWarmFile(text: string, source: string, defaults: WarmDefaults = {}): WarmQuery[] {
  const byId = new Map<string, WarmQuery>();
  const bad: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const line = index + 1;
    try {
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        throw new Error('not valid JSON');
      }
      const query = parseLine(value, line, defaults);
      const seen = byId.get(query.id);
      if (seen === undefined) byId.set(query.id, query);
      else if (canonical(seen.body) !== canonical(query.body) || seen.namespace !== query.namespace)
        throw new Error(`id "${query.id}" is also line ${seen.line}, with another request`);
      else byId.set(query.id, { ...seen, count: seen.count + query.count });
    } catch (error) {
      bad.push(`line ${line}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).join('\n  ');
    throw new UsageError(
      `${source}: ${bad.length} invalid line${bad.length === 1 ? '' : 's'}:\n  ${shown}${bad.length > 5 ? `\n  … and ${bad.length - 5} more` : ''}`,
    );
  }
  return [...byId.values()];
}

/** The most popular first (ties in file order); the first `top` of them when given. */
export function mostPopular(queries: readonly WarmQuery[], top?: number): WarmQuery[] {
  const sorted = [...queries].sort((a, b) => b.count - a.count || a.line - b.line);
  return top === undefined ? sorted : sorted.slice(0, top);
}
