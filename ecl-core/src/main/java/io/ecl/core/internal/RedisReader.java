package io.ecl.core.internal;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ValueStats;
import io.ecl.core.internal.kinds.SketchFields;
import io.ecl.core.ops.HistoryEntry;
import io.ecl.core.internal.kinds.SketchSnapshot;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Reads counts from Redis: one round trip per (group, interval) through read.lua for a group of up
 * to {@link #THRESHOLD} registry members, pages of SSCAN and MGET for a bigger one
 * ({@link #readStreamed} then keeps the counts in a temporary file rather than in memory). Groups
 * with {@code legacy_scan} also SCAN for counters written by Python clients, which keep no
 * registry (the names found are held in memory).
 */
public final class RedisReader implements AutoCloseable {
    private final EclConfig config;
    private final RedisConnection connection;
    private final boolean ownsConnection;
    private final Clock clock;
    /** read.lua's source when reads send it with EVAL (one-shot readers), else null: EVALSHA. */
    private final String readSource;
    /** Registry members above which a group is read in pages, and events per page. */
    private final int threshold;
    private final int pageEvents;
    private final Probe probe;

    /**
     * How big groups are read by default. A (group, interval) whose registries ({@code cur:@reg}
     * and {@code last:@reg}) hold at most {@code THRESHOLD} members is read by one script, in one
     * round trip; a bigger one in pages of {@code PAGE_EVENTS} events (SSCAN, then one MGET of
     * their counters), so that Redis serves other clients in between and no reply outruns the
     * timeout; {@link #readStreamed} then holds at most {@code THRESHOLD} events in memory. One
     * script reads 10,000 events in about 41 ms, during which Redis serves no one else.
     */
    public static final int THRESHOLD = 20_000;
    public static final int PAGE_EVENTS = 5_000;

    /** Points of a paged read where a test may step in (rotate between two pages). */
    public interface Probe {
        Probe NONE = new Probe() { };

        /** After each page's MGET, before its values are used. */
        default void afterPage() {
        }
    }

    public RedisReader(EclConfig config, RedisConnection connection, Clock clock) {
        this.config = config;
        this.connection = connection;
        this.ownsConnection = false;
        this.clock = clock;
        this.readSource = null;
        this.threshold = THRESHOLD;
        this.pageEvents = PAGE_EVENTS;
        this.probe = Probe.NONE;
    }

    private RedisReader(EclConfig config, RedisConnection connection, String readSource, int threshold, int pageEvents,
            Probe probe) {
        if (threshold < 1 || pageEvents < 1) {
            throw new IllegalArgumentException("threshold " + threshold + " and pageEvents " + pageEvents
                    + " must be at least 1");
        }
        this.config = config;
        this.connection = connection;
        this.readSource = readSource;
        this.ownsConnection = true;
        this.clock = Clock.systemUTC();
        this.threshold = threshold;
        this.pageEvents = pageEvents;
        this.probe = probe;
    }

    /** A reader with its own connection (made at the first read). */
    public static RedisReader connect(EclConfig config) {
        return connect(config, THRESHOLD, PAGE_EVENTS, Probe.NONE);
    }

    /** {@link #connect(EclConfig)} reading groups of more than {@code threshold} members in pages of {@code pageEvents}. */
    public static RedisReader connect(EclConfig config, int threshold, int pageEvents, Probe probe) {
        return new RedisReader(config, new RedisConnection(config.redis(), 2), null, threshold, pageEvents, probe);
    }

    /**
     * A reader for a few reads on one thread, then {@link #close()}, as a command-line tool does:
     * on a standalone Redis it uses one plain connection instead of a pool and skips the client's
     * CLIENT SETINFO round trips, and it sends read.lua with EVAL (1.3 kB) rather than EVALSHA, as
     * computing a SHA-1 costs a new JVM more (the JCA providers' start-up) than the read, and a new
     * or restarted Redis needs no second round trip. After a failure, make another (what it
     * does next is not promised: {@link RedisConnection#single} says). Sentinel and Cluster configs get the same client as
     * {@link #connect}.
     */
    public static RedisReader connectOnce(EclConfig config) {
        return connectOnce(config, THRESHOLD, PAGE_EVENTS, Probe.NONE);
    }

    /** {@link #connectOnce(EclConfig)} reading groups of more than {@code threshold} members in pages of {@code pageEvents}. */
    public static RedisReader connectOnce(EclConfig config, int threshold, int pageEvents, Probe probe) {
        return new RedisReader(config, RedisConnection.single(config.redis()), LuaScript.READ.source(), threshold,
                pageEvents, probe);
    }

    /**
     * The counts of one (group, interval).
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     */
    public IntervalCounts read(GroupConfig group, Interval interval) {
        return read(group, interval, List.of(), true);
    }

    /**
     * For a logger's own reads: like {@link #read(GroupConfig, Interval)}, also reporting
     * {@code moreEvents} (declared at run time), and every event either section's registry knows
     * in both sections, as the Python library's {@code get_counts} lists every event its process
     * has logged.
     */
    IntervalCounts read(GroupConfig group, Interval interval, Collection<String> moreEvents) {
        return read(group, interval, moreEvents, false);
    }

    /**
     * The counts of a (group, interval). Declared events (and {@code moreEvents}) are in both
     * sections, 0 when they have no counter. With {@code bySection}, as the Python reader: in an
     * auto-declaring group, every other event is in a section only when its counter exists there
     * (an event logged only in the current interval is not in {@code last}, one that stopped
     * occurring leaves {@code last} at the next rotation however stale a registry is), and a group
     * that does not auto-declare shows its declared events only. Otherwise every event of either
     * registry is in both sections.
     *
     * @throws RedisDataException when a key of the (group, interval) holds another type than ecl
     *     keeps there or a counter is not an integer; the message names the key and the fix
     */
    private IntervalCounts read(GroupConfig group, Interval interval, Collection<String> moreEvents,
            boolean bySection) {
        try (SortedCounts counts = read(group, interval, moreEvents, bySection, Integer.MAX_VALUE)) {
            if (!counts.paged()) {
                return counts.header();
            }
            IntervalCounts h = counts.header();
            TreeMap<String, Long> last = new TreeMap<>();
            TreeMap<String, Long> cur = new TreeMap<>();
            counts.forEach(true, last::put);
            counts.forEach(false, cur::put);
            return new IntervalCounts(h.group(), h.interval(), last, cur, h.currentStartMillis(), h.lastStartMillis(),
                    h.lateInCurrent(), h.lateInLast());
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * The counts of one (group, interval), as {@link #read(GroupConfig, Interval)} gives them, for
     * output in bounded memory: a group read in pages (see {@link #THRESHOLD}) is kept sorted in a
     * temporary file rather than in memory; close the result.
     *
     * <p>A group read in pages is not one atomic snapshot as a group read by one script is: the
     * counts of {@code cur} are read page by page while writers go on counting. It never mixes
     * two intervals: each page's MGET also reads {@code cur:@ts}, and when a rotation has changed
     * it since the first page, the read starts again (at most 3 times, then a
     * {@link RedisUnavailableException} says the group kept rotating). Nothing of a read is
     * visible before it is complete.
     *
     * @throws RedisUnavailableException when Redis cannot be reached
     * @throws RedisDataException when a key of the (group, interval) holds data ecl cannot read
     * @throws UncheckedIOException when the temporary file cannot be written
     */
    public SortedCounts readStreamed(GroupConfig group, Interval interval) {
        return read(group, interval, List.of(), true, threshold);
    }

    /** The counts of a group read by one script in memory, or read in pages into runs of {@code runSize}. */
    private SortedCounts read(GroupConfig group, Interval interval, Collection<String> moreEvents,
            boolean bySection, int runSize) {
        String prefix = Keys.prefix(connection.config.keyMode(), group.name(), interval);
        List<String> args = new ArrayList<>(group.events().size() + moreEvents.size() + 2);
        args.add(prefix);
        args.add(Integer.toString(threshold));
        Set<String> always = new LinkedHashSet<>(group.events());
        always.addAll(moreEvents);
        Set<String> events = new LinkedHashSet<>(always);
        if (group.legacyScan()) {
            events.addAll(scan(group, interval));
        }
        args.addAll(events);
        List<String> keys = List.of(Keys.curTs(connection.config.keyMode(), group.name(), interval));
        Object reply = evalRead(group, interval, keys, args);
        List<?> parts = (List<?>) reply;
        Shown shown = new Shown(group, always, bySection);
        if (parts.get(0) == null) {
            return readInPages(group, interval, keys, args, events, prefix, (List<?>) parts.get(3), shown, runSize);
        }
        List<?> names = (List<?>) parts.get(0);
        List<?> lastValues = (List<?>) parts.get(1);
        List<?> curValues = (List<?>) parts.get(2);
        TreeMap<String, Long> last = new TreeMap<>();
        TreeMap<String, Long> cur = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String ev = (String) names.get(i);
            Object l = at(lastValues, i);
            Object c = at(curValues, i);
            if (shown.inLast(ev, l)) {
                last.put(ev, counter(l, prefix, true, ev, problems));
            }
            if (shown.inCurrent(ev, c)) {
                cur.put(ev, counter(c, prefix, false, ev, problems));
            }
        }
        return SortedCounts.inMemory(counts(group, interval, parts, prefix, problems, last, cur));
    }

    /**
     * Which events a section shows. With {@code bySection}, as the Python reader: in an
     * auto-declaring group, an event that is not declared is in a section only when its counter
     * exists there, and a group that does not auto-declare shows its declared events only.
     * Otherwise every event of either registry is in both sections.
     */
    private static final class Shown {
        private final GroupConfig group;
        private final Set<String> always;
        private final boolean bySection;

        Shown(GroupConfig group, Set<String> always, boolean bySection) {
            this.group = group;
            this.always = always;
            this.bySection = bySection;
        }

        private boolean always(String ev) {
            return !bySection || always.contains(ev);
        }

        private boolean hidden(String ev) {
            // Python reads the declared events only in such a group
            return !always(ev) && !group.autoDeclareEvents() && !group.legacyScan();
        }

        boolean inLast(String ev, Object value) {
            return !hidden(ev) && (always(ev) || value != null);
        }

        boolean inCurrent(String ev, Object value) {
            return inLast(ev, value);
        }
    }

    /** The counts with the meta and unique counts read.lua returned: problems (values that are not integers) fail the read. */
    private IntervalCounts counts(GroupConfig group, Interval interval, List<?> reply, String prefix,
            List<String> problems, TreeMap<String, Long> last, TreeMap<String, Long> cur) {
        List<?> meta = (List<?>) reply.get(3);
        long lateInCurrent = counter(at(meta, 2), prefix, false, "@late", problems);
        long lateInLast = counter(at(meta, 3), prefix, true, "@late", problems);
        if (!problems.isEmpty()) {
            throw new RedisDataException(KeyCheck.describe(group, interval, problems), null);
        }
        Long currentStart = seconds(meta, 0);
        Long lastStart = seconds(meta, 1);
        if (lastStart != null && currentStart != null && rotatedWithoutLastTs(interval, currentStart, seconds(meta, 4))) {
            lastStart = null;
        }
        TreeMap<String, Long> lastUniques = new TreeMap<>();
        TreeMap<String, Long> curUniques = new TreeMap<>();
        uniques(group, reply, lastUniques, curUniques);
        TreeMap<String, ValueStats> lastStats = new TreeMap<>();
        TreeMap<String, ValueStats> curStats = new TreeMap<>();
        values(group, interval, prefix, reply, lastStats, curStats);
        return new IntervalCounts(group.name(), interval, last, cur, currentStart, lastStart, lateInCurrent, lateInLast,
                lastUniques, curUniques, lastStats, curStats);
    }

    /** read.lua's value statistics (its sixth part), decoded; declared names without values are empty. */
    private static void values(GroupConfig group, Interval interval, String prefix, List<?> reply,
            TreeMap<String, ValueStats> last, TreeMap<String, ValueStats> cur) {
        for (String name : group.values()) {
            last.put(name, ValueStats.EMPTY);
            cur.put(name, ValueStats.EMPTY);
        }
        if (reply.size() < 6) {
            return;
        }
        List<?> v = (List<?>) reply.get(5);
        List<?> names = (List<?>) v.get(0);
        for (int i = 0; i < names.size(); i++) {
            String name = (String) names.get(i);
            if (at((List<?>) v.get(1), i) instanceof List<?> hash) {
                last.put(name, stats(group, interval, prefix + "last:@v." + name, hash));
            }
            if (at((List<?>) v.get(2), i) instanceof List<?> hash) {
                cur.put(name, stats(group, interval, prefix + "cur:@v." + name, hash));
            }
        }
    }

    private static ValueStats stats(GroupConfig group, Interval interval, String key, List<?> flat) {
        java.util.Map<String, String> hash = new java.util.HashMap<>();
        for (int k = 0; k + 1 < flat.size(); k += 2) {
            hash.put((String) flat.get(k), (String) flat.get(k + 1));
        }
        return stats(key, hash);
    }

    /** The statistics of a value hash as Redis holds it ({@code key}: where it is, for messages). */
    static ValueStats stats(String key, java.util.Map<String, String> hash) {
        SketchSnapshot s;
        try {
            s = SketchFields.decode(hash);
        } catch (IllegalArgumentException e) {
            throw new RedisDataException(key + " is not a value hash ecl wrote: " + e.getMessage()
                    + "; delete the key (DEL " + key + ") to count again", null);
        }
        if (s.count() == 0) {
            return new ValueStats(0, BigDecimal.ZERO, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, s.invalid());
        }
        return new ValueStats(s.count(), s.sum(), s.min(), s.max(), s.mean(), s.stddev(), s.quantile(0.5),
                s.quantile(0.9), s.quantile(0.99), s.quantile(0.999), s.invalid());
    }

    /** read.lua's unique counts (its fifth part), and 0 for each declared name without a sketch. */
    private static void uniques(GroupConfig group, List<?> reply, TreeMap<String, Long> last, TreeMap<String, Long> cur) {
        for (String name : group.uniques()) {
            last.put(name, 0L);
            cur.put(name, 0L);
        }
        if (reply.size() < 5) {
            return;
        }
        List<?> u = (List<?>) reply.get(4);
        List<?> names = (List<?>) u.get(0);
        for (int i = 0; i < names.size(); i++) {
            String name = (String) names.get(i);
            if (at((List<?>) u.get(1), i) instanceof Long l) {
                last.put(name, l);
            }
            if (at((List<?>) u.get(2), i) instanceof Long c) {
                cur.put(name, c);
            }
        }
    }

    private Object evalRead(GroupConfig group, Interval interval, List<String> keys, List<String> args) {
        String source = readSource;
        try {
            return source != null ? connection.eval(source, keys, args)
                    : connection.call(j -> LuaScript.READ.eval(j, keys, args));
        } catch (RedisDataException e) {
            throw KeyCheck.explain(connection, group, interval, e);
        }
    }

    /** Attempts of a paged read that a rotation interrupted before it gives up. */
    private static final int PAGED_ATTEMPTS = 3;

    /**
     * A group too big for read.lua (it answered with its meta only): the declared events, then
     * the members of its registries by SSCAN, {@link #PAGE_EVENTS} at a time, each page's
     * counters by one MGET that also reads cur:@ts. A page that finds cur:@ts changed since
     * read.lua's meta (a rotation came in between), or read.lua called again at the end finding
     * it changed, makes the read start again. The counts go to a {@link SortedCounts.Spill} in
     * runs of {@code runSize}, which sorts them and drops the events read twice.
     */
    private SortedCounts readInPages(GroupConfig group, Interval interval, List<String> keys, List<String> args,
            Set<String> events, String prefix, List<?> before, Shown shown, int runSize) {
        for (int attempt = 1; ; attempt++) {
            PagedRead read = new PagedRead(prefix, keys.get(0), at(before, 0), shown, new SortedCounts.Spill(runSize));
            try {
                boolean complete = read.pages(events);
                List<?> again = (List<?>) evalRead(group, interval, keys, args);
                List<?> after = (List<?>) again.get(3);
                if (complete && java.util.Objects.equals(read.startTs, at(after, 0))) {
                    read.spill.finish();
                    IntervalCounts header = counts(group, interval, again, prefix, read.problems(), new TreeMap<>(),
                            new TreeMap<>());
                    SortedCounts result = SortedCounts.paged(header, read.spill);
                    read = null;
                    return result;
                }
                if (attempt == PAGED_ATTEMPTS) {
                    throw new RedisUnavailableException("group '" + group.name() + "', interval " + interval
                            + ": rotated during each of " + PAGED_ATTEMPTS + " paged reads of its events (the "
                            + "last one after " + read.events + " events); nothing of them was used; try again", null);
                }
                before = after;
            } finally {
                if (read != null) {
                    read.spill.close();
                }
            }
        }
    }

    /** One attempt at reading a group in pages. */
    private final class PagedRead {
        /** Non-integer values named in full; beyond, only counted. */
        private static final int LISTED_PROBLEMS = 3;
        final String prefix;
        final String curTs;
        /** cur:@ts as read.lua found it before the first page (null: never rotated). */
        final Object startTs;
        final Shown shown;
        final SortedCounts.Spill spill;
        final List<String> listed = new ArrayList<>();
        long unlisted;
        long events;

        PagedRead(String prefix, String curTs, Object startTs, Shown shown, SortedCounts.Spill spill) {
            this.prefix = prefix;
            this.curTs = curTs;
            this.startTs = startTs;
            this.shown = shown;
            this.spill = spill;
        }

        /** Reads every page; false as soon as one finds cur:@ts changed. */
        boolean pages(Set<String> declared) {
            int size = pageEvents;
            List<String> page = new ArrayList<>(Math.min(size, declared.size()));
            for (String ev : declared) {
                page.add(ev);
                if (page.size() == size) {
                    if (!page(page)) {
                        return false;
                    }
                    page.clear();
                }
            }
            if (!page(page)) {
                return false;
            }
            for (boolean last : new boolean[] {false, true}) {
                String registry = Keys.registryIn(prefix, last);
                ScanParams params = new ScanParams().count(size);
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    String c = cursor;
                    ScanResult<String> scanned = connection.call(j -> j.sscan(registry, c, params));
                    if (!page(scanned.getResult())) {
                        return false;
                    }
                    cursor = scanned.getCursor();
                } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
            }
            return true;
        }

        /** One MGET: cur:@ts and the page's counters in both sections; false when cur:@ts changed. */
        private boolean page(List<String> page) {
            if (page.isEmpty()) {
                return true;
            }
            int n = page.size();
            String[] keys = new String[1 + 2 * n];
            keys[0] = curTs;
            for (int i = 0; i < n; i++) {
                keys[1 + i] = Keys.counterIn(prefix, true, page.get(i));
                keys[1 + n + i] = Keys.counterIn(prefix, false, page.get(i));
            }
            List<String> values = connection.call(j -> j.mget(keys));
            probe.afterPage();
            if (!java.util.Objects.equals(startTs, values.get(0))) {
                return false;
            }
            List<String> found = new ArrayList<>(0);
            for (int i = 0; i < n; i++) {
                String ev = page.get(i);
                String l = values.get(1 + i);
                String c = values.get(1 + n + i);
                boolean inLast = shown.inLast(ev, l);
                boolean inCurrent = shown.inCurrent(ev, c);
                long lastCount = inLast ? counter(l, prefix, true, ev, found) : 0;
                long curCount = inCurrent ? counter(c, prefix, false, ev, found) : 0;
                spill.add(ev, inLast, lastCount, inCurrent, curCount);
                for (String problem : found) {
                    if (listed.size() < LISTED_PROBLEMS) {
                        listed.add(problem);
                    } else {
                        unlisted++;
                    }
                }
                found.clear();
            }
            events += n;
            return true;
        }

        /** The problems for {@link #counts}: those listed, and one line for the rest. */
        List<String> problems() {
            List<String> all = new ArrayList<>(listed);
            if (unlisted > 0) {
                all.add("and " + unlisted + " more counters that are not integers");
            }
            return all;
        }
    }

    /**
     * True when cur:@ts was written by a rotation that keeps no last:@ts (the Python master): it
     * differs from last:@end, which every ecl rotation sets to cur:@ts together with last:@ts, or,
     * before ecl wrote last:@end, it is not on the interval's grid (the Python master writes the
     * moment it ran). last:@ts then no longer says where {@code last} starts.
     */
    static boolean rotatedWithoutLastTs(Interval interval, long currentStart, Long lastEnd) {
        if (lastEnd != null) {
            return lastEnd != currentStart;
        }
        return interval.startOf(currentStart) != currentStart;
    }

    /**
     * The last {@code n} closed intervals kept for the group's history, oldest first: at most
     * {@code n} and at most {@link GroupConfig#history()}; none when the group keeps no history.
     * The newest is the interval {@code last} holds (history.lua reads it with the entries of
     * {@code @hist}, in one script), the others were retired from {@code last} by rotations.
     *
     * @throws IllegalArgumentException when {@code n} is negative
     * @throws RedisDataException when {@code @hist} is not a list or holds an entry ecl did not write
     */
    public List<HistoryEntry> history(GroupConfig group, Interval interval, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n " + n + " must not be negative");
        }
        int take = Math.min(n, group.history());
        if (take == 0) {
            return List.of();
        }
        String prefix = Keys.prefix(connection.config.keyMode(), group.name(), interval);
        String key = Keys.historyIn(prefix);
        List<String> keys = List.of(Keys.curTs(connection.config.keyMode(), group.name(), interval));
        List<String> args = List.of(prefix, Long.toString(interval.lengthMillis()), Integer.toString(take));
        List<?> reply;
        try {
            reply = (List<?>) connection.call(j -> LuaScript.HISTORY.eval(j, keys, args));
        } catch (RedisDataException e) {
            throw KeyCheck.explain(connection, group, interval, e);
        }
        List<String> newestFirst = new ArrayList<>(take + 1);
        if (reply.get(0) instanceof String live) {
            newestFirst.add(live);
        }
        for (Object e : (List<?>) reply.get(1)) {
            newestFirst.add((String) e);
        }
        int kept = Math.min(take, newestFirst.size());
        List<HistoryEntry> out = new ArrayList<>(kept);
        for (int i = kept - 1; i >= 0; i--) {
            out.add(HistoryCodec.decode(group, key, newestFirst.get(i)));
        }
        return out;
    }

    /**
     * Every event's count since the totals were last reset: {@code @total} (the intervals retired
     * from {@code last}) plus {@code last} plus {@code cur}, read in one script. Declared events are
     * there (0 when never counted).
     *
     * @throws RedisDataException when a total or a counter is not an integer, or a key has another type
     */
    public TreeMap<String, Long> totals(GroupConfig group, Interval interval) {
        String prefix = Keys.prefix(connection.config.keyMode(), group.name(), interval);
        List<?> reply = (List<?>) totalsScript(group, interval, "read");
        List<?> flat = (List<?>) reply.get(0);
        List<?> events = (List<?>) reply.get(1);
        List<?> last = (List<?>) reply.get(2);
        List<?> cur = (List<?>) reply.get(3);
        List<String> problems = new ArrayList<>();
        java.util.Map<String, Long> closed = new java.util.HashMap<>();
        String totalKey = Keys.totalIn(prefix);
        for (int k = 0; k + 1 < flat.size(); k += 2) {
            String ev = (String) flat.get(k);
            String v = (String) flat.get(k + 1);
            try {
                closed.put(ev, Long.parseLong(v));
            } catch (NumberFormatException e) {
                problems.add(totalKey + " field " + quoted(ev) + " holds " + quoted(v)
                        + ", not an integer; fix: HDEL " + totalKey + " " + ev);
            }
        }
        TreeMap<String, Long> out = new TreeMap<>();
        for (int i = 0; i < events.size(); i++) {
            String ev = (String) events.get(i);
            long inLast = counter(at(last, i), prefix, true, ev, problems);
            long now = counter(at(cur, i), prefix, false, ev, problems);
            long total = closed.getOrDefault(ev, 0L);
            try {
                out.put(ev, Math.addExact(Math.addExact(total, inLast), now));
            } catch (ArithmeticException e) {
                problems.add(totalKey + " field " + quoted(ev) + " plus its last and cur counters exceeds 2^63-1;"
                        + " fix: reset the totals (DEL " + totalKey + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new RedisDataException(KeyCheck.describe(group, interval, problems), null);
        }
        return out;
    }

    /**
     * Sets every total to 0 at this instant, in one script: {@code @total} becomes minus what
     * {@code last} and {@code cur} hold, so that counts from then on make the totals.
     */
    public void resetTotals(GroupConfig group, Interval interval) {
        totalsScript(group, interval, "reset");
    }

    private Object totalsScript(GroupConfig group, Interval interval, String mode) {
        String prefix = Keys.prefix(connection.config.keyMode(), group.name(), interval);
        List<String> args = new ArrayList<>(group.events().size() + 2);
        args.add(prefix);
        args.add(mode);
        args.addAll(group.events());
        List<String> keys = List.of(Keys.curTs(connection.config.keyMode(), group.name(), interval));
        try {
            return connection.call(j -> LuaScript.TOTALS.eval(j, keys, args));
        } catch (RedisDataException e) {
            throw KeyCheck.explain(connection, group, interval, e);
        }
    }

    /** Like {@link #read(GroupConfig, Interval)} by names: an unknown group is a ConfigException, an unknown interval an IllegalArgumentException. */
    public IntervalCounts read(String group, String interval) {
        GroupConfig g = config.requireGroup(group);
        Interval i = g.interval(interval);
        if (i == null) {
            throw new IllegalArgumentException("Interval '" + interval + "' not configured for this group.");
        }
        return read(g, i);
    }

    /** Current time of the reader's clock, for {@link IntervalCounts#isStale(long)}. */
    public long now() {
        return clock.millis();
    }

    private Set<String> scan(GroupConfig group, Interval interval) {
        Set<String> found = new LinkedHashSet<>();
        int prefixLength = Keys.prefix(connection.config.keyMode(), group.name(), interval).length();
        for (String section : new String[] {Keys.CUR, Keys.LAST}) {
            connection.scan(Keys.scanPattern(connection.config.keyMode(), group.name(), interval, section),
                    key -> found.add(key.substring(prefixLength + section.length())));
        }
        return found;
    }

    private static Object at(List<?> list, int i) {
        return i < list.size() ? list.get(i) : null;
    }

    private static Long seconds(List<?> meta, int i) {
        Object v = at(meta, i);
        if (v == null) {
            return null;
        }
        try {
            return TsCodec.parse(v.toString());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A counter's value: 0 when it does not exist; a value that is not an integer is added to
     * {@code problems} (never read as 0: the count is unknown).
     */
    private static long counter(Object v, String prefix, boolean last, String name, List<String> problems) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Long) {
            return (Long) v;
        }
        String s = v.toString();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            String key = Keys.counterIn(prefix, last, name);
            problems.add(key + " holds " + quoted(s) + ", not an integer count; fix: DEL " + key);
            return 0;
        }
    }

    /** A value for a message: quoted, control characters escaped, cut after 40 characters. */
    private static String quoted(String s) {
        StringBuilder b = new StringBuilder(48).append('"');
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append(s.length() > 40 ? "...\"" : "\"").toString();
    }

    public void closeShared() {
        // the logger's connection is closed by the logger
    }

    @Override
    public void close() {
        if (ownsConnection) {
            connection.close();
        }
    }
}
