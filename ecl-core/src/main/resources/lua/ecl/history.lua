-- history.lua: the kept intervals of one (group, interval), in one round trip: the entries of
-- <prefix>@hist and the entry of the closed interval last holds (made as the prelude's retire_last
-- will make it when the next rotation retires it; counts crossing a boundary are credited to last
-- until then).
-- Runs after prelude.lua (fence, last_counts, last_header, last_entry).
-- KEYS[1]: "<group>:<interval>:cur:@ts" (declared for routing; the other keys share its prefix)
-- ARGV[1]: prefix "<group>:<interval>:"
-- ARGV[2]: interval length, ms
-- ARGV[3]: how many entries of @hist to read, newest first
-- Returns {last's entry or false (its start is not known), the @hist entries, newest first}.
local p = ARGV[1]
fence(p)
local names, counts = last_counts(p)
local kept_names, kept = {}, {}
for i, ev in ipairs(names) do
  local v = counts[i]
  if v and v ~= '0' and string.find(v, '^%-?%d+$') then
    kept_names[#kept_names + 1] = ev
    kept[#kept + 1] = v
  end
end
local entry = last_entry(p, last_header(p, redis.call('GET', KEYS[1]), tonumber(ARGV[2])), kept_names, kept)
return {entry or false, redis.call('LRANGE', p .. '@hist', 0, tonumber(ARGV[3]) - 1)}
