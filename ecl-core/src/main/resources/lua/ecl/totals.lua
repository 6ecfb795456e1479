-- totals.lua: the totals of one (group, interval), in one round trip: every count since the totals
-- were reset is in exactly one of <prefix>@total (the intervals retired, added by the prelude's
-- retire_last), last and cur, read together so that no rotation falls between them; or their reset.
-- Runs after prelude.lua (fence, count_sum).
-- KEYS[1]: "<group>:<interval>:cur:@ts" (declared for routing; the other keys share its prefix)
-- ARGV[1]: prefix "<group>:<interval>:"
-- ARGV[2]: "read", or "reset": @total becomes minus what last and cur hold now, so that every total
--          is 0 at this instant and counts from there
-- ARGV[3..]: the declared events
-- Returns, for "read", {HGETALL of @total, events, their last counters, their cur counters (false
-- where none)}, the events being the declared ones, those of cur:@reg and last:@reg and those of
-- @total, each once; for "reset", the number of events whose total was set.
local p = ARGV[1]
fence(p)
local totals = redis.call('HGETALL', p .. '@total')
local events, seen = {}, {}
local function add(ev)
  if not seen[ev] then
    seen[ev] = true
    events[#events + 1] = ev
  end
end
for i = 3, #ARGV do
  add(ARGV[i])
end
for _, set in ipairs({'cur:@reg', 'last:@reg'}) do
  for _, ev in ipairs(redis.call('SMEMBERS', p .. set)) do
    add(ev)
  end
end
for j = 1, #totals, 2 do
  add(totals[j])
end
-- The counters of one section for every event, by MGETs of 1,000 keys (unpack's limit).
local function section(name)
  local out, batch = {}, {}
  for i, ev in ipairs(events) do
    batch[#batch + 1] = p .. name .. ev
    if #batch == 1000 or i == #events then
      for _, v in ipairs(redis.call('MGET', unpack(batch))) do
        out[#out + 1] = v
      end
      batch = {}
    end
  end
  return out
end
local last = section('last:')
local cur = section('cur:')
if ARGV[2] ~= 'reset' then
  return {totals, events, last, cur}
end
redis.call('DEL', p .. '@total')
local set = 0
for i, ev in ipairs(events) do
  local now = {}
  for _, v in ipairs({last[i], cur[i]}) do
    -- a counter that is not an integer is no count (the reader reports it)
    if v and string.find(v, '^%-?%d+$') then
      now[#now + 1] = v
    end
  end
  local sum = count_sum(now)
  if sum ~= '0' then
    redis.call('HSET', p .. '@total', ev, string.sub(sum, 1, 1) == '-' and string.sub(sum, 2) or '-' .. sum)
    set = set + 1
  end
end
return set
