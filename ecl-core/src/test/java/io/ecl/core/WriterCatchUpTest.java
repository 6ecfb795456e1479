package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * Writers back before any master after a Redis outage that spanned boundaries: the first flush
 * rotates once, to the writer's current interval, and 'last' then holds every count of the
 * intervals missed (as the master's catch-up does), with last:@ts saying from when. Redis keeps
 * its data across the restart (AOF, as in production).
 */
class WriterCatchUpTest {
    private static final Path DATA = tempDir();

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis()
            .setting("appendonly yes").setting("appendfsync always").setting("dir " + DATA);

    /** T0 in the Unix seconds of @ts values. */
    private static final long S0 = T0 / 1000;

    private final SteppedClock clock = new SteppedClock(T0 + 100);
    private EclConfig config;
    private EventCountLogger one;
    private EventCountLogger two;

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ecl-aof");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeData() throws IOException {
        redis.stop();
        try (var files = Files.walk(DATA)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  loc:",
                "    events: [a]",
                "    intervals: ['1s', '1h']",
                "    auto_declare_events: true",
                "    sync_interval: 0.2",
                "  dir:",
                "    events: [a]",
                "    intervals: ['1s']",
                ""));
        one = Fixtures.logger(config, clock);
        two = Fixtures.logger(config, clock);
        assertTrue(one.flush() & two.flush()); // declarations
        try (Rotator master = Rotator.connect(config.redis())) {
            for (String g : new String[] {"loc", "dir"}) {
                for (Interval i : config.group(g).intervals()) {
                    master.rotate(config.group(g), i, T0);
                }
            }
        }
    }

    @AfterEach
    void stop() {
        redis.start();
        one.close();
        two.close();
    }

    private static RedisClient r() {
        return redis.client();
    }

    /**
     * Logs {@code n} of a and x through both loggers at the clock's time, after a flush attempt
     * that switches epochs as the background thread does at a boundary (Redis is down).
     */
    private void logBoth(long n) {
        for (EventCountLogger ecl : new EventCountLogger[] {one, two}) {
            ecl.flush();
            ecl.group("loc").log("a", n);
            ecl.group("loc").log("x", n);
            ecl.group("dir").log("a", n);
            ecl.flush();
        }
    }

    @Test
    void countsOfEveryIntervalMissedDuringAnOutageEndUpInTheOneLastOfTheCatchUp() {
        logBoth(5);
        assertTrue(one.flush() & two.flush());
        assertEquals("10", r().get("loc:1s:cur:a"));

        redis.stop();
        clock.set(T0 + 500);
        logBoth(1);
        for (int second = 1; second <= 3; second++) { // three boundaries pass while Redis is down
            clock.set(T0 + second * 1_000L + 300);
            logBoth(second + 1L);
        }
        assertFalse(one.flush());
        redis.start(); // back with its data; no master yet
        Fixtures.await(() -> one.flush(), () -> "the first writer never delivered");
        assertEquals(String.valueOf(S0 + 3), r().get("loc:1s:cur:@ts"), "one rotation, to the writer's current interval");
        assertEquals(String.valueOf(S0), r().get("loc:1s:last:@ts"), "last covers the three missed boundaries");
        Fixtures.await(() -> two.flush(), () -> "the second writer never delivered");

        // Per writer: 5 before the outage, then 1 + 2 + 3 in the intervals of T0, T0+1s and T0+2s, 4 in T0+3s.
        for (String counter : new String[] {"loc:1s:%s:a", "loc:1s:%s:x", "dir:1s:%s:a"}) {
            assertEquals("22", r().get(String.format(counter, "last")), counter);
            assertEquals("8", r().get(String.format(counter, "cur")), counter);
        }
        assertEquals(String.valueOf(S0 + 3), r().get("dir:1s:cur:@ts"));
        assertEquals(String.valueOf(S0), r().get("dir:1s:last:@ts"));
        assertNull(r().get("loc:1s:cur:@late"));
        assertNull(r().get("loc:1s:last:@late"));
        assertEquals("30", r().get("loc:1h:cur:a"), "the hour had no boundary");
        assertEquals(String.valueOf(S0 + 3), r().get("loc:1s:cur:@ts"), "the second writer did not rotate again");
    }

    @Test
    void aWriterWhoseOwnFlushRotatedDoesNotRotateAgainForItsOlderChunks() {
        // One writer alone, its chunk frozen before the outage is resent first (same ID), the counts
        // merged since follow: the rotation happens with the first of them.
        clock.set(T0 + 200);
        one.group("loc").log("a", 7);
        redis.stop();
        assertFalse(one.flush()); // frozen into a chunk of T0's interval
        clock.set(T0 + 1_200);
        assertFalse(one.flush());
        one.group("loc").log("a", 2);
        clock.set(T0 + 2_200);
        assertFalse(one.flush());
        one.group("loc").log("a", 3);
        redis.start();
        Fixtures.await(() -> one.flush(), () -> "never delivered");

        assertEquals(String.valueOf(S0 + 2), r().get("loc:1s:cur:@ts"));
        assertEquals(String.valueOf(S0), r().get("loc:1s:last:@ts"));
        assertEquals("9", r().get("loc:1s:last:a"));
        assertEquals("3", r().get("loc:1s:cur:a"));
        assertNull(r().get("loc:1s:cur:@late"));
    }
}
