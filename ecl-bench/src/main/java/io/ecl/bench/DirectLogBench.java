package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.ops.Rotator;
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
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * log() in direct mode (one EVALSHA of direct.lua per round trip, whatever the number of intervals;
 * concurrent callers share one) against a raw INCR through the same kind of client: a pooled
 * Jedis {@link RedisClient}, shared by all benchmark threads, as ecl-core's connection is.
 *
 * <p>Sample mode: JMH times single calls, so one run gives the latency percentiles and, as
 * threads / mean time per call, the throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DirectLogBench {
    static final String EVENT = "req3";
    /** Connections of both clients: ecl-core's default pool size on a machine of up to 4 cores. */
    static final int POOL = 16;

    private EventCountLogger ecl;
    private EventGroup group;
    private RedisClient raw;
    private String threeIncrbySha;
    private String nothingSha;
    /** direct.lua's keys and arguments for one call (3 intervals), as strings. */
    private static final java.util.List<String> DIRECT_KEYS = java.util.List.of("direct:5s:cur:@ts", "direct:1m:cur:@ts",
            "direct:5m:cur:@ts");
    private static final java.util.List<String> DIRECT_ARGS = java.util.List.of("direct:5s:cur:@direct.bench", "0",
            "direct:5s:", "direct:1m:", "direct:5m:", "1699920000", "1699920000", "1699920000", "5000", "60000",
            "300000", "1", "0", "12345", EVENT, "1", "0");
    private static final java.util.List<String> THREE_KEYS = java.util.List.of("bench:raw:5s", "bench:raw:1m", "bench:raw:5m");
    private static final java.util.List<String> ONE = java.util.List.of("1");

    @Setup(Level.Trial)
    public void setUp() {
        // As many connections as ecl-core's pool has for direct calls (16 on this machine), so
        // that 16 raw threads never wait for one: the default Jedis pool has 8.
        redis.clients.jedis.ConnectionPoolConfig pool = new redis.clients.jedis.ConnectionPoolConfig();
        pool.setMaxTotal(POOL);
        pool.setMaxIdle(POOL);
        raw = RedisClient.builder()
                .hostAndPort(BenchRedis.host(), BenchRedis.port())
                .clientConfig(redis.clients.jedis.DefaultJedisClientConfig.builder().database(BenchRedis.db()).build())
                .poolConfig(pool)
                .build();
        raw.flushDB();
        GroupConfig g = GroupConfig.builder("direct")
                .events("req0", "req1", "req2", "req3", "req4", "req5", "req6", "req7", "req8", "req9")
                .intervals("5s", "1m", "5m")
                .build();
        EclConfig config = EclConfig.builder().redis(BenchRedis.config()).group(g).build();
        // As with a master running: every interval is open (cur:@ts set) when logging starts.
        this.group0 = g;
        this.rotator = Rotator.connect(config.redis());
        rotator.declare(g);
        reopenIntervals();
        ecl = EventCountLogger.builder(config).withoutShutdownHook().withoutHeartbeat().poolSize(POOL).build();
        group = ecl.group("direct");
        group.log(EVENT); // loads the scripts into the script cache before measuring
        threeIncrbySha = raw.scriptLoad("for i = 1, #KEYS do redis.call('INCRBY', KEYS[i], ARGV[1]) end");
        nothingSha = raw.scriptLoad("return 0");
    }

    private GroupConfig group0;
    private Rotator rotator;

    /** What a master does at each boundary: opens every interval of the group that is now due. */
    void reopenIntervals() {
        long now = System.currentTimeMillis();
        for (Interval i : group0.intervals()) {
            rotator.rotate(group0, i, i.startOf(now));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Loggers.close(ecl);
        rotator.close();
        raw.close();
    }

    /** Baseline: one INCR, one round trip. */
    @Benchmark
    public long rawIncr() {
        return raw.incr("bench:raw");
    }

    @Benchmark
    @Threads(4)
    public long rawIncr4Threads() {
        return raw.incr("bench:raw");
    }

    @Benchmark
    @Threads(16)
    public long rawIncr16Threads() {
        return raw.incr("bench:raw");
    }

    /** Variant for diagnosis: the floor of "one round trip for 3 intervals" with plain commands. */
    @Benchmark
    public void rawPipeline3Incrby() {
        try (AbstractPipeline p = raw.pipelined()) {
            p.incrBy("bench:raw:5s", 1);
            p.incrBy("bench:raw:1m", 1);
            p.incrBy("bench:raw:5m", 1);
            p.sync();
        }
    }

    /** Variant for diagnosis: the floor of any script that increments 3 intervals. */
    @Benchmark
    public Object rawScript3Incrby() {
        return raw.evalsha(threeIncrbySha, THREE_KEYS, ONE);
    }

    /**
     * Variant for diagnosis: the floor of any script call carrying what one direct-mode log()
     * carries (3 keys, 17 arguments): a script that does nothing.
     */
    @Benchmark
    public Object rawScriptNothing() {
        return raw.evalsha(nothingSha, DIRECT_KEYS, DIRECT_ARGS);
    }

    /** Variant for diagnosis: the same floor with 4 threads, beside log4Threads. */
    @Benchmark
    @Threads(4)
    public Object rawScript3Incrby4Threads() {
        return raw.evalsha(threeIncrbySha, THREE_KEYS, ONE);
    }

    @Benchmark
    public void log() {
        group.log(EVENT);
    }

    @Benchmark
    @Threads(4)
    public void log4Threads() {
        group.log(EVENT);
    }

    @Benchmark
    @Threads(16)
    public void log16Threads() {
        group.log(EVENT);
    }
}
