package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tools' logging set up in code is what this module's logback.xml sets up. */
class CliLogConfiguratorTest {
    @Test
    void setsUpWhatLogbackXmlDoes() throws Exception {
        LoggerContext inCode = new LoggerContext();
        CliLogConfigurator.setUp(inCode);
        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(CliLogConfigurator.class.getResource("/logback.xml"));

        for (LoggerContext c : new LoggerContext[] {inCode, fromXml}) {
            assertEquals(Level.WARN, c.getLogger("ROOT").getLevel());
            assertEquals(Level.OFF, c.getLogger("redis.clients").getLevel());
            assertEquals(Level.OFF, c.getLogger("org.apache.commons.pool2").getLevel());
            assertEquals(null, c.getLogger(LibraryLog.CORE_LOGGER).getLevel());
            Appender<ILoggingEvent> a = c.getLogger("ROOT").getAppender("STDERR");
            assertTrue(a instanceof ConsoleAppender, String.valueOf(a));
            ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) a;
            assertEquals("System.err", console.getTarget());
            assertTrue(console.isStarted());
            LayoutWrappingEncoder<ILoggingEvent> encoder = (LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder();
            assertEquals(StandardCharsets.UTF_8, encoder.getCharset());
            assertTrue(encoder.getLayout() instanceof CliLogLayout);
        }
    }
}
