import { type CatalogFilter, type CatalogPage, type EntryCatalog, type NamespaceCount } from '@strata/cache-core';
import { checkKeyPrefix, tenantSlot } from '../connection/key-part';
import { type RedisConnection } from '../connection/redis-connection';
import { decodeText, encodeText } from '../connection/redis-text';
import { catalogPageScript, namespaceCountsScript } from './catalog.scripts';

export interface RedisEntryCatalogOptions {
  /** The exact store's key prefix. Default `strata:`. */
  readonly keyPrefix?: string;
  readonly now?: () => number;
}

function position(cursor: string | undefined): [keyIndex: number, offset: number] {
  const match = /^(\d{1,9}):(\d{1,12})$/.exec(cursor ?? '');
  return match ? [Number(match[1]), Number(match[2])] : [1, 0];
}

/**
 * The entry catalog of the Redis L2: walks the exact store's own index zsets (a tag's, a namespace's, or
 * every namespace of the tenant in name order), so nothing is written per entry for it. Every key read is
 * in the tenant's hash tag: one script, one Redis Cluster node.
 */
export class RedisEntryCatalog implements EntryCatalog {
  private readonly keyPrefix: string;
  private readonly now: () => number;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisEntryCatalogOptions = {},
  ) {
    this.keyPrefix = checkKeyPrefix(options.keyPrefix ?? 'strata:');
    this.now = options.now ?? Date.now;
  }

  async page(tenant: string, filter: CatalogFilter, cursor: string | undefined, count: number): Promise<CatalogPage> {
    const slot = tenantSlot(encodeText(tenant));
    const [keyIndex, offset] = position(cursor);
    const [key, mode] =
      filter.tag !== undefined
        ? [`${this.keyPrefix}t:${slot}:${encodeText(filter.tag)}`, 'one']
        : filter.namespace !== undefined
          ? [`${this.keyPrefix}n:${slot}:${encodeText(filter.namespace)}`, 'one']
          : [`${this.keyPrefix}namespaces:${slot}`, 'all'];
    const reply = (await this.connection.script(
      catalogPageScript,
      [key],
      [String(this.now()), mode, String(keyIndex), String(offset), String(count)],
    )) as Array<number | string>;
    const [nextKey, nextOffset, done, ...ids] = reply;
    return { ids: ids.map(String), cursor: Number(done) === 1 ? undefined : `${nextKey}:${nextOffset}` };
  }

  async namespaceCounts(tenant: string): Promise<NamespaceCount[]> {
    const slot = tenantSlot(encodeText(tenant));
    const indexPrefix = `${this.keyPrefix}n:${slot}:`;
    const reply = (await this.connection.script(
      namespaceCountsScript,
      [`${this.keyPrefix}namespaces:${slot}`],
      [String(this.now())],
    )) as Array<number | string>;
    const counts: NamespaceCount[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const key = String(reply[i]);
      if (key.startsWith(indexPrefix))
        counts.push({ name: decodeText(key.slice(indexPrefix.length)), entries: Number(reply[i + 1]) });
    }
    return counts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
