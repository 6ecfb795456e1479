package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * log() with local counters against the bare cost it is built on, a {@link LongAdder#increment()}.
 * The logger is real: it has its flusher thread, which pushes the counts to Redis every
 * {@code sync_interval} (1 s) while the benchmark runs, as in an application.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LocalLogBench {
    static final String EVENT = "req3";

    /** 0: sync_interval only (the figure); 1000: also sync_limit 1000, which keeps the flusher busy at these rates. */
    @Param({"0"})
    public long syncLimit;

    private EventCountLogger ecl;
    private EventGroup group;
    private final LongAdder adder = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> map = new ConcurrentHashMap<>();

    @Setup(Level.Trial)
    public void setUp() {
        ecl = logger(syncLimit);
        group = ecl.group("local");
        for (int i = 0; i < 10; i++) {
            map.put("req" + i, new LongAdder());
        }
    }

    /**
     * The logger of the local figures (and of the peers' rows, which compare the same log()): group
     * "local", 10 declared events, 3 intervals, pushed every second, and sync_limit when above 0.
     */
    static EventCountLogger logger(long syncLimit) {
        GroupConfig.Builder g = GroupConfig.builder("local")
                .events("req0", "req1", "req2", "req3", "req4", "req5", "req6", "req7", "req8", "req9")
                .intervals("5s", "1m", "5m")
                .syncInterval(Duration.ofSeconds(1));
        if (syncLimit > 0) {
            g.syncLimit(syncLimit);
        }
        EclConfig config = EclConfig.builder().redis(BenchRedis.config()).group(g.build()).build();
        return EventCountLogger.builder(config).withoutShutdownHook().withoutHeartbeat().build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Loggers.close(ecl);
    }

    /** Baseline: the add that log() ends in, without the lookup by event ID. */
    @Benchmark
    public void longAdder() {
        adder.increment();
    }

    @Benchmark
    public void log() {
        group.log(EVENT);
    }

    @Benchmark
    @Threads(2)
    public void log2Threads() {
        group.log(EVENT);
    }

    /** Baseline of the scaling figure: what two threads get from a shared LongAdder on this machine. */
    @Benchmark
    @Threads(2)
    public void longAdder2Threads() {
        adder.increment();
    }

    /** Each benchmark thread's own event ID. */
    @State(Scope.Thread)
    public static class OwnEvent {
        private static final java.util.concurrent.atomic.AtomicInteger NEXT = new java.util.concurrent.atomic.AtomicInteger();
        final String event = "req" + NEXT.getAndIncrement() % 10;
    }

    /** Variant for diagnosis: 2 threads, each logging its own event (no counter shared between them). */
    @Benchmark
    @Threads(2)
    public void log2ThreadsOwnEvent(OwnEvent own) {
        group.log(own.event);
    }

    /** Variant for diagnosis: a lookup by event ID in a ConcurrentHashMap, then the add. */
    @Benchmark
    public void mapLookupAndAdd() {
        map.get(EVENT).increment();
    }

    /** The same variant with 2 threads: how far the lookup-then-add pattern itself scales here. */
    @Benchmark
    @Threads(2)
    public void mapLookupAndAdd2Threads() {
        map.get(EVENT).increment();
    }
}
