package io.ecl.core.internal;

import io.ecl.core.EventCountLogger;
import io.ecl.core.Interval;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * The background thread of one {@link EventCountLogger}: switches epochs at interval boundaries,
 * drains local counters every {@code sync_interval} (or early on {@code sync_limit}), and sends
 * everything due in one pipelined round trip. While Redis is down it retries with backoff
 * (100 ms doubling to 5 s). All state it touches is guarded by {@link #lock}, which
 * {@link EventCountLogger#flush()} and {@code close()} take too; {@code log()} never takes it.
 */
public final class Flusher {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** Longest park, so a stepped wall clock is noticed within a second. */
    private static final long MAX_PARK_MS = 1_000;

    public final ReentrantLock lock = new ReentrantLock();
    private final LoggerContext ctx;
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

    public Flusher(LoggerContext ctx, List<RedisEventGroup> groups, String idPrefix) {
        this.ctx = ctx;
        this.groups = groups;
        this.idPrefix = idPrefix;
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
            return nextWake() - ctx.clock().millis();
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
        if (!force && ctx.health().redisDown() && System.nanoTime() - nextRetryNanos < 0) {
            return false;
        }
        if (!force && onlyHeld() && System.nanoTime() - nextHoldPollNanos < 0) {
            return false;
        }
        if (send()) {
            return true;
        }
        // After an outage a send retries only the chunks frozen before it (same IDs, so never
        // counted twice); what merged in memory meanwhile follows in a second round trip.
        return !ctx.health().redisDown() && !anyHeld() && send();
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
            long retryNanos = ctx.health().redisDown() ? nextRetryNanos : onlyHeld() ? nextHoldPollNanos : System.nanoTime();
            long retryIn = Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryNanos - System.nanoTime()));
            next = Math.min(next, ctx.clock().millis() + retryIn);
        }
        return next;
    }

    /**
     * Sends declarations and every pending chunk of every group: on a standalone or Sentinel-managed
     * Redis as MULTI/EXEC transactions (two round trips per {@link #TX_MAX_INCREMENTS} increments),
     * on a cluster as one pipeline of log.lua calls (a transaction there would need a connection
     * per node, and Jedis' cluster pipeline offers none). Returns true when nothing is left.
     */
    private boolean send() {
        try {
            return sendAll();
        } catch (RuntimeException | Error e) {
            // Not a Redis error: something failed in this process between writing commands and
            // reading every reply (an OutOfMemoryError while replies arrive, a bug). A connection
            // may have gone back to the pool with replies nobody read, and the next command on it
            // would get them (a marker read as applied, a cast failing): drop the whole client.
            // The chunks stay unacknowledged and go again with their IDs, so nothing is counted
            // twice.
            ctx.connection().discard();
            throw e;
        }
    }

    private boolean sendAll() {
        if (!resolveInDoubt()) {
            return false;
        }
        refused = null;
        List<Pending.Chunk> chunks = new ArrayList<>();
        Pending.IdSource ids = () -> idPrefix + chunkSeq.incrementAndGet();
        long now = ctx.clock().millis();
        for (RedisEventGroup g : groups) {
            g.prepareSend(now, !stopping);
            chunks.addAll(g.pending.toSend(g, ids));
        }
        for (Pending.Chunk c : chunks) {
            c.held = false;
        }
        List<Declaration> declarations = declarations();
        boolean sent = ctx.connection().config.cluster()
                ? sendByScript(chunks, declarations)
                : sendByTransaction(chunks, declarations);
        if (!sent) {
            return false;
        }
        if (refused != null) {
            failed(refused);
            return false;
        }
        boolean allDone = true;
        for (RedisEventGroup g : groups) {
            allDone &= g.pending.isEmpty();
            if (!g.pending.anyHeld()) {
                g.released();
            }
        }
        recovered();
        return allDone;
    }

    /** A script reply of this send that refused to run its chunk for now (it stays pending). */
    private JedisDataException refused;

    /** Events of one group to add to its @declared sets. */
    private record Declaration(RedisEventGroup group, List<String> events) {
    }

    private List<Declaration> declarations() {
        List<Declaration> out = new ArrayList<>();
        for (RedisEventGroup g : groups) {
            if (!g.undeclared.isEmpty()) {
                out.add(new Declaration(g, new ArrayList<>(g.undeclared)));
            }
        }
        return out;
    }

    /** Queues the SADDs of {@code declarations} (their replies are not read: a failure here is harmless). */
    private void declareIn(AbstractPipeline p, List<Declaration> declarations) {
        for (Declaration d : declarations) {
            String[] events = d.events.toArray(new String[0]);
            for (Interval i : d.group.config.intervals()) {
                p.sadd(Keys.declared(ctx.keyMode(), d.group.name(), i), events);
            }
        }
    }

    private static void declared(List<Declaration> declarations) {
        for (Declaration d : declarations) {
            // One remove per event: Set.removeAll(List) would call List.contains per element of
            // the set when the set is not larger, quadratic for a first flush of 10,000 events.
            for (String e : d.events) {
                d.group.undeclared.remove(e);
            }
        }
    }

    // ---- the script path: clusters, and the fallback of the transaction path ----

    /**
     * One pipeline of log.lua calls (EVALSHA), one per chunk. If the script cache was empty (a new
     * or restarted Redis), the chunks answered NOSCRIPT go again in one more pipeline with EVAL,
     * which caches the script: two round trips, whatever the number of chunks.
     */
    private boolean sendByScript(List<Pending.Chunk> chunks, List<Declaration> declarations) {
        List<Response<Object>> replies = new ArrayList<>(chunks.size());
        try (AbstractPipeline p = ctx.connection().jedis().pipelined()) {
            declareIn(p, declarations);
            for (Pending.Chunk c : chunks) {
                replies.add(LuaScript.LOG.evalIn(p, c.group.tsKeys, c.args()));
            }
            p.sync();
        } catch (JedisException e) {
            failed(e);
            return false;
        }
        declared(declarations);
        List<Pending.Chunk> noScript = scriptReplies(chunks, replies);
        if (noScript.isEmpty()) {
            return true;
        }
        replies.clear();
        try (AbstractPipeline p = ctx.connection().jedis().pipelined()) {
            for (Pending.Chunk c : noScript) {
                replies.add(LuaScript.LOG.evalSourceIn(p, c.group.tsKeys, c.args()));
            }
            p.sync();
        } catch (JedisException e) {
            failed(e);
            return false;
        }
        scriptReplies(noScript, replies);
        return true;
    }

    /**
     * Acknowledges the chunks log.lua answered; returns those it could not run (NOSCRIPT). A chunk
     * Redis refused to run (out of memory, read-only replica, login...: see
     * {@link RedisConnection#isRetryable}) stays pending and is noted in {@link #refused}.
     */
    private List<Pending.Chunk> scriptReplies(List<Pending.Chunk> chunks, List<Response<Object>> replies) {
        List<Pending.Chunk> noScript = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            Pending.Chunk c = chunks.get(i);
            Object reply;
            try {
                reply = replies.get(i).get();
            } catch (JedisDataException e) {
                if (LuaScript.isNoScript(e)) {
                    noScript.add(c);
                } else if (RedisConnection.isRetryable(e)) {
                    refused = e;
                } else {
                    c.group.pending.acknowledge(c);
                    ctx.health().reportDataError(c.group.name(), e, c.total);
                }
                continue;
            }
            if (reply instanceof Long && (Long) reply == RedisEventGroup.HELD) {
                held(c);
                continue;
            }
            applied(c, reply instanceof Long && (Long) reply > 0 ? (Long) reply : 0);
        }
        return noScript;
    }

    /** Every few ms while counts are held: a Python master rotates a few ms after the boundary. */
    static final long HOLD_POLL_MS = 20;
    /** System.nanoTime() of the next send of held chunks, when nothing else is to be sent. */
    private long nextHoldPollNanos;

    /** A chunk whose interval is not open yet and that this writer must not rotate: kept, polled. */
    private void held(Pending.Chunk c) {
        c.held = true;
        nextHoldPollNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLD_POLL_MS);
    }

    private void applied(Pending.Chunk c, long late) {
        c.group.pending.acknowledge(c);
        delivered += c.total;
        if (late > 0) {
            c.group.warnLate(late);
        }
    }

    // ---- the transaction path: standalone and Sentinel ----

    /**
     * Increments per transaction (it takes at least one chunk whatever its size). Redis runs an
     * EXEC without serving other clients, about 0.3 µs per increment: 30,000 (10 chunks of 1,000
     * events × 3 intervals) hold it for about 10 ms.
     */
    public static final int TX_MAX_INCREMENTS = 30_000;
    /** Transactions aborted by a rotation before the chunks go the script way (which cannot be). */
    private static final int TX_ATTEMPTS = 3;

    private boolean sendByTransaction(List<Pending.Chunk> chunks, List<Declaration> declarations) {
        if (chunks.isEmpty()) {
            if (declarations.isEmpty()) {
                return true;
            }
            try (AbstractPipeline p = ctx.connection().jedis().pipelined()) {
                declareIn(p, declarations);
                p.sync();
            } catch (JedisException e) {
                failed(e);
                return false;
            }
            declared(declarations);
            return true;
        }
        for (int from = 0, to; from < chunks.size(); from = to) {
            to = from + 1;
            long increments = chunks.get(from).size() * (long) chunks.get(from).group.intervalCount();
            while (to < chunks.size()) {
                Pending.Chunk c = chunks.get(to);
                increments += c.size() * (long) c.group.intervalCount();
                if (increments > TX_MAX_INCREMENTS) {
                    break;
                }
                to++;
            }
            List<Pending.Chunk> todo = new ArrayList<>(chunks.subList(from, to));
            List<Declaration> withThese = from == 0 ? declarations : List.of();
            for (int attempt = 1; !todo.isEmpty(); attempt++) {
                if (attempt > TX_ATTEMPTS) {
                    // Rotations keep beating the transaction (a very short interval?): log.lua
                    // decides inside Redis, where nothing can come in between.
                    if (!sendByScript(todo, List.of())) {
                        return false;
                    }
                    break;
                }
                if (!transact(todo, withThese)) {
                    return false;
                }
                withThese = List.of();
            }
        }
        return true;
    }

    /**
     * One attempt at {@code todo} in two round trips on one connection. First: WATCH every @ts key
     * of the groups concerned and every chunk's marker, then read them. Then, decided here exactly as
     * log.lua decides inside Redis: MULTI, the INCRBYs (and registry SADDs, @late counts, the @ts of
     * an interval no master opened yet, the markers), EXEC. A chunk whose marker exists was applied
     * before (its reply was lost). A chunk whose counts are newer than the open interval (the master
     * is late or down) goes to log.lua after the EXEC, which rotates first, as do later chunks of its
     * group. An EXEC answered with nil (a rotation came in between; nothing was applied) leaves the
     * chunks in {@code todo} for the next attempt; every chunk settled is removed from it.
     * Returns false when Redis failed (the chunks are then in doubt, and their markers tell).
     */
    private boolean transact(List<Pending.Chunk> todo, List<Declaration> declarations) {
        List<RedisEventGroup> involved = new ArrayList<>();
        for (Pending.Chunk c : todo) {
            if (!involved.contains(c.group)) {
                involved.add(c.group);
            }
        }
        try (AbstractPipeline p = ctx.connection().jedis().pipelined()) {
            // ---- round trip 1: watch, then read what log.lua would read ----
            declareIn(p, declarations);
            List<String> tsKeys = new ArrayList<>();
            for (RedisEventGroup g : involved) {
                for (int i = 0; i < g.intervalCount(); i++) {
                    tsKeys.add(Keys.tsIn(g.prefix(i), false));
                    tsKeys.add(Keys.tsIn(g.prefix(i), true));
                }
            }
            String[] markers = new String[todo.size()];
            for (int k = 0; k < markers.length; k++) {
                Pending.Chunk c = todo.get(k);
                markers[k] = Keys.syncMarkerIn(c.group.prefix(0), c.id);
            }
            List<String> watched = new ArrayList<>(tsKeys);
            watched.addAll(Arrays.asList(markers));
            p.sendCommand(Protocol.Command.WATCH, watched.toArray(new String[0]));
            Response<List<String>> tsReply = p.mget(tsKeys.toArray(new String[0]));
            Response<List<String>> markerReply = p.mget(markers);
            p.sync();
            ctx.probe().afterRead();
            declared(declarations);
            List<String> ts = tsReply.get();
            List<String> applied = markerReply.get();

            // ---- decide, chunk by chunk in order, as log.lua would run them ----
            TxPlan plan = new TxPlan(involved, ts);
            List<Pending.Chunk> inTx = new ArrayList<>();
            List<int[]> where = new ArrayList<>();
            List<Pending.Chunk> byScript = new ArrayList<>();
            for (int k = 0; k < todo.size(); k++) {
                Pending.Chunk c = todo.get(k);
                if (applied.get(k) != null) {
                    applied(c, 0);
                    continue;
                }
                int[] w = plan.decide(c);
                if (w == TxPlan.HELD) {
                    held(c);
                } else if (w == null) {
                    byScript.add(c);
                } else {
                    inTx.add(c);
                    where.add(w);
                }
            }
            todo.removeIf(c -> !inTx.contains(c) && !byScript.contains(c));
            if (inTx.isEmpty() && byScript.isEmpty()) {
                p.sendCommand(Protocol.Command.UNWATCH, new String[0]);
                p.sync();
                return true;
            }

            // ---- round trip 2: MULTI ... EXEC, then the chunks log.lua must take ----
            Response<Object> exec = null;
            List<Response<?>> queuedWrites = new ArrayList<>();
            int[] incrFrom = new int[inTx.size()];
            long[] late = new long[inTx.size()];
            if (inTx.isEmpty()) {
                p.sendCommand(Protocol.Command.UNWATCH, new String[0]);
            } else {
                p.sendCommand(Protocol.Command.MULTI, new String[0]);
                int queued = 0;
                for (String[] set : plan.tsToSet) {
                    queuedWrites.add(p.set(set[0], set[1]));
                    queued++;
                }
                for (int k = 0; k < inTx.size(); k++) {
                    Pending.Chunk c = inTx.get(k);
                    int[] w = where.get(k);
                    queued += queueChunk(p, c, w, queuedWrites);
                    incrFrom[k] = queued - c.size() * w.length;
                    late[k] = queueAfterCounts(p, c, w);
                    queued += afterCountsCommands(c, w);
                }
                exec = p.sendCommand(Protocol.Command.EXEC, new String[0]);
            }
            List<Response<Object>> scriptReplies = new ArrayList<>(byScript.size());
            for (Pending.Chunk c : byScript) {
                scriptReplies.add(LuaScript.LOG.evalSourceIn(p, c.group.tsKeys, c.args()));
            }
            p.sync();
            ctx.probe().afterExec();

            todo.removeAll(byScript);
            scriptReplies(byScript, scriptReplies);
            if (exec == null) {
                return true;
            }
            Object execReply;
            try {
                execReply = exec.get();
            } catch (JedisDataException e) {
                // EXECABORT: Redis refused a command while queueing (out of memory, a read-only
                // replica...); nothing was applied, so the chunks stay pending (same IDs) and go
                // again after a backoff, like after a lost connection. EXECABORT alone does not
                // say why: the refusal is the reply to the queued command.
                failed(execAborted(e, queuedWrites));
                return false;
            }
            if (execReply == null) {
                return true; // a watched key changed: nothing applied; todo still holds inTx
            }
            List<?> results = (List<?>) execReply;
            for (int k = 0; k < inTx.size(); k++) {
                settle(inTx.get(k), where.get(k), results, incrFrom[k], late[k]);
            }
            todo.removeAll(inTx);
            return true;
        } catch (JedisException e) {
            failed(e);
            return false;
        }
    }

    /**
     * The error to report for an EXECABORT: Redis's refusal of the first queued write it refused
     * (e.g. "OOM command not allowed when used memory > 'maxmemory'"), so the one line a user
     * sees says what Redis refused, with what became of the transaction.
     */
    static JedisDataException execAborted(JedisDataException execAbort, List<Response<?>> queued) {
        for (Response<?> r : queued) {
            try {
                r.get();
            } catch (JedisDataException refusal) {
                return new JedisDataException(firstLine(refusal.getMessage())
                        + " (EXECABORT: Redis discarded the transaction, nothing of it was applied)", execAbort);
            }
        }
        return execAbort;
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }


    /** Queues the INCRBY of every count of {@code c} (events outer, intervals inner); returns how many. */
    private static int queueChunk(AbstractPipeline p, Pending.Chunk c, int[] where, List<Response<?>> queued) {
        RedisEventGroup g = c.group;
        int n = where.length;
        for (int e = 0; e < c.size(); e++) {
            String event = c.counters[e].event;
            String count = Long.toString(c.counts[e]); // once for all intervals
            for (int i = 0; i < n; i++) {
                queued.add(p.sendCommand(Protocol.Command.INCRBY,
                        Keys.counterIn(g.prefix(i), where[i] == TxPlan.LAST, event), count));
            }
        }
        return c.size() * n;
    }

    /**
     * Queues what follows the counts of {@code c}: one SADD of its auto-declared events per interval
     * registry, the @late counts, its marker. Returns the counts credited late.
     */
    private static long queueAfterCounts(AbstractPipeline p, Pending.Chunk c, int[] where) {
        RedisEventGroup g = c.group;
        String[] dynamic = null;
        if (c.anyDynamic) {
            List<String> d = new ArrayList<>();
            for (int e = 0; e < c.size(); e++) {
                if (c.counters[e].dynamic) {
                    d.add(c.counters[e].event);
                }
            }
            dynamic = d.toArray(new String[0]);
        }
        long late = 0;
        for (int i = 0; i < where.length; i++) {
            if (dynamic != null) {
                p.sadd(Keys.registryIn(g.prefix(i), where[i] == TxPlan.LAST), dynamic);
            }
            if (where[i] == TxPlan.LATE) {
                p.incrBy(Keys.lateIn(g.prefix(i)), c.total);
                late += c.total;
            }
        }
        p.set(Keys.syncMarkerIn(g.prefix(0), c.id), "1", SetParams.setParams().px(Keys.MARKER_TTL_MILLIS));
        return late;
    }

    private static int afterCountsCommands(Pending.Chunk c, int[] where) {
        int n = 1;
        for (int w : where) {
            n += (c.anyDynamic ? 1 : 0) + (w == TxPlan.LATE ? 1 : 0);
        }
        return n;
    }

    /** Acknowledges a chunk applied by EXEC; counts refused (a key holding a non-counter) are reported. */
    private void settle(Pending.Chunk c, int[] where, List<?> results, int from, long late) {
        int n = where.length;
        long failed = 0;
        String bad = null;
        for (int e = 0; e < c.size(); e++) {
            for (int i = 0; i < n; i++) {
                Object r = results.get(from + e * n + i);
                if (r instanceof JedisDataException) {
                    failed += c.counts[e];
                    bad = Keys.counterIn(c.group.prefix(i), where[i] == TxPlan.LAST, c.counters[e].event)
                            + ": " + ((JedisDataException) r).getMessage();
                }
            }
        }
        if (bad == null) { // not failed == 0: negative counts may sum to 0
            applied(c, late);
            return;
        }
        c.group.pending.acknowledge(c);
        ctx.health().reportDataError(c.group.name(), new JedisDataException("NOTCOUNTED " + failed
                + " counts not stored (every other count of the call was): " + bad), failed);
        if (late > 0) {
            c.group.warnLate(late);
        }
    }

    /**
     * log.lua's choice of where counts go, made from the @ts values read in round trip 1 and
     * updated as the chunks before would update them (an @ts set by an earlier chunk).
     */
    public static final class TxPlan {
        static final int CUR = 0;
        public static final int LAST = 1;
        public static final int LATE = 2;
        private static final long NONE = TsCodec.MISSING;
        private static final long ODD = TsCodec.UNREADABLE;

        /** {@link #decide}'s answer for a chunk that waits until its interval is opened. */
        public static final int[] HELD = new int[0];
        private final java.util.Map<RedisEventGroup, long[][]> starts = new java.util.IdentityHashMap<>();
        /** Per group and interval: cur:@ts was written by a Python master (see the prelude's python_ts). */
        private final java.util.Map<RedisEventGroup, boolean[]> pythonTs = new java.util.IdentityHashMap<>();
        private final java.util.Set<RedisEventGroup> scripted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        /** {key, value} of the cur:@ts to set in the transaction (intervals that no master opened yet). */
        final List<String[]> tsToSet = new ArrayList<>();

        public TxPlan(List<RedisEventGroup> groups, List<String> ts) {
            int k = 0;
            for (RedisEventGroup g : groups) {
                long[][] s = new long[2][g.intervalCount()];
                boolean[] python = new boolean[g.intervalCount()];
                for (int i = 0; i < g.intervalCount(); i++) {
                    String cur = ts.get(k++);
                    s[0][i] = TsCodec.aligned(cur, g.lengthMillis(i));
                    s[1][i] = TsCodec.aligned(ts.get(k++), g.lengthMillis(i));
                    python[i] = TsCodec.writtenByPython(cur, s[0][i]);
                }
                starts.put(g, s);
                pythonTs.put(g, python);
            }
        }

        /**
         * Where each interval's counts of {@code c} go; null when log.lua must take the chunk (it
         * rotates first, or reads @ts its own way); {@link #HELD} when the chunk waits (log.lua
         * would answer -3).
         */
        public int[] decide(Pending.Chunk c) {
            RedisEventGroup g = c.group;
            if (scripted.contains(g)) {
                return null;
            }
            long[][] s = starts.get(g);
            boolean[] python = pythonTs.get(g);
            int n = g.intervalCount();
            int[] where = new int[n];
            for (int i = 0; i < n; i++) {
                long len = g.lengthMillis(i);
                long start = c.starts[i];
                long cur = s[0][i];
                if (cur == ODD) {
                    scripted.add(g);
                    return null;
                }
                if (cur == NONE) {
                    continue;
                }
                boolean mayRotate = g.config.writersRotate() && !python[i];
                if (mayRotate && g.sendNewest(i, start) >= cur + len) {
                    scripted.add(g); // log.lua rotates first, once, to the writer's current interval
                    return null;
                }
                if (start >= cur + len) {
                    long current = g.sendCurrent(i, start);
                    if (g.sendHolds() && current - Math.floorMod(current, len) == start - Math.floorMod(start, len)) {
                        return HELD;
                    }
                } else if (start < cur) {
                    long last = python[i] ? NONE : s[1][i];
                    if (last == ODD) {
                        scripted.add(g);
                        return null;
                    }
                    where[i] = start >= (last == NONE ? cur - len : last) ? LAST : LATE;
                }
            }
            for (int i = 0; i < n; i++) {
                if (s[0][i] == NONE) {
                    long open = c.starts[i] - Math.floorMod(c.starts[i], g.lengthMillis(i));
                    tsToSet.add(new String[] {Keys.tsIn(g.prefix(i), false), TsCodec.format(open)});
                    s[0][i] = open;
                }
            }
            return where;
        }
    }

    /**
     * Asks Redis, in one round trip, which in-doubt direct-mode calls it applied (their sequence
     * number is recorded per call slot); the others join the pending counts. No thread of this
     * logger makes direct calls until this has run, since Redis is still marked down.
     */
    private boolean resolveInDoubt() {
        List<RedisEventGroup.InDoubt> doubts = new ArrayList<>();
        List<RedisEventGroup> owners = new ArrayList<>();
        List<Response<String>> applied = new ArrayList<>();
        try (AbstractPipeline p = ctx.connection().jedis().pipelined()) {
            for (RedisEventGroup g : groups) {
                for (RedisEventGroup.InDoubt d : g.inDoubt) {
                    doubts.add(d);
                    owners.add(g);
                    applied.add(p.hget(g.directMarker(), d.slot.id));
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
            String last;
            try {
                last = applied.get(i).get();
            } catch (JedisDataException e) {
                // MOVED after a failover or a resharding: asked again at the next send.
                failed(e);
                return false;
            }
            if (last == null || Long.parseLong(last) < d.seq) {
                owners.get(i).resend(d);
            }
            owners.get(i).inDoubt.remove(d);
            ctx.callSlots().release(d.slot);
        }
        return true;
    }

    private void failed(JedisException e) {
        ctx.connection().clusterChanged();
        ctx.health().markDown(e);
        nextRetryNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    private void recovered() {
        backoffMs = MIN_BACKOFF_MS;
        ctx.health().markUp(delivered);
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

    /** Events pending in every group, plus direct-mode calls in doubt (their counts). */
    public long pendingEvents() {
        lock.lock();
        try {
            long n = 0;
            for (RedisEventGroup g : groups) {
                n = Pending.saturatedAdd(n, g.pending.events());
                for (RedisEventGroup.InDoubt d : g.inDoubt) {
                    n = Pending.saturatedAdd(n, d.count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(d.count));
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
                n += g.pending.entries() + g.inDoubt.size() + g.localEntries();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
