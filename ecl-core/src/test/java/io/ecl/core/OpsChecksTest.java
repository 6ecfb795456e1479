package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ecl.testing.EmbeddedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The checks tools call before they log: the event-ID rule and a ping over the logger's connection. */
class OpsChecksTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Test
    void checkEventIdAcceptsWhatTheBuilderAccepts() {
        assertDoesNotThrow(() -> GroupConfig.checkEventId("login.ok"));
        assertDoesNotThrow(() -> GroupConfig.checkEventId("a@b c"));
    }

    @Test
    void checkEventIdNamesTheIdAndTheRuleItBreaks() {
        assertEquals("invalid event ID '@ts': must not start with '@' (reserved for meta keys such as @ts)",
                assertThrows(ConfigException.class, () -> GroupConfig.checkEventId("@ts")).getMessage());
        assertEquals("invalid event ID '': must not be empty",
                assertThrows(ConfigException.class, () -> GroupConfig.checkEventId("")).getMessage());
        assertEquals("invalid event ID 'x\\ny': must not contain control characters such as newlines",
                assertThrows(ConfigException.class, () -> GroupConfig.checkEventId("x\ny")).getMessage());
    }

    @Test
    void pingAnswersWhenRedisIsUp() {
        EclConfig cfg = EclConfig.parse(redis.yamlRedisSection() + "groups: {}\n", "t.yml");
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).withoutShutdownHook().build()) {
            assertDoesNotThrow(ecl::ping);
        }
    }

    @Test
    void pingFailsWithTheAddressWhenNothingAnswers() {
        int port = EmbeddedRedis.freePort();
        EclConfig cfg = EclConfig.parse("redis:\n  host: 127.0.0.1\n  port: " + port + "\ngroups: {}\n", "t.yml");
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).withoutShutdownHook().build()) {
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class, ecl::ping);
            assertEquals("cannot connect to Redis at 127.0.0.1:" + port + ": Connection refused", e.getMessage());
        }
    }
}
