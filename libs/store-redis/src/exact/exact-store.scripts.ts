import { LuaScript } from '../connection/lua-script';
import { GENERATION_STATE } from '../generations/generations.scripts';

/*
 * Keys (prefix `p`, default `strata:`; `{T}` is the tenant's hash tag: the tenant escaped `%`→`%25`,
 * `:`→`%3A`, `{`→`%7B`, `}`→`%7D` between braces, so that no tenant/tag pair can spell another's key and
 * every key of one tenant hashes to one Redis Cluster slot):
 *   p e:{T}:{id}             hash     the entry (redis-om schema `p e`, id `{T}:{id}`), PEXPIREAT entry.expiresAt
 *   p t:{T}:{tag}            zset     ids of the tenant's entries carrying the tag, score = expiresAt
 *   p n:{T}:{namespace}      zset     ids of the tenant's entries in the namespace, score = expiresAt
 *   p namespaces:{T}         set      names of the tenant's `n:` zsets (what count() sums)
 * Index zsets expire with their longest-lived member, and memberships whose score (expiresAt) has passed
 * are trimmed whenever a put or purge touches the zset, so the index of entries that simply expired is
 * bounded and cleaned lazily. Scripts build the index keys from the entry's own fields, so every index
 * change happens in the same atomic script as the entry change; KEYS[1] is one key of the tenant's slot,
 * which routes the script to the node holding all the others. Strings arrive encoded (`encodeText`).
 */
const PRELUDE = `
local prefix = ARGV[1]
local function esc(s)
  s = string.gsub(s, '%%', '%%25')
  s = string.gsub(s, ':', '%%3A')
  s = string.gsub(s, '{', '%%7B')
  return (string.gsub(s, '}', '%%7D'))
end
local function slot(tenant) return '{' .. esc(tenant) .. '}' end
local function entryKey(tenant, id) return prefix .. 'e:' .. slot(tenant) .. ':' .. id end
local function tagKey(tenant, tag) return prefix .. 't:' .. slot(tenant) .. ':' .. tag end
local function namespaceKey(tenant, namespace) return prefix .. 'n:' .. slot(tenant) .. ':' .. namespace end
local function registry(tenant) return prefix .. 'namespaces:' .. slot(tenant) end

-- Every index key an entry with these fields is a member of.
local function indexKeys(tenant, namespace, tagsJson)
  local keys = { namespaceKey(tenant, namespace) }
  for _, tag in ipairs(cjson.decode(tagsJson)) do keys[#keys + 1] = tagKey(tenant, tag) end
  return keys
end

-- Removes an entry whose fields were read already, and all its memberships.
local function dropKnown(id, tenant, namespace, tagsJson)
  for _, k in ipairs(indexKeys(tenant, namespace, tagsJson)) do redis.call('ZREM', k, id) end
  redis.call('UNLINK', entryKey(tenant, id))
end

-- Removes the tenant's entry and all its memberships; false when there was no entry.
local function drop(tenant, id)
  local f = redis.call('HMGET', entryKey(tenant, id), 'tenant', 'namespace', 'tags')
  if not f[1] then return false end
  dropKnown(id, f[1], f[2], f[3])
  return true
end
`;

/**
 * Insert or replace one entry with its memberships.
 * ARGV: prefix, id, now, expiresAt, tenant, namespace, tags (JSON), then HSET field/value pairs.
 */
export const putScript = new LuaScript(`${PRELUDE}
local id, now, expiresAt, tenant = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if expiresAt <= now then
  drop(tenant, id)
  return 0
end
local keys = indexKeys(ARGV[5], ARGV[6], ARGV[7])
local keep = {}
for _, k in ipairs(keys) do keep[k] = true end
local key = entryKey(tenant, id)
local old = redis.call('HMGET', key, 'tenant', 'namespace', 'tags')
if old[1] then
  for _, k in ipairs(indexKeys(old[1], old[2], old[3])) do
    if not keep[k] then redis.call('ZREM', k, id) end
  end
  redis.call('UNLINK', key)
end
redis.call('HSET', key, unpack(ARGV, 8))
redis.call('PEXPIREAT', key, expiresAt)
for _, k in ipairs(keys) do
  redis.call('ZADD', k, expiresAt, id)
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  if redis.call('PEXPIRETIME', k) < expiresAt then redis.call('PEXPIREAT', k, expiresAt) end
end
redis.call('SADD', registry(tenant), keys[1])
return 1
`);

/**
 * One atomic step of a purge: examines up to `count` members of one index zset (ZSCAN from `cursor`)
 * and removes the selected entries. Returns { next cursor, entries purged (live ones only) }.
 * ARGV: prefix, now, tenant, index kind ('t' tag | 'n' namespace), tag or namespace name,
 *       namespace filter flag ('1'|'0'), namespace filter, cursor, count.
 */
export const purgeStepScript = new LuaScript(`${PRELUDE}
local now, tenant, kind, name = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local narrowed, namespace = ARGV[6] == '1', ARGV[7]
local index = kind == 't' and tagKey(tenant, name) or namespaceKey(tenant, name)

local function carries(tagsJson, tag)
  for _, t in ipairs(cjson.decode(tagsJson)) do if t == tag then return true end end
  return false
end

local scan = redis.call('ZSCAN', index, ARGV[8], 'COUNT', ARGV[9])
local members = scan[2]
local purged = 0
for i = 1, #members, 2 do
  local id = members[i]
  local f = redis.call('HMGET', entryKey(tenant, id), 'tenant', 'namespace', 'tags', 'expiresAt')
  if not f[1] then
    -- The entry expired (or vanished): its membership is an orphan.
    redis.call('ZREM', index, id)
  elseif f[1] ~= tenant or (kind == 'n' and f[2] ~= name) or (kind == 't' and not carries(f[3], name)) then
    -- A membership the entry does not have: never purge through it, drop it.
    redis.call('ZREM', index, id)
  elseif not narrowed or f[2] == namespace then
    dropKnown(id, f[1], f[2], f[3])
    if tonumber(f[4]) > now then purged = purged + 1 end
  end
end
return { scan[1], purged }
`);

/**
 * Live entries of one tenant: the sum of its namespace indexes after trimming expired memberships; empty
 * indexes leave the registry. ARGV: prefix, now, tenant.
 */
export const countScript = new LuaScript(`${PRELUDE}
local now, names = tonumber(ARGV[2]), registry(ARGV[3])
local total = 0
for _, k in ipairs(redis.call('SMEMBERS', names)) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  local n = redis.call('ZCARD', k)
  if n == 0 then redis.call('SREM', names, k) else total = total + n end
end
return total
`);

/**
 * The lookup's exact read in one atomic step (one round trip): the tenant's current generation (its ticket, what
 * `PurgeGenerations.current` answers), then the entry's hash and `PurgeGenerations.latest` of its fields — `#floor` and
 * the stamps of `n:<namespace>`, `t:<tag>` and `t:<tag>@<namespace>` for each tag, spelled as `entryGenerationFields`
 * spells them (keep the two alike). The generation state is created first when it is missing (a new epoch, as
 * `current` and `latest` create it), so the ticket and `latest` come from the same epoch, and ticket ≥ latest.
 * KEYS: the tenant's generations hash and stamp zset (`RedisPurgeGenerations.stateKeys`), the entry's hash; no ARGV.
 * Returns { ticket } when there is no entry; { ticket, latest, HGETALL of the entry } otherwise, with latest false
 * when the fields cannot be spelled here: the namespace or a tag is stored encoded (it starts with `encodeText`'s
 * marker U+0001), and `encodeText` of a whole field is not the concatenation of its encoded parts; the caller reads
 * the generations itself then. A plain part never needs encoding inside a field: a field starts with `n:` or `t:`,
 * not the marker, and its separators keep every surrogate of a part paired as it was.
 */
export const readWithGenerationsScript = new LuaScript(`${GENERATION_STATE}
state()
local ticket = redis.call('HGET', KEYS[1], '#seq')
local entry = redis.call('HGETALL', KEYS[3])
if #entry == 0 then return { ticket } end
local namespace, tags
for i = 1, #entry, 2 do
  if entry[i] == 'namespace' then namespace = entry[i + 1] elseif entry[i] == 'tags' then tags = entry[i + 1] end
end
local function plain(s) return string.byte(s, 1) ~= 1 end
if not namespace or not tags or not plain(namespace) then return { ticket, false, entry } end
local fields = { '#floor', 'n:' .. namespace }
for _, tag in ipairs(cjson.decode(tags)) do
  if not plain(tag) then return { ticket, false, entry } end
  fields[#fields + 1] = 't:' .. tag
  fields[#fields + 1] = 't:' .. tag .. '@' .. namespace
end
local latest = 0
for i = 1, #fields, 500 do
  for _, g in ipairs(redis.call('HMGET', KEYS[1], unpack(fields, i, math.min(i + 499, #fields)))) do
    if g then latest = math.max(latest, tonumber(g)) end
  end
end
return { ticket, string.format('%d', latest), entry }
`);
