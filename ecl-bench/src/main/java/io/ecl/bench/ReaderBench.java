package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.RedisClient;

/**
 * One read of a (group, interval) of 10,000 auto-declared events, with both {@code last} and
 * {@code cur} filled, by a connected {@link CounterReader}: what ecl-reader does after connecting.
 */
@State(Scope.Benchmark)
// Sample mode: every operation is timed, so the suite can report the median, which a GC pause or
// a moment when Redis and the benchmark thread compete for the 2 cores does not move.
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReaderBench {
    static final int EVENTS = 10_000;

    private GroupConfig group;
    private Interval interval;
    private CounterReader reader;

    @Setup(Level.Trial)
    public void setUp() {
        try (RedisClient raw = BenchRedis.client()) {
            raw.flushDB();
        }
        group = GroupConfig.builder("read").autoDeclareEvents(true).intervals("5s")
                .syncInterval(Duration.ofHours(1)).build();
        interval = group.intervals().get(0);
        EclConfig config = EclConfig.builder().redis(BenchRedis.config()).group(group).build();
        fill(config, group, FlushBench.eventIds(EVENTS));
        reader = CounterReader.connect(config);
        IntervalCounts counts = reader.read(group, interval);
        if (counts.last().size() != EVENTS || counts.current().size() != EVENTS) {
            throw new IllegalStateException("expected " + EVENTS + " events, read " + counts.last().size());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reader.close();
    }

    @Benchmark
    public IntervalCounts read() {
        return reader.read(group, interval);
    }

    /**
     * Logs every event in one interval, rotates, and logs them again: {@code last} and
     * {@code cur} then both hold a counter per event, as they do in steady state.
     */
    static void fill(EclConfig config, GroupConfig group, String[] ids) {
        Interval interval = group.intervals().get(0);
        long open = interval.startOf(System.currentTimeMillis());
        MutableClock clock = new MutableClock(open + 1);
        try (Rotator rotator = Rotator.connect(config.redis());
                EventCountLogger ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook().withoutHeartbeat().build()) {
            rotator.declare(group);
            rotator.rotate(group, interval, open);
            EventGroup g = ecl.group(group.name());
            for (String id : ids) {
                g.log(id, 2);
            }
            ecl.flush();
            long next = open + interval.lengthMillis();
            rotator.rotate(group, interval, next);
            clock.set(next + 1);
            ecl.flush();
            for (String id : ids) {
                g.log(id);
            }
            if (!ecl.flush()) {
                throw new IllegalStateException("counts were not delivered");
            }
        }
    }
}
