package io.ecl.core.internal;

import java.util.concurrent.TimeUnit;
import redis.clients.jedis.exceptions.JedisException;

/**
 * When the flusher may send next: the backoff after a failed send (100 ms doubling to 5 s), the
 * poll of chunks held until a master opens their interval, and what was delivered since the
 * outage began. Times are {@link System#nanoTime()}, not the injected clock: a wall clock stepped
 * back (or a test's frozen one) must not postpone the retries. Guarded by the flusher's lock.
 */
final class SendSchedule {
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** Every few ms while counts are held: a Python master rotates a few ms after the boundary. */
    static final long HOLD_POLL_MS = 20;

    private final LoggerContext ctx;
    private long backoffMs = MIN_BACKOFF_MS;
    private long nextRetryNanos;
    private long nextHoldPollNanos;
    private long delivered;

    SendSchedule(LoggerContext ctx) {
        this.ctx = ctx;
    }

    /** A send failed: Redis is down for the health state, and the next retry waits the backoff. */
    void failed(JedisException e) {
        ctx.connection().clusterChanged();
        ctx.health().markDown(e);
        nextRetryNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    /** A send went through: the backoff starts over, and an outage (if any) is over. */
    void recovered() {
        backoffMs = MIN_BACKOFF_MS;
        ctx.health().markUp(delivered);
        delivered = 0;
    }

    void delivered(long counts) {
        delivered += counts;
    }

    /** A chunk was held: poll again in {@link #HOLD_POLL_MS}. */
    void held() {
        nextHoldPollNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLD_POLL_MS);
    }

    long nextRetryNanos() {
        return nextRetryNanos;
    }

    long nextHoldPollNanos() {
        return nextHoldPollNanos;
    }
}
