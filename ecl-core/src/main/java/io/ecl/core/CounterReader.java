package io.ecl.core;

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
public final class CounterReader implements AutoCloseable {
    private final EclConfig config;
    private final RedisConnection connection;
    private final boolean ownsConnection;
    private final Clock clock;
    /** read.lua's source when reads send it with EVAL (one-shot readers), else null: EVALSHA. */
    private final String readSource;

    CounterReader(EclConfig config, RedisConnection connection, Clock clock) {
        this.config = config;
        this.connection = connection;
        this.ownsConnection = false;
        this.clock = clock;
        this.readSource = null;
    }

    private CounterReader(EclConfig config, RedisConnection connection, String readSource) {
        this.config = config;
        this.connection = connection;
        this.readSource = readSource;
        this.ownsConnection = true;
        this.clock = Clock.systemUTC();
    }

    /** A reader with its own connection (made at the first read). */
    public static CounterReader connect(EclConfig config) {
        return new CounterReader(config, new RedisConnection(config.redis(), 2), (String) null);
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
    public static CounterReader connectOnce(EclConfig config) {
        return new CounterReader(config, RedisConnection.single(config.redis()), readScript());
    }

    /**
     * The counts of one (group, interval).
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     */
    public IntervalCounts read(GroupConfig group, Interval interval) {
        return read(group, interval, List.of());
    }

    /** Like {@link #read(GroupConfig, Interval)}, also reporting {@code moreEvents} (declared at run time). */
    IntervalCounts read(GroupConfig group, Interval interval, Collection<String> moreEvents) {
        List<String> args = new ArrayList<>(group.events().size() + moreEvents.size() + 1);
        args.add(Keys.prefix(connection.config.keyMode(), group.name(), interval));
        Set<String> events = new LinkedHashSet<>(group.events());
        events.addAll(moreEvents);
        if (group.legacyScan()) {
            events.addAll(scan(group, interval));
        }
        args.addAll(events);
        List<String> keys = List.of(Keys.curTs(connection.config.keyMode(), group.name(), interval));
        String source = readSource;
        Object reply = source != null ? connection.eval(source, keys, args)
                : connection.call(j -> LuaScript.READ.eval(j, keys, args));
        List<?> parts = (List<?>) reply;
        List<?> names = (List<?>) parts.get(0);
        List<?> lastValues = (List<?>) parts.get(1);
        List<?> curValues = (List<?>) parts.get(2);
        List<?> meta = (List<?>) parts.get(3);
        TreeMap<String, Long> last = new TreeMap<>();
        TreeMap<String, Long> cur = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            String ev = (String) names.get(i);
            last.put(ev, number(i < lastValues.size() ? lastValues.get(i) : null));
            cur.put(ev, number(i < curValues.size() ? curValues.get(i) : null));
        }
        return new IntervalCounts(group.name(), interval, last, cur,
                seconds(meta, 0), seconds(meta, 1), number(at(meta, 2)), number(at(meta, 3)));
    }

    /** Like {@link #read(GroupConfig, Interval)} by names; unknown names are an IllegalArgumentException. */
    public IntervalCounts read(String group, String interval) {
        GroupConfig g = config.group(group);
        if (g == null) {
            throw new IllegalArgumentException("Group '" + group + "' not found in configuration");
        }
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
            ScanParams params = new ScanParams().match(Keys.scanPattern(connection.config.keyMode(), group.name(), interval, section)).count(1000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                String c = cursor;
                ScanResult<String> page = connection.call(j -> j.scan(c, params));
                for (String key : page.getResult()) {
                    found.add(key.substring(prefixLength + section.length()));
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
        return found;
    }

    /** read.lua, as LuaScript.READ holds it (LuaScript itself would compute the SHA-1 of every script). */
    private static String readScript() {
        return script("read");
    }

    /** The source of {@code lua/NAME.lua}. */
    static String script(String name) {
        String path = "/lua/" + name + ".lua";
        try (java.io.InputStream in = CounterReader.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read resource " + path, e);
        }
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
            return Interval.parseSeconds(v.toString());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long number(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Long) {
            return (Long) v;
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            try {
                return (long) Double.parseDouble(v.toString());
            } catch (NumberFormatException e2) {
                return 0;
            }
        }
    }

    void closeShared() {
        // the logger's connection is closed by the logger
    }

    @Override
    public void close() {
        if (ownsConnection) {
            connection.close();
        }
    }
}
