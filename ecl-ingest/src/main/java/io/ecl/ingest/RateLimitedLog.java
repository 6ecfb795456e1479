package io.ecl.ingest;

import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Warnings about what senders do (malformed lines, unmapped names), which a misbehaving client
 * can repeat a million times a second: at most {@code burst} lines per {@code period}; the lines
 * left out are counted and the next line that gets through says how many.
 */
final class RateLimitedLog {
    private final Logger log;
    private final int burst;
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private long windowStart;
    private int inWindow;
    private long suppressed;

    RateLimitedLog(Logger log, int burst, long periodMillis, LongSupplier nanoTime) {
        this.log = log;
        this.burst = burst;
        this.periodNanos = periodMillis * 1_000_000L;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    /** Logs {@code message} as a warning unless this window's lines are used up. */
    void warn(String message) {
        long left;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (now - windowStart >= periodNanos) {
                windowStart = now;
                inWindow = 0;
            }
            if (inWindow >= burst) {
                suppressed++;
                return;
            }
            inWindow++;
            left = suppressed;
            suppressed = 0;
        }
        if (left > 0) {
            log.warn("{} ({} similar warnings left out before this one)", message, left);
        } else {
            log.warn(message);
        }
    }
}
