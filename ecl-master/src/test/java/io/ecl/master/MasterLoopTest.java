package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** MasterLoop on a standalone Redis, driven by a stepped clock: no test sleeps until a boundary. */
class MasterLoopTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** 2023-11-14T22:13:00Z: a boundary of every interval used here (5s and 1m). */
    static final long T0 = 1_699_999_980_000L;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SteppedClock clock;
    private StepSleeper sleeper;
    private EclConfig config;
    private RedisClient r;

    @BeforeEach
    void setUp() {
        clock = new SteppedClock(T0 + 2_000);
        sleeper = new StepSleeper(clock);
        r = redis.client();
        config = EclConfig.parse(redis.yamlRedisSection()
                + "groups:\n"
                + "  grp:\n"
                + "    events: [a, b]\n"
                + "    intervals: ['5s', '1m']\n"
                + "  dyn:\n"
                + "    events: []\n"
                + "    auto_declare_events: true\n"
                + "    intervals: ['5s']\n", "master-test.yml");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int k = closeables.size() - 1; k >= 0; k--) {
            closeables.get(k).close();
        }
    }

    private MasterLoop loop(StepSleeper s) {
        Rotator rotator = Rotator.connect(config.redis());
        closeables.add(rotator);
        return new MasterLoop(config, rotator, clock, s);
    }

    private static String secs(long millis) {
        return Long.toString(millis / 1000);
    }

    @Test
    void firstTickDeclaresTheEventsAndOpensTheCurrentIntervalOfEveryPair() {
        loop(sleeper).tick();

        assertEquals(secs(T0), r.get("grp:5s:cur:@ts"));
        assertEquals(secs(T0), r.get("grp:1m:cur:@ts"));
        assertEquals(secs(T0), r.get("dyn:5s:cur:@ts"));
        // pre-declared events: cur missing -> last 0, cur reset to 0
        assertEquals("0", r.get("grp:5s:last:a"));
        assertEquals("0", r.get("grp:5s:cur:a"));
        assertEquals("0", r.get("grp:1m:cur:b"));
        assertTrue(sleeper.targets().isEmpty(), "the start-up rotation does not wait");
    }

    @Test
    void rotatesAtEveryAlignedBoundaryWithExactValues() {
        MasterLoop loop = loop(sleeper);
        loop.tick();
        r.incrBy("grp:5s:cur:a", 3);
        r.incrBy("grp:1m:cur:a", 3);

        loop.tick();

        assertEquals(List.of(T0 + 5_000), sleeper.targets());
        assertEquals("3", r.get("grp:5s:last:a"));
        assertEquals("0", r.get("grp:5s:last:b"));
        assertEquals("0", r.get("grp:5s:cur:a"));
        assertEquals("0", r.get("grp:5s:cur:b"));
        assertEquals(secs(T0 + 5_000), r.get("grp:5s:cur:@ts"));
        assertEquals(secs(T0), r.get("grp:5s:last:@ts"));
        assertEquals(secs(T0), r.get("grp:1m:cur:@ts"), "1m is not due at :05");
        assertEquals("3", r.get("grp:1m:cur:a"));

        loop.runIterations(11);

        assertEquals(T0 + 60_000, sleeper.lastTarget());
        assertEquals(secs(T0 + 60_000), r.get("grp:1m:cur:@ts"));
        assertEquals(secs(T0), r.get("grp:1m:last:@ts"));
        assertEquals("3", r.get("grp:1m:last:a"));
        assertEquals("0", r.get("grp:1m:cur:a"));
        assertEquals(secs(T0 + 60_000), r.get("grp:5s:cur:@ts"));
        assertEquals(secs(T0 + 55_000), r.get("grp:5s:last:@ts"));
    }

    @Test
    void wakeUpTimesAreComputedFromTheClockSoLatenessDoesNotAccumulate() {
        StepSleeper late = new StepSleeper(clock).lateness(700);
        MasterLoop loop = loop(late);
        loop.runIterations(4);

        assertEquals(List.of(T0 + 5_000, T0 + 10_000, T0 + 15_000), late.targets());
        assertEquals(secs(T0 + 15_000), r.get("grp:5s:cur:@ts"));
    }

    @Test
    void dynamicEventVanishesAfterAWholeIntervalWithoutOccurrences() {
        MasterLoop loop = loop(sleeper);
        loop.tick();
        try (EventCountLogger ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook().build()) {
            ecl.group("dyn").log("x", 2);
            ecl.group("dyn").log("y");
            assertEquals("2", r.get("dyn:5s:cur:x"));

            loop.tick();
            ecl.group("dyn").log("y");

            assertEquals("2", r.get("dyn:5s:last:x"));
            assertNull(r.get("dyn:5s:cur:x"), "a dynamic event has no counter until it is logged");

            loop.tick();

            assertNull(r.get("dyn:5s:last:x"), "x was not logged during the interval: it vanishes");
            assertEquals("1", r.get("dyn:5s:last:y"));
            assertNull(r.get("dyn:5s:cur:y"));
        }
    }

    @Test
    void verboseLogsEveryRotationWithItsBoundaryAndLateness() {
        StepSleeper late = new StepSleeper(clock).lateness(37);
        MasterLoop loop = loop(late).verbose(true);
        try (LogCapture log = new LogCapture()) {
            loop.tick();
            log.clear();

            loop.tick();

            assertEquals(List.of(
                    "INFO rotated grp 5s at 2023-11-14T22:13:05Z, 37 ms late",
                    "INFO rotated dyn 5s at 2023-11-14T22:13:05Z, 37 ms late"), log.lines());
        }
    }

    @Test
    void withoutVerboseRotationsAreNotLogged() {
        MasterLoop loop = loop(sleeper);
        try (LogCapture log = new LogCapture()) {
            loop.runIterations(3);
            assertEquals(List.of(), log.lines());
        }
    }

    @Test
    void restartDoesNotRotateTheSameBoundaryAgain() {
        loop(sleeper).runIterations(2);
        r.incrBy("grp:5s:cur:a", 4);
        r.set("grp:5s:last:a", "9");

        MasterLoop restarted = loop(sleeper).verbose(true);
        try (LogCapture log = new LogCapture()) {
            restarted.tick();
            assertEquals(1, log.containing("grp 5s at 2023-11-14T22:13:05Z already rotated").size(), log.lines()::toString);
        }

        assertEquals("4", r.get("grp:5s:cur:a"));
        assertEquals("9", r.get("grp:5s:last:a"));
        assertEquals(secs(T0 + 5_000), r.get("grp:5s:cur:@ts"));
    }

    @Test
    void clockSteppedBackRotatesNothing() {
        MasterLoop loop = loop(sleeper);
        loop.runIterations(2);
        r.incrBy("grp:5s:cur:a", 4);
        clock.set(T0 - 7_000);
        StepSleeper stuck = sleeper.advancing(false);

        loop.tick();

        assertEquals(T0 + 10_000, stuck.lastTarget(), "nothing is due before the end of the interval already open");
        assertEquals("4", r.get("grp:5s:cur:a"));
        assertEquals("0", r.get("grp:5s:last:a"));
        assertEquals(secs(T0 + 5_000), r.get("grp:5s:cur:@ts"));
        assertEquals(secs(T0), r.get("grp:5s:last:@ts"));
    }

    @Test
    void twoMastersOnOneRedisRotateEachBoundaryOnce() {
        // Two machines: each master has its own clock; B's runs 3 ms behind A's at the boundary.
        SteppedClock clockB = new SteppedClock(T0 + 2_000);
        StepSleeper sleeperB = new StepSleeper(clockB).lateness(3);
        MasterLoop a = loop(sleeper).verbose(true);
        Rotator rotatorB = Rotator.connect(config.redis());
        closeables.add(rotatorB);
        MasterLoop b = new MasterLoop(config, rotatorB, clockB, sleeperB).verbose(true);
        try (LogCapture log = new LogCapture()) {
            a.tick();
            b.tick();
            r.incrBy("grp:5s:cur:a", 3);

            a.tick();                        // wakes at :05 and rotates
            r.incrBy("grp:5s:cur:a", 1);     // the first count of the new interval
            b.tick();                        // wakes at :05 too, and finds it done

            assertEquals(T0 + 5_000, sleeperB.lastTarget());
            assertEquals("3", r.get("grp:5s:last:a"));
            assertEquals("1", r.get("grp:5s:cur:a"));
            assertEquals(secs(T0 + 5_000), r.get("grp:5s:cur:@ts"));
            assertEquals(1, log.containing("rotated grp 5s at 2023-11-14T22:13:05Z").size(), log.lines()::toString);
            assertEquals(1, log.containing("grp 5s at 2023-11-14T22:13:05Z already rotated").size(),
                    log.lines()::toString);

            b.tick();                        // this time B is first
            a.tick();
            assertEquals("1", r.get("grp:5s:last:a"));
            assertEquals(1, log.containing("rotated grp 5s at 2023-11-14T22:13:10Z").size(), log.lines()::toString);
        }
    }

    @Test
    void stopEndsRunAndLaterTicks() {
        MasterLoop loop = loop(sleeper);
        loop.tick();
        loop.stop();

        loop.run();
        loop.runIterations(5);

        assertTrue(loop.isStopped());
        assertTrue(sleeper.targets().isEmpty());
        assertFalse(r.exists("grp:5s:last:@ts"));
    }
}
