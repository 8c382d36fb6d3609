import { type CacheEntry } from '@strata/cache-core';
import { type Entity, Schema } from 'redis-om';
import { decodeText, encodeText } from '../connection/redis-text';

/**
 * An L2 entry as a Redis hash. `response` and `tags` are JSON strings (responses are arbitrary JSON; tags
 * may contain any character, so no separator-joined list). Every field is optional on read: a hash that
 * does not exist reads as an entity without fields.
 */
export interface EntryHash extends Entity {
  tenant?: string;
  namespace?: string;
  namespaceVersion?: number;
  model?: string;
  exactKey?: string;
  contextHash?: string;
  query?: string;
  response?: string;
  tags?: string;
  createdAt?: number;
  expiresAt?: number;
  generation?: number;
  aliasOf?: string;
}

/**
 * The hash layout. Field names are the hash field names; the Lua scripts read `tenant`, `namespace`,
 * `tags` and `expiresAt` by these names. Plain Redis needs no index: nothing here is searched.
 */
export function entrySchema(keyPrefix: string): Schema<EntryHash> {
  return new Schema<EntryHash>(
    `${keyPrefix}e`,
    {
      tenant: { type: 'string' },
      namespace: { type: 'string' },
      namespaceVersion: { type: 'number' },
      model: { type: 'string' },
      exactKey: { type: 'string' },
      contextHash: { type: 'string' },
      query: { type: 'string' },
      response: { type: 'string' },
      tags: { type: 'string' },
      createdAt: { type: 'number' },
      expiresAt: { type: 'number' },
      generation: { type: 'number' },
      aliasOf: { type: 'string' },
    },
    { dataStructure: 'HASH' },
  );
}

/**
 * `HSET` arguments for an entry, named and ordered by the schema (what redis-om's own save would write).
 * Text fields are stored with `encodeText` (a lone surrogate would otherwise be lost or break the scripts).
 */
export function toHashArguments(schema: Schema<EntryHash>, entry: CacheEntry): string[] {
  const values: Record<string, string | undefined> = {
    tenant: encodeText(entry.tenant),
    namespace: encodeText(entry.namespace),
    namespaceVersion: String(entry.namespaceVersion),
    model: encodeText(entry.model),
    exactKey: encodeText(entry.exactKey),
    contextHash: encodeText(entry.contextHash),
    query: encodeText(entry.query),
    response: JSON.stringify(entry.response),
    tags: encodedTags(entry.tags),
    createdAt: String(entry.createdAt),
    expiresAt: String(entry.expiresAt),
    generation: entry.generation === undefined ? undefined : String(entry.generation),
    aliasOf: entry.aliasOf === undefined ? undefined : encodeText(entry.aliasOf),
  };
  const args: string[] = [];
  for (const field of schema.fields) {
    const value = values[field.name];
    if (value !== undefined) args.push(field.hashField, value);
  }
  return args;
}

/**
 * The entity an `HGETALL` reply (field, value, field, value…) holds, converted as redis-om's repository converts a
 * fetched hash: schema fields by their hash field name, numbers parsed (a value that is not a number throws).
 */
export function entryHashFromReply(schema: Schema<EntryHash>, reply: readonly string[]): EntryHash {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) values.set(reply[i], reply[i + 1]);
  const hash: Record<string, string | number> = {};
  for (const field of schema.fields) {
    const value = values.get(field.hashField);
    if (value === undefined) continue;
    if (field.type !== 'number') hash[field.name] = value;
    else if (Number.isNaN(Number(value))) throw new Error(`L2 entry field ${field.name} is not a number in Redis`);
    else hash[field.name] = Number.parseFloat(value);
  }
  return hash;
}

/** The entry a fetched hash holds, or undefined when the hash does not exist. */
export function fromEntryHash(id: string, hash: EntryHash): CacheEntry | undefined {
  const {
    tenant,
    namespace,
    namespaceVersion,
    model,
    exactKey,
    contextHash,
    query,
    response,
    tags,
    createdAt,
    expiresAt,
    generation,
    aliasOf,
  } = hash;
  if (tenant === undefined) return undefined;
  if (
    namespace === undefined ||
    namespaceVersion === undefined ||
    model === undefined ||
    exactKey === undefined ||
    contextHash === undefined ||
    query === undefined ||
    response === undefined ||
    tags === undefined ||
    createdAt === undefined ||
    expiresAt === undefined
  ) {
    throw new Error(`L2 entry ${id} is incomplete in Redis`);
  }
  return {
    id,
    tenant: decodeText(tenant),
    namespace: decodeText(namespace),
    namespaceVersion,
    model: decodeText(model),
    exactKey: decodeText(exactKey),
    contextHash: decodeText(contextHash),
    query: decodeText(query),
    response: JSON.parse(response) as CacheEntry['response'],
    tags: (JSON.parse(tags) as string[]).map(decodeText),
    createdAt,
    expiresAt,
    ...(generation === undefined ? {} : { generation }),
    ...(aliasOf === undefined ? {} : { aliasOf: decodeText(aliasOf) }),
  };
}

/** The `tags` field: a JSON array of encoded tags (what the scripts decode to build index keys). */
export function encodedTags(tags: readonly string[]): string {
  return JSON.stringify(tags.map(encodeText));
}
