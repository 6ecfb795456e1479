package io.ecl.core.internal;

import io.ecl.core.Interval;
import io.ecl.core.internal.kinds.RedisHll;
import io.ecl.core.internal.kinds.SketchFields;
import io.ecl.core.internal.kinds.SketchSnapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts of one group drained from the local counters and not yet acknowledged by Redis.
 * Guarded by the logger's flush lock.
 *
 * <p>Counts merge per (event, interval starts), so memory is bounded by distinct events times
 * epochs, not by the number of log() calls; past {@code max_pending} entries new ones are dropped
 * and counted. Once sent, counts are frozen into {@link Chunk}s with an ID whose marker is written
 * in Redis together with the counts: a chunk whose reply was lost is resent with the same ID and
 * never counted twice.
 */
public final class Pending {
    /**
     * Events per chunk: the unit of exactly-once (one marker each) and of log.lua calls, which it
     * keeps short so Redis never stalls on one script.
     */
    static final int CHUNK_EVENTS = 1000;

    /** Counts waiting for their first send, per epoch (identity of the epoch's starts array). */
    private final Map<long[], LinkedHashMap<RedisEventGroup.Counter, long[]>> waiting = new IdentityHashMap<>();
    private final List<long[]> epochOrder = new ArrayList<>();
    /** Unique counts' sketches waiting for their first send, per epoch and name; merged, so bounded. */
    private final Map<long[], LinkedHashMap<String, RedisHll>> waitingUniques = new IdentityHashMap<>();
    /** Value statistics waiting for their first send, per epoch and name; merged, so bounded. */
    private final Map<long[], LinkedHashMap<String, SketchSnapshot>> waitingValues = new IdentityHashMap<>();
    /** Sketches per chunk: each is 12 kB on the wire. */
    static final int CHUNK_UNIQUES = 32;
    /** Chunks sent at least once and not acknowledged. */
    final ArrayDeque<Chunk> unacked = new ArrayDeque<>();
    private final int maxEntries;
    private int entries;
    long dropped;
    private boolean dropWarned;

    Pending(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** What {@link #add} did. */
    enum Added { ADDED, DROPPED, SATURATED }

    /**
     * Adds {@code count}. DROPPED: the cap is reached and {@code capped} (Redis is unreachable), so
     * the count is counted in {@link #dropped} instead. SATURATED: the sum would not fit in a long
     * (nor in Redis, whose counters are 64-bit); it stays at the limit and the part that did not
     * fit is in {@link #lastOverflow}.
     */
    public Added add(long[] starts, RedisEventGroup.Counter counter, long count, boolean capped) {
        LinkedHashMap<RedisEventGroup.Counter, long[]> batch = waiting.get(starts);
        long[] cell = batch == null ? null : batch.get(counter);
        if (cell != null) {
            long sum = cell[0] + count;
            if (((cell[0] ^ sum) & (count ^ sum)) < 0) { // Math.addExact's test, without the exception
                long limit = count > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
                lastOverflow = count - (limit - cell[0]);
                cell[0] = limit;
                return Added.SATURATED;
            }
            cell[0] = sum;
            return Added.ADDED;
        }
        if (capped && entries >= maxEntries) {
            dropped += count;
            return Added.DROPPED;
        }
        if (batch == null) {
            noteEpoch(starts);
            batch = new LinkedHashMap<>();
            waiting.put(starts, batch);
        }
        batch.put(counter, new long[] {count});
        entries++;
        return Added.ADDED;
    }

    /**
     * The sketch that collects unique count {@code name} of the epoch {@code starts}, made if
     * needed: null when it would be a new entry past {@code max_pending} while {@code capped}
     * (Redis is unreachable); the caller then counts a drop.
     */
    RedisHll uniqueFor(long[] starts, String name, boolean capped) {
        return sketchFor(waitingUniques, starts, name, capped, RedisHll::new);
    }

    /** As {@link #uniqueFor}, for value statistics. */
    SketchSnapshot valueFor(long[] starts, String name, boolean capped) {
        return sketchFor(waitingValues, starts, name, capped, SketchSnapshot::new);
    }

    private <T> T sketchFor(Map<long[], LinkedHashMap<String, T>> waitingKind, long[] starts, String name,
            boolean capped, java.util.function.Supplier<T> make) {
        LinkedHashMap<String, T> batch = waitingKind.get(starts);
        T found = batch == null ? null : batch.get(name);
        if (found != null) {
            return found;
        }
        if (capped && entries >= maxEntries) {
            dropped++;
            return null;
        }
        if (batch == null) {
            noteEpoch(starts);
            batch = new LinkedHashMap<>();
            waitingKind.put(starts, batch);
        }
        T made = make.get();
        batch.put(name, made);
        entries++;
        return made;
    }

    /** Keeps the order in which epochs first got something to send (before their first entry is added). */
    private void noteEpoch(long[] starts) {
        if (!waiting.containsKey(starts) && !waitingUniques.containsKey(starts) && !waitingValues.containsKey(starts)) {
            epochOrder.add(starts);
        }
    }

    /** The part of the last SATURATED add's count that was not kept. */
    long lastOverflow;

    /** True the first time the cap is hit since the last successful delivery. */
    boolean shouldWarnDrop() {
        if (dropped > 0 && !dropWarned) {
            dropWarned = true;
            return true;
        }
        return false;
    }

    boolean isEmpty() {
        return entries == 0;
    }

    int entries() {
        return entries;
    }

    /** Events waiting: the sum of the magnitudes of every count held (saturating; a report, not arithmetic). */
    long events() {
        long sum = 0;
        for (LinkedHashMap<RedisEventGroup.Counter, long[]> batch : waiting.values()) {
            for (long[] cell : batch.values()) {
                sum = saturatedAdd(sum, magnitude(cell[0]));
            }
        }
        for (Chunk c : unacked) {
            for (int i = 0; i < c.size; i++) {
                sum = saturatedAdd(sum, magnitude(c.counts[i]));
            }
        }
        return sum;
    }

    private static long magnitude(long count) {
        return count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count);
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }

    /** Sum of counts not yet acknowledged for {@code event} (for getCurrentCounts). */
    long unsentCount(String event) {
        long sum = 0;
        for (LinkedHashMap<RedisEventGroup.Counter, long[]> batch : waiting.values()) {
            for (Map.Entry<RedisEventGroup.Counter, long[]> e : batch.entrySet()) {
                if (e.getKey().event.equals(event)) {
                    sum += e.getValue()[0];
                }
            }
        }
        for (Chunk c : unacked) {
            sum += c.countOf(event);
        }
        return sum;
    }

    /**
     * The chunks to send now: the unacknowledged ones if any (while they fail, new counts keep
     * merging in memory instead of being frozen into more chunks), else all waiting counts.
     */
    List<Chunk> toSend(RedisEventGroup group, IdSource ids) {
        if (unacked.isEmpty()) {
            for (long[] starts : epochOrder) {
                LinkedHashMap<RedisEventGroup.Counter, long[]> batch = waiting.get(starts);
                if (batch != null) {
                    Iterator<Map.Entry<RedisEventGroup.Counter, long[]>> it = batch.entrySet().iterator();
                    int left = batch.size();
                    while (it.hasNext()) {
                        Chunk chunk = new Chunk(group, ids.next(), starts, Math.min(CHUNK_EVENTS, left));
                        left -= CHUNK_EVENTS;
                        for (int n = 0; n < CHUNK_EVENTS && it.hasNext(); n++) {
                            Map.Entry<RedisEventGroup.Counter, long[]> e = it.next();
                            chunk.add(e.getKey(), e.getValue()[0]);
                        }
                        unacked.add(chunk);
                    }
                }
                chunkSketches(group, ids, starts, waitingValues.get(starts), Chunk::addValue);
                chunkSketches(group, ids, starts, waitingUniques.get(starts), Chunk::addUnique);
            }
            waiting.clear();
            waitingUniques.clear();
            waitingValues.clear();
            epochOrder.clear();
        }
        return new ArrayList<>(unacked);
    }

    /** Freezes one epoch's sketches of one kind into chunks of at most {@link #CHUNK_UNIQUES}. */
    private <T> void chunkSketches(RedisEventGroup group, IdSource ids, long[] starts, LinkedHashMap<String, T> sketches,
            TriConsumer<Chunk, String, T> add) {
        if (sketches == null) {
            return;
        }
        Iterator<Map.Entry<String, T>> it = sketches.entrySet().iterator();
        while (it.hasNext()) {
            Chunk chunk = new Chunk(group, ids.next(), starts, 0);
            for (int n = 0; n < CHUNK_UNIQUES && it.hasNext(); n++) {
                Map.Entry<String, T> e = it.next();
                add.accept(chunk, e.getKey(), e.getValue());
            }
            unacked.add(chunk);
        }
    }

    private interface TriConsumer<A, B, C> {
        void accept(A a, B b, C c);
    }

    /**
     * Per interval of the group ({@code n} of them), the newest start among every count held here
     * (sent or not), or {@code Long.MIN_VALUE}: a flush that holds counts newer than the interval
     * open in Redis rotates once, before placing any of them.
     */
    long[] newestStarts(int n) {
        long[] newest = new long[n];
        java.util.Arrays.fill(newest, Long.MIN_VALUE);
        for (long[] starts : epochOrder) {
            max(newest, starts);
        }
        for (Chunk c : unacked) {
            max(newest, c.starts);
        }
        return newest;
    }

    private static void max(long[] into, long[] starts) {
        for (int i = 0; i < into.length; i++) {
            into[i] = Math.max(into[i], starts[i]);
        }
    }

    /** True when a chunk waiting for an acknowledgement was held at its last send. */
    boolean anyHeld() {
        for (Chunk c : unacked) {
            if (c.held) {
                return true;
            }
        }
        return false;
    }

    void acknowledge(Chunk chunk) {
        if (unacked.remove(chunk)) {
            entries -= chunk.size() + chunk.uniqueSize() + chunk.valueSize();
            if (entries == 0) {
                dropWarned = false;
            }
        }
    }

    /** Source of chunk IDs, unique across processes. */
    interface IdSource {
        String next();
    }

    /**
     * A frozen set of counts of one epoch, applied atomically with its marker (in a MULTI/EXEC, or
     * one call of log.lua). Arrays, not lists of boxed values: a flush freezes every count.
     */
    public static final class Chunk {
        final RedisEventGroup group;
        final String id;
        /** Interval starts of the epoch the counts were logged in, one per interval of the group. */
        final long[] starts;
        final RedisEventGroup.Counter[] counters;
        final long[] counts;
        private int size;
        long total;
        boolean anyDynamic;
        /**
         * Its last send found an interval it belongs to not opened yet by a master that writers
         * must not overtake (a Python master, or {@code writers_rotate: false}): kept, sent again.
         */
        boolean held;
        private List<String> args;
        /** Unique counts' sketches of this chunk (chunks carry counts or sketches, not both). */
        final List<String> uniqueNames = new ArrayList<>(0);
        final List<RedisHll> uniqueSketches = new ArrayList<>(0);
        /** Value statistics of this chunk; such a chunk always goes by log.lua (min and max need a compare). */
        final List<String> valueNames = new ArrayList<>(0);
        final List<SketchSnapshot> valueStats = new ArrayList<>(0);

        public Chunk(RedisEventGroup group, String id, long[] starts, int capacity) {
            this.group = group;
            this.id = id;
            this.starts = starts;
            this.counters = new RedisEventGroup.Counter[capacity];
            this.counts = new long[capacity];
        }

        public void add(RedisEventGroup.Counter counter, long count) {
            counters[size] = counter;
            counts[size] = count;
            size++;
            total = saturatedAdd(total, count);
            anyDynamic |= counter.dynamic;
        }

        int size() {
            return size;
        }

        void addUnique(String name, RedisHll sketch) {
            uniqueNames.add(name);
            uniqueSketches.add(sketch);
        }

        int uniqueSize() {
            return uniqueNames.size();
        }

        void addValue(String name, SketchSnapshot stats) {
            valueNames.add(name);
            valueStats.add(stats);
        }

        int valueSize() {
            return valueNames.size();
        }

        /**
         * log.lua's ARGV for this chunk, made on first use (only the script path needs it); the
         * parts that depend on the send (flags, what else the writer holds, its clock) are set anew.
         */
        public List<String> args() {
            if (args != null) {
                group.sendArgs(args);
            } else {
                List<String> a = group.scriptArgs(id, starts);
                for (int i = 0; i < size; i++) {
                    a.add(counters[i].event);
                    a.add(Long.toString(counts[i]));
                    a.add(counters[i].dynamic ? "1" : "0");
                }
                for (int i = 0; i < uniqueNames.size(); i++) {
                    a.add(uniqueNames.get(i));
                    // Hex: script arguments travel as UTF-8 text, which would mangle the sketch's bytes.
                    a.add(java.util.HexFormat.of().formatHex(uniqueSketches.get(i).toRedisDense()));
                    a.add("u");
                }
                for (int i = 0; i < valueNames.size(); i++) {
                    a.add(valueNames.get(i));
                    a.add(valueArg(SketchFields.encode(valueStats.get(i))));
                    a.add("v");
                }
                args = a;
            }
            return args;
        }

        /** log.lua's form of a value's increments: "field=n,field=n;squares;min;max" (min, max empty when none). */
        static String valueArg(SketchFields.Encoded e) {
            StringBuilder b = new StringBuilder(16 * e.increments().size() + 48);
            for (SketchFields.Increment inc : e.increments()) {
                if (b.length() > 0) {
                    b.append(',');
                }
                b.append(inc.field()).append('=').append(inc.by());
            }
            b.append(';').append(e.squares() == 0 ? "" : e.squaresText());
            b.append(';').append(e.minText() == null ? "" : e.minText());
            b.append(';').append(e.maxText() == null ? "" : e.maxText());
            return b.toString();
        }

        long countOf(String event) {
            long sum = 0;
            for (int i = 0; i < size; i++) {
                if (counters[i].event.equals(event)) {
                    sum += counts[i];
                }
            }
            return sum;
        }
    }
}
