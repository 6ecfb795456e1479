package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

/**
 * A Sentinel failover while logging: the counts written before and after it all arrive; and a
 * logger built while no Sentinel answers starts, logs to memory and delivers once they are up.
 */
class SentinelFailoverTest {
    private RedisServer master;
    private RedisServer replica;
    private RedisSentinel sentinel;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {
                () -> { if (sentinel != null) sentinel.stop(); },
                () -> { if (replica != null) replica.stop(); },
                () -> { if (master != null && master.isActive()) master.stop(); }}) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** INFO replication; the replica drops its clients when it changes role, so an error is "not yet". */
    private static String role(RedisClient r) {
        try {
            return r.info("replication");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static Map<String, Long> current(CounterReader reader) {
        try {
            return reader.read("g", "5s").current();
        } catch (RedisUnavailableException e) {
            return Map.of();
        }
    }

    @Test
    @Timeout(60)
    void countsSurviveAFailover() throws Exception {
        int mPort = EmbeddedRedis.freePort();
        int rPort = EmbeddedRedis.freePort();
        int sPort = EmbeddedRedis.freePort();
        master = RedisServer.newRedisServer().port(mPort).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        master.start();
        replica = RedisServer.newRedisServer().port(rPort).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no")
                .setting("replicaof 127.0.0.1 " + mPort).build();
        replica.start();
        sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(sPort).masterName("fo")
                .masterPort(mPort).quorumSize(1).downAfterMilliseconds(1000).failOverTimeout(5000).build();
        sentinel.start();

        EclConfig config = EclConfig.parse("redis:\n  sentinels: ['127.0.0.1:" + sPort + "']\n  master_name: fo\n"
                + "groups:\n  g:\n    events: [a]\n    intervals: ['5s']\n", "fo.yml");
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis());
                RedisClient m = RedisClient.builder().hostAndPort("127.0.0.1", mPort).build();
                RedisClient r = RedisClient.builder().hostAndPort("127.0.0.1", rPort).build()) {
            ecl.flush();
            GroupConfig g = config.group("g");
            assertTrue(rotator.rotate(g, g.interval("5s"), T0).rotated());
            ecl.group("g").log("a", 3);
            ecl.flush();
            Fixtures.await(() -> "3".equals(r.get("g:5s:cur:a")), () -> "the replica did not catch up");

            master.stop();
            Fixtures.await(() -> role(r).contains("role:master"),
                    () -> "the sentinel did not promote the replica");

            ecl.group("g").log("a", 4);
            ecl.flush();
            try (CounterReader reader = CounterReader.connect(config)) {
                // Until the Sentinel announces the new master (+switch-master), clients may still
                // reach for the old one: retried, as a caller would.
                Fixtures.await(() -> Long.valueOf(7).equals(current(reader).get("a")),
                        () -> "counts after the failover: " + current(reader));
                assertEquals(new TreeMap<>(Map.of("a", 7L)), reader.read("g", "5s").current());
            }
            try (CounterReader once = CounterReader.connectOnce(config)) {
                // A command-line tool started after the failover asks the Sentinel for the new master.
                assertEquals(Map.of("a", 7L), once.read("g", "5s").current());
            }
        }
    }

    @Test
    @Timeout(60)
    void aLoggerBuiltWhileNoSentinelAnswersDeliversOnceTheyAreUp() throws Exception {
        int mPort = EmbeddedRedis.freePort();
        int sPort = EmbeddedRedis.freePort();
        EclConfig config = EclConfig.parse("redis:\n  sentinels: ['127.0.0.1:" + sPort + "']\n  master_name: up\n"
                + "  timeout_ms: 500\ngroups:\n  g:\n    events: [a]\n    intervals: ['5s']\n", "up.yml");
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        // Nothing listens yet: building the logger must do no I/O (as with a standalone Redis).
        try (EventCountLogger ecl = Fixtures.logger(config, clock)) {
            ecl.group("g").log("a", 2);
            assertFalse(ecl.flush(), "nothing can be delivered while no Sentinel answers");
            assertEquals(1, ecl.pendingCount()); // one (event, interval) entry

            master = RedisServer.newRedisServer().port(mPort).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            master.start();
            sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(sPort).masterName("up")
                    .masterPort(mPort).quorumSize(1).build();
            sentinel.start();

            ecl.group("g").log("a", 3);
            Fixtures.await(ecl::flush, () -> "the logger did not reach the master via the Sentinel");
            try (RedisClient m = RedisClient.builder().hostAndPort("127.0.0.1", mPort).build()) {
                assertEquals("5", m.get("g:5s:cur:a"));
            }
        }
    }
}
