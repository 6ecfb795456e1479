package io.ecl.core.ops;

import io.ecl.core.ValueStats;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One closed interval of a (group, interval) as Redis keeps it for the group's {@code history}
 * ({@link CounterReader#history}): when it began and ended and what was counted in it.
 *
 * @param startMillis start of the closed interval, Unix ms
 * @param endMillis its end (the start of the interval that followed), Unix ms
 * @param covers how many intervals it spans: 1, or more when a rotation caught up after an outage
 *     of every rotator (the counts are then those of the whole span)
 * @param counts every declared event (0 when none) and every other event counted in it, by ID
 * @param uniques every unique count of the group (0 when none), by name
 * @param values every value statistics of the group ({@link ValueStats#EMPTY} when none), by name
 */
public record HistoryEntry(long startMillis, long endMillis, int covers, SortedMap<String, Long> counts,
        SortedMap<String, Long> uniques, SortedMap<String, ValueStats> values) {

    public HistoryEntry {
        counts = Collections.unmodifiableSortedMap(new TreeMap<>(counts));
        uniques = Collections.unmodifiableSortedMap(new TreeMap<>(uniques));
        values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }
}
