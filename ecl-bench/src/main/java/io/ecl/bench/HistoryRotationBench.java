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
import redis.clients.jedis.RedisClient;

/**
 * What keeping a history costs the master at a boundary: the rotation of one (group, interval)
 * of 10,000 auto-declared events, all logged during the interval (as {@link RotationBench}, without
 * unrelated keys), with {@code history} 0 and 120. With 120 the rotation also reads the 10,000
 * closed counts into one entry (they are read for the totals either way), pushes it and trims
 * the list, which holds 120 such entries once the warm-up has filled it.
 *
 * <pre>
 * java -cp ecl-bench/target/ecl-bench.jar org.openjdk.jmh.Main HistoryRotationBench -f 1 -wi 130 -i 200 -w 1ms -r 1ms
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HistoryRotationBench {
    @Param({"0", "120"})
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
        ids = FlushBench.eventIds(RotationBench.EVENTS);
        try (RedisClient raw = BenchRedis.client()) {
            raw.flushDB();
        }
        group = GroupConfig.builder("rot").autoDeclareEvents(true).intervals("5s")
                .syncInterval(Duration.ofHours(1)).history(history).build();
        interval = group.intervals().get(0);
        EclConfig config = EclConfig.builder().redis(BenchRedis.config()).group(group).build();
        open = interval.startOf(System.currentTimeMillis());
        clock = new MutableClock(open + 1);
        rotator = Rotator.connect(config.redis());
        if (!rotator.rotate(group, interval, open).rotated()) {
            throw new IllegalStateException("the first rotation did not happen");
        }
        ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook().withoutHeartbeat().build();
        logGroup = ecl.group("rot");
    }

    /** 10,000 auto-declared events logged during the open interval, delivered (not measured). */
    @Setup(Level.Invocation)
    public void logInterval() {
        clock.set(open + 1);
        ecl.flush();
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
}
