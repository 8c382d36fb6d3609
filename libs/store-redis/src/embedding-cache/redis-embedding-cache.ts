import { type EmbeddingCache } from '@strata/embedding';
import { commandOptions } from 'redis';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';
import { decodeFloat32, encodeFloat32 } from './float32-codec';

export interface RedisEmbeddingCacheOptions {
  /** Prepended to every key (`{keyPrefix}emb:{key}`). Default `strata:`. */
  readonly keyPrefix?: string;
  /** How long a vector is kept after it was last written. Default 30 days. */
  readonly ttlSeconds?: number;
}

/**
 * Vectors in Redis as little-endian Float32 strings (`{keyPrefix}emb:{key}`), so one text is embedded once
 * across restarts and deploys. One MGET per lookup batch (on a cluster, one GET per key, pipelined per
 * node: the keys are spread over slots), one pipelined round trip of `SET … EX` per write batch. A value
 * that is not a whole number of floats reads as a miss.
 */
export class RedisEmbeddingCache implements EmbeddingCache {
  private readonly keyPrefix: string;
  private readonly ttlSeconds: number;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisEmbeddingCacheOptions = {},
  ) {
    this.keyPrefix = `${options.keyPrefix ?? 'strata:'}emb:`;
    this.ttlSeconds = options.ttlSeconds ?? 30 * 86_400;
  }

  /** A cache on its own connection (closed by `close()`); connecting continues in the background. */
  static open(options: RedisConnectionOptions & RedisEmbeddingCacheOptions): RedisEmbeddingCache {
    const cache = new RedisEmbeddingCache(RedisConnection.open(options), options);
    cache.ownsConnection = true;
    return cache;
  }

  get redis(): RedisConnection {
    return this.connection;
  }

  async getMany(keys: readonly string[]): Promise<(number[] | undefined)[]> {
    if (keys.length === 0) return [];
    const names = keys.map((key) => this.keyPrefix + key);
    const values = await this.connection.run((client) =>
      this.connection.isCluster
        ? Promise.all(names.map((name) => client.get(commandOptions({ returnBuffers: true }), name)))
        : client.mGet(commandOptions({ returnBuffers: true }), names),
    );
    return values.map((value) => (value ? decodeFloat32(value) : undefined));
  }

  async setMany(entries: readonly (readonly [key: string, vector: number[]])[]): Promise<void> {
    if (entries.length === 0) return;
    // Issued together, node-redis writes them in one round trip (per node on a cluster).
    await this.connection.run((client) =>
      Promise.all(
        entries.map(([key, vector]) =>
          client.set(this.keyPrefix + key, encodeFloat32(vector), { EX: this.ttlSeconds }),
        ),
      ),
    );
  }

  /** Closes the connection if this cache opened it (`open`); a shared connection is its owner's to close. */
  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }
}
