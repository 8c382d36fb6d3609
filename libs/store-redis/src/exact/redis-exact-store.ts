import { type CacheEntry, type ExactStore, type PurgeSelector, isExpired } from '@strata/cache-core';
import { Repository, type Schema } from 'redis-om';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';
import { type EntryHash, entrySchema, fromEntryHash, toHashArguments } from './entry-schema';
import { countScript, purgeStepScript, putScript } from './exact-store.scripts';

export interface RedisExactStoreOptions {
  /** Prepended to every key this store writes. Default `strata:`. */
  readonly keyPrefix?: string;
  /** Epoch milliseconds: what "expired" means for reads, purges and counts. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Index members examined per purge round trip; each round trip is one atomic script. Default 256. */
  readonly purgeBatchSize?: number;
}

/**
 * L2 in plain Redis 7 (no modules). Entries are hashes laid out by a redis-om schema and read through its
 * repository; writes and purges are Lua scripts that change the entry and its tag/namespace index
 * memberships in one atomic step (see `exact-store.scripts.ts` for the keys). redis-om's own `save`
 * cannot be used for writes: it issues the hash write and the expiry as separate commands, so neither the
 * TTL nor the index could be atomic with the entry.
 */
export class RedisExactStore implements ExactStore {
  private readonly keyPrefix: string;
  private readonly now: () => number;
  private readonly purgeBatchSize: string;
  private readonly schema: Schema<EntryHash>;
  private readonly repository: Repository<EntryHash>;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisExactStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'strata:';
    this.now = options.now ?? Date.now;
    this.purgeBatchSize = String(options.purgeBatchSize ?? 256);
    this.schema = entrySchema(this.keyPrefix);
    this.repository = new Repository(this.schema, connection.client);
  }

  /** A store on its own connection (closed by `close()`); connecting continues in the background. */
  static open(options: RedisConnectionOptions & RedisExactStoreOptions): RedisExactStore {
    const store = new RedisExactStore(RedisConnection.open(options), options);
    store.ownsConnection = true;
    return store;
  }

  get redis(): RedisConnection {
    return this.connection;
  }

  async get(id: string): Promise<CacheEntry | undefined> {
    const hash = await this.connection.run(() => this.repository.fetch(id));
    const entry = fromEntryHash(id, hash);
    return entry && !isExpired(entry, this.now()) ? entry : undefined;
  }

  async put(entry: CacheEntry): Promise<void> {
    const args = [
      this.keyPrefix,
      entry.id,
      String(this.now()),
      String(entry.expiresAt),
      entry.tenant,
      entry.namespace,
      JSON.stringify(entry.tags),
      ...toHashArguments(this.schema, entry),
    ];
    await this.connection.run((client) => putScript.run(client, [], args));
  }

  async purge(selector: PurgeSelector): Promise<number> {
    const { tenant, namespace } = selector;
    const narrowed = namespace === undefined ? ['0', ''] : ['1', namespace];
    if (selector.tags && selector.tags.length > 0) {
      let purged = 0;
      for (const tag of new Set(selector.tags)) purged += await this.purgeIndex(tenant, 't', tag, narrowed);
      return purged;
    }
    if (namespace !== undefined) return this.purgeIndex(tenant, 'n', namespace, ['0', '']);
    return 0;
  }

  async count(): Promise<number> {
    const total = await this.connection.run((client) => countScript.run(client, [], [this.keyPrefix, String(this.now())]));
    return Number(total);
  }

  ping(): Promise<void> {
    return this.connection.ping();
  }

  /** Closes the connection if this store opened it (`open`); a shared connection is its owner's to close. */
  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  /** Walks one index zset in atomic steps until its cursor comes back to 0. */
  private async purgeIndex(tenant: string, kind: 't' | 'n', name: string, narrowed: string[]): Promise<number> {
    let cursor = '0';
    let purged = 0;
    do {
      const args = [this.keyPrefix, String(this.now()), tenant, kind, name, ...narrowed, cursor, this.purgeBatchSize];
      const reply = await this.connection.run((client) => purgeStepScript.run(client, [], args));
      const [next, count] = reply as [string, number];
      cursor = next;
      purged += count;
    } while (cursor !== '0');
    return purged;
  }
}
