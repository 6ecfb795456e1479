package io.ecl.core;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The entry point: counts events of the configured groups into Redis.
 *
 * <pre>{@code
 * try (EventCountLogger ecl = EventCountLogger.create(EclConfig.load(Path.of("ecl.yml")))) {
 *     EventGroup requests = ecl.group("requests");
 *     requests.log("req1");
 * }
 * }</pre>
 *
 * Creating a logger does no I/O and never fails because Redis is down; declarations and counts
 * are delivered by a background thread as soon as Redis answers. {@link #close()} (and, unless
 * disabled, a JVM shutdown hook) delivers what is pending within {@link Builder#closeTimeout}.
 */
public final class EventCountLogger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);

    private final EclConfig config;
    final Clock clock;
    final RedisConnection connection;
    final Flusher flusher;
    private final Map<String, RedisEventGroup> groups;
    private final Set<String> warnedGroups = ConcurrentHashMap.newKeySet();
    private final Duration closeTimeout;
    private final Thread shutdownHook;
    private volatile CounterReader reader;
    private volatile boolean closed;
    /** True from a failed Redis call until the flusher delivers again; direct-mode log() then counts locally. */
    volatile boolean redisDown;
    /**
     * Guards the up/down transitions. Not {@code this}: close() holds this monitor while it waits
     * for the flusher, which calls markUp/markDown with the flush lock held.
     */
    private final Object stateLock = new Object();
    private long downSince;
    private final Set<String> reportedDataErrors = ConcurrentHashMap.newKeySet();
    /** Identifies this logger's markers in Redis (flush chunks, direct-mode calls); no ':', '.' or '|'. */
    final String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    /** Sequence of direct-mode calls, recorded per thread in Redis so a call in doubt is never counted twice. */
    final java.util.concurrent.atomic.AtomicLong directSeq = new java.util.concurrent.atomic.AtomicLong();

    private EventCountLogger(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.closeTimeout = b.closeTimeout;
        for (String w : config.warnings()) {
            LOG.warn(w);
        }
        this.connection = new RedisConnection(config.redis(), b.poolSize);
        Map<String, RedisEventGroup> g = new LinkedHashMap<>();
        for (GroupConfig gc : config.groups()) {
            g.put(gc.name(), new RedisEventGroup(gc, this));
        }
        this.groups = Collections.unmodifiableMap(g);
        // No ':' in chunk IDs: they end up in marker keys that Python's SCAN must not match.
        this.flusher = new Flusher(this, new ArrayList<>(groups.values()), instanceId + ".");
        flusher.openEpochs();
        flusher.start();
        connection.warmUp();
        if (b.shutdownHook) {
            shutdownHook = new Thread(this::closeFromHook, "ecl-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } else {
            shutdownHook = null;
        }
    }

    /** A logger with the defaults: system clock, shutdown hook, 5 s close timeout. */
    public static EventCountLogger create(EclConfig config) {
        return builder(config).build();
    }

    public static Builder builder(EclConfig config) {
        return new Builder(config);
    }

    /**
     * The group called {@code name}. For a name the config does not define, a group that counts
     * nothing (and one warning per name), as in the Python version.
     */
    public EventGroup group(String name) {
        RedisEventGroup g = groups.get(name);
        if (g != null) {
            return g;
        }
        if (warnedGroups.add(String.valueOf(name))) {
            LOG.warn("event group '{}' is not configured in {}; its events are not counted", name, config.source());
        }
        return new NoopEventGroup(name);
    }

    public EclConfig config() {
        return config;
    }

    /**
     * Pushes every local count to Redis now and waits for the answer.
     *
     * @return true when nothing is left undelivered; false when Redis could not be reached (the
     *     counts stay in memory and are retried in the background)
     */
    public boolean flush() {
        flusher.lock.lock();
        try {
            return flusher.cycle(true);
        } finally {
            flusher.lock.unlock();
        }
    }

    /**
     * Backpressure for a producer of bursts of new event IDs (a log file piped in, a replay),
     * which would otherwise outpace the flusher: when a group has received half of its
     * {@code max_pending} new distinct IDs since its last push and Redis answers, pushes now in
     * the calling thread and returns when Redis has the counts; otherwise returns at once (one
     * read of a counter per group). {@code log()} itself never waits: it only asks the
     * background thread to push early. While Redis is unreachable this does not wait either;
     * counts then wait in memory up to {@code max_pending}.
     *
     * @return true when it pushed and Redis took everything; false when no push was due, or
     *     Redis failed meanwhile (the counts then wait in memory, see {@link #flush()})
     */
    public boolean awaitCapacity() {
        if (redisDown || !flusher.wantsEarlyFlush()) {
            return false;
        }
        return flush();
    }

    /**
     * Events logged and not yet acknowledged by Redis: the sum of the (absolute) counts that
     * {@link #pendingCount()} holds.
     */
    public long pendingEvents() {
        return flusher.pendingEvents();
    }

    /**
     * What the last failed push met, in one line naming Redis's address (a refused connection,
     * an error Redis answered such as OOM), or null if none failed; kept after Redis recovers.
     */
    public String lastFailure() {
        return lastFailure;
    }

    private volatile String lastFailure;

    /** Counts dropped because more than {@code max_pending} were waiting for Redis. */
    public long droppedCount() {
        return flusher.dropped();
    }

    /**
     * Counts waiting for Redis: distinct (event, interval) entries of local counters, plus
     * direct-mode calls whose outcome is not known yet (sent as Redis went away).
     */
    public long pendingCount() {
        return flusher.pendingEntries();
    }

    /**
     * Delivers pending counts (retrying for up to the close timeout) and releases the connection.
     * Counts that could not be delivered are reported in one error line. Idempotent.
     */
    @Override
    public void close() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or will run; closing twice is harmless
            }
        }
        doClose();
    }

    private void closeFromHook() {
        doClose();
    }

    private synchronized void doClose() {
        if (closed) {
            return;
        }
        closed = true;
        flusher.stop();
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        boolean done;
        flusher.lock.lock();
        try {
            done = flusher.cycle(true);
            while (!done && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                done = flusher.cycle(true);
            }
        } finally {
            flusher.lock.unlock();
        }
        if (!done) {
            LOG.error("closing: {} distinct counts could not be delivered to Redis at {} within {} ms and are lost",
                    flusher.pendingEntries(), config.redis().address(), closeTimeout.toMillis());
        }
        long dropped = flusher.dropped();
        if (dropped > 0) {
            LOG.warn("closing: {} counts were dropped during Redis outages (max_pending reached)", dropped);
        }
        CounterReader r = reader;
        if (r != null) {
            r.closeShared();
        }
        connection.close();
    }

    // ---- shared with the groups and the flusher ----

    CounterReader reader() {
        CounterReader r = reader;
        if (r == null) {
            synchronized (this) {
                r = reader;
                if (r == null) {
                    r = new CounterReader(config, connection, clock);
                    reader = r;
                }
            }
        }
        return r;
    }

    void markDown(JedisException e) {
        lastFailure = connection.describe(e);
        synchronized (stateLock) {
            if (!redisDown) {
                redisDown = true;
                downSince = System.nanoTime();
                LOG.warn("{}; counting in memory and retrying in the background", connection.describe(e));
            } else {
                LOG.debug("Redis still unavailable: {}", connection.describe(e));
            }
        }
    }

    void markUp(long delivered) {
        synchronized (stateLock) {
            if (redisDown) {
                redisDown = false;
                LOG.info("Redis at {} is reachable again after {} ms; delivered {} counts held in memory",
                        config.redis().address(), (System.nanoTime() - downSince) / 1_000_000, delivered);
            }
        }
    }

    void reportDataError(RedisEventGroup g, JedisException e, long count) {
        String key = g.name() + "|" + e.getMessage();
        if (reportedDataErrors.size() < 100 && reportedDataErrors.add(key)) {
            if (e.getMessage() != null && e.getMessage().startsWith("NOTCOUNTED")) {
                LOG.error("group '{}': {}", g.name(), connection.describe(e));
            } else {
                LOG.error("group '{}': {}; {} counts not stored (a key of this group may hold a non-counter value)",
                        g.name(), connection.describe(e), count);
            }
        }
    }

    private final Set<String> reportedOverflows = ConcurrentHashMap.newKeySet();

    /** A local sum of {@code event} that went beyond a long: it stays at {@code limit}, {@code lost} is not counted. */
    void reportOverflow(RedisEventGroup g, String event, long limit, long lost) {
        if (reportedOverflows.size() < 100 && reportedOverflows.add(g.name() + "|" + event)) {
            LOG.error("group '{}': the count of event '{}' would go beyond {}, the limit of a Redis counter;"
                    + " it stays at the limit and {} counts are not counted", g.name(), event, limit, lost);
        } else {
            LOG.debug("group '{}': event '{}' saturated again, {} counts not counted", g.name(), event, lost);
        }
    }

    /** Options of an {@link EventCountLogger}. */
    public static final class Builder {
        private final EclConfig config;
        private Clock clock = Clock.systemUTC();
        private boolean shutdownHook = true;
        private Duration closeTimeout = Duration.ofSeconds(5);
        private int poolSize = Math.max(16, Runtime.getRuntime().availableProcessors() * 4);

        private Builder(EclConfig config) {
            this.config = config;
        }

        /** The clock that decides which interval a count belongs to (tests step one). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Whether a JVM shutdown hook closes the logger (default true). */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /** How long close() keeps retrying to deliver pending counts (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** Redis connections for direct-mode logging from many threads (default 4 per CPU, at least 16). */
        public Builder poolSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("pool size must be at least 1");
            }
            this.poolSize = size;
            return this;
        }

        public EventCountLogger build() {
            return new EventCountLogger(this);
        }
    }

    List<RedisEventGroup> groupsForTest() {
        return new ArrayList<>(groups.values());
    }
}
