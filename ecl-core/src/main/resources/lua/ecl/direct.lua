-- direct.lua: direct-mode log() calls (a group without local counters), one or several carried
-- together (concurrent callers coalesced into one script call), the common case only: every
-- interval the calls were logged in is the one open in Redis. Then their counts, summed per event,
-- are added to cur of each interval and each call is recorded in the marker hash; otherwise (a boundary passed,
-- the counts are late, no master has run yet) nothing is written and each caller runs log.lua with
-- its own call.
-- The hot path of direct mode: a handful of redis.call and no string building beyond the keys.
-- Runs after prelude.lua (FENCE_A/B, all_open, MARKER_TTL_MS): local definitions only.
-- KEYS[1..n]: "<group>:<interval>:cur:@ts" of each of the group's n intervals
-- ARGV[1]: the marker hash "<first interval's prefix>cur:@direct.<instance>" (as log.lua names it)
-- ARGV[2]: "1" to set the marker's expiry (MARKER_TTL_MS) even when no field is new, else "0"
-- ARGV[3..n+2]: prefix "<group>:<interval>:" of each interval
-- ARGV[n+3..2n+2]: start of each interval when the counts were logged, in Unix seconds as cur:@ts
--                  holds it when ecl's master opened that interval (io.ecl.core.TsCodec.format)
-- ARGV[2n+3..3n+2]: length of each interval, ms
-- ARGV[3n+3]: k, the number of calls carried
-- ARGV[3n+4..3n+3+2k]: two per call: its slot (the marker's field, io.ecl.core.CallSlots) and its
--                      sequence number (the field's value)
-- ARGV[3n+4+2k..]: three per event: event ID, the sum of its calls' counts, "1" if auto-declared
--                  else "0" (an event may come twice, when a sum would go beyond a long)
-- Returns 0 when every count was stored; -2 when nothing was written (each caller runs log.lua);
-- else one entry per event: 0 when stored, or "<n>|<key>: <error>" when n of its intervals' counters
-- refused the count (a non-integer value, an overflow: the other intervals and events are stored),
-- from which each of its calls makes its own "NOTCOUNTED ..." error.
local n = #KEYS
-- The MGET also reads the two fence keys (see the prelude's fence): the fence without a command
-- of its own.
local ts = redis.call('MGET', ARGV[3] .. FENCE_A, ARGV[3] .. FENCE_B, unpack(KEYS))
if not all_open(ts, n, n + 2, 2 * n + 2) then
  return -2
end
local base = 3 * n + 3
local calls = tonumber(ARGV[base])
if redis.call('HSET', ARGV[1], unpack(ARGV, base + 1, base + 2 * calls)) > 0 or ARGV[2] == '1' then
  redis.call('PEXPIRE', ARGV[1], MARKER_TTL_MS)
end
local refused = nil
local events = 0
for a = base + 2 * calls + 1, #ARGV, 3 do
  events = events + 1
  local ev = ARGV[a]
  local count = ARGV[a + 1]
  local c = tonumber(count)
  local dynamic = ARGV[a + 2] == '1'
  local failed = 0
  local bad = nil
  for i = 1, n do
    local key = ARGV[2 + i] .. 'cur:' .. ev
    -- pcall: a key holding a non-counter value must not abort the call half-way
    local r = redis.pcall('INCRBY', key, count)
    if type(r) == 'table' then
      failed = failed + 1
      bad = key .. ': ' .. r.err
    elseif dynamic and r == c then
      -- The counter was just created (rotation renames cur:@reg with the counters it lists, so a
      -- counter that exists is registered already): register it once, not on every call.
      redis.pcall('SADD', ARGV[2 + i] .. 'cur:@reg', ev)
    end
  end
  if bad then
    refused = refused or {}
    refused[events] = failed .. '|' .. bad
  end
end
if not refused then
  return 0
end
local out = {}
for e = 1, events do
  out[e] = refused[e] or 0
end
return out
