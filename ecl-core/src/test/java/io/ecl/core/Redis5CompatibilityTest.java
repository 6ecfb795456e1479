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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.embedded.RedisSentinel;

/**
 * ecl on Redis 5: RESP2 only, and no command that Redis 6 introduced. No Redis 5 binary can be
 * had from Maven Central or Debian's current packages, so the server is the test suite's Redis
 * 6.2 with every command new in 6.0 and 6.2 removed by {@code rename-command}: it answers
 * HELLO (the RESP3 handshake) as Redis 5 does, "ERR unknown command", and so would any script
 * or client call that needs a newer command. Options that 6.x added to older commands cannot be
 * removed this way; ecl uses none (its commands are listed in docs and checked by review).
 */
class Redis5CompatibilityTest {
    /** Commands added in Redis 6.0 and 6.2 (the 6.2 server knows them all). */
    private static final String[] REDIS_6_COMMANDS = {"HELLO", "ACL", "RESET", "STRALGO", "LPOS",
        "GETDEL", "GETEX", "COPY", "LMOVE", "BLMOVE", "SMISMEMBER", "ZMSCORE", "ZRANDMEMBER",
        "ZRANGESTORE", "ZINTER", "ZUNION", "ZDIFF", "ZDIFFSTORE", "HRANDFIELD", "GEOSEARCH",
        "GEOSEARCHSTORE", "XAUTOCLAIM", "FAILOVER"};

    @RegisterExtension
    static final EmbeddedRedis redis5 = withoutRedis6Commands(new EmbeddedRedis());

    /** An unchanged server, to see which commands ecl sends. */
    @RegisterExtension
    static final EmbeddedRedis current = new EmbeddedRedis();

    private static EmbeddedRedis withoutRedis6Commands(EmbeddedRedis redis) {
        for (String c : REDIS_6_COMMANDS) {
            redis.setting("rename-command " + c + " \"\"");
        }
        return redis;
    }

    private static final String GROUPS = "  direct:\n    events: [a]\n    intervals: ['5s', '1m']\n"
            + "    auto_declare_events: true\n"
            + "  local:\n    events: [b]\n    intervals: ['5s']\n    sync_interval: 60\n";

    /** Logs in both modes, rotates, logs again (direct mode), and reads with both kinds of reader. */
    private static void logRotateAndRead(EclConfig config) {
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis())) {
            ecl.flush();
            GroupConfig direct = config.group("direct");
            GroupConfig local = config.group("local");
            assertTrue(rotator.rotate(direct, direct.interval("5s"), T0).rotated());
            assertTrue(rotator.rotate(direct, direct.interval("1m"), T0).rotated());
            assertTrue(rotator.rotate(local, local.interval("5s"), T0).rotated());
            ecl.group("direct").log("a", 2);
            ecl.group("direct").log("dyn", 3);
            ecl.group("local").log("b", 4);
            assertTrue(ecl.flush());
            clock.set(T0 + 6_000);
            assertTrue(rotator.rotate(direct, direct.interval("5s"), T0 + 5_000).rotated());
            assertTrue(rotator.rotate(local, local.interval("5s"), T0 + 5_000).rotated());
            ecl.group("direct").log("a", 5);
            assertTrue(ecl.flush());
        }
        try (CounterReader pooled = CounterReader.connect(config);
                CounterReader once = CounterReader.connectOnce(config)) {
            for (CounterReader reader : new CounterReader[] {pooled, once}) {
                IntervalCounts five = reader.read("direct", "5s");
                assertEquals(Map.of("a", 2L, "dyn", 3L), five.last());
                // an auto-declared event is listed only where it has a counter, as Python's reader does
                assertEquals(Map.of("a", 5L), five.current());
                assertEquals(Map.of("a", 7L, "dyn", 3L), reader.read("direct", "1m").current());
                IntervalCounts local = reader.read("local", "5s");
                assertEquals(Map.of("b", 4L), local.last());
                assertEquals(Map.of("b", 0L), local.current());
            }
        }
    }

    @Test
    void loggingRotationAndReadsWorkOnAServerWithoutRedis6Commands() {
        logRotateAndRead(Fixtures.config(redis5, GROUPS));
    }

    @Test
    void noConnectionOpensWithHello() {
        // The test's own client did say HELLO.
        current.client().sendCommand(redis.clients.jedis.Protocol.Command.CONFIG, "RESETSTAT");
        logRotateAndRead(Fixtures.config(current, GROUPS));
        String stats = current.client().info("commandstats");
        assertFalse(stats.contains("cmdstat_hello:"), stats);
        assertTrue(stats.contains("cmdstat_evalsha:") || stats.contains("cmdstat_eval:"), stats);
    }

    @Test
    void aSentinelWithoutHelloNamesTheMaster() throws Exception {
        int port = EmbeddedRedis.freePort();
        RedisSentinel sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(port)
                .setting("sentinel monitor five 127.0.0.1 " + redis5.port() + " 1")
                .setting("rename-command HELLO \"\"")
                .build();
        sentinel.start();
        try {
            EclConfig config = EclConfig.parse("redis:\n  sentinels: ['127.0.0.1:" + port + "']\n"
                    + "  master_name: five\ngroups:\n" + GROUPS, "sentinel5.yml");
            logRotateAndRead(config);
        } finally {
            sentinel.stop();
        }
    }
}
