package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.EclConfig;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * MasterLoop across Redis outages: the server is stopped and started again on the same port. It
 * keeps its data across the restart (append-only file), as a production Redis would.
 */
class MasterLoopOutageTest {
    private static final Path DATA = tempDir();

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis()
            .setting("dir " + DATA)
            .setting("appendonly yes")
            .setting("appendfsync always");

    static final long T0 = MasterLoopTest.T0;

    private SteppedClock clock;
    private StepSleeper sleeper;
    private EclConfig config;
    private RedisClient r;

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("ecl-master-outage");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void setUp() {
        clock = new SteppedClock(T0 + 2_000);
        sleeper = new StepSleeper(clock);
        r = redis.client();
        config = EclConfig.parse(redis.yamlRedisSection()
                + "groups:\n  grp:\n    events: [a]\n    intervals: ['5s']\n", "outage-test.yml");
    }

    /** Starts Redis again; EmbeddedRedis hands out a fresh client after a restart. */
    private void restartRedis() {
        redis.start();
        r = redis.client();
        r.ping();
    }

    /** Ticks until the loop has reached Redis again (a pooled connection may fail once after a restart). */
    private static void tickUntilReachable(MasterLoop loop) {
        for (int k = 0; k < 5 && !loop.redisReachable(); k++) {
            loop.tick();
        }
        assertTrue(loop.redisReachable(), "the loop reaches Redis again");
    }

    @Test
    void survivesAnOutageWithOneWarningAndOneCatchUpRotation() {
        try (Rotator rotator = Rotator.connect(config.redis());
                LogCapture log = new LogCapture()) {
            MasterLoop loop = new MasterLoop(config, rotator, clock, sleeper).verbose(true);
            loop.runIterations(2);
            assertEquals(Long.toString((T0 + 5_000) / 1000), r.get("grp:5s:cur:@ts"));
            r.incrBy("grp:5s:cur:a", 2);
            log.clear();

            redis.stop();
            while (clock.millis() <= T0 + 30_000) {
                loop.tick(); // the :10 rotation fails, then retries every 250 ms
            }

            assertFalse(loop.redisReachable());
            List<String> warnings = log.lines(Level.WARN);
            assertEquals(1, warnings.size(), log.lines()::toString);
            assertTrue(warnings.get(0).contains("127.0.0.1:" + redis.port()), warnings.get(0));
            assertEquals(List.of(), log.lines(Level.ERROR));

            restartRedis();
            long back = clock.millis();
            tickUntilReachable(loop);

            long open = T0 + ((clock.millis() - T0) / 5_000) * 5_000;
            assertEquals(Long.toString(open / 1000), r.get("grp:5s:cur:@ts"));
            assertEquals(Long.toString((T0 + 5_000) / 1000), r.get("grp:5s:last:@ts"),
                    "last covers everything since the last rotation before the outage");
            assertEquals("2", r.get("grp:5s:last:a"));
            assertEquals("0", r.get("grp:5s:cur:a"));
            assertEquals(1, log.containing("reachable again after").size(), log.lines()::toString);
            assertTrue(log.containing("reachable again after").get(0)
                    .startsWith("INFO Redis at 127.0.0.1:" + redis.port() + " reachable again after"));
            List<String> rotations = log.containing("rotated grp 5s");
            assertEquals(1, rotations.size(), "one catch-up rotation: " + rotations);
            assertTrue(rotations.get(0).contains("last covers " + (open - T0 - 5_000) / 5_000 + " intervals"),
                    rotations.get(0));
            assertTrue(back <= clock.millis());

            log.clear();
            loop.tick();
            assertEquals(List.of("INFO rotated grp 5s at " + java.time.Instant.ofEpochMilli(open + 5_000) + ", 0 ms late"),
                    log.lines());

            redis.stop();
            loop.runIterations(2);
            restartRedis();
            tickUntilReachable(loop);
            assertEquals(1, log.lines(Level.WARN).size(), "a second outage, a second warning: " + log.lines());
            assertEquals(1, log.containing("reachable again after").size(), log.lines()::toString);
        }
    }

    @Test
    void rotatesWithinAQuarterSecondOfRedisAnsweringAgain() {
        try (Rotator rotator = Rotator.connect(config.redis());
                LogCapture log = new LogCapture()) {
            MasterLoop loop = new MasterLoop(config, rotator, clock, sleeper).verbose(true);
            loop.tick();
            redis.stop();
            while (clock.millis() < T0 + 20_000) {
                loop.tick(); // long enough for any backoff to reach its longest wait
            }
            assertFalse(loop.redisReachable());

            restartRedis();
            long back = clock.millis();
            loop.tick();

            assertTrue(loop.redisReachable(), log.lines()::toString);
            assertEquals(back + 250, clock.millis(), "the catch-up rotation ran 250 ms after Redis answered");
            long open = back - (back - T0) % 5_000;
            assertEquals(Long.toString(open / 1000), r.get("grp:5s:cur:@ts"));
        }
    }

    @Test
    void startsWhileRedisIsDownAndDeclaresAndRotatesWhenItAnswers() {
        redis.stop();
        try (Rotator rotator = Rotator.connect(config.redis());
                LogCapture log = new LogCapture()) {
            MasterLoop loop = new MasterLoop(config, rotator, clock, sleeper);
            loop.runIterations(3);
            assertEquals(1, log.lines(Level.WARN).size(), log.lines()::toString);

            restartRedis();
            r.flushAll();
            tickUntilReachable(loop);

            long open = T0 + ((clock.millis() - T0) / 5_000) * 5_000;
            assertEquals(Long.toString(open / 1000), r.get("grp:5s:cur:@ts"));
            assertEquals("0", r.get("grp:5s:cur:a"), "declared events were written once Redis answered");
        }
    }
    @Test
    void reloadDuringAnOutageIsAppliedByTheCatchUpWhenRedisIsBack() {
        try (Rotator rotator = Rotator.connect(config.redis());
                LogCapture log = new LogCapture()) {
            MasterLoop loop = new MasterLoop(config, rotator, clock, sleeper);
            loop.tick();
            redis.stop();
            loop.runIterations(3);
            assertFalse(loop.redisReachable());

            loop.reload(EclConfig.parse(redis.yamlRedisSection() + "groups:\n  grp:\n    events: [a]\n"
                    + "    intervals: ['5s']\n  added:\n    events: [x]\n    intervals: ['1m']\n", "outage-test.yml"));
            loop.tick();

            assertEquals(1, log.containing("config reloaded from outage-test.yml: groups added: added (1m)").size(),
                    log.lines()::toString);
            assertFalse(loop.redisReachable(), "still down: nothing was written");

            restartRedis();
            tickUntilReachable(loop);

            long now = clock.millis();
            assertEquals(Long.toString((now - now % 60_000) / 1000), r.get("added:1m:cur:@ts"),
                    "the catch-up opened the added group");
            assertEquals("0", r.get("added:1m:cur:x"));
        }
    }
}
