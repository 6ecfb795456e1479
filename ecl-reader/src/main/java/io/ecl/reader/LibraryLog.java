package io.ecl.reader;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * The level of ecl-core's log lines while a tool works with the library, for a block of code. It
 * is raised where the tool reports a problem itself: the library's warning about a Redis outage
 * ("counting in memory and retrying in the background") is right for an application but would be
 * a second, misleading line from a tool about to exit with its own. What the tool needs to know
 * (a data error, why Redis failed) it reads from the logger's {@code health()}, not from the log.
 * {@link #restore()} puts the previous level back, so tests running several commands in one JVM
 * are unaffected.
 */
final class LibraryLog {
    static final String CORE_LOGGER = "io.ecl.core";

    private final Logger logger;
    private final Level previous;

    private LibraryLog(Logger logger, Level level) {
        this.logger = logger;
        this.previous = logger == null ? null : logger.getLevel();
        if (logger != null) {
            logger.setLevel(level);
        }
    }

    /** Shows only ecl-core's lines of {@code level} and above until {@link #restore()}. */
    static LibraryLog only(Level level) {
        org.slf4j.Logger l = LoggerFactory.getLogger(CORE_LOGGER);
        // Another SLF4J backend (someone replaced lib/logback-*.jar): leave its configuration alone.
        return new LibraryLog(l instanceof Logger ? (Logger) l : null, level);
    }

    void restore() {
        if (logger != null) {
            logger.setLevel(previous);
        }
    }
}
