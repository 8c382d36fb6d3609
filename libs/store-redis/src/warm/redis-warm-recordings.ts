import { type SeenVersion, type WarmRecording, type WarmRecordings } from '@strata/cache-core';
import { checkKeyPrefix, keyPart, tenantSlot } from '../connection/key-part';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';
import { LuaScript } from '../connection/lua-script';

export interface RedisWarmRecordingsOptions {
  readonly keyPrefix?: string;
}

/** How long the start-up read waits for Redis to be reachable. */
const READY_TIMEOUT_MS = 15_000;

/** KEYS: the recording, the tenant's versions hash. ARGV: recording JSON, ttl seconds, version field, version. */
const recordScript = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('HSETNX', KEYS[2], ARGV[3], ARGV[4])
return 1
`);

/** KEYS: the tenant's versions hash. ARGV: field, version, '1' to set only when absent. */
const markSeenScript = new LuaScript(`
if ARGV[3] == '1' then return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) end
return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
`);

function parseRecording(text: string | null): WarmRecording | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as WarmRecording;
  } catch {
    return undefined;
  }
}

/**
 * Warm recordings in Redis, shared by every gateway replica: each recording a string key living as long as its entry
 * (`{prefix}wr:{tenant}:{entry id}`), the last-seen versions in one hash per tenant (`{prefix}wv:{tenant}`, fields
 * `["tenant","namespace"]`), and the once-per-bump claim as `SET NX EX` (`{prefix}wc:{tenant}:{namespace}:{version}`).
 * Every key of a tenant is in its hash tag, so each script runs on one node of a cluster.
 */
export class RedisWarmRecordings implements WarmRecordings {
  private readonly keyPrefix: string;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisWarmRecordingsOptions = {},
  ) {
    this.keyPrefix = checkKeyPrefix(options.keyPrefix ?? 'strata:');
  }

  static open(options: RedisConnectionOptions & RedisWarmRecordingsOptions): RedisWarmRecordings {
    const recordings = new RedisWarmRecordings(RedisConnection.open(options), options);
    recordings.ownsConnection = true;
    return recordings;
  }

  async record(tenant: string, recording: WarmRecording, ttlSeconds: number): Promise<void> {
    await this.connection.script(
      recordScript,
      [this.recordingKey(tenant, recording.entryId), this.versionsKey(tenant)],
      [
        JSON.stringify(recording),
        String(Math.max(1, Math.ceil(ttlSeconds))),
        JSON.stringify([tenant, recording.namespace]),
        String(recording.version),
      ],
    );
  }

  async get(tenant: string, entryIds: readonly string[]): Promise<Map<string, WarmRecording>> {
    const found = new Map<string, WarmRecording>();
    if (entryIds.length === 0) return found;
    const keys = entryIds.map((id) => this.recordingKey(tenant, id));
    const values = await this.connection.run((client) => client.mGet(keys));
    entryIds.forEach((id, i) => {
      const recording = parseRecording(values[i] ?? null);
      if (recording !== undefined) found.set(id, recording);
    });
    return found;
  }

  /** Read at start-up, maybe before the connection is up: waits for it (a scan does not). */
  async seenVersions(): Promise<SeenVersion[]> {
    await this.connection.whenReady(READY_TIMEOUT_MS);
    const seen: SeenVersion[] = [];
    for await (const key of this.connection.scan(`${this.keyPrefix}wv:*`)) {
      const fields = await this.connection.run((client) => client.hGetAll(key));
      for (const [field, version] of Object.entries(fields)) {
        const [tenant, namespace] = JSON.parse(field) as [string, string];
        seen.push({ tenant, namespace, version: Number(version) });
      }
    }
    return seen;
  }

  async markSeen(tenant: string, namespace: string, version: number, onlyIfAbsent: boolean): Promise<void> {
    await this.connection.script(
      markSeenScript,
      [this.versionsKey(tenant)],
      [JSON.stringify([tenant, namespace]), String(version), onlyIfAbsent ? '1' : '0'],
    );
  }

  async claim(tenant: string, namespace: string, version: number, ttlSeconds: number): Promise<boolean> {
    const key = `${this.keyPrefix}wc:${tenantSlot(tenant)}:${keyPart(namespace)}:${version}`;
    const reply = await this.connection.run((client) =>
      client.set(key, '1', { NX: true, EX: Math.max(1, Math.ceil(ttlSeconds)) }),
    );
    return reply === 'OK';
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private recordingKey(tenant: string, entryId: string): string {
    return `${this.keyPrefix}wr:${tenantSlot(tenant)}:${keyPart(entryId)}`;
  }

  private versionsKey(tenant: string): string {
    return `${this.keyPrefix}wv:${tenantSlot(tenant)}`;
  }
}
