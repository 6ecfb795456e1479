package io.ecl.reader;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * ecl-core's log lines while a tool works with the library, for a block of code:
 * <ul>
 * <li>The level can be raised where the tool reports a problem itself: the library's warning
 * about a Redis outage ("counting in memory and retrying in the background") is right for an
 * application but would be a second, misleading line from a tool about to exit with its own.
 * <li>ERROR events are counted, because that is the only way a tool learns that the library
 * dropped counts on a data error (a key of the group holding a non-counter value): flush()
 * still reports success then, and the tool must not exit 0.
 * </ul>
 * {@link #restore()} puts the previous level back and detaches the counter, so tests running
 * several commands in one JVM are unaffected.
 */
final class LibraryLog {
    static final String CORE_LOGGER = "io.ecl.core";

    private final Logger logger;
    private final Level previous;
    private final boolean previousAdditive;
    private final ErrorCounter counter = new ErrorCounter();

    private LibraryLog(Logger logger, Level level) {
        this.logger = logger;
        this.previous = logger == null ? null : logger.getLevel();
        this.previousAdditive = logger == null || logger.isAdditive();
        if (logger != null) {
            if (Level.ERROR.equals(level)) {
                // Warnings are kept from the output but still seen, so that the tool can give
                // the reason in its own line (lastWarning); errors go to the output as before.
                logger.setLevel(Level.WARN);
                logger.setAdditive(false);
                counter.forwardTo = logger.getLoggerContext().getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            } else if (level != null) {
                logger.setLevel(level);
            }
            counter.setContext(logger.getLoggerContext());
            counter.start();
            logger.addAppender(counter);
        }
    }

    /**
     * Counts ecl-core's errors until {@link #restore()}; with a {@code level}, also shows only that
     * level and above (null keeps the configured level).
     */
    static LibraryLog watch(Level level) {
        org.slf4j.Logger l = LoggerFactory.getLogger(CORE_LOGGER);
        // Another SLF4J backend (someone replaced lib/logback-*.jar): leave its configuration alone.
        return new LibraryLog(l instanceof Logger ? (Logger) l : null, level);
    }

    /** ERROR events ecl-core logged since {@link #watch}. */
    int errors() {
        return counter.errors;
    }

    /**
     * The last warning ecl-core logged since {@link #watch}(ERROR) kept it from the output (e.g.
     * "Redis at HOST:PORT answered with an error: OOM ..."), or null.
     */
    String lastWarning() {
        return counter.lastWarning;
    }

    void restore() {
        if (logger != null) {
            logger.detachAppender(counter);
            counter.stop();
            logger.setLevel(previous);
            logger.setAdditive(previousAdditive);
        }
    }

    private static final class ErrorCounter extends AppenderBase<ILoggingEvent> {
        volatile int errors;
        volatile String lastWarning;
        /** Where events of level ERROR go on when the library's logger is not additive, else null. */
        Logger forwardTo;

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                errors++;
                if (forwardTo != null) {
                    forwardTo.callAppenders(event);
                }
            } else if (forwardTo != null && event.getLevel().isGreaterOrEqual(Level.WARN)) {
                lastWarning = event.getFormattedMessage();
            }
        }
    }
}
