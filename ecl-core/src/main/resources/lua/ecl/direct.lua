-- direct.lua: one direct-mode log() (a group without local counters), the common case only: every
-- interval the count was logged in is the one open in Redis. Then the count is added to cur of each
-- interval and the call is recorded in the marker hash; otherwise (a boundary passed, the count is
-- late, no master has run yet) nothing is written and the caller runs log.lua with the same call.
-- The hot path of direct mode: a handful of redis.call and no string building beyond the keys.
-- Runs after prelude.lua (FENCE_A/B, all_open, count_sum, MARKER_TTL_MS): local definitions only.
-- KEYS[1..n]: "<group>:<interval>:cur:@ts" of each of the group's n intervals
-- ARGV[1]: the marker hash "<first interval's prefix>cur:@direct.<instance>" (as log.lua names it)
-- ARGV[2]: field of the marker: the call's slot (io.ecl.core.CallSlots); ARGV[3]: value: this call's sequence number
-- ARGV[4]: "1" to set the marker's expiry (MARKER_TTL_MS) even when the field exists, else "0"
-- ARGV[5]: event ID; ARGV[6]: count; ARGV[7]: "1" if auto-declared else "0"
-- ARGV[8..n+7]: prefix "<group>:<interval>:" of each interval
-- ARGV[n+8..2n+7]: start of each interval when the count was logged, in Unix seconds as cur:@ts
--                  holds it when ecl's master opened that interval (io.ecl.core.TsCodec.format)
-- ARGV[2n+8..3n+7]: length of each interval, ms
-- Returns 0 when applied; -2 when nothing was written (run log.lua); an error "NOTCOUNTED <n> ..."
-- when a counter holds a non-integer value (the other intervals' counts are applied).
local n = #KEYS
-- The MGET also reads the two fence keys (see the prelude's fence): the fence without a command
-- of its own.
local ts = redis.call('MGET', ARGV[8] .. FENCE_A, ARGV[8] .. FENCE_B, unpack(KEYS))
if not all_open(ts, n, n + 7, 2 * n + 7) then
  return -2
end
if redis.call('HSET', ARGV[1], ARGV[2], ARGV[3]) == 1 or ARGV[4] == '1' then
  redis.call('PEXPIRE', ARGV[1], MARKER_TTL_MS)
end
local ev = ARGV[5]
local count = ARGV[6]
local c = tonumber(count)
local dynamic = ARGV[7] == '1'
local failed = {}
local bad = nil
for i = 1, n do
  local p = ARGV[7 + i]
  -- pcall: a key holding a non-counter value must not abort the call half-way
  local r = redis.pcall('INCRBY', p .. 'cur:' .. ev, count)
  if type(r) == 'table' then
    failed[#failed + 1] = count
    bad = p .. 'cur:' .. ev .. ': ' .. r.err
  elseif dynamic and r == c then
    -- The counter was just created (rotation renames cur:@reg with the counters it lists, so a
    -- counter that exists is registered already): register it once, not on every call.
    redis.pcall('SADD', p .. 'cur:@reg', ev)
  end
end
-- bad, not a positive total: a negative count that would overflow fails too
if bad then
  return redis.error_reply('NOTCOUNTED ' .. count_sum(failed) .. ' counts not stored (every other count of the call was): ' .. bad)
end
return 0
