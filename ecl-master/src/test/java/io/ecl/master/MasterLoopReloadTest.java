package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** MasterLoop.reload on a real Redis, driven by a stepped clock. */
class MasterLoopReloadTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** 2023-11-14T22:13:00Z: a boundary of 5s, 10s and 1m. */
    static final long T0 = MasterLoopTest.T0;

    private SteppedClock clock;
    private StepSleeper sleeper;
    private RedisClient r;
    private Rotator rotator;
    private MasterLoop loop;

    private EclConfig config(String groups) {
        return EclConfig.parse(redis.yamlRedisSection() + "groups:\n" + groups, "reload-test.yml");
    }

    private static final String GRP = "  grp:\n    events: [a, b]\n    intervals: ['5s', '1m']\n";
    private static final String DYN = "  dyn:\n    events: []\n    auto_declare_events: true\n    intervals: ['5s']\n";

    @BeforeEach
    void setUp() {
        clock = new SteppedClock(T0 + 2_000);
        sleeper = new StepSleeper(clock);
        r = redis.client();
        EclConfig start = config(GRP + DYN);
        rotator = Rotator.connect(start.redis());
        loop = new MasterLoop(start, rotator, clock, sleeper);
    }

    @AfterEach
    void tearDown() {
        rotator.close();
    }

    private static String secs(long millis) {
        return Long.toString(millis / 1000);
    }

    @Test
    void addedGroupIsDeclaredOpenedAtOnceAndRotatesFromItsNextBoundary() {
        loop.tick();
        try (LogCapture log = new LogCapture()) {
            loop.reload(config(GRP + DYN + "  new:\n    events: [x]\n    intervals: ['5s']\n"));
            assertFalse(r.exists("new:5s:cur:@ts"), "nothing happens before the loop's next step");

            loop.tick();

            assertEquals(List.of("INFO config reloaded from reload-test.yml: groups added: new (5s); 3 groups now"),
                    log.lines(ch.qos.logback.classic.Level.INFO).stream()
                            .filter(l -> l.contains("reloaded")).toList());
        }
        assertEquals(List.of(T0 + 5_000), sleeper.targets(), "the reload did not add a wait");
        assertEquals(secs(T0 + 5_000), r.get("new:5s:cur:@ts"));
        assertEquals(secs(T0), r.get("new:5s:last:@ts"), "opened at the current boundary when added");
        assertEquals("0", r.get("new:5s:cur:x"), "declared");
        assertTrue(r.sismember("new:5s:cur:@declared", "x"), "x is in the declared set");
        assertEquals(secs(T0 + 5_000), r.get("grp:5s:cur:@ts"));

        loop.tick();

        assertEquals(secs(T0 + 10_000), r.get("new:5s:cur:@ts"));
    }

    @Test
    void removedGroupIsNoLongerRotated() {
        loop.tick();
        try (LogCapture log = new LogCapture()) {
            loop.reload(config(GRP));
            loop.runIterations(3);

            assertEquals(1, log.containing("config reloaded from reload-test.yml: groups removed: dyn; 1 group now")
                    .size(), log.lines()::toString);
        }
        assertEquals(secs(T0 + 15_000), r.get("grp:5s:cur:@ts"));
        assertEquals(secs(T0), r.get("dyn:5s:cur:@ts"), "dyn stays where it was, its keys are kept");
        assertEquals(List.of("grp"), loop.groups().stream().map(g -> g.name()).toList());
    }

    @Test
    void changedIntervalsTakeEffectAtTheirNextBoundary() {
        loop.tick();
        try (LogCapture log = new LogCapture()) {
            loop.reload(config("  grp:\n    events: [a, b]\n    intervals: ['5s', '10s']\n" + DYN));
            loop.tick();

            assertEquals(1, log.containing("intervals changed: grp (5s, 1m -> 5s, 10s); 2 groups now").size(),
                    log.lines()::toString);
        }
        assertEquals(secs(T0), r.get("grp:10s:cur:@ts"), "opened at once when added");
        assertEquals("0", r.get("grp:10s:cur:a"));
        assertEquals(List.of(T0 + 5_000), sleeper.targets(), "5s kept its schedule");

        loop.runIterations(11);

        assertEquals(T0 + 60_000, sleeper.lastTarget());
        assertEquals(secs(T0 + 60_000), r.get("grp:10s:cur:@ts"));
        assertEquals(secs(T0 + 50_000), r.get("grp:10s:last:@ts"));
        assertEquals(secs(T0), r.get("grp:1m:cur:@ts"), "the removed 1m interval is no longer rotated");
        assertEquals(secs(T0 + 60_000), r.get("grp:5s:cur:@ts"));
    }

    @Test
    void reloadWithoutChangesSaysSoAndKeepsTheSchedule() {
        loop.tick();
        try (LogCapture log = new LogCapture()) {
            loop.reload(config(GRP + DYN));
            loop.tick();

            assertEquals(1, log.containing("config reloaded from reload-test.yml: no change to groups, intervals or "
                    + "declared events").size(), log.lines()::toString);
        }
        assertEquals(List.of(T0 + 5_000), sleeper.targets());
        assertEquals(secs(T0 + 5_000), r.get("grp:5s:cur:@ts"));
    }

    @Test
    void changedEventsAreDeclared() {
        loop.tick();
        try (LogCapture log = new LogCapture()) {
            loop.reload(config("  grp:\n    events: [a, b, c]\n    intervals: ['5s', '1m']\n" + DYN));
            loop.tick();

            assertEquals(1, log.containing("declared events changed: grp").size(), log.lines()::toString);
        }
        assertEquals("0", r.get("grp:5s:last:c"), "c was declared, so the rotation zeroed it");
        assertEquals("0", r.get("grp:5s:cur:c"));
    }

    @Test
    void reloadBeforeTheFirstStepIsPartOfTheStartUpSync() {
        loop.reload(config(DYN + "  new:\n    events: [x]\n    intervals: ['1m']\n"));

        loop.tick();

        assertEquals(secs(T0), r.get("new:1m:cur:@ts"));
        assertEquals(secs(T0), r.get("dyn:5s:cur:@ts"));
        assertFalse(r.exists("grp:5s:cur:@ts"), "grp was removed before it was ever rotated");
        assertTrue(sleeper.targets().isEmpty());
    }

    @Test
    void lastOfSeveralReloadsWins() {
        loop.tick();
        loop.reload(config(GRP + "  one:\n    events: []\n    intervals: ['5s']\n"));
        loop.reload(config(GRP + "  two:\n    events: []\n    intervals: ['5s']\n"));

        loop.tick();

        assertFalse(r.exists("one:5s:cur:@ts"));
        assertEquals(secs(T0 + 5_000), r.get("two:5s:cur:@ts"));
        assertEquals(List.of("grp", "two"), loop.groups().stream().map(g -> g.name()).toList());
    }

    @Test
    void reloadFromAnotherThreadWakesARunningLoop() throws Exception {
        // A real sleeper on the real clock: the loop sleeps until the next 1h boundary unless nudged.
        EclConfig start = config("  slow:\n    events: []\n    intervals: ['1h']\n");
        Clock system = Clock.systemUTC();
        MasterLoop running = new MasterLoop(start, rotator, system, MasterLoop.Sleeper.of(system));
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            running.run();
            done.countDown();
        });
        t.start();
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (!r.exists("slow:1h:cur:@ts") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(r.exists("slow:1h:cur:@ts"), "the loop started");

            running.reload(config("  slow:\n    events: []\n    intervals: ['1h']\n"
                    + "  fast:\n    events: []\n    intervals: ['1d']\n"));

            deadline = System.currentTimeMillis() + 5_000;
            while (!r.exists("fast:1d:cur:@ts") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(r.exists("fast:1d:cur:@ts"), "the added group was opened without waiting for the 1h boundary");
        } finally {
            running.stop();
            assertTrue(done.await(5, TimeUnit.SECONDS), "stop ends run()");
        }
    }

    @Test
    void clockSleeperNudgeEndsOneSleepOnly() throws Exception {
        Clock system = Clock.systemUTC();
        MasterLoop.Sleeper s = MasterLoop.Sleeper.of(system);
        s.nudge();
        long before = System.nanoTime();
        s.sleepUntil(system.millis() + 60_000);
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(2), "a nudge before the sleep ends it");

        before = System.nanoTime();
        s.sleepUntil(system.millis() + 300);
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(250), "the nudge was used up");
    }
}
