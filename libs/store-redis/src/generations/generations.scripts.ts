import { LuaScript } from '../connection/lua-script';

/*
 * KEYS[1] = the tenant's generations hash (`#seq`, `#floor`, one field per purged tag/namespace),
 * KEYS[2] = when each field was stamped (zset, score = ms). Both carry the tenant's hash tag (one slot).
 * A missing hash is a new epoch: `#seq` and `#floor` start at the server's clock in microseconds, above
 * every generation the lost state handed out (see `PurgeGenerations`).
 */
export const GENERATION_STATE = `
local function state()
  if redis.call('HEXISTS', KEYS[1], '#seq') == 1 then return end
  local t = redis.call('TIME')
  local start = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('HSET', KEYS[1], '#seq', start, '#floor', start)
  redis.call('DEL', KEYS[2])
end
`;

/** ARGV: fields. Returns { #seq, #floor, generation of each field (or false) }. */
export const readScript = new LuaScript(`${GENERATION_STATE}
state()
return redis.call('HMGET', KEYS[1], '#seq', '#floor', unpack(ARGV))
`);

/**
 * Advances the sequence and stamps it on every field, then forgets fields stamped longer ago than the
 * retention and the oldest fields past the cap, folding each forgotten generation into `#floor`.
 * ARGV = now (ms), retention ms (0: forever), max fields, fields…
 */
export const advanceScript = new LuaScript(`${GENERATION_STATE}
state()
local generation = redis.call('HINCRBY', KEYS[1], '#seq', 1)
local now, retain, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV do
  redis.call('HSET', KEYS[1], ARGV[i], generation)
  redis.call('ZADD', KEYS[2], now, ARGV[i])
end
local floor = tonumber(redis.call('HGET', KEYS[1], '#floor'))
local function forget(old)
  for i = 1, #old, 500 do
    local chunk = { unpack(old, i, math.min(i + 499, #old)) }
    for _, g in ipairs(redis.call('HMGET', KEYS[1], unpack(chunk))) do
      if g then floor = math.max(floor, tonumber(g)) end
    end
    redis.call('HDEL', KEYS[1], unpack(chunk))
    redis.call('ZREM', KEYS[2], unpack(chunk))
  end
end
if retain > 0 then forget(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - retain, 'LIMIT', 0, 1000)) end
local over = redis.call('ZCARD', KEYS[2]) - cap
if over > 0 then forget(redis.call('ZRANGE', KEYS[2], 0, over - 1)) end
redis.call('HSET', KEYS[1], '#floor', string.format('%d', floor))
return generation
`);
