package io.ecl.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new Demo())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void builtInConfigHasADeclaredAndAnAutoDeclaredGroup() {
        EclConfig cfg = EclConfig.parse(Demo.builtInConfig(), "demo.yml");

        GroupConfig demo = cfg.group("demo");
        assertEquals(List.of("login", "logout", "error"), demo.events());
        assertEquals("[5s, 1m]", demo.intervals().toString());
        assertFalse(demo.usesLocalCounters());
        GroupConfig http = cfg.group("http");
        assertTrue(http.autoDeclareEvents());
        assertEquals(Duration.ofSeconds(1), http.syncInterval());
        assertEquals("[5s]", http.intervals().toString());
        assertEquals(List.of(), cfg.warnings());
    }

    @Test
    void runsForItsDurationOnAnEmbeddedRedisAndPrintsTheLastIntervals() throws IOException {
        int closedPort = EmbeddedRedis.freePort();
        // The built-in groups with 1s intervals, so that a short run crosses several boundaries.
        Path cfg = Files.writeString(dir.resolve("demo.yml"), "redis: {host: 127.0.0.1, port: " + closedPort + "}\n"
                + Demo.builtInConfig().replace("'5s'", "'1s'"));

        assertEquals(0, run("--config", cfg.toString(), "--duration", "3s"), err::toString);

        String text = out.toString();
        Matcher started = Pattern.compile("No Redis answers at 127\\.0\\.0\\.1:" + closedPort
                + "; started an embedded Redis at 127\\.0\\.0\\.1:(\\d+) for this demo").matcher(text);
        assertTrue(started.find(), text);
        Matcher block = Pattern.compile("--- demo 1s, last interval \\d\\d:\\d\\d:\\d\\d-\\d\\d:\\d\\d:\\d\\d ---\\R"
                + "((?:(?:login|logout|error):\\d+\\R)+)").matcher(text);
        assertTrue(block.find(), text);
        assertTrue(Pattern.compile("--- http 1s, last interval [^\\n]+ ---\\R(\\d{3}:\\d+\\R)+").matcher(text).find(),
                text);
        assertTrue(text.endsWith("Demo stopped." + System.lineSeparator()), text);
        assertFalse(LocalRedis.answers("127.0.0.1", Integer.parseInt(started.group(1)), 200),
                "the embedded Redis was stopped");
    }

    @Test
    void malformedDurationIsAUsageError() {
        assertEquals(2, run("--duration", "soon"));
        assertTrue(err.toString().contains("'soon' is not a duration"), err::toString);
    }
}
