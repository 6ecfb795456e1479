package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ecl.core.ops.CounterReader;
import io.ecl.testing.EmbeddedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Redis that accepts the connection but does not answer in time (here blocked by a busy script, in
 * production an overloaded server or a read too big for the timeout) is reported as that, not as
 * "cannot connect", which would send the user looking for a firewall.
 */
class ReadTimeoutTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Test
    void aServerThatDoesNotAnswerInTimeIsReportedAsSlowNotAsUnreachable() throws Exception {
        EclConfig config = EclConfig.parse(redis.yamlRedisSection() + "ecl_redis:\n  timeout_ms: 300\n"
                + "groups:\n  g:\n    events: [a]\n    intervals: ['5s']\n", "test.yml");
        Thread sleeper = new Thread(() -> {
            try (RedisClient c = RedisClient.create("127.0.0.1", redis.port())) {
                // a script busy for 1.5 s: Redis answers nobody meanwhile (below lua-time-limit)
                c.eval("local t = redis.call('TIME') local stop = t[1] * 1000000 + t[2] + 1500000"
                        + " repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop return 1");
            }
        });
        try (CounterReader reader = CounterReader.connectOnce(config)) {
            sleeper.start();
            Fixtures.await(() -> sleeping(), () -> "the busy script did not start");
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class, () -> reader.read("g", "5s"));
            assertEquals("Redis at 127.0.0.1:" + redis.port() + " did not answer within 300 ms"
                    + " (ecl_redis.timeout_ms): it is overloaded, or the request is too big for that timeout",
                    e.getMessage());
        } finally {
            sleeper.join();
        }
    }

    /** True once the server is blocked: a fresh connection's PING gets no answer within 100 ms. */
    private static boolean sleeping() {
        try (Jedis probe = new Jedis("127.0.0.1", redis.port(), 100)) {
            probe.ping();
            return false;
        } catch (JedisException e) {
            return true;
        }
    }
}
