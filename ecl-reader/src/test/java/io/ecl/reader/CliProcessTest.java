package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools as separate processes, as cron and Munin run them: what only a real JVM shows — the
 * module's logback.xml (no library or client lines beside the tool's own), System.exit codes,
 * real stdin, and stdout encoding under the C locale.
 */
class CliProcessTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    /** Exit code and raw output of one process. */
    private static final class Result {
        int code;
        byte[] out;
        String err;
    }

    private Result run(String mainClass, String stdin, String... args) throws Exception {
        return runWithEclConfig(null, mainClass, stdin, args);
    }

    /** With ECL_CONFIG set to {@code eclConfig} in the process's environment, or removed when null. */
    private Result runWithEclConfig(String eclConfig, String mainClass, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                // The test classpath carries ecl-core's logback-test.xml; use the tools' own config.
                "-Dlogback.configurationFile=" + logbackXml(),
                mainClass));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Path in = dir.resolve("in");
        Files.writeString(in, stdin, StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(in.toFile());
        pb.environment().remove("ECL_REDIS_URL");
        pb.environment().remove("ECL_CONFIG");
        if (eclConfig != null) {
            pb.environment().put("ECL_CONFIG", eclConfig);
        }
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process did not exit");
        Result r = new Result();
        r.code = p.exitValue();
        r.out = Files.readAllBytes(out);
        r.err = Files.readString(err, StandardCharsets.UTF_8);
        return r;
    }

    /** The tools' logging as a file, from ecl-cli: the test class path's logback-test.xml would win otherwise. */
    private static String logbackXml() {
        return "io/ecl/cli/logback-tool.xml";
    }

    private String config(int port) throws IOException {
        Path file = dir.resolve("ecl.yml");
        Files.writeString(file, "redis: {host: 127.0.0.1, port: " + port + "}\n"
                + "groups:\n  dyn:\n    events: [a]\n    intervals: ['5m']\n    auto_declare_events: true\n");
        return file.toString();
    }

    @Test
    void logEventWithRedisDownPrintsExactlyOneLineAndExitsOne() throws Exception {
        int port = EmbeddedRedis.freePort();

        Result r = run("io.ecl.reader.LogEventCommand", "", config(port), "dyn", "a");

        assertTrue(r.err.startsWith("ERROR: cannot connect to Redis at 127.0.0.1:" + port + ": ")
                && r.err.indexOf('\n') == r.err.length() - 1, r.err);
        assertEquals(0, r.out.length);
        assertEquals(1, r.code);
    }

    @Test
    void countRejectedByRedisIsTheLibrarysOneErrorLineAndExitOne() throws Exception {
        redis.client().hset("dyn:5m:cur:a", "not", "a counter");

        Result r = run("io.ecl.reader.LogEventCommand", "", config(redis.port()), "dyn", "a");

        assertTrue(r.err.startsWith("ERROR: group 'dyn': Redis at 127.0.0.1:" + redis.port() + " answered with an error: ")
                && r.err.contains("WRONGTYPE") && r.err.indexOf('\n') == r.err.length() - 1, r.err);
        assertEquals(1, r.code);
    }

    @Test
    void streamModeReadsTheProcessStdin() throws Exception {
        Result r = run("io.ecl.reader.LogEventCommand", "a\nb 2\n\nb\n", config(redis.port()), "dyn", "-", "-v");

        assertEquals("logged 4 events (4 lines)\n", r.err);
        assertEquals(0, r.code);
        assertEquals("1", redis.client().get("dyn:5m:cur:a"));
        assertEquals("3", redis.client().get("dyn:5m:cur:b"));
    }

    @Test
    void streamModeSkipsAHundredMegabyteLineInASmallHeapAndCountsTheLinesAfterIt() throws Exception {
        Path in = dir.resolve("huge-line");
        byte[] block = new byte[1 << 20];
        java.util.Arrays.fill(block, (byte) 'x');
        try (java.io.OutputStream out = Files.newOutputStream(in)) {
            out.write("a\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 100; i++) {
                out.write(block);
            }
            out.write("\nb 2\n".getBytes(StandardCharsets.US_ASCII));
        }
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + logbackXml(), "io.ecl.reader.LogEventCommand",
                config(redis.port()), "dyn", "-", "-v")
                .redirectInput(in.toFile()).redirectError(err.toFile()).redirectOutput(dir.resolve("out").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process did not exit");

        assertEquals("WARNING: stdin line 2: longer than 65536 bytes; line skipped\n"
                + "logged 3 events (3 lines)\n"
                + "skipped 1 lines (malformed or refused)\n", Files.readString(err, StandardCharsets.UTF_8));
        assertEquals(0, p.exitValue());
        assertEquals("1", redis.client().get("dyn:5m:cur:a"));
        assertEquals("2", redis.client().get("dyn:5m:cur:b"));
    }

    @Test
    void readerWritesUtf8WhateverTheLocaleAsPythonDoes() throws Exception {
        redis.client().sadd("dyn:5m:last:@reg", "caf\u00e9");
        redis.client().set("dyn:5m:last:caf\u00e9", "2");

        Result r = run("io.ecl.reader.ReaderCommand", "", config(redis.port()), "-g", "dyn");

        assertArrayEquals("a:0\ncaf\u00e9:2\n".getBytes(StandardCharsets.UTF_8), r.out,
                new String(r.out, StandardCharsets.UTF_8));
        assertEquals("", r.err);
        assertEquals(0, r.code);
    }

    @Test
    void usageErrorExitsTwoFromMain() throws Exception {
        Result r = run("io.ecl.reader.ReaderCommand", "", config(redis.port()));

        assertTrue(r.err.startsWith("Missing required option: '--group=GROUP'\n"), r.err);
        assertEquals(2, r.code);
    }

    @Test
    void eclConfigInTheEnvironmentIsTheConfigOfBothTools() throws Exception {
        String cfg = config(redis.port());

        Result logged = runWithEclConfig(cfg, "io.ecl.reader.LogEventCommand", "", "dyn", "a", "-n", "4");
        Result read = runWithEclConfig(cfg, "io.ecl.reader.ReaderCommand", "", "-g", "dyn", "--current", "--format", "munin");

        assertEquals("", logged.err);
        assertEquals(0, logged.code);
        assertEquals("a.value 4\n", new String(read.out, StandardCharsets.UTF_8), read.err);
        assertEquals(0, read.code);
    }

    @Test
    void aMissingFileNamedByEclConfigIsOneErrorLine() throws Exception {
        String absent = dir.resolve("absent.yml").toString();

        Result r = runWithEclConfig(absent, "io.ecl.reader.ReaderCommand", "", "--all");

        assertEquals("ERROR: " + absent + ": config file not found (named by ECL_CONFIG)\n", r.err);
        assertEquals(1, r.code);
    }
}
