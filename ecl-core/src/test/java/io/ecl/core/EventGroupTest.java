package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** The public API of a group: logging, declaring, reading back; refusals and the no-op group. */
class EventGroupTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private EventCountLogger ecl;
    private LogCapture log;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m', '1h']",
                "  auto:",
                "    events: []",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "    sync_interval: 1",
                "  strict:",
                "    events: [x]",
                "    intervals: ['5s']",
                "    sync_interval: 1",
                ""));
        log = new LogCapture();
        ecl = Fixtures.logger(config, clock);
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
        log.close();
    }

    private void rotateAll(long at) {
        try (Rotator rot = Rotator.connect(config.redis())) {
            for (GroupConfig g : config.groups()) {
                rot.declare(g);
                for (Interval i : g.intervals()) {
                    rot.rotate(g, i, at);
                }
            }
        }
    }

    @Test
    void logExceptionCountsAnEventNamedAfterTheExceptionClass() {
        EventGroup auto = ecl.group("auto");
        auto.logException(new java.io.UncheckedIOException(new java.io.IOException("disk")));
        auto.logException(new IllegalStateException());
        auto.logException(new IllegalStateException("again"));
        assertTrue(ecl.flush());

        assertEquals("1", r.get("auto:5s:cur:java.io.UncheckedIOException"));
        assertEquals("2", r.get("auto:5s:cur:java.lang.IllegalStateException"));
    }

    @Test
    void logCountsOneAndLogWithCountAddsThatMany() {
        EventGroup web = ecl.group("web");
        web.log("a");
        web.log("a", 4);
        web.log("b", 0);

        assertEquals("5", r.get("web:5s:cur:a"));
        assertEquals("5", r.get("web:1m:cur:a"));
        assertEquals("5", r.get("web:1h:cur:a"));
        assertNull(r.get("web:5s:cur:b"), "a count of 0 writes nothing");
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("5s", 5L);
        expected.put("1m", 5L);
        expected.put("1h", 5L);
        assertEquals(expected, web.currentCountsOf("a"));
        assertEquals(List.of("5s", "1m", "1h"), new ArrayList<>(web.currentCountsOf("a").keySet()));
        assertEquals(5, web.currentCount("a", "1m"));
        assertEquals("web", web.name());
    }

    @Test
    void currentCountsAddUnsyncedLocalCountsToRedisOnesExactlyOnce() {
        EventGroup auto = ecl.group("auto");
        auto.log("p", 3);
        assertNull(r.get("auto:5s:cur:p"), "local counters: nothing is sent before a flush");
        assertEquals(Map.of("5s", 3L), auto.currentCountsOf("p"));

        ecl.flush();
        assertEquals("3", r.get("auto:5s:cur:p"));
        assertEquals(3, auto.currentCount("p", "5s"));

        auto.log("p", 2);
        assertEquals(5, auto.currentCount("p", "5s"));
        assertEquals(Map.of("5s", 5L), auto.currentCountsOf("p"));
        assertEquals(0, auto.currentCount("never", "5s"));
    }

    @Test
    void lastCountIsWhatTheClosedIntervalHeld() {
        rotateAll(T0);
        EventGroup web = ecl.group("web");
        web.log("a", 7);
        web.log("b", 2);
        rotateAll(T0 + 5_000);

        assertEquals(7, web.lastCount("a", "5s"));
        assertEquals(2, web.lastCount("b", "5s"));
        assertEquals(0, web.currentCount("a", "5s"));
        assertEquals(0, web.lastCount("a", "1m"), "1m has not rotated: its last is the empty one before T0");
        assertEquals(7, web.currentCount("a", "1m"));
        assertEquals(0, web.currentCount("@ts", "5s"), "meta keys are not events");
        assertEquals(new TreeMap<>(Map.of("a", 7L, "b", 2L)), web.lastCounts("5s"));
        assertEquals(new TreeMap<>(Map.of("a", 0L, "b", 0L)), web.currentCounts("5s"));
    }

    @Test
    void countsListDeclaredEventsWithZeroAndAutoDeclaredOnesSortedById() {
        assertEquals(new TreeMap<>(Map.of("a", 0L, "b", 0L)), ecl.group("web").currentCounts("1h"));

        EventGroup auto = ecl.group("auto");
        auto.log("zeta", 2);
        auto.log("alpha");
        auto.log("mu", 5);
        ecl.flush();

        Map<String, Long> counts = auto.currentCounts("5s");
        assertEquals(List.of("alpha", "mu", "zeta"), new ArrayList<>(counts.keySet()));
        assertEquals(Map.of("alpha", 1L, "mu", 5L, "zeta", 2L), counts);
        assertEquals(Map.of("alpha", 0L, "mu", 0L, "zeta", 0L), auto.lastCounts("5s"),
                "as Python's SCAN of both sections: an event of either section reads 0 in the other");
    }

    @Test
    void readingAnIntervalTheGroupDoesNotHaveIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ecl.group("web").currentCounts("5m"));
        assertTrue(e.getMessage().contains("'5m'") && e.getMessage().contains("'web'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ecl.group("web").lastCount("a", "2h"));
    }

    @Test
    void undeclaredEventIsRefusedAndWarnedOncePerEventId() {
        EventGroup strict = ecl.group("strict");
        strict.log("zz");
        strict.log("zz", 5);
        strict.log("zz");
        strict.log("ww");
        strict.log("x", 2);
        ecl.flush();

        assertNull(r.get("strict:5s:cur:zz"));
        assertNull(r.get("strict:5s:cur:ww"));
        assertEquals("2", r.get("strict:5s:cur:x"));
        assertEquals(List.of(
                "event 'zz' is not declared in group 'strict' and the group does not auto-declare events; not counted",
                "event 'ww' is not declared in group 'strict' and the group does not auto-declare events; not counted"),
                log.messages(Level.WARN));
        assertEquals(Map.of("x", 2L), strict.currentCounts("5s"));
    }

    @Test
    void invalidEventIdsAreRefusedEvenWhenAutoDeclaring() {
        EventGroup auto = ecl.group("auto");
        auto.log("@ts", 5);
        auto.log("@ts");
        auto.log("");
        auto.log(null);
        auto.log("line\nbreak");
        ecl.flush();

        assertEquals("0", String.valueOf(r.dbSize() - r.keys("*:@declared").size()),
                "nothing but the declared sets was written: " + r.keys("*"));
        assertEquals(4, log.messages(Level.WARN, "invalid event ID").size(), log.messages(Level.WARN).toString());
        assertThrows(IllegalArgumentException.class, () -> auto.declareEvent("@reg"));
        assertThrows(IllegalArgumentException.class, () -> auto.declareEvent(""));
    }

    @Test
    void declaredAtRunTimeCountsAndReadsLikeAConfiguredEvent() {
        rotateAll(T0);
        EventGroup strict = ecl.group("strict");
        strict.log("y");
        strict.declareEvents("y", "z");
        strict.log("y", 2);
        strict.log("z");
        ecl.flush();

        assertEquals("2", r.get("strict:5s:cur:y"));
        assertEquals(Set.of("x", "y", "z"), r.smembers("strict:5s:cur:@declared"));
        assertEquals(2, strict.currentCount("y", "5s"));
        assertEquals(Map.of("5s", 2L), strict.currentCountsOf("y"));
        assertEquals(Map.of("x", 0L, "y", 2L, "z", 1L), strict.currentCounts("5s"));

        rotateAll(T0 + 5_000);
        assertEquals("0", r.get("strict:5s:cur:y"), "rotation zeroes it like a configured event");
        assertEquals(2, strict.lastCount("y", "5s"));
        assertEquals(Map.of("x", 0L, "y", 2L, "z", 1L), strict.lastCounts("5s"));
    }

    @Test
    void declaringAnAutoDeclaredEventKeepsItsCounts() {
        EventGroup auto = ecl.group("auto");
        auto.log("p", 4);
        auto.declareEvent("p");
        auto.log("p", 3);
        ecl.flush();

        assertEquals("7", r.get("auto:5s:cur:p"));
        assertEquals(Set.of("p"), r.smembers("auto:5s:cur:@declared"));
    }

    @Test
    void unconfiguredGroupCountsNothingAndIsWarnedAboutOncePerName() {
        EventGroup nope = ecl.group("nope");
        ecl.group("nope").log("a");
        nope.log("a", 5);
        nope.declareEvent("b");
        ecl.group("other").log("a");
        ecl.flush();

        assertEquals("nope", nope.name());
        assertEquals(Map.of(), nope.currentCounts("5s"));
        assertEquals(Map.of(), nope.currentCountsOf("a"));
        assertEquals(0, nope.currentCount("a", "5s"));
        assertEquals(0, nope.lastCount("a", "5s"));
        assertEquals(Set.of(), r.keys("nope*"));
        assertEquals(Set.of(), r.keys("other*"));
        assertEquals(List.of(
                "event group 'nope' is not configured in test.yml; its events are not counted",
                "event group 'other' is not configured in test.yml; its events are not counted"),
                log.messages(Level.WARN));
    }

    @Test
    void manyThreadsLoggingAndDeclaringLoseNoCount() throws Exception {
        int threads = 6;
        int events = 200;
        int rounds = 300;
        EventGroup auto = ecl.group("auto");
        ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int n = 0; n < rounds; n++) {
                    for (int e = 0; e < events; e++) {
                        auto.log("e" + e);
                    }
                }
                return null;
            }));
        }
        // Two threads turn the auto-declared events into declared ones while they are counted.
        for (int d = 0; d < 2; d++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int e = 0; e < events; e++) {
                    auto.declareEvent("e" + e);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        ecl.close();

        for (int e = 0; e < events; e++) {
            assertEquals(String.valueOf(threads * rounds), r.get("auto:5s:cur:e" + e), "e" + e);
        }
    }
}
