package io.ecl.core.internal;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ValueStats;
import io.ecl.core.internal.kinds.SketchFields;
import io.ecl.core.internal.kinds.SketchSnapshot;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Reads counts from Redis: one round trip per (group, interval) through read.lua, whatever the
 * number of events. Groups with {@code legacy_scan} also SCAN for counters written by Python
 * clients, which keep no registry.
 */
public final class RedisReader implements AutoCloseable {
    private final EclConfig config;
    private final RedisConnection connection;
    private final boolean ownsConnection;
    private final Clock clock;
    /** read.lua's source when reads send it with EVAL (one-shot readers), else null: EVALSHA. */
    private final String readSource;

    public RedisReader(EclConfig config, RedisConnection connection, Clock clock) {
        this.config = config;
        this.connection = connection;
        this.ownsConnection = false;
        this.clock = clock;
        this.readSource = null;
    }

    private RedisReader(EclConfig config, RedisConnection connection, String readSource) {
        this.config = config;
        this.connection = connection;
        this.readSource = readSource;
        this.ownsConnection = true;
        this.clock = Clock.systemUTC();
    }

    /** A reader with its own connection (made at the first read). */
    public static RedisReader connect(EclConfig config) {
        return new RedisReader(config, new RedisConnection(config.redis(), 2), (String) null);
    }

    /**
     * A reader for a few reads on one thread, then {@link #close()}, as a command-line tool does:
     * on a standalone Redis it uses one plain connection instead of a pool and skips the client's
     * CLIENT SETINFO round trips, and it sends read.lua with EVAL (1.3 kB) rather than EVALSHA, as
     * computing a SHA-1 costs a new JVM more (the JCA providers' start-up) than the read, and a new
     * or restarted Redis needs no second round trip. It does not reconnect:
     * after a failure, make another. Sentinel and Cluster configs get the same client as
     * {@link #connect}.
     */
    public static RedisReader connectOnce(EclConfig config) {
        return new RedisReader(config, RedisConnection.single(config.redis()), LuaScript.READ.source());
    }

    /**
     * The counts of one (group, interval).
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     */
    public IntervalCounts read(GroupConfig group, Interval interval) {
        return read(group, interval, List.of(), true);
    }

    /**
     * For a logger's own reads: like {@link #read(GroupConfig, Interval)}, also reporting
     * {@code moreEvents} (declared at run time), and every event either section's registry knows
     * in both sections, as the Python library's {@code get_counts} lists every event its process
     * has logged.
     */
    IntervalCounts read(GroupConfig group, Interval interval, Collection<String> moreEvents) {
        return read(group, interval, moreEvents, false);
    }

    /**
     * The counts of a (group, interval). Declared events (and {@code moreEvents}) are in both
     * sections, 0 when they have no counter. With {@code bySection}, as the Python reader: in an
     * auto-declaring group, every other event is in a section only when its counter exists there
     * (an event logged only in the current interval is not in {@code last}, one that stopped
     * occurring leaves {@code last} at the next rotation however stale a registry is), and a group
     * that does not auto-declare shows its declared events only. Otherwise every event of either
     * registry is in both sections.
     *
     * @throws RedisDataException when a key of the (group, interval) holds another type than ecl
     *     keeps there or a counter is not an integer; the message names the key and the fix
     */
    private IntervalCounts read(GroupConfig group, Interval interval, Collection<String> moreEvents,
            boolean bySection) {
        String prefix = Keys.prefix(connection.config.keyMode(), group.name(), interval);
        List<String> args = new ArrayList<>(group.events().size() + moreEvents.size() + 1);
        args.add(prefix);
        Set<String> always = new LinkedHashSet<>(group.events());
        always.addAll(moreEvents);
        Set<String> events = new LinkedHashSet<>(always);
        if (group.legacyScan()) {
            events.addAll(scan(group, interval));
        }
        args.addAll(events);
        List<String> keys = List.of(Keys.curTs(connection.config.keyMode(), group.name(), interval));
        Object reply = evalRead(group, interval, keys, args);
        List<?> parts = (List<?>) reply;
        if (parts.get(0) == null) {
            parts = readInPages(group, interval, keys, args, events, prefix, (List<?>) parts.get(3));
        }
        List<?> names = (List<?>) parts.get(0);
        List<?> lastValues = (List<?>) parts.get(1);
        List<?> curValues = (List<?>) parts.get(2);
        List<?> meta = (List<?>) parts.get(3);
        TreeMap<String, Long> last = new TreeMap<>();
        TreeMap<String, Long> cur = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String ev = (String) names.get(i);
            boolean shown = !bySection || always.contains(ev);
            if (!shown && !group.autoDeclareEvents() && !group.legacyScan()) {
                continue; // Python reads the declared events only in such a group
            }
            Object l = at(lastValues, i);
            if (shown || l != null) {
                last.put(ev, counter(l, prefix, true, ev, problems));
            }
            Object c = at(curValues, i);
            if (shown || c != null) {
                cur.put(ev, counter(c, prefix, false, ev, problems));
            }
        }
        long lateInCurrent = counter(at(meta, 2), prefix, false, "@late", problems);
        long lateInLast = counter(at(meta, 3), prefix, true, "@late", problems);
        if (!problems.isEmpty()) {
            throw new RedisDataException(KeyCheck.describe(group, interval, problems), null);
        }
        Long currentStart = seconds(meta, 0);
        Long lastStart = seconds(meta, 1);
        if (lastStart != null && currentStart != null && rotatedWithoutLastTs(interval, currentStart, seconds(meta, 4))) {
            lastStart = null;
        }
        TreeMap<String, Long> lastUniques = new TreeMap<>();
        TreeMap<String, Long> curUniques = new TreeMap<>();
        uniques(group, (List<?>) reply, lastUniques, curUniques);
        TreeMap<String, ValueStats> lastStats = new TreeMap<>();
        TreeMap<String, ValueStats> curStats = new TreeMap<>();
        values(group, interval, prefix, (List<?>) reply, lastStats, curStats);
        return new IntervalCounts(group.name(), interval, last, cur, currentStart, lastStart, lateInCurrent, lateInLast,
                lastUniques, curUniques, lastStats, curStats);
    }

    /** read.lua's value statistics (its sixth part), decoded; declared names without values are empty. */
    private static void values(GroupConfig group, Interval interval, String prefix, List<?> reply,
            TreeMap<String, ValueStats> last, TreeMap<String, ValueStats> cur) {
        for (String name : group.values()) {
            last.put(name, ValueStats.EMPTY);
            cur.put(name, ValueStats.EMPTY);
        }
        if (reply.size() < 6) {
            return;
        }
        List<?> v = (List<?>) reply.get(5);
        List<?> names = (List<?>) v.get(0);
        for (int i = 0; i < names.size(); i++) {
            String name = (String) names.get(i);
            if (at((List<?>) v.get(1), i) instanceof List<?> hash) {
                last.put(name, stats(group, interval, prefix + "last:@v." + name, hash));
            }
            if (at((List<?>) v.get(2), i) instanceof List<?> hash) {
                cur.put(name, stats(group, interval, prefix + "cur:@v." + name, hash));
            }
        }
    }

    private static ValueStats stats(GroupConfig group, Interval interval, String key, List<?> flat) {
        java.util.Map<String, String> hash = new java.util.HashMap<>();
        for (int k = 0; k + 1 < flat.size(); k += 2) {
            hash.put((String) flat.get(k), (String) flat.get(k + 1));
        }
        SketchSnapshot s;
        try {
            s = SketchFields.decode(hash);
        } catch (IllegalArgumentException e) {
            throw new RedisDataException(key + " is not a value hash ecl wrote: " + e.getMessage()
                    + "; delete the key (DEL " + key + ") to count again", null);
        }
        if (s.count() == 0) {
            return new ValueStats(0, BigDecimal.ZERO, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, s.invalid());
        }
        return new ValueStats(s.count(), s.sum(), s.min(), s.max(), s.mean(), s.stddev(), s.quantile(0.5),
                s.quantile(0.9), s.quantile(0.99), s.quantile(0.999), s.invalid());
    }

    /** read.lua's unique counts (its fifth part), and 0 for each declared name without a sketch. */
    private static void uniques(GroupConfig group, List<?> reply, TreeMap<String, Long> last, TreeMap<String, Long> cur) {
        for (String name : group.uniques()) {
            last.put(name, 0L);
            cur.put(name, 0L);
        }
        if (reply.size() < 5) {
            return;
        }
        List<?> u = (List<?>) reply.get(4);
        List<?> names = (List<?>) u.get(0);
        for (int i = 0; i < names.size(); i++) {
            String name = (String) names.get(i);
            if (at((List<?>) u.get(1), i) instanceof Long l) {
                last.put(name, l);
            }
            if (at((List<?>) u.get(2), i) instanceof Long c) {
                cur.put(name, c);
            }
        }
    }

    private Object evalRead(GroupConfig group, Interval interval, List<String> keys, List<String> args) {
        String source = readSource;
        try {
            return source != null ? connection.eval(source, keys, args)
                    : connection.call(j -> LuaScript.READ.eval(j, keys, args));
        } catch (RedisDataException e) {
            throw KeyCheck.explain(connection, group, interval, e);
        }
    }

    /** Events per MGET of a paged read: two keys each, one round trip, a few hundred KiB of reply. */
    public static final int PAGE_EVENTS = 5_000;
    /** Attempts of a paged read that a rotation interrupted before it gives up. */
    private static final int PAGED_ATTEMPTS = 3;

    /**
     * A group too big for read.lua (it answered with its meta only): its registries are read by
     * SSCAN and its counters by MGET, {@link #PAGE_EVENTS} at a time, so that Redis serves other
     * clients in between and no reply outruns the timeout. Not atomic like read.lua: read.lua's
     * meta is taken before and after, and a rotation in between (cur:@ts changed) makes the read
     * start again. Returns the parts read.lua would have returned.
     */
    private List<?> readInPages(GroupConfig group, Interval interval, List<String> keys, List<String> args,
            Set<String> events, String prefix, List<?> before) {
        for (int attempt = 1; ; attempt++) {
            Set<String> names = new LinkedHashSet<>(events);
            for (boolean last : new boolean[] {false, true}) {
                String registry = Keys.registryIn(prefix, last);
                ScanParams params = new ScanParams().count(PAGE_EVENTS);
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    String c = cursor;
                    ScanResult<String> page = connection.call(j -> j.sscan(registry, c, params));
                    names.addAll(page.getResult());
                    cursor = page.getCursor();
                } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
            }
            List<String> all = new ArrayList<>(names);
            List<Object> lastValues = new ArrayList<>(all.size());
            List<Object> curValues = new ArrayList<>(all.size());
            for (int from = 0; from < all.size(); from += PAGE_EVENTS) {
                List<String> batch = all.subList(from, Math.min(all.size(), from + PAGE_EVENTS));
                String[] counterKeys = new String[2 * batch.size()];
                for (int i = 0; i < batch.size(); i++) {
                    counterKeys[i] = Keys.counterIn(prefix, true, batch.get(i));
                    counterKeys[batch.size() + i] = Keys.counterIn(prefix, false, batch.get(i));
                }
                List<String> values = connection.call(j -> j.mget(counterKeys));
                lastValues.addAll(values.subList(0, batch.size()));
                curValues.addAll(values.subList(batch.size(), values.size()));
            }
            List<?> after = (List<?>) ((List<?>) evalRead(group, interval, keys, args)).get(3);
            if (java.util.Objects.equals(at(before, 0), at(after, 0))) {
                return List.of(all, lastValues, curValues, after);
            }
            if (attempt == PAGED_ATTEMPTS) {
                throw new RedisUnavailableException("group '" + group.name() + "', interval " + interval
                        + ": rotated during each of " + PAGED_ATTEMPTS + " paged reads of its "
                        + all.size() + " events; try again", null);
            }
            before = after;
        }
    }

    /**
     * True when cur:@ts was written by a rotation that keeps no last:@ts (the Python master): it
     * differs from last:@end, which every ecl rotation sets to cur:@ts together with last:@ts, or,
     * before ecl wrote last:@end, it is not on the interval's grid (the Python master writes the
     * moment it ran). last:@ts then no longer says where {@code last} starts.
     */
    static boolean rotatedWithoutLastTs(Interval interval, long currentStart, Long lastEnd) {
        if (lastEnd != null) {
            return lastEnd != currentStart;
        }
        return interval.startOf(currentStart) != currentStart;
    }

    /** Like {@link #read(GroupConfig, Interval)} by names: an unknown group is a ConfigException, an unknown interval an IllegalArgumentException. */
    public IntervalCounts read(String group, String interval) {
        GroupConfig g = config.requireGroup(group);
        Interval i = g.interval(interval);
        if (i == null) {
            throw new IllegalArgumentException("Interval '" + interval + "' not configured for this group.");
        }
        return read(g, i);
    }

    /** Current time of the reader's clock, for {@link IntervalCounts#isStale(long)}. */
    public long now() {
        return clock.millis();
    }

    private Set<String> scan(GroupConfig group, Interval interval) {
        Set<String> found = new LinkedHashSet<>();
        int prefixLength = Keys.prefix(connection.config.keyMode(), group.name(), interval).length();
        for (String section : new String[] {Keys.CUR, Keys.LAST}) {
            connection.scan(Keys.scanPattern(connection.config.keyMode(), group.name(), interval, section),
                    key -> found.add(key.substring(prefixLength + section.length())));
        }
        return found;
    }

    private static Object at(List<?> list, int i) {
        return i < list.size() ? list.get(i) : null;
    }

    private static Long seconds(List<?> meta, int i) {
        Object v = at(meta, i);
        if (v == null) {
            return null;
        }
        try {
            return TsCodec.parse(v.toString());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A counter's value: 0 when it does not exist; a value that is not an integer is added to
     * {@code problems} (never read as 0: the count is unknown).
     */
    private static long counter(Object v, String prefix, boolean last, String name, List<String> problems) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Long) {
            return (Long) v;
        }
        String s = v.toString();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            String key = Keys.counterIn(prefix, last, name);
            problems.add(key + " holds " + quoted(s) + ", not an integer count; fix: DEL " + key);
            return 0;
        }
    }

    /** A value for a message: quoted, control characters escaped, cut after 40 characters. */
    private static String quoted(String s) {
        StringBuilder b = new StringBuilder(48).append('"');
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append(s.length() > 40 ? "...\"" : "\"").toString();
    }

    public void closeShared() {
        // the logger's connection is closed by the logger
    }

    @Override
    public void close() {
        if (ownsConnection) {
            connection.close();
        }
    }
}
