package io.ecl.reader.watch;

import io.ecl.core.ops.HistoryEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The series the sparklines draw for one (group, interval): per name, one value per closed
 * interval, oldest first, made from the entries of the history Redis keeps.
 *
 * <p>An entry written by a catch-up rotation (after ecl-master was down) covers several
 * intervals: its counts are spread evenly over them, so the line shows the rate the counts came
 * at rather than one spike; unique counts and quantiles, which cannot be split, are repeated.
 */
final class History {
    static final History NONE = new History(Map.of(), Map.of(), Map.of(), Map.of());

    private final Map<String, double[]> counts;
    private final Map<String, double[]> uniques;
    private final Map<String, double[]> p50;
    private final Map<String, double[]> p99;

    private History(Map<String, double[]> counts, Map<String, double[]> uniques, Map<String, double[]> p50,
            Map<String, double[]> p99) {
        this.counts = counts;
        this.uniques = uniques;
        this.p50 = p50;
        this.p99 = p99;
    }

    /** The series of the last {@code slots} intervals that {@code entries} (oldest first) cover. */
    static History of(List<HistoryEntry> entries, int slots) {
        int total = 0;
        int first = entries.size();
        while (first > 0 && total < slots) {
            first--;
            total += Math.max(1, entries.get(first).covers());
        }
        List<HistoryEntry> used = entries.subList(first, entries.size());
        int skip = Math.max(0, total - slots); // the oldest entry may cover more than the room left
        int length = total - skip;
        return new History(series(used, HistoryEntry::counts, v -> v, true, skip, length),
                series(used, HistoryEntry::uniques, v -> v, false, skip, length),
                series(used, HistoryEntry::values, v -> v.p50(), false, skip, length),
                series(used, HistoryEntry::values, v -> v.p99(), false, skip, length));
    }

    private static <V> Map<String, double[]> series(List<HistoryEntry> entries,
            java.util.function.Function<HistoryEntry, ? extends Map<String, V>> field, ToDoubleFunction<V> value, boolean spread,
            int skip, int length) {
        Map<String, double[]> out = new HashMap<>();
        int slot = -skip;
        for (HistoryEntry e : entries) {
            int covers = Math.max(1, e.covers());
            for (Map.Entry<String, V> kv : field.apply(e).entrySet()) {
                double v = value.applyAsDouble(kv.getValue());
                double each = spread ? v / covers : v;
                double[] s = out.computeIfAbsent(kv.getKey(), k -> {
                    double[] fresh = new double[length];
                    java.util.Arrays.fill(fresh, spread ? 0 : Double.NaN);
                    return fresh;
                });
                for (int k = 0; k < covers; k++) {
                    if (slot + k >= 0) {
                        s[slot + k] = each;
                    }
                }
            }
            slot += covers;
        }
        return out;
    }

    /** The series of a row, or none (an empty array) when the history does not name it. */
    double[] of(Snapshot.Kind kind, String name) {
        Map<String, double[]> m = switch (kind) {
            case EVENT -> counts;
            case UNIQUE -> uniques;
            case P50 -> p50;
            case P99 -> p99;
        };
        return m.getOrDefault(name, new double[0]);
    }
}
