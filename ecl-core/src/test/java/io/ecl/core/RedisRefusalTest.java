package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.internal.Refusals;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * Redis answering but refusing to write (out of memory under maxmemory-policy noeviction, as a
 * full Redis does): the counts are kept and delivered exactly once when it accepts writes again,
 * in direct mode and with local counters alike. Refusals are not "non-counter value" errors.
 */
class RedisRefusalTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private RedisClient admin;

    @BeforeEach
    void start() {
        admin = redis.client();
        admin.flushAll();
    }

    @AfterEach
    void stop() {
        admin.configSet("maxmemory", "0");
    }

    private void fillUp() {
        admin.configSet("maxmemory-policy", "noeviction");
        admin.configSet("maxmemory", "1");
    }

    @Test
    void countsRefusedForLackOfMemoryAreKeptAndDeliveredOnce() {
        EclConfig config = Fixtures.config(redis, String.join("\n",
                "  direct:",
                "    events: [a]",
                "    intervals: ['5s', '1m']",
                "  local:",
                "    events: [a]",
                "    intervals: ['5s', '1m']",
                "    sync_interval: 60",
                ""));
        try (LogCapture log = new LogCapture(); EventCountLogger ecl = Fixtures.logger(config, clock)) {
            assertTrue(ecl.flush());
            fillUp();
            ecl.group("direct").log("a", 2);
            ecl.group("direct").log("a", 3);
            ecl.group("local").log("a", 4);
            assertFalse(ecl.flush(), "Redis refuses every write");
            assertFalse(ecl.flush(), "and keeps refusing: the counts stay in memory");
            assertTrue(log.messages(Level.ERROR).isEmpty(), log.messages(Level.ERROR).toString());
            assertTrue(ecl.pendingCount() > 0);

            admin.configSet("maxmemory", "0");
            assertTrue(ecl.flush());
            assertEquals(0, ecl.pendingCount());
            for (String interval : new String[] {"5s", "1m"}) {
                assertEquals("5", admin.get("direct:" + interval + ":cur:a"), interval);
                assertEquals("4", admin.get("local:" + interval + ":cur:a"), interval);
            }
            assertEquals(0, ecl.droppedCount());
        }
    }

    @Test
    void aDirectCallRefusedAsItsTransactionIsQueuedIsKeptAndDeliveredOnce() {
        EclConfig config = Fixtures.config(redis, String.join("\n",
                "  direct:",
                "    events: [a]",
                "    intervals: ['5s', '1m']",
                ""));
        try (LogCapture log = new LogCapture(); EventCountLogger ecl = Fixtures.logger(config, clock)) {
            ecl.group("direct").log("a"); // opens the intervals
            ecl.group("direct").log("a"); // the group's own connection now watches them: the next call is a MULTI/EXEC
            fillUp();
            try (Monitor monitor = new Monitor(redis.port())) {
                monitor.clientCommands(admin);
                ecl.group("direct").log("a", 2); // INCRBY refused as it is queued (OOM): EXEC runs nothing
                assertEquals(java.util.List.of("multi", "exec"), monitor.clientCommands(admin).subList(0, 2));
            }
            assertTrue(ecl.pendingCount() > 0, "kept");
            assertTrue(log.messages(Level.ERROR).isEmpty(), log.messages(Level.ERROR).toString());

            admin.configSet("maxmemory", "0");
            assertTrue(ecl.flush());
            assertEquals(0, ecl.pendingCount());
            ecl.group("direct").log("a");
            for (String interval : new String[] {"5s", "1m"}) {
                assertEquals("5", admin.get("direct:" + interval + ":cur:a"), interval);
            }
        }
    }
}
