package io.ecl.reader;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises the level of ecl-core's loggers for a block, where a tool reports a problem itself: the
 * library's warning about a Redis outage ("counting in memory and retrying in the background")
 * is right for an application but would be a second, misleading line from a tool that is about to
 * exit with its own error. {@link #restore()} puts the previous level back, so tests running
 * several commands in one JVM are unaffected.
 */
final class LibraryLogLevel {
    static final String CORE_LOGGER = "io.ecl.core";

    private final Logger logger;
    private final Level previous;

    private LibraryLogLevel(Logger logger, Level level) {
        this.logger = logger;
        this.previous = logger == null ? null : logger.getLevel();
        if (logger != null) {
            logger.setLevel(level);
        }
    }

    /** Shows only {@code level} and above from ecl-core until {@link #restore()}. */
    static LibraryLogLevel atLeast(Level level) {
        org.slf4j.Logger l = LoggerFactory.getLogger(CORE_LOGGER);
        // Another SLF4J backend (someone replaced lib/logback-*.jar): leave its configuration alone.
        return new LibraryLogLevel(l instanceof Logger ? (Logger) l : null, level);
    }

    void restore() {
        if (logger != null) {
            logger.setLevel(previous);
        }
    }
}
