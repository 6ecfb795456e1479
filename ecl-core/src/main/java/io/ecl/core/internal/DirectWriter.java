package io.ecl.core.internal;

import io.ecl.core.Interval;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The direct-mode calls of one group (a group without local counters): each log() is one
 * direct.lua call, one round trip whatever the number of intervals. That script handles only the
 * common case (every interval the call was made in is the open one: a check of the n
 * {@code cur:@ts}, n INCRBY, the in-doubt marker) and writes nothing otherwise; then log.lua, a
 * second round trip once per boundary or late call, does the rest (rotation when the master is
 * late, crediting {@code last}, {@code @late}, opening the first interval). Its arguments are
 * encoded once per group or per epoch where they can be.
 *
 * <p>Concurrent callers share script calls (group commit, see {@link #carry}): while one is in
 * flight, callers queue, and the next carries all of them, their counts summed per event, so
 * Redis' work per count falls as the number of threads grows instead of each caller paying a
 * script call of its own.
 *
 * <p>A call log.lua holds (its interval not opened yet by the master due to) and a call whose
 * outcome is unknown (Redis failed) go to the group's queues, which the flusher settles; the
 * writer tells the group through {@link Handoff}.
 */
final class DirectWriter {
    /**
     * direct.lua sets the marker hash's expiry ({@link Keys#MARKER_TTL_MILLIS}) when it creates a
     * field, and otherwise only when asked, at most once per this period per group: the hash then
     * outlives any call it records by at least that TTL less this, which the in-doubt check needs.
     */
    static final long MARKER_EXPIRY_REFRESH_MILLIS = 1_000;
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};

    /** What the writer hands to its group's flusher. */
    interface Handoff {
        /** Counts wait in the group's queues or local counters: the flusher's next cycle drains them. */
        void localCounts();

        /** Wakes the flusher now. */
        void wake();

        /** log.lua credited this many counts late. */
        void late(long counts);
    }

    private final String group;
    private final LoggerContext ctx;
    private final Interval[] intervals;
    private final List<String> tsKeys;
    private final String[] prefixes;
    private final String[] lengths;
    /** log.lua's flags for a direct call. */
    private final String flags;
    private final Queue<RedisEventGroup.InDoubt> heldCalls;
    private final Queue<RedisEventGroup.InDoubt> inDoubt;
    private final Handoff handoff;
    /** direct.lua's KEYS and ARGV with the per-call parts left null. */
    private final byte[][] template;
    private volatile DirectEpoch directEpoch = DirectEpoch.NONE;
    /** When a direct call last set the marker's expiry (the logger's clock); racy updates are fine. */
    private volatile long markerExpirySetAt = Long.MIN_VALUE;
    /** The start of the direct epoch whose calls are held, or Long.MIN_VALUE. */
    private volatile long heldFrom = Long.MIN_VALUE;

    /**
     * @param marker the group's marker hash ({@link Keys#directMarker})
     * @param flags log.lua's flags for a direct call
     * @param heldCalls where calls log.lua held go, drained by the flusher
     * @param inDoubt where calls of unknown outcome go, settled by the flusher
     */
    DirectWriter(String group, LoggerContext ctx, Interval[] intervals, List<String> tsKeys, String[] prefixes,
            String[] lengths, String marker, String flags, Queue<RedisEventGroup.InDoubt> heldCalls,
            Queue<RedisEventGroup.InDoubt> inDoubt, Handoff handoff) {
        this.group = group;
        this.ctx = ctx;
        this.intervals = intervals;
        this.tsKeys = tsKeys;
        this.prefixes = prefixes;
        this.lengths = lengths;
        this.flags = flags;
        this.heldCalls = heldCalls;
        this.inDoubt = inDoubt;
        this.handoff = handoff;
        this.template = template(marker);
        int n = intervals.length;
        this.curPrefixes = new byte[n][];
        this.registries = new byte[n][];
        for (int i = 0; i < n; i++) {
            curPrefixes[i] = utf8(prefixes[i] + "cur:");
            registries[i] = utf8(prefixes[i] + "cur:@reg");
        }
    }

    /** The marker hash's name, as sent: {@link #template} holds it after the n {@code @ts} keys. */
    private byte[] markerKey() {
        return template[intervals.length];
    }

    /** {@code "<group>:<interval>:cur:"} of each interval, as sent. */
    private final byte[][] curPrefixes;
    /** The registry of auto-declared events of each interval's cur. */
    private final byte[][] registries;

    /**
     * Direct mode: unique.lua adds the value in one round trip when every interval it was logged in
     * is open. False when it wrote nothing or failed: the caller adds the value to the local sketch
     * (adding it twice is harmless: a HyperLogLog counts a value once).
     */
    boolean logUnique(byte[] name, String value) {
        long now = ctx.clock().millis();
        DirectEpoch epoch = directEpoch(now);
        int n = intervals.length;
        byte[][] p = new byte[4 * n + 2][];
        for (int i = 0; i < n; i++) {
            p[i] = template[i];
            p[n + 2 + i] = template[n + 2 + i];
            p[3 * n + 2 + i] = template[3 * n + 2 + i];
        }
        p[n] = name;
        p[n + 1] = utf8(value);
        System.arraycopy(epoch.startArgs, 0, p, 2 * n + 2, n);
        try {
            Object done = LuaScript.UNIQUE.eval(ctx.connection().jedis(), n, p);
            return done instanceof Long && (Long) done == 0;
        } catch (JedisDataException e) {
            if (!RedisConnection.isRetryable(e)) {
                ctx.health().reportDataError(group, e, 1);
                return true; // a key of the wrong type: sending it again cannot help
            }
            ctx.health().markDown(e);
            handoff.wake();
            return false;
        } catch (JedisException e) {
            if (!RedisConnection.isPoolExhausted(e)) {
                ctx.health().markDown(e);
            }
            handoff.wake();
            return false;
        }
    }

    /**
     * Direct mode: one log.lua call with this value's statistics and the call's marker (as a direct
     * count that missed direct.lua's fast path), so the value is in Redis when logValue returns and
     * a call whose reply is lost is settled by the flusher, never applied twice. False when no call
     * was made (the caller records into the sketch).
     */
    boolean logValue(String name, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return false; // invalid values are only counted: the sketch does it
        }
        CallSlots.Slot callSlot = ctx.callSlots().lease(ctx::stopDirectCalls);
        if (callSlot == null) {
            return false;
        }
        boolean keepSlot = false;
        try {
            io.ecl.core.internal.kinds.SketchSnapshot stats = io.ecl.core.internal.kinds.SketchSnapshot.of(value);
            while (true) {
                long now = ctx.clock().millis();
                DirectEpoch epoch = directEpoch(now);
                if (heldFrom == epoch.from) {
                    hold(new RedisEventGroup.InDoubt(null, 0, epoch.starts, null, 0, name, stats), epoch);
                    return true;
                }
                long seq = ctx.directSeq().incrementAndGet();
                try {
                    List<String> args = directArgs(ctx.instanceId() + "|" + callSlot.id + "|" + seq, epoch.starts);
                    args.add(name);
                    args.add(Pending.Chunk.valueArg(io.ecl.core.internal.kinds.SketchFields.encode(stats)));
                    args.add("v");
                    Object reply = LuaScript.LOG.eval(ctx.connection().jedis(), tsKeys, args);
                    if (reply instanceof Long && (Long) reply == RedisEventGroup.HELD) {
                        hold(new RedisEventGroup.InDoubt(null, 0, epoch.starts, null, 0, name, stats), epoch);
                    } else {
                        markerExpirySetAt = now;
                    }
                    return true;
                } catch (JedisDataException e) {
                    if (!RedisConnection.isRetryable(e)) {
                        ctx.health().reportDataError(group, e, 1);
                        return true;
                    }
                    keepInDoubt(new RedisEventGroup.InDoubt(null, 0, epoch.starts.clone(), callSlot, seq, name, stats), e);
                    keepSlot = true;
                    return true;
                } catch (JedisException e) {
                    if (RedisConnection.isPoolExhausted(e)) {
                        if (ctx.stopDirectCalls()) {
                            return false;
                        }
                        continue;
                    }
                    keepInDoubt(new RedisEventGroup.InDoubt(null, 0, epoch.starts.clone(), callSlot, seq, name, stats), e);
                    keepSlot = true;
                    return true;
                }
            }
        } finally {
            if (!keepSlot) {
                ctx.callSlots().release(callSlot);
            }
        }
    }

    /**
     * One direct call, with a call slot leased for its duration (see {@link CallSlots}). Returns
     * false when the count must go to the local counters instead: Redis went down (or the caller
     * was interrupted) while it waited for a slot.
     */
    boolean log(RedisEventGroup.Counter c, long count) {
        CallSlots.Slot slot = ctx.callSlots().lease(ctx::stopDirectCalls);
        if (slot == null) {
            return false;
        }
        boolean keepSlot = false;
        try {
            while (true) {
                int outcome = call(c, count, slot);
                if (outcome == POOL_BUSY) {
                    // Every connection was busy for timeout_ms (threads reading counts hold some):
                    // nothing was sent and Redis is fine, so the call waits for its turn.
                    if (ctx.stopDirectCalls()) {
                        return false;
                    }
                    continue;
                }
                keepSlot = outcome == IN_DOUBT;
                return outcome != TO_MEMORY;
            }
        } finally {
            if (!keepSlot) {
                ctx.callSlots().release(slot);
            }
        }
    }

    /** Outcomes of {@link #call}. */
    private static final int APPLIED = 0;

    /** Not sent: log() adds the count to the local counters. */
    private static final int TO_MEMORY = 1;

    /** No connection became free within timeout_ms; nothing was sent. */
    private static final int POOL_BUSY = 2;

    /** Handed to the flusher, which settles it; the call keeps its slot until then. */
    private static final int IN_DOUBT = 3;

    private int call(RedisEventGroup.Counter c, long count, CallSlots.Slot slot) {
        long now = ctx.clock().millis();
        DirectEpoch epoch = directEpoch(now);
        if (heldFrom == epoch.from) {
            hold(new RedisEventGroup.InDoubt(c, count, epoch.starts, null, 0), epoch); // log.lua said so for this epoch: no round trip until it opens
            return APPLIED;
        }
        Call call = new Call(c, count, slot, ctx.directSeq().incrementAndGet(), epoch, now);
        carry(call);
        switch (call.state) {
            case Call.STORED:
                return APPLIED;
            case Call.NOT_OPEN:
                return boundary(call);
            case Call.CRASHED:
                throw (RuntimeException) call.error;
            default:
                return failed(call, (JedisException) call.error);
        }
    }

    /**
     * A boundary passed, the count is late, or no master opened the intervals: direct.lua wrote
     * nothing for this call; log.lua does it all (rotation, last, @late), with the same marker.
     * Made by the caller itself: this happens once per boundary, not per call.
     */
    private int boundary(Call call) {
        RedisEventGroup.Counter c = call.counter;
        List<String> args = directArgs(ctx.instanceId() + "|" + call.slot.id + "|" + call.seq, call.epoch.starts);
        args.add(c.event);
        args.add(Long.toString(call.count));
        args.add(c.dynamic ? "1" : "0");
        try {
            Object late = LuaScript.LOG.eval(ctx.connection().jedis(), tsKeys, args);
            if (late instanceof Long && (Long) late == RedisEventGroup.HELD) {
                hold(new RedisEventGroup.InDoubt(c, call.count, call.epoch.starts, null, 0), call.epoch); // nothing written, not even the marker: the slot is free again
                return APPLIED;
            }
            markerExpirySetAt = call.at; // log.lua sets it on every call
            if (late instanceof Long && (Long) late > 0) {
                handoff.late((Long) late);
            }
            return APPLIED;
        } catch (JedisException e) {
            return failed(call, e);
        }
    }

    /** What becomes of a call whose script failed with {@code e}. */
    private int failed(Call call, JedisException e) {
        if (e instanceof JedisDataException refusal) {
            if (!RedisConnection.isRetryable(refusal)) {
                ctx.health().reportDataError(group, e, call.count);
                return ctx.health().redisDown() ? TO_MEMORY : APPLIED;
            }
            // Redis refused the call before it wrote anything (login, OOM, read-only replica,
            // loading...): the count is kept and sent again, like after a lost connection.
        } else if (RedisConnection.isPoolExhausted(e)) {
            return POOL_BUSY;
        }
        // The call may or may not have run (the reply can be lost after Redis executed it).
        keepInDoubt(new RedisEventGroup.InDoubt(call.counter, call.count, call.epoch.starts.clone(), call.slot, call.seq), e);
        return IN_DOUBT;
    }

    // ---- coalescing: one direct.lua call carries every call waiting when it is sent ----

    /**
     * Hands {@code call} over and returns once Redis has answered for it. Group commit: at most
     * {@link #places} calls to Redis of this group are in flight, each on a connection of its own;
     * a caller arriving while they are queues its call, and the next caller free to send
     * (the first to find a free place) carries every call queued then in one transaction (or
     * direct.lua call), one round trip, then wakes their callers. Each caller still returns only after its own count is stored or its failure known,
     * and settles its own failure (in doubt, data error, boundary) as a lone call would: the
     * script records each call under its own slot and sequence number in the marker hash, so
     * exactly-once and the in-doubt check are the same for a carried call. No thread of its own:
     * a caller carries the others while it waits for its own reply anyway.
     */
    private void carry(Call call) {
        ReplyWait.enter(); // a caller that waits for a reply here counts against the CPUs a spin may use
        callers.incrementAndGet();
        try {
            carryAlong(call);
        } finally {
            callers.decrementAndGet();
            ReplyWait.leave();
        }
    }

    /** Callers of this group in {@link #carry} now: waiting for a place, sending, or carried. */
    private final AtomicInteger callers = new AtomicInteger();

    /**
     * Script calls this group may have in flight while {@code callers} calls are under way: one per
     * caller while there are no more than {@link #MAX_LINKS}, beyond that {@link #MAX_IN_FLIGHT}. A
     * few callers then each wait on their own connection's reply, as raw commands' callers do,
     * instead of one waking the next; coalescing pays once callers outnumber that. Measured on 2
     * CPUs with ecl-bench's paired slices (2026-12-01, rounds of 15), log() against raw INCR from
     * the same threads, with a place per caller against {@link #MAX_IN_FLIGHT} (3) places:
     * <pre>
     * threads   a place each    3 places
     *    4      0.63, 0.67      0.55, 0.56
     *    8      0.71, 0.64      0.58, 0.59
     *   12      0.63, 0.74      0.88, 0.87    (8 places: the most connections a group makes)
     *   16      0.73            0.89-1.13     (8 places)
     * </pre>
     */
    static int places(int callers) {
        return callers <= MAX_LINKS ? Math.max(MAX_IN_FLIGHT, callers) : MAX_IN_FLIGHT;
    }

    private void carryAlong(Call call) {
        queue.add(call);
        boolean interrupted = false;
        while (call.state == Call.PENDING) {
            int n = inFlight.get();
            if (n < places(callers.get()) && inFlight.compareAndSet(n, n + 1)) {
                try {
                    do {
                        sendQueued(); // more than MAX_BATCH queued ahead of this call: until it is sent
                    } while (call.state == Call.PENDING && !queue.isEmpty());
                } finally {
                    inFlight.decrementAndGet();
                    // Whoever queued meanwhile waits for a free place: the first of them gets it.
                    Call next = queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.caller);
                    }
                }
                if (call.state != Call.PENDING) {
                    break;
                }
                // Another sender carries this call: its reply wakes this thread.
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true; // the call is in flight: it is seen through, the flag kept
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the calls queued now (at most {@link #MAX_BATCH}), one script call per epoch among them. */
    private void sendQueued() {
        List<Call> batch = new ArrayList<>();
        for (Call c; batch.size() < MAX_BATCH && (c = queue.poll()) != null; ) {
            batch.add(c);
        }
        List<Call> all = batch;
        try {
            while (!batch.isEmpty()) {
                // Calls of two epochs are queued together only right at a boundary.
                long from = batch.get(0).epoch.from;
                List<Call> same = batch;
                List<Call> rest = List.of();
                for (int i = 1; i < batch.size(); i++) {
                    if (batch.get(i).epoch.from != from) {
                        same = new ArrayList<>();
                        rest = new ArrayList<>();
                        for (Call c : batch) {
                            (c.epoch.from == from ? same : rest).add(c);
                        }
                        break;
                    }
                }
                send(same);
                batch = rest;
            }
        } catch (RuntimeException | Error e) {
            // No caller may wait for ever: those not sent yet get the failure as their own.
            RuntimeException failure = e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
            for (Call c : all) {
                if (c.state == Call.PENDING) {
                    c.finish(Call.CRASHED, failure);
                }
            }
            throw e;
        }
    }

    /**
     * One direct.lua call for {@code calls}, all of one epoch; sets the state of each and wakes its
     * caller. Calls of one event are summed into one INCRBY per interval (Redis' work per call is
     * then one field of the marker's HSET); a sum that would go beyond a long starts another.
     */
    private void send(List<Call> calls) {
        Call first = calls.get(0);
        long now = first.at;
        int k = calls.size();
        int[] sumOf = new int[k];
        List<RedisEventGroup.Counter> sumCounters = new ArrayList<>(4);
        long[] sums = new long[k];
        for (int i = 0; i < k; i++) {
            Call c = calls.get(i);
            now = Math.max(now, c.at);
            sumOf[i] = -1;
            for (int s = sumCounters.size() - 1; s >= 0; s--) {
                if (sumCounters.get(s) == c.counter) {
                    long total = sums[s] + c.count;
                    if (((sums[s] ^ total) & (c.count ^ total)) >= 0) { // no overflow
                        sums[s] = total;
                        sumOf[i] = s;
                    }
                    break;
                }
            }
            if (sumOf[i] < 0) {
                sumOf[i] = sumCounters.size();
                sums[sumCounters.size()] = c.count;
                sumCounters.add(c.counter);
            }
        }
        long markerSet = markerExpirySetAt;
        boolean setExpiry = now < markerSet || now >= markerSet + MARKER_EXPIRY_REFRESH_MILLIS;
        Object done;
        try {
            done = store(first.epoch, calls, sumCounters, sums, setExpiry);
        } catch (JedisException e) {
            finish(calls, Call.FAILED, e);
            return;
        } catch (RuntimeException | Error e) {
            finish(calls, Call.CRASHED, e instanceof RuntimeException ? e : new IllegalStateException(e));
            throw e;
        }
        if (done instanceof Long && (Long) done == 0) {
            if (setExpiry) {
                markerExpirySetAt = now;
            }
            finish(calls, Call.STORED, null);
        } else if (done instanceof List) {
            // Some counters hold non-integer values: the calls that logged into them fail, each with
            // its own count; the others are stored. The marker was written for all of them.
            if (setExpiry) {
                markerExpirySetAt = now;
            }
            List<?> each = (List<?>) done;
            for (int i = 0; i < k; i++) {
                Object r = each.get(sumOf[i]);
                if (r instanceof byte[] || r instanceof String) {
                    String refusal = r instanceof byte[] ? new String((byte[]) r, StandardCharsets.UTF_8) : (String) r;
                    calls.get(i).finish(Call.FAILED, notCounted(calls.get(i).count, refusal));
                } else {
                    calls.get(i).finish(Call.STORED, null);
                }
            }
        } else {
            finish(calls, Call.NOT_OPEN, null);
        }
    }

    /**
     * One round trip for {@code calls}: on the group's own connection ({@link DirectLink}) a
     * MULTI/EXEC guarded by its watch of the {@code @ts} keys when the watch began with every
     * interval the one the calls were logged in, else direct.lua on it; direct.lua through the
     * pool where the group has no connection of its own (Sentinel, Cluster). The answer as
     * direct.lua gives it.
     */
    private Object store(DirectEpoch epoch, List<Call> calls, List<RedisEventGroup.Counter> sumCounters, long[] sums,
            boolean setExpiry) {
        DirectLink l = link();
        if (l == null) {
            return LuaScript.DIRECT.eval(ctx.connection().jedis(), intervals.length,
                    params(epoch, calls, sumCounters, sums, setExpiry));
        }
        try {
            return storeOn(l, epoch, calls, sumCounters, sums, setExpiry);
        } finally {
            release(l);
        }
    }

    /** {@link #store} on the group's connection {@code l}, which this sender alone uses meanwhile. */
    private Object storeOn(DirectLink l, DirectEpoch epoch, List<Call> calls, List<RedisEventGroup.Counter> sumCounters,
            long[] sums, boolean setExpiry) {
        if (l.armedWith(epoch.startArgs)) {
            Object done = transaction(l, epoch, calls, sumCounters, sums, setExpiry);
            if (done != ABORTED) {
                return done;
            }
            // A rotation wrote @ts since the watch began: nothing was written; direct.lua decides.
        }
        byte[][] p = params(epoch, calls, sumCounters, sums, setExpiry);
        Object done = l.exchange(List.of(script(Protocol.Command.EVALSHA, LuaScript.DIRECT.shaBytes(), p)))[0];
        if (done instanceof JedisDataException e && LuaScript.isNoScript(e)) {
            done = l.exchange(List.of(script(Protocol.Command.EVAL, LuaScript.DIRECT.sourceBytes(), p)))[0];
        }
        if (done instanceof JedisDataException e) {
            throw e;
        }
        if (!(done instanceof Long && (Long) done == NOT_OPEN_REPLY)) {
            markerHolds(calls); // direct.lua wrote their fields, with the hash's expiry if one was new
            if (done instanceof Long) {
                for (RedisEventGroup.Counter c : sumCounters) {
                    // direct.lua registers a counter it creates; one that existed was registered
                    if (c.dynamic) {
                        c.registeredIn = epoch.from;
                    }
                }
            }
        }
        return done;
    }

    /**
     * Whether a transaction adds the auto-declared event of {@code c} to each interval's registry:
     * unless this writer's own call stored it in this epoch already (a counter that exists is
     * registered: the rotation renames cur:@reg with the counters it lists, and the epoch ends at
     * the first boundary). SADD of a member already there changes nothing, so the rule only saves
     * commands.
     */
    private static boolean registers(RedisEventGroup.Counter c, DirectEpoch epoch) {
        return c.dynamic && c.registeredIn != epoch.from;
    }

    /** direct.lua's answer when it wrote nothing (a boundary, late counts, no master yet). */
    private static final long NOT_OPEN_REPLY = -2;

    /**
     * Call slots whose field this group's marker hash has held since its expiry was last set
     * (a field's first write sets it; see {@link #transaction}). Shared by the senders in flight:
     * a slot missing from it only costs a PEXPIRE more.
     */
    private final java.util.Set<CallSlots.Slot> slotsInMarker = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void markerHolds(List<Call> calls) {
        for (Call c : calls) {
            slotsInMarker.add(c.slot);
        }
    }

    /** EVALSHA (with the digest) or EVAL (with the source) of direct.lua with {@code keysThenArgs}. */
    private DirectLink.Command script(Protocol.Command evalOrEvalsha, byte[] shaOrSource, byte[][] keysThenArgs) {
        byte[][] a = new byte[keysThenArgs.length + 2][];
        a[0] = shaOrSource;
        a[1] = ascii(Integer.toString(intervals.length));
        System.arraycopy(keysThenArgs, 0, a, 2, keysThenArgs.length);
        return DirectLink.Command.of(evalOrEvalsha, a);
    }

    /** {@link #transaction}'s answer when EXEC found a watched {@code @ts} key written. */
    private static final Object ABORTED = new Object();

    private static final DirectLink.Command MULTI = DirectLink.Command.of(Protocol.Command.MULTI);
    private static final DirectLink.Command EXEC = DirectLink.Command.of(Protocol.Command.EXEC);
    private static final byte[] MARKER_TTL = ascii(Long.toString(Keys.MARKER_TTL_MILLIS));

    /**
     * What direct.lua does when every interval is open, as plain commands in MULTI/EXEC: per event
     * an INCRBY of its sum in cur of each interval (and, auto-declared, its registration in
     * {@code cur:@reg}, which the script makes only for a new counter: SADD of a member already
     * there changes nothing), then each call's slot and sequence number in the marker hash and the
     * hash's expiry. A counter that refuses its count (not an integer, an overflow) fails alone, as
     * in the script. The answer as direct.lua gives it, or {@link #ABORTED}.
     */
    private Object transaction(DirectLink l, DirectEpoch epoch, List<Call> calls, List<RedisEventGroup.Counter> sumCounters,
            long[] sums, boolean setExpiry) {
        int n = intervals.length;
        List<DirectLink.Command> commands = new ArrayList<>(4 + 2 * n * sumCounters.size());
        commands.add(MULTI);
        boolean[] registering = new boolean[sumCounters.size()];
        for (int s = 0; s < sumCounters.size(); s++) {
            RedisEventGroup.Counter c = sumCounters.get(s);
            registering[s] = registers(c, epoch);
            byte[] sum = sums[s] == 1 ? ONE : ascii(Long.toString(sums[s]));
            for (int i = 0; i < n; i++) {
                commands.add(DirectLink.Command.of(Protocol.Command.INCRBY, concat(curPrefixes[i], c.eventBytes), sum));
                if (registering[s]) {
                    commands.add(DirectLink.Command.of(Protocol.Command.SADD, registries[i], c.eventBytes));
                }
            }
        }
        byte[][] fields = new byte[1 + 2 * calls.size()][];
        fields[0] = markerKey();
        int at = 1;
        for (Call c : calls) {
            fields[at++] = c.slot.idBytes;
            fields[at++] = c.seqArg;
        }
        int hset = commands.size();
        commands.add(DirectLink.Command.of(Protocol.Command.HSET, fields));
        // The hash's expiry, as direct.lua sets it: with a field's first write (a call slot this
        // group has not used yet), else at most once per MARKER_EXPIRY_REFRESH_MILLIS.
        boolean expire = setExpiry || !markerHoldsAll(calls);
        if (expire) {
            commands.add(DirectLink.Command.of(Protocol.Command.PEXPIRE, markerKey(), MARKER_TTL));
        }
        commands.add(EXEC);
        Object[] replies = l.exchange(commands);
        Object exec = replies[replies.length - 1];
        if (exec == null) {
            return ABORTED;
        }
        if (exec instanceof JedisDataException e) {
            // EXECABORT: Redis refused a command as it was queued (OOM, READONLY, a login that
            // expired...) and ran none: the first refusal says why.
            for (Object r : replies) {
                if (r instanceof JedisDataException refused && r != exec) {
                    throw refused;
                }
            }
            throw e;
        }
        if (!(exec instanceof List<?> results)) {
            throw new JedisDataException("EXEC answered " + exec);
        }
        markerHolds(calls);
        if (!expire && results.get(hset - 1) instanceof Long created && created > 0) {
            // The hash was gone (deleted, Redis restarted without its data) and this made it anew,
            // without an expiry: set it now, as direct.lua would have in the same call.
            try {
                l.exchange(List.of(DirectLink.Command.of(Protocol.Command.PEXPIRE, markerKey(), MARKER_TTL)));
            } catch (JedisException e) {
                // The counts are stored; the next call's expiry refresh (within a second) sets it.
                markerExpirySetAt = Long.MIN_VALUE;
            }
        }
        List<Object> each = null;
        int r = 0;
        for (int s = 0; s < sumCounters.size(); s++) {
            RedisEventGroup.Counter c = sumCounters.get(s);
            int failed = 0;
            String bad = null;
            for (int i = 0; i < n; i++) {
                if (results.get(r++) instanceof JedisDataException e) {
                    failed++;
                    bad = new String(concat(curPrefixes[i], c.eventBytes), StandardCharsets.UTF_8) + ": " + e.getMessage();
                }
                if (registering[s]) {
                    r++;
                }
            }
            if (registering[s] && bad == null) {
                c.registeredIn = epoch.from;
            }
            if (bad != null && each == null) {
                each = new ArrayList<>();
                for (int k = 0; k < s; k++) {
                    each.add(0L);
                }
            }
            if (each != null) {
                each.add(bad == null ? (Object) 0L : failed + "|" + bad);
            }
        }
        return each == null ? (Object) 0L : each;
    }

    /**
     * One of the group's own connections for a sender to use alone until {@link #release}: a free
     * one, or a new one (at most one per sender in flight, so at most {@link #MOST_IN_FLIGHT});
     * null where the group has none (Sentinel, Cluster), and for the group's first call, which
     * goes through the pool: a process that logs once (a command-line tool) makes no connection
     * for a second call that never comes.
     */
    private DirectLink link() {
        if (noLink) {
            return null;
        }
        for (DirectLink l; (l = freeLinks.poll()) != null; ) {
            if (l.usable()) {
                return l;
            }
        }
        synchronized (freeLinks) {
            if (!sentBefore) {
                sentBefore = true;
                return null;
            }
        }
        DirectLink l = ctx.connection().directLink(Arrays.copyOf(template, intervals.length), ctx.replyWait()); // the @ts keys, as sent
        if (l == null) {
            noLink = true;
        }
        return l;
    }

    /** Gives {@code l} back for the next sender, unless it failed (the group then makes another). */
    private void release(DirectLink l) {
        if (l.usable()) {
            freeLinks.add(l);
        }
    }

    /** The group's own connections not in use now (RedisConnection closes them all with itself). */
    private final java.util.concurrent.ConcurrentLinkedQueue<DirectLink> freeLinks =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean noLink;
    private boolean sentBefore;

    private boolean markerHoldsAll(List<Call> calls) {
        for (Call c : calls) {
            if (!slotsInMarker.contains(c.slot)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * The error of one call whose counters refused its count: direct.lua answers "{@code <n>|<key>:
     * <error>}" for n of the intervals, the call's count was stored in the others.
     */
    private static JedisDataException notCounted(long count, String refusal) {
        int bar = refusal.indexOf('|');
        java.math.BigInteger lost = java.math.BigInteger.valueOf(count)
                .multiply(java.math.BigInteger.valueOf(Long.parseLong(refusal.substring(0, bar))));
        return new JedisDataException("NOTCOUNTED " + lost + " counts not stored (every other count of the call was): "
                + refusal.substring(bar + 1));
    }

    private static void finish(List<Call> calls, int state, Throwable error) {
        for (Call c : calls) {
            c.finish(state, error);
        }
    }

    /**
     * Calls to Redis of one group in flight at once, each on its own connection, while more than
     * {@link #MAX_LINKS} callers call at once (fewer each have their own: {@link #places}): one more
     * than the CPUs, from 2 to 8. With one in flight, a few threads logging at once took turns: each batch
     * carried at most the other threads' calls, and the next one waited for its sender to be
     * woken. Measured on 2 CPUs with ecl-bench's paired slices (2026-12-01, two rounds of 15
     * each), log() against raw INCR from the same threads:
     * <pre>
     * in flight   4 threads     16 threads
     *     1       0.41, 0.37    0.89, 0.93
     *     2       0.50, 0.51    0.89, 0.88
     *     3       0.55, 0.58    0.94, 0.97
     *     4       0.64, 0.63    0.83, 0.84
     * </pre>
     * More in flight splits the queue of many threads into batches too small to pay for their
     * transaction on busy CPUs (8 in flight: 16 threads at 0.76); fewer leaves a few threads
     * waiting on each other. When direct.lua was the common path (5-10 times a transaction's
     * Redis time) one in flight was best.
     */
    static final int MAX_IN_FLIGHT = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() + 1));

    /** Connections of one group at most, so script calls in flight at most (see {@link #places}). */
    static final int MAX_LINKS = 8;

    /** The most script calls this group has in flight at once: with a place per caller. */
    static final int MOST_IN_FLIGHT = places(MAX_LINKS);

    /** Calls carried by one script call at most (direct.lua gets 2 arguments per call, 3 per event). */
    static final int MAX_BATCH = 64;

    private final ConcurrentLinkedQueue<Call> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Calls queued now (tests). */
    int queued() {
        return queue.size();
    }

    /** Script calls in flight now (tests). */
    int inFlight() {
        return inFlight.get();
    }

    /** One caller's count, waiting to be carried, then its outcome. */
    private static final class Call {
        static final int PENDING = 0;
        static final int STORED = 1;
        /** direct.lua wrote nothing for it (a boundary): the caller runs log.lua. */
        static final int NOT_OPEN = 2;
        /** The script failed ({@link #error}, a JedisException), or the call's counters refused its count. */
        static final int FAILED = 3;
        /** Anything else thrown while sending: rethrown to the caller, as if it had sent its call. */
        static final int CRASHED = 4;

        final RedisEventGroup.Counter counter;
        final long count;
        final CallSlots.Slot slot;
        final long seq;
        final DirectEpoch epoch;
        /** The logger's clock when the call was made. */
        final long at;
        final Thread caller = Thread.currentThread();
        /** The sequence number as direct.lua receives it. */
        final byte[] seqArg;
        volatile int state = PENDING;
        Throwable error;

        Call(RedisEventGroup.Counter counter, long count, CallSlots.Slot slot, long seq, DirectEpoch epoch, long at) {
            this.counter = counter;
            this.count = count;
            this.slot = slot;
            this.seq = seq;
            this.epoch = epoch;
            this.at = at;
            this.seqArg = ascii(Long.toString(seq));
        }

        /** Sets the outcome (error first: the state's volatile write publishes it) and wakes the caller. */
        void finish(int outcome, Throwable e) {
            error = e;
            state = outcome;
            if (caller != Thread.currentThread()) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** The interval starts of a direct call made at {@code now}: the cached epoch, made anew at a boundary. */
    private DirectEpoch directEpoch(long now) {
        DirectEpoch epoch = directEpoch;
        if (now < epoch.from || now >= epoch.until) {
            directEpoch = epoch = new DirectEpoch(intervals, now);
        }
        return epoch;
    }

    /**
     * A direct call made in an interval that no master has opened yet, where this writer must not
     * rotate (a Python master is due to, a few ms after the boundary, or {@code writers_rotate:
     * false}): log.lua wrote nothing, and the count waits, with the interval starts of the call,
     * until the flusher finds the interval open. Later calls of the same epoch join it without a
     * round trip. The flusher polls every {@link Flusher#HOLD_POLL_MS} and drains the queue then.
     */
    private void hold(RedisEventGroup.InDoubt call, DirectEpoch epoch) {
        heldCalls.add(call);
        handoff.localCounts();
        if (heldFrom != epoch.from) {
            heldFrom = epoch.from;
            handoff.wake();
        }
    }

    /** Flusher side: the group's held counts were delivered; direct calls go to Redis again. */
    void released() {
        heldFrom = Long.MIN_VALUE;
    }

    /**
     * Hands a direct call that failed to the flusher, which asks Redis (the call's marker) whether
     * it was applied before it sends the count again; the call keeps its slot until then.
     */
    private void keepInDoubt(RedisEventGroup.InDoubt call, JedisException e) {
        inDoubt.add(call);
        handoff.localCounts();
        ctx.health().markDown(e);
        handoff.wake();
    }

    /**
     * direct.lua's KEYS and ARGV, in one array: the constant parts encoded once per group
     * ({@link #template}), the starts once per epoch, each call's slot and sequence number when it
     * is made, then the summed counts.
     */
    private byte[][] params(DirectEpoch epoch, List<Call> calls, List<RedisEventGroup.Counter> sumCounters, long[] sums,
            boolean setExpiry) {
        int n = intervals.length;
        int at = 4 * n + 2;
        byte[][] p = Arrays.copyOf(template, at + 1 + 2 * calls.size() + 3 * sumCounters.size());
        p[n + 1] = setExpiry ? ONE : ZERO;
        System.arraycopy(epoch.startArgs, 0, p, 2 * n + 2, n);
        p[at++] = calls.size() == 1 ? ONE : ascii(Integer.toString(calls.size()));
        for (Call c : calls) {
            p[at++] = c.slot.idBytes;
            p[at++] = c.seqArg;
        }
        for (int s = 0; s < sumCounters.size(); s++) {
            RedisEventGroup.Counter c = sumCounters.get(s);
            p[at++] = c.eventBytes;
            p[at++] = sums[s] == 1 ? ONE : ascii(Long.toString(sums[s]));
            p[at++] = c.dynamic ? ONE : ZERO;
        }
        return p;
    }

    /**
     * KEYS then ARGV up to the calls, as direct.lua (and, up to the starts and lengths, unique.lua)
     * take them: the @ts keys, the marker hash, the expiry flag (per call), the prefixes, the starts
     * (per epoch), the lengths.
     */
    private byte[][] template(String marker) {
        int n = intervals.length;
        byte[][] p = new byte[4 * n + 2][];
        for (int i = 0; i < n; i++) {
            p[i] = utf8(tsKeys.get(i));
            p[n + 2 + i] = utf8(prefixes[i]);
            p[3 * n + 2 + i] = ascii(lengths[i]);
        }
        p[n] = utf8(marker);
        return p;
    }


    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The interval starts of every direct-mode call made in {@code [from, until)}, and their
     * encoding for direct.lua: computed once per boundary instead of once per call.
     */
    private static final class DirectEpoch {
        static final DirectEpoch NONE = new DirectEpoch();

        final long from;
        final long until;
        final long[] starts;
        final byte[][] startArgs;

        private DirectEpoch() {
            from = Long.MAX_VALUE;
            until = Long.MIN_VALUE;
            starts = new long[0];
            startArgs = new byte[0][];
        }

        DirectEpoch(Interval[] intervals, long now) {
            long latestStart = Long.MIN_VALUE;
            long firstEnd = Long.MAX_VALUE;
            starts = new long[intervals.length];
            startArgs = new byte[intervals.length][];
            for (int i = 0; i < intervals.length; i++) {
                starts[i] = intervals[i].startOf(now);
                startArgs[i] = ascii(TsCodec.format(starts[i]));
                latestStart = Math.max(latestStart, starts[i]);
                firstEnd = Math.min(firstEnd, starts[i] + intervals[i].lengthMillis());
            }
            from = latestStart;
            until = firstEnd;
        }
    }

    /**
     * log.lua's ARGV up to the counts for a direct call (any thread): the call's own interval starts
     * are the newest it holds and its current ones.
     */
    private List<String> directArgs(String callId, long[] starts) {
        return LogArgs.of(callId, flags, prefixes, starts, lengths, starts, starts);
    }
}
