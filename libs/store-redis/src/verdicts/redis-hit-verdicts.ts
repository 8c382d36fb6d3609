import {
  type AuditCounts,
  type NamespaceAudits,
  type BandCounts,
  type EntryTrust,
  type HitVerdicts,
  type PairVerdict,
  type TrustChange,
  type VerdictState,
  type VerdictSubject,
} from '@strata/cache-core';
import { keyPart, tenantSlot } from '../connection/key-part';
import { LuaScript } from '../connection/lua-script';
import { RedisConnection, type RedisConnectionOptions } from '../connection/redis-connection';

export interface RedisHitVerdictsOptions {
  readonly keyPrefix?: string;
}

/**
 * Starts the record afresh when it belongs to an earlier entry with the same id (`at` = the entry's createdAt),
 * then sets the pairing's verdict unless it is `blocked`, and keeps the record until the entry expires.
 * KEYS[1] record; ARGV: createdAt, pair field, verdict, expiresAt (ms).
 */
const SET_PAIR = new LuaScript(`
if redis.call('HGET', KEYS[1], 'at') ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'at', ARGV[1])
end
if redis.call('HGET', KEYS[1], ARGV[2]) ~= 'blocked' then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
`);

/**
 * Adds to the counts and the raise (clamped), as SET_PAIR starts a record. KEYS[1] record;
 * ARGV: createdAt, wrong, right, raise, minRaise, maxRaise, expiresAt (ms). Returns {wrong, right, raise}.
 */
const ADJUST = new LuaScript(`
if redis.call('HGET', KEYS[1], 'at') ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'at', ARGV[1])
end
local w = redis.call('HINCRBY', KEYS[1], 'w', ARGV[2])
local r = redis.call('HINCRBY', KEYS[1], 'r', ARGV[3])
local x = tonumber(redis.call('HGET', KEYS[1], 'x') or '0') + tonumber(ARGV[4])
x = math.max(tonumber(ARGV[5]), math.min(tonumber(ARGV[6]), x))
x = math.floor(x * 1000000 + 0.5) / 1000000
redis.call('HSET', KEYS[1], 'x', tostring(x))
redis.call('PEXPIREAT', KEYS[1], ARGV[7])
return {w, r, tostring(x)}
`);

/**
 * Counts one audit of a tenant's namespace. KEYS[1] the audits hash; ARGV: the field suffix (the JSON array
 * [tenant, namespace]), 1 if it failed else 0. Returns {audited, failed}.
 */
const RECORD_AUDIT = new LuaScript(`
local a = redis.call('HINCRBY', KEYS[1], 'a:' .. ARGV[1], 1)
local f = redis.call('HINCRBY', KEYS[1], 'f:' .. ARGV[1], tonumber(ARGV[2]))
return {a, f}
`);

/**
 * Counts one judge verdict in a similarity band. KEYS[1] the tenant's namespace's bands hash; ARGV: band, 1 if the
 * candidate was another question else 0. Returns the whole hash (fields `j:<band>` judged, `w:<band>` wrong).
 */
const RECORD_BAND = new LuaScript(`
redis.call('HINCRBY', KEYS[1], 'j:' .. ARGV[1], 1)
redis.call('HINCRBY', KEYS[1], 'w:' .. ARGV[1], tonumber(ARGV[2]))
return redis.call('HGETALL', KEYS[1])
`);

/** The (tenant, namespace) of an audits hash's `a:<scope>` field; undefined for any other field. */
function auditScopeOf(field: string): { tenant: string; namespace: string } | undefined {
  if (!field.startsWith('a:[')) return undefined;
  try {
    const scope: unknown = JSON.parse(field.slice(2));
    if (Array.isArray(scope) && scope.length === 2 && typeof scope[0] === 'string' && typeof scope[1] === 'string')
      return { tenant: scope[0], namespace: scope[1] };
  } catch {
    // Not a field this version wrote (namespace-only counts of earlier versions are left alone).
  }
  return undefined;
}

/** A bands hash's fields (`j:<band>`, `w:<band>`) as counts per band. */
function bandsOf(fields: Record<string, string>): Map<number, BandCounts> {
  const bands = new Map<number, BandCounts>();
  for (const [field, value] of Object.entries(fields)) {
    if (!field.startsWith('j:')) continue;
    const band = Number(field.slice(2));
    if (Number.isInteger(band)) bands.set(band, { judged: Number(value), wrong: Number(fields[`w:${band}`] ?? 0) });
  }
  return bands;
}

const VERDICTS: ReadonlySet<string> = new Set<PairVerdict>(['blocked', 'verified', 'rejected']);

/**
 * Hit verdicts in Redis, shared by every cache service replica: one hash per (tenant, entry)
 * (`{prefix}hv:{tenant}:<entry id>`, in the tenant's slot) holding the entry's incarnation (`at`), its counts
 * (`w`, `r`), its threshold raise (`x`) and one field per judged or blocked pairing (`p:<exact key>`),
 * expiring with the entry; and one hash of audit counts per (tenant, namespace) (`{prefix}hv:audits`, fields
 * `a:<scope>` and `f:<scope>`, the scope being the JSON array `[tenant, namespace]`), kept for good so that the wrong-hit bound survives restarts and is shared by replicas;
 * and, per (tenant, namespace), the judge's verdicts per similarity band (`{prefix}hvb:{tenant}:<namespace>`, fields
 * `j:<band>` and `w:<band>`, kept for good): the namespace-wide state that decides where unverified semantic hits
 * may be served, the same on every replica.
 */
export class RedisHitVerdicts implements HitVerdicts {
  private readonly keyPrefix: string;
  private ownsConnection = false;

  constructor(
    private readonly connection: RedisConnection,
    options: RedisHitVerdictsOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'strata:';
  }

  static open(options: RedisConnectionOptions & RedisHitVerdictsOptions): RedisHitVerdicts {
    const verdicts = new RedisHitVerdicts(RedisConnection.open(options), options);
    verdicts.ownsConnection = true;
    return verdicts;
  }

  async read(tenant: string, queryKey: string, entries: readonly VerdictSubject[]): Promise<Map<string, VerdictState>> {
    const rows = await Promise.all(
      entries.map((entry) =>
        this.connection.run((client) =>
          client.hmGet(this.key(tenant, entry.id), ['at', 'w', 'r', 'x', `p:${queryKey}`]),
        ),
      ),
    );
    const states = new Map<string, VerdictState>();
    entries.forEach((entry, i) => {
      const [at, w, r, x, pair] = rows[i] ?? [];
      if (at !== String(entry.createdAt)) return;
      const trust: EntryTrust = { wrong: Number(w ?? 0), right: Number(r ?? 0), raise: Number(x ?? 0) };
      states.set(entry.id, pair && VERDICTS.has(pair) ? { pair: pair as PairVerdict, trust } : { trust });
    });
    return states;
  }

  async setPair(tenant: string, queryKey: string, entry: VerdictSubject, verdict: PairVerdict): Promise<void> {
    await this.connection.script(
      SET_PAIR,
      [this.key(tenant, entry.id)],
      [String(entry.createdAt), `p:${queryKey}`, verdict, String(Math.ceil(entry.expiresAt))],
    );
  }

  async adjust(tenant: string, entry: VerdictSubject, change: TrustChange): Promise<EntryTrust> {
    const reply = (await this.connection.script(
      ADJUST,
      [this.key(tenant, entry.id)],
      [
        String(entry.createdAt),
        String(change.wrong ?? 0),
        String(change.right ?? 0),
        String(change.raise ?? 0),
        String(change.minRaise),
        String(change.maxRaise),
        String(Math.ceil(entry.expiresAt)),
      ],
    )) as [number, number, string];
    return { wrong: Number(reply[0]), right: Number(reply[1]), raise: Number(reply[2]) };
  }

  async recordAudit(tenant: string, namespace: string, passed: boolean): Promise<AuditCounts> {
    const scope = JSON.stringify([tenant, namespace]);
    const reply = (await this.connection.script(RECORD_AUDIT, [this.auditsKey()], [scope, passed ? '0' : '1'])) as [
      number,
      number,
    ];
    return { audited: Number(reply[0]), failed: Number(reply[1]) };
  }

  async auditCounts(): Promise<NamespaceAudits[]> {
    const fields = await this.connection.run((client) => client.hGetAll(this.auditsKey()));
    const counts: NamespaceAudits[] = [];
    for (const [field, value] of Object.entries(fields)) {
      const scope = auditScopeOf(field);
      if (!scope) continue;
      counts.push({ ...scope, audited: Number(value), failed: Number(fields[`f:${field.slice(2)}`] ?? 0) });
    }
    return counts;
  }

  async recordBand(tenant: string, namespace: string, band: number, wrong: boolean): Promise<Map<number, BandCounts>> {
    const reply = (await this.connection.script(
      RECORD_BAND,
      [this.bandsKey(tenant, namespace)],
      [String(band), wrong ? '1' : '0'],
    )) as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    return bandsOf(fields);
  }

  async bandCounts(tenant: string, namespace: string): Promise<Map<number, BandCounts>> {
    return bandsOf(await this.connection.run((client) => client.hGetAll(this.bandsKey(tenant, namespace))));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  private bandsKey(tenant: string, namespace: string): string {
    return `${this.keyPrefix}hvb:${tenantSlot(tenant)}:${keyPart(namespace)}`;
  }

  private auditsKey(): string {
    return `${this.keyPrefix}hv:audits`;
  }

  private key(tenant: string, entryId: string): string {
    return `${this.keyPrefix}hv:${tenantSlot(tenant)}:${keyPart(entryId)}`;
  }
}
