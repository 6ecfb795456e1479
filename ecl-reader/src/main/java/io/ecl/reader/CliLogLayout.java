package io.ecl.reader;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import io.ecl.cli.Cli;

/**
 * The Logback layout of the command-line tools (see logback.xml): {@code WARNING: message} and
 * {@code ERROR: message}, like the tools' own messages and the Python tools' output. No
 * timestamp, thread or logger name: these lines are read by people at a terminal and by cron
 * mail, not by a log collector. A stack trace follows only when a tool runs with {@code -v}.
 *
 * <p>A class rather than a pattern: a pattern cannot spell WARN as WARNING, and this is cheaper
 * to set up than two filtered appenders.
 */
public final class CliLogLayout extends LayoutBase<ILoggingEvent> {
    @Override
    public String doLayout(ILoggingEvent event) {
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
}
