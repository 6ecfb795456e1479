package io.ecl.reader.watch;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ValueStats;
import io.ecl.core.ops.Clients;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.HistoryEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Reads one {@link Snapshot} at a time from Redis. A read never throws for what Redis does: when
 * Redis cannot be reached the snapshot says so in its status and keeps the panels of the last
 * read that worked, and the next read tries again (the reader's pool reconnects).
 */
final class Poller implements AutoCloseable {
    /** What is watched: one (group, interval). */
    record Target(GroupConfig group, Interval interval) {
    }

    /** Where the sparklines' series come from. */
    interface HistorySource {
        /** The history of one (group, interval), oldest first, at most {@code n} entries. */
        List<HistoryEntry> read(CounterReader reader, GroupConfig group, Interval interval, int n);

        /** None at all. */
        HistorySource NONE = (reader, group, interval, n) -> List.of();

        /** What Redis keeps for groups with {@code history: N} (nothing is read for the others). */
        HistorySource REDIS = (reader, group, interval, n) -> group.history() == 0 ? List.of()
                : reader.history(group, interval, n);
    }

    private final EclConfig config;
    private final List<Target> targets;
    private final HistorySource history;
    private final Clock clock;
    private final CounterReader reader;
    private final Map<String, Snapshot.Writer> writersSeen = new LinkedHashMap<>();
    private List<Snapshot.Panel> lastPanels = List.of();
    private long lastPanelsMillis;

    Poller(EclConfig config, List<Target> targets, HistorySource history, Clock clock) {
        this.config = config;
        this.targets = List.copyOf(targets);
        this.history = history;
        this.clock = clock;
        this.reader = CounterReader.connect(config);
    }

    /** Reads every target and the writers; {@code slots}: how many intervals each sparkline shows. */
    Snapshot poll(int slots) {
        try {
            List<Snapshot.Panel> panels = new ArrayList<>(targets.size());
            for (Target t : targets) {
                panels.add(panel(t, slots));
            }
            List<Snapshot.Writer> writers = writers(Clients.list(config));
            lastPanels = panels;
            lastPanelsMillis = clock.millis();
            return new Snapshot(lastPanelsMillis, panels, writers, null, lastPanelsMillis);
        } catch (RedisUnavailableException e) {
            return new Snapshot(clock.millis(), lastPanels, sorted(writersSeen.values()),
                    e.getMessage() + " (retrying)", lastPanelsMillis);
        }
    }

    private Snapshot.Panel panel(Target t, int slots) {
        GroupConfig g = t.group();
        Interval i = t.interval();
        IntervalCounts c;
        History h;
        try {
            c = reader.read(g, i);
            h = slots <= 0 ? History.NONE : History.of(history.read(reader, g, i, slots), slots);
        } catch (RedisDataException e) {
            return new Snapshot.Panel(g.name(), i.name(), null, null, false, List.of(), e.getMessage());
        }
        List<Snapshot.Row> rows = new ArrayList<>();
        for (String event : union(List.of(), c.last(), c.current())) {
            rows.add(new Snapshot.Row(event, Snapshot.Kind.EVENT, c.last().getOrDefault(event, 0L),
                    c.current().getOrDefault(event, 0L), h.of(Snapshot.Kind.EVENT, event)));
        }
        for (String name : union(g.uniques(), c.lastUniques(), c.currentUniques())) {
            rows.add(new Snapshot.Row(name, Snapshot.Kind.UNIQUE, c.lastUniques().getOrDefault(name, 0L),
                    c.currentUniques().getOrDefault(name, 0L), h.of(Snapshot.Kind.UNIQUE, name)));
        }
        for (String name : union(g.values(), c.lastValues(), c.currentValues())) {
            ValueStats last = c.lastValues().getOrDefault(name, ValueStats.EMPTY);
            ValueStats current = c.currentValues().getOrDefault(name, ValueStats.EMPTY);
            rows.add(new Snapshot.Row(name, Snapshot.Kind.P50, last.p50(), current.p50(), h.of(Snapshot.Kind.P50, name)));
            rows.add(new Snapshot.Row(name, Snapshot.Kind.P99, last.p99(), current.p99(), h.of(Snapshot.Kind.P99, name)));
        }
        return new Snapshot.Panel(g.name(), i.name(), c.lastStartMillis(), c.currentStartMillis(),
                c.isStale(clock.millis()), rows, null);
    }

    private static TreeSet<String> union(List<String> declared, SortedMap<String, ?> a, SortedMap<String, ?> b) {
        TreeSet<String> names = new TreeSet<>(declared);
        names.addAll(a.keySet());
        names.addAll(b.keySet());
        return names;
    }

    /** The live writers, and those seen earlier in this session whose heartbeat has expired (down). */
    private List<Snapshot.Writer> writers(List<Clients.Client> live) {
        writersSeen.replaceAll((id, w) -> new Snapshot.Writer(w.instance(), w.app(), w.host(), w.pid(), w.pending(),
                w.dropped(), false, w.beatMillis(), w.lastFailure()));
        for (Clients.Client c : live) {
            writersSeen.put(c.instance(), new Snapshot.Writer(c.instance(), c.app(), c.host(), c.pid(),
                    c.pendingEvents(), c.dropped(), true, c.beatMillis(), c.lastFailure()));
        }
        return sorted(writersSeen.values());
    }

    /** By app, host and pid: a stable order, where Redis lists the most recent beat first. */
    private static List<Snapshot.Writer> sorted(java.util.Collection<Snapshot.Writer> writers) {
        List<Snapshot.Writer> out = new ArrayList<>(writers);
        out.sort(Comparator.comparing(Snapshot.Writer::app).thenComparing(Snapshot.Writer::host)
                .thenComparingLong(Snapshot.Writer::pid).thenComparing(Snapshot.Writer::instance));
        return out;
    }

    @Override
    public void close() {
        reader.close();
    }
}
