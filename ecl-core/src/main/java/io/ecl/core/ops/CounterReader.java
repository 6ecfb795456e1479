package io.ecl.core.ops;

import io.ecl.core.EclConfig;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.internal.RedisReader;

/**
 * Reads what Redis holds for a (group, interval): the counts of the last complete interval and of
 * the current one, one round trip per (group, interval) whatever the number of events. What
 * {@code ecl-reader} and {@code ecl-reader serve} use; an application that logs reads through
 * {@link io.ecl.core.EventGroup} instead.
 *
 * <pre>{@code
 * try (CounterReader reader = CounterReader.connect(EclConfig.load(Path.of("ecl.yml")))) {
 *     IntervalCounts counts = reader.read("requests", "5m");
 *     counts.last().forEach((event, n) -> System.out.println(event + ":" + n));
 * }
 * }</pre>
 */
public final class CounterReader implements AutoCloseable {
    private final RedisReader reader;

    private CounterReader(RedisReader reader) {
        this.reader = reader;
    }

    /** A reader with its own pooled connection (made at the first read), for any number of threads. */
    public static CounterReader connect(EclConfig config) {
        return new CounterReader(RedisReader.connect(config));
    }

    /**
     * A reader for a few reads on one thread, then {@link #close()}, as a command-line tool does:
     * on a standalone Redis one plain connection instead of a pool, and no round trip a new JVM
     * does not need. It does not reconnect: after a failure, make another.
     */
    public static CounterReader connectOnce(EclConfig config) {
        return new CounterReader(RedisReader.connectOnce(config));
    }

    /**
     * The counts of one (group, interval).
     *
     * @throws io.ecl.core.RedisUnavailableException when Redis cannot be reached
     * @throws io.ecl.core.RedisDataException when a key of the group holds something else than a counter
     */
    public IntervalCounts read(GroupConfig group, Interval interval) {
        return reader.read(group, interval);
    }

    /**
     * The counts of one (group, interval), by name.
     *
     * @throws io.ecl.core.ConfigException when the config has no such group
     * @throws IllegalArgumentException when the group has no such interval
     */
    public IntervalCounts read(String group, String interval) {
        return reader.read(group, interval);
    }

    /** The reader's clock (Unix ms), to pass to {@link IntervalCounts#isStale(long)}. */
    public long now() {
        return reader.now();
    }

    @Override
    public void close() {
        reader.close();
    }
}
