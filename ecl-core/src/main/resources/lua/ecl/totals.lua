-- totals.lua: the counts of one (group, interval) since its totals were last reset, in one round
-- trip: <prefix>@total (every closed interval, added by the prelude's close_interval) and cur,
-- read together so that no rotation can fall between the two.
-- Runs after prelude.lua (fence).
-- KEYS[1]: "<group>:<interval>:cur:@ts" (declared for routing; the other keys share its prefix)
-- ARGV[1]: prefix "<group>:<interval>:"
-- ARGV[2..]: the declared events
-- Returns {HGETALL of @total, events, their cur counters (false where none)}; events are the
-- declared ones, those of cur:@reg and those of @total, each once.
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
for i = 2, #ARGV do
  add(ARGV[i])
end
for _, ev in ipairs(redis.call('SMEMBERS', p .. 'cur:@reg')) do
  add(ev)
end
for j = 1, #totals, 2 do
  add(totals[j])
end
local cur = {}
local batch = {}
for i, ev in ipairs(events) do
  batch[#batch + 1] = p .. 'cur:' .. ev
  if #batch == 1000 or i == #events then
    for _, v in ipairs(redis.call('MGET', unpack(batch))) do
      cur[#cur + 1] = v
    end
    batch = {}
  end
end
return {totals, events, cur}
