package io.ecl.bench;

/**
 * Redis' own execution time of each operation (INFO commandstats, reset right before the
 * operation), by calling the benchmark classes' set-up and operations directly, outside JMH:
 * the statistics then hold exactly the measured operations, none of the set-up's commands.
 * Only on the suite's embedded Redis (CONFIG RESETSTAT would reset a shared server's statistics).
 */
final class ServerTime {
    private ServerTime() {
    }

    /** Microseconds Redis spends executing {@code command} per call of {@code op}, over {@code n} calls. */
    private static double usecPer(String command, int n, Runnable op) {
        return usecPer(new String[] {command}, n, op);
    }

    /** Redis' time in {@code commands} (top-level ones: EXEC's time includes the commands it runs). */
    private static double usecPer(String[] commands, int n, Runnable op) {
        RedisStats.reset();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        java.util.Map<String, RedisStats.Stat> stats = RedisStats.read();
        long usec = 0;
        for (String c : commands) {
            usec += RedisStats.of(stats, c).usec;
        }
        return (double) usec / n;
    }

    /** What a flush sends outside a transaction (the INCRBYs inside it are timed as part of EXEC). */
    private static final String[] FLUSH_COMMANDS = {"watch", "mget", "multi", "exec", "unwatch", "evalsha", "eval"};

    /**
     * What a direct-mode log() sends: MULTI/EXEC (EXEC's time includes the INCRBY and HSET it runs),
     * then WATCH and MGET for the next call; direct.lua, the first call of an interval.
     */
    private static final String[] DIRECT_COMMANDS = {"multi", "exec", "watch", "mget", "unwatch", "evalsha", "eval"};

    /** {log() in direct mode, raw INCR}, µs per call. */
    static double[] direct() {
        DirectLogBench b = new DirectLogBench();
        b.setUp();
        try {
            b.log(); // the first call of the group takes direct.lua and begins the watch
            return new double[] {usecPer(DIRECT_COMMANDS, 2000, b::log), usecPer("incr", 2000, b::rawIncr)};
        } finally {
            b.tearDown();
        }
    }

    /** {flush() of 10,000 declared events × 3 intervals, the raw pipeline of 30,000 INCRBY}, µs each. */
    static double[] flush() {
        FlushBench b = new FlushBench();
        b.events = "declared";
        b.setUp();
        try {
            double flush = 0;
            double raw = 0;
            int n = 5;
            for (int i = 0; i < n; i++) {
                b.logAll();
                flush += usecPer(FLUSH_COMMANDS, 1, b::flush);
                raw += usecPer("incrby", 1, b::rawPipeline);
            }
            return new double[] {flush / n, raw / n};
        } finally {
            b.tearDown();
        }
    }

    /**
     * {flush of 1,000 unique counts and 1,000 values × 3 intervals, of which the transaction (the
     * sketches), of which log.lua (the value hashes), rotation of their 5 s interval}, µs each.
     */
    static double[] kinds() {
        KindsFlushBench b = new KindsFlushBench();
        b.setUp();
        try {
            double flush = 0;
            double tx = 0;
            double scripts = 0;
            double rotation = 0;
            int n = 3;
            for (int i = 0; i < n; i++) {
                b.logAll();
                RedisStats.reset();
                b.flush();
                java.util.Map<String, RedisStats.Stat> stats = RedisStats.read();
                for (String c : FLUSH_COMMANDS) {
                    flush += RedisStats.of(stats, c).usec;
                }
                tx += RedisStats.of(stats, "exec").usec;
                scripts += RedisStats.of(stats, "evalsha").usec + RedisStats.of(stats, "eval").usec;
                rotation += usecPer(new String[] {"evalsha", "eval"}, 1, () -> b.rotateShortest());
            }
            return new double[] {flush / n, tx / n, scripts / n, rotation / n};
        } finally {
            b.tearDown();
        }
    }

    /** One rotation of 10,000 auto-declared events, µs, with {@code unrelatedKeys} other keys. */
    static double rotation(int unrelatedKeys) {
        RotationBench b = new RotationBench();
        b.unrelatedKeys = unrelatedKeys;
        b.events = RotationBench.EVENTS;
        b.setUp();
        try {
            double total = 0;
            int n = 5;
            b.logInterval();
            b.rotate(); // the first rotation has no last counters to drop; steady state from the second
            for (int i = 0; i < n; i++) {
                b.logInterval();
                total += usecPer("evalsha", 1, b::rotate);
            }
            return total / n;
        } finally {
            b.tearDown();
        }
    }

    /** One read of 10,000 auto-declared events, µs. */
    static double read() {
        ReaderBench b = new ReaderBench();
        b.setUp();
        try {
            return usecPer("evalsha", 5, b::read);
        } finally {
            b.tearDown();
        }
    }
}
