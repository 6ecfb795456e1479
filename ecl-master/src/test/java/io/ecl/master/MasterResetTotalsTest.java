package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.ops.CounterReader;
import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.RedisClient;

/**
 * ecl-master --reset-totals: the totals behind ecl_events_total listed per (group, interval), a
 * dry run unless --yes; with --yes every total of the chosen groups is 0 from then on, and no
 * counter changes.
 */
class MasterResetTotalsTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path config;
    private RedisClient r;

    @BeforeEach
    void keys() throws IOException {
        r = redis.client();
        r.flushAll();
        config = Files.writeString(dir.resolve("cfg.yml"), redis.yamlRedisSection()
                + "groups:\n  web:\n    events: [a]\n    intervals: ['5m', '1h']\n"
                + "  api:\n    events: [b]\n    intervals: ['5m']\n");
        r.hset("web:5m:@total", Map.of("a", "10", "gone", "4"));
        r.set("web:5m:cur:a", "3");
        r.hset("web:1h:@total", Map.of("a", "7"));
        r.hset("api:5m:@total", Map.of("b", "2"));
    }

    private int run(String... args) {
        return new CommandLine(new MasterCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void aDryRunListsEachPairWithItsSumAndTouchesNothing() {
        assertEquals(0, run("--reset-totals", config.toString()), err.toString());
        assertEquals("would reset the totals of web 5m  (17 counts since the last reset)\n"
                + "would reset the totals of web 1h  (7 counts since the last reset)\n"
                + "would reset the totals of api 5m  (2 counts since the last reset)\n"
                + "3 pairs; run again with --yes to reset them\n", out.toString());
        assertEquals("10", r.hget("web:5m:@total", "a"));
    }

    @Test
    void withYesAndAGroupOnlyThatGroupStartsAgain() {
        assertEquals(0, run("--reset-totals", "--group", "web", "--yes", config.toString()), err.toString());
        assertTrue(out.toString().endsWith("2 done\n"), out.toString());
        try (CounterReader reader = CounterReader.connect(EclConfig.load(config))) {
            EclConfig cfg = EclConfig.load(config);
            GroupConfig web = cfg.requireGroup("web");
            for (Interval i : web.intervals()) {
                assertTrue(reader.totals(web, i).values().stream().allMatch(v -> v == 0),
                        () -> i.name() + ": " + reader.totals(web, i));
            }
            GroupConfig api = cfg.requireGroup("api");
            assertEquals(Map.of("b", 2L), reader.totals(api, api.intervals().get(0)), "another group is left alone");
        }
        assertEquals("3", r.get("web:5m:cur:a"), "the current interval's counts stay");
    }

    @Test
    void anUnknownGroupIsOneLineAndNothingIsReset() {
        assertEquals(1, run("--reset-totals", "--group", "nope", "--yes", config.toString()));
        assertEquals("ERROR: Group 'nope' not found in configuration " + config + "\n", err.toString());
        assertTrue(r.exists("web:5m:@total"));
    }

    @Test
    void misusedOptionsAreUsageErrors() {
        assertEquals(2, run("--group", "web", config.toString()));
        assertEquals("ERROR: --group goes with --reset-totals\n", err.toString());
    }
}
