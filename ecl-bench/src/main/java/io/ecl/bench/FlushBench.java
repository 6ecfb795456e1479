package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import java.time.Duration;
import java.util.Arrays;
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
 * {@link EventCountLogger#flush()} of 10,000 distinct events in a group of 3 intervals, against
 * one raw Jedis pipeline of the 30,000 INCRBY it amounts to. Each flush starts from 10,000 fresh
 * local counts, logged in the invocation's set-up (not measured).
 */
@State(Scope.Benchmark)
// Sample mode: every operation is timed, so the suite can report the median, which a GC pause or
// a moment when Redis and the benchmark thread compete for the 2 cores does not move.
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FlushBench {
    static final int EVENTS = 10_000;
    static final String[] INTERVALS = {"5s", "1m", "5m"};

    /** declared: events listed in the config (the figure); auto: auto-declared, which also registers each ID. */
    @Param({"declared"})
    public String events;

    private String[] ids;
    private String[] rawKeys;
    private RedisClient raw;
    private EventCountLogger ecl;
    private EventGroup group;

    @Setup(Level.Trial)
    public void setUp() {
        ids = eventIds(EVENTS);
        rawKeys = new String[EVENTS * INTERVALS.length];
        for (int e = 0; e < EVENTS; e++) {
            for (int i = 0; i < INTERVALS.length; i++) {
                rawKeys[e * INTERVALS.length + i] = "bench:raw:" + INTERVALS[i] + ":" + ids[e];
            }
        }
        raw = BenchRedis.client();
        raw.flushDB();
        boolean auto = "auto".equals(events);
        GroupConfig g = GroupConfig.builder("flush")
                .events(auto ? Arrays.asList() : Arrays.asList(ids))
                .autoDeclareEvents(auto)
                .intervals(INTERVALS)
                // The background flusher never finds a sync due: flush() alone sends.
                .syncInterval(Duration.ofHours(1))
                .build();
        EclConfig config = EclConfig.builder().redis(BenchRedis.config()).group(g).build();
        // A clock that stands still: no interval boundary makes the flusher send on its own.
        ecl = EventCountLogger.builder(config).clock(new MutableClock(System.currentTimeMillis()))
                .withoutShutdownHook().withoutHeartbeat().build();
        group = ecl.group("flush");
        logAll();
        ecl.flush(); // declarations, script cache, pooled connection: what a running app has done long ago
    }

    @Setup(Level.Invocation)
    public void logAll() {
        for (String id : ids) {
            group.log(id);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Loggers.close(ecl);
        raw.close();
    }

    @Benchmark
    public boolean flush() {
        if (!ecl.flush()) {
            throw new IllegalStateException("flush did not deliver everything");
        }
        return true;
    }

    /** Baseline: the same 30,000 increments as one raw pipeline (one round trip, no scripts). */
    @Benchmark
    public void rawPipeline() {
        try (AbstractPipeline p = raw.pipelined()) {
            for (String key : rawKeys) {
                p.incrBy(key, 1);
            }
            p.sync();
        }
    }

    static String[] eventIds(int n) {
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = String.format("ev%05d", i);
        }
        return ids;
    }
}
