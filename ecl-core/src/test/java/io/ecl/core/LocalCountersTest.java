package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.internal.RedisEventGroup;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * Local counters (sync_interval and/or sync_limit): log() only adds in memory; the flusher
 * pushes every sync_interval, early when a counter reaches sync_limit, and at close().
 */
class LocalCountersTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private EventCountLogger ecl;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  timed:",
                "    events: [a, b, c]",
                "    intervals: ['5s', '1m', '1h']",
                "    sync_interval: 2",
                "  limited:",
                "    events: [a, b]",
                "    intervals: ['1m']",
                "    sync_limit: 5",
                "  auto:",
                "    events: []",
                "    intervals: ['5s', '1m']",
                "    auto_declare_events: true",
                "    sync_interval: 0.5",
                "  hot:",
                "    events: [a, b]",
                "    intervals: ['1h']",
                "    sync_limit: 100000",
                "    sync_interval: 0.1",
                ""));
        ecl = Fixtures.logger(config, clock);
    }

    @AfterEach
    void stop() {
        redis.start();
        ecl.close();
    }

    private static RedisClient r() {
        return redis.client();
    }

    @Test
    void logSendsNothingUntilAFlushWhichIsOneTransaction() {
        ecl.flush(); // declarations go out first
        EventGroup timed = ecl.group("timed");
        try (Monitor monitor = new Monitor(redis.port())) {
            for (int i = 0; i < 1_000; i++) {
                timed.log("a");
                timed.log("b", 2);
            }
            timed.log("c", 7);
            assertEquals(List.of(), monitor.clientCommands(r()), "log() did I/O");
            assertNull(r().get("timed:5s:cur:a"));
            monitor.clientCommands(r());

            assertTrue(ecl.flush());
            assertEquals(List.of("watch", "mget", "mget", "multi", "set", "set", "set",
                    "incrby", "incrby", "incrby", "incrby", "incrby", "incrby", "incrby", "incrby", "incrby",
                    "set", "exec"), monitor.clientCommands(r()),
                    "three events, three intervals: one read of the @ts keys and the chunk's marker, then one"
                    + " transaction: the @ts of the intervals no master opened yet, nine INCRBY, the marker");

            assertTrue(ecl.flush());
            assertEquals(List.of(), monitor.clientCommands(r()), "nothing logged, nothing sent");

            timed.log("a");
            ecl.group("auto").log("x");
            assertTrue(ecl.flush());
            assertEquals(List.of("watch", "mget", "mget", "multi", "set", "set",
                    "incrby", "incrby", "incrby", "set",
                    "incrby", "incrby", "sadd", "sadd", "set", "exec"), monitor.clientCommands(r()),
                    "two groups: one transaction (auto's intervals opened, its new event registered)");
        }
        for (String interval : new String[] {"5s", "1m", "1h"}) {
            assertEquals("1001", r().get("timed:" + interval + ":cur:a"));
            assertEquals("2000", r().get("timed:" + interval + ":cur:b"));
            assertEquals("7", r().get("timed:" + interval + ":cur:c"));
        }
    }

    @Test
    void logWithRedisStoppedReturnsAtOnceAndTouchesNothing() {
        try (LogCapture log = new LogCapture()) {
            assertTrue(ecl.flush()); // the flusher's declarations are out before Redis stops
            redis.stop();
            EventGroup timed = ecl.group("timed");
            for (int i = 0; i < 10_000; i++) {
                timed.log("a");
            }
            ecl.group("auto").log("new-event", 3);
            assertEquals(List.of(), log.messages(Level.WARN), "no Redis call was made, so no outage was noticed");

            redis.start();
            // The first use of the connection pooled before the restart fails; the next one works.
            Fixtures.await(ecl::flush, () -> "flush() never succeeded");
            assertEquals("10000", r().get("timed:1h:cur:a"));
            assertEquals("3", r().get("auto:1m:cur:new-event"));
        }
    }

    @Test
    void everySyncIntervalTheFlusherPushesAllNonZeroCounts() {
        ecl.flush();
        EventGroup timed = ecl.group("timed");
        timed.log("a", 3);
        timed.log("b", 4);

        clock.advanceMillis(2_000);
        Fixtures.awaitValue(r(), "timed:5s:cur:b", "4");
        assertEquals("3", r().get("timed:5s:cur:a"));
        assertNull(r().get("timed:5s:cur:c"), "a zero count is not sent");

        timed.log("a", 10);
        clock.advanceMillis(2_000);
        Fixtures.awaitValue(r(), "timed:1m:cur:a", "13");
    }

    @Test
    void counterReachingSyncLimitTriggersAnEarlyPushOfAllCounts() {
        ecl.flush();
        EventGroup limited = ecl.group("limited");
        for (int i = 0; i < 4; i++) {
            limited.log("a");
            limited.log("b");
        }
        assertNull(r().get("limited:1m:cur:a"));
        limited.log("a");

        Fixtures.awaitValue(r(), "limited:1m:cur:a", "5");
        assertEquals("4", r().get("limited:1m:cur:b"));
    }

    @Test
    void countsBelowSyncLimitArePushedWithinTheDefaultSyncIntervalAndCountAsPending() {
        ecl.flush();
        EventGroup limited = ecl.group("limited");
        limited.log("a", 4);
        limited.log("b");
        assertEquals(2, ecl.pendingCount(), "two events wait in the local counters");
        assertNull(r().get("limited:1m:cur:a"));

        // sync_limit alone: not until the interval's boundary (a minute away), but within the
        // default sync_interval.
        clock.advanceMillis(RedisEventGroup.DEFAULT_SYNC_INTERVAL_MILLIS);
        Fixtures.awaitValue(r(), "limited:1m:cur:a", "4");
        assertEquals("1", r().get("limited:1m:cur:b"));
        Fixtures.await(() -> ecl.pendingCount() == 0, () -> "pending: " + ecl.pendingCount());
    }

    @Test
    void aCurrentReadWhileAPushIsInFlightCountsThePushedCountsOnce() throws Exception {
        ecl.flush();
        EventGroup limited = ecl.group("limited");
        limited.log("a", 3);
        java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong(-1);
        Thread[] reader = new Thread[1];
        // Between the push's two round trips (counts drained, not yet in Redis), a thread reads.
        Fixtures.hooks(ecl).afterRead = () -> {
            Fixtures.hooks(ecl).afterRead = null;
            reader[0] = new Thread(() -> seen.set(limited.currentCount("a", "1m")));
            reader[0].start();
            Fixtures.await(() -> ecl.flusherForTest().lock.hasQueuedThread(reader[0]), () -> "the read did not wait for the push");
        };
        assertTrue(ecl.flush());
        reader[0].join();
        assertEquals("3", r().get("limited:1m:cur:a"));
        assertEquals(3, seen.get());
    }

    @Test
    void autoDeclaredEventsWorkWithLocalCounters() {
        EventGroup auto = ecl.group("auto");
        auto.log("x", 2);
        auto.log("y");
        auto.log("x");
        assertEquals(Map.of("5s", 3L, "1m", 3L), auto.currentCountsOf("x"));
        assertTrue(ecl.flush());

        assertEquals("3", r().get("auto:5s:cur:x"));
        assertEquals("1", r().get("auto:1m:cur:y"));
        assertEquals(Set.of("x", "y"), r().smembers("auto:5s:cur:@reg"));
        assertEquals(Map.of("x", 3L, "y", 1L), auto.currentCounts("1m"));
    }

    @Test
    void closeDeliversWhatIsStillInMemory() {
        ecl.group("timed").log("a", 5);
        ecl.group("auto").log("z");
        ecl.close();
        assertEquals("5", r().get("timed:5s:cur:a"));
        assertEquals("1", r().get("auto:5s:cur:z"));
    }

    @Test
    void eightThreadsLoggingAMillionEachLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 1_000_000;
        EventGroup hot = ecl.group("hot");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    hot.log((i & 1) == 0 ? "a" : "b");
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

        assertEquals(String.valueOf(threads * perThread / 2), r().get("hot:1h:cur:a"));
        assertEquals(String.valueOf(threads * perThread / 2), r().get("hot:1h:cur:b"));
    }
}
