package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.ReplyWait;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * A direct-mode logger busy-waits for Redis' reply while a CPU is spare ({@code replySpin}): the
 * counts are the same with and without it, and through a Redis restart in the middle.
 */
class ReplySpinTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private RedisClient r;
    private EventCountLogger ecl;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: [a]",
                "    intervals: ['5s', '1m']",
                ""));
        r = redis.client();
    }

    @AfterEach
    void stop() {
        redis.start();
        if (ecl != null) {
            ecl.close();
        }
    }

    private EventCountLogger logger(Duration spin) {
        return EventCountLogger.builder(config).clock(clock).withoutShutdownHook().withoutHeartbeat()
                .replySpin(spin).build();
    }

    /**
     * A logger with {@code spin}, its group "web" after one count (which opens the intervals: the
     * counts asserted include it) and a master's rotation, so the next calls take the group's own
     * connection.
     */
    private EventGroup openGroup(Duration spin) {
        ecl = logger(spin);
        EventGroup web = ecl.group("web");
        web.log("a");
        openIntervals();
        return web;
    }

    private void openIntervals() {
        ecl.flush();
        try (Rotator master = Rotator.connect(config.redis())) {
            for (Interval i : config.group("web").intervals()) {
                master.rotate(config.group("web"), i, i.startOf(clock.millis()));
            }
        }
    }

    private ReplyWait replyWait() {
        return ecl.context().replyWait();
    }

    @Test
    void aSingleThreadSpinsAndCountsExactly() {
        EventGroup web = openGroup(Duration.ofMillis(1));
        for (int i = 0; i < 2_000; i++) {
            web.log("a");
        }
        assertEquals("2001", r.get("web:5s:cur:a")); // with the first, which opened the intervals
        assertEquals("2001", r.get("web:1m:cur:a"));
        if (Runtime.getRuntime().availableProcessors() > 1) {
            // 1 ms is far beyond a local round trip: nearly every reply comes while spinning.
            assertTrue(replyWait().spins(ReplyWait.CAME) > 1_000,
                    "replies that came while spinning: " + replyWait().spins(ReplyWait.CAME));
        } else {
            assertEquals(0, replyWait().spins(ReplyWait.CAME), "one CPU: never spins");
        }
    }

    @Test
    void aSpinOfZeroNeverSpins() {
        EventGroup web = openGroup(Duration.ZERO);
        for (int i = 0; i < 500; i++) {
            web.log("a");
        }
        assertEquals("501", r.get("web:5s:cur:a"));
        for (int outcome : new int[] {ReplyWait.CAME, ReplyWait.RAN_OUT, ReplyWait.YIELDED}) {
            assertEquals(0, replyWait().spins(outcome));
        }
    }

    @Test
    void manyThreadsOnFewCpusDoNotSpin() throws InterruptedException {
        EventGroup web = openGroup(Duration.ofMillis(1));
        int threads = Runtime.getRuntime().availableProcessors() + 2;
        // Every thread is under way for the whole run: a caller that finds the others there never spins.
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.concurrent.CountDownLatch allIn = new java.util.concurrent.CountDownLatch(threads);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < 300; i++) {
                    web.log("a");
                }
                allIn.countDown();
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(String.valueOf(threads * 300 + 1), r.get("web:5s:cur:a"));
        long spun = replyWait().spins(ReplyWait.CAME) + replyWait().spins(ReplyWait.RAN_OUT);
        // Only while threads start and finish is a caller alone; not in the thick of it.
        assertTrue(spun < threads * 300 / 2, "spins with " + threads + " threads: " + spun);
    }

    @Test
    void aRestartWhileSpinningLosesNothing() {
        EventGroup web = openGroup(Duration.ofMillis(1));
        for (int i = 0; i < 100; i++) {
            web.log("a");
        }
        redis.stop();
        for (int i = 0; i < 100; i++) {
            web.log("a"); // to memory: Redis is down
        }
        redis.start();
        r = redis.client();
        openIntervals(); // a restarted Redis without persistence: empty, the master opens again
        for (int i = 0; i < 100; i++) {
            web.log("a");
        }
        assertTrue(ecl.flush());
        // The first 100 went with Redis' data; the rest are all there, once.
        assertEquals("200", r.get("web:5s:cur:a"));
    }

    @Test
    void aSpinOutsideItsRangeIsRefused() {
        EventCountLogger.Builder b = EventCountLogger.builder(config);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.replySpin(Duration.ofNanos(-1)));
        assertTrue(e.getMessage().contains("reply spin"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.replySpin(Duration.ofMillis(2)));
        assertThrows(NullPointerException.class, () -> b.replySpin(null));
        b.replySpin(Duration.ofMillis(1));
        b.replySpin(Duration.ZERO);
    }
}
