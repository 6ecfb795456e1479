package io.ecl.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.RedisConfig;
import io.ecl.core.RedisUnavailableException;
import io.ecl.testing.EmbeddedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ping.once answers as a logger's ping does, over one plain connection: the same one-line reason
 * for each way Redis can fail to answer, so a tool that moved to it prints the same error.
 */
class PingTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis().setting("requirepass secret");

    private static RedisConfig config(String password) {
        return RedisConfig.builder().host("127.0.0.1").port(redis.port()).password(password).timeoutMillis(2000).build();
    }

    /** The message of a logger's ping, the way ecl-log-event asked before. */
    private static String loggerPing(RedisConfig config) {
        try (EventCountLogger probe = EventCountLogger.builder(EclConfig.builder().redis(config).build())
                .withoutShutdownHook().withoutHeartbeat().build()) {
            return assertThrows(RedisUnavailableException.class, probe::ping).getMessage();
        }
    }

    private static String pingOnce(RedisConfig config) {
        return assertThrows(RedisUnavailableException.class, () -> Ping.once(config)).getMessage();
    }

    @Test
    void answersWhenRedisDoes() {
        Ping.once(config("secret"));
    }

    @Test
    void aRefusedLoginIsTheLoggersLine() {
        String line = pingOnce(config("wrong"));
        assertEquals("Redis at 127.0.0.1:" + redis.port() + " refused the login: WRONGPASS invalid username-password"
                + " pair or user is disabled. (check redis.username / redis.password)", line);
        assertEquals(loggerPing(config("wrong")), line);
    }

    @Test
    void aRefusedConnectionIsTheLoggersLine() {
        RedisConfig nobody = RedisConfig.builder().host("127.0.0.1").port(EmbeddedRedis.freePort()).build();
        String line = pingOnce(nobody);
        assertEquals("cannot connect to Redis at 127.0.0.1:" + nobody.port() + ": Connection refused", line);
        assertEquals(loggerPing(nobody), line);
    }

    @Test
    void anUnknownHostIsNamedWithTheResolversReason() {
        // As CounterReader.connectOnce (ecl-reader) names it. A logger's pooled client looks the name
        // up a second time, from the JVM's cache of failed lookups, whose exception lacks the reason.
        RedisConfig nowhere = RedisConfig.builder().host("no-such-host.invalid").port(6379).build();
        String line = pingOnce(nowhere);
        assertTrue(line.startsWith("cannot connect to Redis at no-such-host.invalid:6379: unknown host"
                + " no-such-host.invalid: "), line);
        assertEquals(loggerPing(nowhere), line.substring(0, line.lastIndexOf(": ")));
    }
}
