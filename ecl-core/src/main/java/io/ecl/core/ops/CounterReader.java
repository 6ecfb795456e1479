package io.ecl.core.ops;

import io.ecl.core.EclConfig;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.internal.RedisReader;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;

/**
 * Reads what Redis holds for a (group, interval): the counts of the last complete interval and of
 * the current one, one round trip per (group, interval) up to {@link Paging#threshold()} events
 * in its registries, in pages beyond ({@link #readStreamed} then prints them in bounded memory). What
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

    /**
     * How big groups are read. A (group, interval) whose registries ({@code cur:@reg} and
     * {@code last:@reg}) hold at most {@code threshold} members is read by one script, in one
     * round trip; a bigger one in pages of {@code pageEvents} events (SSCAN, then one MGET of
     * their counters), so that Redis serves other clients in between and no reply outruns the
     * timeout. {@link #readStreamed} then holds at most {@code threshold} events in memory.
     */
    public record Paging(int threshold, int pageEvents) {
        /** 20,000 and 5,000. */
        public static final Paging DEFAULT = new Paging(RedisReader.THRESHOLD, RedisReader.PAGE_EVENTS);

        public Paging {
            if (threshold < 1 || pageEvents < 1) {
                throw new IllegalArgumentException("threshold " + threshold + " and pageEvents " + pageEvents
                        + " must be at least 1");
            }
        }
    }

    private CounterReader(RedisReader reader) {
        this.reader = reader;
    }

    /** A reader with its own pooled connection (made at the first read), for any number of threads. */
    public static CounterReader connect(EclConfig config) {
        return new CounterReader(RedisReader.connect(config));
    }

    /** {@link #connect(EclConfig)} reading big groups as {@code paging} says. */
    public static CounterReader connect(EclConfig config, Paging paging) {
        return new CounterReader(RedisReader.connect(config, paging.threshold(), paging.pageEvents(),
                RedisReader.Probe.NONE));
    }

    /**
     * A reader for a few reads on one thread, then {@link #close()}, as a command-line tool does:
     * on a standalone Redis one plain connection instead of a pool, and no round trip a new JVM
     * does not need. After a failure, make another.
     */
    public static CounterReader connectOnce(EclConfig config) {
        return new CounterReader(RedisReader.connectOnce(config));
    }

    /** {@link #connectOnce(EclConfig)} reading big groups as {@code paging} says. */
    public static CounterReader connectOnce(EclConfig config, Paging paging) {
        return new CounterReader(RedisReader.connectOnce(config, paging.threshold(), paging.pageEvents(),
                RedisReader.Probe.NONE));
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

    /**
     * The counts of one (group, interval), as {@link #read(GroupConfig, Interval)} gives them, for
     * output in bounded memory: a group read in pages (see {@link Paging}) is kept sorted in a
     * temporary file rather than in memory; close the result.
     *
     * <p>A group read in pages is not one atomic snapshot as a group read by one script is: the
     * counts of {@code cur} are read page by page while writers go on counting. It never mixes
     * two intervals: each page's MGET also reads {@code cur:@ts}, and when a rotation has changed
     * it since the first page, the read starts again (at most 3 times, then a
     * {@link RedisUnavailableException} says the group kept rotating). Nothing of a read is
     * visible before it is complete.
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     * @throws RedisDataException when a key of the (group, interval) holds data ecl cannot read
     * @throws java.io.UncheckedIOException when the temporary file cannot be written
     */
    public StreamedCounts readStreamed(GroupConfig group, Interval interval) {
        return new StreamedCounts(reader.readStreamed(group, interval));
    }

    /**
     * The last {@code n} closed intervals of one (group, interval), oldest first: at most
     * {@code n}, at most the group's {@link GroupConfig#history()}, fewer while Redis has kept
     * fewer; empty when the group keeps no history. The newest is the interval {@code last} holds
     * (with the counts that crossed its end boundary, credited there after the rotation); every
     * rotation (by ecl-master or by a writer) keeps the one it takes out of {@code last}. A
     * rotation that caught up after an outage closes one interval that
     * {@link HistoryEntry#covers() covers} every interval it missed. Read in one script.
     *
     * @throws IllegalArgumentException when {@code n} is negative
     * @throws RedisUnavailableException when Redis cannot be reached
     * @throws RedisDataException when the history key holds data ecl did not write
     */
    public List<HistoryEntry> history(GroupConfig group, Interval interval, int n) {
        return reader.history(group, interval, n);
    }

    /**
     * Each event's count over every interval since the totals were last reset ({@link #resetTotals}),
     * the current one included: a counter that only grows while counts are positive, across
     * rotations and restarts, counts credited late included (every count is in exactly one of the
     * retired intervals' sums, {@code last} and {@code cur}; a rotation moves them and changes no
     * total). Read in one script. Declared events are there (0 when never counted); others once
     * counted. Intervals the Python version's master rotates are not added: while it rotates a
     * group, its totals go back at each of its rotations.
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     * @throws RedisDataException when a total or a counter is not an integer
     */
    public SortedMap<String, Long> totals(GroupConfig group, Interval interval) {
        return Collections.unmodifiableSortedMap(reader.totals(group, interval));
    }

    /**
     * Starts the totals of one (group, interval) again: every total is 0 at this instant (one
     * script) and counts from there. The counts themselves and the history are not touched.
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     */
    public void resetTotals(GroupConfig group, Interval interval) {
        reader.resetTotals(group, interval);
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
