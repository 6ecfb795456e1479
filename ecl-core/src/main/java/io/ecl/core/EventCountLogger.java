package io.ecl.core;

import io.ecl.core.internal.CallSlots;
import io.ecl.core.internal.Flusher;
import io.ecl.core.internal.HealthState;
import io.ecl.core.internal.InstanceIds;
import io.ecl.core.internal.Heartbeat;
import io.ecl.core.internal.LoggerContext;
import io.ecl.core.internal.NoopEventGroup;
import io.ecl.core.internal.Probe;
import io.ecl.core.internal.RedisConnection;
import io.ecl.core.internal.RedisEventGroup;
import io.ecl.core.internal.RedisReader;
import io.ecl.core.internal.Refusals;
import io.ecl.core.internal.ReplyWait;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    /** One thread per copy of the library, for every logger: releases loggers dropped without close(). */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    private final EclConfig config;
    private final RedisConnection connection;
    private final HealthState health;
    private final Flusher flusher;
    private final Map<String, RedisEventGroup> groups;
    private final Set<String> warnedGroups = ConcurrentHashMap.newKeySet();
    private final Duration closeTimeout;
    /** What the shutdown hook and the cleaner need, without the logger. */
    private final Lifecycle lifecycle;
    private volatile RedisReader reader;
    private boolean closed;
    private final Probe probe;
    private final LoggerContext context;

    private EventCountLogger(Builder b) {
        this.config = b.config;
        this.closeTimeout = b.closeTimeout;
        for (String w : config.warnings()) {
            LOG.warn(w);
        }
        this.connection = new RedisConnection(config.redis(), b.poolSize);
        this.health = new HealthState(connection, b.clock, b.listener);
        Refusals refusals = new Refusals(b.shutdownHook);
        // No ':' in instance or chunk IDs: they end up in marker keys that Python's SCAN must not match.
        String instanceId = InstanceIds.next();
        LoggerContext ctx = new LoggerContext(b.clock, connection, config.redis().keyMode(), health, refusals,
                new CallSlots(b.poolSize), instanceId, new AtomicLong(), this::reader, b.probe,
                new ReplyWait(b.replySpin.toNanos(), Runtime.getRuntime().availableProcessors()));
        this.probe = b.probe;
        this.context = ctx;
        Map<String, RedisEventGroup> g = new LinkedHashMap<>();
        for (GroupConfig gc : config.groups()) {
            g.put(gc.name(), new RedisEventGroup(gc, ctx));
        }
        this.groups = Collections.unmodifiableMap(g);
        this.flusher = new Flusher(ctx, new ArrayList<>(groups.values()), instanceId + ".");
        if (b.heartbeat) {
            flusher.heartbeat(new Heartbeat(ctx, b.appName));
        }
        flusher.openEpochs();
        flusher.start();
        connection.warmUp();
        Thread hook = null;
        if (b.shutdownHook) {
            // Holds the logger weakly: a JVM-global hook must not keep alive a logger nobody uses.
            hook = new Thread(new ShutdownHook(new java.lang.ref.WeakReference<>(this)), "ecl-shutdown");
            hook.setContextClassLoader(null);
        }
        this.lifecycle = new Lifecycle(config.source(), connection, flusher.runner(), hook, refusals);
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        CLEANER.register(this, lifecycle);
    }

    /** A logger with the defaults: system clock, shutdown hook, 5 s close timeout, no listener. */
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
        return flusher.flushNow();
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
        if (health.redisDown() || !flusher.wantsEarlyFlush()) {
            return false;
        }
        return flush();
    }

    /**
     * The delivery state now: whether Redis is down and since when, what is pending, dropped,
     * refused, or lost to data errors. Takes the flush lock (as {@link #pendingCount()} does): for
     * health checks and monitoring, not for every log().
     */
    public Health health() {
        return new Health(health.downSince(), health.lastFailure(), flusher.pendingEvents(),
                flusher.pendingEntries(), flusher.dropped(), health.dataErrors(), lifecycle.refusals.count());
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
        return health.lastFailure();
    }

    /** Counts dropped because more than {@code max_pending} were waiting for Redis. */
    public long droppedCount() {
        return flusher.dropped();
    }

    /**
     * Counts waiting for Redis, as distinct entries: events with counts in the local counters,
     * (event, interval) entries drained from them and not acknowledged by Redis yet,
     * direct-mode calls whose outcome is not known yet (sent as Redis went away), and direct-mode
     * calls held for an interval no master has opened yet (a Python master's, each call counted
     * until the flusher merges them). 0 when everything
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
        return lifecycle.refusals.count();
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
        lifecycle.refusals.close();
        lifecycle.closed = true;
        Flusher.Drained drained = flusher.drainForClose(System.nanoTime() + closeTimeout.toNanos());
        if (!drained.delivered()) {
            LOG.error("closing: {} distinct counts could not be delivered to Redis at {} within {} ms and are lost",
                    flusher.pendingEntries(), config.redis().address(), closeTimeout.toMillis());
        }
        if (drained.leftInCounters() > 0) {
            lifecycle.refusals.add(drained.leftInCounters());
            LOG.warn("closing: {} counts logged while the logger was closing were not delivered",
                    drained.leftInCounters());
        }
        long dropped = flusher.dropped();
        if (dropped > 0) {
            LOG.warn("closing: {} counts were dropped during Redis outages (max_pending reached)", dropped);
        }
        RedisReader r = reader;
        if (r != null) {
            r.closeShared();
        }
        connection.close();
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
            long refused = l.lifecycle.refusals.count();
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
        final Refusals refusals;
        volatile boolean closed;

        Lifecycle(String source, RedisConnection connection, Flusher.Runner runner, Thread hook, Refusals refusals) {
            this.source = source;
            this.connection = connection;
            this.runner = runner;
            this.hook = hook;
            this.refusals = refusals;
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

    private RedisReader reader() {
        RedisReader r = reader;
        if (r == null) {
            synchronized (this) {
                r = reader;
                if (r == null) {
                    r = new RedisReader(config, connection, flusher.clock());
                    reader = r;
                }
            }
        }
        return r;
    }

    /** {@link Builder#replySpin}'s default. */
    public static final Duration DEFAULT_REPLY_SPIN = Duration.ofNanos(50_000);
    private static final Duration MAX_REPLY_SPIN = Duration.ofMillis(1);

    /** Options of an {@link EventCountLogger}. */
    public static final class Builder {
        private final EclConfig config;
        private Clock clock = Clock.systemUTC();
        private boolean shutdownHook = true;
        private Duration closeTimeout = Duration.ofSeconds(5);
        private int poolSize = Math.max(16, Runtime.getRuntime().availableProcessors() * 4);
        private EclListener listener = new EclListener() { };
        private Probe probe = Probe.NONE;
        private String appName = Heartbeat.defaultApp();
        private boolean heartbeat = true;
        private Duration replySpin = DEFAULT_REPLY_SPIN;

        private Builder(EclConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The clock that decides which interval a count belongs to (tests step one). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * No JVM shutdown hook. By default one closes the logger at JVM exit and reports the counts
         * refused after close; it holds the logger weakly, so it keeps no dropped logger alive.
         * Without it, close the logger yourself before the JVM exits.
         */
        public Builder withoutShutdownHook() {
            this.shutdownHook = false;
            return this;
        }

        /** How long close() keeps retrying to deliver pending counts (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
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

        /**
         * Direct mode: how long a {@code log()} call may busy-wait for Redis' reply before it
         * blocks in a read (default 50 µs; {@link Duration#ZERO}: never, at most 1 ms). On a
         * virtual machine whose idle CPUs sleep, a thread woken by the reply of a local Redis
         * waits longer for the wake-up than for the reply: spinning halves a single thread's
         * round trip there. It spins only while this process has fewer direct-mode calls under
         * way than CPUs (never on one CPU), never on TLS, and a connection whose replies keep
         * coming later than this (a Redis across a network) stops spinning for a while. Costs
         * CPU time only while the caller would otherwise sleep on a spare CPU.
         */
        public Builder replySpin(Duration spin) {
            Objects.requireNonNull(spin, "spin");
            if (spin.isNegative() || spin.compareTo(MAX_REPLY_SPIN) > 0) {
                throw new IllegalArgumentException("reply spin must be from 0 to 1 ms, not " + spin);
            }
            this.replySpin = spin;
            return this;
        }

        /**
         * The name this process gives in its heartbeat ({@code ecl-reader clients} lists it);
         * default: the JVM's main class or jar.
         */
        public Builder appName(String name) {
            this.appName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * No heartbeat. By default the logger writes one to Redis every 10 s (app, host, pid,
         * pending and dropped counts, last delivery), which {@code ecl-reader clients} and
         * {@code /metrics} show, and which expires 30 s after the process stops.
         */
        public Builder withoutHeartbeat() {
            this.heartbeat = false;
            return this;
        }

        /** Told when Redis goes down and comes back, and of counts lost to data errors or drops. */
        public Builder listener(EclListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Tests in this package: where they step into the flusher's work. */
        Builder probe(Probe probe) {
            this.probe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        public EventCountLogger build() {
            return new EventCountLogger(this);
        }
    }

    // ---- for tests in this package ----

    /** The registered shutdown hook, or null. */
    Thread shutdownHookThread() {
        return lifecycle.hook;
    }

    Probe probe() {
        return probe;
    }

    LoggerContext context() {
        return context;
    }

    Flusher flusherForTest() {
        return flusher;
    }
}
