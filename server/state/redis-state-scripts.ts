/**
 * The Lua scripts behind RedisStateBackend (D34, D36). Every script gets the same three keys, all
 * under the tenant's hash tag (one Redis Cluster slot):
 *
 * 1. the state: a hash of `s` (the state's JSON) and `o` (the token of the join that owns it);
 * 2. the tenant's byte counts: a hash of state key → bytes counted, and `~total`, their sum;
 * 3. the tenant's expiries: a sorted set of state key → when that state expires (Redis time, ms).
 *
 * A state is counted as its JSON's UTF-8 bytes plus {@link REDIS_ENTRY_OVERHEAD}. Keys expire by
 * themselves, which no counter hears of: each script first sweeps up to 64 counted states whose
 * recorded expiry has passed, so the total never undercounts Livery's own writes and catches up
 * on expired ones as the tenant keeps writing (a state gone early — deleted by hand, evicted —
 * stays counted until its recorded expiry, never longer). Scripts are atomic, so the owner check,
 * the budget check and the write cannot interleave with another process's.
 */
import { LuaScript } from '../redis/index.ts';

/**
 * What a state costs Redis besides its JSON: its key and expiry, the owner token, its two
 * accounting entries. Measured on Redis 7.0 (`used_memory` over 5,000 states: about 460 bytes),
 * rounded up, so the budget bounds Redis's memory and not only the JSON.
 */
export const REDIS_ENTRY_OVERHEAD = 512;

const TOTAL = '~total';
const SWEEP_LIMIT = 64;

/** Shared by the scripts: Redis time, the sweep, and the accounting of one state (KEYS[2], KEYS[3]). */
const PRELUDE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local function counted(member) return tonumber(redis.call('HGET', KEYS[2], member)) or 0 end
local function total() return tonumber(redis.call('HGET', KEYS[2], '${TOTAL}')) or 0 end
local function sweep()
  local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, ${SWEEP_LIMIT})
  if #gone == 0 then return end
  local freed = 0
  for _, member in ipairs(gone) do freed = freed + counted(member) end
  redis.call('HDEL', KEYS[2], unpack(gone))
  redis.call('ZREM', KEYS[3], unpack(gone))
  redis.call('HINCRBY', KEYS[2], '${TOTAL}', -freed)
end
local function fits(member, bytes, budget)
  local grows = bytes - counted(member)
  return grows <= 0 or total() + grows <= budget
end
-- The accounting keys live as long as the longest-lived state: usageTtl is the full state TTL.
local function account(member, bytes, ttl, usageTtl)
  redis.call('HINCRBY', KEYS[2], '${TOTAL}', bytes - counted(member))
  redis.call('HSET', KEYS[2], member, bytes)
  redis.call('ZADD', KEYS[3], now + ttl, member)
  redis.call('PEXPIRE', KEYS[2], usageTtl)
  redis.call('PEXPIRE', KEYS[3], usageTtl)
end
sweep()
`;

/** ARGV member, value, ttlMs, usageTtlMs, budget. A first paint's state, owned by nobody yet. → {1} | {-1, total} */
const PUT = `${PRELUDE}
local bytes = #ARGV[2] + ${REDIS_ENTRY_OVERHEAD}
if not fits(ARGV[1], bytes, tonumber(ARGV[5])) then return {-1, total()} end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
account(ARGV[1], bytes, tonumber(ARGV[3]), ARGV[4])
return {1}`;

/**
 * ARGV member, owner, ttlMs, usageTtlMs. A join takes the instance: the owner token is replaced
 * (so every earlier owner's save is refused from now on) and the stored state returned, with the
 * token it displaced. A string value is a state written before owners existed: adopted.
 * → {state | nil, previous owner | nil}
 */
const CLAIM = `${PRELUDE}
local value, previous = false, false
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'hash' then
  value = redis.call('HGET', KEYS[1], 's')
  previous = redis.call('HGET', KEYS[1], 'o')
elseif kind == 'string' then
  value = redis.call('GET', KEYS[1])
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 's', value)
end
redis.call('HSET', KEYS[1], 'o', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
account(ARGV[1], (value and #value or 0) + ${REDIS_ENTRY_OVERHEAD}, tonumber(ARGV[3]), ARGV[4])
return {value, previous}`;

/**
 * ARGV member, value, owner, ttlMs, usageTtlMs, budget. Compare-and-set on the owner: refused
 * when another join claimed the instance since. An absent state (expired, or lost by Redis) is
 * written again by its owner. → {1} | {0} (taken over) | {-1, total} (over budget)
 *
 * Every event's save runs this, so it does no more than it must (D64): the owner is read with
 * one HGET (a key of another type — a plain string from before owners existed — makes it fail,
 * and is replaced), the state's counted bytes are read once and written only when they change.
 */
const SAVE = `${PRELUDE}
local current = redis.pcall('HGET', KEYS[1], 'o')
if type(current) == 'table' and current.err then
  redis.call('DEL', KEYS[1])
elseif current and current ~= ARGV[3] then
  return {0}
end
local bytes = #ARGV[2] + ${REDIS_ENTRY_OVERHEAD}
local grows = bytes - counted(ARGV[1])
if grows > 0 and total() + grows > tonumber(ARGV[6]) then return {-1, total()} end
redis.call('HSET', KEYS[1], 's', ARGV[2], 'o', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if grows ~= 0 then
  redis.call('HINCRBY', KEYS[2], '${TOTAL}', grows)
  redis.call('HSET', KEYS[2], ARGV[1], bytes)
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return {1}`;

/**
 * ARGV member, owner, ttlMs, usageTtlMs. A live owner's periodic refresh: its state never expires
 * while it is live, and a copy another join took over learns it here. → 1 kept | 0 absent | -1 taken
 */
const KEEP = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'o')
if current and current ~= ARGV[2] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[3], 'XX', now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1`;

/** ARGV member, ttlMs, usageTtlMs. The stored state (refreshing its TTL), or nil. */
const GET = `${PRELUDE}
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return false end
local value
if kind == 'hash' then value = redis.call('HGET', KEYS[1], 's') else value = redis.call('GET', KEYS[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[3], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return value`;

/** ARGV member. Deletes the state and its accounting. */
const DELETE = `${PRELUDE}
redis.call('DEL', KEYS[1])
local bytes = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if bytes then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HINCRBY', KEYS[2], '${TOTAL}', -bytes)
end
return 1`;

export const stateScripts = {
  put: new LuaScript(PUT),
  claim: new LuaScript(CLAIM),
  save: new LuaScript(SAVE),
  keep: new LuaScript(KEEP),
  get: new LuaScript(GET),
  delete: new LuaScript(DELETE),
};

/** The field of the bytes hash holding the tenant's total. */
export const USAGE_TOTAL = TOTAL;
