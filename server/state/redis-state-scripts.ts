/**
 * The Lua scripts behind RedisStateBackend (D34, D36, D64). Every script but SAVE gets the same
 * three keys, all under the tenant's hash tag (one Redis Cluster slot); SAVE gets the last two,
 * then every state it saves:
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

/**
 * Shared by the scripts: Redis time, the sweep, and the accounting of one state in the tenant's
 * byte counts (`bytes`) and expiries (`expiries`), which are KEYS[2] and KEYS[3] except in SAVE.
 */
function prelude(bytes = 'KEYS[2]', expiries = 'KEYS[3]'): string {
  return `
local BYTES, EXPIRIES = ${bytes}, ${expiries}
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local function counted(member) return tonumber(redis.call('HGET', BYTES, member)) or 0 end
local function total() return tonumber(redis.call('HGET', BYTES, '${TOTAL}')) or 0 end
local function sweep()
  local gone = redis.call('ZRANGEBYSCORE', EXPIRIES, '-inf', now, 'LIMIT', 0, ${SWEEP_LIMIT})
  if #gone == 0 then return end
  local freed = 0
  for _, member in ipairs(gone) do freed = freed + counted(member) end
  redis.call('HDEL', BYTES, unpack(gone))
  redis.call('ZREM', EXPIRIES, unpack(gone))
  redis.call('HINCRBY', BYTES, '${TOTAL}', -freed)
end
local function fits(member, bytes, budget)
  local grows = bytes - counted(member)
  return grows <= 0 or total() + grows <= budget
end
-- The accounting keys live as long as the longest-lived state: usageTtl is the full state TTL.
local function account(member, bytes, ttl, usageTtl)
  redis.call('HINCRBY', BYTES, '${TOTAL}', bytes - counted(member))
  redis.call('HSET', BYTES, member, bytes)
  redis.call('ZADD', EXPIRIES, now + ttl, member)
  redis.call('PEXPIRE', BYTES, usageTtl)
  redis.call('PEXPIRE', EXPIRIES, usageTtl)
end
sweep()
`;
}

const PRELUDE = prelude();

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
 * Saves of one tenant's states, in order, each a compare-and-set on its owner: refused when
 * another join claimed the instance since. An absent state (expired, or lost by Redis) is written
 * again by its owner. KEYS: the tenant's byte counts, its expiries, then each saved state. ARGV:
 * ttlMs, usageTtlMs, then a JSON array with one `[member, value, owner, budget, refresh]` per
 * state (one argument: a command of a few arguments costs Node and Redis far less to encode and
 * decode than one of hundreds). → one integer per state, a flat array (cheaper to decode than
 * nested ones): 1 stored | 0 taken over | -1 - total (over budget; the tenant's total, negated)
 *
 * Every event's save runs through here, so each does no more than it must (D64): the owner is
 * read with one HGET (a key of another type — a plain string from before owners existed — makes
 * it fail, and is replaced); the counted bytes are written only when they change; and the TTL —
 * with the expiry recorded for the sweep, the costliest part — is refreshed only when a third of
 * it has passed since it last was, or when the caller asks (`refresh`: a socket closing, whose
 * state must then live the full TTL). A live view's refresh (KEEP, every third of the TTL) and
 * these keep every live state from expiring, as before.
 */
const SAVE = `${prelude('KEYS[1]', 'KEYS[2]')}
local ttl = tonumber(ARGV[1])
local stale = ttl - ttl / 3
local refreshed = false
local results = {}
for i, save in ipairs(cjson.decode(ARGV[3])) do
  local key, member, value, owner = KEYS[i + 2], save[1], save[2], save[3]
  local current = redis.pcall('HGET', key, 'o')
  if type(current) == 'table' and current.err then
    redis.call('DEL', key)
    current = false
  end
  if current and current ~= owner then
    results[i] = 0
  else
    local bytes = #value + ${REDIS_ENTRY_OVERHEAD}
    local grows = bytes - counted(member)
    if grows > 0 and total() + grows > save[4] then
      results[i] = -1 - total()
    else
      redis.call('HSET', key, 's', value, 'o', owner)
      if grows ~= 0 then
        redis.call('HINCRBY', BYTES, '${TOTAL}', grows)
        redis.call('HSET', BYTES, member, bytes)
      end
      if save[5] == 1 or redis.call('PTTL', key) < stale then
        redis.call('PEXPIRE', key, ttl)
        redis.call('ZADD', EXPIRIES, now + ttl, member)
        refreshed = true
      end
      results[i] = 1
    end
  end
end
if refreshed then
  redis.call('PEXPIRE', BYTES, ARGV[2])
  redis.call('PEXPIRE', EXPIRIES, ARGV[2])
end
return results`;

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
