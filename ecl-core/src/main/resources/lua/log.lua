-- log.lua: add counts to every interval of one group, each credited to the interval it was logged in.
-- KEYS[1..n]: "<group>:<interval>:cur:@ts" of each of the group's n intervals (declared for routing)
-- ARGV[1]: ID of this flush chunk (no ':'): a chunk already applied is not applied again; or, in
--          direct mode, "<instance>|<thread>|<seq>": recorded in the hash cur:@direct.<instance>
--          (field thread = seq), so a call whose reply was lost can be checked before a retry.
-- ARGV[2..n+1]: prefix "<group>:<interval>:" of each interval
-- ARGV[n+2..2n+1]: start of each interval when the counts were logged, Unix ms
-- ARGV[2n+2..3n+1]: length of each interval, ms
-- ARGV[3n+2..]: triples (event ID, count, "1" if auto-declared else "0")
-- Per interval, the start S carried by the counts is compared with cur:@ts:
--   S in the open interval        -> cur
--   S newer than the open one     -> rotate first (the master is late or down), then cur
--   S in the interval now in last -> last (a sync that crossed the boundary)
--   S older still                 -> cur, and counted in cur:@late (visible to readers)
--   no cur:@ts yet (no master ran) -> cur, and cur:@ts is set to S
-- Returns the number of counts credited late, or -1 if the chunk had been applied before; an error
-- "NOTCOUNTED <n> ..." when some counters hold non-integer values (all other counts are applied).
local n = #KEYS
local first = ARGV[2]
-- Refused ("non local key", before anything is written) while a cluster moves this group's slot to
-- another node: two keys that never exist make Redis answer ASK or TRYAGAIN inside the script.
redis.call('EXISTS', first .. '@fence.a', first .. '@fence.b')
local instance, thread, seq = string.match(ARGV[1], '^([^|]+)|([^|]+)|(%d+)$')
if instance then
  local marker = first .. 'cur:@direct.' .. instance
  redis.call('HSET', marker, thread, seq)
  redis.call('PEXPIRE', marker, 600000)
elseif ARGV[1] ~= '' then
  if not redis.call('SET', first .. 'cur:@sync.' .. ARGV[1], '1', 'NX', 'PX', 600000) then
    return -1
  end
end
local where = {}
local late = {}
for i = 1, n do
  local p = ARGV[1 + i]
  local s = tonumber(ARGV[n + 1 + i])
  local len = tonumber(ARGV[2 * n + 1 + i])
  where[i] = p .. 'cur:'
  late[i] = false
  local cur_start = aligned(redis.call('GET', KEYS[i]), len)
  if not cur_start then
    -- No master has opened an interval yet: this writer opens the one it logged in, so the
    -- master's first rotation finds it open and does not sweep these counts into 'last'.
    redis.call('SET', KEYS[i], fmt_secs(s - (s % len)))
  else
    if s >= cur_start + len then
      rotate(p, s - (s % len), len, {})
    elseif s < cur_start then
      local last_start = aligned(redis.call('GET', p .. 'last:@ts'), len) or (cur_start - len)
      if s >= last_start then
        where[i] = p .. 'last:'
      else
        late[i] = true
      end
    end
  end
end
local late_total = 0
local failed = {}
local bad = nil
for j = 3 * n + 2, #ARGV, 3 do
  local ev = ARGV[j]
  local count = ARGV[j + 1]
  local dynamic = ARGV[j + 2] == '1'
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
      redis.call('INCRBY', ARGV[1 + i] .. 'cur:@late', count)
      late_total = late_total + tonumber(count)
    end
  end
end
if bad then
  return redis.error_reply('NOTCOUNTED ' .. count_sum(failed) .. ' counts not stored (every other count of the call was): ' .. bad)
end
return late_total
