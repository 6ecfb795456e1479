package io.ecl.core.ops;

import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisConfig;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.internal.KeyCheck;
import io.ecl.core.internal.Keys;
import io.ecl.core.internal.LuaScript;
import io.ecl.core.internal.RedisConnection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;

/**
 * Rotates (group, interval) pairs: {@code cur} becomes {@code last} at a boundary, in one Lua
 * script, at most once per boundary whoever calls it (a second master, a restart, a clock
 * stepped back all find the boundary done). Used by ecl-master.
 */
public final class Rotator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rotator.class);
    /** How often (by the boundaries rotated) a group is probed for counters without registry. */
    public static final long PROBE_PERIOD_MILLIS = 60_000;
    private final RedisConnection connection;
    /** Group -> boundary at or after which the next probe runs. */
    private final Map<String, Long> nextProbe = new ConcurrentHashMap<>();
    /** Groups found with counters written without registry: scanned at every rotation from then on. */
    private final Set<String> scansAlways = ConcurrentHashMap.newKeySet();

    private Rotator(RedisConfig redis) {
        this.connection = new RedisConnection(redis, 2);
    }

    public static Rotator connect(RedisConfig redis) {
        return new Rotator(redis);
    }

    /** The outcome of one rotation call. */
    public static final class Result {
        private final boolean rotated;
        private final Long startMillis;

        Result(boolean rotated, Long startMillis) {
            this.rotated = rotated;
            this.startMillis = startMillis;
        }

        /** False when the boundary had already been rotated (by another master or a writer). */
        public boolean rotated() { return rotated; }

        /**
         * When {@link #rotated()}: start of the interval just closed (null if unknown, e.g. the
         * first rotation ever); otherwise the start of the interval already open.
         */
        public Long startMillis() { return startMillis; }
    }

    /**
     * Writes the group's declared events into the @declared sets, so rotations (by this master
     * or by writers) zero them as the Python master does. One round trip.
     */
    public void declare(GroupConfig group) {
        if (group.events().isEmpty()) {
            return;
        }
        String[] events = group.events().toArray(new String[0]);
        connection.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                for (Interval i : group.intervals()) {
                    p.sadd(Keys.declared(connection.config.keyMode(), group.name(), i), events);
                }
                p.sync();
            }
            return null;
        });
    }

    /**
     * Opens the interval starting at {@code boundaryMillis} (aligned), closing the current one.
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     * @throws RedisDataException when a key of this (group, interval) holds another type than ecl
     *     keeps there (the message names it); other pairs are not affected
     */
    public Result rotate(GroupConfig group, Interval interval, long boundaryMillis) {
        List<String> args = new ArrayList<>(4);
        args.add(Keys.prefix(connection.config.keyMode(), group.name(), interval));
        args.add(Long.toString(interval.startOf(boundaryMillis)));
        args.add(Long.toString(interval.lengthMillis()));
        args.add(Integer.toString(group.history()));
        if (group.legacyScan() || scansAlways.contains(group.name())) {
            args.addAll(scanCurrent(group, interval));
        }
        List<String> keys = List.of(Keys.curTs(connection.config.keyMode(), group.name(), interval));
        List<?> reply;
        try {
            reply = (List<?>) connection.call(j -> LuaScript.ROTATE.eval(j, keys, args));
        } catch (RedisDataException e) {
            throw KeyCheck.explain(connection, group, interval, e);
        }
        boolean rotated = ((Long) reply.get(0)) == 1;
        Long start = reply.size() > 1 && reply.get(1) != null ? (Long) reply.get(1) : null;
        if (rotated && start != null && start < 0) {
            start = null;
        }
        return new Result(rotated, start);
    }

    /**
     * Looks for counters that the Python version's clients wrote without registry in a group that
     * auto-declares events and has no {@code legacy_scan}, after the boundary's rotations (a SCAN
     * of the keyspace has no place in a rotation: it would delay every interval behind it). Call
     * it with the group's intervals just rotated at {@code boundaryMillis}; it does anything only
     * when a probe is due ({@link #PROBE_PERIOD_MILLIS}). Counters found were left in {@code cur}
     * by those rotations: they are moved to {@code last} now, where the rotation would have put
     * them, and from then on the group is scanned at every rotation, with one warning.
     *
     * @return the event IDs found (empty when none, or when no probe was due)
     * @throws RedisUnavailableException when Redis cannot be reached
     */
    public Set<String> probe(GroupConfig group, List<Interval> rotated, long boundaryMillis) {
        if (rotated.isEmpty() || group.legacyScan() || scansAlways.contains(group.name())
                || !probeDue(group, boundaryMillis)) {
            return Set.of();
        }
        Interval first = rotated.get(0);
        String prefix = Keys.prefix(connection.config.keyMode(), group.name(), first);
        Set<String> found = scanCurrent(group, first);
        if (!found.isEmpty()) {
            // Known to ecl: registered by its writers (the rotation just moved that registry to
            // last), or declared at run time by an application.
            found.removeAll(connection.call(j -> j.smembers(Keys.registryIn(prefix, false))));
            found.removeAll(connection.call(j -> j.smembers(Keys.registryIn(prefix, true))));
            found.removeAll(connection.call(j -> j.smembers(Keys.declared(connection.config.keyMode(), group.name(), first))));
        }
        if (found.isEmpty()) {
            return Set.of();
        }
        for (Interval i : rotated) {
            List<String> args = new ArrayList<>(found.size() + 1);
            args.add(Keys.prefix(connection.config.keyMode(), group.name(), i));
            args.addAll(found);
            List<String> keys = List.of(Keys.curTs(connection.config.keyMode(), group.name(), i));
            connection.call(j -> LuaScript.ADOPT.eval(j, keys, args));
        }
        if (scansAlways.add(group.name())) {
            LOG.warn("group '{}': counters that no registry lists in {}cur: ({}), auto-declared events logged"
                    + " by the Python version's clients; they are rotated and read, and the group is now"
                    + " scanned at every rotation; set legacy_scan: true for it to do so from the start",
                    group.name(), prefix,
                    String.join(", ", found.stream().limit(5).toList()) + (found.size() > 5 ? ", ..." : ""));
        }
        return found;
    }

    /**
     * Whether to look for counters written without registry in a group that auto-declares events
     * and has no {@code legacy_scan}: at its first probe, then at most once per
     * {@link #PROBE_PERIOD_MILLIS} of boundaries, whichever interval was rotated (a Python client
     * increments every interval of the group, so one interval's counters tell), so a Python
     * client nobody told us about is noticed within a minute while a group without one costs
     * one SCAN a minute (the Python master SCANs at every rotation of every interval).
     */
    private boolean probeDue(GroupConfig group, long boundaryMillis) {
        if (!group.autoDeclareEvents()) {
            return false; // Python clients refuse undeclared events there; declared ones need no SCAN
        }
        String key = group.name();
        Long next = nextProbe.get(key);
        if (next != null && boundaryMillis < next && boundaryMillis >= next - PROBE_PERIOD_MILLIS) {
            return false;
        }
        nextProbe.put(key, boundaryMillis + PROBE_PERIOD_MILLIS);
        return true;
    }

    /** Auto-declared events in {@code cur} written by Python clients (no registry), by escaped SCAN. */
    private Set<String> scanCurrent(GroupConfig group, Interval interval) {
        Set<String> found = new LinkedHashSet<>();
        int prefixLength = Keys.prefix(connection.config.keyMode(), group.name(), interval).length() + Keys.CUR.length();
        connection.scan(Keys.scanPattern(connection.config.keyMode(), group.name(), interval, Keys.CUR), key -> {
            String ev = key.substring(prefixLength);
            if (!group.isDeclared(ev)) {
                found.add(ev);
            }
        });
        return found;
    }

    /** Checks that Redis answers; throws {@link RedisUnavailableException} with a one-line reason otherwise. */
    public void ping() {
        connection.call(j -> j.ping());
    }

    public String describe(Throwable e) {
        return connection.describe(e);
    }

    @Override
    public void close() {
        connection.close();
    }
}
