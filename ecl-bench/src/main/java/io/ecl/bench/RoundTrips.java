package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisConfig;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import redis.clients.jedis.RedisClient;

/**
 * Round trips of each operation, counted by a {@link RoundTripProxy} between ecl-core and Redis.
 * Not timed (the proxy adds latency); timings come from the JMH benchmarks, which talk to Redis
 * directly.
 */
final class RoundTrips implements AutoCloseable {
    /** What one operation cost in round trips. */
    static final class Count {
        /** Round trips that carried data commands (connection set-up left out). */
        final int data;
        /** All round trips, connection set-up included. */
        final int total;
        /** The round trips as "COMMAND+COMMAND..." each, for the notes. */
        final String detail;

        Count(RoundTripProxy proxy) {
            this.data = proxy.dataRoundTrips();
            this.total = proxy.totalRoundTrips();
            this.detail = describe(proxy.roundTrips());
        }

        private static String describe(List<RoundTripProxy.RoundTrip> trips) {
            Map<String, Integer> grouped = new LinkedHashMap<>();
            for (RoundTripProxy.RoundTrip t : trips) {
                grouped.merge(t.toString(), 1, Integer::sum);
            }
            return grouped.entrySet().stream()
                    .map(e -> e.getValue() == 1 ? e.getKey() : e.getValue() + " × " + e.getKey())
                    .collect(Collectors.joining("; "));
        }
    }

    private final RoundTripProxy proxy;
    private final RedisConfig viaProxy;
    /** SCRIPT FLUSH is allowed (our own embedded Redis: no other client's scripts to lose). */
    private final boolean mayFlushScripts;

    RoundTrips(boolean mayFlushScripts) {
        try {
            this.proxy = new RoundTripProxy(BenchRedis.host(), BenchRedis.port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.viaProxy = BenchRedis.config().toBuilder().host("127.0.0.1").port(proxy.port()).build();
        this.mayFlushScripts = mayFlushScripts;
    }

    boolean mayFlushScripts() {
        return mayFlushScripts;
    }

    /** Data round trips per direct-mode log(), over {@code n} calls, after a first call that connects. */
    double perDirectLog(int n) {
        return perDirectLog(n, 1);
    }

    /** As {@link #perDirectLog(int)}, {@code n} calls shared by {@code threads} threads logging at once. */
    double perDirectLog(int n, int threads) {
        if (threads > 1) {
            return perDirectLogConcurrent(n, threads);
        }
        flushDb();
        GroupConfig g = GroupConfig.builder("rtdirect").events("req1").intervals("5s", "1m", "5m").build();
        try (EventCountLogger ecl = logger(g, null)) {
            EventGroup group = ecl.group("rtdirect");
            group.log("req1");
            ecl.flush(); // the logger's own start-up (declaring the group's events) is not a log()'s
            for (int attempt = 1; ; attempt++) {
                long interval = fiveSecondInterval();
                proxy.reset();
                for (int i = 0; i < n; i++) {
                    group.log("req1");
                }
                if (fiveSecondInterval() == interval || attempt == 3) {
                    return proxy.dataRoundTrips() / (double) n;
                }
                // A 5 s boundary fell among the calls: its call's log.lua round trip is once per
                // interval, not per log(); measure again inside one interval.
            }
        }
    }

    /** The 5 s interval of the group measured, now: a boundary among the calls costs a round trip more. */
    private static long fiveSecondInterval() {
        return System.currentTimeMillis() / 5_000;
    }

    private double perDirectLogConcurrent(int n, int threads) {
        flushDb();
        GroupConfig g = GroupConfig.builder("rtdirect").events("req1").intervals("5s", "1m", "5m").build();
        try (EventCountLogger ecl = logger(g, null)) {
            EventGroup group = ecl.group("rtdirect");
            group.log("req1");
            ecl.flush(); // the logger's own start-up (declaring the group's events) is not a log()'s
            for (int attempt = 1; ; attempt++) {
                long interval = fiveSecondInterval();
                double trips = concurrentTrips(group, n, threads);
                if (fiveSecondInterval() == interval || attempt == 3) {
                    return trips;
                }
            }
        }
    }

    private double concurrentTrips(EventGroup group, int n, int threads) {
        try {
            proxy.reset();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<Thread> all = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < n / threads; i++) {
                        group.log("req1");
                    }
                });
                th.start();
                all.add(th);
            }
            go.countDown();
            for (Thread th : all) {
                th.join();
            }
            return proxy.dataRoundTrips() / (double) (n / threads * threads);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * flush() of 10,000 distinct declared events in 3 intervals, by a logger that has flushed
     * before (connected, scripts cached, events declared); with {@code coldScripts}, right after
     * SCRIPT FLUSH (a restarted Redis).
     */
    Count flush(boolean coldScripts) {
        flushDb();
        String[] ids = FlushBench.eventIds(FlushBench.EVENTS);
        GroupConfig g = GroupConfig.builder("rtflush").events(ids).intervals(FlushBench.INTERVALS)
                .syncInterval(Duration.ofHours(1)).build();
        try (EventCountLogger ecl = logger(g, new MutableClock(System.currentTimeMillis()))) {
            EventGroup group = ecl.group("rtflush");
            for (String id : ids) {
                group.log(id);
            }
            ecl.flush();
            for (String id : ids) {
                group.log(id);
            }
            if (coldScripts) {
                scriptFlush();
            }
            proxy.reset();
            if (!ecl.flush()) {
                throw new IllegalStateException("flush did not deliver");
            }
            return new Count(proxy);
        }
    }

    /** A new CounterReader's first read of 10,000 auto-declared events (connection set-up included in total). */
    Count read(boolean coldScripts) {
        flushDb();
        GroupConfig g = GroupConfig.builder("rtread").autoDeclareEvents(true).intervals("5s")
                .syncInterval(Duration.ofHours(1)).build();
        EclConfig direct = EclConfig.builder().redis(BenchRedis.config()).group(g).build();
        ReaderBench.fill(direct, g, FlushBench.eventIds(ReaderBench.EVENTS));
        EclConfig config = direct.withRedis(viaProxy);
        if (!coldScripts) {
            try (CounterReader warm = CounterReader.connect(config)) {
                warm.read(g, g.intervals().get(0));
            }
        } else {
            scriptFlush();
        }
        proxy.reset();
        try (CounterReader reader = CounterReader.connect(config)) {
            int n = reader.read(g, g.intervals().get(0)).last().size();
            if (n != ReaderBench.EVENTS) {
                throw new IllegalStateException("read " + n + " events");
            }
            return new Count(proxy);
        }
    }

    /** {flush of 1,000 unique counts and 1,000 values × 3 intervals, rotation of their 5 s interval}. */
    Count[] kinds() {
        flushDb();
        String[] u = new String[KindsFlushBench.NAMES];
        String[] v = new String[KindsFlushBench.NAMES];
        for (int i = 0; i < u.length; i++) {
            u[i] = "u" + i;
            v[i] = "v" + i;
        }
        GroupConfig g = GroupConfig.builder("rtkinds").uniques(List.of(u)).values(List.of(v))
                .intervals(KindsFlushBench.INTERVALS).syncInterval(Duration.ofHours(1)).build();
        long open = g.intervals().get(2).startOf(System.currentTimeMillis());
        try (Rotator rotator = Rotator.connect(viaProxy);
                EventCountLogger ecl = logger(g, new MutableClock(open + 1))) {
            for (Interval i : g.intervals()) {
                rotator.rotate(g, i, open);
            }
            EventGroup group = ecl.group("rtkinds");
            for (int n = 0; n < u.length; n++) {
                for (int k = 0; k < KindsFlushBench.PER_NAME; k++) {
                    group.logUnique(u[n], "visitor" + k);
                    group.logValue(v[n], 10 + k);
                }
            }
            proxy.reset();
            if (!ecl.flush()) {
                throw new IllegalStateException("flush did not deliver");
            }
            Count flush = new Count(proxy);
            proxy.reset();
            Interval shortest = g.intervals().get(0);
            if (!rotator.rotate(g, shortest, open + shortest.lengthMillis()).rotated()) {
                throw new IllegalStateException("not rotated");
            }
            return new Count[] {flush, new Count(proxy)};
        }
    }

    /** One rotation of a (group, interval) of 10,000 auto-declared events, by a connected Rotator. */
    Count rotation() {
        flushDb();
        GroupConfig g = GroupConfig.builder("rtrot").autoDeclareEvents(true).intervals("5s")
                .syncInterval(Duration.ofHours(1)).build();
        EclConfig direct = EclConfig.builder().redis(BenchRedis.config()).group(g).build();
        ReaderBench.fill(direct, g, FlushBench.eventIds(RotationBench.EVENTS));
        Interval i = g.intervals().get(0);
        try (Rotator rotator = Rotator.connect(viaProxy)) {
            rotator.ping();
            proxy.reset();
            long next = i.startOf(System.currentTimeMillis()) + 10 * i.lengthMillis();
            if (!rotator.rotate(g, i, next).rotated()) {
                throw new IllegalStateException("not rotated");
            }
            return new Count(proxy);
        }
    }

    private EventCountLogger logger(GroupConfig g, MutableClock clock) {
        EclConfig config = EclConfig.builder().redis(viaProxy).group(g).build();
        EventCountLogger.Builder b = EventCountLogger.builder(config).withoutShutdownHook().withoutHeartbeat();
        if (clock != null) {
            b.clock(clock);
        }
        return b.build();
    }

    private static void flushDb() {
        try (RedisClient raw = BenchRedis.client()) {
            raw.flushDB();
        }
    }

    private void scriptFlush() {
        if (!mayFlushScripts) {
            throw new IllegalStateException("SCRIPT FLUSH is not allowed on a shared Redis");
        }
        try (RedisClient raw = BenchRedis.client()) {
            raw.scriptFlush();
        }
    }

    @Override
    public void close() {
        proxy.close();
    }
}
