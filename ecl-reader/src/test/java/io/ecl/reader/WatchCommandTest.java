package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.testing.EmbeddedRedis;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ecl-reader watch} off a terminal: plain blocks of text when stdout is a pipe, one line
 * and an exit code for the user's mistakes, and the terminal library left unloaded by every path
 * that does not draw on a terminal.
 */
class WatchCommandTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;
    private String config;

    @BeforeEach
    void writeConfig() throws Exception {
        redis.client().flushAll();
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [login, logout]\n    intervals: ['5m', '1h']\n");
    }

    private Process start(List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=io/ecl/cli/logback-tool.xml", ReaderCommand.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("TERM", "xterm"); // a terminal type, but stdout is a pipe: plain it is
        return pb.start();
    }

    @Test
    void whenStdoutIsAPipeWatchPrintsPlainBlocksWithoutEscapeCodes() throws Exception {
        EclConfig cfg = EclConfig.load(Path.of(config));
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).withoutShutdownHook().withoutHeartbeat().build()) {
            ecl.group("web").log("login", 4);
            assertTrue(ecl.flush());
        }
        Path classes = dir.resolve("classes.txt");
        Process p = start(List.of("-Xlog:class+load=info:file=" + classes), "watch", config, "-i", "5m",
                "--interval-ms", "200");
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int blocks = 0;
            String line;
            while (blocks < 2 && (line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("ecl watch ecl.yml ")) {
                    blocks++;
                }
            }
            // the second block is complete once the writers' part of it is
            while ((line = out.readLine()) != null && !line.isEmpty()) {
                lines.add(line);
            }
        } finally {
            // the pipe closed by its reader (as by | head): watch stops at its next block
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            p.destroy();
            assertTrue(exited, "still running after its reader went away");
        }
        assertEquals(0, p.exitValue());
        String text = String.join("\n", lines);
        assertFalse(text.contains("\033"), text);
        int second = lines.subList(1, lines.size()).indexOf(lines.stream().filter(l -> l.startsWith("ecl watch"))
                .skip(1).findFirst().orElseThrow()) + 1;
        List<String> block = lines.subList(second, lines.size());
        assertEquals("  NAME                              LAST   CURRENT  HISTORY", block.get(1));
        assertTrue(block.get(2).startsWith("━ web 5m ━ "), block.get(2));
        assertEquals("  login                                0         4", block.get(3));
        assertEquals("  logout                               0         0", block.get(4));
        assertEquals("━ writers (0 up) " + "━".repeat(63), block.get(5));
        assertEquals("  (no writer has a live heartbeat)", block.get(6));
        assertEquals(7, block.size(), text);
        for (String l : lines) {
            assertTrue(l.length() <= 80, l);
        }
        assertFalse(Files.readString(classes).contains("org.jline"), "plain output loads no terminal library");
    }

    @Test
    void theReadersOtherPathsNeverLoadTheTerminalLibrary() throws Exception {
        Path fast = dir.resolve("fast.txt");
        Process p = start(List.of("-Xlog:class+load=info:file=" + fast), config, "-g", "web", "-i", "5m");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String classes = Files.readString(fast);
        assertTrue(classes.contains("io.ecl.reader.ReaderCommand"), "the log names the classes loaded");
        assertFalse(classes.contains("org.jline"));
        assertFalse(classes.contains("io.ecl.reader.watch"));

        Path help = dir.resolve("help.txt");
        p = start(List.of("-Xlog:class+load=info:file=" + help), "--help");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        classes = Files.readString(help);
        assertTrue(classes.contains("io.ecl.reader.WatchCommand"), "picocli reads the subcommand");
        assertFalse(classes.contains("org.jline"), "but not what it runs");
    }

    @Test
    void configErrorsAreOneLineAndExitOne() {
        Run missing = Run.reader("watch", dir.resolve("nope.yml").toString());
        assertEquals(1, missing.code, missing.toString());
        assertEquals("", missing.out);
        assertEquals(1, missing.err.split("\n").length, missing.err);
        assertTrue(missing.err.startsWith("ERROR: ") && missing.err.contains("nope.yml"), missing.err);

        Run group = Run.reader("watch", config, "-g", "mail");
        assertEquals(1, group.code);
        assertEquals("ERROR: Group 'mail' not found in configuration\n", group.err);

        Run interval = Run.reader("watch", config, "-g", "web", "-i", "1d");
        assertEquals(1, interval.code);
        assertEquals("ERROR: Interval '1d' not configured for this group.\n", interval.err);

        Run anyGroup = Run.reader("watch", config, "-i", "1d");
        assertEquals(1, anyGroup.code);
        assertEquals("ERROR: no group has the interval '1d'\n", anyGroup.err);
    }

    @Test
    void usageErrorsExitTwo() {
        Run tooFast = Run.reader("watch", config, "--interval-ms", "10");
        assertEquals(2, tooFast.code, tooFast.toString());
        assertTrue(tooFast.err.startsWith("--interval-ms 10: at least 100"), tooFast.err);
        assertEquals(2, Run.reader("watch", config, "--bogus").code);
    }
}
