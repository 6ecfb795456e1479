-- check.lua: the keys of one (group, interval) that hold another type than ecl keeps there, for
-- an error message that names them (run only after a command failed with WRONGTYPE).
-- Runs after prelude.lua (uses none of it: it runs only after a command failed).
-- KEYS[1]: "<group>:<interval>:cur:@ts" (declared for routing; the other keys share its prefix)
-- ARGV[1]: prefix "<group>:<interval>:"
-- ARGV[2..]: the declared events
-- Returns a flat list: key, its type, the type ecl keeps there; ...
local p = ARGV[1]
local bad = {}
local function expect(key, want)
  local t = redis.call('TYPE', key)['ok']
  if t == 'none' then
    return false
  end
  if t ~= want then
    bad[#bad + 1] = key
    bad[#bad + 1] = t
    bad[#bad + 1] = want
    return false
  end
  return true
end
local events = {}
for i = 2, #ARGV do
  events[#events + 1] = ARGV[i]
end
for _, name in ipairs({'cur:@declared', 'cur:@reg', 'last:@reg'}) do
  if expect(p .. name, 'set') then
    for _, ev in ipairs(redis.call('SMEMBERS', p .. name)) do
      events[#events + 1] = ev
    end
  end
end
for _, name in ipairs({'cur:@ts', 'last:@ts', 'last:@end', 'cur:@late', 'last:@late'}) do
  expect(p .. name, 'string')
end
expect(p .. '@hist', 'list')
expect(p .. '@total', 'hash')
local seen = {}
for _, ev in ipairs(events) do
  if not seen[ev] then
    seen[ev] = true
    expect(p .. 'cur:' .. ev, 'string')
    expect(p .. 'last:' .. ev, 'string')
  end
end
return bad
