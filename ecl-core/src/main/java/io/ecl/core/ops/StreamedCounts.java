package io.ecl.core.ops;

import io.ecl.core.IntervalCounts;
import io.ecl.core.internal.SortedCounts;
import java.io.IOException;
import java.util.Comparator;
import java.util.Map;

/**
 * The counts of one (group, interval) read for output ({@link CounterReader#readStreamed}): the
 * times and late counts of {@link #header()}, and the counts themselves, visited in event-ID order
 * (code points, as Python's {@code sorted()}) as often as needed, without ever holding them all.
 *
 * <p>A group small enough for one script keeps its counts in memory. A bigger one (more registry
 * members than {@link CounterReader.Paging#threshold()}) is sorted in runs of that many events:
 * one run stays in memory; more go to a temporary file in {@code java.io.tmpdir}, unlinked as
 * soon as it is open (nothing is left behind however the process ends; about 35 bytes an event
 * and registry, 34 MB for 500,000 events in both), and are merged while visited. Sorting also
 * drops the events read twice (in both registries, declared and registered, or returned twice
 * by SSCAN). Close it to free the file.
 */
public final class StreamedCounts implements AutoCloseable {
    /** Receives one count after another. */
    @FunctionalInterface
    public interface CountVisitor {
        void count(String event, long count) throws IOException;
    }

    /** Code-point order of strings (Python's), the order of {@link #forEachLast}. */
    public static final Comparator<String> CODE_POINT_ORDER = SortedCounts.CODE_POINT_ORDER;

    /** Counts (event ID to count) by event ID in {@link #CODE_POINT_ORDER}. */
    public static final Comparator<Map.Entry<String, Long>> BY_EVENT = SortedCounts.BY_EVENT;

    private final SortedCounts counts;

    StreamedCounts(SortedCounts counts) {
        this.counts = counts;
    }

    /**
     * The (group, interval), the times the counts cover and the late counts. Its
     * {@link IntervalCounts#last()} and {@link IntervalCounts#current()} are the counts for a group
     * read in one script, empty for one read in pages: visit the counts with {@link #forEachLast} and {@link #forEachCurrent}.
     */
    public IntervalCounts header() {
        return counts.header();
    }

    /** Whether the group was read in pages (its counts may be in a temporary file). */
    public boolean paged() {
        return counts.paged();
    }

    /**
     * Hands the counts of the last complete interval to {@code visitor}, in event-ID order, each
     * event once.
     *
     * @throws IOException when the visitor throws it, or the temporary file cannot be read
     */
    public void forEachLast(CountVisitor visitor) throws IOException {
        counts.forEach(true, adapter(visitor));
    }

    /** Like {@link #forEachLast}, the counts of the current interval. */
    public void forEachCurrent(CountVisitor visitor) throws IOException {
        counts.forEach(false, adapter(visitor));
    }

    /** {@code visitor} as the internal visitor; a class, as linking a lambda costs a one-shot reader more. */
    private static SortedCounts.CountVisitor adapter(CountVisitor visitor) {
        return new SortedCounts.CountVisitor() {
            @Override
            public void count(String event, long count) throws IOException {
                visitor.count(event, count);
            }
        };
    }

    /** Frees the temporary file, if any. */
    @Override
    public void close() {
        counts.close();
    }
}
