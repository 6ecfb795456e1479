package io.ecl.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The default logging of every ecl command-line tool, set up in code rather than from a
 * {@code logback.xml}: parsing XML took about a third of a short-lived tool's start-up (Joran, SAX
 * and the reflection behind them). Logback finds this class through {@code META-INF/services} and
 * asks it before looking for any XML file. {@code io/ecl/cli/logback-tool.xml} and
 * {@code logback-daemon.xml} in this jar spell out the same set-ups as files; a test keeps them alike.
 *
 * <p>A file still wins: with {@code -Dlogback.configurationFile=...} (how users customise the
 * tools' logging, see docs/install-and-operate.md) or a {@code logback-test.xml} on the class path
 * (tests), this does nothing and Logback reads that file as before.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class CliLogConfigurator extends ContextAwareBase implements Configurator {
    /** How a tool logs. */
    public enum Style {
        /**
         * A tool whose stdout is its output (ecl-reader, ecl-log-event): warnings and errors on
         * stderr as {@code WARNING: ...} / {@code ERROR: ...}; the Redis client and pool silenced,
         * as the tools report outages themselves in one line.
         */
        TOOL,
        /**
         * A daemon (ecl-master, ecl-demo): on stdout with a timestamp, or with a journald priority
         * under systemd; warnings and errors, plus the INFO lines of its status loggers.
         */
        DAEMON
    }

    private static volatile Style style = Style.TOOL;
    private static volatile List<String> statusLoggers = List.of();

    /**
     * Makes this process log as a daemon. Call it first thing in {@code main}, before anything logs:
     * Logback asks this configurator once, at the first logger.
     *
     * @param infoLoggers loggers kept at INFO (the status lines an operator always wants)
     */
    public static void daemon(String... infoLoggers) {
        statusLoggers = List.of(infoLoggers);
        style = Style.DAEMON;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (fileRequested() || CliLogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        setUp(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Whether the user named a Logback configuration file ({@code -Dlogback.configurationFile}). */
    static boolean fileRequested() {
        return System.getProperty("logback.configurationFile") != null;
    }

    /** Sets {@code context} up for this process's style (tool or daemon). */
    static void setUp(LoggerContext context) {
        setUp(context, style, statusLoggers);
    }

    /** What logback-tool.xml or logback-daemon.xml sets up. */
    static void setUp(LoggerContext context, Style style, List<String> infoLoggers) {
        CliLogLayout layout = new CliLogLayout();
        layout.setContext(context);
        layout.useStyle(style);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        // As the tools' own output: event IDs stay readable under LANG=C (Java 17 would write ASCII).
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        if (style == Style.TOOL) {
            console.setName("STDERR");
            console.setTarget("System.err");
            context.getLogger("redis.clients").setLevel(Level.OFF);
            context.getLogger("org.apache.commons.pool2").setLevel(Level.OFF);
        } else {
            console.setName("STDOUT");
            for (String name : infoLoggers) {
                context.getLogger(name).setLevel(Level.INFO);
            }
        }
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
    }
}
