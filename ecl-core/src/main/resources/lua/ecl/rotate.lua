-- rotate.lua: rotate one (group, interval) at a boundary, atomically and at most once per boundary.
-- Runs after prelude.lua (fence, aligned, rotate).
-- KEYS[1]: "<group>:<interval>:cur:@ts" (declared for routing; the other keys share its prefix)
-- ARGV[1]: prefix "<group>:<interval>:"
-- ARGV[2]: start of the interval to open, Unix ms (an aligned boundary)
-- ARGV[3]: interval length, ms
-- ARGV[4]: the group's history N: closed intervals kept in <prefix>@hist (0: none; see close_interval)
-- ARGV[5..]: auto-declared event IDs found by SCAN (only for counters written by Python clients)
-- Returns {1, start of the closed interval in ms or -1 if unknown}, or {0, current start in ms}
-- when an interval at or after ARGV[2] is already open (another master, or a writer, got there first).
fence(ARGV[1])
local extra = {}
for i = 5, #ARGV do
  extra[#extra + 1] = ARGV[i]
end
local len = tonumber(ARGV[3])
local closed = rotate(ARGV[1], tonumber(ARGV[2]), len, extra, tonumber(ARGV[4]))
if closed then
  return {1, closed}
end
return {0, aligned(redis.call('GET', KEYS[1]), len)}
