package io.ecl.core.internal;

import io.ecl.core.EclListener;
import io.ecl.core.EventCountLogger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Whether Redis answers, and what went wrong: the one place that logs these events and tells the
 * application's {@link EclListener}. The groups and the flusher report here; the logger's
 * {@code health()} reads it.
 */
public final class HealthState {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);
    private static final int MAX_REPORTED = 100;

    private final RedisConnection connection;
    private final Clock clock;
    private final EclListener listener;
    /** True from a failed Redis call until the flusher delivers again; direct-mode log() then counts locally. */
    private volatile boolean redisDown;
    /** Guards the up/down transitions (the flusher calls them with its lock held; log() threads too). */
    private final Object stateLock = new Object();
    private long downSinceNanos;
    private volatile Instant downSince;
    private volatile String lastFailure;
    private final LongAdder dataErrors = new LongAdder();
    private final Set<String> reportedDataErrors = ConcurrentHashMap.newKeySet();
    private final Set<String> reportedOverflows = ConcurrentHashMap.newKeySet();

    public HealthState(RedisConnection connection, Clock clock, EclListener listener) {
        this.connection = connection;
        this.clock = clock;
        this.listener = listener;
    }

    /** Lock-free: read on every direct-mode log(). */
    public boolean redisDown() {
        return redisDown;
    }

    /** When the current outage began, or null. */
    public Instant downSince() {
        return downSince;
    }

    public String lastFailure() {
        return lastFailure;
    }

    public long dataErrors() {
        return dataErrors.sum();
    }

    void markDown(JedisException e) {
        String reason = connection.describe(e);
        lastFailure = reason;
        boolean began = false;
        synchronized (stateLock) {
            if (!redisDown) {
                redisDown = true;
                downSinceNanos = System.nanoTime();
                downSince = clock.instant();
                began = true;
            }
        }
        if (began) {
            LOG.warn("{}; counting in memory and retrying in the background", reason);
            tell(() -> listener.redisDown(reason));
        } else {
            LOG.debug("Redis still unavailable: {}", reason);
        }
    }

    void markUp(long delivered) {
        long downNanos;
        synchronized (stateLock) {
            if (!redisDown) {
                return;
            }
            redisDown = false;
            downSince = null;
            downNanos = System.nanoTime() - downSinceNanos;
        }
        LOG.info("Redis at {} is reachable again after {} ms; delivered {} counts held in memory",
                connection.config.address(), downNanos / 1_000_000, delivered);
        tell(() -> listener.redisUp(Duration.ofNanos(downNanos), delivered));
    }

    void reportDataError(String group, JedisException e, long count) {
        String message = connection.describe(e);
        boolean notCounted = e.getMessage() != null && e.getMessage().startsWith("NOTCOUNTED");
        dataErrors.add(Math.abs(count));
        String key = group + "|" + e.getMessage();
        if (reportedDataErrors.size() < MAX_REPORTED && reportedDataErrors.add(key)) {
            if (notCounted) {
                LOG.error("group '{}': {}", group, message);
            } else {
                LOG.error("group '{}': {}; {} counts not stored (a key of this group may hold a non-counter value)",
                        group, message, count);
            }
        }
        tell(() -> listener.dataError(group, message, Math.abs(count)));
    }

    /** A local sum of {@code event} that went beyond a long: it stays at {@code limit}, {@code lost} is not counted. */
    void reportOverflow(String group, String event, long limit, long lost) {
        String message = "the count of event '" + event + "' would go beyond " + limit
                + ", the limit of a Redis counter; it stays at the limit and " + lost + " counts are not counted";
        dataErrors.add(lost);
        if (reportedOverflows.size() < MAX_REPORTED && reportedOverflows.add(group + "|" + event)) {
            LOG.error("group '{}': {}", group, message);
        } else {
            LOG.debug("group '{}': event '{}' saturated again, {} counts not counted", group, event, lost);
        }
        tell(() -> listener.dataError(group, message, lost));
    }

    void reportDropped(String group, long counts) {
        tell(() -> listener.dropped(group, counts));
    }

    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("an EclListener threw {}; ignored", e.toString(), e);
        }
    }
}
