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
 * Counts near 2^63 are reported digit for digit: the scripts sum the counts Redis refused as
 * decimal strings, not as Lua numbers (doubles), which printed 9.2233720368548e+18.
 */
class BigCountTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String OPENED = Long.toString(Fixtures.T0 / 1000);

    private static List<String> refusedOverflow(String group, boolean opened, long... counts) {
        EclConfig cfg = Fixtures.config(redis, "  " + group + ":\n    events: [a]\n    intervals: ['5m', '1h']\n");
        redis.client().flushAll();
        if (opened) {
            // as ecl-master leaves them: direct.lua counts; otherwise log.lua opens the intervals
            redis.client().set(group + ":5m:cur:@ts", OPENED);
            redis.client().set(group + ":1h:cur:@ts", OPENED);
        }
        redis.client().set(group + ":5m:cur:a", "1");
        redis.client().set(group + ":1h:cur:a", "1");
        try (LogCapture log = new LogCapture(Level.ERROR);
                EventCountLogger ecl = Fixtures.logger(cfg, new SteppedClock(Fixtures.T0))) {
            for (long c : counts) {
                ecl.group(group).log("a", c);
            }
            ecl.flush();
            return log.messages(Level.ERROR);
        }
    }

    @Test
    void directScriptReportsTheRefusedCountAsAnExactInteger() {
        List<String> errors = refusedOverflow("d", true, Long.MAX_VALUE);

        assertEquals(1, errors.size(), errors::toString);
        // refused in both intervals (1 + 2^63-1 overflows): twice the count
        assertTrue(errors.get(0).contains("NOTCOUNTED 18446744073709551614 counts not stored"), errors.get(0));
        assertEquals("1", redis.client().get("d:5m:cur:a"));
    }

    @Test
    void logScriptReportsTheRefusedCountAsAnExactInteger() {
        List<String> errors = refusedOverflow("l", false, Long.MAX_VALUE);

        assertEquals(1, errors.size(), errors::toString);
        assertTrue(errors.get(0).contains("NOTCOUNTED 18446744073709551614 counts not stored"), errors.get(0));
    }

    @Test
    void aRefusedNegativeCountIsStillReported() {
        List<String> errors = refusedOverflow("n", true, Long.MIN_VALUE);

        // 1 + (-2^63) does not overflow; -2^63 is refused only where the counter is negative
        assertEquals(List.of(), errors);
        redis.client().set("n:5m:cur:a", "-1");
        redis.client().set("n:1h:cur:a", "-1");
        EclConfig cfg = Fixtures.config(redis, "  n:\n    events: [a]\n    intervals: ['5m', '1h']\n");
        try (LogCapture log = new LogCapture(Level.ERROR);
                EventCountLogger ecl = Fixtures.logger(cfg, new SteppedClock(Fixtures.T0))) {
            ecl.group("n").log("a", Long.MIN_VALUE);
            ecl.flush();
            List<String> refused = log.messages(Level.ERROR);
            assertEquals(1, refused.size(), refused::toString);
            assertTrue(refused.get(0).contains("NOTCOUNTED -18446744073709551616 counts not stored"), refused.get(0));
        }
    }
}
