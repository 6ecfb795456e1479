package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.TsCodec;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.embedded.RedisSentinel;

/**
 * Redis behind Sentinel: a real master and a real Sentinel monitoring it; the logger, the
 * Rotator and the CounterReader find the master through the Sentinel only (no host/port given).
 */
class SentinelTopologyTest {
    @RegisterExtension
    static final EmbeddedRedis master = new EmbeddedRedis();

    private static RedisSentinel sentinel;
    private static int sentinelPort;

    @BeforeAll
    static void startSentinel() throws Exception {
        sentinelPort = EmbeddedRedis.freePort();
        sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(sentinelPort)
                .masterName("eclmaster").masterPort(master.port()).quorumSize(1).build();
        sentinel.start();
    }

    @AfterAll
    static void stopSentinel() throws Exception {
        if (sentinel != null) {
            sentinel.stop();
        }
    }

    private static String yaml(String groups) {
        return "redis:\n"
                + "  sentinels: ['127.0.0.1:" + sentinelPort + "']\n"
                + "  master_name: eclmaster\n"
                + "groups:\n" + groups;
    }

    @Test
    void logRotateAndReadThroughSentinel() {
        EclConfig config = EclConfig.parse(yaml("  web:\n    events: [hit, miss]\n    intervals: ['5s']\n"),
                "sentinel.yml");
        assertTrue(config.redis().sentinel());
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        GroupConfig web = config.group("web");
        Interval five = web.interval("5s");
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis())) {
            ecl.flush();
            assertTrue(rotator.rotate(web, five, T0).rotated());
            EventGroup g = ecl.group("web");
            g.log("hit", 3);
            g.log("hit");
            g.log("miss", 2);
            ecl.flush();
            assertEquals("4", master.client().get("web:5s:cur:hit"), "the counts are on the master");
            clock.set(T0 + 6_000);
            assertTrue(rotator.rotate(web, five, T0 + 5_000).rotated());
            g.log("hit", 7);
            ecl.flush();
            try (CounterReader reader = CounterReader.connect(config)) {
                IntervalCounts counts = reader.read("web", "5s");
                assertEquals(new TreeMap<>(Map.of("hit", 4L, "miss", 2L)), counts.last());
                assertEquals(new TreeMap<>(Map.of("hit", 7L, "miss", 0L)), counts.current());
                assertEquals(T0, counts.lastStartMillis());
                assertEquals(T0 + 5_000, counts.currentStartMillis());
            }
        }
    }

    @Test
    void aOneShotReaderFindsTheMasterThroughTheSentinel() {
        EclConfig config = EclConfig.parse(yaml("  web:\n    events: [hit]\n    intervals: ['5s']\n"),
                "sentinel.yml");
        master.client().set("web:5s:cur:@ts", TsCodec.format(T0));
        master.client().set("web:5s:cur:hit", "12");
        try (CounterReader reader = CounterReader.connectOnce(config)) {
            IntervalCounts counts = reader.read("web", "5s");
            assertEquals(Map.of("hit", 12L), counts.current());
            assertEquals(T0, counts.currentStartMillis());
        }
    }

    @Test
    void sentinelsWithoutMasterNameIsAnErrorWithTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.parse(
                "redis:\n  sentinels: ['127.0.0.1:26379']\ngroups:\n  g:\n    events: []\n    intervals: ['5s']\n",
                "s.yml"));
        assertTrue(e.getMessage().startsWith("s.yml:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("redis.master_name"), e.getMessage());
    }

    @Test
    void badSentinelAddressNamesItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.parse(
                "redis:\n  master_name: m\n  sentinels:\n    - '127.0.0.1:26379'\n    - 'nohost'\n"
                        + "groups:\n  g:\n    events: []\n    intervals: ['5s']\n",
                "s.yml"));
        assertEquals("s.yml:5: redis.sentinels: 'nohost' is not host:port", e.getMessage());
    }

    @Test
    void masterNameWithoutSentinelsIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.parse(
                "redis:\n  master_name: m\ngroups:\n  g:\n    events: []\n    intervals: ['5s']\n", "s.yml"));
        assertTrue(e.getMessage().startsWith("s.yml:2: redis.master_name is set"), e.getMessage());
    }

    @Test
    void toStringMasksThePasswordsAndNamesTheMaster() {
        EclConfig config = EclConfig.parse("redis:\n  sentinels: ['s1:26379', 's2:26379']\n  master_name: m\n"
                + "  password: topsecret\n  sentinel_password: alsosecret\n"
                + "groups:\n  g:\n    events: []\n    intervals: ['5s']\n", "s.yml");
        String shown = config.redis().toString() + " " + config.redis().address();
        assertTrue(shown.contains("s1:26379,s2:26379") && shown.contains("m"), shown);
        assertTrue(!shown.contains("topsecret") && !shown.contains("alsosecret"), shown);
    }

    @Test
    void redisUrlEnvironmentReplacesSentinelsButKeepsTheKeyMode() {
        EclConfig config = ConfigLoader.parse("redis:\n  sentinels: ['s1:26379']\n  master_name: m\n"
                + "  key_mode: hashtag\ngroups:\n  g:\n    events: []\n    intervals: ['5s']\n", "s.yml",
                Map.of(EclConfig.REDIS_URL_ENV, "redis://other:6380/0"));
        assertTrue(!config.redis().sentinel());
        assertEquals("other:6380", config.redis().address());
        assertEquals(RedisConfig.KeyMode.HASHTAG, config.redis().keyMode());
    }
}
