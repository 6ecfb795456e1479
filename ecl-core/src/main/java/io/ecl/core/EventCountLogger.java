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
 *
 * <p>After close, {@code log()} refuses counts: the first refusal is logged as a warning, all are
 * counted ({@link #refusedCount()}) and the shutdown hook reports their number. A logger dropped
 * without close() is cleaned up once garbage-collected (its thread ends, its connections close,
 * its shutdown hook goes), so it pins neither its class loader nor the application's; but counts
 * it had not pushed are lost then: close loggers.
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
    /** What the shutdown hook and the cleaner need, without the logger. */
    private final Lifecycle lifecycle;
    /** One thread per copy of the library, for every logger: releases loggers dropped without close(). */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
    private volatile CounterReader reader;
    volatile boolean closed;
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
    /** Sequence of direct-mode calls, recorded per call slot in Redis so a call in doubt is never counted twice. */
    final java.util.concurrent.atomic.AtomicLong directSeq = new java.util.concurrent.atomic.AtomicLong();
    /** Direct-mode call slots: the fields of the marker hashes, as many as connections for direct calls. */
    final CallSlots callSlots;
    /** Tells a direct call waiting for a slot to count in memory instead. */
    final java.util.function.BooleanSupplier stopDirectCalls = () -> redisDown || closed;

    private EventCountLogger(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.closeTimeout = b.closeTimeout;
        for (String w : config.warnings()) {
            LOG.warn(w);
        }
        this.connection = new RedisConnection(config.redis(), b.poolSize);
        this.callSlots = new CallSlots(b.poolSize);
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
        Thread hook = null;
        if (b.shutdownHook) {
            // Holds the logger weakly: a JVM-global hook must not keep alive a logger nobody uses.
            hook = new Thread(new ShutdownHook(new java.lang.ref.WeakReference<>(this)), "ecl-shutdown");
            hook.setContextClassLoader(null);
        }
        this.lifecycle = new Lifecycle(config.source(), connection, flusher.runner(), hook);
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        CLEANER.register(this, lifecycle);
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

    /**
     * Asks Redis for an answer now, over this logger's connection. {@link EventGroup#log} never
     * fails on a dead Redis (it counts in memory); a one-shot tool calls this first to fail fast.
     *
     * @throws RedisUnavailableException with a one-line reason (connection refused, unknown host,
     *     wrong password) when Redis does not answer
     */
    public void ping() {
        connection.call(j -> j.ping());
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
     * Counts waiting for Redis, as distinct entries: events with counts in the local counters,
     * (event, interval) entries drained from them and not acknowledged by Redis yet, and
     * direct-mode calls whose outcome is not known yet (sent as Redis went away). 0 when everything
     * logged so far is in Redis. It walks every counter and takes the flush lock: for monitoring and
     * shutdown, not for every log().
     */
    public long pendingCount() {
        return flusher.pendingEntries();
    }

    /**
     * Counts refused because they were logged after close() (or while it ran, after its last
     * delivery): they are not counted anywhere.
     */
    public long refusedCount() {
        return lifecycle.refused.sum();
    }

    /**
     * Delivers pending counts (retrying for up to the close timeout) and releases the connection.
     * Counts that could not be delivered are reported in one error line. Idempotent. Later calls
     * of {@code log()} are refused and counted ({@link #refusedCount()}).
     */
    @Override
    public void close() {
        doClose();
    }

    private synchronized void doClose() {
        if (closed) {
            return;
        }
        closed = true;
        lifecycle.closed = true;
        flusher.stop();
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        boolean done;
        long left;
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
            // Threads that passed log()'s check before closed was set may have added since the
            // last drain: too late to send, so they count as refused rather than vanish.
            left = flusher.takeLeftInCounters();
        } finally {
            flusher.lock.unlock();
        }
        if (!done) {
            LOG.error("closing: {} distinct counts could not be delivered to Redis at {} within {} ms and are lost",
                    flusher.pendingEntries(), config.redis().address(), closeTimeout.toMillis());
        }
        if (left > 0) {
            lifecycle.refused.add(left);
            LOG.warn("closing: {} counts logged while the logger was closing were not delivered", left);
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

    /** log() after close(): counted, and the first one of this logger is logged. */
    void refuse(RedisEventGroup g, String event, long count) {
        lifecycle.refused.add(Math.abs(count));
        if (!lifecycle.refusalWarned.get() && lifecycle.refusalWarned.compareAndSet(false, true)) {
            LOG.warn("log() after close(): {} count(s) of event '{}' in group '{}' refused; every count logged after"
                    + " close() is refused and counted by refusedCount(){}", Math.abs(count), event, g.name(),
                    lifecycle.hook != null ? ", and their number is reported at JVM exit" : "");
        }
    }

    /** The JVM shutdown hook: closes the logger if it still exists, and reports what it refused. */
    private static final class ShutdownHook implements Runnable {
        private final java.lang.ref.WeakReference<EventCountLogger> logger;

        ShutdownHook(java.lang.ref.WeakReference<EventCountLogger> logger) {
            this.logger = logger;
        }

        @Override
        public void run() {
            EventCountLogger l = logger.get();
            if (l == null) {
                return; // collected: its cleaner released everything
            }
            l.doClose();
            long refused = l.lifecycle.refused.sum();
            if (refused > 0) {
                LOG.warn("JVM exit: {} counts logged after the logger for {} was closed were refused and not counted"
                        + " (threads still logging after this line lose their counts with the process)",
                        refused, l.config.source());
            }
        }
    }

    /**
     * The state that outlives the logger's reachability: what the shutdown hook reports and what
     * the cleaner releases. It refers to no logger, so registering it (with the Cleaner) keeps
     * none alive. As the cleaning action it runs once: at close() (nothing left to do but
     * removing the hook), or when a logger nobody closed has been garbage-collected.
     */
    private static final class Lifecycle implements Runnable {
        final String source;
        final RedisConnection connection;
        final Flusher.Runner runner;
        final Thread hook;
        final java.util.concurrent.atomic.LongAdder refused = new java.util.concurrent.atomic.LongAdder();
        volatile boolean closed;
        final java.util.concurrent.atomic.AtomicBoolean refusalWarned = new java.util.concurrent.atomic.AtomicBoolean();

        Lifecycle(String source, RedisConnection connection, Flusher.Runner runner, Thread hook) {
            this.source = source;
            this.connection = connection;
            this.runner = runner;
            this.hook = hook;
        }

        /** The logger has been garbage-collected. */
        @Override
        public void run() {
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting: the hook finds the logger gone and returns
                }
            }
            if (!closed) {
                runner.stop();
                connection.close();
                LOG.warn("an EventCountLogger for {} was garbage-collected without close(): its thread and"
                        + " connections are released; counts it had not pushed yet, if any, are lost", source);
            }
        }
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

        /**
         * Whether a JVM shutdown hook closes the logger and reports the counts refused after close
         * (default true). The hook holds the logger weakly: it keeps no dropped logger alive.
         */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /** How long close() keeps retrying to deliver pending counts (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Direct-mode calls in flight at once (default 4 per CPU, at least 16): each holds a call
         * slot and a pooled connection; further callers wait for one. The pool has two more
         * connections, for the flusher and for reads.
         */
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

    /** The registered shutdown hook, or null (tests). */
    Thread shutdownHookThread() {
        return lifecycle.hook;
    }

    List<RedisEventGroup> groupsForTest() {
        return new ArrayList<>(groups.values());
    }
}
