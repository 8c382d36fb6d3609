import { type CacheEntry } from '@strata/cache-core';
import { type Entity, Schema } from 'redis-om';

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

/** `HSET` arguments for an entry, named and ordered by the schema (what redis-om's own save would write). */
export function toHashArguments(schema: Schema<EntryHash>, entry: CacheEntry): string[] {
  const values: Record<string, string | undefined> = {
    tenant: entry.tenant,
    namespace: entry.namespace,
    namespaceVersion: String(entry.namespaceVersion),
    model: entry.model,
    exactKey: entry.exactKey,
    contextHash: entry.contextHash,
    query: entry.query,
    response: JSON.stringify(entry.response),
    tags: JSON.stringify(entry.tags),
    createdAt: String(entry.createdAt),
    expiresAt: String(entry.expiresAt),
    generation: entry.generation === undefined ? undefined : String(entry.generation),
    aliasOf: entry.aliasOf,
  };
  const args: string[] = [];
  for (const field of schema.fields) {
    const value = values[field.name];
    if (value !== undefined) args.push(field.hashField, value);
  }
  return args;
}

/** The entry a fetched hash holds, or undefined when the hash does not exist. */
export function fromEntryHash(id: string, hash: EntryHash): CacheEntry | undefined {
  const { tenant, namespace, namespaceVersion, model, exactKey, contextHash, query, response, tags, createdAt, expiresAt, generation, aliasOf } = hash;
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
    tenant,
    namespace,
    namespaceVersion,
    model,
    exactKey,
    contextHash,
    query,
    response: JSON.parse(response) as CacheEntry['response'],
    tags: JSON.parse(tags) as string[],
    createdAt,
    expiresAt,
    ...(generation === undefined ? {} : { generation }),
    ...(aliasOf === undefined ? {} : { aliasOf }),
  };
}
