package io.ecl.bench;

import io.ecl.core.internal.kinds.RedisHll;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The local unique-count sketch (a Redis-compatible HyperLogLog) against its floor, Redis's hash of
 * the value: adding a value costs one hash and, once the sketch has seen a few thousand values,
 * one read of a register. Values are short ASCII IDs, 4,096 of them cycled, as visitor IDs are.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UniqueSketchBench {
    private final RedisHll sketch = new RedisHll();
    private final String[] values = new String[4096];

    @Setup
    public void setUp() {
        for (int i = 0; i < values.length; i++) {
            values[i] = "203.0.113." + i;
        }
    }

    /** One thread's position in the values. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        String value(String[] values) {
            return values[next++ & (values.length - 1)];
        }
    }

    @Benchmark
    public long hashOnly(Cursor c) {
        return RedisHll.hashOf(c.value(values));
    }

    @Benchmark
    public void add(Cursor c) {
        sketch.add(c.value(values));
    }

    @Benchmark
    @Threads(2)
    public void add2Threads(Cursor c) {
        sketch.add(c.value(values));
    }
}
