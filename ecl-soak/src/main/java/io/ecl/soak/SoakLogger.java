package io.ecl.soak;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import sun.misc.Signal;

/**
 * One logging process of the soak (run as a child JVM): a thread logging through local counters
 * and a thread logging in direct mode, each recording the truth — how many events it logged in
 * which second by the same wall clock the library uses. An event whose log() call starts or
 * ends within the tolerance window of a second boundary is recorded as ambiguous for that
 * boundary (the library switches epochs when its background thread wakes at the boundary).
 * On SIGTERM it stops, closes the logger (which flushes) and writes its account.
 *
 * <p>Usage: {@code SoakLogger CONFIG OUTFILE LOCAL_GROUP DIRECT_GROUP START_SECOND SECONDS WINDOW_MS}
 */
public final class SoakLogger {
    /** Printed once both threads log. */
    static final String LOGGING = "logging";
    static final String[] LOCAL_EVENTS = {"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"};
    static final String[] DIRECT_EVENTS = {"a", "b", "c"};
    /** Threads logging to the direct-mode group in a logger process (but the first, which has one). */
    static final int DIRECT_THREADS = 3;
    /** The unique count every logger feeds: a new value every {@link #UNIQUE_EVERY} events. */
    static final String UNIQUE = "visitors";
    static final int UNIQUE_EVERY = 16;
    /** The value statistics every logger feeds with each unique value: 0.5 each time, so count and sum are known exactly. */
    static final String VALUE = "latency";
    /** Makes this process's values distinct from every other logger's. */
    private static final String VALUE_TAG = ProcessHandle.current().pid() + "." + Long.toHexString(System.nanoTime());

    private final long startSecond;
    private final int windowMs;
    private volatile boolean stop;

    /** Truth of one thread: counts per second (certain) and per boundary (ambiguous). */
    static final class Truth {
        final long[] certain;
        final long[] ambiguous;
        long logged;
        /** Distinct values logged to the unique count. */
        long distinct;

        Truth(int seconds) {
            certain = new long[seconds];
            ambiguous = new long[seconds + 1];
        }
    }

    private SoakLogger(long startSecond, int windowMs) {
        this.startSecond = startSecond;
        this.windowMs = windowMs;
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String localGroup = args[2];
        String directGroup = args[3];
        long startSecond = Long.parseLong(args[4]);
        int seconds = Integer.parseInt(args[5]);
        int windowMs = Integer.parseInt(args[6]);
        int directThreads = args.length > 7 ? Integer.parseInt(args[7]) : DIRECT_THREADS;
        SoakLogger soak = new SoakLogger(startSecond, windowMs);
        Signal.handle(new Signal("TERM"), s -> soak.stop = true);
        EclConfig cfg = EclConfig.load(config);
        EventCountLogger ecl = EventCountLogger.builder(cfg).withoutShutdownHook()
                .closeTimeout(Duration.ofSeconds(20)).build();
        Truth local = new Truth(seconds);
        Thread lt = new Thread(() -> soak.run(ecl.group(localGroup), LOCAL_EVENTS, local, 500, 2_000_000L, "l"), "local");
        // Several direct-mode threads, so that calls are in flight on several of the group's
        // connections at once and carried together, through every fault the soak injects.
        Truth[] direct = new Truth[directThreads];
        Thread[] dt = new Thread[directThreads];
        for (int k = 0; k < directThreads; k++) {
            Truth t = direct[k] = new Truth(seconds);
            String tag = "d" + k;
            dt[k] = new Thread(() -> soak.run(ecl.group(directGroup), DIRECT_EVENTS, t, 1, 0, tag), "direct-" + k);
        }
        lt.start();
        for (Thread t : dt) {
            t.start();
        }
        System.out.println(LOGGING); // the soak waits for this line before injecting faults
        System.out.flush();
        lt.join();
        long directLogged = 0;
        for (int k = 0; k < directThreads; k++) {
            dt[k].join();
            directLogged += direct[k].logged;
        }
        ecl.close();
        long dropped = ecl.droppedCount();
        System.out.println("closed: local logged " + local.logged + ", direct logged " + directLogged
                + ", pending after close " + ecl.pendingCount() + ", dropped " + dropped);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            write(w, localGroup, local, dropped);
            for (Truth t : direct) {
                write(w, directGroup, t, 0); // the accounts add up every block of a group
            }
        }
        System.exit(0);
    }

    /** Logs {@code burst} events, then pauses {@code pauseNanos}, so the soak loads but does not starve the machine. */
    private void run(EventGroup group, String[] events, Truth truth, int burst, long pauseNanos, String thread) {
        int i = 0;
        while (!stop) {
            for (int n = 0; n < burst; n++) {
                long t0 = System.currentTimeMillis();
                group.log(events[i]);
                i = i + 1 == events.length ? 0 : i + 1;
                long t1 = System.currentTimeMillis();
                record(truth, t0, t1);
                if (truth.logged % UNIQUE_EVERY == 0) {
                    group.logUnique(UNIQUE, VALUE_TAG + "-" + group.name() + "-" + thread + "-" + truth.distinct++);
                    group.logValue(VALUE, 0.5);
                }
            }
            if (pauseNanos > 0) {
                LockSupport.parkNanos(pauseNanos);
            }
        }
    }

    private void record(Truth truth, long t0, long t1) {
        truth.logged++;
        long s0 = t0 / 1000;
        long s1 = t1 / 1000;
        if (s0 == s1 && t0 % 1000 >= windowMs && t1 % 1000 < 1000 - windowMs) {
            truth.certain[index(truth.certain, s0)]++;
        } else {
            // the nearest boundary
            long b = (t0 % 1000 >= 500 && s0 == s1) ? s0 + 1 : s1;
            truth.ambiguous[index(truth.ambiguous, b)]++;
        }
    }

    private int index(long[] a, long second) {
        long i = second - startSecond;
        if (i < 0 || i >= a.length) {
            throw new IllegalStateException("second " + second + " outside the soak (" + startSecond + "+" + a.length + ")");
        }
        return (int) i;
    }

    private static void write(PrintWriter w, String group, Truth t, long dropped) {
        w.println("group " + group);
        w.println("logged " + t.logged);
        w.println("dropped " + dropped);
        w.println("distinct " + t.distinct);
        for (int i = 0; i < t.certain.length; i++) {
            if (t.certain[i] != 0) {
                w.println("certain " + i + " " + t.certain[i]);
            }
        }
        for (int i = 0; i < t.ambiguous.length; i++) {
            if (t.ambiguous[i] != 0) {
                w.println("ambiguous " + i + " " + t.ambiguous[i]);
            }
        }
    }

    static void readInto(Path file, java.util.Map<String, Account> accounts) throws IOException {
        Account cur = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] p = line.split(" ");
            switch (p[0]) {
                case "group": cur = accounts.computeIfAbsent(p[1], g -> new Account()); break;
                case "logged": cur.logged += Long.parseLong(p[1]); break;
                case "dropped": cur.dropped += Long.parseLong(p[1]); break;
                case "distinct": cur.distinct += Long.parseLong(p[1]); break;
                case "certain": cur.certain.merge(Integer.parseInt(p[1]), Long.parseLong(p[2]), Long::sum); break;
                case "ambiguous": cur.ambiguous.merge(Integer.parseInt(p[1]), Long.parseLong(p[2]), Long::sum); break;
                default: throw new IOException(file + ": unexpected line '" + line + "'");
            }
        }
    }

    /** The truth of one group summed over logger processes; indexes are seconds since the soak's start. */
    static final class Account {
        long logged;
        long dropped;
        long distinct;
        final java.util.TreeMap<Integer, Long> certain = new java.util.TreeMap<>();
        final java.util.TreeMap<Integer, Long> ambiguous = new java.util.TreeMap<>();
    }
}
