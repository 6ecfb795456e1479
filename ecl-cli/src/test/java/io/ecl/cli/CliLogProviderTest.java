package io.ecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

/** The tools' SLF4J provider: Logback set up in code, the short way, unless a file is named. */
class CliLogProviderTest {
    private static String statuses(LoggerContext c) {
        StringBuilder b = new StringBuilder();
        for (Status s : c.getStatusManager().getCopyOfStatusList()) {
            b.append(s.getMessage()).append('\n');
        }
        return b.toString();
    }

    @Test
    void setsUpTheToolStyleWithoutLogbacksGeneralInitialisation() {
        CliLogProvider provider = new CliLogProvider();
        provider.initialize();

        LoggerContext c = (LoggerContext) provider.getLoggerFactory();
        assertEquals("default", c.getName());
        assertTrue(c.isStarted());
        assertEquals(Level.WARN, c.getLogger("ROOT").getLevel());
        assertEquals(Level.OFF, c.getLogger("redis.clients").getLevel());
        ConsoleAppender<?> stderr = (ConsoleAppender<?>) c.getLogger("ROOT").getAppender("STDERR");
        assertEquals("System.err", stderr.getTarget());
        assertEquals("tool", ((CliLogLayout) ((LayoutWrappingEncoder<?>) stderr.getEncoder()).getLayout()).styleName());
        assertEquals(c.getMDCAdapter(), provider.getMDCAdapter());
        // Nothing of Logback's own initialisation ran: no version check, no configurator search, no file lookup.
        String statuses = statuses(c);
        assertTrue(!statuses.contains("logback-classic version") && !statuses.toLowerCase().contains("configurator")
                && !statuses.contains("logback-test.xml"), statuses);
    }

    @Test
    void aNamedLogbackFileIsReadByLogbacksOwnProvider() {
        System.setProperty("logback.configurationFile", "io/ecl/cli/logback-daemon.xml");
        try {
            CliLogProvider provider = new CliLogProvider();
            provider.initialize();

            LoggerContext c = (LoggerContext) provider.getLoggerFactory();
            assertTrue(c.getLogger("ROOT").getAppender("STDOUT") instanceof ConsoleAppender, statuses(c));
            assertEquals(null, c.getLogger("ROOT").getAppender("STDERR"));
            assertTrue(statuses(c).contains("logback-daemon.xml"), statuses(c));
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }

    @Test
    void installNamesThisProviderUnlessOneIsNamedAlready() {
        try {
            CliLogProvider.install();
            assertEquals(CliLogProvider.class.getName(), System.getProperty("slf4j.provider"));
            assertEquals("WARN", System.getProperty("slf4j.internal.verbosity"));

            System.setProperty("slf4j.provider", "org.example.Other");
            System.clearProperty("slf4j.internal.verbosity");
            CliLogProvider.install();
            assertEquals("org.example.Other", System.getProperty("slf4j.provider"));
            assertEquals(null, System.getProperty("slf4j.internal.verbosity"));
        } finally {
            System.clearProperty("slf4j.provider");
            System.clearProperty("slf4j.internal.verbosity");
        }
    }
}
