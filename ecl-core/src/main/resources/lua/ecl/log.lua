-- log.lua: add counts to every interval of one group, each credited to the interval it was logged in.
-- Runs after prelude.lua (fence, aligned, fmt_secs, python_ts, rotate, count_sum, MARKER_TTL_MS).
-- KEYS[1..n]: "<group>:<interval>:cur:@ts" of each of the group's n intervals (declared for routing)
-- ARGV[1]: ID of this flush chunk (no ':'): a chunk already applied is not applied again; or, in
--          direct mode, "<instance>|<slot>|<seq>": recorded in the hash cur:@direct.<instance>
--          (field: the call slot, value: seq; io.ecl.core.CallSlots), so a call whose reply was lost can be checked before a retry.
-- ARGV[2]: flags: "r" this writer may rotate; "h" counts newer than an interval it may not rotate
--          are held (nothing is written, the reply is -3) rather than counted in the open one;
--          digits: the group's history N, for a rotation this writer does (none: 0)
-- ARGV[3..n+2]: prefix "<group>:<interval>:" of each interval
-- ARGV[n+3..2n+2]: start of each interval when the counts were logged, Unix ms
-- ARGV[2n+3..3n+2]: length of each interval, ms
-- ARGV[3n+3..4n+2]: newest start among all the counts this writer holds for the interval, Unix ms
-- ARGV[4n+3..5n+2]: start of the writer's current interval (its clock when it sent this), Unix ms
-- ARGV[5n+3..]: triples (event ID, count, "1" if auto-declared else "0"), or, for a unique count,
--   (name, its Redis HLL as hex, "u"): PFMERGEd into <section>@u.<name> and registered in
--   <section>@ureg (merging is idempotent: no count of it can be doubled); or, for value statistics,
--   (name, "field=n,field=n,...;squares;min;max", "v"): HINCRBY of each field, HINCRBYFLOAT of the
--   squares (q), min (lo) and max (hi) set when lower or higher than what the hash holds, into
--   <section>@v.<name>, registered in <section>@vreg (io.ecl.core.internal.kinds.SketchFields)
-- Per interval, with cur:@ts read first:
--   the writer holds counts newer than the open interval -> at most one rotation, to the writer's
--     current interval, so 'last' covers every boundary missed (the master is late or down), as
--     the master's own catch-up does; never when a Python master rotates the interval (its @ts is
--     not aligned) or the writer may not rotate ("r" not given)
--   S in the open interval        -> cur
--   S newer than the open one     -> held ("h", and the writer's clock is still in S's interval:
--                                    the master has not rotated yet), else cur
--   S in the interval now in last -> last (a sync that crossed the boundary)
--   S older still                 -> cur, and counted in cur:@late (visible to readers)
--   no cur:@ts yet (no master ran) -> cur, and cur:@ts is set to S
-- Returns the number of counts credited late; -1 if the chunk had been applied before; -3 if it was
-- held (nothing written, not even a marker); an error "NOTCOUNTED <n> ..." when some counters hold
-- non-integer values (all other counts are applied).
local n = #KEYS
local may_rotate = string.find(ARGV[2], 'r', 1, true) ~= nil
local may_hold = string.find(ARGV[2], 'h', 1, true) ~= nil
local history = tonumber(string.match(ARGV[2], '%d+') or '0')
local first = ARGV[3]
fence(first)
local instance, thread, seq = string.match(ARGV[1], '^([^|]+)|([^|]+)|(%d+)$')
local sync_marker = nil
if not instance and ARGV[1] ~= '' then
  sync_marker = first .. 'cur:@sync.' .. ARGV[1]
  if redis.call('EXISTS', sync_marker) == 1 then
    return -1
  end
end
local where = {}
local late = {}
for i = 1, n do
  local p = ARGV[2 + i]
  local s = tonumber(ARGV[n + 2 + i])
  local len = tonumber(ARGV[2 * n + 2 + i])
  local newest = tonumber(ARGV[3 * n + 2 + i])
  local current = tonumber(ARGV[4 * n + 2 + i])
  where[i] = p .. 'cur:'
  late[i] = false
  local ts = redis.call('GET', KEYS[i])
  local cur_start = aligned(ts, len)
  if not cur_start then
    -- No master has opened an interval yet: this writer opens the one it logged in, so the
    -- master's first rotation finds it open and does not sweep these counts into 'last'.
    redis.call('SET', KEYS[i], fmt_secs(s - (s % len)))
  else
    local python = python_ts(ts, len)
    if newest >= cur_start + len and may_rotate and not python then
      local target = math.max(current - (current % len), newest - (newest % len))
      rotate(p, target, len, {}, history)
      cur_start = target
    end
    if s >= cur_start + len then
      if may_hold and current - (current % len) == s - (s % len) then
        return -3
      end
    elseif s < cur_start then
      local last_start = cur_start - len
      if not python then
        last_start = aligned(redis.call('GET', p .. 'last:@ts'), len) or last_start
      end
      if s >= last_start then
        where[i] = p .. 'last:'
      else
        late[i] = true
      end
    end
  end
end
if instance then
  local marker = first .. 'cur:@direct.' .. instance
  redis.call('HSET', marker, thread, seq)
  redis.call('PEXPIRE', marker, MARKER_TTL_MS)
elseif sync_marker then
  redis.call('SET', sync_marker, '1', 'PX', MARKER_TTL_MS)
end
local late_total = 0
local failed = {}
local bad = nil
local scratch = first .. 'cur:@utmp'
for j = 5 * n + 3, #ARGV, 3 do
  local ev = ARGV[j]
  local count = ARGV[j + 1]
  local dynamic = ARGV[j + 2] == '1'
  if ARGV[j + 2] == 'v' then
    local incs, squares, lo, hi = string.match(count, '^([^;]*);([^;]*);([^;]*);([^;]*)$')
    for i = 1, n do
      local key = where[i] .. '@v.' .. ev
      local t = redis.call('TYPE', key)['ok']
      if t ~= 'none' and t ~= 'hash' then
        bad = key .. ': WRONGTYPE it is a ' .. t .. ', not a hash'
      else
        for field, by in string.gmatch(incs, '([^=,]+)=([^,]+)') do
          redis.call('HINCRBY', key, field, by)
        end
        if squares ~= '' then
          redis.call('HINCRBYFLOAT', key, 'q', squares)
        end
        if lo ~= '' then
          local old = redis.call('HGET', key, 'lo')
          if not old or tonumber(lo) < tonumber(old) then
            redis.call('HSET', key, 'lo', lo)
          end
        end
        if hi ~= '' then
          local old = redis.call('HGET', key, 'hi')
          if not old or tonumber(hi) > tonumber(old) then
            redis.call('HSET', key, 'hi', hi)
          end
        end
        redis.call('SADD', where[i] .. '@vreg', ev)
      end
    end
  elseif ARGV[j + 2] == 'u' then
    redis.call('SET', scratch, (count:gsub('..', function(x) return string.char(tonumber(x, 16)) end)))
    for i = 1, n do
      local r = redis.pcall('PFMERGE', where[i] .. '@u.' .. ev, scratch)
      if type(r) == 'table' and r.err then
        bad = where[i] .. '@u.' .. ev .. ': ' .. r.err
      else
        redis.call('SADD', where[i] .. '@ureg', ev)
      end
    end
    redis.call('DEL', scratch)
  else
  for i = 1, n do
    -- pcall: a key holding a non-counter value must not abort the chunk half-way
    local r = redis.pcall('INCRBY', where[i] .. ev, count)
    if type(r) == 'table' and r.err then
      failed[#failed + 1] = count
      bad = where[i] .. ev .. ': ' .. r.err
    end
    if dynamic then
      redis.pcall('SADD', where[i] .. '@reg', ev)
    end
    if late[i] then
      redis.call('INCRBY', ARGV[2 + i] .. 'cur:@late', count)
      late_total = late_total + tonumber(count)
    end
  end
  end
end
if bad then
  return redis.error_reply('NOTCOUNTED ' .. count_sum(failed) .. ' counts not stored (every other count of the call was): ' .. bad)
end
return late_total
