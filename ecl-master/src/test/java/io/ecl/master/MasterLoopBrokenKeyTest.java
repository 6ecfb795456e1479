package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.EclConfig;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * A key holding the wrong type in one (group, interval): only that pair stops rotating, it is
 * reported once with the key and the fix, and it rotates again once the key is fixed.
 */
class MasterLoopBrokenKeyTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    static final long T0 = MasterLoopTest.T0;

    private SteppedClock clock;
    private StepSleeper sleeper;
    private EclConfig config;
    private RedisClient r;

    @BeforeEach
    void setUp() {
        clock = new SteppedClock(T0 + 2_000);
        sleeper = new StepSleeper(clock);
        r = redis.client();
        config = EclConfig.parse(redis.yamlRedisSection()
                + "groups:\n"
                + "  ag:\n    events: [a]\n    auto_declare_events: true\n    intervals: ['5s']\n"
                + "  bg:\n    events: [b]\n    intervals: ['5s', '1m']\n", "broken-key-test.yml");
    }

    private static String secs(long millis) {
        return Long.toString(millis / 1000);
    }

    @Test
    void aWrongTypeKeyStopsOnlyItsOwnGroupAndIsReportedOnceWithTheFix() {
        try (Rotator rotator = Rotator.connect(config.redis());
                LogCapture log = new LogCapture()) {
            MasterLoop loop = new MasterLoop(config, rotator, clock, sleeper);
            loop.tick();
            assertEquals(secs(T0), r.get("ag:5s:cur:@ts"));
            r.incrBy("ag:5s:cur:a", 7);
            r.lpush("ag:5s:cur:@reg", "junk");

            while (clock.millis() < T0 + 20_000) {
                loop.tick();
            }

            assertEquals(secs(T0 + 20_000), r.get("bg:5s:cur:@ts"), "the groups after it rotate on time");
            assertEquals(secs(T0), r.get("bg:1m:cur:@ts"));
            assertEquals(secs(T0), r.get("ag:5s:cur:@ts"), "the broken pair is not rotated");
            assertEquals("7", r.get("ag:5s:cur:a"), "its failed rotations wrote nothing");
            assertTrue(loop.redisReachable(), "a broken key is not an outage");
            assertEquals(List.of(), log.lines(Level.WARN));
            assertEquals(List.of("ERROR cannot rotate group 'ag', interval 5s: ag:5s:cur:@reg is a list, not the set ecl"
                    + " keeps there; fix: DEL ag:5s:cur:@reg; the other groups and intervals rotate on, this one is"
                    + " retried every 1 s"), log.lines(Level.ERROR), "once, however many retries");

            r.del("ag:5s:cur:@reg");
            long fixed = clock.millis();
            loop.tick();

            assertEquals(secs(T0 + 20_000), r.get("ag:5s:cur:@ts"), "retried within a second and caught up");
            assertTrue(clock.millis() <= fixed + 1_000);
            assertEquals(secs(T0), r.get("ag:5s:last:@ts"), "last covers every interval since its last rotation");
            assertEquals("7", r.get("ag:5s:last:a"));
            assertEquals(1, log.containing("group 'ag', interval 5s rotates again").size(), log.lines()::toString);
        }
    }

    @Test
    void eachDistinctProblemIsReportedOnce() {
        try (Rotator rotator = Rotator.connect(config.redis());
                LogCapture log = new LogCapture()) {
            r.lpush("ag:5s:cur:@reg", "junk");
            MasterLoop loop = new MasterLoop(config, rotator, clock, sleeper);
            loop.runIterations(3);
            r.del("ag:5s:cur:@reg");
            r.hset("ag:5s:last:@reg", "f", "v");
            loop.runIterations(3);

            assertEquals(2, log.lines(Level.ERROR).size(), log.lines()::toString);
            assertTrue(log.lines(Level.ERROR).get(1).contains("ag:5s:last:@reg is a hash, not the set ecl keeps there;"
                    + " fix: DEL ag:5s:last:@reg"), log.lines()::toString);
            long now = clock.millis();
            assertEquals(secs(now - (now - T0) % 5_000), r.get("bg:5s:cur:@ts"));
        }
    }
}
