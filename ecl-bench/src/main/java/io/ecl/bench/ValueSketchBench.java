package io.ecl.bench;

import io.ecl.core.internal.kinds.ValueSketch;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The value sketch's record() beside Micrometer's {@code DistributionSummary} with a percentile
 * histogram, both fed the same latencies (lognormal, median 100 ms, σ = 1, 4,096 of them drawn
 * once, each thread walking them from its own offset) in the same run, with 1 and 2 threads.
 * No Redis involved: this is the in-process part of logValue().
 *
 * <p>Unlike the other benchmarks, which use the library as an application does, this one measures
 * an internal component directly (io.ecl.core.internal.kinds), as a microbenchmark must: through
 * logValue() the figure would include the lookup by name and the epoch's slot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ValueSketchBench {
    static final int VALUES = 4096;
    static final double[] LATENCIES = new double[VALUES];

    static {
        Random r = new Random(42);
        for (int i = 0; i < VALUES; i++) {
            LATENCIES[i] = Math.exp(Math.log(100) + r.nextGaussian());
        }
    }

    private ValueSketch sketch;
    private DistributionSummary summary;
    private final LongAdder adder = new LongAdder();

    @Setup(Level.Trial)
    public void setUp() {
        sketch = new ValueSketch();
        summary = DistributionSummary.builder("latency_ms").publishPercentileHistogram().register(new SimpleMeterRegistry());
    }

    /** Each benchmark thread's position in the values. */
    @State(Scope.Thread)
    public static class Cursor {
        private static final AtomicInteger NEXT = new AtomicInteger();
        private int i = NEXT.getAndIncrement() * (VALUES / 2);

        double next() {
            i = (i + 1) & (VALUES - 1);
            return LATENCIES[i];
        }
    }

    @Benchmark
    public void sketch(Cursor c) {
        sketch.record(c.next());
    }

    @Benchmark
    @Threads(2)
    public void sketch2Threads(Cursor c) {
        sketch.record(c.next());
    }

    @Benchmark
    public void micrometer(Cursor c) {
        summary.record(c.next());
    }

    @Benchmark
    @Threads(2)
    public void micrometer2Threads(Cursor c) {
        summary.record(c.next());
    }

    /** Baseline of the scaling figure: what two threads get from a shared LongAdder on this machine. */
    @Benchmark
    public void longAdder() {
        adder.increment();
    }

    @Benchmark
    @Threads(2)
    public void longAdder2Threads() {
        adder.increment();
    }

    /** Variant for diagnosis: Math.log of the value, what the bucket index would cost computed by a logarithm. */
    @Benchmark
    public void mathLog(Cursor c, Blackhole bh) {
        bh.consume(Math.log(c.next()));
    }
}
