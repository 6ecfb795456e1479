package io.ecl.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM and SIGINT into a clean stop. A JVM shutdown hook would also run on them, but the
 * process would then exit with 143 or 130, which systemd records as a failure; handling the signal
 * lets the command return 0. A second signal while stopping ends the process at once.
 *
 * <p>SIGHUP ({@code systemctl reload}) runs the reload action instead of the JVM's default (which
 * would stop the process); reloads never overlap.
 */
public final class StopSignals implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopSignals() {
    }

    public static StopSignals install(Runnable onStop) {
        return install(onStop, null);
    }

    /** Like {@link #install(Runnable)}, and SIGHUP runs {@code onReload} when it is not null. */
    public static StopSignals install(Runnable onStop, Runnable onReload) {
        StopSignals s = new StopSignals();
        AtomicBoolean stopping = new AtomicBoolean();
        SignalHandler handler = signal -> {
            if (stopping.compareAndSet(false, true)) {
                onStop.run();
            } else {
                Runtime.getRuntime().halt(128 + signal.getNumber());
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            s.handle(name, handler);
        }
        if (onReload != null) {
            Object lock = new Object();
            s.handle("HUP", signal -> {
                synchronized (lock) {
                    onReload.run();
                }
            });
        }
        return s;
    }

    private void handle(String name, SignalHandler handler) {
        try {
            Signal signal = new Signal(name);
            previous.add(Signal.handle(signal, handler));
            signals.add(signal);
        } catch (IllegalArgumentException e) {
            // the signal is unknown here or reserved (java -Xrs): the JVM's default handling stays
        }
    }

    @Override
    public void close() {
        for (int k = 0; k < signals.size(); k++) {
            Signal.handle(signals.get(k), previous.get(k));
        }
    }
}
