package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.RedisEventGroup;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * A logger fed ever new auto-declared IDs does not grow without bound: counters idle for a whole
 * interval (at least a minute) are forgotten, without losing a count, and declared events stay.
 */
class IdleCounterTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);

    private EclConfig config(String extra) {
        return Fixtures.config(redis, String.join("\n",
                "  g:",
                "    events: [declared]",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                extra,
                ""));
    }

    @Test
    void idleAutoDeclaredCountersAreForgottenAndCountAgainWhenLogged() {
        RedisClient r = redis.client();
        try (EventCountLogger ecl = Fixtures.logger(config("    sync_interval: 1"), clock)) {
            RedisEventGroup g = (RedisEventGroup) ecl.group("g");
            g.log("declared");
            g.log("busy");
            g.log("once");
            assertTrue(ecl.flush());
            for (int minute = 0; minute < 3; minute++) {
                clock.advanceMillis(40_000);
                assertTrue(ecl.flush()); // the flusher's wake-up at the boundary
                g.log("busy");
                assertTrue(ecl.flush());
            }
            assertNull(g.counterOf("once"), "idle for over a minute: forgotten");
            assertNotNull(g.counterOf("busy"), "counted at every flush: kept");
            assertNotNull(g.counterOf("declared"), "declared events are never forgotten");

            g.log("once", 5);
            assertTrue(ecl.flush());
            assertEquals("5", r.get("g:5s:cur:once"));
            assertEquals("1", r.get("g:5s:cur:busy"));
        }
    }

    @Test
    void countsAddedToAForgottenCounterByAThreadThatHadLookedItUpAreDelivered() {
        RedisClient r = redis.client();
        try (EventCountLogger ecl = Fixtures.logger(config("    sync_interval: 1"), clock)) {
            RedisEventGroup g = (RedisEventGroup) ecl.group("g");
            g.log("x");
            assertTrue(ecl.flush());
            RedisEventGroup.Counter held = g.counterOf("x");
            clock.advanceMillis(61_000);
            assertTrue(ecl.flush());
            clock.advanceMillis(61_000);
            assertTrue(ecl.flush());
            assertNull(g.counterOf("x"));

            // A log() that had fetched the counter before the sweep adds to it afterwards.
            held.slots[g.currentSlot()].add(7);
            g.log("x", 10);
            assertNotSame(held, g.counterOf("x"));
            assertTrue(ecl.flush());
            assertEquals("17", r.get("g:5s:cur:x"));
        }
    }

    @Test
    void directModeCountersAreForgottenToo() {
        RedisClient r = redis.client();
        try (EventCountLogger ecl = Fixtures.logger(config(""), clock)) {
            RedisEventGroup g = (RedisEventGroup) ecl.group("g");
            g.log("x");
            RedisEventGroup.Counter first = g.counterOf("x");
            assertSame(first, g.counterOf("x"));
            for (int i = 0; i < 3; i++) {
                clock.advanceMillis(61_000);
                assertTrue(ecl.flush());
            }
            assertNull(g.counterOf("x"));
            g.log("x", 2);
            assertEquals("2", r.get("g:5s:cur:x"));
        }
    }
}
