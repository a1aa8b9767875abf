import type Redis from 'ioredis';
import type { Result } from 'ioredis';

/**
 * Reserves a block of tokens from each of a key's rate windows, all or nothing.
 * KEYS: one counter per window (same hash tag: one key's windows share a slot).
 * ARGV: live instances, then per window: limit, wanted tokens, counter TTL (ms).
 * A window with nothing left refuses the whole call, so a rejected request takes no
 * token from the other windows. Otherwise each window grants what was wanted, capped by
 * a fair share of what remains (remaining / 2 per live instance, at least 1) and never
 * more than remains: the sum of all grants in a window never exceeds its limit.
 * Returns {0, index of each exhausted window...} (every one of them: the refusal answers
 * the one that resets last) or {1, grant1, total1, grant2, total2, ...}.
 */
const RESERVE = `
local instances = tonumber(ARGV[1])
local used = {}
local exhausted = {0}
for i = 1, #KEYS do
  used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used[i] >= tonumber(ARGV[2 + (i - 1) * 3]) then exhausted[#exhausted + 1] = i end
end
if #exhausted > 1 then return exhausted end
local out = {1}
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 3
  local remaining = tonumber(ARGV[base]) - used[i]
  local share = math.max(1, math.floor(remaining / (2 * instances)))
  local grant = math.min(tonumber(ARGV[base + 1]), share, remaining)
  local total = redis.call('INCRBY', KEYS[i], grant)
  if total == grant then redis.call('PEXPIRE', KEYS[i], ARGV[base + 2]) end
  out[#out + 1] = grant
  out[#out + 1] = total
end
return out
`;

/**
 * Reserves budget from a daily spend counter (micro-units). KEYS[1]: the counter of a key
 * or customer and day. ARGV: cap, needed (what the request waiting on it lacks), wanted
 * (needed plus a block for the requests to come), live instances, counter TTL (ms), held
 * (what the calling instance reserved and has not spent: not spend, so not held against it).
 * Nothing is granted once the counter, less held, has reached the cap. Below it, the grant
 * is the wanted amount capped by a fair share of what remains (remaining / 2 per live
 * instance) and by what remains, but never less than needed: only the request that crosses
 * the cap can take the counter past it, and after it nothing more is granted.
 * Returns {0, total} (refused) or {1, grant, total}.
 */
const RESERVE_SPEND = `
local cap = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used - tonumber(ARGV[6]) >= cap then return {0, used} end
local remaining = cap - used
local share = math.floor(remaining / (2 * tonumber(ARGV[4])))
local grant = math.max(tonumber(ARGV[2]), math.min(tonumber(ARGV[3]), share, remaining))
local total = redis.call('INCRBY', KEYS[1], grant)
if total == grant then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return {1, grant, total}
`;

/**
 * Takes a concurrency lease when fewer than the limit are held. KEYS[1]: the key's
 * sorted set of leases scored by expiry (Redis clock, ms). ARGV: limit, lease id, TTL ms.
 * Expired leases are dropped first, so a lease nobody released frees itself.
 */
const ACQUIRE_LEASE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** Releases a lease that has not expired yet. Returns 1 when it was held. */
const RELEASE_LEASE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if expiry and tonumber(expiry) > now then return 1 end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    kwReserve(keyCount: number, ...args: Array<string | number>): Result<number[], Context>;
    kwReserveSpend(key: string, capMicros: number, needed: number, wanted: number, instances: number, ttlMs: number, held: number): Result<number[], Context>;
    kwAcquireLease(key: string, limit: number, leaseId: string, ttlMs: number): Result<number, Context>;
    kwReleaseLease(key: string, leaseId: string): Result<number, Context>;
  }
}

/** Registers the scripts (EVALSHA, loaded on first use) on a connection. */
export function withPolicyScripts(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).kwReserve !== 'function') {
    redis.defineCommand('kwReserve', { lua: RESERVE });
    redis.defineCommand('kwReserveSpend', { numberOfKeys: 1, lua: RESERVE_SPEND });
    redis.defineCommand('kwAcquireLease', { numberOfKeys: 1, lua: ACQUIRE_LEASE });
    redis.defineCommand('kwReleaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
  }
  return redis;
}
