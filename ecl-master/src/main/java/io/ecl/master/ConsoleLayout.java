package io.ecl.master;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The log format of the CLIs on stdout. Under systemd (the {@code JOURNAL_STREAM} environment
 * variable is set) each line starts with a syslog priority such as {@code <4>}, which journald
 * turns into the entry's priority, and carries no timestamp because the journal adds one. Elsewhere
 * a line reads {@code 2024-05-01 12:00:05.003 WARN  message}.
 */
public final class ConsoleLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private Boolean journal;
    private ZoneId zone = ZoneId.systemDefault();

    /** Forces the journald format on or off; by default it follows {@code JOURNAL_STREAM}. */
    public void setJournal(boolean journal) {
        this.journal = journal;
    }

    @Override
    public void start() {
        if (journal == null) {
            String stream = System.getenv("JOURNAL_STREAM");
            journal = stream != null && !stream.isEmpty();
        }
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder b = new StringBuilder(128);
        String prefix;
        if (Boolean.TRUE.equals(journal)) {
            prefix = "<" + priority(event.getLevel()) + ">";
            b.append(prefix);
        } else {
            prefix = "";
            TIME.formatTo(Instant.ofEpochMilli(event.getTimeStamp()).atZone(zone), b);
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
