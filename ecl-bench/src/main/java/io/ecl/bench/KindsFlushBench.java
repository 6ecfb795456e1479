package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.ops.Rotator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * One interval's worth of the other kinds in one (group, interval) pair of 3 intervals: 1,000
 * unique counts (100 values each) and 1,000 value statistics (100 lognormal latencies each),
 * flushed (1,000 HLL sketches merged into 3 intervals, 1,000 value hashes by log.lua), then the
 * rotation of the 5 s interval that moves them to last.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KindsFlushBench {
    static final int NAMES = 1_000;
    static final int PER_NAME = 100;
    static final String[] INTERVALS = {"5s", "1m", "5m"};

    GroupConfig group;
    private EclConfig config;
    private MutableClock clock;
    private EventCountLogger ecl;
    private EventGroup kinds;
    private Rotator rotator;
    private Interval shortest;
    private long open;
    private final String[] uniques = new String[NAMES];
    private final String[] values = new String[NAMES];

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < NAMES; i++) {
            uniques[i] = "u" + i;
            values[i] = "v" + i;
        }
        try (RedisClient raw = BenchRedis.client()) {
            raw.flushDB();
        }
        group = GroupConfig.builder("kinds").uniques(List.of(uniques)).values(List.of(values)).intervals(INTERVALS)
                .syncInterval(Duration.ofHours(1)).build();
        config = EclConfig.builder().redis(BenchRedis.config()).group(group).build();
        shortest = group.intervals().get(0);
        open = group.intervals().get(2).startOf(System.currentTimeMillis());
        clock = new MutableClock(open + 1);
        rotator = Rotator.connect(config.redis());
        for (Interval i : group.intervals()) {
            rotator.rotate(group, i, open);
        }
        ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook().withoutHeartbeat().build();
        kinds = ecl.group("kinds");
    }

    /** What one interval logs (not measured). */
    void logAll() {
        Random r = new Random(7);
        for (int n = 0; n < NAMES; n++) {
            for (int k = 0; k < PER_NAME; k++) {
                kinds.logUnique(uniques[n], "visitor" + r.nextInt(10_000));
                kinds.logValue(values[n], Math.exp(Math.log(100) + r.nextGaussian()));
            }
        }
    }

    @Setup(Level.Invocation)
    public void log() {
        logAll();
    }

    @Benchmark
    public boolean flush() {
        if (!ecl.flush()) {
            throw new IllegalStateException("not delivered");
        }
        return true;
    }

    /** The 5 s interval's rotation with 1,000 sketches and 1,000 hashes in it (each run opens the next). */
    public boolean rotateShortest() {
        long next = open + shortest.lengthMillis();
        if (!rotator.rotate(group, shortest, next).rotated()) {
            throw new IllegalStateException("not rotated");
        }
        open = next;
        return true;
    }

    /** Keys of the pair after a flush, to check what the figures cover. */
    List<String> keysOfShortest() {
        try (RedisClient raw = BenchRedis.client()) {
            return new ArrayList<>(raw.keys("kinds:5s:*"));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Loggers.close(ecl);
        rotator.close();
    }
}
