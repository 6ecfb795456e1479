package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * dry run unless --yes; with --yes they start again from the current interval's counts, and no
 * other key changes.
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
        assertEquals(0, r.exists("web:5m:@total", "web:1h:@total"));
        assertEquals("2", r.hget("api:5m:@total", "b"));
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
