package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.Keys;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Python and Java processes share one Redis during a migration: what Python writes (plain
 * INCR, no registry, unaligned @ts) is rotated and read correctly, and nothing we add is
 * visible to Python's SCAN.
 */
class PythonCompatTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final long S0 = T0 / 1000;

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private EventCountLogger ecl;
    private Rotator master;
    private CounterReader reader;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  py:",
                "    events: [page]",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "    legacy_scan: true",
                "  web:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m']",
                "    auto_declare_events: true",
                "    sync_interval: 1",
                "    history: 5",
                "  web2:",
                "    events: [a]",
                "    intervals: ['5s']",
                ""));
        ecl = Fixtures.logger(config, clock);
        ecl.flush(); // the logger's declarations are in Redis before anything rotates
        master = Rotator.connect(config.redis());
        reader = CounterReader.connect(config);
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
        master.close();
        reader.close();
    }

    private void rotate(String group, String interval, long at) {
        GroupConfig g = config.group(group);
        master.rotate(g, g.interval(interval), at);
    }

    /** Python's discovery of auto-declared events, verbatim. */
    private Set<String> pythonScan(String group, String interval) {
        Set<String> found = new TreeSet<>();
        ScanParams params = new ScanParams().match(group + ":" + interval + ":[^:]*:[^@]*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = r.scan(cursor, params);
            found.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return found;
    }

    @Test
    void countersWrittenByPythonAreReadAndRotatedWithLegacyScan() {
        r.set("py:5s:cur:@ts", "1699920000.37"); // Python's master writes the time it ran
        for (int i = 0; i < 3; i++) {
            r.incr("py:5s:cur:login");
        }
        r.incrBy("py:5s:cur:logout", 2);
        ecl.group("py").log("login"); // a Java writer on the same counter

        assertEquals(Map.of("login", 4L, "logout", 2L, "page", 0L), reader.read("py", "5s").current());

        rotate("py", "5s", T0 + 5_000);
        assertEquals("4", r.get("py:5s:last:login"));
        assertEquals("2", r.get("py:5s:last:logout"));
        assertNull(r.get("py:5s:cur:login"));
        assertEquals(String.valueOf(S0), r.get("py:5s:last:@ts"), "Python's unaligned @ts is aligned");
        assertEquals(String.valueOf(S0 + 5), r.get("py:5s:cur:@ts"));
        assertEquals(Map.of("login", 4L, "logout", 2L, "page", 0L), reader.read("py", "5s").last());

        r.incr("py:5s:cur:logout");
        rotate("py", "5s", T0 + 10_000);
        assertNull(r.get("py:5s:last:login"), "a dynamic event without occurrences vanishes, as in Python");
        assertEquals("1", r.get("py:5s:last:logout"));
        assertEquals(Map.of("logout", 1L, "page", 0L), reader.read("py", "5s").last());
    }

    @Test
    void pythonUnalignedTsIsReadAsTheIntervalItFallsIn() {
        r.set("web2:5s:cur:@ts", S0 + 3 + ".25");
        clock.set(T0 + 4_000);
        ecl.group("web2").log("a", 2);
        assertEquals("2", r.get("web2:5s:cur:a"), "logged in the interval Python opened: cur");
        assertNull(r.get("web2:5s:last:a"));

        clock.set(T0 + 6_000); // a Python master opened the interval: only it rotates, when it runs
        ecl.group("web2").log("a", 3);
        assertEquals("2", r.get("web2:5s:cur:a"), "held by the writer until the Python master rotates");
        assertNull(r.get("web2:5s:last:a"));
        assertEquals(S0 + 3 + ".25", r.get("web2:5s:cur:@ts"));
        assertEquals(1, ecl.pendingCount());
    }

    @Test
    void ourMetaKeysAreInvisibleToPythonScan() {
        rotate("web", "5s", T0);
        rotate("web", "1m", T0);
        EventGroup web = ecl.group("web");
        web.log("a", 2);
        web.log("dyn", 3);
        rotate("web", "5s", T0 + 5_000);
        rotate("web", "5s", T0 + 10_000);
        ecl.flush(); // late counts: @late, plus @sync markers and @reg sets
        web.log("dyn");
        clock.set(T0 + 15_500);
        ecl.flush(); // a lazy rotation by the writer
        rotate("web", "5s", T0 + 20_000);

        Set<String> all = new TreeSet<>(r.keys("web:*"));
        Set<String> counters = all.stream()
                .filter(k -> k.split(":", 4).length == 4 && !k.split(":", 4)[3].startsWith("@"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> meta = new TreeSet<>(all);
        meta.removeAll(counters);
        for (String k : meta) {
            // A section's meta keys, or a whole pair's (@total, @hist): no ':' after the '@' either way.
            assertTrue(k.matches("web:(5s|1m):((cur|last):)?@[^:]+"), k);
        }
        for (String name : new String[] {"@ts", "@declared", "@reg", "@late", "@sync.", "@total", "@hist"}) {
            assertTrue(meta.stream().anyMatch(k -> k.contains(":" + name)), name + " missing from " + meta);
        }
        Set<String> seenByPython = new TreeSet<>(pythonScan("web", "5s"));
        seenByPython.addAll(pythonScan("web", "1m"));
        assertEquals(counters, seenByPython);
        for (String k : counters) {
            assertEquals("string", r.type(k), k);
            Long.parseLong(r.get(k));
        }
        assertTrue(counters.contains("web:5s:cur:a") && counters.contains("web:5s:last:a"));
    }

    @Test
    void groupNamedWithGlobCharactersCannotBeConfigured() {
        ConfigException e = assertThrows(ConfigException.class, () -> Fixtures.config(redis,
                "  'web*':\n    events: []\n    intervals: ['5s']\n"));
        assertTrue(e.getMessage().contains("glob characters"), e.getMessage());
    }

    @Test
    void scanPatternsEscapeGlobCharacters() {
        Interval fiveSeconds = Interval.parse("5s");
        assertEquals("a\\*b\\?\\[c\\]\\\\:5s:cur:[^@]*", Keys.scanPattern(RedisConfig.KeyMode.PYTHON, "a*b?[c]\\", fiveSeconds, Keys.CUR));

        r.set("a*:5s:cur:x", "1");
        r.set("ab:5s:cur:y", "1");
        r.set("a*:5s:cur:@ts", "1");
        r.set("a*:5s:last:z", "1");
        ScanResult<String> page = r.scan(ScanParams.SCAN_POINTER_START,
                new ScanParams().match(Keys.scanPattern(RedisConfig.KeyMode.PYTHON, "a*", fiveSeconds, Keys.CUR)).count(1000));
        assertEquals(List.of("a*:5s:cur:x"), page.getResult());
    }

    @Test
    void readingAndRotatingWithoutLegacyScanNeverScans() {
        rotate("web", "5s", T0);
        ecl.group("web").log("x");
        ecl.flush();
        reader.read("web", "5s");
        ecl.group("web").currentCounts("5s");
        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            reader.read("web", "5s");
            ecl.group("web").currentCounts("5s");
            rotate("web", "5s", T0 + 5_000);
            assertEquals(List.of("evalsha", "evalsha", "evalsha"), monitor.clientCommands(r),
                    "one script call each, whatever the number of keys in Redis");
        }
    }
}
