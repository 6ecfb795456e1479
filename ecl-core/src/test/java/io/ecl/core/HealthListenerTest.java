package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an application learns through the API (EclListener, health()) rather than from log lines:
 * an outage and its end, counts dropped at max_pending, counts lost to a key of the wrong type or
 * to a sum beyond a counter's range; and a listener that throws changes nothing.
 */
class HealthListenerTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private EclConfig config;
    private EventCountLogger ecl;

    /** Writes down every call, as "kind group detail". */
    private final EclListener recorder = new EclListener() {
        @Override
        public void redisDown(String reason) {
            heard.add("down " + reason);
        }

        @Override
        public void redisUp(Duration downFor, long delivered) {
            heard.add("up " + delivered);
        }

        @Override
        public void dataError(String group, String message, long countsNotStored) {
            heard.add("data " + group + " " + countsNotStored);
        }

        @Override
        public void dropped(String group, long counts) {
            heard.add("dropped " + group + " " + counts);
        }
    };

    @BeforeEach
    void start() {
        redis.client().flushAll();
        config = Fixtures.config(redis, String.join("\n",
                "  local:",
                "    events: [a, b, c]",
                "    intervals: ['5s']",
                "    sync_interval: 1",
                "    max_pending: 2",
                "  direct:",
                "    events: [a]",
                "    intervals: ['5s']",
                ""));
    }

    @AfterEach
    void stop() {
        redis.start();
        if (ecl != null) {
            ecl.close();
        }
    }

    private EventCountLogger logger(EclListener listener) {
        ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook().listener(listener).build();
        return ecl;
    }

    @Test
    void anOutageIsToldOnceWithItsReasonAndItsEndWithWhatWasDelivered() {
        EventGroup local = logger(recorder).group("local");
        assertTrue(ecl.health().isHealthy());
        redis.stop();
        local.log("a", 5);
        assertFalse(ecl.flush());
        assertFalse(ecl.flush());
        Health during = ecl.health();
        assertEquals(Instant.ofEpochMilli(T0 + 1_000), during.redisDownSince());
        assertEquals(5, during.pendingEvents());
        assertFalse(during.isHealthy());
        assertEquals(1, heard.size(), heard.toString());
        assertTrue(heard.get(0).startsWith("down ") && heard.get(0).contains("127.0.0.1:" + redis.port()), heard.get(0));

        redis.start();
        assertTrue(ecl.flush());
        assertEquals(List.of("up 5"), heard.subList(1, heard.size()));
        Health after = ecl.health();
        assertNull(after.redisDownSince());
        assertEquals(0, after.pendingEvents());
        assertTrue(after.isHealthy());
        assertTrue(after.lastFailure().contains("127.0.0.1:" + redis.port()), after.lastFailure());
        assertEquals("5", redis.client().get("local:5s:cur:a"));
    }

    @Test
    void countsDroppedAtMaxPendingAreToldAndInTheSnapshot() {
        EventGroup local = logger(recorder).group("local");
        redis.stop();
        local.log("a", 1);
        local.log("b", 2);
        assertFalse(ecl.flush());
        local.log("c", 7);
        assertFalse(ecl.flush());

        assertTrue(heard.contains("dropped local 7"), heard.toString());
        assertEquals(7, ecl.health().dropped());
        assertFalse(ecl.health().isHealthy());
    }

    @Test
    void countsLostToAKeyOfTheWrongTypeAreToldAndCounted() {
        redis.client().hset("direct:5s:cur:a", "x", "y");
        EventGroup direct = logger(recorder).group("direct");
        direct.log("a", 3);

        assertEquals(List.of("data direct 3"), heard);
        assertEquals(3, ecl.health().dataErrors());
        assertFalse(ecl.health().isHealthy());
    }

    @Test
    void aSumBeyondACountersRangeIsADataError() {
        EventGroup local = logger(recorder).group("local");
        local.log("a", Long.MAX_VALUE);
        local.log("a", 10);
        ecl.flush();

        assertEquals(List.of("data local 10"), heard);
        assertEquals(10, ecl.health().dataErrors());
    }

    @Test
    void aListenerThatThrowsChangesNothing() {
        EventGroup local = logger(new EclListener() {
            @Override
            public void redisDown(String reason) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void redisUp(Duration downFor, long delivered) {
                throw new IllegalStateException("listener bug");
            }
        }).group("local");
        redis.stop();
        local.log("a", 2);
        assertFalse(ecl.flush());
        redis.start();
        assertTrue(ecl.flush());

        assertEquals("2", redis.client().get("local:5s:cur:a"));
        assertTrue(ecl.health().isHealthy());
    }
}
