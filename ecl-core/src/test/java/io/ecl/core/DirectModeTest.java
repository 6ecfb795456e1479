package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** Direct mode (neither sync_interval nor sync_limit): every log() is one EVALSHA of log.lua. */
class DirectModeTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EventCountLogger ecl;
    private EventGroup web;
    private RedisClient r;

    @BeforeEach
    void start() {
        EclConfig config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m', '1h']",
                ""));
        ecl = Fixtures.logger(config, clock);
        web = ecl.group("web");
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
    }

    @Test
    void oneLogIsOneRoundTripWhateverTheNumberOfIntervals() {
        web.log("a"); // the first call after a Redis start loads the script (NOSCRIPT, then EVAL)
        ecl.flush(); // the declarations of a and b are sent by now

        try (Monitor monitor = new Monitor(redis.port())) {
            for (int i = 0; i < 5; i++) {
                monitor.clientCommands(r);
                web.log(i % 2 == 0 ? "a" : "b", 3);
                assertEquals(List.of("evalsha"), monitor.clientCommands(r), "log() number " + i);
            }
            for (int i = 0; i < 100; i++) {
                web.log("a");
            }
            assertEquals(Collections.nCopies(100, "evalsha"), monitor.clientCommands(r));
        }
        assertEquals("110", r.get("web:1h:cur:a"));
    }

    @Test
    void countIsInRedisInEveryIntervalWhenLogReturns() {
        web.log("a", 3);
        assertEquals("3", r.get("web:5s:cur:a"));
        assertEquals("3", r.get("web:1m:cur:a"));
        assertEquals("3", r.get("web:1h:cur:a"));
        web.log("a");
        assertEquals("4", r.get("web:5s:cur:a"));
        assertEquals("4", r.get("web:1h:cur:a"));
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void scriptsFlushedFromRedisAreLoadedAgainWithoutLosingACount() {
        web.log("a");
        r.scriptFlush();
        web.log("a", 2);
        assertEquals("3", r.get("web:5s:cur:a"));
        assertEquals("3", r.get("web:1h:cur:a"));
    }

    @Test
    void manyThreadsLoggingDirectlyCountExactly() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    web.log(i % 5 == 0 ? "b" : "a");
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        for (String interval : new String[] {"5s", "1m", "1h"}) {
            assertEquals(String.valueOf(threads * perThread * 4 / 5), r.get("web:" + interval + ":cur:a"), interval);
            assertEquals(String.valueOf(threads * perThread / 5), r.get("web:" + interval + ":cur:b"), interval);
        }
        assertEquals(0, ecl.pendingCount());
    }
}
