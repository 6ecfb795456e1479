-- prelude.lua: the rules every ecl script shares, prepended to each of them by io.ecl.core.LuaScript
-- (the one loader). Only constants and local functions: defining them costs a script nothing per
-- call beyond its size, and none of them calls Redis unless the script calls it.
-- KEYS, ARGV: none of its own (each script's opening comment names its own).
-- MARKER_TTL_MS: defined by the loader, just before this file, from io.ecl.core.Keys.MARKER_TTL_MILLIS
--   (how long a call's or a chunk's marker lives).
-- Key names follow io.ecl.core.Keys: every key of one (group, interval) starts with the prefix
-- "<group>:<interval>:" passed in ARGV; these functions append only "cur:"/"last:" and an event
-- ID or an @meta name.

-- Two keys that never exist. A script's first command names them (see fence): while a cluster
-- moves this group's slot to another node, Redis refuses the script ("non local key", ASK or
-- TRYAGAIN inside a script) before anything is written.
local FENCE_A = '@fence.a'
local FENCE_B = '@fence.b'

local function fence(p)
  redis.call('EXISTS', p .. FENCE_A, p .. FENCE_B)
end

-- The @ts rule (its Java home is io.ecl.core.TsCodec; PlacementAgreementTest checks they agree).
-- Milliseconds of Unix seconds given as a decimal string, rounded to the nearest ms; nil when
-- the string is not a number.
local function secs_ms(ts)
  local n = tonumber(ts)
  if not n then
    return nil
  end
  return math.floor(n * 1000 + 0.5)
end

-- Unix seconds as stored in @ts: whole where possible (as Python writes it), else a fraction.
local function fmt_secs(ms)
  if ms % 1000 == 0 then
    return string.format('%d', ms / 1000)
  end
  local s = string.format('%.3f', ms / 1000)
  return (string.gsub(s, '0+$', ''))
end

-- The aligned interval start (ms) of an @ts value. Python's master writes the time the rotation
-- ran, not the boundary, so the value is aligned down to the interval grid before any comparison.
local function aligned(ts, len)
  local ms = secs_ms(ts)
  if not ms then
    return nil
  end
  return ms - (ms % len)
end

-- For a direct call (direct.lua, unique.lua): true when, for each of the n intervals, the interval
-- the call was logged in (ARGV[want_at + i], as cur:@ts holds it when ecl opened it) is the one open
-- in Redis (ts[i + 2], from the MGET that also read the two fence keys). Equal strings need no
-- arithmetic; else the starts are compared aligned (Python's master stores when its rotation ran).
local function all_open(ts, n, want_at, len_at)
  for i = 1, n do
    local want = ARGV[want_at + i]
    if ts[i + 2] ~= want then
      local start = aligned(ts[i + 2], tonumber(ARGV[len_at + i]))
      if not start or start ~= secs_ms(want) then
        return false
      end
    end
  end
  return true
end

-- True when @ts was written by the Python version's master: it stores the time its rotation ran,
-- never an aligned boundary as ecl does. Such an interval is that master's to rotate, and it does
-- so a few ms (or more) after the boundary: a writer that rotated it first would have its 'last'
-- overwritten by the few ms since.
local function python_ts(ts, len)
  local start = aligned(ts, len)
  return start ~= nil and fmt_secs(start) ~= ts
end

-- Each kind of measurement (counters are the first) has a pair of functions here, both called by
-- rotate() below in the same script, so a boundary moves every kind at once: check_<kind> refuses
-- (with an error, before rotate() writes anything) keys of the wrong type that would stop the script
-- half-way with its first writes kept, again at every retry; rotate_<kind> moves cur to last.

local function check_counters(p)
  for _, name in ipairs({'cur:@declared', 'cur:@reg', 'last:@reg'}) do
    local t = redis.call('TYPE', p .. name)['ok']
    if t ~= 'none' and t ~= 'set' then
      error('WRONGTYPE ' .. p .. name .. ' is a ' .. t .. ', not a set')
    end
  end
end

-- cur:<event> becomes last:<event> for every declared event (whose cur restarts at 0) and every
-- registered one (cur:@reg, plus extra: IDs found by SCAN, counters written by Python clients,
-- which keep no registry); last's old counts go to retire (see retire_last) just before.
-- Pre-declared events: both counters always exist (cur missing -> last = 0; cur reset to 0).
-- Auto-declared events: last = what cur had; an event without occurrences vanishes.
-- The events go ROTATE_CHUNK at a time, by copying rather than RENAME: an MGET of the chunk's
-- old last (for retire) and of its cur, one MSET of the counts into last, one MSET of the
-- declared events' cur to 0, one DEL of the auto-declared events' cur and of the old last
-- without occurrences. At most five calls a chunk instead of one or two an event; no key is made
-- anew where last had one (a RENAME removes last and inserts it again, and an insert walks its whole
-- bucket of Redis' key table: beside many unrelated keys, a cache miss for each of theirs); and
-- each chunk is done while its keys are still in the CPU's cache. A cur that MGET cannot read
-- (missing, or not a string) is RENAMEd as before, whatever it holds.
local ROTATE_CHUNK = 256

-- Calls f with list's items, size at a time (a new table each): a command given a whole big
-- group's keys through unpack() would overflow Lua's stack.
local function in_chunks(list, size, f)
  for i = 1, #list, size do
    f({unpack(list, i, math.min(i + size - 1, #list))})
  end
end

local function rotate_counters(p, extra, retire)
  local declared = {}
  local retired = {} -- last's events (declared and last:@reg), each retired
  for _, ev in ipairs(redis.call('SMEMBERS', p .. 'cur:@declared')) do
    declared[ev] = true
    retired[#retired + 1] = ev
  end
  local reg = p .. 'cur:@reg'
  for _, ev in ipairs(extra) do
    if not declared[ev] then
      redis.call('SADD', reg, ev)
    end
  end
  local logged = {}
  local cur_reg = redis.call('SMEMBERS', reg)
  for _, ev in ipairs(cur_reg) do
    logged[ev] = true
  end
  local seen = {}
  for _, ev in ipairs(redis.call('SMEMBERS', p .. 'last:@reg')) do
    if not declared[ev] then
      seen[ev] = true
      retired[#retired + 1] = ev
    end
  end
  local fresh = {} -- events logged in the closed interval that last had no counter for
  for _, ev in ipairs(cur_reg) do
    if not declared[ev] and not seen[ev] then
      fresh[#fresh + 1] = ev
    end
  end
  local moved = 0
  local function move(batch, retiring)
    local lasts, curs = {}, {}
    for j, ev in ipairs(batch) do
      lasts[j] = p .. 'last:' .. ev
      curs[j] = p .. 'cur:' .. ev
    end
    if retiring then
      retire(batch, redis.call('MGET', unpack(lasts)))
    end
    local counts = redis.call('MGET', unpack(curs))
    local copy, reset, gone = {}, {}, {}
    for j, ev in ipairs(batch) do
      local v = counts[j]
      if declared[ev] then
        if v then
          copy[#copy + 1] = lasts[j]
          copy[#copy + 1] = v
        else
          local r = redis.pcall('RENAME', curs[j], lasts[j])
          if type(r) == 'table' and r.err then
            copy[#copy + 1] = lasts[j]
            copy[#copy + 1] = '0'
          end
        end
        reset[#reset + 1] = curs[j]
        reset[#reset + 1] = '0'
      elseif not logged[ev] then
        gone[#gone + 1] = lasts[j]
      elseif v then
        copy[#copy + 1] = lasts[j]
        copy[#copy + 1] = v
        gone[#gone + 1] = curs[j]
        moved = moved + 1
      else
        local r = redis.pcall('RENAME', curs[j], lasts[j])
        if type(r) == 'table' and r.err then
          gone[#gone + 1] = lasts[j]
        else
          moved = moved + 1
        end
      end
    end
    for _, args in ipairs({copy, reset}) do
      if #args > 0 then
        redis.call('MSET', unpack(args))
      end
    end
    if #gone > 0 then
      redis.call('DEL', unpack(gone))
    end
  end
  in_chunks(retired, ROTATE_CHUNK, function(batch) move(batch, true) end)
  in_chunks(fresh, ROTATE_CHUNK, function(batch) move(batch, false) end)
  if moved > 0 then
    redis.call('RENAME', reg, p .. 'last:@reg')
  else
    redis.call('DEL', reg, p .. 'last:@reg')
  end
end

-- The kinds kept one key per name and registered by name in cur:@<r>reg / last:@<r>reg, their keys
-- being <section>@<r>.<name>: unique counts (r = 'u', a HyperLogLog each) and value statistics
-- (r = 'v', a hash each). A name without values in the closed interval has no key in last (a
-- reader shows it empty).
local function check_registered(p, r)
  for _, name in ipairs({'cur:@' .. r .. 'reg', 'last:@' .. r .. 'reg'}) do
    local t = redis.call('TYPE', p .. name)['ok']
    if t ~= 'none' and t ~= 'set' then
      error('WRONGTYPE ' .. p .. name .. ' is a ' .. t .. ', not a set')
    end
  end
end

-- cur:@<r>.<name> becomes last:@<r>.<name> for every name registered in cur:@<r>reg; last's
-- old keys go first, ROTATE_CHUNK to a DEL. (A sketch or value hash is moved by RENAME: copying
-- it as the counters are would carry kilobytes through the script.)
local function rotate_registered(p, r)
  local last = p .. 'last:@' .. r .. '.'
  in_chunks(redis.call('SMEMBERS', p .. 'last:@' .. r .. 'reg'), ROTATE_CHUNK, function(names)
    for j, name in ipairs(names) do
      names[j] = last .. name
    end
    redis.call('DEL', unpack(names))
  end)
  local reg = p .. 'cur:@' .. r .. 'reg'
  local moved = 0
  -- RENAME answers an error when cur is missing (a name registered whose key went): no EXISTS first.
  for _, name in ipairs(redis.call('SMEMBERS', reg)) do
    local done = redis.pcall('RENAME', p .. 'cur:@' .. r .. '.' .. name, last .. name)
    if not (type(done) == 'table' and done.err) then
      moved = moved + 1
    end
  end
  if moved > 0 then
    redis.call('RENAME', reg, p .. 'last:@' .. r .. 'reg')
  else
    redis.call('DEL', reg, p .. 'last:@' .. r .. 'reg')
  end
end

-- What is kept of the intervals 'last' held: history and totals. A rotation first retires the
-- interval last still holds (retire_last below), then moves cur to last. Only then: counts of
-- last's interval keep arriving while it is last (a sync that crossed the boundary is credited
-- there), so what last holds is final only when the next rotation replaces it.
--   <prefix>@total  a HASH event -> the counts of every interval retired, added as they are
--                   retired (HINCRBY, nonzero counts only): a total is @total + last + cur
--                   (totals.lua), which no rotation changes and every count increases.
--   <prefix>@hist   for a group with history N > 0, a LIST of the retired intervals, newest first,
--                   trimmed to N; the closed interval still in last is the newest one a reader
--                   shows (history.lua reads both with the same last_entry).
-- An entry is text, lines separated by '\n', fields by '\t' (neither can occur in a name: event IDs
-- and measurement names have no control characters; a counter written by a Python client under a
-- name with a tab or newline is left out):
--   1 <start ms> <end ms> <covers>        the format's version, the interval, how many intervals
--                                         it spans (more than 1 after a catch-up)
--   c <event> <event> ...                 every counter that is not 0 ...
--   n <count> <count> ...                 ... and its count, in the same order
--   u <name> <PFCOUNT>                    every unique count that has a sketch
--   v <name> <field>=<value>,...          every value hash, as it is (SketchFields)
-- The counts are two lines rather than a line each so that the script joins them with one
-- table.concat each instead of building a string per event. Its Java home is
-- io.ecl.core.internal.HistoryCodec. An interval whose start is not known (the first rotation, or
-- the Python master rotated it: last:@end is not cur:@ts) goes to the totals but has no entry.

-- Refuses (before rotate() writes anything) an @total or @hist of another type than ecl keeps there.
local function check_closing(p, history)
  local t = redis.call('TYPE', p .. '@total')['ok']
  if t ~= 'none' and t ~= 'hash' then
    error('WRONGTYPE ' .. p .. '@total is a ' .. t .. ', not a hash')
  end
  if history > 0 then
    t = redis.call('TYPE', p .. '@hist')['ok']
    if t ~= 'none' and t ~= 'list' then
      error('WRONGTYPE ' .. p .. '@hist is a ' .. t .. ', not a list')
    end
  end
end

-- The events last has counters for (the declared ones and last:@reg's) and their values (false
-- where none), the values by MGETs of 1,000 keys.
local function last_counts(p)
  local names, seen = {}, {}
  for _, set in ipairs({'cur:@declared', 'last:@reg'}) do
    for _, ev in ipairs(redis.call('SMEMBERS', p .. set)) do
      if not seen[ev] then
        seen[ev] = true
        names[#names + 1] = ev
      end
    end
  end
  local counts = {}
  in_chunks(names, 1000, function(batch)
    for j, ev in ipairs(batch) do
      batch[j] = p .. 'last:' .. ev
    end
    for _, v in ipairs(redis.call('MGET', unpack(batch))) do
      counts[#counts + 1] = v
    end
  end)
  return names, counts
end

-- The first line of last's entry ({start, end, covers} from last:@ts and cur:@ts, cur_ts being
-- cur:@ts as it is), or nil when last's start is not known.
local function last_header(p, cur_ts, len)
  if not cur_ts or redis.call('GET', p .. 'last:@end') ~= cur_ts then
    return nil
  end
  local start = aligned(redis.call('GET', p .. 'last:@ts'), len)
  local stop = aligned(cur_ts, len)
  if not start or not stop or stop <= start then
    return nil
  end
  return string.format('1\t%.0f\t%.0f\t%.0f', start, stop, (stop - start) / len)
end

-- The entry of what last holds, given its header and the (names, counts) to keep; nil without header.
local function last_entry(p, header, names, counts)
  if not header then
    return nil
  end
  local lines = {header}
  if #names > 0 then
    -- Only a Python client's counter, found by SCAN, can have a name ecl refuses. Of those, a tab
    -- or newline would break the entry: the joined names, scanned once in C, tell whether one is
    -- there (a newline, or more tabs than separators); the names are then filtered one by one.
    local joined = table.concat(names, '\t')
    if string.find(joined, '\n', 1, true) or select(2, string.gsub(joined, '\t', '')) ~= #names - 1 then
      local n = 0
      local safe, kept = {}, {}
      for i, ev in ipairs(names) do
        if not string.find(ev, '[\t\n]') then
          n = n + 1
          safe[n] = ev
          kept[n] = counts[i]
        end
      end
      names, counts, joined = safe, kept, table.concat(safe, '\t')
    end
    if #names > 0 then
      lines[2] = 'c\t' .. joined
      lines[3] = 'n\t' .. table.concat(counts, '\t')
    end
  end
  for _, name in ipairs(redis.call('SMEMBERS', p .. 'last:@ureg')) do
    local c = redis.pcall('PFCOUNT', p .. 'last:@u.' .. name)
    if type(c) == 'number' then
      lines[#lines + 1] = 'u\t' .. name .. '\t' .. c
    end
  end
  for _, name in ipairs(redis.call('SMEMBERS', p .. 'last:@vreg')) do
    local h = redis.pcall('HGETALL', p .. 'last:@v.' .. name)
    if type(h) == 'table' and not h.err and #h > 0 then
      local fields = {}
      for j = 1, #h, 2 do
        fields[#fields + 1] = h[j] .. '=' .. h[j + 1]
      end
      lines[#lines + 1] = 'v\t' .. name .. '\t' .. table.concat(fields, ',')
    end
  end
  return table.concat(lines, '\n')
end

-- Retires the interval last holds, before the rotation replaces it: its counts into @total, and
-- (history > 0) its entry onto @hist. cur_ts: cur:@ts before the rotation. Returns two functions:
-- retire(names, counts), which rotate_counters calls with last's old counts, a chunk at a time,
-- before it replaces them; then push(), which puts the entry onto @hist (before the unique counts
-- and value statistics of last, which the entry also holds, are replaced).
local function retire_last(p, cur_ts, len, history)
  local total = p .. '@total'
  local header = history > 0 and last_header(p, cur_ts, len) or nil
  local kept_names, kept = {}, {}
  local n = 0
  local function retire(names, counts)
    for i, ev in ipairs(names) do
      local v = counts[i]
      -- HINCRBY parses v strictly: a value that is not an integer (written by hand) is no count
      -- (the reader reports it); it goes neither into the total nor into the entry.
      if v and v ~= '0' and type(redis.pcall('HINCRBY', total, ev, v)) == 'number' and header then
        n = n + 1
        kept_names[n] = ev
        kept[n] = v
      end
    end
  end
  local function push()
    local entry = last_entry(p, header, kept_names, kept)
    if entry then
      redis.call('LPUSH', p .. '@hist', entry)
      redis.call('LTRIM', p .. '@hist', 0, history - 1)
    end
  end
  return retire, push
end

-- Closes the current interval of one (group, interval) and opens the one starting at new_start
-- (ms), unless @ts already says an interval at or after new_start is open: a rotation happens
-- once per boundary whoever asks for it (masters, or a writer that is first to see a boundary).
-- extra: event IDs found by SCAN, for rotate_counters. history: the group's history N (0: none).
-- Returns the aligned start of the closed interval (ms), -1 if it was unknown, or false when
-- nothing was done.
local function rotate(p, new_start, len, extra, history)
  local ts = redis.call('GET', p .. 'cur:@ts')
  local old_start = -1
  if ts then
    old_start = aligned(ts, len) or -1
    if old_start >= new_start then
      return false
    end
  end
  check_counters(p)
  check_registered(p, 'u')
  check_registered(p, 'v')
  check_closing(p, history)
  local retire, push = retire_last(p, ts, len, history)
  rotate_counters(p, extra, retire)
  push()
  rotate_registered(p, 'u')
  rotate_registered(p, 'v')
  if redis.call('EXISTS', p .. 'cur:@late') == 1 then
    redis.call('RENAME', p .. 'cur:@late', p .. 'last:@late')
  else
    redis.call('DEL', p .. 'last:@late')
  end
  if old_start >= 0 then
    redis.call('SET', p .. 'last:@ts', fmt_secs(old_start))
  else
    redis.call('DEL', p .. 'last:@ts')
  end
  redis.call('SET', p .. 'cur:@ts', fmt_secs(new_start))
  -- last:@ts is true while cur:@ts still equals this: a rotator that keeps no last:@ts (the Python
  -- master) changes cur:@ts alone, and readers then know last:@ts no longer says where last starts.
  redis.call('SET', p .. 'last:@end', fmt_secs(new_start))
  return old_start
end

-- The exact sum of integer counts given as decimal strings, as a decimal string: a Lua number
-- is a double, exact to 2^53 only, and '..' prints a large one as 9.2233720368548e+18. Summed
-- as billions and units apart, each exact, then printed digit for digit.
local function count_sum(counts)
  local hi, lo = 0, 0
  for _, s in ipairs(counts) do
    local sign, digits = string.match(s, '^([+-]?)0*(%d*)$')
    local n = #digits
    local h = n > 9 and tonumber(string.sub(digits, 1, n - 9)) or 0
    local l = tonumber(string.sub(digits, math.max(1, n - 8))) or 0
    if sign == '-' then
      h, l = -h, -l
    end
    hi, lo = hi + h, lo + l
  end
  local carry = math.floor(lo / 1e9)
  hi, lo = hi + carry, lo - carry * 1e9
  local sign = ''
  if hi < 0 then
    sign = '-'
    if lo > 0 then
      hi, lo = -hi - 1, 1e9 - lo
    else
      hi = -hi
    end
  end
  if hi == 0 then
    return sign .. string.format('%d', lo)
  end
  return sign .. string.format('%.0f', hi) .. string.format('%09d', lo)
end
