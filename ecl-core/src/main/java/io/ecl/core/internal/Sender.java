package io.ecl.core.internal;

import io.ecl.core.Interval;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Sends what the groups have drained: declarations, then every pending chunk, on a standalone or
 * Sentinel-managed Redis as MULTI/EXEC transactions, on a cluster as one pipeline of log.lua calls,
 * and settles each chunk from its reply (acknowledged, held until a master opens its interval, or
 * kept for the next send). First it lets {@link InDoubtResolver} settle direct-mode calls whose
 * outcome is unknown. Called by the {@link Flusher} with its lock held.
 */
public final class Sender {
    private final LoggerContext ctx;
    private final List<RedisEventGroup> groups;
    private final SendSchedule schedule;
    private final InDoubtResolver inDoubt;
    private final String idPrefix;
    private final AtomicLong chunkSeq = new AtomicLong();

    Sender(LoggerContext ctx, List<RedisEventGroup> groups, SendSchedule schedule, String idPrefix) {
        this.ctx = ctx;
        this.groups = groups;
        this.schedule = schedule;
        this.inDoubt = new InDoubtResolver(ctx, groups, schedule);
        this.idPrefix = idPrefix;
    }

    /**
     * Sends declarations and every pending chunk of every group: on a standalone or Sentinel-managed
     * Redis as MULTI/EXEC transactions (two round trips per {@link #TX_MAX_INCREMENTS} increments),
     * on a cluster as one pipeline of log.lua calls (a transaction there would need a connection
     * per node, and Jedis' cluster pipeline offers none). Returns true when nothing is left.
     */
    boolean send(boolean stopping) {
        try {
            return sendAll(stopping);
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

    private boolean sendAll(boolean stopping) {
        if (!inDoubt.resolve()) {
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
        boolean sent;
        if (ctx.connection().config.cluster()) {
            sent = sendByScript(chunks, declarations);
        } else {
            // Value statistics need a compare for min and max, which a transaction cannot make:
            // their chunks go by log.lua (markers make them exactly-once just the same).
            List<Pending.Chunk> byTransaction = new ArrayList<>(chunks.size());
            List<Pending.Chunk> byScript = new ArrayList<>();
            for (Pending.Chunk c : chunks) {
                (c.valueSize() > 0 ? byScript : byTransaction).add(c);
            }
            sent = sendByTransaction(byTransaction, declarations)
                    && (byScript.isEmpty() || sendByScript(byScript, List.of()));
        }
        if (!sent) {
            return false;
        }
        if (refused != null) {
            schedule.failed(refused);
            return false;
        }
        boolean allDone = true;
        for (RedisEventGroup g : groups) {
            allDone &= g.pending.isEmpty();
            if (!g.pending.anyHeld()) {
                g.released();
            }
        }
        schedule.recovered();
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
            schedule.failed(e);
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
            schedule.failed(e);
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

    /** A chunk whose interval is not open yet and that this writer must not rotate: kept, polled. */
    private void held(Pending.Chunk c) {
        c.held = true;
        schedule.held();
    }

    private void applied(Pending.Chunk c, long late) {
        c.group.pending.acknowledge(c);
        schedule.delivered(c.total);
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
                schedule.failed(e);
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
                schedule.failed(execAborted(e, queuedWrites));
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
            schedule.failed(e);
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
        queueUniques(p, c, where);
        p.set(Keys.syncMarkerIn(g.prefix(0), c.id), "1", SetParams.setParams().px(Keys.MARKER_TTL_MILLIS));
        return late;
    }

    /**
     * The chunk's unique counts: each sketch set once in a scratch key of the group's slot, merged
     * into the placed section of every interval (PFMERGE takes the registers' maximum: applying a
     * sketch again changes nothing), registered for rotation, and the scratch key deleted.
     */
    private static void queueUniques(AbstractPipeline p, Pending.Chunk c, int[] where) {
        if (c.uniqueSize() == 0) {
            return;
        }
        RedisEventGroup g = c.group;
        byte[] scratch = Keys.uniqueScratch(g.prefix(0)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int u = 0; u < c.uniqueSize(); u++) {
            String name = c.uniqueNames.get(u);
            p.set(scratch, c.uniqueSketches.get(u).toRedisDense());
            for (int i = 0; i < where.length; i++) {
                boolean last = where[i] == TxPlan.LAST;
                p.pfmerge(Keys.uniqueIn(g.prefix(i), last, name).getBytes(java.nio.charset.StandardCharsets.UTF_8), scratch);
                p.sadd(Keys.uniqueRegistryIn(g.prefix(i), last), name);
            }
            p.del(scratch);
        }
    }

    private static int afterCountsCommands(Pending.Chunk c, int[] where) {
        int n = 1 + c.uniqueSize() * (2 + 2 * where.length);
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

}
