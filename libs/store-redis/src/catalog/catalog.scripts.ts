import { LuaScript } from '../connection/lua-script';

/*
 * Keys (prefix `p`; `{T}` the tenant's hash tag, as in `exact-store.scripts.ts`):
 *   p ph:{T}   zset   entry id → hits
 *   p pr:{T}   zset   entry id → last hit (epoch ms)
 * and, read only, the exact store's `p namespaces:{T}` registry and its `n:`/`t:` index zsets
 * (score = the entry's expiresAt). Every key of one call is in one tenant's slot.
 */

/**
 * Adds hits. KEYS: hits zset, recent zset. ARGV: most ids kept (the least hit past it are forgotten),
 * then (id, count, lastHitAt) triples.
 */
export const recordHitsScript = new LuaScript(`
local cap = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('ZADD', KEYS[2], 'GT', ARGV[i + 2], ARGV[i])
end
local over = redis.call('ZCARD', KEYS[1]) - cap
if over > 0 then
  local least = redis.call('ZRANGE', KEYS[1], 0, over - 1)
  redis.call('ZREM', KEYS[1], unpack(least))
  redis.call('ZREM', KEYS[2], unpack(least))
end
return 1
`);

/**
 * One rank range of one popularity zset, highest first, with the other zset's score of each id.
 * KEYS: ranked zset, other zset. ARGV: offset, count. Reply: flat (id, ranked score, other score).
 */
export const rankedScript = new LuaScript(`
local start = tonumber(ARGV[1])
local members = redis.call('ZREVRANGE', KEYS[1], start, start + tonumber(ARGV[2]) - 1, 'WITHSCORES')
local out = {}
for i = 1, #members, 2 do
  out[#out + 1] = members[i]
  out[#out + 1] = members[i + 1]
  out[#out + 1] = redis.call('ZSCORE', KEYS[2], members[i]) or '0'
end
return out
`);

/** Scores of ids in both zsets. KEYS: hits zset, recent zset. ARGV: ids. Reply: flat (hits|false, last|false). */
export const popularityOfScript = new LuaScript(`
local out = {}
for i = 1, #ARGV do
  out[#out + 1] = redis.call('ZSCORE', KEYS[1], ARGV[i]) or ''
  out[#out + 1] = redis.call('ZSCORE', KEYS[2], ARGV[i]) or ''
end
return out
`);

/** KEYS: hits zset, recent zset. ARGV: ids to drop from both. */
export const forgetScript = new LuaScript(`
redis.call('ZREM', KEYS[1], unpack(ARGV))
redis.call('ZREM', KEYS[2], unpack(ARGV))
return 1
`);

/**
 * One page of entry ids, walking index zsets highest score (latest expiry) first, dropping expired
 * memberships on the way. KEYS[1]: the tenant's namespace registry (walk every namespace index in name
 * order) or one index zset. ARGV: now, 'all' | 'one', key index, offset, count.
 * Reply: { next key index, next offset, done (1|0), ids... }.
 */
export const catalogPageScript = new LuaScript(`
local now, mode = tonumber(ARGV[1]), ARGV[2]
local k, offset, need = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local keys
if mode == 'all' then
  keys = redis.call('SMEMBERS', KEYS[1])
  table.sort(keys)
else
  keys = { KEYS[1] }
end
local ids = {}
while need > 0 and k <= #keys do
  redis.call('ZREMRANGEBYSCORE', keys[k], '-inf', now)
  local got = redis.call('ZREVRANGE', keys[k], offset, offset + need - 1)
  for _, id in ipairs(got) do ids[#ids + 1] = id end
  need = need - #got
  if need > 0 then
    k = k + 1
    offset = 0
  else
    offset = offset + #got
  end
end
local done = 1
if k <= #keys then
  if offset < redis.call('ZCARD', keys[k]) or k < #keys then done = 0 end
end
local out = { k, offset, done }
for _, id in ipairs(ids) do out[#out + 1] = id end
return out
`);

/** Live entries per namespace index. KEYS[1]: the namespace registry. ARGV: now. Reply: flat (index key, count). */
export const namespaceCountsScript = new LuaScript(`
local now = tonumber(ARGV[1])
local out = {}
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  local n = redis.call('ZCARD', k)
  if n > 0 then
    out[#out + 1] = k
    out[#out + 1] = n
  end
end
return out
`);
