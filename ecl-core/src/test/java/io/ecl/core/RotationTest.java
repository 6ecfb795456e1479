package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.internal.Keys;
import io.ecl.core.internal.LuaScript;
import io.ecl.core.internal.RedisEventGroup;
import io.ecl.core.internal.TsCodec;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * Rotation (cur becomes last at every boundary, once) and attribution (each count is credited
 * to the interval it was logged in), with the master's {@link Rotator} and a stepped clock.
 */
class RotationTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** T0 in the Unix seconds of @ts values. */
    private static final long S0 = T0 / 1000;

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private EventCountLogger ecl;
    private Rotator master;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  pre:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m']",
                "  dyn:",
                "    events: []",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "  loc:",
                "    events: [a]",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "    sync_interval: 1",
                "  sub:",
                "    events: [a]",
                "    intervals: ['0.25s']",
                ""));
        ecl = Fixtures.logger(config, clock);
        ecl.flush(); // the logger's declarations are in Redis
        master = Rotator.connect(config.redis());
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
        master.close();
    }

    private GroupConfig group(String name) {
        return config.group(name);
    }

    private Interval interval(String group, String name) {
        return config.group(group).interval(name);
    }

    private Rotator.Result rotate(String group, String interval, long at) {
        return master.rotate(group(group), interval(group, interval), at);
    }

    private IntervalCounts read(String group, String interval) {
        try (CounterReader reader = CounterReader.connect(config)) {
            return reader.read(group, interval);
        }
    }

    private String secs(long millis) {
        return TsCodec.format(millis);
    }

    // ---- pre-declared events ----

    @Test
    void firstRotationCreatesBothCountersOfDeclaredEventsAtZero() {
        Rotator.Result first = rotate("pre", "5s", T0);

        assertTrue(first.rotated());
        assertNull(first.startMillis(), "nothing was open before");
        for (String ev : new String[] {"a", "b"}) {
            assertEquals("0", r.get("pre:5s:cur:" + ev));
            assertEquals("0", r.get("pre:5s:last:" + ev));
        }
        assertEquals(String.valueOf(S0), r.get("pre:5s:cur:@ts"));
        assertNull(r.get("pre:5s:last:@ts"));
    }

    @Test
    void rotationMovesCurToLastAndResetsCurOfDeclaredEvents() {
        rotate("pre", "5s", T0);
        ecl.group("pre").log("a", 3);

        Rotator.Result second = rotate("pre", "5s", T0 + 5_000);

        assertTrue(second.rotated());
        assertEquals(T0, second.startMillis());
        assertEquals("3", r.get("pre:5s:last:a"));
        assertEquals("0", r.get("pre:5s:cur:a"));
        assertEquals("0", r.get("pre:5s:last:b"));
        assertEquals("0", r.get("pre:5s:cur:b"));
        assertEquals("3", r.get("pre:1m:cur:a"), "the 1m interval is rotated on its own");
    }

    @Test
    void declaredEventWhoseCurWasDeletedReadsZeroInLast() {
        rotate("pre", "5s", T0);
        r.del("pre:5s:cur:a");
        rotate("pre", "5s", T0 + 5_000);
        assertEquals("0", r.get("pre:5s:last:a"));
        assertEquals("0", r.get("pre:5s:cur:a"));
    }

    @Test
    void masterDeclaresEventsOfAConfigNoLoggerHasSeen() {
        GroupConfig other = GroupConfig.builder("other").events("p", "q").intervals("5s").build();
        master.declare(other);
        master.rotate(other, other.interval("5s"), T0);
        assertEquals(Set.of("p", "q"), r.smembers("other:5s:cur:@declared"));
        assertEquals("0", r.get("other:5s:last:q"));
        assertEquals("0", r.get("other:5s:cur:q"));
    }

    // ---- auto-declared events ----

    @Test
    void dynamicEventVanishesAfterAWholeIntervalWithoutOccurrences() {
        rotate("dyn", "5s", T0);
        EventGroup dyn = ecl.group("dyn");
        dyn.log("x", 2);
        dyn.log("y");

        rotate("dyn", "5s", T0 + 5_000);
        assertEquals("2", r.get("dyn:5s:last:x"));
        assertEquals("1", r.get("dyn:5s:last:y"));
        assertNull(r.get("dyn:5s:cur:x"), "dynamic events are not reset to 0");
        assertEquals(Map.of("x", 2L, "y", 1L), dyn.lastCounts("5s"));

        clock.set(T0 + 6_000);
        dyn.log("y", 4);
        rotate("dyn", "5s", T0 + 10_000);
        assertNull(r.get("dyn:5s:last:x"), "x had no occurrence in the interval now in last");
        assertEquals("4", r.get("dyn:5s:last:y"));
        assertEquals(Map.of("y", 4L), dyn.lastCounts("5s"));

        rotate("dyn", "5s", T0 + 15_000);
        assertEquals(Map.of(), dyn.lastCounts("5s"));
        Set<String> keys = new java.util.TreeSet<>(r.keys("dyn:*"));
        keys.removeIf(k -> k.startsWith("dyn:5s:cur:@direct.")); // the direct-mode call marker (expires)
        assertEquals(new java.util.TreeSet<>(Set.of("dyn:5s:cur:@ts", "dyn:5s:last:@ts", "dyn:5s:last:@end",
                "dyn:5s:@total")), keys, "the totals stay (they only grow), the counters go");
    }

    @Test
    void registryOfAutoDeclaredEventsFollowsTheirCounters() {
        rotate("dyn", "5s", T0);
        ecl.group("dyn").log("x");
        assertEquals(Set.of("x"), r.smembers("dyn:5s:cur:@reg"));
        rotate("dyn", "5s", T0 + 5_000);
        assertEquals(Set.of(), r.smembers("dyn:5s:cur:@reg"));
        assertEquals(Set.of("x"), r.smembers("dyn:5s:last:@reg"));
    }

    @Test
    void manyEventsRotateExactlyChunkAfterChunk() {
        // More events than the rotation moves at a time (ROTATE_CHUNK, 256), in every case at once:
        // logged in both intervals, only in the older one (they vanish), only in the newer one.
        rotate("dyn", "5s", T0);
        EventGroup dyn = ecl.group("dyn");
        Map<String, Long> older = new java.util.HashMap<>();
        for (int i = 0; i < 600; i++) {
            dyn.log("e" + i, i + 1);
            older.put("e" + i, i + 1L);
        }
        rotate("dyn", "5s", T0 + 5_000);
        assertEquals(older, dyn.lastCounts("5s"));

        clock.set(T0 + 6_000);
        Map<String, Long> newer = new java.util.HashMap<>();
        for (int i = 300; i < 900; i++) {
            dyn.log("e" + i, 2);
            newer.put("e" + i, 2L);
        }
        rotate("dyn", "5s", T0 + 10_000);

        assertEquals(newer, dyn.lastCounts("5s"));
        assertEquals(newer.keySet(), r.smembers("dyn:5s:last:@reg"));
        assertEquals(Set.of(), r.keys("dyn:5s:cur:e*"), "no auto-declared cur is left");
        Set<String> lastKeys = new TreeSet<>();
        newer.keySet().forEach(ev -> lastKeys.add("dyn:5s:last:" + ev));
        assertEquals(lastKeys, new TreeSet<>(r.keys("dyn:5s:last:e*")), "e0..e299 had no occurrence in the interval now in last");
        Map<String, String> total = r.hgetAll("dyn:5s:@total");
        assertEquals(600, total.size(), "the retired interval is in the totals, and only it");
        older.forEach((ev, n) -> assertEquals(String.valueOf(n), total.get(ev), ev));
    }

    @Test
    void counterKeysHoldingSomethingElseAreMovedAsTheyAre() {
        // The rotation copies counts into last; a cur it cannot read as a string is renamed, so
        // what a hand or another tool put there is moved, never lost or turned into a count.
        rotate("pre", "5s", T0);
        rotate("dyn", "5s", T0);
        ecl.group("dyn").log("x");
        r.del("pre:5s:cur:a");
        r.lpush("pre:5s:cur:a", "v");
        r.set("pre:5s:cur:b", "not a number");
        r.del("dyn:5s:cur:x");
        r.hset("dyn:5s:cur:x", "f", "v");

        rotate("pre", "5s", T0 + 5_000);
        rotate("dyn", "5s", T0 + 5_000);

        assertEquals(List.of("v"), r.lrange("pre:5s:last:a", 0, -1));
        assertEquals("0", r.get("pre:5s:cur:a"));
        assertEquals("not a number", r.get("pre:5s:last:b"));
        assertEquals("0", r.get("pre:5s:cur:b"));
        assertEquals(Map.of("f", "v"), r.hgetAll("dyn:5s:last:x"));
        assertFalse(r.exists("dyn:5s:cur:x"));
        assertEquals(Set.of("x"), r.smembers("dyn:5s:last:@reg"));
    }

    @Test
    void aStrayLastKeyIsReplacedByTheCountNotAddedToTheTotals() {
        rotate("dyn", "5s", T0);
        r.set("dyn:5s:last:z", "7"); // not in last:@reg: no interval's count
        ecl.group("dyn").log("z", 2);

        rotate("dyn", "5s", T0 + 5_000);
        assertEquals("2", r.get("dyn:5s:last:z"));
        assertNull(r.hget("dyn:5s:@total", "z"));

        rotate("dyn", "5s", T0 + 10_000);
        assertNull(r.get("dyn:5s:last:z"));
        assertEquals("2", r.hget("dyn:5s:@total", "z"));
    }

    // ---- once per boundary ----

    @Test
    void rotationHappensOncePerBoundaryWhoeverAsks() {
        rotate("pre", "5s", T0);
        ecl.group("pre").log("a", 3);
        try (Rotator second = Rotator.connect(config.redis())) {
            assertTrue(rotate("pre", "5s", T0 + 5_000).rotated());
            clock.set(T0 + 6_000);
            ecl.group("pre").log("a", 1);

            Rotator.Result again = second.rotate(group("pre"), interval("pre", "5s"), T0 + 5_000);
            assertFalse(again.rotated());
            assertEquals(T0 + 5_000, again.startMillis());
            assertFalse(second.rotate(group("pre"), interval("pre", "5s"), T0 + 9_999).rotated(),
                    "a time inside the open interval is that interval's boundary");
            assertFalse(second.rotate(group("pre"), interval("pre", "5s"), T0).rotated(), "a clock stepped back");
            assertFalse(rotate("pre", "5s", T0 - 60_000).rotated());
        }
        assertEquals("3", r.get("pre:5s:last:a"), "last was not overwritten by an almost empty interval");
        assertEquals("1", r.get("pre:5s:cur:a"));
        assertEquals(secs(T0 + 5_000), r.get("pre:5s:cur:@ts"));
        assertEquals(secs(T0), r.get("pre:5s:last:@ts"));
    }

    // ---- @ts ----

    @Test
    void tsHoldsTheAlignedStartInUnixSecondsAndLastTsWhatLastCovers() {
        rotate("pre", "5s", T0 + 1_234); // a master a little late
        rotate("pre", "1m", T0 + 59_999);
        assertEquals(String.valueOf(S0), r.get("pre:5s:cur:@ts"));
        assertEquals(String.valueOf(S0), r.get("pre:1m:cur:@ts"));

        rotate("pre", "5s", T0 + 5_999);
        assertEquals(String.valueOf(S0 + 5), r.get("pre:5s:cur:@ts"));
        assertEquals(String.valueOf(S0), r.get("pre:5s:last:@ts"));
        IntervalCounts counts = read("pre", "5s");
        assertEquals(T0 + 5_000, counts.currentStartMillis());
        assertEquals(T0, counts.lastStartMillis());
        assertFalse(counts.lastCoversSeveralIntervals());
        assertFalse(counts.isStale(T0 + 10_000));
        assertTrue(counts.isStale(T0 + 12_001));
    }

    @Test
    void afterAMasterOutageLastTsShowsThatLastCoversSeveralIntervals() {
        rotate("pre", "5s", T0);
        ecl.group("pre").log("a", 2);
        rotate("pre", "5s", T0 + 30_000);

        assertEquals(String.valueOf(S0), r.get("pre:5s:last:@ts"));
        assertEquals(String.valueOf(S0 + 30), r.get("pre:5s:cur:@ts"));
        IntervalCounts counts = read("pre", "5s");
        assertTrue(counts.lastCoversSeveralIntervals());
        assertEquals(2, counts.last().get("a"));
    }

    @Test
    void subSecondIntervalsWriteTsWithAFraction() {
        rotate("sub", "0.25s", T0 + 250);
        assertEquals(S0 + ".25", r.get("sub:0.25s:cur:@ts"));
        rotate("sub", "0.25s", T0 + 500);
        assertEquals(S0 + ".5", r.get("sub:0.25s:cur:@ts"));
        assertEquals(S0 + ".25", r.get("sub:0.25s:last:@ts"));

        clock.set(T0 + 760); // a writer first to see the 0.75 boundary
        ecl.group("sub").log("a");
        assertEquals(S0 + ".75", r.get("sub:0.25s:cur:@ts"));
        assertEquals(S0 + ".5", r.get("sub:0.25s:last:@ts"));
        assertEquals("1", r.get("sub:0.25s:cur:a"));
        assertEquals("0", r.get("sub:0.25s:last:a"));
    }

    // ---- attribution of counts that reach Redis late ----

    @Test
    void syncReachingRedisAfterTheMasterRotatedIsCreditedToLast() {
        rotate("loc", "5s", T0);
        ecl.group("loc").log("a", 5);
        ecl.group("loc").log("new", 2);
        rotate("loc", "5s", T0 + 5_000); // the master's clock is a little ahead of ours

        assertTrue(ecl.flush());

        assertEquals("5", r.get("loc:5s:last:a"));
        assertEquals("0", r.get("loc:5s:cur:a"));
        assertEquals("2", r.get("loc:5s:last:new"));
        assertNull(r.get("loc:5s:cur:new"));
        assertEquals(Set.of("new"), r.smembers("loc:5s:last:@reg"));
        assertNull(r.get("loc:5s:cur:@late"));
        assertEquals(Map.of("a", 5L, "new", 2L), ecl.group("loc").lastCounts("5s"));
    }

    @Test
    void countsLoggedEitherSideOfABoundaryAreCreditedToTheirOwnIntervals() {
        rotate("loc", "5s", T0);
        EventGroup loc = ecl.group("loc");
        loc.log("a", 2);
        clock.set(T0 + 5_000);
        rotate("loc", "5s", T0 + 5_000);
        ecl.flush(); // the flusher switches epochs at the boundary (in the background it does so by itself)
        loc.log("a", 3);
        ecl.flush();

        assertEquals("2", r.get("loc:5s:last:a"));
        assertEquals("3", r.get("loc:5s:cur:a"));
    }

    @Test
    void countsOlderThanLastGoToCurAndAreCountedAsLate() {
        rotate("loc", "5s", T0);
        ecl.group("loc").log("a", 4);
        rotate("loc", "5s", T0 + 5_000);
        rotate("loc", "5s", T0 + 10_000);
        try (LogCapture log = new LogCapture()) {
            assertTrue(ecl.flush());
            ecl.group("loc").log("a", 1);
            assertTrue(ecl.flush());

            assertEquals("5", r.get("loc:5s:cur:a"));
            assertEquals("5", r.get("loc:5s:cur:@late"));
            assertEquals("0", r.get("loc:5s:last:a"));
            assertEquals(1, log.messages(Level.WARN, "after their interval had been closed").size(),
                    log.messages(Level.WARN).toString());
        }
        rotate("loc", "5s", T0 + 15_000);
        IntervalCounts counts = read("loc", "5s");
        assertEquals(5, counts.lateInLast());
        assertEquals(0, counts.lateInCurrent());
        assertEquals(5, counts.last().get("a"));
    }

    // ---- lazy rotation by writers ----

    @Test
    void writerFirstToSeeANewBoundaryRotatesAndTheMasterThenDoesNothing() {
        rotate("pre", "5s", T0);
        rotate("pre", "1m", T0);
        EventGroup pre = ecl.group("pre");
        pre.log("a", 2);

        clock.set(T0 + 6_000);
        pre.log("a", 3);

        assertEquals("2", r.get("pre:5s:last:a"));
        assertEquals("3", r.get("pre:5s:cur:a"));
        assertEquals("0", r.get("pre:5s:last:b"));
        assertEquals("0", r.get("pre:5s:cur:b"));
        assertEquals(String.valueOf(S0 + 5), r.get("pre:5s:cur:@ts"));
        assertEquals(String.valueOf(S0), r.get("pre:5s:last:@ts"));
        assertEquals("5", r.get("pre:1m:cur:a"), "1m has no new boundary yet");

        Rotator.Result late = rotate("pre", "5s", T0 + 5_000);
        assertFalse(late.rotated());
        assertEquals("2", r.get("pre:5s:last:a"));
        assertEquals("3", r.get("pre:5s:cur:a"));
    }

    @Test
    void flushOfANewEpochRotatesLazilyAndTheOldEpochStillLandsInLast() {
        rotate("loc", "5s", T0);
        EventGroup loc = ecl.group("loc");
        loc.log("a", 2);
        clock.set(T0 + 5_500);
        ecl.flush(); // closes the epoch of T0; its counts go to cur (no one has rotated yet)
        loc.log("a", 3);
        ecl.flush(); // the first count of T0+5s: the writer rotates

        assertEquals("2", r.get("loc:5s:last:a"));
        assertEquals("3", r.get("loc:5s:cur:a"));
        assertEquals(String.valueOf(S0 + 5), r.get("loc:5s:cur:@ts"));
        assertFalse(rotate("loc", "5s", T0 + 5_000).rotated());
    }

    // ---- exactly once ----

    @Test
    void aChunkSentAgainAfterALostReplyIsNotCountedTwice() {
        rotate("loc", "5s", T0);
        RedisEventGroup loc = (RedisEventGroup) ecl.group("loc");
        List<String> args = new ArrayList<>(loc.scriptArgs("test.42", new long[] {T0}));
        args.addAll(List.of("a", "7", "0"));

        assertEquals(0L, LuaScript.LOG.eval(r, loc.tsKeys, args));
        assertEquals(-1L, LuaScript.LOG.eval(r, loc.tsKeys, args));

        assertEquals("7", r.get("loc:5s:cur:a"));
        Set<String> markers = new TreeSet<>(r.keys("loc:5s:cur:@sync.*"));
        assertEquals(Set.of("loc:5s:cur:@sync.test.42"), markers);
        long ttl = r.pttl("loc:5s:cur:@sync.test.42");
        assertTrue(ttl > 0 && ttl <= Keys.MARKER_TTL_MILLIS, "the marker expires: " + ttl);
    }
}
