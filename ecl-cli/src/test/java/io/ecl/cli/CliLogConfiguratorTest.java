package io.ecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * Every tool's logging is set up by this one configurator, in code, as the XML files in this jar
 * describe it: the tool style (ecl-reader, ecl-log-event) and the daemon style (ecl-master, ecl-demo).
 */
class CliLogConfiguratorTest {
    private static final String STATUS = "io.ecl.master.status";

    private static LoggerContext fromXml(URL xml) throws Exception {
        LoggerContext c = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(c);
        joran.doConfigure(xml);
        for (Status s : c.getStatusManager().getCopyOfStatusList()) {
            assertTrue(s.getLevel() < Status.WARN, xml + ": " + s);
        }
        return c;
    }

    private static CliLogLayout layout(LoggerContext c, String appender) {
        Appender<ILoggingEvent> a = c.getLogger("ROOT").getAppender(appender);
        assertTrue(a instanceof ConsoleAppender, String.valueOf(a));
        ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) a;
        assertTrue(console.isStarted());
        LayoutWrappingEncoder<ILoggingEvent> encoder = (LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder();
        assertEquals(StandardCharsets.UTF_8, encoder.getCharset());
        assertEquals(appender.equals("STDERR") ? "System.err" : "System.out", console.getTarget());
        return (CliLogLayout) encoder.getLayout();
    }

    @Test
    void toolStyleSetsUpWhatLogbackToolXmlDoes() throws Exception {
        LoggerContext inCode = new LoggerContext();
        CliLogConfigurator.setUp(inCode, CliLogConfigurator.Style.TOOL, List.of());
        LoggerContext xml = fromXml(CliLogConfigurator.class.getResource("logback-tool.xml"));

        for (LoggerContext c : new LoggerContext[] {inCode, xml}) {
            assertEquals(Level.WARN, c.getLogger("ROOT").getLevel());
            assertEquals(Level.OFF, c.getLogger("redis.clients").getLevel());
            assertEquals(Level.OFF, c.getLogger("org.apache.commons.pool2").getLevel());
            assertEquals(null, c.getLogger("io.ecl.core").getLevel());
            assertEquals("tool", layout(c, "STDERR").styleName());
            assertEquals(null, c.getLogger("ROOT").getAppender("STDOUT"));
        }
    }

    @Test
    void daemonStyleSetsUpWhatLogbackDaemonXmlDoes() throws Exception {
        LoggerContext inCode = new LoggerContext();
        CliLogConfigurator.setUp(inCode, CliLogConfigurator.Style.DAEMON, List.of(STATUS));
        LoggerContext xml = fromXml(CliLogConfigurator.class.getResource("logback-daemon.xml"));

        for (LoggerContext c : new LoggerContext[] {inCode, xml}) {
            assertEquals(Level.WARN, c.getLogger("ROOT").getLevel());
            assertEquals(Level.INFO, c.getLogger(STATUS).getLevel());
            assertEquals(null, c.getLogger("redis.clients").getLevel());
            assertEquals("daemon", layout(c, "STDOUT").styleName());
            assertEquals(null, c.getLogger("ROOT").getAppender("STDERR"));
        }
    }

    @Test
    void shippedExampleConfiguresTheDaemonLayoutWithoutErrors() throws Exception {
        Path example = Path.of(System.getProperty("user.dir"), "..", "config", "logback.xml");
        LoggerContext c = fromXml(example.toUri().toURL());

        assertEquals("daemon", layout(c, "STDOUT").styleName());
        assertEquals(Level.INFO, c.getLogger(STATUS).getLevel());
    }

    @Test
    void logbackFindsThisConfiguratorThroughServiceLoader() {
        List<String> found = ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()).toList();

        assertEquals(List.of(CliLogConfigurator.class.getName()), found);
    }
}
