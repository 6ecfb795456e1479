package io.ecl.core;

import java.util.Collections;
import java.util.SortedMap;

/**
 * What Redis holds for one (group, interval): the counts of the last complete interval and of the
 * current one, sorted by event ID, with the times they cover and any late counts.
 */
public final class IntervalCounts {
    private final String group;
    private final Interval interval;
    private final SortedMap<String, Long> last;
    private final SortedMap<String, Long> current;
    private final Long currentStart;
    private final Long lastStart;
    private final long lateInCurrent;
    private final long lateInLast;
    private final SortedMap<String, Long> lastUniques;
    private final SortedMap<String, Long> currentUniques;
    private final SortedMap<String, ValueStats> lastValues;
    private final SortedMap<String, ValueStats> currentValues;

    /** Made by the readers (and by tests and tools that build expected values); no unique counts. */
    public IntervalCounts(String group, Interval interval, SortedMap<String, Long> last, SortedMap<String, Long> current,
            Long currentStart, Long lastStart, long lateInCurrent, long lateInLast) {
        this(group, interval, last, current, currentStart, lastStart, lateInCurrent, lateInLast,
                Collections.emptySortedMap(), Collections.emptySortedMap(), Collections.emptySortedMap(),
                Collections.emptySortedMap());
    }

    /** With the unique counts and the value statistics of each section, by name. */
    public IntervalCounts(String group, Interval interval, SortedMap<String, Long> last, SortedMap<String, Long> current,
            Long currentStart, Long lastStart, long lateInCurrent, long lateInLast,
            SortedMap<String, Long> lastUniques, SortedMap<String, Long> currentUniques,
            SortedMap<String, ValueStats> lastValues, SortedMap<String, ValueStats> currentValues) {
        this.lastUniques = Collections.unmodifiableSortedMap(lastUniques);
        this.currentUniques = Collections.unmodifiableSortedMap(currentUniques);
        this.lastValues = Collections.unmodifiableSortedMap(lastValues);
        this.currentValues = Collections.unmodifiableSortedMap(currentValues);
        this.group = group;
        this.interval = interval;
        this.last = Collections.unmodifiableSortedMap(last);
        this.current = Collections.unmodifiableSortedMap(current);
        this.currentStart = currentStart;
        this.lastStart = lastStart;
        this.lateInCurrent = lateInCurrent;
        this.lateInLast = lateInLast;
    }

    public String group() { return group; }

    public Interval interval() { return interval; }

    /** Counts of the last complete interval; missing counters read 0. */
    public SortedMap<String, Long> last() { return last; }

    /** Counts of the current interval so far. */
    public SortedMap<String, Long> current() { return current; }

    /** Start of the current interval (Unix ms) as the master set it, or null if never rotated. */
    public Long currentStartMillis() { return currentStart; }

    /** Start of what {@link #last()} covers (Unix ms), or null when unknown. It ends at {@link #currentStartMillis()}. */
    public Long lastStartMillis() { return lastStart; }

    /** Counts that reached Redis after their interval was closed, credited to the current interval. */
    public long lateInCurrent() { return lateInCurrent; }

    /** The same for the interval now in {@link #last()}. */
    public long lateInLast() { return lateInLast; }

    /**
     * Unique counts of the last complete interval, by name: distinct values logged, as Redis's
     * HyperLogLog estimates them (standard error 0.81 %). Declared names without values read 0.
     */
    public SortedMap<String, Long> lastUniques() { return lastUniques; }

    /** Unique counts of the current interval so far. */
    public SortedMap<String, Long> currentUniques() { return currentUniques; }

    /** Value statistics of the last complete interval, by name; declared names without values are {@link ValueStats#EMPTY}. */
    public SortedMap<String, ValueStats> lastValues() { return lastValues; }

    /** Value statistics of the current interval so far. */
    public SortedMap<String, ValueStats> currentValues() { return currentValues; }

    /**
     * True when {@code last} covers more than one interval length: the master (and every writer)
     * was away across a boundary, so the counts of several intervals are merged.
     */
    public boolean lastCoversSeveralIntervals() {
        return currentStart != null && lastStart != null && currentStart - lastStart > interval.lengthMillis();
    }

    /**
     * True when the current interval should have been rotated already at {@code nowMillis}
     * (plus a grace of a tenth of the interval, at least 2 s), i.e. no master is rotating and
     * {@code last} is old.
     */
    public boolean isStale(long nowMillis) {
        if (currentStart == null) {
            return true;
        }
        long grace = Math.max(2_000, interval.lengthMillis() / 10);
        return nowMillis > currentStart + interval.lengthMillis() + grace;
    }
}
