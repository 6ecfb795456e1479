package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.RedisClient;

/**
 * ecl-master --purge: the keys of a group or interval the config dropped, and the counters of
 * declared events it no longer lists, listed (a dry run), then deleted with --yes; nothing else.
 */
class MasterPurgeTest {
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
                + "groups:\n  web:\n    events: [a]\n    intervals: ['5m']\n");
        // the configured pair, with a declared event the config dropped
        r.set("web:5m:cur:@ts", "1700000100");
        r.set("web:5m:cur:a", "3");
        r.set("web:5m:last:a", "2");
        r.sadd("web:5m:cur:@declared", "a", "gone");
        r.set("web:5m:cur:gone", "0");
        r.set("web:5m:last:gone", "0");
        // an interval and a group the config dropped
        r.set("web:1h:cur:@ts", "1699999200");
        r.set("web:1h:cur:a", "40");
        r.set("old:5m:cur:@ts", "1700000100");
        r.set("old:5m:cur:x", "1");
        r.set("old:5m:last:x", "5");
        r.sadd("old:5m:cur:@reg", "x");
        // not ecl's
        r.set("old:5m:other", "kept");
        r.set("unrelated", "kept");
    }

    private int run(String... args) {
        return new CommandLine(new MasterCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void aDryRunListsWhatTheConfigNoLongerNamesAndTouchesNothing() {
        assertEquals(0, run("--purge", config.toString()), err.toString());
        String text = out.toString();
        assertTrue(text.contains("would delete old:5m:cur:x  (group 'old' is not in the config)\n"), text);
        assertTrue(text.contains("would delete web:1h:cur:@ts  (interval '1h' is not configured for group 'web')\n"), text);
        assertTrue(text.contains("would undeclare gone in web:5m:cur:@declared  (event 'gone' is no longer declared in group 'web')\n"), text);
        assertTrue(text.contains("would delete web:5m:last:gone"), text);
        assertFalse(text.contains("old:5m:other"), text);
        assertFalse(text.contains("web:5m:cur:a "), text);
        assertTrue(text.endsWith("9 items; run again with --yes to remove them\n"), text);
        assertEquals(14, r.dbSize(), "a dry run");
    }

    @Test
    void withYesItDeletesExactlyThat() {
        assertEquals(0, run("--purge", "--yes", config.toString()), err.toString());
        assertTrue(out.toString().endsWith("9 done\n"), out.toString());
        assertEquals(Set.of("web:5m:cur:@ts", "web:5m:cur:a", "web:5m:last:a", "web:5m:cur:@declared", "old:5m:other",
                "unrelated"), r.keys("*"));
        assertEquals(Set.of("a"), r.smembers("web:5m:cur:@declared"));
    }

    @Test
    void yesAloneIsAUsageError() {
        assertEquals(2, run("--yes", config.toString()));
        assertEquals("ERROR: --yes goes with --purge or --reset-totals\n", err.toString());
    }
}
