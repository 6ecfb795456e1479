package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.ops.Rotator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.resps.Slowlog;

/**
 * The figures of history in Redis, measured through real rotations:
 * <ol>
 * <li>MEMORY USAGE of a full history: for 10 and 10,000 events, the {@code @hist} list of one
 * (group, interval) with history 120, each of the 120 intervals with every event logged (counts 1 to
 * 1,000, so every event has a count in every entry); the bytes per entry and the line
 * a + b × events through both points.</li>
 * <li>The rotation of 10,000 events with history 120 against the same without history, in pairs
 * (one of each, alternately, after the history is full), so that a machine busy with other work
 * slows both alike: the median wall time of each, and Redis' own execution time of each script
 * call (SLOWLOG with a threshold of 0), which other processes' load hardly touches.</li>
 * </ol>
 *
 * <pre>
 * java -cp ecl-bench/target/ecl-bench.jar io.ecl.bench.HistoryFigures [PAIRS]
 * </pre>
 * Uses the Redis of {@code -Decl.bench.redis=HOST:PORT} (its database is flushed), else an embedded one.
 */
public final class HistoryFigures {
    static final int HISTORY = 120;

    private HistoryFigures() {
    }

    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        try (RedisClient raw = BenchRedis.client()) {
            System.out.println("Redis " + raw.info("server").lines().filter(l -> l.startsWith("redis_version:"))
                    .findFirst().orElse("?").substring("redis_version:".length()).trim());
            memory(raw);
            rotation(raw, pairs);
            raw.flushDB();
        }
        System.exit(0);
    }

    private static void memory(RedisClient raw) {
        int[] sizes = {10, 10_000};
        double[] perEntry = new double[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            raw.flushDB();
            Pair p = new Pair("mem", sizes[k], HISTORY);
            // The first rotation after the pair's first has no start for what last holds: one more.
            for (int r = 0; r <= HISTORY; r++) {
                p.logInterval(r);
                p.rotate();
            }
            p.close();
            long length = raw.llen("mem:5s:@hist");
            if (length != HISTORY) {
                throw new IllegalStateException("expected " + HISTORY + " entries, found " + length);
            }
            long usage = raw.memoryUsage("mem:5s:@hist", 0);
            perEntry[k] = (double) usage / HISTORY;
            System.out.printf("%,d events, history %d: MEMORY USAGE of @hist %,d bytes (%,.0f per entry)%n",
                    sizes[k], HISTORY, usage, perEntry[k]);
        }
        double b = (perEntry[1] - perEntry[0]) / (sizes[1] - sizes[0]);
        double a = perEntry[0] - b * sizes[0];
        System.out.printf("bytes per entry ~ %.0f + %.1f x events with nonzero counts%n", a, b);
    }

    private static void rotation(RedisClient raw, int pairs) {
        raw.flushDB();
        Pair without = new Pair("h0", RotationBench.EVENTS, 0);
        Pair with = new Pair("h120", RotationBench.EVENTS, HISTORY);
        for (int r = 0; r < HISTORY + 10; r++) { // fills the history (then each push also trims)
            without.logInterval(r);
            with.logInterval(r);
            without.rotate();
            with.rotate();
        }
        redis.clients.jedis.Jedis admin = new redis.clients.jedis.Jedis(BenchRedis.host(), BenchRedis.port());
        admin.configSet("slowlog-log-slower-than", "0");
        admin.configSet("slowlog-max-len", "100");
        long[][] wall = new long[2][pairs];
        long[][] server = new long[2][pairs];
        long[] totals = new long[pairs];
        // What the totals add to every rotation, history or not: one HINCRBY per closed count,
        // timed alone on a scratch hash (a script of the same HINCRBYs as close_interval's).
        String hincrbys = "for i = 1, #ARGV do redis.call('HINCRBY', KEYS[1], ARGV[i], i % 1000 + 1) end"
                + " redis.call('DEL', KEYS[1])";
        List<String> ids = Arrays.asList(FlushBench.eventIds(RotationBench.EVENTS));
        try {
            for (int k = 0; k < pairs; k++) {
                Pair[] order = k % 2 == 0 ? new Pair[] {without, with} : new Pair[] {with, without};
                for (Pair p : order) {
                    p.logInterval(k);
                }
                for (Pair p : order) {
                    int which = p == without ? 0 : 1;
                    admin.slowlogReset();
                    long t = System.nanoTime();
                    p.rotate();
                    wall[which][k] = System.nanoTime() - t;
                    server[which][k] = scriptMicros(admin.slowlogGet(10));
                }
                admin.slowlogReset();
                raw.eval(hincrbys, List.of("bench:totals"), ids);
                totals[k] = scriptMicros(admin.slowlogGet(10));
            }
        } finally {
            admin.configSet("slowlog-log-slower-than", "10000");
            admin.configSet("slowlog-max-len", "128");
            admin.close();
            without.close();
            with.close();
        }
        double w0 = median(wall[0]) / 1e6;
        double w1 = median(wall[1]) / 1e6;
        double s0 = median(server[0]) / 1e3;
        double s1 = median(server[1]) / 1e3;
        System.out.printf("rotation of %,d events, %d pairs: without history %.1f ms, with history %d %.1f ms"
                + " (median wall time; ratio %.2f); Redis' time %.1f ms and %.1f ms (ratio %.2f); of which the"
                + " totals' %,d HINCRBY about %.1f ms%n",
                RotationBench.EVENTS, pairs, w0, HISTORY, w1, w1 / w0, s0, s1, s1 / s0, RotationBench.EVENTS,
                median(totals) / 1e3);
    }

    /** The execution time of the rotation script (the longest command the slow log holds). */
    private static long scriptMicros(List<Slowlog> log) {
        long max = 0;
        for (Slowlog s : log) {
            if (!s.getArgs().isEmpty() && s.getArgs().get(0).toLowerCase(java.util.Locale.ROOT).startsWith("eval")) {
                max = Math.max(max, s.getExecutionTime());
            }
        }
        return max;
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    /** One (group, interval) of auto-declared events with its logger and rotator, stepped interval by interval. */
    private static final class Pair {
        final String[] ids;
        final GroupConfig group;
        final Interval interval;
        final MutableClock clock;
        final EventCountLogger ecl;
        final EventGroup logGroup;
        final Rotator rotator;
        long open;

        Pair(String name, int events, int history) {
            ids = FlushBench.eventIds(events);
            group = GroupConfig.builder(name).autoDeclareEvents(true).intervals("5s")
                    .syncInterval(Duration.ofHours(1)).history(history).build();
            interval = group.intervals().get(0);
            EclConfig config = EclConfig.builder().redis(BenchRedis.config()).group(group).build();
            open = interval.startOf(System.currentTimeMillis());
            clock = new MutableClock(open + 1);
            rotator = Rotator.connect(config.redis());
            rotator.rotate(group, interval, open);
            ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook().withoutHeartbeat().build();
            logGroup = ecl.group(name);
        }

        /** Every event logged in the open interval, 1 to 1,000 times (varying with {@code round}), delivered. */
        void logInterval(int round) {
            clock.set(open + 1);
            ecl.flush();
            for (int i = 0; i < ids.length; i++) {
                logGroup.log(ids[i], 1 + (i * 7919L + round) % 1000);
            }
            if (!ecl.flush()) {
                throw new IllegalStateException("counts were not delivered");
            }
        }

        void rotate() {
            open += interval.lengthMillis();
            if (!rotator.rotate(group, interval, open).rotated()) {
                throw new IllegalStateException("boundary " + open + " was not rotated");
            }
        }

        void close() {
            Loggers.close(ecl);
            rotator.close();
        }
    }
}
