package io.ecl.core.internal;

import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configured group. The hot path of {@link #log} with local counters is: one lock-free map
 * lookup by event ID, one {@link LongAdder#add} into the slot of the current epoch, and (with
 * {@code sync_limit}) a read of that adder's sum. No allocation, no lock shared by threads, no I/O.
 *
 * <p>Epochs: the logger's flusher wakes at every interval boundary of the group and switches
 * {@link #slot} between the two adders of every counter, so counts logged before and after a
 * boundary are kept apart and each is sent with the interval starts it was logged in (the
 * script credits it to {@code cur} or {@code last} accordingly). An add that races the switch
 * lands in the old slot and is drained with the old epoch at the next flush, never lost.
 *
 * <p>Direct mode (no local counters): each log() is a call to Redis made by the group's
 * {@link DirectWriter}. If Redis fails, the count and every later one go to the local counters
 * until the flusher has delivered them, so callers never wait on a dead Redis twice.
 */
public final class RedisEventGroup implements EventGroup {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);
    private static final int MAX_WARNED_EVENTS = 10_000;
    /** Unique counts a group auto-declares at most: two 16 KiB sketches each (one per epoch), kept for good. */
    static final int MAX_AUTO_UNIQUES = 1_000;
    static final long IDLE_MIN_MILLIS = 60_000;
    /** How often direct calls refresh the marker hash's expiry at most (see {@link DirectWriter}). */
    public static final long MARKER_EXPIRY_REFRESH_MILLIS = DirectWriter.MARKER_EXPIRY_REFRESH_MILLIS;
    /**
     * Direct mode: calls to Redis of one group in flight at most, each on a connection of its own
     * (reached when each of that many callers gets a place of its own; more callers share fewer).
     */
    public static final int MAX_DIRECT_IN_FLIGHT = DirectWriter.MOST_IN_FLIGHT;

    /** One event's counts: two slots, one per epoch parity. */
    public static final class Counter {
        final String event;
        final boolean dynamic;
        public final LongAdder[] slots = {new LongAdder(), new LongAdder()};
        /**
         * Set by the flusher after it removed the counter from the map and before it drains it, so
         * a thread that looked it up earlier and adds afterwards sees the flag and takes its add
         * back (see {@link RedisEventGroup#forgetDynamicCounters}).
         */
        volatile boolean forgotten;
        /** Flusher only: the first idle sweep after the counter last had counts, 0 if none since. */
        long idleSince;
        /** The event ID as direct.lua receives it. */
        final byte[] eventBytes;
        /**
         * Direct mode, the group's sender only: the start of the direct epoch in which this
         * auto-declared event is known to be in every interval's {@code cur:@reg} (a rotation, which
         * renames the registry, ends the epoch first), else Long.MIN_VALUE.
         */
        long registeredIn = Long.MIN_VALUE;

        public Counter(String event, boolean dynamic) {
            this.event = event;
            this.eventBytes = event.getBytes(StandardCharsets.UTF_8);
            this.dynamic = dynamic;
        }

        @Override
        public String toString() {
            return event;
        }
    }

    /** One unique count's local sketches: one per epoch parity, as a counter's two adders. */
    static final class UniqueCounter {
        final String name;
        final io.ecl.core.internal.kinds.RedisHll[] slots = {new io.ecl.core.internal.kinds.RedisHll(),
            new io.ecl.core.internal.kinds.RedisHll()};

        /** The name as unique.lua receives it. */
        final byte[] nameBytes;

        UniqueCounter(String name) {
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** One value's local sketches: one per epoch parity. */
    static final class ValueCounter {
        final String name;
        final io.ecl.core.internal.kinds.ValueSketch[] slots = {new io.ecl.core.internal.kinds.ValueSketch(),
            new io.ecl.core.internal.kinds.ValueSketch()};

        ValueCounter(String name) {
            this.name = name;
        }
    }

    final GroupConfig config;
    private final LoggerContext ctx;
    private Flusher flusher;
    private final Interval[] intervals;
    public final List<String> tsKeys;
    private final String[] prefixes;
    private final String[] lengths;
    private final boolean direct;
    /** Direct mode: makes the calls to Redis; null with local counters. */
    private final DirectWriter directWriter;
    private final long syncLimit;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, UniqueCounter> uniques = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ValueCounter> values = new ConcurrentHashMap<>();
    private final Set<String> warnedEvents = ConcurrentHashMap.newKeySet();
    /** Events declared by declareEvent() that the config does not list; the reader must ask for them. */
    private final Set<String> declaredAtRunTime = ConcurrentHashMap.newKeySet();
    /** Auto-declared counters made since the last drain. */
    private final java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * Half of max_pending: this many new distinct IDs since the last drain make the flusher push
     * early (and {@link EventCountLogger#awaitCapacity} wait), and more auto-declared counters than
     * this are forgotten once drained. With Redis up, memory then holds a few times this many
     * distinct counts whatever the burst; max_pending, reached only in an outage, stays the cap.
     */
    private final int flushEarlyAt;
    private volatile int slot;
    volatile boolean flushRequested;
    /** Direct mode: counts went to the local counters (Redis failed) and must be drained. */
    volatile boolean hasLocalCounts;
    /** log.lua's reply when it held the counts (nothing written): see {@link #hold}. */
    public static final long HELD = -3;
    /** Direct-mode calls held until their interval is opened by a master; drained by the flusher. */
    final java.util.concurrent.ConcurrentLinkedQueue<InDoubt> heldCalls = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Direct-mode calls whose outcome is unknown; resolved by the flusher before anything else is sent. */
    final java.util.concurrent.ConcurrentLinkedQueue<InDoubt> inDoubt = new java.util.concurrent.ConcurrentLinkedQueue<>();

    // Guarded by the owner's flush lock.
    private long[] sendNewest;
    private long[] sendCurrent;
    private boolean sendHolds = true;
    private final long[][] slotStarts = new long[2][];
    long nextBoundary = Long.MIN_VALUE;
    long nextSync;
    final Pending pending;
    /** Declared events not yet written to the @declared sets in Redis. */
    final Set<String> undeclared = new java.util.LinkedHashSet<>();
    private boolean lateWarned;
    /** Auto-declared counters without counts for this long are forgotten; see {@link #sweepIdle}. */
    private final long idleMillis;
    private long nextSweep;

    public RedisEventGroup(GroupConfig config, LoggerContext ctx) {
        this.config = config;
        this.ctx = ctx;
        this.intervals = config.intervals().toArray(new Interval[0]);
        this.prefixes = new String[intervals.length];
        this.lengths = new String[intervals.length];
        List<String> ts = new ArrayList<>(intervals.length);
        for (int i = 0; i < intervals.length; i++) {
            prefixes[i] = Keys.prefix(ctx.keyMode(), config.name(), intervals[i]);
            lengths[i] = Long.toString(intervals[i].lengthMillis());
            ts.add(Keys.curTs(ctx.keyMode(), config.name(), intervals[i]));
        }
        this.tsKeys = List.copyOf(ts);
        this.direct = !config.usesLocalCounters();
        this.directWriter = direct ? new DirectWriter(config.name(), ctx, intervals, tsKeys, prefixes, lengths,
                directMarker(), flags(true), heldCalls, inDoubt, new DirectWriter.Handoff() {
                    @Override
                    public void localCounts() {
                        hasLocalCounts = true;
                    }

                    @Override
                    public void wake() {
                        flusher.wake();
                    }

                    @Override
                    public void late(long counts) {
                        warnLate(counts);
                    }
                }) : null;
        this.syncLimit = config.syncLimit();
        this.pending = new Pending(config.maxPending());
        this.flushEarlyAt = Math.max(1, config.maxPending() / 2);
        long longest = 0;
        for (Interval i : intervals) {
            longest = Math.max(longest, i.lengthMillis());
        }
        this.idleMillis = Math.max(longest, IDLE_MIN_MILLIS);
        for (String e : config.events()) {
            counters.put(e, new Counter(e, false));
            undeclared.add(e);
        }
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public void log(String event, long count) {
        if (count == 0) {
            return;
        }
        if (ctx.refusals().closed()) {
            ctx.refusals().refuse(name(), event, count);
            return;
        }
        Counter c = event == null ? null : counters.get(event);
        if (c != null) {
            add(c, count);
            return;
        }
        if ((c = admit(event)) == null) {
            return;
        }
        add(c, count);
        if (created.get() >= flushEarlyAt && !flushRequested) {
            // A burst of new IDs: push now (this count included) rather than at the next sync,
            // long before max_pending is near.
            flushRequested = true;
            flusher.wake();
        }
    }

    private void add(Counter c, long count) {
        if (direct && !ctx.health().redisDown() && directWriter.log(c, count)) {
            return;
        }
        if (count > FAST_PATH_MAX || count < -FAST_PATH_MAX) {
            // Rare: added with exact arithmetic under the flush lock, so a total beyond a long
            // saturates and is reported instead of wrapping in the adder.
            flusher.addExact(this, c, count);
            return;
        }
        int k = slot;
        LongAdder adder = c.slots[k];
        adder.add(count);
        if (c.forgotten) {
            // The flusher forgot this counter while this thread held it: whatever it has not
            // drained yet is taken back and logged again through the map.
            long v = adder.sumThenReset();
            if (v != 0) {
                log(c.event, v);
            }
            return;
        }
        if (direct) {
            hasLocalCounts = true;
            flusher.wake();
        } else if (syncLimit > 0 && !flushRequested && adder.sum() >= syncLimit) {
            flushRequested = true;
            flusher.wake();
        }
    }

    /** First sight of an event ID: auto-declare it, or refuse it with one warning per ID. */
    private Counter admit(String event) {
        String problem = Keys.eventIdProblem(event);
        if (problem != null) {
            refuse(String.valueOf(event), "invalid event ID '" + event + "' in group '" + name() + "': " + problem);
            return null;
        }
        if (!config.autoDeclareEvents()) {
            refuse(event, "event '" + event + "' is not declared in group '" + name()
                    + "' and the group does not auto-declare events; not counted");
            return null;
        }
        Counter c = counters.get(event);
        if (c == null) {
            c = counters.computeIfAbsent(event, e -> {
                created.incrementAndGet();
                return new Counter(e, true);
            });
        }
        return c;
    }

    /**
     * Counts per call up to this go through the lock-free adders: a sum of them can only wrap
     * after 2^32 calls of one event between two syncs. Larger ones take the exact path.
     */
    static final long FAST_PATH_MAX = Integer.MAX_VALUE;

    /** True when enough new distinct IDs arrived since the last drain to push early (see {@link #flushEarlyAt}). */
    boolean wantsEarlyFlush() {
        return created.get() >= flushEarlyAt;
    }

    private void refuse(String event, String message) {
        if (warnedEvents.size() < MAX_WARNED_EVENTS && warnedEvents.add(event)) {
            LOG.warn(message);
        }
    }

    @Override
    public void logUnique(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("null value for unique count '" + name + "' in group '" + name() + "'");
        }
        if (ctx.refusals().closed()) {
            ctx.refusals().refuse(name(), String.valueOf(name), 1);
            return;
        }
        UniqueCounter u = uniques.get(name);
        if (u == null) {
            u = admitUnique(name);
            if (u == null) {
                return;
            }
        }
        if (direct && !ctx.health().redisDown() && directWriter.logUnique(u.nameBytes, value)) {
            return;
        }
        u.slots[slot].add(value);
        if (direct) {
            // Not applied by unique.lua (a boundary, Redis away): the flusher places the sketch now.
            hasLocalCounts = true;
            flusher.wake();
        }
    }

    @Override
    public void logValue(String name, double value) {
        if (ctx.refusals().closed()) {
            ctx.refusals().refuse(name(), String.valueOf(name), 1);
            return;
        }
        ValueCounter v = values.get(name);
        if (v == null) {
            v = admitValue(name);
            if (v == null) {
                return;
            }
        }
        if (direct && !ctx.health().redisDown() && directWriter.logValue(v.name, value)) {
            return;
        }
        v.slots[slot].record(value);
        if (direct) {
            // Not sent (Redis away, or the call could not be made): the flusher pushes the sketch now.
            hasLocalCounts = true;
            flusher.wake();
        }
    }

    private ValueCounter admitValue(String name) {
        String problem = Keys.measurementNameProblem(name);
        if (problem != null) {
            refuse("@v:" + name, "invalid value name '" + name + "' in group '" + name() + "': " + problem);
            return null;
        }
        boolean declared = config.values().contains(name);
        if (!declared && !config.autoDeclareEvents()) {
            refuse("@v:" + name, "value '" + name + "' is not declared in group '" + name()
                    + "' (values) and the group does not auto-declare events; not recorded");
            return null;
        }
        if (!declared && values.size() >= MAX_AUTO_UNIQUES) {
            refuse("@v:" + name, "value '" + name + "' not recorded: group '" + name() + "' has "
                    + MAX_AUTO_UNIQUES + " values already; declare the ones you need in its 'values'");
            return null;
        }
        return values.computeIfAbsent(name, ValueCounter::new);
    }

    /** First sight of a unique count's name: declared in the config, or auto-declared, or refused once. */
    private UniqueCounter admitUnique(String name) {
        String problem = Keys.measurementNameProblem(name);
        if (problem != null) {
            refuse("@u:" + name, "invalid unique count name '" + name + "' in group '" + name() + "': " + problem);
            return null;
        }
        boolean declared = config.uniques().contains(name);
        if (!declared && !config.autoDeclareEvents()) {
            refuse("@u:" + name, "unique count '" + name + "' is not declared in group '" + name()
                    + "' (uniques) and the group does not auto-declare events; not counted");
            return null;
        }
        if (!declared && uniques.size() >= MAX_AUTO_UNIQUES) {
            refuse("@u:" + name, "unique count '" + name + "' not counted: group '" + name() + "' has "
                    + MAX_AUTO_UNIQUES + " unique counts already, each holding 32 KiB in every process; declare"
                    + " the ones you need in its 'uniques'");
            return null;
        }
        return uniques.computeIfAbsent(name, UniqueCounter::new);
    }

    @Override
    public void declareEvent(String event) {
        String problem = Keys.eventIdProblem(event);
        if (problem != null) {
            throw new IllegalArgumentException("invalid event ID '" + event + "' in group '" + name() + "': " + problem);
        }
        if (!config.isDeclared(event)) {
            declaredAtRunTime.add(event);
        }
        // An auto-declared counter keeps its counts (the flusher drains the retired one, which
        // threads that looked it up earlier may still add to); from now on the ID is declared.
        // Compare-and-set, so two threads declaring the same ID never orphan a counter.
        while (true) {
            Counter existing = counters.get(event);
            if (existing != null && !existing.dynamic) {
                return;
            }
            Counter declared = new Counter(event, false);
            if (existing == null ? counters.putIfAbsent(event, declared) == null
                    : counters.replace(event, existing, declared)) {
                if (existing != null) {
                    flusher.retire(this, existing);
                }
                break;
            }
        }
        flusher.declare(this, event);
    }

    /** Flusher side: the group's held counts were delivered; direct calls go to Redis again. */
    void released() {
        if (directWriter != null) {
            directWriter.released();
        }
    }

    /** A direct-mode call that failed without telling whether Redis applied it. */
    static final class InDoubt {
        final Counter counter;
        final long count;
        final long[] starts;
        /** The call's slot, leased until the flusher has resolved the doubt. */
        final CallSlots.Slot slot;
        final long seq;
        /** A direct logValue() call instead of a count: its value's name and statistics (one value); else null. */
        final String valueName;
        final io.ecl.core.internal.kinds.SketchSnapshot value;

        InDoubt(Counter counter, long count, long[] starts, CallSlots.Slot slot, long seq) {
            this(counter, count, starts, slot, seq, null, null);
        }

        InDoubt(Counter counter, long count, long[] starts, CallSlots.Slot slot, long seq, String valueName,
                io.ecl.core.internal.kinds.SketchSnapshot value) {
            this.counter = counter;
            this.count = count;
            this.starts = starts;
            this.slot = slot;
            this.seq = seq;
            this.valueName = valueName;
            this.value = value;
        }
    }

    int intervalCount() {
        return intervals.length;
    }

    /** The key prefix of interval {@code i} (made by {@link Keys#prefix}). */
    public String prefix(int i) {
        return prefixes[i];
    }

    long lengthMillis(int i) {
        return intervals[i].lengthMillis();
    }

    /**
     * log.lua's ARGV up to the counts, for counts logged in the epoch with these interval starts;
     * the send-dependent parts as {@link #sendArgs} sets them.
     */
    public List<String> scriptArgs(String chunkId, long[] starts) {
        List<String> args = LogArgs.of(chunkId, "", prefixes, starts, lengths, null, null);
        sendArgs(args);
        return args;
    }

    /**
     * Sets log.lua's flags, the newest start this writer holds counts for and its current
     * interval start (from {@link #sendNewest} and {@link #sendCurrent}, set by the flusher for
     * each send; the counts' own starts when unset) in {@code args} made by {@link #scriptArgs}.
     */
    void sendArgs(List<String> args) {
        int n = intervals.length;
        args.set(1, flags(sendHolds));
        for (int i = 0; i < n; i++) {
            long start = Long.parseLong(args.get(2 + n + i));
            args.set(2 + 3 * n + i, Long.toString(sendNewest(i, start)));
            args.set(2 + 4 * n + i, Long.toString(sendCurrent(i, start)));
        }
    }

    /** The newest start this writer holds counts for, interval {@code i}, as of the current send. */
    long sendNewest(int i, long start) {
        return sendNewest == null ? start : Math.max(start, sendNewest[i]);
    }

    /** The writer's current interval start, interval {@code i}, as of the current send. */
    long sendCurrent(int i, long start) {
        return sendCurrent == null ? start : sendCurrent[i];
    }

    boolean sendHolds() {
        return sendHolds;
    }

    /**
     * log.lua's flags: "r" when writers may rotate this group, "h" when counts may be held, then
     * the group's history N when it keeps one (a rotation by this writer appends to it as the
     * master's does).
     */
    String flags(boolean hold) {
        return LogArgs.flags(config, hold);
    }

    /**
     * Flusher side, before each send: the newest interval start of every count this writer holds
     * for the group, and the start of the interval its clock is in (the rotation target when the
     * newest counts are newer than the interval open in Redis). {@code hold}: false while closing
     * (held counts are then written to the open interval rather than kept).
     */
    void prepareSend(long now, boolean hold) {
        long[] newest = pending.newestStarts(intervals.length);
        long[] current = new long[intervals.length];
        for (int i = 0; i < intervals.length; i++) {
            current[i] = intervals[i].startOf(now);
        }
        sendContext(newest, current, hold);
    }

    /** Sets what {@link #prepareSend} computes (tests set it directly). */
    public void sendContext(long[] newest, long[] current, boolean hold) {
        sendNewest = newest;
        sendCurrent = current;
        sendHolds = hold;
    }

    void warnLate(long late) {
        if (!lateWarned) {
            lateWarned = true;
            LOG.warn("{} counts of group '{}' reached Redis after their interval had been closed;"
                    + " they are counted in the current interval and in the @late counters"
                    + " (further late counts are logged at debug level)", late, name());
        } else {
            LOG.debug("{} counts of group '{}' arrived late", late, name());
        }
    }

    // ---- flusher side (owner's flush lock held) ----

    /** Switches epochs when a boundary of any interval has passed; returns true if it did. */
    boolean rollEpoch(long now) {
        if (now < nextBoundary) {
            return false;
        }
        long[] starts = new long[intervals.length];
        long next = Long.MAX_VALUE;
        for (int i = 0; i < intervals.length; i++) {
            starts[i] = intervals[i].startOf(now);
            next = Math.min(next, starts[i] + intervals[i].lengthMillis());
        }
        nextBoundary = next;
        int current = slot;
        if (slotStarts[current] == null) {
            slotStarts[current] = starts;
            return false;
        }
        if (Arrays.equals(slotStarts[current], starts)) {
            return false;
        }
        int other = 1 - current;
        drainSlot(other); // stragglers of two epochs ago, credited to their own epoch
        slotStarts[other] = starts;
        slot = other;
        return true;
    }

    /** Moves every local count into {@link #pending}. */
    void drain() {
        hasLocalCounts = false;
        flushRequested = false;
        int made = created.getAndSet(0);
        drainSlot(slot);
        drainSlot(1 - slot);
        for (InDoubt h; (h = heldCalls.poll()) != null; ) {
            resend(h);
        }
        if (made > 0 && counters.size() - config.events().size() >= flushEarlyAt) {
            forgetDynamicCounters();
        }
    }

    /**
     * Forgets every auto-declared counter, all just drained, when there are at least
     * {@link #flushEarlyAt}: a stream of ever new IDs (client addresses) must not keep millions of
     * counters for the minute {@link #sweepIdle} waits. A thread that looked a counter up before it
     * was removed and adds after the drain sees {@link Counter#forgotten} and takes its add back
     * (the flag is written before the drain and read after the add, so one of the two sees the
     * add; LongAdder.sumThenReset hands every add to exactly one of them). The flag is written
     * after the removal, so whoever sees it finds the ID gone: the next log() of the ID makes a
     * new counter.
     */
    private void forgetDynamicCounters() {
        for (Counter c : counters.values()) {
            if (c.dynamic && counters.remove(c.event, c)) {
                // Removed first: a thread that sees the flag then finds the ID gone and makes a new counter.
                c.forgotten = true;
                drainRetired(c);
            }
        }
    }

    /** Adds a count too large for the adders (see {@link #FAST_PATH_MAX}) to the current epoch; flush lock held. */
    void addExact(Counter c, long count) {
        addPending(slotStarts[slot], c, count);
        if (direct) {
            hasLocalCounts = true;
        } else if (syncLimit > 0) {
            flushRequested = true;
        }
    }

    private void drainSlot(int k) {
        long[] starts = slotStarts[k];
        if (starts == null) {
            return;
        }
        for (Counter c : counters.values()) {
            drainCounter(c, k, starts);
        }
        for (ValueCounter v : values.values()) {
            io.ecl.core.internal.kinds.SketchSnapshot drained = v.slots[k].drain();
            if (!drained.isEmpty()) {
                io.ecl.core.internal.kinds.SketchSnapshot into = pending.valueFor(starts, v.name, ctx.health().redisDown());
                if (into != null) {
                    into.merge(drained);
                } else {
                    ctx.health().reportDropped(name(), drained.count());
                }
            }
        }
        for (UniqueCounter u : uniques.values()) {
            if (!u.slots[k].isEmpty()) {
                io.ecl.core.internal.kinds.RedisHll into = pending.uniqueFor(starts, u.name, ctx.health().redisDown());
                if (into != null) {
                    u.slots[k].drainInto(into);
                } else {
                    ctx.health().reportDropped(name(), 1);
                }
            }
        }
    }

    /** The hash of this logger's direct-mode markers (first interval's prefix, as log.lua does). */
    String directMarker() {
        return Keys.directMarker(ctx.keyMode(), config.name(), intervals[0], ctx.instanceId());
    }

    /** Moves an in-doubt call that Redis did not apply into {@link #pending}. */
    void resend(InDoubt d) {
        if (d.value != null) {
            io.ecl.core.internal.kinds.SketchSnapshot into = pending.valueFor(d.starts, d.valueName, ctx.health().redisDown());
            if (into != null) {
                into.merge(d.value);
            } else {
                ctx.health().reportDropped(name(), d.value.count());
            }
            return;
        }
        addPending(d.starts, d.counter, d.count);
    }

    void drainRetired(Counter c) {
        for (int k = 0; k < 2; k++) {
            if (slotStarts[k] != null) {
                drainCounter(c, k, slotStarts[k]);
            }
        }
    }

    private void drainCounter(Counter c, int k, long[] starts) {
        long v = c.slots[k].sumThenReset();
        if (v != 0) {
            c.idleSince = 0;
            addPending(starts, c, v);
        }
    }

    /**
     * Forgets auto-declared counters that had no counts for a whole interval (the longest of the
     * group, at least a minute): an app logging ever new IDs (per user, per URL) must not grow
     * without bound; the Python version empties its counts at every sync. Nothing is lost: a
     * removed counter is retired, so adds of threads that had just looked it up are still
     * drained, and the next log() of the ID makes a new one. Declared events are kept.
     */
    void sweepIdle(long now) {
        if (!config.autoDeclareEvents() || now < nextSweep) {
            return;
        }
        nextSweep = now + idleMillis / 2;
        for (Counter c : counters.values()) {
            if (!c.dynamic) {
                continue;
            }
            if (c.idleSince == 0) {
                c.idleSince = now;
            } else if (now - c.idleSince >= idleMillis && counters.remove(c.event, c)) {
                flusher.retire(this, c);
            }
        }
    }

    /** The slot that log() adds to now (tests). */
    public int currentSlot() {
        return slot;
    }

    /** Direct mode: calls queued for the next script call (tests). */
    public int queuedDirectCalls() {
        return directWriter.queued();
    }

    /** Direct mode: script calls of this group in flight now (tests). */
    public int directScriptCallsInFlight() {
        return directWriter.inFlight();
    }

    /** Counters held now, declared ones included (tests). */
    public int counterCount() {
        return counters.size();
    }

    /** The flusher of the logger this group belongs to; set once, before the first log(). */
    void attach(Flusher flusher) {
        this.flusher = flusher;
    }

    /** The counter of {@code event} in use now, or null (tests). */
    public Counter counterOf(String event) {
        return counters.get(event);
    }

    private void addPending(long[] starts, Counter c, long count) {
        switch (pending.add(starts, c, count, ctx.health().redisDown())) {
            case DROPPED -> {
                ctx.health().reportDropped(name(), Math.abs(count));
                if (pending.shouldWarnDrop()) {
                    LOG.warn("group '{}': Redis is unreachable and more than {} distinct counts are waiting for it"
                            + " (max_pending); further new counts are dropped and counted as dropped",
                            name(), config.maxPending());
                }
            }
            case SATURATED -> ctx.health().reportOverflow(name(), c.event, count > 0 ? Long.MAX_VALUE : Long.MIN_VALUE,
                    pending.lastOverflow == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(pending.lastOverflow));
            default -> {
            }
        }
    }

    /**
     * Local counters are pushed every sync_interval; with sync_limit alone, every
     * {@link #DEFAULT_SYNC_INTERVAL_MILLIS}, so that counts below the limit do not wait for the next
     * boundary of the group's intervals (a whole interval lost to a kill -9).
     */
    boolean usesSyncInterval() {
        return !direct;
    }

    long syncIntervalMillis() {
        return config.syncInterval() == null ? DEFAULT_SYNC_INTERVAL_MILLIS : Math.max(1, config.syncInterval().toMillis());
    }

    /** How often counts of a group with sync_limit and no sync_interval are pushed at least. */
    public static final long DEFAULT_SYNC_INTERVAL_MILLIS = 1_000;

    /** Empties the local counters; returns how many counts (in absolute value) they held. */
    long takeLocalCounts() {
        long n = 0;
        for (Counter c : counters.values()) {
            n += Math.abs(c.slots[0].sumThenReset()) + Math.abs(c.slots[1].sumThenReset());
        }
        return n;
    }

    /** Local counters holding counts now (for pendingCount); racy but never below what was logged before. */
    int localEntries() {
        int n = 0;
        for (Counter c : counters.values()) {
            if (c.slots[0].sum() != 0 || c.slots[1].sum() != 0) {
                n++;
            }
        }
        return n;
    }

    boolean direct() {
        return direct;
    }

    /** Counts logged here and not yet acknowledged by Redis, for {@code event} (all epochs). */
    long unsynced(String event) {
        long sum = 0;
        Counter c = counters.get(event);
        if (c != null) {
            sum += c.slots[0].sum() + c.slots[1].sum();
        }
        return sum + flusher.unsent(this, event);
    }

    // ---- reading ----

    /**
     * Current counts are Redis plus what this process has not delivered yet, read with the flush
     * lock held: a push cannot complete between the two reads (counted by neither) or start
     * between them (counted twice). A read waits for a push in flight, one round trip at most.
     */
    @Override
    public Map<String, Long> currentCountsOf(String event) {
        requireEvent(event);
        RedisReader reader = ctx.reader().get(); // before the lock: close() takes the logger's monitor, then the lock
        Map<String, Long> out = new LinkedHashMap<>();
        flusher.lock.lock();
        try {
            long local = unsynced(event);
            for (Interval i : intervals) {
                out.put(i.name(), reader.read(config, i, asked(event)).current().getOrDefault(event, 0L) + local);
            }
        } finally {
            flusher.lock.unlock();
        }
        return out;
    }

    @Override
    public long currentCount(String event, String interval) {
        requireEvent(event);
        Interval i = interval(interval);
        RedisReader reader = ctx.reader().get();
        flusher.lock.lock();
        try {
            return reader.read(config, i, asked(event)).current().getOrDefault(event, 0L) + unsynced(event);
        } finally {
            flusher.lock.unlock();
        }
    }

    @Override
    public long lastCount(String event, String interval) {
        requireEvent(event);
        return ctx.reader().get().read(config, interval(interval), asked(event)).last().getOrDefault(event, 0L);
    }

    @Override
    public SortedMap<String, Long> currentCounts(String interval) {
        return ctx.reader().get().read(config, interval(interval), declaredAtRunTime).current();
    }

    @Override
    public SortedMap<String, Long> lastCounts(String interval) {
        return ctx.reader().get().read(config, interval(interval), declaredAtRunTime).last();
    }

    private void requireEvent(String event) {
        if (event == null) {
            throw new IllegalArgumentException("event ID is null (reading group '" + name() + "')");
        }
    }

    /** The event a single-event read asks for; never a meta key such as @ts. */
    private static List<String> asked(String event) {
        return Keys.eventIdProblem(event) == null ? List.of(event) : List.of();
    }

    private Interval interval(String name) {
        Interval i = config.interval(name);
        if (i == null) {
            throw new IllegalArgumentException("interval '" + name + "' is not configured for group '" + name()
                    + "' (configured: " + config.intervals() + ")");
        }
        return i;
    }

    @Override
    public String toString() {
        return "group '" + name() + "' " + config.intervals() + (direct ? " direct" : " local counters");
    }
}
