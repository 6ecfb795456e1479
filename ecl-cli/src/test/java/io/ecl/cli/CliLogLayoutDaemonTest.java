package io.ecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

/** The daemons' format: timestamped lines, or journald priorities under systemd. */
class CliLogLayoutDaemonTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("io.ecl.master.MasterLoop");

    private String format(boolean journal, Level level, String message, Throwable t) {
        CliLogLayout layout = new CliLogLayout();
        layout.setContext(context);
        layout.setStyle("daemon");
        layout.setJournal(journal);
        layout.start();
        return layout.doLayout(new LoggingEvent("x", logger, level, message, t, null));
    }

    @Test
    void journaldLinesCarryThePriorityAndNoTimestamp() {
        assertEquals("<3>boom" + System.lineSeparator(), format(true, Level.ERROR, "boom", null));
        assertEquals("<4>Redis down" + System.lineSeparator(), format(true, Level.WARN, "Redis down", null));
        assertEquals("<6>rotated" + System.lineSeparator(), format(true, Level.INFO, "rotated", null));
        assertEquals("<7>detail" + System.lineSeparator(), format(true, Level.DEBUG, "detail", null));
    }

    @Test
    void everyLineOfAStackTraceKeepsThePriorityForJournald() {
        String s = format(true, Level.ERROR, "failed", new IllegalStateException("bad"));
        assertTrue(s.lines().count() > 2, s);
        assertTrue(s.lines().allMatch(l -> l.startsWith("<3>")), s);
    }

    @Test
    void elsewhereLinesStartWithTimestampAndLevel() {
        String s = format(false, Level.WARN, "Redis down", null);
        assertTrue(s.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  Redis down\\R"), s);
    }
}
