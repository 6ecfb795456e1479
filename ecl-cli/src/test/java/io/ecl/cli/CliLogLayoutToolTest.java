package io.ecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tools' format for the library's log lines: like their own messages, no timestamps or logger names. */
class CliLogLayoutToolTest {
    private final Logger logger = new LoggerContext().getLogger("io.ecl.core.EventCountLogger");
    private final CliLogLayout layout = new CliLogLayout();

    @AfterEach
    void reset() {
        Cli.stackTraces = false;
    }

    private LoggingEvent event(Level level, Throwable t, String message, Object... args) {
        return new LoggingEvent("test", logger, level, message, t, args);
    }

    @Test
    void warningAndErrorLinesLookLikeTheToolsOwnMessages() {
        assertEquals("WARNING: event 'x' refused\n", layout.doLayout(event(Level.WARN, null, "event '{}' refused", "x")));
        assertEquals("ERROR: 3 counts lost\n", layout.doLayout(event(Level.ERROR, null, "{} counts lost", 3)));
    }

    @Test
    void stackTraceOnlyWithVerbose() {
        RuntimeException boom = new IllegalStateException("boom");

        assertEquals("ERROR: flusher failed\n", layout.doLayout(event(Level.ERROR, boom, "flusher failed")));

        Cli.stackTraces = true;
        String verbose = layout.doLayout(event(Level.ERROR, boom, "flusher failed"));
        assertTrue(verbose.startsWith("ERROR: flusher failed\njava.lang.IllegalStateException: boom\n\tat "), verbose);
    }
}
