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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.RedisClient;

/** The ecl-master command: exit statuses, messages, signals, output format. */
class MasterCommandTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new MasterCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    private Path config(String yaml) throws IOException {
        return Files.writeString(dir.resolve("cfg.yml"), yaml);
    }

    private Path configFor(int port) throws IOException {
        return config("redis:\n  host: 127.0.0.1\n  port: " + port + "\n"
                + "groups:\n  grp:\n    events: [a]\n    intervals: ['5s', '1m']\n");
    }

    private static List<String> lines(StringWriter w) {
        return w.toString().lines().toList();
    }

    @Test
    void helpExitsZero() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().startsWith("Usage: ecl-master "), out::toString);
        assertTrue(out.toString().contains("--embedded-redis"));
    }

    @Test
    void versionExitsZeroAndNamesTheVersion() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().trim().matches("ecl-master \\d+\\.\\d+\\.\\d+.*"), out::toString);
    }

    @Test
    void missingConfigArgumentIsAUsageError() {
        assertEquals(2, run());
        assertTrue(err.toString().startsWith("Missing required parameter: 'CONFIG'"), err::toString);
    }

    @Test
    void unknownOptionIsAUsageError() throws IOException {
        assertEquals(2, run(configFor(redis.port()).toString(), "--frobnicate"));
    }

    @Test
    void badConfigExitsOneWithOneLineNamingFileAndLine() throws IOException {
        Path cfg = config("groups:\n  grp:\n    events: []\n    intervals: ['5x']\n");

        assertEquals(1, run(cfg.toString()));

        List<String> lines = lines(err);
        assertEquals(1, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("ERROR: " + cfg + ":4: "), lines.get(0));
        assertTrue(lines.get(0).contains("'5x'"), lines.get(0));
        assertEquals("", out.toString());
    }

    @Test
    void missingConfigFileExitsOneWithOneLine() {
        Path missing = dir.resolve("nope.yml");

        assertEquals(1, run(missing.toString()));

        List<String> lines = lines(err);
        assertEquals(1, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("ERROR: ") && lines.get(0).contains("nope.yml"), lines.get(0));
    }

    @Test
    void verboseAddsTheStackTraceToAConfigError() throws IOException {
        Path cfg = config("groups:\n  grp:\n    events: []\n    intervals: ['5x']\n");

        assertEquals(1, run(cfg.toString(), "-v"));

        List<String> lines = lines(err);
        assertTrue(lines.get(0).startsWith("ERROR: "), lines.get(0));
        assertTrue(lines.size() > 2 && lines.get(2).trim().startsWith("at "), err::toString);
    }

    @Test
    void sigtermStopsTheMasterWithExitStatusZero() throws Exception {
        Path cfg = configFor(redis.port());
        RedisClient r = redis.client();
        try (ChildProcess master = ChildProcess.start(dir, MasterCommand.class, Map.of(), cfg.toString(), "-v")) {
            master.await(() -> r.exists("grp:5s:cur:@ts") && r.exists("grp:1m:cur:@ts"), 15_000,
                    "the master did not rotate at start");

            assertEquals(0, master.terminate());

            List<String> out = master.lines();
            assertTrue(out.stream().anyMatch(l -> l.matches(
                    "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ecl-master \\S+: config .*cfg\\.yml, "
                            + "groups grp \\(5s, 1m\\), Redis redis://127\\.0\\.0\\.1:" + redis.port() + "/0")), out::toString);
            assertTrue(out.stream().anyMatch(l -> l.contains("INFO  rotated grp 5s at ")), out::toString);
            assertTrue(out.get(out.size() - 1).endsWith("INFO  ecl-master stopped"), out::toString);
        }
    }

    @Test
    void unreachableRedisIsNotFatalAndJournaldGetsPriorities() throws Exception {
        int closedPort = EmbeddedRedis.freePort();
        Path cfg = configFor(closedPort);
        try (ChildProcess master = ChildProcess.start(dir, MasterCommand.class, Map.of("JOURNAL_STREAM", "8:4242"),
                cfg.toString())) {
            String warning = master.awaitLine(l -> l.startsWith("<4>"), 15_000);

            assertTrue(warning.contains("127.0.0.1:" + closedPort), warning);
            assertEquals(0, master.terminate());
            List<String> out = master.lines();
            assertTrue(out.get(0).startsWith("<6>ecl-master "), out::toString);
            assertEquals(1, out.stream().filter(l -> l.startsWith("<4>")).count(), out::toString);
            assertTrue(out.stream().allMatch(l -> l.matches("<[3-7]>.*")), out::toString);
        }
    }

    @Test
    void embeddedRedisOptionStartsAServerWhenNoneAnswersAndStopsIt() throws Exception {
        int port = EmbeddedRedis.freePort();
        Path cfg = configFor(port);
        try (ChildProcess master = ChildProcess.start(dir, MasterCommand.class, Map.of(), cfg.toString(), "--embedded-redis");
                RedisClient r = RedisClient.create("127.0.0.1", port)) {
            master.awaitLine(l -> l.contains("started an embedded Redis at 127.0.0.1:" + port), 15_000);
            master.await(() -> {
                try {
                    return r.exists("grp:5s:cur:@ts");
                } catch (RuntimeException notYet) {
                    return false;
                }
            }, 15_000, "the master did not rotate in its embedded Redis");

            assertEquals(0, master.terminate());
            assertFalse(LocalRedis.answers("127.0.0.1", port, 200), "the embedded Redis was stopped");
        }
    }
}
