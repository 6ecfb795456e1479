package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.internal.kinds.RedisHll;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * logUnique() and logValue() with local counters, through the public API. logUnique beside its
 * floor, Redis's hash of the value (what any Redis-compatible sketch must compute): values are
 * 4,096 short ASCII addresses, cycled per thread. logValue records lognormal latencies (median
 * 100 ms). The logger is real: its flusher pushes the sketches into Redis every second while the
 * benchmark runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LogKindsBench {
    private EventCountLogger ecl;
    private EventGroup group;
    private final String[] values = new String[4096];
    private static final double[] LATENCIES = new double[4096];

    static {
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < LATENCIES.length; i++) {
            LATENCIES[i] = Math.exp(Math.log(100) + r.nextGaussian());
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < values.length; i++) {
            values[i] = "203.0.113." + i;
        }
        EclConfig config = EclConfig.builder().redis(BenchRedis.config())
                .group(GroupConfig.builder("web").events("req").uniques("visitors").values("latency_ms")
                        .intervals("5s", "1m", "5m")
                        .syncInterval(Duration.ofSeconds(1)).build())
                .build();
        ecl = EventCountLogger.builder(config).withoutShutdownHook().withoutHeartbeat().build();
        group = ecl.group("web");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ecl.close();
    }

    /** One thread's position in the values. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        String value(String[] values) {
            return values[next++ & (values.length - 1)];
        }

        double latency() {
            return LATENCIES[next++ & (LATENCIES.length - 1)];
        }
    }

    @Benchmark
    public long hashOnly(Cursor c) {
        return RedisHll.hashOf(c.value(values));
    }

    @Benchmark
    public void logUnique(Cursor c) {
        group.logUnique("visitors", c.value(values));
    }

    @Benchmark
    @Threads(2)
    public void logUnique2Threads(Cursor c) {
        group.logUnique("visitors", c.value(values));
    }

    @Benchmark
    public void logValue(Cursor c) {
        group.logValue("latency_ms", c.latency());
    }

    @Benchmark
    @Threads(2)
    public void logValue2Threads(Cursor c) {
        group.logValue("latency_ms", c.latency());
    }
}
