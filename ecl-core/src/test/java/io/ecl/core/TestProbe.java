package io.ecl.core;

import io.ecl.core.internal.Probe;

/** The probe every test logger gets: a test sets a hook, the flusher runs it at that point. */
final class TestProbe implements Probe {
    /** Runs between the two round trips of a flush transaction (a rotation comes in between). */
    volatile Runnable afterRead;
    /** Runs once EXEC has answered, before the reply is used (may throw: the reply is lost). */
    volatile Runnable afterExec;

    @Override
    public void afterRead() {
        Runnable r = afterRead;
        if (r != null) {
            r.run();
        }
    }

    @Override
    public void afterExec() {
        Runnable r = afterExec;
        if (r != null) {
            r.run();
        }
    }
}
