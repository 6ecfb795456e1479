package io.ecl.reader.watch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.ecl.core.ValueStats;
import io.ecl.core.ops.HistoryEntry;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HistoryTest {
    private static HistoryEntry entry(int covers, long req) {
        return new HistoryEntry(0, covers * 300_000L, covers, new TreeMap<>(Map.of("req", req)),
                new TreeMap<>(Map.of("users", req / 2)), new TreeMap<>(Map.of("ms", stats(req))));
    }

    private static ValueStats stats(double p) {
        return new ValueStats(1, BigDecimal.ONE, p, p, p, 0, p, p, p * 2, p * 2, 0);
    }

    @Test
    void oneValuePerIntervalOldestFirst() {
        History h = History.of(List.of(entry(1, 10), entry(1, 20), entry(1, 30)), 10);
        assertArrayEquals(new double[] {10, 20, 30}, h.of(Snapshot.Kind.EVENT, "req"));
        assertArrayEquals(new double[] {5, 10, 15}, h.of(Snapshot.Kind.UNIQUE, "users"));
        assertArrayEquals(new double[] {10, 20, 30}, h.of(Snapshot.Kind.P50, "ms"));
        assertArrayEquals(new double[] {20, 40, 60}, h.of(Snapshot.Kind.P99, "ms"));
    }

    @Test
    void aCatchUpEntrySpreadsItsCountsOverTheIntervalsItCovers() {
        History h = History.of(List.of(entry(1, 10), entry(3, 30), entry(1, 10)), 10);
        assertArrayEquals(new double[] {10, 10, 10, 10, 10}, h.of(Snapshot.Kind.EVENT, "req"));
        // a unique count or a quantile cannot be split: repeated
        assertArrayEquals(new double[] {5, 15, 15, 15, 5}, h.of(Snapshot.Kind.UNIQUE, "users"));
        assertArrayEquals(new double[] {10, 30, 30, 30, 10}, h.of(Snapshot.Kind.P50, "ms"));
    }

    @Test
    void onlyTheNewestSlotsAreKeptEvenInsideAnEntry() {
        History h = History.of(List.of(entry(1, 99), entry(4, 40), entry(1, 7)), 3);
        assertArrayEquals(new double[] {10, 10, 7}, h.of(Snapshot.Kind.EVENT, "req"));
    }

    @Test
    void anEventMissingFromOlderEntriesCountedZeroThere() {
        History h = History.of(List.of(new HistoryEntry(0, 300_000, 1, new TreeMap<>(), new TreeMap<>(), new TreeMap<>()), entry(1, 4)), 5);
        assertArrayEquals(new double[] {0, 4}, h.of(Snapshot.Kind.EVENT, "req"));
        assertArrayEquals(new double[] {Double.NaN, 4}, h.of(Snapshot.Kind.P50, "ms"));
    }

    @Test
    void noHistoryNoSeries() {
        assertArrayEquals(new double[0], History.of(List.of(), 10).of(Snapshot.Kind.EVENT, "req"));
        assertArrayEquals(new double[0], History.NONE.of(Snapshot.Kind.EVENT, "req"));
    }
}
