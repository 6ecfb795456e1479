package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An /etc/ecl/logback.xml written for ecl 1.0 names io.ecl.master.ConsoleLayout: the daemon still starts and logs as then. */
class OldLogbackFileTest {
    private static final String OLD_FILE = """
            <configuration>
              <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder class="ch.qos.logback.core.encoder.LayoutWrappingEncoder">
                  <layout class="io.ecl.master.ConsoleLayout">
                    <journal>true</journal>
                  </layout>
                </encoder>
              </appender>
              <logger name="io.ecl.master.status" level="INFO"/>
              <root level="WARN"><appender-ref ref="STDOUT"/></root>
            </configuration>
            """;

    @Test
    @SuppressWarnings("unchecked")
    void oldLayoutNameStillFormatsLinesForJournald() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(new ByteArrayInputStream(OLD_FILE.getBytes(StandardCharsets.UTF_8)));
        for (Status s : context.getStatusManager().getCopyOfStatusList()) {
            assertTrue(s.getLevel() < Status.WARN, s.toString());
        }
        ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) context.getLogger("ROOT")
                .getAppender("STDOUT");
        LayoutWrappingEncoder<ILoggingEvent> encoder = (LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder();

        String line = encoder.getLayout().doLayout(new LoggingEvent("x", context.getLogger(MasterLoop.STATUS_LOGGER),
                Level.WARN, "Redis down", null, null));

        assertEquals("<4>Redis down" + System.lineSeparator(), line);
    }
}
