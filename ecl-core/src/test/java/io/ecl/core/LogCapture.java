package io.ecl.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures what ecl-core logs (every class logs as io.ecl.core.EventCountLogger) during a test. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level previousLevel;

    /** Captures WARN and above (the test configuration's level). */
    LogCapture() {
        this(null);
    }

    /** Captures {@code level} and above; null keeps the configured level. */
    LogCapture(Level level) {
        this(EventCountLogger.class, level);
    }

    /** Captures what {@code source}'s logger logs at {@code level} and above; null keeps the configured level. */
    LogCapture(Class<?> source, Level level) {
        logger = (Logger) LoggerFactory.getLogger(source);
        previousLevel = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        appender.start();
        logger.addAppender(appender);
    }

    /**
     * Everything logged on {@code thread}. Reads hold the appender's monitor, the one its
     * synchronized doAppend holds while it adds to the list (the list itself is not locked).
     */
    List<ILoggingEvent> onThread(String thread) {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getThreadName().equals(thread)).collect(Collectors.toList());
        }
    }

    /** Events at exactly {@code level}. */
    List<ILoggingEvent> at(Level level) {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel() == level).collect(Collectors.toList());
        }
    }

    /** Formatted messages at exactly {@code level}. */
    List<String> messages(Level level) {
        return at(level).stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    /** Messages at {@code level} that contain {@code text}. */
    List<String> messages(Level level, String text) {
        return messages(level).stream().filter(m -> m.contains(text)).collect(Collectors.toList());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
    }
}
