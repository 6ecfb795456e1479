package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A counter key that holds something else (a stray SET by hand, a name clash) costs exactly the
 * counts of that key: every other count of the same call is stored, and one error names the key.
 */
class NonCounterKeyTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Test
    void flushStoresEveryOtherCountAndNamesTheBadKey() {
        EclConfig cfg = Fixtures.config(redis, "  g:\n    events: []\n    intervals: ['5m']\n"
                + "    auto_declare_events: true\n    sync_interval: 60\n");
        redis.client().set("g:5m:cur:e3", "not a number");
        try (LogCapture log = new LogCapture(Level.ERROR);
                EventCountLogger ecl = Fixtures.logger(cfg, new SteppedClock(Fixtures.T0))) {
            for (int e = 0; e < 7; e++) {
                ecl.group("g").log("e" + e, 10);
            }
            ecl.flush();
            for (int e = 0; e < 7; e++) {
                assertEquals(e == 3 ? "not a number" : "10", redis.client().get("g:5m:cur:e" + e), "e" + e);
            }
            List<String> errors = log.messages(Level.ERROR);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("NOTCOUNTED 10 counts not stored")
                    && errors.get(0).contains("g:5m:cur:e3"), errors.get(0));
        }
    }

    @Test
    void directModeCountsEveryOtherInterval() {
        EclConfig cfg = Fixtures.config(redis, "  d:\n    events: [a]\n    intervals: ['5s', '5m']\n");
        redis.client().set("d:5s:cur:a", "x");
        try (LogCapture log = new LogCapture(Level.ERROR);
                EventCountLogger ecl = Fixtures.logger(cfg, new SteppedClock(Fixtures.T0))) {
            ecl.group("d").log("a", 2);
            assertEquals("x", redis.client().get("d:5s:cur:a"));
            assertEquals("2", redis.client().get("d:5m:cur:a"));
            assertEquals(1, log.messages(Level.ERROR).size());
        }
    }
}
