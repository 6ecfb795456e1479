-- read.lua: everything a reader needs about one (group, interval), in one round trip.
-- Runs after prelude.lua (fence).
-- KEYS[1]: "<group>:<interval>:cur:@ts" (declared for routing; the other keys share its prefix)
-- ARGV[1]: prefix "<group>:<interval>:"
-- ARGV[2]: the most registry members read here (20,000 by default; CounterReader.Paging)
-- ARGV[3..]: event IDs to report even without counters (the declared events, and IDs found by SCAN)
-- Returns {events, last values, cur values, {cur:@ts, last:@ts, cur:@late, last:@late, last:@end},
-- uniques}, uniques being {names, PFCOUNT of last:@u.<name> or false, of cur:@u.<name> or false}
-- for every name registered in cur:@ureg or last:@ureg (few: they are counted, not listed), and
-- values}, values being {names, HGETALL of last:@v.<name> or false, of cur:@v.<name> or false};
-- events are the union of ARGV, cur:@reg and last:@reg; a missing counter is nil (the reader
-- shows an auto-declared event in a section only where its counter exists, as Python's SCAN does).
-- A group whose registries hold more than ARGV[2] events gets {false, their size, false, meta, uniques, values}
-- instead: read in one script it would block Redis for seconds (every other client waits) and
-- outrun the reader's timeout, so the reader reads it in pages (CounterReader).
local p = ARGV[1]
fence(p)
local function meta()
  return {
    redis.call('GET', KEYS[1]),
    redis.call('GET', p .. 'last:@ts'),
    redis.call('GET', p .. 'cur:@late'),
    redis.call('GET', p .. 'last:@late'),
    redis.call('GET', p .. 'last:@end'),
  }
end
-- The names registered in cur:@<r>reg or last:@<r>reg, each once (r: 'u' unique counts, 'v' values).
local function registered(r)
  local names, seen = {}, {}
  for _, section in ipairs({'cur:@' .. r .. 'reg', 'last:@' .. r .. 'reg'}) do
    for _, name in ipairs(redis.call('SMEMBERS', p .. section)) do
      if not seen[name] then
        seen[name] = true
        names[#names + 1] = name
      end
    end
  end
  return names
end
-- The unique counts: one PFCOUNT per (name, section) that has a sketch.
local function uniques()
  local names, last, cur = registered('u'), {}, {}
  for i, name in ipairs(names) do
    last[i] = redis.call('EXISTS', p .. 'last:@u.' .. name) == 1 and redis.call('PFCOUNT', p .. 'last:@u.' .. name) or false
    cur[i] = redis.call('EXISTS', p .. 'cur:@u.' .. name) == 1 and redis.call('PFCOUNT', p .. 'cur:@u.' .. name) or false
  end
  return {names, last, cur}
end
-- The value statistics: each hash as it is (a few hundred fields at most), decoded by the reader.
local function values()
  local names, last, cur = registered('v'), {}, {}
  for i, name in ipairs(names) do
    local l = redis.call('HGETALL', p .. 'last:@v.' .. name)
    local c = redis.call('HGETALL', p .. 'cur:@v.' .. name)
    last[i] = #l > 0 and l or false
    cur[i] = #c > 0 and c or false
  end
  return {names, last, cur}
end
local registered = redis.call('SCARD', p .. 'cur:@reg') + redis.call('SCARD', p .. 'last:@reg')
if registered > tonumber(ARGV[2]) then
  return {false, registered, false, meta(), uniques(), values()}
end
local seen = {}
local events = {}
local function add(ev)
  if not seen[ev] then
    seen[ev] = true
    events[#events + 1] = ev
  end
end
for i = 3, #ARGV do
  add(ARGV[i])
end
for _, ev in ipairs(redis.call('SMEMBERS', p .. 'cur:@reg')) do
  add(ev)
end
for _, ev in ipairs(redis.call('SMEMBERS', p .. 'last:@reg')) do
  add(ev)
end
local last = {}
local cur = {}
for i, ev in ipairs(events) do
  last[i] = redis.call('GET', p .. 'last:' .. ev)
  cur[i] = redis.call('GET', p .. 'cur:' .. ev)
end
return {events, last, cur, meta(), uniques(), values()}
