package io.ecl.core.internal;

/**
 * Points in the flusher's work where a test may step in (rotate, cut Redis, stop the process): the
 * one way tests reach inside a running logger. Production loggers use {@link #NONE}. Given to the
 * logger when it is built (a package-private builder option), so no production class has a
 * settable hook.
 */
public interface Probe {
    Probe NONE = new Probe() { };

    /** Between the two round trips of a flush transaction: after the read, before MULTI/EXEC. */
    default void afterRead() {
    }

    /** Once EXEC has answered, before its reply is used (throwing here loses the reply, as a dead connection would). */
    default void afterExec() {
    }
}
