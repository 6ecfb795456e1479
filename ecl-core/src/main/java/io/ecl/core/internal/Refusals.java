package io.ecl.core.internal;

import io.ecl.core.EventCountLogger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts logged after close(): refused, counted, and the first one logged. It refers to no
 * logger, so the shutdown hook and the cleaner can hold it without keeping a logger alive.
 */
public final class Refusals {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);

    private final LongAdder refused = new LongAdder();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final boolean reportedAtExit;
    private volatile boolean closed;

    /** @param reportedAtExit whether a shutdown hook reports the refusals when the JVM exits */
    public Refusals(boolean reportedAtExit) {
        this.reportedAtExit = reportedAtExit;
    }

    /** Whether the logger is closed: every log() reads this first. */
    public boolean closed() {
        return closed;
    }

    public void close() {
        closed = true;
    }

    public long count() {
        return refused.sum();
    }

    /** Counts taken back from the local counters after the last delivery: refused too. */
    public void add(long counts) {
        refused.add(counts);
    }

    void refuse(String group, String event, long count) {
        refused.add(Math.abs(count));
        if (!warned.get() && warned.compareAndSet(false, true)) {
            LOG.warn("log() after close(): {} count(s) of event '{}' in group '{}' refused; every count logged after"
                    + " close() is refused and counted by refusedCount(){}", Math.abs(count), event, group,
                    reportedAtExit ? ", and their number is reported at JVM exit" : "");
        }
    }
}
