package io.ecl.reader.watch;

import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ecl-reader watch}: the live view of the counts, in full screen on a terminal, as plain
 * blocks of text otherwise. Reading Redis runs on a thread of its own, so the keys answer while a
 * read waits for an unreachable Redis.
 */
public final class Watch {
    /** The width of plain output. */
    static final int PLAIN_WIDTH = 80;

    private final EclConfig config;
    private final List<Poller.Target> targets;
    private final String label;
    private final long refreshMillis;
    private final Clock clock;
    private final ZoneId zone;
    private final Poller.HistorySource history;

    private Watch(EclConfig config, List<Poller.Target> targets, String label, long refreshMillis, Clock clock,
            ZoneId zone, Poller.HistorySource history) {
        this.config = config;
        this.targets = targets;
        this.label = label;
        this.refreshMillis = refreshMillis;
        this.clock = clock;
        this.zone = zone;
        this.history = history;
    }

    /**
     * The watch of {@code group} (null: every group) and {@code interval} (null: every interval
     * of the groups watched), refreshed every {@code refreshMillis}.
     *
     * @param label what the title line names (the config file)
     * @throws ConfigException naming the group or interval the config does not have, with the
     *     Python reader's messages
     */
    public static Watch of(EclConfig config, String group, String interval, String label, long refreshMillis) {
        java.util.Collection<GroupConfig> groups = group == null ? config.groups() : List.of(config.requireGroup(group));
        List<Poller.Target> targets = new ArrayList<>();
        for (GroupConfig g : groups) {
            for (Interval i : g.intervals()) {
                if (interval == null || i.name().equals(interval)) {
                    targets.add(new Poller.Target(g, i));
                }
            }
        }
        if (interval != null && targets.isEmpty()) {
            throw new ConfigException(group != null ? "Interval '" + Columns.printable(interval)
                    + "' not configured for this group." : "no group has the interval '"
                    + Columns.printable(interval) + "'");
        }
        return new Watch(config, targets, label, refreshMillis, Clock.systemUTC(), ZoneId.systemDefault(),
                Poller.HistorySource.REDIS);
    }

    /** What is watched, in the config's order. */
    List<Poller.Target> targets() {
        return targets;
    }

    /** Plain output to {@code out} until it is closed or the process is stopped. */
    public void plain(PrintWriter out) throws InterruptedException {
        WatchView.Screen screen = new WatchView.Screen(PLAIN_WIDTH, 0, WatchView.Glyphs.UNICODE, zone, label);
        ViewState state = new ViewState();
        try (Poller poller = new Poller(config, targets, history, clock)) {
            long next = clock.millis();
            while (true) {
                Snapshot s = poller.poll(WatchView.Layout.of(PLAIN_WIDTH).spark());
                for (WatchView.Line line : WatchView.render(s, state, screen)) {
                    out.append(line.text().stripTrailing()).append('\n');
                }
                out.append('\n').flush();
                // The reader of the pipe went away (| head): the write failed, in this writer or in
                // System.out, a PrintStream that keeps its own error rather than passing it on.
                if (out.checkError() || System.out.checkError()) {
                    return;
                }
                next = nextTick(next);
                Thread.sleep(Math.max(0, next - clock.millis()));
            }
        }
    }

    /**
     * The full-screen view on this process's terminal until q or Ctrl-C; false, having shown
     * nothing, when the terminal cannot be driven (TERM unset or dumb): then use {@link #plain}.
     */
    public boolean onTerminal() throws IOException {
        AtomicReference<Snapshot> snapshots = new AtomicReference<>(Snapshot.NOTHING_YET);
        AtomicInteger slots = new AtomicInteger(-1);
        try (Poller poller = new Poller(config, targets, history, clock)) {
            Thread reading = new Thread(() -> {
                long next = clock.millis();
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        while (slots.get() < 0) { // the first read waits for the screen's width
                            Thread.sleep(10);
                        }
                        try {
                            snapshots.set(poller.poll(slots.get()));
                        } catch (RuntimeException e) {
                            // a bug rather than Redis (the poller reports Redis itself): shown, and tried again
                            snapshots.set(new Snapshot(clock.millis(), snapshots.get().panels(), snapshots.get().writers(),
                                    "unexpected error: " + e, snapshots.get().dataMillis()));
                        }
                        next = nextTick(next);
                        Thread.sleep(Math.max(0, next - clock.millis()));
                    }
                } catch (InterruptedException e) {
                    // the view closed
                }
            }, "ecl-watch-read");
            reading.setDaemon(true);
            reading.start();
            try {
                return TerminalScreen.runOnTerminal(snapshots, slots::set, label, zone);
            } finally {
                reading.interrupt();
                try {
                    reading.join(2_000); // a read waiting on Redis ends at its timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The next refresh after {@code previous}: on the beat, or a whole period from now when a read overran it. */
    private long nextTick(long previous) {
        long next = previous + refreshMillis;
        long now = clock.millis();
        return next >= now ? next : now + refreshMillis;
    }
}
