-- unique.lua: one direct-mode logUnique() (a group without local counters), the common case only:
-- every interval the value was logged in is the one open in Redis. Then the value is added to the
-- unique count's HyperLogLog in cur of each interval (PFADD) and the name registered for rotation;
-- otherwise nothing is written and the caller adds the value to its local sketch, which the
-- flusher places as it places counts. PFADD of a value already counted changes nothing, so a
-- call whose reply was lost needs no marker: the caller simply adds it to its sketch too.
-- Runs after prelude.lua (FENCE_A/B, all_open): local definitions only.
-- KEYS[1..n]: "<group>:<interval>:cur:@ts" of each of the group's n intervals
-- ARGV[1]: name of the unique count (no ':'); ARGV[2]: the value
-- ARGV[3..n+2]: prefix "<group>:<interval>:" of each interval
-- ARGV[n+3..2n+2]: start of each interval when the value was logged, in Unix seconds as cur:@ts
--                  holds it when ecl's master opened that interval (io.ecl.core.internal.TsCodec)
-- ARGV[2n+3..3n+2]: length of each interval, ms
-- Returns 0 when applied; -2 when nothing was written.
local n = #KEYS
local ts = redis.call('MGET', ARGV[3] .. FENCE_A, ARGV[3] .. FENCE_B, unpack(KEYS))
if not all_open(ts, n, n + 2, 2 * n + 2) then
  return -2
end
for i = 1, n do
  local p = ARGV[2 + i]
  redis.call('PFADD', p .. 'cur:@u.' .. ARGV[1], ARGV[2])
  redis.call('SADD', p .. 'cur:@ureg', ARGV[1])
end
return 0
