-- adopt.lua: counters of auto-declared events that the Python version's clients wrote without a
-- registry, found in cur by the master's probe right after it rotated this (group, interval): the
-- rotation could not know them, so they are moved now to last, where it would have put them, and
-- registered there (the next rotation clears them; readers show them).
-- Runs after prelude.lua (fence).
-- KEYS[1]: "<group>:<interval>:cur:@ts" (declared for routing; the other keys share its prefix)
-- ARGV[1]: prefix "<group>:<interval>:"; ARGV[2..]: the event IDs found
-- Returns how many counters were moved.
local p = ARGV[1]
fence(p)
local moved = 0
for i = 2, #ARGV do
  local ev = ARGV[i]
  if redis.call('EXISTS', p .. 'cur:' .. ev) == 1 then
    redis.call('RENAME', p .. 'cur:' .. ev, p .. 'last:' .. ev)
    redis.call('SADD', p .. 'last:@reg', ev)
    moved = moved + 1
  end
end
return moved
