package io.ecl.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Runs the fault-injection soak (logger processes, masters rotating every second, Redis cut,
 * master killed with -9, three masters at once, a logger restarted) for {@code soak.duration}
 * (40 s in CI) and requires an exact account.
 */
class SoakTest {
    @Test
    void everyEventIsCountedOnceInItsOwnIntervalUnderFaults() {
        soak("--duration", System.getProperty("soak.duration", "40s"));
    }

    @Test
    void writersBackBeforeTheMastersCatchUpWithoutLosingAnInterval() {
        soak("-v", "--scenario", "writers_first", "--outage", "2s", "--duration", System.getProperty("soak.duration.scenario", "30s"));
    }

    @Test
    void underAPythonStyleMasterEveryEventIsCountedOnceInItsOwnInterval() {
        soak("-v", "--scenario", "python_master", "--outage", "2s", "--duration", System.getProperty("soak.duration.scenario", "30s"));
    }

    private static void soak(String... args) {
        SoakCommand soak = new SoakCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        soak.setOut(out);
        int exit = new CommandLine(soak).execute(args);
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertTrue(soak.result != null && soak.result.matches(
                "logged=(\\d+) counted=\\1 lost=0 duplicated=0 misattributed=0 dropped=0 uniques=\\d+/(\\d+) \\(\\d+\\.\\d\\d %\\) values=\\2/\\2"),
                text);
        assertEquals(0, exit, text);
    }
}
