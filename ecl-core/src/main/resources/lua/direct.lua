-- direct.lua: one direct-mode log() (a group without local counters), the common case only: every
-- interval the count was logged in is the one open in Redis. Then the count is added to cur of each
-- interval and the call is recorded in the marker hash; otherwise (a boundary passed, the count is
-- late, no master has run yet) nothing is written and the caller runs log.lua with the same call.
-- The hot path of direct mode: a handful of redis.call and no string building beyond the keys.
-- KEYS[1..n]: "<group>:<interval>:cur:@ts" of each of the group's n intervals
-- ARGV[1]: the marker hash "<first interval's prefix>cur:@direct.<instance>" (as log.lua names it)
-- ARGV[2]: field of the marker: the call's slot (io.ecl.core.CallSlots); ARGV[3]: value: this call's sequence number
-- ARGV[4]: "1" to set the marker's expiry (10 minutes) even when the field exists, else "0"
-- ARGV[5]: event ID; ARGV[6]: count; ARGV[7]: "1" if auto-declared else "0"
-- ARGV[8..n+7]: prefix "<group>:<interval>:" of each interval
-- ARGV[n+8..2n+7]: start of each interval when the count was logged, in Unix seconds as cur:@ts
--                  holds it when ecl's master opened that interval (io.ecl.core.Interval.formatSeconds)
-- ARGV[2n+8..3n+7]: length of each interval, ms
-- Returns 0 when applied; -2 when nothing was written (run log.lua); an error "NOTCOUNTED <n> ..."
-- when a counter holds a non-integer value (the other intervals' counts are applied).
local n = #KEYS
-- The MGET also reads two keys that never exist: while a cluster moves this group's slot to
-- another node, Redis refuses it ("non local key", ASK or TRYAGAIN inside a script) before
-- anything is written, as every script's first command does (here without a command of its own).
local ts = redis.call('MGET', ARGV[8] .. '@fence.a', ARGV[8] .. '@fence.b', unpack(KEYS))
for i = 1, n do
  local want = ARGV[n + 7 + i]
  -- Equal strings (ecl's master or writer opened the interval): no arithmetic. Otherwise compare
  -- the starts aligned to the grid, as rotation.lua's aligned() does: Python's master stores the
  -- time its rotation ran.
  if ts[i + 2] ~= want then
    local t = tonumber(ts[i + 2])
    if not t then
      return -2
    end
    local len = tonumber(ARGV[2 * n + 7 + i])
    local ms = math.floor(t * 1000 + 0.5)
    if ms - ms % len ~= math.floor(tonumber(want) * 1000 + 0.5) then
      return -2
    end
  end
end
if redis.call('HSET', ARGV[1], ARGV[2], ARGV[3]) == 1 or ARGV[4] == '1' then
  redis.call('PEXPIRE', ARGV[1], 600000)
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
  -- count_sum as in rotation.lua (not prepended to this script: the hot path defines nothing it
  -- does not need), here only when something failed.
  local function count_sum(counts)
    local hi, lo = 0, 0
    for _, s in ipairs(counts) do
      local sign, digits = string.match(s, '^([+-]?)0*(%d*)$')
      local n = #digits
      local h = n > 9 and tonumber(string.sub(digits, 1, n - 9)) or 0
      local l = tonumber(string.sub(digits, math.max(1, n - 8))) or 0
      if sign == '-' then
        h, l = -h, -l
      end
      hi, lo = hi + h, lo + l
    end
    local carry = math.floor(lo / 1e9)
    hi, lo = hi + carry, lo - carry * 1e9
    local sign = ''
    if hi < 0 then
      sign = '-'
      if lo > 0 then
        hi, lo = -hi - 1, 1e9 - lo
      else
        hi = -hi
      end
    end
    if hi == 0 then
      return sign .. string.format('%d', lo)
    end
    return sign .. string.format('%.0f', hi) .. string.format('%09d', lo)
  end
  return redis.error_reply('NOTCOUNTED ' .. count_sum(failed) .. ' counts not stored (every other count of the call was): ' .. bad)
end
return 0
