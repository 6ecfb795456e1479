package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/** ecl-log-event against a real standalone Redis: one event, and streams of lines on stdin. */
class LogEventCommandTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String GROUPS = "groups:\n"
            + "  g:\n    events: [a, b]\n    intervals: ['5m', '1h']\n"
            + "  dyn:\n    events: []\n    intervals: ['5m', '1h']\n    auto_declare_events: true\n"
            + "  local:\n    events: [a]\n    intervals: ['1h']\n    sync_interval: 60\n"
            + "  clients:\n    events: []\n    intervals: ['1h']\n    auto_declare_events: true\n    max_pending: 1000\n";

    @TempDir
    Path dir;
    private String config;
    private RedisClient r;

    @BeforeEach
    void writeConfig() throws IOException {
        config = write("ecl.yml", redis.yamlRedisSection() + GROUPS);
        r = redis.client();
    }

    private String write(String name, String text) throws IOException {
        return Run.writeFile(dir, name, text);
    }

    // ---- one event ----

    @Test
    void logsOneEventIntoEveryIntervalOfTheGroup() {
        Run run = Run.logEvent(config, "g", "a");

        assertEquals(0, run.code, run::toString);
        assertEquals("", run.out);
        assertEquals("", run.err);
        assertEquals("1", r.get("g:5m:cur:a"));
        assertEquals("1", r.get("g:1h:cur:a"));
        assertEquals(null, r.get("g:5m:cur:b"));
    }

    @Test
    void countArgumentIncrementsByThatNumber() {
        Run.logEvent(config, "g", "a", "5");
        Run.logEvent(config, "g", "a", "-2");

        assertEquals("3", r.get("g:5m:cur:a"));
        assertEquals("3", r.get("g:1h:cur:a"));
    }

    @Test
    void countThatIsNotAnIntegerIsAUsageError() {
        Run run = Run.logEvent(config, "g", "a", "1.5");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Invalid value for positional parameter at index 3 (COUNT): '1.5' is not a long\n"
                + "Usage: ecl-log-event "), run::toString);
        assertEquals(0, r.dbSize());
    }

    @Test
    void missingEventIsAUsageError() {
        Run run = Run.logEvent(config, "g");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Missing required parameter: 'EVENT'\nUsage: ecl-log-event "), run::toString);
    }

    @Test
    void undeclaredEventOfAGroupThatDoesNotAutoDeclareIsRefusedLikePython() {
        Run run = Run.logEvent(config, "g", "zz");

        assertEquals("ERROR: Event 'zz' not configured for this group and 'auto_declare_events' not enabled.\n", run.err);
        assertEquals(1, run.code);
        assertEquals(0, r.dbSize());
    }

    @Test
    void unknownGroupIsAnErrorLikePython() {
        Run run = Run.logEvent(config, "nope", "a");

        assertEquals("ERROR: Group 'nope' not found in configuration\n", run.err);
        assertEquals(1, run.code);
        assertEquals(0, r.dbSize());
    }

    @Test
    void autoDeclaringGroupCountsANewEventAndRegistersIt() {
        Run run = Run.logEvent(config, "dyn", "new-one", "4");

        assertEquals(0, run.code, run::toString);
        assertEquals("4", r.get("dyn:5m:cur:new-one"));
        assertEquals("4", r.get("dyn:1h:cur:new-one"));
        assertEquals(Set.of("new-one"), r.smembers("dyn:5m:cur:@reg"));
    }

    @Test
    void eventIdReservedForMetaKeysIsRefusedEvenWhenAutoDeclaring() {
        Run run = Run.logEvent(config, "dyn", "@ts");

        assertEquals("ERROR: group 'dyn': invalid event ID '@ts': must not start with '@' (reserved for meta keys"
                + " such as @ts)\n", run.err);
        assertEquals(1, run.code);
        assertEquals(0, r.dbSize());
    }

    @Test
    void groupWithLocalCountersIsFlushedBeforeExit() {
        Run run = Run.logEvent(config, "local", "a", "7");

        assertEquals(0, run.code, run::toString);
        assertEquals("7", r.get("local:1h:cur:a"));
    }

    @Test
    void countRejectedByRedisExitsOne() {
        // The line explaining it is the library's, on the process's stderr (see CliProcessTest).
        r.hset("g:5m:cur:a", "not", "a counter");

        Run run = Run.logEvent(config, "g", "a");

        assertEquals(1, run.code, run::toString);
        assertEquals("", run.out);
        assertEquals(Map.of("not", "a counter"), r.hgetAll("g:5m:cur:a"));
    }

    @Test
    void unreachableRedisIsOneErrorLineNamingHostAndPort() throws IOException {
        int port = EmbeddedRedis.freePort();
        String cfg = write("dead.yml", "redis: {host: 127.0.0.1, port: " + port + "}\n" + GROUPS);

        Run run = Run.logEvent(cfg, "g", "a");

        run.oneErrLine("ERROR: cannot connect to Redis at 127.0.0.1:" + port + ": ");
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    @Test
    void badConfigIsOneErrorLine() throws IOException {
        String bad = write("bad.yml", "groups:\n  g:\n    events: [a]\n");

        Run run = Run.logEvent(bad, "g", "a");

        assertEquals("ERROR: " + bad + ":2: group 'g': missing 'intervals' (e.g. intervals: ['5m'])\n", run.err);
        assertEquals(1, run.code);
    }

    @Test
    void versionAndHelpExitZero() throws IOException {
        Run version = Run.logEvent("--version");
        Run help = Run.logEvent("-h");

        assertEquals("ecl-log-event " + ReaderCommandTest.projectVersion() + "\n", version.out);
        assertEquals(0, version.code);
        assertTrue(help.out.startsWith("Usage: ecl-log-event [-hvV] CONFIG GROUP EVENT [COUNT]\n"), help::toString);
        assertEquals(0, help.code);
    }

    // ---- stream mode: EVENT is '-' ----

    @Test
    void streamOfHundredThousandLinesGivesExactCounts() {
        StringBuilder in = new StringBuilder();
        Map<String, Long> expected = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < 100_000; i++) {
            String event = "e" + (i % 7);
            long count = i % 3 == 0 ? 1 + i % 5 : 1;
            in.append(event);
            if (count != 1 || i % 2 == 0) {
                in.append(' ').append(count);
            }
            in.append('\n');
            expected.merge(event, count, Long::sum);
            total += count;
        }

        Run run = Run.logEventWithStdin(in.toString(), config, "dyn", "-", "-v");

        assertEquals("logged " + total + " events (100000 lines)\n", run.err);
        assertEquals(0, run.code);
        for (String interval : new String[] {"5m", "1h"}) {
            Map<String, Long> actual = new TreeMap<>();
            for (String event : expected.keySet()) {
                actual.put(event, Long.parseLong(r.get("dyn:" + interval + ":cur:" + event)));
            }
            assertEquals(expected, actual, interval);
            assertEquals(expected.keySet(), r.smembers("dyn:" + interval + ":cur:@reg"));
        }
    }

    @Test
    void streamSkipsBlankLinesAndWarnsAboutEachMalformedLineByNumber() {
        String in = "a\n\n   \nb 3\na x\na 1 2\n\ta\t2 \r\n";

        Run run = Run.logEventWithStdin(in, config, "g", "-");

        assertEquals("WARNING: stdin line 5: COUNT 'x' is not an integer; line skipped\n"
                + "WARNING: stdin line 6: expected 'EVENT [COUNT]', got more than two fields; line skipped\n", run.err);
        assertEquals(0, run.code);
        assertEquals("3", r.get("g:5m:cur:a"));
        assertEquals("3", r.get("g:1h:cur:b"));
    }

    @Test
    void streamWarnsOnceAboutARefusedEventAndSkipsItsLines() {
        Run run = Run.logEventWithStdin("a\nzz\nb\nzz 4\n", config, "g", "-", "-v");

        assertEquals("WARNING: stdin line 2: Event 'zz' not configured for this group and 'auto_declare_events' not"
                + " enabled; lines with this event are skipped\n"
                + "logged 2 events (4 lines)\n"
                + "skipped 2 lines (malformed or refused)\n", run.err);
        assertEquals(0, run.code);
        assertEquals("1", r.get("g:5m:cur:a"));
        assertEquals(null, r.get("g:5m:cur:zz"));
    }

    @Test
    void streamSkipsEventIdsTheKeySchemeReserves() {
        Run run = Run.logEventWithStdin("@reg\nok\n", config, "dyn", "-");

        assertEquals("WARNING: stdin line 1: group 'dyn': invalid event ID '@reg': must not start with '@' (reserved"
                + " for meta keys such as @ts); lines with this event are skipped\n", run.err);
        assertEquals(0, run.code);
        assertEquals(Set.of("ok"), r.smembers("dyn:5m:cur:@reg"));
    }

    @Test
    void streamStopsWarningAfterAHundredBadLines() {
        Run run = Run.logEventWithStdin("x y z\n".repeat(150) + "a\n", config, "g", "-", "-v");

        String[] lines = run.err.split("\n");
        assertEquals(100 + 1 + 2, lines.length, run::toString);
        assertEquals("WARNING: stdin line 100: expected 'EVENT [COUNT]', got more than two fields; line skipped",
                lines[99]);
        assertEquals("WARNING: more than 100 lines skipped; further ones are skipped without a warning", lines[100]);
        assertEquals("logged 1 events (151 lines)", lines[101]);
        assertEquals("skipped 150 lines (malformed or refused)", lines[102]);
        assertEquals("1", r.get("g:5m:cur:a"));
    }

    @Test
    void streamUsesTheGroupsOwnLocalCountersAndFlushesAtEndOfInput() {
        Run run = Run.logEventWithStdin("a\na 9\n", config, "local", "-");

        assertEquals(0, run.code, run::toString);
        assertEquals("10", r.get("local:1h:cur:a"));
    }

    @Test
    void streamExitsOneWhenRedisRejectsCounts() {
        r.hset("g:5m:cur:a", "not", "a counter");

        Run run = Run.logEventWithStdin("a\n", config, "g", "-");

        assertEquals(1, run.code, run::toString);
        assertEquals(Map.of("not", "a counter"), r.hgetAll("g:5m:cur:a"));
    }

    @Test
    void streamOfMoreNewIdsThanMaxPendingWithRedisUpCountsEveryOne() {
        // Ten times max_pending distinct client addresses, each twice, within one sync interval.
        StringBuilder in = new StringBuilder();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 10_000; i++) {
                in.append("10.0.").append(i / 256).append('.').append(i % 256).append('\n');
            }
        }

        Run run = Run.logEventWithStdin(in.toString(), config, "clients", "-", "-v");

        assertEquals("logged 20000 events (20000 lines)\n", run.err);
        assertEquals(0, run.code);
        assertEquals(10_000, r.scard("clients:1h:cur:@reg"));
        for (int i = 0; i < 10_000; i++) {
            String key = "clients:1h:cur:10.0." + (i / 256) + "." + (i % 256);
            assertEquals("2", r.get(key), key);
        }
    }

    @Test
    void streamCountBeyondALongSaturatesLoudlyAndExitsOne() {
        Run run = Run.logEventWithStdin("x 9223372036854775807\nx 1\n", config, "dyn", "-", "-v");

        assertEquals("logged 9223372036854775807 events (2 lines)\n", run.err);
        assertEquals(1, run.code);
        assertEquals("9223372036854775807", r.get("dyn:5m:cur:x"));
        assertEquals("9223372036854775807", r.get("dyn:1h:cur:x"));
    }

    @Test
    void streamCountThatOverflowsTheCounterInRedisExitsOne() {
        r.set("dyn:1h:cur:x", "9223372036854775800");

        Run run = Run.logEventWithStdin("x 100\n", config, "dyn", "-");

        assertEquals(1, run.code, run::toString);
        assertEquals("9223372036854775800", r.get("dyn:1h:cur:x"));
        assertEquals("100", r.get("dyn:5m:cur:x"));
    }

    @Test
    void streamSkipsALineLongerThanTheLimitAndCountsTheLinesAfterIt() {
        String in = "a\n" + "b".repeat(65_536 + 1) + " 5\nb\r\na 2\n";

        Run run = Run.logEventWithStdin(in, config, "g", "-", "-v");

        assertEquals("WARNING: stdin line 2: longer than 65536 bytes; line skipped\n"
                + "logged 4 events (4 lines)\n"
                + "skipped 1 lines (malformed or refused)\n", run.err);
        assertEquals(0, run.code);
        assertEquals("3", r.get("g:5m:cur:a"));
        assertEquals("1", r.get("g:5m:cur:b"));
    }

    @Test
    void streamRefusedByRedisSaysWhatRedisRefusedAndCountsTheEventsLost() {
        r.configSet("maxmemory-policy", "noeviction");
        r.configSet("maxmemory", "1");
        try {
            Run run = Run.logEventWithStdin("a\na 2\nb\n", config, "g", "-");

            assertEquals("ERROR: cannot deliver 4 events read from stdin: Redis at 127.0.0.1:" + redis.port()
                    + " answered with an error: OOM command not allowed when used memory > 'maxmemory'."
                    + " (EXECABORT: Redis discarded the transaction, nothing of it was applied); they are lost\n",
                    run.err);
            assertEquals(1, run.code);
        } finally {
            r.configSet("maxmemory", "0");
        }
        assertEquals(null, r.get("g:5m:cur:a"));
    }

    @Test
    void streamWithACountArgumentIsAUsageError() {
        Run run = Run.logEventWithStdin("a\n", config, "g", "-", "3");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("COUNT cannot be given with EVENT '-': each line of stdin carries its own count\n"
                + "Usage: ecl-log-event "), run::toString);
        assertEquals(0, r.dbSize());
    }

    @Test
    void streamOfAnUnknownGroupIsAnErrorBeforeReading() {
        Run run = Run.logEventWithStdin("a\n", config, "nope", "-");

        assertEquals("ERROR: Group 'nope' not found in configuration\n", run.err);
        assertEquals(1, run.code);
    }

    @Test
    void streamFailsFastWithOneLineWhenRedisIsUnreachableAtStart() throws IOException {
        int port = EmbeddedRedis.freePort();
        String cfg = write("dead.yml", "redis: {host: 127.0.0.1, port: " + port + "}\n" + GROUPS);

        Run run = Run.logEventWithStdin("a\n", cfg, "g", "-");

        run.oneErrLine("ERROR: cannot connect to Redis at 127.0.0.1:" + port + ": ");
        assertEquals(1, run.code);
    }
}
