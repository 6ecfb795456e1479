package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * logValue() and time(): statistics per interval merged in Redis from any number of processes,
 * count, sum, min and max exact, quantiles within 1 %, moved to last by the rotation, delivered
 * once through an outage.
 */
class ValueStatsTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private final List<EventCountLogger> loggers = new ArrayList<>();
    private EclConfig config;
    private Rotator master;
    private CounterReader reader;

    @BeforeEach
    void start() {
        redis.client().flushAll();
        config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: []",
                "    values: [latency_ms]",
                "    intervals: ['5s', '1m']",
                "    auto_declare_events: true",
                "    sync_interval: 1",
                ""));
        master = Rotator.connect(config.redis());
        rotate("5s", T0);
        rotate("1m", T0);
        reader = CounterReader.connect(config);
    }

    @AfterEach
    void stop() {
        redis.start();
        loggers.forEach(EventCountLogger::close);
        master.close();
        reader.close();
    }

    private EventCountLogger logger() {
        EventCountLogger ecl = Fixtures.logger(config, clock);
        loggers.add(ecl);
        return ecl;
    }

    private void rotate(String interval, long at) {
        GroupConfig g = config.group("web");
        master.rotate(g, g.interval(interval), at);
    }

    private ValueStats current(String interval) {
        return reader.read("web", interval).currentValues().get("latency_ms");
    }

    /** Latencies from a lognormal distribution (median 100 ms), with a few zeros and negatives. */
    private static double[] sample(long seed, int n) {
        Random random = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 1000 == 0 ? 0 : i % 997 == 0 ? -random.nextDouble() * 5 : Math.exp(Math.log(100) + random.nextGaussian());
        }
        return v;
    }

    private static void assertWithinOnePercent(double exact, double estimate, String what) {
        assertTrue(Math.abs(estimate - exact) <= Math.abs(exact) * 0.01, what + ": " + estimate + ", exact " + exact);
    }

    @Test
    void twoProcessesOfHalfAMillionValuesEachMergeExactlyAndQuantilesAreWithinOnePercent() {
        double[] a = sample(1, 500_000);
        double[] b = sample(2, 500_000);
        EventGroup first = logger().group("web");
        EventGroup second = logger().group("web");
        for (double v : a) {
            first.logValue("latency_ms", v);
        }
        for (double v : b) {
            second.logValue("latency_ms", v);
        }
        loggers.forEach(l -> assertTrue(l.flush()));

        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        BigInteger micros = BigInteger.ZERO;
        for (double v : all) {
            micros = micros.add(BigInteger.valueOf(Math.round(v * 1e6)));
        }
        for (String interval : List.of("5s", "1m")) {
            ValueStats s = current(interval);
            assertEquals(1_000_000, s.count());
            assertEquals(0, new BigDecimal(micros, 6).compareTo(s.sum()), s.sum() + " vs " + new BigDecimal(micros, 6));
            assertEquals(all[0], s.min());
            assertEquals(all[all.length - 1], s.max());
            assertWithinOnePercent(all[(int) Math.floor(0.5 * (all.length - 1))], s.p50(), "p50");
            assertWithinOnePercent(all[(int) Math.floor(0.9 * (all.length - 1))], s.p90(), "p90");
            assertWithinOnePercent(all[(int) Math.floor(0.99 * (all.length - 1))], s.p99(), "p99");
            assertWithinOnePercent(all[(int) Math.floor(0.999 * (all.length - 1))], s.p999(), "p999");
        }
    }

    @Test
    void theRotationMovesTheStatisticsToLast() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        web.logValue("latency_ms", 3);
        web.logValue("latency_ms", 5);
        assertTrue(ecl.flush());
        rotate("5s", T0 + 5_000);

        IntervalCounts counts = reader.read("web", "5s");
        ValueStats last = counts.lastValues().get("latency_ms");
        assertEquals(2, last.count());
        assertEquals(0, new BigDecimal("8").compareTo(last.sum()));
        assertEquals(4.0, last.mean());
        assertSame(ValueStats.EMPTY, counts.currentValues().get("latency_ms"), "a declared value without records");
    }

    @Test
    void valuesRecordedDuringAnOutageAreDeliveredOnce() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        web.logValue("latency_ms", 1.5);
        assertTrue(ecl.flush());
        redis.stop();
        web.logValue("latency_ms", 2.5);
        web.logValue("latency_ms", 7);
        assertFalse(ecl.flush());
        redis.start();
        master.close();
        master = Rotator.connect(config.redis());
        rotate("5s", T0);
        rotate("1m", T0);
        assertTrue(ecl.flush());
        reader.close();
        reader = CounterReader.connect(config);
        ValueStats s = current("5s");
        assertEquals(2, s.count(), "the empty Redis has exactly what was recorded while it was down");
        assertEquals(0, new BigDecimal("9.5").compareTo(s.sum()));
        assertEquals(2.5, s.min());
        assertEquals(7.0, s.max());
    }

    @Test
    void directModeSendsEachValueInOneRoundTripAndALostReplyIsNotCountedTwice() throws Exception {
        EclConfig impatient = EclConfig.parse(redis.yamlRedisSection() + "  timeout_ms: 300\n"
                + "groups:\n  dweb:\n    events: []\n    values: [latency_ms]\n    intervals: ['5s', '1m']\n", "test.yml");
        GroupConfig g = impatient.group("dweb");
        master.rotate(g, g.interval("5s"), T0);
        master.rotate(g, g.interval("1m"), T0);
        try (EventCountLogger ecl = Fixtures.logger(impatient, clock);
                CounterReader direct = CounterReader.connect(impatient)) {
            EventGroup dweb = ecl.group("dweb");
            dweb.logValue("latency_ms", 2); // connected, script loaded
            assertTrue(ecl.flush()); // the logger's own first push (declarations) is over
            try (Monitor monitor = new Monitor(redis.port())) {
                dweb.logValue("latency_ms", 4);
                assertEquals(List.of("evalsha"), monitor.clientCommands(redis.client()), "one script call");
            }
            assertEquals(2, direct.read("dweb", "5s").currentValues().get("latency_ms").count(), "in Redis on return");

            // A script keeping Redis busy for 1.5 s goes first: the call gives up after 300 ms, then
            // Redis runs it and the reply goes nowhere. The flusher asks the call's marker.
            try (java.net.Socket busy = new java.net.Socket("127.0.0.1", redis.port())) {
                java.io.OutputStream out = busy.getOutputStream();
                java.io.InputStream in = busy.getInputStream();
                out.write("*1\r\n$4\r\nPING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                in.read(new byte[7]);
                String script = "local t = redis.call('TIME') local stop = t[1] * 1000000 + t[2] + 1500000"
                        + " repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop return 1";
                out.write(("*3\r\n$4\r\nEVAL\r\n$" + script.length() + "\r\n" + script + "\r\n$1\r\n0\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                dweb.logValue("latency_ms", 6);
                assertEquals(1, ecl.pendingCount(), "the call is in doubt");
                in.read();
            }
            Fixtures.await(() -> ecl.pendingCount() == 0, () -> "still pending: " + ecl.pendingCount());
            ValueStats s = direct.read("dweb", "5s").currentValues().get("latency_ms");
            assertEquals(3, s.count());
            assertEquals(0, new BigDecimal("12").compareTo(s.sum()));
            assertEquals(6.0, s.max());
        }
    }

    @Test
    void nanAndInfinityAreCountedAsInvalidOnly() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        web.logValue("latency_ms", Double.NaN);
        web.logValue("latency_ms", Double.POSITIVE_INFINITY);
        web.logValue("latency_ms", 4);
        assertTrue(ecl.flush());
        ValueStats s = current("5s");
        assertEquals(1, s.count());
        assertEquals(2, s.invalid());
        assertEquals(4.0, s.max());
    }

    @Test
    void timeRecordsTheDurationAndCountsAFailureByClassBeforeRethrowing() {
        EventCountLogger ecl = logger();
        EventGroup web = ecl.group("web");
        assertEquals("ok", web.time("db_query", () -> "ok"));
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> web.time("db_query", () -> {
                    throw new IllegalStateException("no connection");
                }));
        assertEquals("no connection", thrown.getMessage());
        assertTrue(ecl.flush());

        IntervalCounts counts = reader.read("web", "5s");
        assertEquals(2, counts.currentValues().get("db_query").count(), "both durations, the failed one too");
        assertEquals(1L, counts.current().get("db_query.error"));
        assertEquals(1L, counts.current().get("java.lang.IllegalStateException"));
    }
}
