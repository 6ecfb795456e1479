package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SmokeTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Test
    void directAndLocalCountsRotateIntoLast() {
        EclConfig cfg = EclConfig.parse(redis.yamlRedisSection()
                + "groups:\n"
                + "  d:\n    events: [a, b]\n    intervals: ['5s', '1m']\n"
                + "  l:\n    events: []\n    intervals: ['5s']\n    auto_declare_events: true\n    sync_interval: 1\n", "t.yml");
        SteppedClock clock = SteppedClock.atSeconds(1_000_000);
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).clock(clock).withoutShutdownHook().build();
                Rotator rot = Rotator.connect(cfg.redis())) {
            for (GroupConfig g : cfg.groups()) {
                rot.declare(g);
                for (Interval i : g.intervals()) {
                    rot.rotate(g, i, clock.millis());
                }
            }
            ecl.group("d").log("a");
            ecl.group("d").log("a", 4);
            ecl.group("d").log("zzz");
            ecl.group("l").log("x", 3);
            ecl.group("l").log("y");
            assertEquals("5", redis.client().get("d:5s:cur:a"));
            assertEquals("5", redis.client().get("d:1m:cur:a"));
            ecl.flush();
            assertEquals("3", redis.client().get("l:5s:cur:x"));
            clock.advanceMillis(5_000);
            for (GroupConfig g : cfg.groups()) {
                for (Interval i : g.intervals()) {
                    rot.rotate(g, i, clock.millis());
                }
            }
            assertEquals("5", redis.client().get("d:5s:last:a"));
            assertEquals("0", redis.client().get("d:5s:last:b"));
            assertEquals("0", redis.client().get("d:5s:cur:a"));
            assertEquals("3", redis.client().get("l:5s:last:x"));
            assertEquals(5L, ecl.group("d").lastCount("a", "5s"));
            assertEquals(java.util.Map.of("x", 3L, "y", 1L), ecl.group("l").lastCounts("5s"));
            assertEquals("1000005", redis.client().get("d:5s:cur:@ts"));
            assertEquals("1000000", redis.client().get("d:5s:last:@ts"));
        }
    }
}
