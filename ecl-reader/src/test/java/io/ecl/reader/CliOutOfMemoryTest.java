package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A tool whose data does not fit in the heap (--all over 500,000 events) ends with one line, not a trace. */
class CliOutOfMemoryTest {
    @Test
    void outOfMemoryIsOneErrorLineAndExit1() {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Cli.runParsed((o, e) -> {
                o.print("# HELP ecl_events\n");
                throw new OutOfMemoryError("Java heap space");
            });
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }

        assertEquals(1, code);
        String line = err.toString(StandardCharsets.UTF_8);
        assertTrue(line.matches("ERROR: out of memory \\(Java heap space\\): the data does not fit in the heap of \\d+ MB;"
                + " raise it, e.g. JAVA_OPTS=-Xmx512m\n"), line);
        assertEquals("# HELP ecl_events\n", out.toString(StandardCharsets.UTF_8), "what was written before is flushed");
    }
}
