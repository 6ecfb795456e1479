package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.RedisReader;
import io.ecl.core.internal.SortedCounts;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.core.ops.StreamedCounts;
import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * A group with more registry members than read.lua reads in one script is read in pages (SSCAN of
 * its registries, MGET of its counters) with the same result as the one-script read: a Munin poll
 * of a group of 500,000 auto-declared events must neither block Redis for seconds nor time out,
 * nor need the counts in memory all at once. The threshold is injected (50 members, pages of 7)
 * so that the paths are exercised on a few dozen events.
 */
class PagedReadTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final CounterReader.Paging SMALL = new CounterReader.Paging(50, 7);
    private static final long T0 = 1_699_920_000_000L; // an hour boundary

    private EclConfig config() {
        return Fixtures.config(redis, "  big:\n    events: [declared, ev3]\n    intervals: ['1h']\n"
                + "    auto_declare_events: true\n");
    }

    /**
     * {@code events} auto-declared events in last:@reg, every third also in cur:@reg (so in both
     * registries: an event comes twice across the pages), and the declared event ev3 in both too.
     */
    private static void fill(int events) {
        RedisClient r = redis.client();
        r.set("big:1h:cur:@ts", Long.toString(T0 / 1000));
        r.set("big:1h:last:@ts", Long.toString(T0 / 1000 - 3600));
        try (AbstractPipeline p = r.pipelined()) {
            for (int i = 0; i < events; i++) {
                String ev = "ev" + i;
                p.sadd("big:1h:last:@reg", ev);
                p.set("big:1h:last:" + ev, Integer.toString(i + 1));
                if (i % 3 == 0) {
                    p.sadd("big:1h:cur:@reg", ev);
                    p.set("big:1h:cur:" + ev, Integer.toString(2 * i));
                }
            }
            p.set("big:1h:last:declared", "7");
            p.sync();
        }
    }

    private static List<String> visit(StreamedCounts counts, boolean last) throws IOException {
        List<String> seen = new ArrayList<>();
        StreamedCounts.CountVisitor add = (ev, n) -> seen.add(ev + ":" + n);
        if (last) {
            counts.forEachLast(add);
        } else {
            counts.forEachCurrent(add);
        }
        return seen;
    }

    private static List<String> visit(SortedCounts counts, boolean last) throws IOException {
        List<String> seen = new ArrayList<>();
        counts.forEach(last, (ev, n) -> seen.add(ev + ":" + n));
        return seen;
    }

    /** A one-shot reader of groups over 50 members in pages of 7, running {@code afterPage} after each. */
    private static RedisReader smallPages(EclConfig config, Runnable afterPage) {
        return RedisReader.connectOnce(config, 50, 7, new RedisReader.Probe() {
            @Override
            public void afterPage() {
                afterPage.run();
            }
        });
    }

    private static List<String> sorted(Map<String, Long> counts) {
        List<String> lines = new ArrayList<>();
        List<String> names = new ArrayList<>(counts.keySet());
        names.sort(StreamedCounts.CODE_POINT_ORDER);
        for (String ev : names) {
            lines.add(ev + ":" + counts.get(ev));
        }
        return lines;
    }

    @Test
    void aGroupAboveTheThresholdIsStreamedInEventOrderWithTheCountsOfTheOneScriptRead() throws IOException {
        fill(120); // 120 + 40 registry members > 50: read in pages of 7, spilled in runs of 50
        IntervalCounts whole;
        try (CounterReader oneScript = CounterReader.connectOnce(config(), new CounterReader.Paging(1_000, 7))) {
            whole = oneScript.read("big", "1h");
        }
        assertEquals(121, whole.last().size()); // ev0 .. ev119 and declared
        assertEquals(41, whole.current().size()); // ev0, ev3, ... ev117 and declared
        try (CounterReader reader = CounterReader.connectOnce(config(), SMALL);
                Monitor monitor = new Monitor(redis.port());
                StreamedCounts counts = reader.readStreamed(config().group("big"), interval())) {
            List<String> commands = monitor.clientCommands(redis.client());
            assertTrue(counts.paged());
            assertEquals(sorted(whole.last()), visit(counts, true));
            assertEquals(sorted(whole.current()), visit(counts, false));
            assertEquals(visit(counts, true), visit(counts, true), "visited again, the same");
            assertEquals(Long.valueOf(T0), counts.header().currentStartMillis());
            assertEquals(Long.valueOf(T0 - 3_600_000), counts.header().lastStartMillis());
            assertTrue(counts.header().last().isEmpty(), "the counts are never all in memory");
            assertTrue(commands.contains("sscan"), commands::toString);
            assertFalse(commands.contains("get"), commands::toString);
            assertTrue(commands.stream().filter("mget"::equals).count() >= 160 / 7, commands::toString);
        }
    }

    @Test
    void readAGroupAboveTheThresholdGivesTheSameMapsAsTheOneScriptRead() {
        fill(120);
        IntervalCounts whole;
        try (CounterReader oneScript = CounterReader.connectOnce(config(), new CounterReader.Paging(1_000, 7))) {
            whole = oneScript.read("big", "1h");
        }
        try (CounterReader reader = CounterReader.connectOnce(config(), SMALL)) {
            IntervalCounts paged = reader.read("big", "1h");
            assertEquals(whole.last(), paged.last());
            assertEquals(whole.current(), paged.current());
            assertEquals(Map.of("declared", 7L, "ev3", 4L), Map.of("declared", paged.last().get("declared"),
                    "ev3", paged.last().get("ev3")));
            assertEquals(Long.valueOf(0), paged.current().get("declared"));
        }
    }

    @Test
    void aRotationBetweenPagesStartsTheReadAgainAndNoCountOfTheOldIntervalIsKept() throws IOException {
        EclConfig config = config();
        fill(120);
        AtomicInteger pages = new AtomicInteger();
        try (Rotator master = Rotator.connect(config.redis());
                RedisReader reader = smallPages(config, () -> {
                    if (pages.incrementAndGet() == 5) {
                        assertTrue(master.rotate(config.group("big"), interval(), T0 + 3_600_000).rotated());
                    }
                })) {
            try (SortedCounts counts = reader.readStreamed(config.group("big"), interval());
                    CounterReader oneScript = CounterReader.connectOnce(config, new CounterReader.Paging(1_000, 7))) {
                IntervalCounts after = oneScript.read("big", "1h");
                assertEquals(sorted(after.last()), visit(counts, true));
                assertEquals(sorted(after.current()), visit(counts, false));
                // last holds what cur held before the rotation: ev3 with 2 * 3, and nothing of the
                // interval before (ev1 was only there)
                assertTrue(visit(counts, true).contains("ev3:6"));
                assertFalse(visit(counts, true).contains("ev1:2"));
                assertEquals(Long.valueOf(T0 + 3_600_000), counts.header().currentStartMillis());
                assertEquals(Long.valueOf(T0), counts.header().lastStartMillis());
            }
            assertTrue(pages.get() > 5, "read again after the rotation");
        }
    }

    @Test
    void aGroupThatRotatesDuringEveryAttemptFailsWithALineSayingSo() {
        EclConfig config = config();
        fill(120);
        AtomicInteger pages = new AtomicInteger();
        try (Rotator master = Rotator.connect(config.redis());
                RedisReader reader = smallPages(config, () -> {
                    if (pages.incrementAndGet() % 3 == 0) {
                        master.rotate(config.group("big"), interval(), T0 + 3_600_000L * (pages.get() / 3));
                        redis.client().sadd("big:1h:cur:@reg", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
                                "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
                                "a1", "b1", "c1", "d1", "e1", "f1", "g1", "h1", "i1", "j1", "k1", "l1", "m1", "n1",
                                "o1", "p1", "q1", "r1", "s1", "t1", "u1", "v1", "w1", "x1", "y1"); // still > 50
                    }
                })) {
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                    () -> reader.readStreamed(config.group("big"), interval()).close());
            assertTrue(e.getMessage().matches("group 'big', interval 1h: rotated during each of 3 paged reads of its"
                    + " events \\(the last one after \\d+ events\\); nothing of them was used; try again"), e.getMessage());
        }
    }

    @Test
    void aCounterThatIsNotAnIntegerFailsThePagedReadNamingIt() {
        fill(120);
        redis.client().set("big:1h:last:ev7", "seven");
        try (CounterReader reader = CounterReader.connectOnce(config(), SMALL)) {
            RedisDataException e = assertThrows(RedisDataException.class,
                    () -> reader.readStreamed(config().group("big"), interval()).close());
            assertEquals("group 'big', interval 1h: big:1h:last:ev7 holds \"seven\", not an integer count;"
                    + " fix: DEL big:1h:last:ev7", e.getMessage());
        }
    }

    @Test
    void aSpillVisitsAnEventWrittenInSeveralRunsOnceWithItsFirstCounts() throws IOException {
        try (SortedCounts.Spill spill = new SortedCounts.Spill(3)) {
            spill.add("b", true, 1, false, 0);
            spill.add("a", true, 2, true, 5);
            spill.add("b", true, 9, true, 9); // same run: the first wins
            spill.add("c", true, 3, false, 0);
            spill.add("a", true, 8, true, 8); // another run
            spill.add("\uD83D\uDE00", true, 4, false, 0); // beyond U+FFFF: after U+FFFD
            spill.add("\uFFFD", true, 6, false, 0);
            spill.finish();
            SortedCounts counts = SortedCounts.paged(null, spill);
            assertEquals(List.of("a:2", "b:1", "c:3", "\uFFFD:6", "\uD83D\uDE00:4"), visit(counts, true));
            assertEquals(List.of("a:5"), visit(counts, false));
        }
    }

    private static Interval interval() {
        return Interval.parse("1h");
    }
}
