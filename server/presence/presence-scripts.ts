/**
 * The Lua scripts behind RedisPresence. Per topic, two keys share the topic's hash tag:
 * `<topic>:seen`, a sorted set of entry id → last heartbeat (Redis server time, in ms, so
 * process clocks never matter), and `<topic>:metas`, a hash of entry id → `{"k":key,"m":meta,"t":joinedAt}`.
 *
 * Each script is atomic, which is what makes every leave announced exactly once: an entry is
 * removed by exactly one ZREM, and only the caller whose script removed it announces it.
 */
import { LuaScript } from '../redis/index.ts';

const NOW = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

/** KEYS seen, metas. ARGV ttlMs, then id, json pairs. Adds entries as seen now. */
const TRACK = `${NOW}
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], now, ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1`;

/** KEYS seen, metas. ARGV id. Returns 1 if this call removed the entry (and must announce it). */
const UNTRACK = `local n = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return n`;

/**
 * KEYS seen, metas. ARGV ttlMs, staleMs, limit, then this process's ids on the topic.
 * Refreshes those ids (returning the ones no longer there: swept or lost in a Redis restart),
 * then removes up to `limit` entries not refreshed for `staleMs`, returning their metas.
 */
const BEAT = `${NOW}
local missing = {}
for i = 4, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now, ARGV[i])
  else
    missing[#missing + 1] = ARGV[i]
  end
end
if #ARGV > 3 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]), 'LIMIT', 0, tonumber(ARGV[3]))
local swept = {}
for _, id in ipairs(stale) do
  redis.call('ZREM', KEYS[1], id)
  local meta = redis.call('HGET', KEYS[2], id)
  if meta then swept[#swept + 1] = meta end
  redis.call('HDEL', KEYS[2], id)
end
return {missing, swept}`;

/** KEYS seen, metas. ARGV staleMs. The metas of entries refreshed within `staleMs`. */
const LIST = `${NOW}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
local metas = {}
for _, id in ipairs(ids) do
  local meta = redis.call('HGET', KEYS[2], id)
  if meta then metas[#metas + 1] = meta end
end
return metas`;

export const scripts = {
  track: new LuaScript(TRACK),
  untrack: new LuaScript(UNTRACK),
  beat: new LuaScript(BEAT),
  list: new LuaScript(LIST),
};

export { presenceKeys } from '../keys.ts';
