package io.ecl.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The Logback layout of every ecl command-line tool, in one of two styles (see
 * {@link CliLogConfigurator.Style}):
 * <ul>
 * <li>{@code tool} (the default; ecl-reader, ecl-log-event): {@code WARNING: message} and
 *     {@code ERROR: message}, like the tools' own messages and the Python tools' output. No
 *     timestamp, thread or logger name: these lines are read by people at a terminal and by cron
 *     mail. A stack trace follows only when the tool runs with {@code -v} ({@link Cli#stackTraces}).
 * <li>{@code daemon} (ecl-master, ecl-demo): under systemd (the {@code JOURNAL_STREAM} environment
 *     variable is set) each line starts with a syslog priority such as {@code <4>}, which journald
 *     turns into the entry's priority, and carries no timestamp because the journal adds one.
 *     Elsewhere a line reads {@code 2024-05-01 12:00:05.003 WARN  message}. Stack traces always
 *     follow: a daemon's log is read after the fact, when -v is too late.
 * </ul>
 * In a Logback file: {@code <layout class="io.ecl.cli.CliLogLayout"><style>daemon</style></layout>}.
 *
 * <p>A class rather than a pattern: a pattern cannot spell WARN as WARNING nor pick the journald
 * format at run time, and this is cheaper to set up than filtered appenders.
 */
public class CliLogLayout extends LayoutBase<ILoggingEvent> {
    /**
     * The daemon style's timestamps, in a class of their own: the tools (tool style) then never load
     * java.time's formatting and time-zone rules, which would cost a short-lived tool's start-up.
     */
    private static final class Timestamps {
        static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
        static final ZoneId ZONE = ZoneId.systemDefault();
    }

    private CliLogConfigurator.Style style = CliLogConfigurator.Style.TOOL;
    private Boolean journal;

    /** {@code tool} or {@code daemon} (any case), from a Logback file. */
    public void setStyle(String style) {
        try {
            this.style = CliLogConfigurator.Style.valueOf(style.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            addError("CliLogLayout: unknown style '" + style + "' (expected tool or daemon); keeping " + styleName());
        }
    }

    /** The style in code (a second setter named setStyle would confuse Logback's XML binding). */
    public void useStyle(CliLogConfigurator.Style style) {
        this.style = style;
    }

    /** The style's name as a Logback file spells it. */
    public String styleName() {
        return style.name().toLowerCase(Locale.ROOT);
    }

    /** Daemon style: forces the journald format on or off; by default it follows {@code JOURNAL_STREAM}. */
    public void setJournal(boolean journal) {
        this.journal = journal;
    }

    @Override
    public void start() {
        if (journal == null && style == CliLogConfigurator.Style.DAEMON) {
            String stream = System.getenv("JOURNAL_STREAM");
            journal = stream != null && !stream.isEmpty();
        }
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        return style == CliLogConfigurator.Style.DAEMON ? daemonLine(event) : toolLine(event);
    }

    private static String toolLine(ILoggingEvent event) {
        Level level = event.getLevel();
        StringBuilder b = new StringBuilder(128);
        b.append(level == Level.WARN ? "WARNING" : level.toString()).append(": ").append(event.getFormattedMessage());
        b.append('\n');
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null && Cli.stackTraces) {
            b.append(ThrowableProxyUtil.asString(t)).append('\n');
        }
        return b.toString();
    }

    private String daemonLine(ILoggingEvent event) {
        StringBuilder b = new StringBuilder(128);
        String prefix;
        if (Boolean.TRUE.equals(journal)) {
            prefix = "<" + priority(event.getLevel()) + ">";
            b.append(prefix);
        } else {
            prefix = "";
            Timestamps.TIME.formatTo(Instant.ofEpochMilli(event.getTimeStamp()).atZone(Timestamps.ZONE), b);
            b.append(' ');
            String level = event.getLevel().toString();
            b.append(level);
            for (int k = level.length(); k < 5; k++) {
                b.append(' ');
            }
            b.append(' ');
        }
        b.append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            // journald reads the priority of every line separately: the stack trace keeps the event's priority.
            for (String line : ThrowableProxyUtil.asString(t).split("\\R")) {
                b.append(prefix).append(line).append(CoreConstants.LINE_SEPARATOR);
            }
        }
        return b.toString();
    }

    /** The syslog priority journald expects: 3 err, 4 warning, 6 info, 7 debug. */
    static int priority(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return 3;
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return 4;
        }
        if (level.isGreaterOrEqual(Level.INFO)) {
            return 6;
        }
        return 7;
    }
}
