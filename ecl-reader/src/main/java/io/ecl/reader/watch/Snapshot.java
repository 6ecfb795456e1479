package io.ecl.reader.watch;

import java.util.List;

/**
 * What one refresh read from Redis, ready to draw: every (group, interval) watched and the
 * writers' heartbeats. Immutable: the thread that reads Redis hands it to the one that draws.
 *
 * @param takenMillis when the read finished (Unix ms)
 * @param panels one per (group, interval), in the config's order
 * @param writers the writers with a live heartbeat, and those seen earlier whose heartbeat expired
 * @param status null when the read succeeded; else why it did not (Redis unreachable), the
 *     panels then being those of the last read that succeeded
 * @param dataMillis when the panels were read (Unix ms; 0: never)
 */
record Snapshot(long takenMillis, List<Panel> panels, List<Writer> writers, String status, long dataMillis) {
    static final Snapshot NOTHING_YET = new Snapshot(0, List.of(), List.of(), "reading Redis...", 0);

    /**
     * One (group, interval).
     *
     * @param lastStartMillis the start of the last complete interval, or null when not recorded
     * @param currentStartMillis the start of the current interval, or null before its first rotation
     * @param stale true when the current interval should have been rotated and was not
     * @param problem null, or why this (group, interval) could not be read (a key ecl cannot read)
     */
    record Panel(String group, String interval, Long lastStartMillis, Long currentStartMillis, boolean stale,
            List<Row> rows, String problem) {
    }

    /** What a row shows. */
    enum Kind {
        EVENT, UNIQUE, P50, P99
    }

    /**
     * One event, unique-count name or value quantile.
     *
     * @param last its count (or quantile) in the last complete interval; NaN: none
     * @param current so far in the current interval
     * @param history the closed intervals kept in Redis, oldest first, one per interval (an entry
     *     that covers several intervals, after an outage, is spread evenly over them)
     */
    record Row(String name, Kind kind, double last, double current, double[] history) {
    }

    /**
     * One writer.
     *
     * @param up false for a writer seen during this session whose heartbeat has since expired
     */
    record Writer(String instance, String app, String host, long pid, long pending, long dropped, boolean up,
            long beatMillis, String lastFailure) {
    }
}
