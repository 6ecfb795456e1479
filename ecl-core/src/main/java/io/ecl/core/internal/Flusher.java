package io.ecl.core.internal;

import io.ecl.core.EventCountLogger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background thread of one {@link EventCountLogger}: switches epochs at interval boundaries,
 * drains local counters every {@code sync_interval} (or early on {@code sync_limit}), keeps
 * draining counters retired from a group's map for a grace period, and has the {@link Sender} send
 * what is due when the {@link SendSchedule} allows (after a failure: backoff, 100 ms doubling to
 * 5 s). All state it touches is guarded by {@link #lock}, which
 * {@link EventCountLogger#flush()} and {@code close()} take too; {@code log()} never takes it.
 */
public final class Flusher {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);
    /** Longest park, so a stepped wall clock is noticed within a second. */
    private static final long MAX_PARK_MS = 1_000;

    public final ReentrantLock lock = new ReentrantLock();
    private final LoggerContext ctx;
    private final List<RedisEventGroup> groups;
    /** Counters replaced in their group's map, drained until no thread can still be adding to them. */
    private final List<Retired> retired = new ArrayList<>();
    /**
     * A retired counter is drained for this long: a thread that looked it up just before it
     * was replaced adds to it within nanoseconds, unless descheduled (GC pause, overloaded host).
     */
    private static final long RETIRED_GRACE_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final SendSchedule schedule;
    private final Sender sender;
    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile boolean wakeRequested;

    private Heartbeat heartbeat;

    /** Publishes this logger's heartbeat from the flusher's thread (none without). */
    public void heartbeat(Heartbeat heartbeat) {
        this.heartbeat = heartbeat;
    }

    public Flusher(LoggerContext ctx, List<RedisEventGroup> groups, String idPrefix) {
        this.ctx = ctx;
        this.groups = groups;
        this.schedule = new SendSchedule(ctx);
        this.sender = new Sender(ctx, groups, schedule, idPrefix);
        for (RedisEventGroup g : groups) {
            g.attach(this);
        }
    }

    /**
     * Starts the thread. It holds this flusher only weakly between cycles (see {@link Runner}) and
     * has no context class loader: a logger dropped without close() pins neither itself nor the
     * class loader of whoever created it.
     */
    public void start() {
        Runner r = new Runner(this);
        Thread t = new Thread(r, "ecl-flusher");
        t.setDaemon(true);
        t.setContextClassLoader(null);
        r.thread = t;
        runner = r;
        thread = t;
        t.start();
    }

    /** The thread's loop, kept apart from the flusher so that the logger stays collectable. */
    public Runner runner() {
        return runner;
    }

    private Runner runner;

    /** Asks the thread to run a cycle now; cheap enough for log()'s rare paths. */
    void wake() {
        if (!wakeRequested) {
            wakeRequested = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * The flusher thread's loop. It reaches its flusher through a weak reference, strongly only
     * during a cycle: when the application drops a logger without closing it, the logger (and
     * this flusher) can be collected, and the thread ends at its next wake-up (at most
     * {@link #MAX_PARK_MS}); the logger's cleaner also stops it and closes the connection.
     */
    public static final class Runner implements Runnable {
        private final java.lang.ref.WeakReference<Flusher> flusher;
        private volatile boolean stopped;
        volatile Thread thread;

        Runner(Flusher flusher) {
            this.flusher = new java.lang.ref.WeakReference<>(flusher);
        }

        @Override
        public void run() {
            while (!stopped) {
                Flusher f = flusher.get();
                if (f == null) {
                    return;
                }
                long wait = f.runCycle();
                boolean woken = f.wakeRequested || f.stopping;
                f = null; // not reachable from this thread while it parks
                if (wait > 0 && !woken && !stopped) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(wait, MAX_PARK_MS)));
                }
            }
        }

        /** Ends the loop (without waiting for it). */
        public void stop() {
            stopped = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** One cycle of the thread; returns how long to park, ms (0 or less: go on at once). */
    private long runCycle() {
        if (stopping) {
            return 0;
        }
        lock.lock();
        try {
            wakeRequested = false;
            cycle(false);
            Heartbeat h = heartbeat;
            if (h != null) {
                h.beat(this);
            }
            return Math.min(nextWake(), h == null ? Long.MAX_VALUE : ctx.clock().millis() + Heartbeat.PERIOD_MILLIS)
                    - ctx.clock().millis();
        } catch (Throwable e) {
            // Never die, whatever it was (an OutOfMemoryError the application caused, a bug):
            // a dead flusher would keep counts in memory forever without a word. A
            // connection interrupted mid-reply was discarded by send().
            try {
                LOG.error("ecl flusher: unexpected error; retrying in 1 s", e);
            } catch (Throwable alsoFailed) {
                // nothing left to report with
            }
            return 1_000;
        } finally {
            lock.unlock();
        }
    }

    /** The clock that decides intervals (the logger's). */
    public java.time.Clock clock() {
        return ctx.clock();
    }

    /** Pushes everything now, in the calling thread; true when nothing is left undelivered. */
    public boolean flushNow() {
        lock.lock();
        try {
            return cycle(true);
        } finally {
            lock.unlock();
        }
    }

    /** What close() could deliver: whether everything went, and counts logged too late to go. */
    public record Drained(boolean delivered, long leftInCounters) {
    }

    /**
     * For close(): stops the thread, then pushes and retries until everything is delivered or the
     * deadline ({@link System#nanoTime()}) passes; then takes what threads still logging added
     * after the last drain (too late to send: the caller counts it as refused).
     */
    public Drained drainForClose(long deadlineNanos) {
        stop();
        lock.lock();
        try {
            boolean done = cycle(true);
            while (!done && System.nanoTime() < deadlineNanos) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                done = cycle(true);
            }
            return new Drained(done, takeLeftInCounters());
        } finally {
            lock.unlock();
        }
    }

    void stop() {
        stopping = true;
        Runner r = runner;
        if (r != null) {
            r.stop();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Takes what the local counters hold now and returns how many counts that was: called by
     * close() after its last drain, these are counts logged by threads still running while the
     * logger closed, which will never be sent. Lock held.
     */
    long takeLeftInCounters() {
        long n = 0;
        for (RedisEventGroup g : groups) {
            n += g.takeLocalCounts();
        }
        return n;
    }

    /**
     * Opens the first epoch of every group and schedules the first sync, sending nothing: the
     * logger's constructor calls it, and creating a logger does no I/O.
     */
    public void openEpochs() {
        lock.lock();
        try {
            long now = ctx.clock().millis();
            for (RedisEventGroup g : groups) {
                g.rollEpoch(now);
                if (g.usesSyncInterval()) {
                    g.nextSync = now + g.syncIntervalMillis();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * One round: epochs, drains that are due (all when {@code force}), then a send attempt when
     * something is waiting and no backoff is running (or {@code force}). Lock held.
     * Returns true when nothing is left undelivered.
     */
    boolean cycle(boolean force) {
        long now = ctx.clock().millis();
        for (RedisEventGroup g : groups) {
            boolean rolled = g.rollEpoch(now);
            boolean due = force || rolled || g.flushRequested || g.hasLocalCounts
                    || (g.usesSyncInterval() && now >= g.nextSync);
            if (due) {
                g.drain();
                if (g.usesSyncInterval()) {
                    g.nextSync = now + g.syncIntervalMillis();
                }
            }
        }
        long nanos = System.nanoTime();
        for (java.util.Iterator<Retired> it = retired.iterator(); it.hasNext(); ) {
            Retired r = it.next();
            r.group().drainRetired(r.counter());
            if (nanos - r.graceEndNanos() > 0) {
                it.remove();
            }
        }
        for (RedisEventGroup g : groups) {
            g.sweepIdle(now);
        }
        if (!hasWork()) {
            return true;
        }
        if (!force && ctx.health().redisDown() && System.nanoTime() - schedule.nextRetryNanos() < 0) {
            return false;
        }
        if (!force && onlyHeld() && System.nanoTime() - schedule.nextHoldPollNanos() < 0) {
            return false;
        }
        if (sender.send(stopping)) {
            delivered();
            return true;
        }
        // After an outage a send retries only the chunks frozen before it (same IDs, so never
        // counted twice); what merged in memory meanwhile follows in a second round trip.
        boolean done = !ctx.health().redisDown() && !anyHeld() && sender.send(stopping);
        if (done) {
            delivered();
        }
        return done;
    }

    /**
     * True when every group with something to send has chunks held until a master opens their
     * interval: nothing of it can go before they do (counts merged since wait behind them), so
     * the next send waits for the poll.
     */
    private boolean onlyHeld() {
        boolean any = false;
        for (RedisEventGroup g : groups) {
            if (!g.undeclared.isEmpty() || !g.inDoubt.isEmpty()) {
                return false;
            }
            if (!g.pending.isEmpty()) {
                if (!g.pending.anyHeld()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private boolean anyHeld() {
        for (RedisEventGroup g : groups) {
            if (g.pending.anyHeld()) {
                return true;
            }
        }
        return false;
    }

    private boolean hasWork() {
        for (RedisEventGroup g : groups) {
            if (!g.pending.isEmpty() || !g.undeclared.isEmpty() || !g.inDoubt.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    long nextWake() {
        long next = Long.MAX_VALUE;
        for (RedisEventGroup g : groups) {
            next = Math.min(next, g.nextBoundary);
            if (g.usesSyncInterval() && !g.direct()) {
                next = Math.min(next, g.nextSync);
            }
        }
        if (hasWork()) {
            long retryNanos = ctx.health().redisDown() ? schedule.nextRetryNanos() : onlyHeld() ? schedule.nextHoldPollNanos() : System.nanoTime();
            long retryIn = Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryNanos - System.nanoTime()));
            next = Math.min(next, ctx.clock().millis() + retryIn);
        }
        return next;
    }

    private void delivered() {
        Heartbeat h = heartbeat;
        if (h != null) {
            h.delivered();
        }
    }

    /** A counter replaced in its group's map, and the System.nanoTime() after which no thread can still add to it. */
    private record Retired(RedisEventGroup group, RedisEventGroup.Counter counter, long graceEndNanos) {
    }

    // ---- called from EventGroup (rare paths) ----

    void declare(RedisEventGroup g, String event) {
        lock.lock();
        try {
            g.undeclared.add(event);
        } finally {
            lock.unlock();
        }
        wake();
    }

    void retire(RedisEventGroup g, RedisEventGroup.Counter c) {
        lock.lock();
        try {
            retired.add(new Retired(g, c, System.nanoTime() + RETIRED_GRACE_NANOS));
        } finally {
            lock.unlock();
        }
    }

    long unsent(RedisEventGroup g, String event) {
        lock.lock();
        try {
            return g.pending.unsentCount(event);
        } finally {
            lock.unlock();
        }
    }

    public long dropped() {
        lock.lock();
        try {
            long d = 0;
            for (RedisEventGroup g : groups) {
                d += g.pending.dropped;
            }
            return d;
        } finally {
            lock.unlock();
        }
    }

    /** A count too large for the lock-free adders, added to the group's pending counts exactly. */
    void addExact(RedisEventGroup g, RedisEventGroup.Counter c, long count) {
        lock.lock();
        try {
            g.addExact(c, count);
        } finally {
            lock.unlock();
        }
        wake();
    }

    /** Whether a group received enough new distinct IDs since its last drain to push early. Lock-free. */
    public boolean wantsEarlyFlush() {
        for (RedisEventGroup g : groups) {
            if (g.wantsEarlyFlush()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Events pending in every group, plus direct-mode calls in doubt and calls held for an interval
     * no master has opened yet (their counts). The held calls are counted before the flusher has
     * moved them into pending, so the figure does not dip while that hand-off is on its way.
     */
    public long pendingEvents() {
        lock.lock();
        try {
            long n = 0;
            for (RedisEventGroup g : groups) {
                n = Pending.saturatedAdd(n, g.pending.events());
                for (RedisEventGroup.InDoubt d : g.inDoubt) {
                    n = Pending.saturatedAdd(n, d.count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(d.count));
                }
                for (RedisEventGroup.InDoubt h : g.heldCalls) {
                    n = Pending.saturatedAdd(n, Math.abs(h.count));
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    public long pendingEntries() {
        lock.lock();
        try {
            long n = 0;
            for (RedisEventGroup g : groups) {
                n += g.pending.entries() + g.inDoubt.size() + g.heldCalls.size() + g.localEntries();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
