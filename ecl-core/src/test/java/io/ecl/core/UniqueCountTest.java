package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * logUnique(): distinct values per interval, merged in Redis from any number of processes, moved
 * to last by the rotation, exactly as counts are placed, and never counted twice when a sketch
 * is sent again.
 */
class UniqueCountTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private final List<EventCountLogger> loggers = new ArrayList<>();
    private EclConfig config;
    private Rotator master;

    @BeforeEach
    void start() {
        r().flushAll();
        config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: [req]",
                "    uniques: [visitors]",
                "    intervals: ['5s', '1m']",
                "    sync_interval: 1",
                "  direct:",
                "    events: [req]",
                "    uniques: [visitors]",
                "    intervals: ['5s', '1m']",
                "  open:",
                "    events: []",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                ""));
        master = Rotator.connect(config.redis());
        rotate("5s", T0);
        rotate("1m", T0);
        GroupConfig d = config.group("direct");
        master.rotate(d, d.interval("5s"), T0);
        master.rotate(d, d.interval("1m"), T0);
    }

    @AfterEach
    void stop() {
        redis.start();
        loggers.forEach(EventCountLogger::close);
        master.close();
    }

    private static RedisClient r() {
        return redis.client();
    }

    private EventCountLogger logger() {
        EventCountLogger ecl = Fixtures.logger(config, clock);
        loggers.add(ecl);
        return ecl;
    }

    private void rotate(String interval, long at) {
        GroupConfig g = config.group("web");
        master.rotate(g, g.interval(interval), at);
    }

    private static void assertAbout(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= Math.max(1, expected / 50), actual + ", expected about " + expected);
    }

    @Test
    void distinctValuesReachCurOfEveryIntervalAndMoveToLastAtTheBoundary() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        for (int i = 0; i < 3_000; i++) {
            web.logUnique("visitors", "198.51.100." + (i % 1_000)); // 1,000 distinct, each 3 times
            web.log("req");
        }
        assertTrue(ecl.flush());

        assertAbout(1_000, r().pfcount("web:5s:cur:@u.visitors"));
        assertAbout(1_000, r().pfcount("web:1m:cur:@u.visitors"));
        assertTrue(r().sismember("web:5s:cur:@ureg", "visitors"));
        assertEquals("3000", r().get("web:5s:cur:req"));

        rotate("5s", T0 + 5_000);
        assertAbout(1_000, r().pfcount("web:5s:last:@u.visitors"));
        assertFalse(r().exists("web:5s:cur:@u.visitors"));
        assertTrue(r().sismember("web:5s:last:@ureg", "visitors"));
        rotate("5s", T0 + 10_000);
        assertFalse(r().exists("web:5s:last:@u.visitors"), "an interval without values has no sketch");
    }

    /** The figure in docs/configuration.md: a merged sketch is dense, whatever its count. */
    @Test
    void aUniqueCountKeyTakesAbout12KiBInRedis() {
        EventCountLogger ecl = logger();
        ecl.group("web").logUnique("visitors", "one");
        assertTrue(ecl.flush());
        Long bytes = r().memoryUsage("web:5s:cur:@u.visitors");
        assertTrue(bytes >= 12_304 && bytes <= 16_384, bytes + " bytes");
        assertEquals(12_304, r().strlen("web:5s:cur:@u.visitors"), "Redis's dense HLL: 16-byte header, 16,384 6-bit registers");
    }

    @Test
    void threeProcessesCountTheUnionOfWhatTheySaw() {
        EventGroup[] processes = {logger().group("web"), logger().group("web"), logger().group("web")};
        for (int i = 0; i < 30_000; i++) {
            processes[i % 3].logUnique("visitors", "v" + i);
            processes[(i + 1) % 3].logUnique("visitors", "v" + (i / 2)); // seen again elsewhere
        }
        loggers.forEach(l -> assertTrue(l.flush()));
        assertAbout(30_000, r().pfcount("web:5s:cur:@u.visitors"));
    }

    @Test
    void aSketchSentAgainAfterALostReplyIsNotCountedTwice() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        for (int i = 0; i < 500; i++) {
            web.logUnique("visitors", "a" + i);
        }
        Fixtures.hooks(ecl).afterExec = () -> {
            Fixtures.hooks(ecl).afterExec = null;
            throw new redis.clients.jedis.exceptions.JedisConnectionException("reply lost");
        };
        assertFalse(ecl.flush());
        assertTrue(ecl.flush());
        long once = r().pfcount("web:5s:cur:@u.visitors");
        assertAbout(500, once);
        for (int i = 0; i < 500; i++) {
            web.logUnique("visitors", "a" + i); // the same values: no new distinct one
        }
        assertTrue(ecl.flush());
        assertEquals(once, r().pfcount("web:5s:cur:@u.visitors"));
    }

    @Test
    void valuesLoggedDuringAnOutageArriveWhenRedisIsBack() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        redis.stop();
        for (int i = 0; i < 200; i++) {
            web.logUnique("visitors", "o" + i);
        }
        assertFalse(ecl.flush());
        redis.start(); // an empty Redis: the master opens the interval again
        master.close();
        master = Rotator.connect(config.redis());
        rotate("5s", T0);
        rotate("1m", T0);
        assertTrue(ecl.flush());
        assertAbout(200, r().pfcount("web:5s:cur:@u.visitors"));
    }

    @Test
    void valuesLoggedBeforeABoundaryGoToTheIntervalTheyWereLoggedIn() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        for (int i = 0; i < 100; i++) {
            web.logUnique("visitors", "before" + i);
        }
        clock.set(T0 + 5_200);
        rotate("5s", T0 + 5_000);
        // The epoch switches when the logger's thread sees the boundary (as for counts): a push
        // makes it happen now, and sends the first interval's sketch after the rotation.
        assertTrue(ecl.flush());
        for (int i = 0; i < 40; i++) {
            web.logUnique("visitors", "after" + i);
        }
        assertTrue(ecl.flush());
        assertAbout(100, r().pfcount("web:5s:last:@u.visitors"));
        assertAbout(40, r().pfcount("web:5s:cur:@u.visitors"));
        assertAbout(140, r().pfcount("web:1m:cur:@u.visitors"));
    }

    @Test
    void whenTheMasterIsLateTheScriptRotatesAndPlacesSketchesAsItPlacesCounts() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        for (int i = 0; i < 100; i++) {
            web.logUnique("visitors", "before" + i);
        }
        clock.set(T0 + 6_000); // no master rotates: this writer's flush does, in log.lua
        assertTrue(ecl.flush());
        for (int i = 0; i < 40; i++) {
            web.logUnique("visitors", "after" + i);
        }
        assertTrue(ecl.flush());
        assertAbout(100, r().pfcount("web:5s:last:@u.visitors"));
        assertAbout(40, r().pfcount("web:5s:cur:@u.visitors"));
        assertFalse(r().exists("web:5s:cur:@utmp"), "the scratch key is gone");
    }

    @Test
    void directModeAddsEachValueInOneRoundTripBeforeLogUniqueReturns() {
        EventCountLogger ecl = logger();
        EventGroup direct = ecl.group("direct");
        direct.logUnique("visitors", "w"); // the first call loads the script
        assertTrue(ecl.flush()); // the logger's own first push (declarations) is over
        try (Monitor monitor = new Monitor(redis.port())) {
            direct.logUnique("visitors", "x");
            assertEquals(List.of("evalsha"), monitor.clientCommands(r()), "one script call, nothing else");
        }
        assertEquals(2, r().pfcount("direct:5s:cur:@u.visitors"));
        assertEquals(2, r().pfcount("direct:1m:cur:@u.visitors"));
        direct.logUnique("visitors", "x");
        direct.logUnique("visitors", "y");
        assertEquals(3, r().pfcount("direct:5s:cur:@u.visitors"));
    }

    @Test
    void directModeValuesAcrossABoundaryOrAnOutageGoThroughTheSketch() {
        EventCountLogger ecl = logger();
        EventGroup direct = ecl.group("direct");
        clock.set(T0 + 5_100); // the 5s boundary passed, no master rotated: unique.lua writes nothing
        direct.logUnique("visitors", "late");
        assertTrue(ecl.flush()); // the writer rotates, as for counts, and places the sketch
        assertEquals(1, r().pfcount("direct:5s:cur:@u.visitors"));
        assertEquals(1, r().pfcount("direct:1m:cur:@u.visitors"));

        redis.stop();
        direct.logUnique("visitors", "during");
        redis.start();
        master.close();
        master = Rotator.connect(config.redis());
        GroupConfig d = config.group("direct");
        master.rotate(d, d.interval("5s"), T0 + 5_000);
        master.rotate(d, d.interval("1m"), T0);
        assertTrue(ecl.flush());
        assertEquals(1, r().pfcount("direct:5s:cur:@u.visitors"), "the empty Redis has the value logged while it was down");
    }

    @Test
    void anUndeclaredNameIsRefusedUnlessTheGroupAutoDeclares() {
        EventCountLogger ecl = logger();
        ecl.group("web").logUnique("sessions", "s1");
        ecl.group("open").logUnique("sessions", "s1");
        assertThrows(IllegalArgumentException.class, () -> ecl.group("web").logUnique("visitors", null));
        assertTrue(ecl.flush());
        assertNull(r().get("web:5s:cur:@u.sessions"));
        assertEquals(1, r().pfcount("open:5s:cur:@u.sessions"));
    }

    @Test
    void sketchesOfNamesWithoutValuesLeaveLastChunkAfterChunk() {
        // More names than the rotation deletes at a time (256): every old sketch goes, whichever chunk.
        GroupConfig open = config.group("open");
        Interval five = open.interval("5s");
        master.rotate(open, five, T0);
        EventCountLogger ecl = logger();
        for (int i = 0; i < 600; i++) {
            ecl.group("open").logUnique("n" + i, "v");
        }
        assertTrue(ecl.flush());
        master.rotate(open, five, T0 + 5_000);
        assertEquals(600, r().scard("open:5s:last:@ureg"));

        clock.set(T0 + 6_000);
        ecl.group("open").logUnique("n7", "w");
        assertTrue(ecl.flush());
        master.rotate(open, five, T0 + 10_000);

        assertEquals(Set.of("open:5s:last:@u.n7"), r().keys("open:5s:last:@u.*"));
        assertEquals(Set.of("n7"), r().smembers("open:5s:last:@ureg"));
        assertEquals(1, r().pfcount("open:5s:last:@u.n7"));
    }

    @Test
    void theConfigRefusesANameWithAColonOrSharedWithAnEvent() {
        ConfigException colon = assertThrows(ConfigException.class, () -> EclConfig.parse(String.join("\n",
                "groups:",
                "  web:",
                "    events: []",
                "    uniques: ['a:b']",
                "    intervals: ['5s']", ""), "cfg.yml"));
        assertEquals("cfg.yml:4: group 'web': invalid unique count name 'a:b': must not contain ':'", colon.getMessage());
        ConfigException both = assertThrows(ConfigException.class, () -> EclConfig.parse(String.join("\n",
                "groups:",
                "  web:",
                "    events: [visitors]",
                "    uniques: [visitors]",
                "    intervals: ['5s']", ""), "cfg.yml"));
        assertTrue(both.getMessage().contains("'visitors' is both an event and a unique count"), both.getMessage());
    }
}
