package io.ecl.core;

import static org.junit.jupiter.api.Assertions.fail;

import io.ecl.testing.EmbeddedRedis;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import redis.clients.jedis.RedisClient;

/** Shared set-up of the core tests: configs pointing at the embedded Redis, loggers, bounded waits. */
final class Fixtures {
    /** 2023-11-14T00:00:00Z: a boundary of every interval the tests use (1d, 1h, 1m, 5s, 0.25s). */
    static final long T0 = 1_699_920_000_000L;

    private Fixtures() {
    }

    /** A config for {@code redis} with {@code groups} (YAML lines below "groups:", indented by two). */
    static EclConfig config(EmbeddedRedis redis, String groups) {
        return EclConfig.parse(redis.yamlRedisSection() + "groups:\n" + groups, "test.yml");
    }

    static EventCountLogger logger(EclConfig config, Clock clock) {
        return EventCountLogger.builder(config).clock(clock).withoutShutdownHook().withoutHeartbeat()
                .probe(new TestProbe()).build();
    }

    /** The hooks of a logger made by {@link #logger}. */
    static TestProbe hooks(EventCountLogger logger) {
        return (TestProbe) logger.probe();
    }

    /** The group as the library implements it, to look at its counters. */
    static io.ecl.core.internal.RedisEventGroup internals(EventGroup group) {
        return (io.ecl.core.internal.RedisEventGroup) group;
    }

    /** Polls until {@code key} holds {@code expected} (a background flush), failing after 10 s. */
    static void awaitValue(RedisClient client, String key, String expected) {
        await(() -> Objects.equals(client.get(key), expected),
                () -> key + " = " + client.get(key) + ", expected " + expected);
    }

    static void await(Supplier<Boolean> condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                fail("gave up after 10 s: " + failure.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
