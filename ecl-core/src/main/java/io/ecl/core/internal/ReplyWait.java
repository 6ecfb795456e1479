package io.ecl.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a direct-mode call waits for Redis' reply: a short busy-wait before the blocking read,
 * while a CPU is spare.
 *
 * <p>Why: a thread that blocks on a socket gives up its CPU, and on a virtual machine whose idle
 * CPUs halt (as on the 2-CPU VM of docs/benchmarks.md) the wake-up when the reply lands costs
 * more than a local round trip itself: measured there, an INCR answered in about 30 µs to a
 * reader polling its socket and in 85-90 µs to one blocked in read. The spin is
 * <ul>
 *   <li>bounded ({@code replySpin}, 50 µs by default): a reply that takes longer is read blocking;
 *   <li>made only while this process has fewer direct-mode calls under way than CPUs, so a
 *       spinning thread never takes the CPU that Redis, the application or another caller needs:
 *       with as many callers as CPUs, every one blocks as a plain client does, and a spinner stops
 *       as soon as that many are under way;
 *   <li>given up by a connection whose replies keep missing it (a Redis across a network): after
 *       {@link #MISSES_TO_PAUSE} misses in a row, it waits blocking for
 *       {@link #PAUSED_EXCHANGES} exchanges, then tries again.
 * </ul>
 * Never on TLS, whose socket tells only after a read whether a record has come.
 */
public final class ReplyWait {
    /** Spins that ran out in a row before a connection stops spinning for a while. */
    static final int MISSES_TO_PAUSE = 8;
    /** Exchanges a connection then waits blocking before it spins again. */
    static final int PAUSED_EXCHANGES = 1024;

    /** Never spins. */
    public static final ReplyWait NEVER = new ReplyWait(0, 0);

    /** Direct-mode calls under way in this process, of every logger. */
    private static final AtomicInteger UNDER_WAY = new AtomicInteger();

    private final long spinNanos;
    /** How the spins ended, by {@link #CAME}, {@link #RAN_OUT} and {@link #YIELDED}. */
    private final java.util.concurrent.atomic.LongAdder[] outcomes = {
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder()};
    /** Calls under way, at most, with which one spins: the CPUs less one. */
    private final int maxUnderWay;

    /**
     * @param spinNanos longest busy-wait per reply; 0: never
     * @param cpus the CPUs of the machine ({@link Runtime#availableProcessors})
     */
    public ReplyWait(long spinNanos, int cpus) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spin must not be negative");
        }
        this.spinNanos = spinNanos;
        this.maxUnderWay = cpus - 1;
    }

    /** A direct-mode call begins: until {@link #leave}, it counts against the spare CPUs. */
    static void enter() {
        UNDER_WAY.incrementAndGet();
    }

    static void leave() {
        UNDER_WAY.decrementAndGet();
    }

    /** Whether a reply now would be waited for spinning. */
    boolean spins() {
        return spinNanos > 0 && UNDER_WAY.get() <= maxUnderWay;
    }

    /** {@link #await}: the reply came while spinning (or the stream failed: the read that follows reports it). */
    public static final int CAME = 0;
    /** {@link #await}: the spin ran out. */
    public static final int RAN_OUT = 1;
    /** {@link #await}: more calls got under way than CPUs are spare; the spin stopped. */
    public static final int YIELDED = 2;

    /**
     * Busy-waits until {@code in} has a byte to read, for at most the spin, and only while a CPU
     * stays spare.
     */
    int await(InputStream in) {
        int outcome = spin(in);
        outcomes[outcome].increment();
        return outcome;
    }

    /** Spins so far that ended with {@code outcome} ({@link #CAME}, {@link #RAN_OUT}, {@link #YIELDED}). */
    public long spins(int outcome) {
        return outcomes[outcome].sum();
    }

    private int spin(InputStream in) {
        long end = System.nanoTime() + spinNanos;
        try {
            while (in.available() == 0) {
                if (System.nanoTime() - end >= 0) {
                    return RAN_OUT;
                }
                if (UNDER_WAY.get() > maxUnderWay) {
                    return YIELDED;
                }
                Thread.onSpinWait();
            }
        } catch (IOException e) {
            // a closed or failed socket: the read says which
        }
        return CAME;
    }

    /** The per-connection part: misses in a row, and the pause after too many. Not thread-safe. */
    static final class Link {
        private final ReplyWait wait;
        private int misses;
        private int paused;

        Link(ReplyWait wait) {
            this.wait = wait;
        }

        /** Waits for the first byte of a reply on {@code in} as the rules above say (then the caller reads). */
        void before(InputStream in) {
            if (paused > 0) {
                paused--;
                return;
            }
            if (!wait.spins()) {
                return;
            }
            int outcome = wait.await(in);
            if (outcome == CAME) {
                misses = 0;
            } else if (outcome == RAN_OUT && ++misses >= MISSES_TO_PAUSE) {
                misses = 0;
                paused = PAUSED_EXCHANGES;
            }
        }

        /** Whether the connection spins at all now (tests). */
        boolean paused() {
            return paused > 0;
        }
    }
}
