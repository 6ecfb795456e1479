package io.ecl.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The background thread of one {@link EventCountLogger}: switches epochs at interval boundaries,
 * drains local counters every {@code sync_interval} (or early on {@code sync_limit}), and sends
 * everything due in one pipelined round trip. While Redis is down it retries with backoff
 * (100 ms doubling to 5 s). All state it touches is guarded by {@link #lock}, which
 * {@link EventCountLogger#flush()} and {@code close()} take too; {@code log()} never takes it.
 */
final class Flusher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** Longest park, so a stepped wall clock is noticed within a second. */
    private static final long MAX_PARK_MS = 1_000;

    final ReentrantLock lock = new ReentrantLock();
    private final EventCountLogger owner;
    private final List<RedisEventGroup> groups;
    /** {group, counter, System.nanoTime() after which no thread can still be adding to it}. */
    private final List<Object[]> retired = new ArrayList<>();
    /**
     * A retired counter is drained for this long: a thread that looked it up just before it
     * was replaced adds to it within nanoseconds, unless descheduled (GC pause, overloaded host).
     */
    private static final long RETIRED_GRACE_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final String idPrefix;
    private final AtomicLong chunkSeq = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile boolean wakeRequested;
    private long backoffMs = MIN_BACKOFF_MS;
    /**
     * System.nanoTime() of the next retry while Redis is down. Not the injected clock: a wall
     * clock stepped back (or a test's frozen one) must not postpone the retries.
     */
    private long nextRetryNanos;
    private long delivered;

    Flusher(EventCountLogger owner, List<RedisEventGroup> groups, String idPrefix) {
        this.owner = owner;
        this.groups = groups;
        this.idPrefix = idPrefix;
    }

    void start() {
        Thread t = new Thread(this, "ecl-flusher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

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

    @Override
    public void run() {
        while (!stopping) {
            long wait;
            lock.lock();
            try {
                wakeRequested = false;
                cycle(false);
                wait = nextWake() - owner.clock.millis();
            } catch (RuntimeException e) {
                LOG.error("ecl flusher: unexpected error; retrying in 1 s", e);
                wait = 1_000;
            } finally {
                lock.unlock();
            }
            if (wait > 0 && !wakeRequested && !stopping) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(Math.min(wait, MAX_PARK_MS)));
            }
        }
    }

    void stop() {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Opens the first epoch of every group and schedules the first sync, sending nothing: the
     * logger's constructor calls it, and creating a logger does no I/O.
     */
    void openEpochs() {
        lock.lock();
        try {
            long now = owner.clock.millis();
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
        long now = owner.clock.millis();
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
        for (java.util.Iterator<Object[]> it = retired.iterator(); it.hasNext(); ) {
            Object[] r = it.next();
            ((RedisEventGroup) r[0]).drainRetired((RedisEventGroup.Counter) r[1]);
            if (nanos - (Long) r[2] > 0) {
                it.remove();
            }
        }
        for (RedisEventGroup g : groups) {
            g.sweepIdle(now);
        }
        if (!hasWork()) {
            return true;
        }
        if (!force && owner.redisDown && System.nanoTime() - nextRetryNanos < 0) {
            return false;
        }
        if (send()) {
            return true;
        }
        // After an outage a send retries only the chunks frozen before it (same IDs, so never
        // counted twice); what merged in memory meanwhile follows in a second round trip.
        return !owner.redisDown && send();
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
            long retryIn = owner.redisDown
                    ? Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextRetryNanos - System.nanoTime())) : 0;
            next = Math.min(next, owner.clock.millis() + retryIn);
        }
        return next;
    }

    /** Sends declarations and every pending chunk of every group in one pipeline. */
    private boolean send() {
        if (!resolveInDoubt()) {
            return false;
        }
        List<Pending.Chunk> chunks = new ArrayList<>();
        List<Response<Object>> replies = new ArrayList<>();
        List<RedisEventGroup> declaring = new ArrayList<>();
        List<List<String>> declared = new ArrayList<>();
        Pending.IdSource ids = () -> idPrefix + chunkSeq.incrementAndGet();
        try (AbstractPipeline p = owner.connection.jedis().pipelined()) {
            for (RedisEventGroup g : groups) {
                if (!g.undeclared.isEmpty()) {
                    List<String> events = new ArrayList<>(g.undeclared);
                    for (Interval i : g.config.intervals()) {
                        p.sadd(Keys.declared(owner.connection.config.keyMode(), g.name(), i), events.toArray(new String[0]));
                    }
                    declaring.add(g);
                    declared.add(events);
                }
                for (Pending.Chunk c : g.pending.toSend(g, ids)) {
                    chunks.add(c);
                    replies.add(LuaScript.LOG.evalIn(p, g.tsKeys, c.args));
                }
            }
            p.sync();
        } catch (JedisException e) {
            failed(e);
            return false;
        }
        for (int i = 0; i < declaring.size(); i++) {
            declaring.get(i).undeclared.removeAll(declared.get(i));
        }
        JedisDataException refused = null;
        for (int i = 0; i < chunks.size(); i++) {
            Pending.Chunk c = chunks.get(i);
            Object reply;
            try {
                reply = replies.get(i).get();
            } catch (JedisDataException e) {
                if (RedisConnection.isRetryable(e)) {
                    // Refused before anything was written (OOM, read-only replica, login...):
                    // the chunk stays pending with its ID and is sent again after a backoff.
                    refused = e;
                    continue;
                }
                if (!LuaScript.isNoScript(e)) {
                    c.group.pending.acknowledge(c);
                    owner.reportDataError(c.group, e, c.total);
                    continue;
                }
                try {
                    reply = LuaScript.LOG.eval(owner.connection.jedis(), c.group.tsKeys, c.args);
                } catch (JedisException retry) {
                    failed(retry);
                    return false;
                }
            }
            c.group.pending.acknowledge(c);
            delivered += c.total;
            if (reply instanceof Long && (Long) reply > 0) {
                c.group.warnLate((Long) reply);
            }
        }
        if (refused != null) {
            failed(refused);
            return false;
        }
        boolean allDone = true;
        for (RedisEventGroup g : groups) {
            allDone &= g.pending.isEmpty();
        }
        recovered();
        return allDone;
    }

    /**
     * Asks Redis, in one round trip, which in-doubt direct-mode calls it applied (their sequence
     * number is recorded per thread); the others join the pending counts. No thread of this
     * logger makes direct calls until this has run, since Redis is still marked down.
     */
    private boolean resolveInDoubt() {
        List<RedisEventGroup.InDoubt> doubts = new ArrayList<>();
        List<RedisEventGroup> owners = new ArrayList<>();
        List<Response<String>> applied = new ArrayList<>();
        try (AbstractPipeline p = owner.connection.jedis().pipelined()) {
            for (RedisEventGroup g : groups) {
                for (RedisEventGroup.InDoubt d : g.inDoubt) {
                    doubts.add(d);
                    owners.add(g);
                    applied.add(p.hget(g.directMarker(), d.thread));
                }
            }
            if (doubts.isEmpty()) {
                return true;
            }
            p.sync();
        } catch (JedisException e) {
            failed(e);
            return false;
        }
        for (int i = 0; i < doubts.size(); i++) {
            RedisEventGroup.InDoubt d = doubts.get(i);
            String last = applied.get(i).get();
            if (last == null || Long.parseLong(last) < d.seq) {
                owners.get(i).resend(d);
            }
            owners.get(i).inDoubt.remove(d);
        }
        return true;
    }

    private void failed(JedisException e) {
        owner.markDown(e);
        nextRetryNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    private void recovered() {
        backoffMs = MIN_BACKOFF_MS;
        owner.markUp(delivered);
        delivered = 0;
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
            retired.add(new Object[] {g, c, System.nanoTime() + RETIRED_GRACE_NANOS});
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

    long dropped() {
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

    long pendingEntries() {
        lock.lock();
        try {
            long n = 0;
            for (RedisEventGroup g : groups) {
                n += g.pending.entries() + g.inDoubt.size();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
