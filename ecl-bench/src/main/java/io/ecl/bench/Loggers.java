package io.ecl.bench;

import io.ecl.core.EventCountLogger;

/**
 * Closing the loggers the benchmarks create, in a thread of their own and given up on after 15 s:
 * a close() that hangs must not hang a JMH fork for good, and must not go unnoticed either, so a
 * marker line tells the suite, which reports it under the table. (The benchmarks found such a hang:
 * close() and a flusher that was sending deadlocked, in 5 of 20 closes under sustained logging with
 * sync_limit, before ecl-core's fix "fix deadlock between close() and a flusher that is sending".)
 */
final class Loggers {
    /** Printed to stderr (which JMH copies into its log) when close() did not return. */
    static final String HANG_MARKER = "ECL-BENCH: EventCountLogger.close() did not return within";

    private Loggers() {
    }

    static void close(EventCountLogger ecl) {
        Thread t = new Thread(ecl::close, "ecl-bench-close");
        t.setDaemon(true);
        t.start();
        try {
            t.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            System.err.println(HANG_MARKER + " 15 s; abandoned");
        }
    }
}
