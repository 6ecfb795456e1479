-- direct.lua: direct-mode log() calls (a group without local counters), one or several carried
-- together (concurrent callers coalesced into one script call), the common case only: every
-- interval the calls were logged in is the one open in Redis. Then each call's count is added to
-- cur of each interval and each call is recorded in the marker hash; otherwise (a boundary passed,
-- the counts are late, no master has run yet) nothing is written and each caller runs log.lua with
-- its own call.
-- The hot path of direct mode: a handful of redis.call and no string building beyond the keys.
-- Runs after prelude.lua (FENCE_A/B, all_open, count_sum, MARKER_TTL_MS): local definitions only.
-- KEYS[1..n]: "<group>:<interval>:cur:@ts" of each of the group's n intervals
-- ARGV[1]: the marker hash "<first interval's prefix>cur:@direct.<instance>" (as log.lua names it)
-- ARGV[2]: "1" to set the marker's expiry (MARKER_TTL_MS) even when no field is new, else "0"
-- ARGV[3..n+2]: prefix "<group>:<interval>:" of each interval
-- ARGV[n+3..2n+2]: start of each interval when the counts were logged, in Unix seconds as cur:@ts
--                  holds it when ecl's master opened that interval (io.ecl.core.TsCodec.format)
-- ARGV[2n+3..3n+2]: length of each interval, ms
-- ARGV[3n+3..]: five per call: its slot (the marker's field, io.ecl.core.CallSlots), its sequence
--               number (the field's value), event ID, count, "1" if auto-declared else "0"
-- Returns 0 when every call was applied; -2 when nothing was written (run log.lua); else one entry
-- per call: 0 when applied, or the text "NOTCOUNTED <n> ..." when a counter of the call holds a
-- non-integer value (the call's other intervals and every other call are applied).
local n = #KEYS
-- The MGET also reads the two fence keys (see the prelude's fence): the fence without a command
-- of its own.
local ts = redis.call('MGET', ARGV[3] .. FENCE_A, ARGV[3] .. FENCE_B, unpack(KEYS))
if not all_open(ts, n, n + 2, 2 * n + 2) then
  return -2
end
local base = 3 * n + 2
local calls = (#ARGV - base) / 5
local added
if calls == 1 then
  added = redis.call('HSET', ARGV[1], ARGV[base + 1], ARGV[base + 2])
else
  local fields = {}
  for k = 0, calls - 1 do
    fields[2 * k + 1] = ARGV[base + 5 * k + 1]
    fields[2 * k + 2] = ARGV[base + 5 * k + 2]
  end
  added = redis.call('HSET', ARGV[1], unpack(fields))
end
if added > 0 or ARGV[2] == '1' then
  redis.call('PEXPIRE', ARGV[1], MARKER_TTL_MS)
end
local refused = nil
for k = 0, calls - 1 do
  local a = base + 5 * k
  local ev = ARGV[a + 3]
  local count = ARGV[a + 4]
  local c = tonumber(count)
  local dynamic = ARGV[a + 5] == '1'
  local failed = nil
  local bad = nil
  for i = 1, n do
    local key = ARGV[2 + i] .. 'cur:' .. ev
    -- pcall: a key holding a non-counter value must not abort the call half-way
    local r = redis.pcall('INCRBY', key, count)
    if type(r) == 'table' then
      failed = failed or {}
      failed[#failed + 1] = count
      bad = key .. ': ' .. r.err
    elseif dynamic and r == c then
      -- The counter was just created (rotation renames cur:@reg with the counters it lists, so a
      -- counter that exists is registered already): register it once, not on every call.
      redis.pcall('SADD', ARGV[2 + i] .. 'cur:@reg', ev)
    end
  end
  -- bad, not a positive total: a negative count that would overflow fails too
  if bad then
    refused = refused or {}
    refused[k + 1] = 'NOTCOUNTED ' .. count_sum(failed) .. ' counts not stored (every other count of the call was): ' .. bad
  end
end
if not refused then
  return 0
end
local out = {}
for k = 1, calls do
  out[k] = refused[k] or 0
end
return out
