package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.ops.Rotator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * The master's work at one boundary of one (group, interval) whose 10,000 events are all
 * auto-declared and were all logged during the interval (so each rotation also replaces the 10,000
 * {@code last} counters of the interval before). Run with and without 200,000 unrelated keys in
 * the database: a rotation that scanned the keyspace (as Python's does) would slow down with them;
 * with {@code history} 120, what keeping a history adds; with 100,000 events, how the time grows.
 */
@State(Scope.Benchmark)
// Sample mode: every operation is timed, so the suite can report the median, which a GC pause or
// a moment when Redis and the benchmark thread compete for the 2 cores does not move.
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RotationBench {
    static final int EVENTS = 10_000;

    @Param({"0", "200000"})
    public int unrelatedKeys;

    /** Events logged in each interval (all auto-declared): the figure's 10,000, or 100,000 for the size row. */
    @Param({"10000"})
    public int events = EVENTS;

    /**
     * The group's {@code history}: 0, or 120 for the history row. With 120 the list is full before
     * the first measured rotation (copies of a real entry), so each rotation also trims the oldest.
     */
    @Param({"0"})
    public int history;

    private String[] ids;
    private GroupConfig group;
    private Interval interval;
    private MutableClock clock;
    private EventCountLogger ecl;
    private EventGroup logGroup;
    private Rotator rotator;
    /** Start of the interval open in Redis; each rotation opens the next one. */
    private long open;

    @Setup(Level.Trial)
    public void setUp() {
        ids = FlushBench.eventIds(events);
        try (RedisClient raw = BenchRedis.client()) {
            raw.flushDB();
            fillUnrelated(raw, unrelatedKeys);
        }
        group = GroupConfig.builder("rot").autoDeclareEvents(true).intervals("5s")
                .syncInterval(Duration.ofHours(1)).history(history).build();
        interval = group.intervals().get(0);
        EclConfig config = EclConfig.builder().redis(BenchRedis.config()).group(group).build();
        open = interval.startOf(System.currentTimeMillis());
        clock = new MutableClock(open + 1);
        // 100,000 events take a script of hundreds of ms, seconds on a busy machine: more than the
        // default 2 s a request may take, which is the master's business, not this figure's.
        rotator = Rotator.connect(config.redis().toBuilder().timeoutMillis(30_000).build());
        if (!rotator.rotate(group, interval, open).rotated()) {
            throw new IllegalStateException("the first rotation did not happen");
        }
        ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook().withoutHeartbeat().build();
        logGroup = ecl.group("rot");
        if (history > 0) {
            fillHistory();
        }
    }

    /**
     * Two rotations of a full interval put one real entry of {@code events} counts in the list (an
     * interval enters it when the next rotation retires it from last); copies of it fill the list
     * to {@code history}, as after {@code history} intervals of the same traffic.
     */
    private void fillHistory() {
        for (int i = 0; i < 2; i++) {
            logInterval();
            rotate();
        }
        String key = "rot:5s:@hist";
        try (RedisClient raw = BenchRedis.client()) {
            String entry = raw.lindex(key, 0);
            if (entry == null) {
                throw new IllegalStateException(key + " holds no entry after two rotations");
            }
            try (AbstractPipeline p = raw.pipelined()) {
                for (long n = raw.llen(key); n < history; n++) {
                    p.lpush(key, entry);
                }
                p.sync();
            }
            if (raw.llen(key) != history) {
                throw new IllegalStateException(key + " holds " + raw.llen(key) + " entries, not " + history);
            }
        }
    }

    /** The auto-declared events logged during the open interval, delivered (not measured). */
    @Setup(Level.Invocation)
    public void logInterval() {
        clock.set(open + 1);
        ecl.flush(); // switches the logger to the interval now open
        for (String id : ids) {
            logGroup.log(id);
        }
        if (!ecl.flush()) {
            throw new IllegalStateException("counts were not delivered");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Loggers.close(ecl);
        rotator.close();
    }

    @Benchmark
    public Rotator.Result rotate() {
        long next = open + interval.lengthMillis();
        Rotator.Result r = rotator.rotate(group, interval, next);
        if (!r.rotated()) {
            throw new IllegalStateException("boundary " + next + " was not rotated");
        }
        open = next;
        return r;
    }

    /** Plain string keys outside every ecl group, written with MSET in pipelined batches. */
    static void fillUnrelated(RedisClient raw, int n) {
        int batch = 1000;
        try (AbstractPipeline p = raw.pipelined()) {
            for (int start = 0; start < n; start += batch) {
                int end = Math.min(n, start + batch);
                String[] kv = new String[2 * (end - start)];
                for (int i = start; i < end; i++) {
                    kv[2 * (i - start)] = "bench:other:" + i;
                    kv[2 * (i - start) + 1] = "x";
                }
                p.mset(kv);
            }
            p.sync();
        }
        if (raw.dbSize() < n) {
            throw new IllegalStateException("expected at least " + n + " keys, found " + raw.dbSize());
        }
    }
}
