package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.internal.RedisEventGroup;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * Bursts of new event IDs with Redis answering (nothing dropped, memory bounded by max_pending,
 * an early push), totals beyond a long (saturated and reported, never wrapped, locally and in
 * Redis), and a flusher that survives an Error.
 */
class BurstAndOverflowTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String GROUPS = String.join("\n",
            "  burst:",
            "    events: []",
            "    intervals: ['1h']",
            "    auto_declare_events: true",
            "    sync_interval: 3600",
            "    max_pending: 100",
            "  local:",
            "    events: [x, y, z]",
            "    intervals: ['5s', '1h']",
            "    sync_interval: 3600",
            "  eager:",
            "    events: [a]",
            "    intervals: ['1h']",
            "    sync_limit: 1",
            "");

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private RedisClient r;

    @BeforeEach
    void client() {
        r = redis.client();
    }

    private EventCountLogger logger() {
        return Fixtures.logger(Fixtures.config(redis, GROUPS), clock);
    }

    @Test
    void newIdsBeyondMaxPendingAreAllDeliveredWhileRedisAnswers() {
        try (EventCountLogger ecl = logger()) {
            EventGroup g = ecl.group("burst");
            for (int i = 0; i < 1_000; i++) {
                g.log("id" + i, i + 1);
            }
            assertTrue(ecl.flush());

            assertEquals(0, ecl.droppedCount());
            assertEquals(0, ecl.pendingCount());
            for (int i = 0; i < 1_000; i++) {
                assertEquals(Long.toString(i + 1), r.get("burst:1h:cur:id" + i), "id" + i);
            }
            assertEquals(1_000, r.scard("burst:1h:cur:@reg"));
        }
    }

    @Test
    void burstOfNewIdsIsPushedBeforeTheSyncIntervalAndItsCountersForgotten() {
        try (EventCountLogger ecl = logger()) {
            EventGroup g = ecl.group("burst");
            RedisEventGroup group = (RedisEventGroup) g;
            // Half of max_pending new IDs: the flusher pushes now, not in an hour.
            for (int i = 0; i < 50; i++) {
                g.log("id" + i);
            }
            Fixtures.await(() -> r.scard("burst:1h:cur:@reg") == 50, () -> r.scard("burst:1h:cur:@reg") + " of 50 pushed");
            Fixtures.await(() -> group.counterCount() == 0, () -> group.counterCount() + " counters kept");

            g.log("id1", 5); // a forgotten ID counts on in a new counter
            assertTrue(ecl.flush());
            assertEquals("6", r.get("burst:1h:cur:id1"));
            assertEquals("1", r.get("burst:1h:cur:id49"));
            assertEquals(0, ecl.droppedCount());
        }
    }

    @Test
    void awaitCapacityPushesABurstInTheCallingThreadAndOnlyThen() {
        try (EventCountLogger ecl = logger()) {
            EventGroup g = ecl.group("burst");
            ecl.flusherForTest().lock.lock(); // the background flusher cannot push meanwhile
            try {
                for (int i = 0; i < 49; i++) {
                    g.log("id" + i);
                }
                assertEquals(false, ecl.awaitCapacity());
                g.log("id49");
                assertEquals(true, ecl.awaitCapacity());
            } finally {
                ecl.flusherForTest().lock.unlock();
            }
            assertEquals(50, r.scard("burst:1h:cur:@reg"));
            assertEquals(false, ecl.awaitCapacity());
        }
    }

    @Test
    void forgettingCountersLosesNoCountOfThreadsLoggingMeanwhile() throws Exception {
        int threads = 4;
        int perThread = 40_000;
        int ids = 3_000;
        Map<String, Long> expected = new HashMap<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                expected.merge("id" + ((i * 7 + t * 13) % ids), (long) (1 + i % 3), Long::sum);
            }
        }
        try (EventCountLogger ecl = logger()) {
            EventGroup g = ecl.group("burst");
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                Thread w = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        g.log("id" + ((i * 7 + tt * 13) % ids), 1 + i % 3);
                    }
                });
                w.start();
                workers.add(w);
            }
            AtomicBoolean done = new AtomicBoolean();
            go.countDown();
            while (!done.get()) {
                ecl.flush(); // forgets counters (3,000 IDs > 50) while the workers add to them
                done.set(workers.stream().noneMatch(Thread::isAlive));
            }
            for (Thread w : workers) {
                w.join();
            }
            assertTrue(ecl.flush());
            Map<String, Long> actual = new HashMap<>();
            for (String id : expected.keySet()) {
                actual.put(id, Long.parseLong(r.get("burst:1h:cur:" + id)));
            }
            assertEquals(expected, actual);
            assertEquals(0, ecl.droppedCount());
        }
    }

    @Test
    void localTotalBeyondALongSaturatesAndIsReportedNeverWraps() {
        try (LogCapture log = new LogCapture(); EventCountLogger ecl = logger()) {
            EventGroup g = ecl.group("local");
            // One push: the background flusher would send a huge count on its own at once, and the
            // later ones would then overflow in Redis instead (reported too, see the next test).
            ecl.flusherForTest().lock.lock();
            try {
                g.log("x", Long.MAX_VALUE);
                g.log("x", 1);
                g.log("x", 2);
                g.log("y", Long.MIN_VALUE);
                g.log("y", -1);
                g.log("z", Long.MAX_VALUE - 1);
                g.log("z", 1); // exactly the limit: no overflow
                assertTrue(ecl.flush());
            } finally {
                ecl.flusherForTest().lock.unlock();
            }

            assertEquals(Long.toString(Long.MAX_VALUE), r.get("local:5s:cur:x"));
            assertEquals(Long.toString(Long.MAX_VALUE), r.get("local:1h:cur:x"));
            assertEquals(Long.toString(Long.MIN_VALUE), r.get("local:1h:cur:y"));
            assertEquals(Long.toString(Long.MAX_VALUE), r.get("local:1h:cur:z"));
            assertEquals(java.util.Set.of(
                    "group 'local': the count of event 'x' would go beyond 9223372036854775807, the limit of a Redis"
                            + " counter; it stays at the limit and 3 counts are not counted",
                    "group 'local': the count of event 'y' would go beyond -9223372036854775808, the limit of a Redis"
                            + " counter; it stays at the limit and 1 counts are not counted"),
                    new java.util.HashSet<>(log.messages(Level.ERROR)));
            assertEquals(2, log.messages(Level.ERROR).size());
        }
    }

    @Test
    void countThatOverflowsTheCounterInRedisIsReportedNotLostSilently() {
        r.set("local:1h:cur:x", Long.toString(Long.MAX_VALUE - 5));
        try (LogCapture log = new LogCapture(); EventCountLogger ecl = logger()) {
            ecl.group("local").log("x", 10);
            ecl.flush();

            assertEquals(Long.toString(Long.MAX_VALUE - 5), r.get("local:1h:cur:x"));
            assertEquals("10", r.get("local:5s:cur:x"));
            List<String> errors = log.messages(Level.ERROR);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("10 counts not stored") && errors.get(0).contains("local:1h:cur:x")
                    && errors.get(0).contains("increment or decrement would overflow"), errors.get(0));
        }
    }

    @Test
    void flusherSurvivesAnErrorMidSendAndDeliversExactlyOnce() {
        try (LogCapture log = new LogCapture(); EventCountLogger ecl = logger()) {
            AtomicBoolean thrown = new AtomicBoolean();
            Fixtures.hooks(ecl).afterExec = () -> {
                if (Thread.currentThread().getName().equals("ecl-flusher") && thrown.compareAndSet(false, true)) {
                    throw new OutOfMemoryError("simulated: the heap ran out while the replies were used");
                }
            };
            ecl.group("eager").log("a", 3); // sync_limit 1: the flusher pushes at once
            Fixtures.await(thrown::get, () -> "the flusher did not push");
            Fixtures.awaitValue(r, "eager:1h:cur:a", "3");

            ecl.group("eager").log("a", 4);
            Fixtures.awaitValue(r, "eager:1h:cur:a", "7");
            assertEquals(1, log.messages(Level.ERROR, "ecl flusher: unexpected error").size());
        }
    }
}
