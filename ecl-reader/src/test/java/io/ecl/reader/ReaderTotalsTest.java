package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ecl_events_total: per (group, event), every count since the totals were last reset, read from
 * the group's shortest interval, whichever interval the command reads. It grows across
 * rotations (each adds what it closes) and over any new process (it lives in Redis), and only an
 * explicit reset starts it again.
 */
class ReaderTotalsTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** 2023-11-14T22:15:00Z, a 5-minute boundary. */
    private static final long BOUNDARY = 1_700_000_100_000L;
    private static final Pattern TOTAL = Pattern.compile("(?m)^ecl_events_total\\{group=\"web\",event=\"([^\"]+)\"} (\\d+)$");

    @TempDir
    Path dir;
    private String config;
    private EclConfig cfg;
    private GroupConfig web;

    @BeforeEach
    void writeConfig() throws IOException {
        redis.client().flushAll();
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [req, err]\n    intervals: ['1h', '5m']\n    auto_declare_events: true\n"
                + "    sync_interval: 1\n");
        cfg = EclConfig.load(Path.of(config));
        web = cfg.requireGroup("web");
    }

    /** Logs {@code times} of {@code event} at {@code millis}, delivered before it returns. */
    private void log(long millis, String event, int times) {
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).clock(new SteppedClock(millis))
                .withoutShutdownHook().withoutHeartbeat().build()) {
            EventGroup g = ecl.group("web");
            for (int i = 0; i < times; i++) {
                g.log(event);
            }
        }
    }

    private void rotate(long boundary) {
        try (Rotator rotator = Rotator.connect(cfg.redis())) {
            web.intervals().forEach(i -> {
                if (boundary % i.lengthMillis() == 0) {
                    rotator.rotate(web, i, boundary);
                }
            });
        }
    }

    private static List<String> totals(String prometheus) {
        List<String> out = new ArrayList<>();
        Matcher m = TOTAL.matcher(prometheus);
        while (m.find()) {
            out.add(m.group(1) + "=" + m.group(2));
        }
        return out;
    }

    private List<String> read(long millis, String interval) {
        Run run = Run.reader(new ReaderCommand(new SteppedClock(millis)), config, "-g", "web", "-i", interval,
                "--format", "prometheus");
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("# TYPE ecl_events_total counter\n"), run.out);
        return totals(run.out);
    }

    @Test
    void totalsAddEveryClosedIntervalToTheCurrentOneAndOnlyGrow() {
        rotate(BOUNDARY);
        log(BOUNDARY + 1_000, "req", 3);
        log(BOUNDARY + 1_000, "signup", 1);
        assertEquals(List.of("err=0", "req=3", "signup=1"), read(BOUNDARY + 2_000, "5m"),
                "the current interval's counts before any rotation; declared events at 0");

        rotate(BOUNDARY + 300_000);
        assertEquals(List.of("err=0", "req=3", "signup=1"), read(BOUNDARY + 300_001, "5m"),
                "a rotation moves the counts from cur into the totals: the sum is unchanged");

        log(BOUNDARY + 301_000, "req", 2);
        log(BOUNDARY + 301_000, "err", 1);
        rotate(BOUNDARY + 600_000);
        log(BOUNDARY + 601_000, "req", 4);
        assertEquals(List.of("err=1", "req=9", "signup=1"), read(BOUNDARY + 602_000, "5m"),
                "an event without counts in the last interval (signup) keeps its total");
        assertEquals(List.of("err=1", "req=9", "signup=1"), read(BOUNDARY + 602_000, "1h"),
                "the same series whichever interval is read: the group's shortest");
    }

    @Test
    void aCatchUpRotationAfterAnOutageLosesNothing() {
        rotate(BOUNDARY);
        log(BOUNDARY + 1_000, "req", 5);
        // the master was down for 3 intervals: one rotation closes them all
        rotate(BOUNDARY + 1_200_000);
        log(BOUNDARY + 1_201_000, "req", 1);
        assertEquals(List.of("err=0", "req=6"), read(BOUNDARY + 1_202_000, "5m"));
    }

    @Test
    void resetTotalsStartsThemAgainFromZero() {
        rotate(BOUNDARY);
        log(BOUNDARY + 1_000, "req", 5);
        rotate(BOUNDARY + 300_000);
        log(BOUNDARY + 301_000, "req", 2);
        assertEquals(List.of("err=0", "req=7"), read(BOUNDARY + 302_000, "5m"));

        try (CounterReader reader = CounterReader.connect(cfg)) {
            web.intervals().forEach(i -> reader.resetTotals(web, i));
        }
        assertEquals(List.of("err=0", "req=0"), read(BOUNDARY + 302_000, "5m"), "after a reset: 0");
        log(BOUNDARY + 303_000, "req", 4);
        rotate(BOUNDARY + 600_000);
        log(BOUNDARY + 601_000, "req", 1);
        assertEquals(List.of("err=0", "req=5"), read(BOUNDARY + 602_000, "5m"), "then what was counted since");
    }

    @Test
    void otherFormatsAndOutputsWithoutPrometheusAreUnchanged() {
        rotate(BOUNDARY);
        log(BOUNDARY + 1_000, "req", 3);
        Run text = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY + 2_000)), config, "-g", "web", "-i", "5m",
                "--current");
        assertEquals("err:0\nreq:3\n", text.out);
        assertFalse(text.out.contains("total"));
    }
}
