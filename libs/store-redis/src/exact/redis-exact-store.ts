import {
  type CacheEntry,
  type ExactStore,
  type PurgeSelector,
  type TicketedExactRead,
  entryGenerationFields,
  isExpired,
  sequentialExactReads,
} from '@strata/cache-core';
import { Repository, type Schema } from 'redis-om';
import { checkKeyPrefix, tenantSlot } from '../connection/key-part';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';
import { encodeText } from '../connection/redis-text';
import { type RedisPurgeGenerations } from '../generations/redis-purge-generations';
import {
  type EntryHash,
  encodedTags,
  entryHashFromReply,
  entrySchema,
  fromEntryHash,
  toHashArguments,
} from './entry-schema';
import { countScript, purgeStepScript, putScript, readWithGenerationsScript } from './exact-store.scripts';

export interface RedisExactStoreOptions {
  /** Prepended to every key this store writes. Default `strata:`. */
  readonly keyPrefix?: string;
  /** Epoch milliseconds: what "expired" means for reads, purges and counts. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** Index members examined per purge round trip; each round trip is one atomic script. Default 256. */
  readonly purgeBatchSize?: number;
  /**
   * Tags of one purge walked at the same time (their steps pipelined on the connection). A 10 000-tag
   * event is 10 000 index walks: one at a time they cost 10 000 round trips in sequence. Default 32.
   */
  readonly purgeConcurrency?: number;
}

/**
 * L2 in plain Redis 7 (no modules). Entries are hashes laid out by a redis-om schema and read through its
 * repository; writes and purges are Lua scripts that change the entry and its tag/namespace index
 * memberships in one atomic step (see `exact-store.scripts.ts` for the keys). redis-om's own `save`
 * cannot be used for writes: it issues the hash write and the expiry as separate commands, so neither the
 * TTL nor the index could be atomic with the entry. Every key of a tenant carries the tenant's hash tag,
 * so the store works on Redis Cluster as on one node; `{prefix}tenants` lists the tenants `count()` sums.
 */
export class RedisExactStore implements ExactStore {
  private readonly keyPrefix: string;
  private readonly now: () => number;
  private readonly purgeBatchSize: string;
  private readonly purgeConcurrency: number;
  private readonly schema: Schema<EntryHash>;
  private current: { native: unknown; repository: Repository<EntryHash> } | undefined;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisExactStoreOptions = {},
  ) {
    this.keyPrefix = checkKeyPrefix(options.keyPrefix ?? 'strata:');
    this.now = options.now ?? Date.now;
    this.purgeBatchSize = String(options.purgeBatchSize ?? 256);
    this.purgeConcurrency = Math.max(1, options.purgeConcurrency ?? 32);
    this.schema = entrySchema(this.keyPrefix);
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

  async get(tenant: string, id: string): Promise<CacheEntry | undefined> {
    const hash = await this.connection.run(() => this.repository().fetch(`${this.slot(tenant)}:${id}`));
    return this.live(tenant, fromEntryHash(id, hash));
  }

  /** `entry` when it is the tenant's and not expired (what a read returns), else undefined. */
  private live(tenant: string, entry: CacheEntry | undefined): CacheEntry | undefined {
    return entry && entry.tenant === tenant && !isExpired(entry, this.now()) ? entry : undefined;
  }

  /**
   * `get` with the purge generation the entry must carry to be fresh (`generations.latest` of its fields) and the
   * tenant's ticket (`generations.current`), read in one atomic script: one round trip (`readWithGenerationsScript`).
   * `generations` must keep its state on this store's Redis (`RedisExactReads` checks). As `sequentialExactReads`
   * (two round trips) only for a tenant whose name is stored encoded (its entry and its generations then hash to
   * different Redis Cluster slots), and a second round trip for `latest` alone for an entry whose namespace or a tag
   * is stored encoded (`encodeText`); the ticket still comes from the script then.
   */
  async getWithGenerations(tenant: string, id: string, generations: RedisPurgeGenerations): Promise<TicketedExactRead> {
    if (encodeText(tenant) !== tenant) return sequentialExactReads(this, generations).getWithGenerations(tenant, id);
    const keys = [...generations.stateKeys(tenant), this.entryKey(tenant, id)];
    const reply = (await this.connection.script(readWithGenerationsScript, keys, [])) as
      [ticket: string] | [ticket: string, latest: string | null, hash: string[]];
    const ticket = Number(reply[0]);
    if (reply.length === 1) return { ticket, found: undefined };
    const [, latest, hash] = reply;
    const entry = this.live(tenant, fromEntryHash(id, entryHashFromReply(this.schema, hash)));
    if (!entry) return { ticket, found: undefined };
    return {
      ticket,
      found: {
        entry,
        latest: latest === null ? await generations.latest(tenant, entryGenerationFields(entry)) : Number(latest),
      },
    };
  }

  async put(entry: CacheEntry): Promise<void> {
    const tenant = encodeText(entry.tenant);
    const args = [
      this.keyPrefix,
      entry.id,
      String(this.now()),
      String(entry.expiresAt),
      tenant,
      encodeText(entry.namespace),
      encodedTags(entry.tags),
      ...toHashArguments(this.schema, entry),
    ];
    const key = this.entryKey(entry.tenant, entry.id);
    await Promise.all([
      this.connection.run((client) => client.sAdd(`${this.keyPrefix}tenants`, tenant)),
      this.connection.script(putScript, [key], args),
    ]);
  }

  async purge(selector: PurgeSelector): Promise<number> {
    const { tenant, namespace } = selector;
    const narrowed = namespace === undefined ? ['0', ''] : ['1', encodeText(namespace)];
    if (selector.tags && selector.tags.length > 0) {
      // Each step is atomic, so concurrent walks serialize in Redis: an entry two tags reach is dropped
      // (and counted) by whichever step meets it first; the other finds its hash gone.
      const tags = [...new Set(selector.tags)];
      let purged = 0;
      let next = 0;
      const walker = async (): Promise<void> => {
        while (next < tags.length) {
          const count = await this.purgeIndex(tenant, 't', tags[next++] ?? '', narrowed);
          purged += count;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.purgeConcurrency, tags.length) }, walker));
      return purged;
    }
    if (namespace !== undefined) return this.purgeIndex(tenant, 'n', namespace, ['0', '']);
    return 0;
  }

  async count(): Promise<number> {
    const tenants = await this.connection.run((client) => client.sMembers(`${this.keyPrefix}tenants`));
    const now = String(this.now());
    const counts = await Promise.all(
      tenants.map((tenant) =>
        this.connection.script(
          countScript,
          [`${this.keyPrefix}namespaces:${tenantSlot(tenant)}`],
          [this.keyPrefix, now, tenant],
        ),
      ),
    );
    return counts.reduce<number>((total, count) => total + Number(count), 0);
  }

  ping(): Promise<void> {
    return this.connection.ping();
  }

  /**
   * Keys Redis evicted under its `maxmemory` policy since it started (`INFO stats` `evicted_keys`, summed over the
   * masters). Server-wide: every key of the server counts, not only this store's. One command per master.
   */
  async evictedKeys(): Promise<number> {
    const infos = await this.connection.info('stats');
    return infos.reduce((sum, info) => sum + Number(/^evicted_keys:(\d+)/m.exec(info)?.[1] ?? 0), 0);
  }

  /** Closes the connection if this store opened it (`open`); a shared connection is its owner's to close. */
  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  /** Walks one index zset in atomic steps until its cursor comes back to 0. */
  private async purgeIndex(tenant: string, kind: 't' | 'n', name: string, narrowed: string[]): Promise<number> {
    let cursor = '0';
    let purged = 0;
    const encoded = encodeText(name);
    const index = [`${this.keyPrefix}${kind}:${this.slot(tenant)}:${encoded}`];
    do {
      const args = [
        this.keyPrefix,
        String(this.now()),
        encodeText(tenant),
        kind,
        encoded,
        ...narrowed,
        cursor,
        this.purgeBatchSize,
      ];
      const reply = await this.connection.script(purgeStepScript, index, args);
      const [next, count] = reply as [string, number];
      cursor = next;
      purged += count;
    } while (cursor !== '0');
    return purged;
  }

  /** redis-om's repository over the client in use (a cluster connection swaps its client after a failover). */
  private repository(): Repository<EntryHash> {
    const native = this.connection.native;
    if (this.current?.native !== native) this.current = { native, repository: new Repository(this.schema, native) };
    return this.current.repository;
  }

  private slot(tenant: string): string {
    return tenantSlot(encodeText(tenant));
  }

  private entryKey(tenant: string, id: string): string {
    return `${this.keyPrefix}e:${this.slot(tenant)}:${id}`;
  }
}
