package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.RedisEventGroup;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * Direct mode with concurrent callers: calls that arrive while script calls of their group are in
 * flight are carried together by the next one (group commit), and each caller still gets its own
 * outcome. The server keeps an append-only file, so a restart in the middle of a burst keeps what
 * it had applied, as a production Redis would.
 */
class DirectCoalescingTest {
    private static final Path DATA = tempDir();

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis().setting("appendonly yes").setting("dir " + DATA);

    private static final String[] INTERVALS = {"5s", "1m", "1h"};

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private final List<String> dataErrors = new CopyOnWriteArrayList<>();
    private EclConfig config;
    private EventCountLogger ecl;
    private EventGroup web;
    private RedisClient r;

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("ecl-coalescing");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m', '1h']",
                ""));
        r = redis.client();
    }

    @AfterEach
    void stop() {
        redis.start();
        if (ecl != null) {
            ecl.close();
        }
    }

    private EventGroup logger(Clock c) {
        ecl = EventCountLogger.builder(config).clock(c).withoutShutdownHook().withoutHeartbeat()
                .listener(new EclListener() {
                    @Override
                    public void dataError(String group, String message, long countsNotStored) {
                        dataErrors.add(Thread.currentThread().getName() + "|" + countsNotStored + "|" + message);
                    }
                }).build();
        web = ecl.group("web");
        return web;
    }

    /** As a master does: opens every interval at {@code at}, declared events at 0. */
    private void openIntervals(long at) {
        ecl.flush(); // the declarations are in Redis
        try (Rotator master = Rotator.connect(config.redis())) {
            for (Interval i : config.group("web").intervals()) {
                master.rotate(config.group("web"), i, i.startOf(at));
            }
        }
    }

    private static Thread logging(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    private static long count(List<String> commands, String command) {
        return commands.stream().filter(command::equals).count();
    }

    /**
     * Keeps Redis busy with one script until {@link #close}: a call sent meanwhile waits for its
     * reply, and callers arriving then queue behind it.
     */
    private static final class BusyRedis implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        BusyRedis(int port, long micros) throws IOException {
            socket = new Socket("127.0.0.1", port);
            OutputStream out = socket.getOutputStream();
            in = socket.getInputStream();
            out.write(resp("PING"));
            out.flush();
            in.read(new byte[7]); // +PONG: Redis reads this connection
            out.write(resp("EVAL", "local t = redis.call('TIME') local stop = t[1] * 1000000 + t[2] + " + micros
                    + " repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop return 1", "0"));
            out.flush();
        }

        /** Returns once the busy script is over. */
        @Override
        public void close() throws IOException {
            in.read();
            socket.close();
        }
    }

    private static byte[] resp(String... words) {
        StringBuilder b = new StringBuilder("*").append(words.length).append("\r\n");
        for (String w : words) {
            b.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition, String what) {
        Fixtures.await(condition::getAsBoolean, () -> what);
    }

    /** Calls to Redis a group has in flight at most, each on a connection of its own. */
    private static final int IN_FLIGHT = RedisEventGroup.MAX_DIRECT_IN_FLIGHT;

    /**
     * As many callers as the group sends for at once have their call in flight (waiting behind the
     * busy script), each logging "a"; then {@code more} callers start and all queue. Returns every
     * thread started.
     */
    private List<Thread> allInFlightThenQueue(RedisEventGroup g, List<Runnable> more) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            threads.add(logging("first-" + i, () -> g.log("a")));
        }
        await(() -> g.directScriptCallsInFlight() == IN_FLIGHT && g.queuedDirectCalls() == 0,
                "the first calls are sent");
        for (int i = 0; i < more.size(); i++) {
            threads.add(logging("queued-" + i, more.get(i)));
        }
        await(() -> g.queuedDirectCalls() == more.size(), "every other call queues");
        return threads;
    }

    @Test
    void callsArrivingWhileEveryPlaceIsInFlightAreCarriedByOneCall() throws Exception {
        RedisEventGroup g = (RedisEventGroup) logger(clock);
        openIntervals(T0);
        web.log("a"); // scripts loaded
        web.log("a"); // the group's own connection watches the intervals
        r.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            List<Thread> threads;
            try (BusyRedis busy = new BusyRedis(redis.port(), 1_500_000)) {
                List<Runnable> more = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    more.add(i % 2 == 0 ? () -> g.log("b", 2) : () -> g.log("a"));
                }
                threads = allInFlightThenQueue(g, more);
            }
            joinAll(threads);
            List<String> sent = monitor.clientCommands(r);
            // Each call in flight went alone: a transaction on the connection that watched the
            // intervals, direct.lua on those made meanwhile; the seven queued calls then in one.
            assertEquals(IN_FLIGHT + 1, count(sent, "exec") + count(sent, "evalsha"),
                    "the calls in flight one each, then the seven queued ones in one: " + sent);
        }
        for (String i : INTERVALS) {
            assertEquals(String.valueOf(2 + IN_FLIGHT + 3), r.get("web:" + i + ":cur:a"), i);
            assertEquals("8", r.get("web:" + i + ":cur:b"), i);
        }
        assertEquals(IN_FLIGHT + 7, r.hlen(r.keys("web:5s:cur:@direct.*").iterator().next()),
                "each of the calls made at once recorded under its own slot");
        assertEquals(0, ecl.pendingCount());
        assertEquals(0, ecl.context().callSlots().leased(), "every slot given back");
    }

    @Test
    void aCallersCounterHoldingTextFailsThatCallerAloneWhileTheCallsCarriedWithItAreCounted() throws Exception {
        RedisEventGroup g = (RedisEventGroup) logger(clock);
        openIntervals(T0);
        web.log("a");
        web.log("a"); // the group's own connection watches the intervals
        r.set("web:5s:cur:b", "not a number");
        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            List<Thread> threads;
            try (BusyRedis busy = new BusyRedis(redis.port(), 1_500_000)) {
                List<Runnable> more = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    more.add(() -> g.log("a"));
                }
                more.add(() -> {
                    Thread.currentThread().setName("bad-caller");
                    g.log("b", 7);
                });
                threads = allInFlightThenQueue(g, more);
            }
            joinAll(threads);
            List<String> sent = monitor.clientCommands(r);
            assertEquals(IN_FLIGHT + 1, count(sent, "exec") + count(sent, "evalsha"),
                    "the bad call was carried with five others: " + sent);
        }
        for (String i : INTERVALS) {
            assertEquals(String.valueOf(2 + IN_FLIGHT + 5), r.get("web:" + i + ":cur:a"), i);
        }
        assertEquals("not a number", r.get("web:5s:cur:b"));
        assertEquals("7", r.get("web:1m:cur:b"));
        assertEquals("7", r.get("web:1h:cur:b"));
        assertEquals(1, dataErrors.size(), dataErrors.toString());
        String error = dataErrors.get(0);
        assertTrue(error.startsWith("bad-caller|7|"), "told on the caller's own thread, its count: " + error);
        assertTrue(error.contains("NOTCOUNTED 7 counts not stored"), error);
        assertTrue(error.contains("web:5s:cur:b"), error);
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void manyThreadsManyCallsCountExactlyPerEventAndInterval() throws Exception {
        logger(clock);
        openIntervals(T0);
        int threads = 16;
        int perThread = 1_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(logging("burst-" + t, () -> {
                awaitLatch(go);
                for (int i = 0; i < perThread; i++) {
                    web.log(i % 4 == 0 ? "b" : "a", i % 3 + 1);
                }
            }));
        }
        go.countDown();
        joinAll(all);
        long a = 0;
        long b = 0;
        for (int i = 0; i < perThread; i++) {
            if (i % 4 == 0) {
                b += i % 3 + 1;
            } else {
                a += i % 3 + 1;
            }
        }
        for (String i : INTERVALS) {
            assertEquals(String.valueOf(threads * a), r.get("web:" + i + ":cur:a"), i);
            assertEquals(String.valueOf(threads * b), r.get("web:" + i + ":cur:b"), i);
        }
        assertEquals(0, ecl.pendingCount());
        assertEquals(0, ecl.context().callSlots().leased());
    }

    /**
     * Each logging thread's clock passes the 5 s boundary after its own first {@code perPhase}
     * calls, so calls of both sides of it are queued together while the threads cross it one by
     * one; every call is credited to the interval it was logged in.
     */
    @Test
    void aBoundaryPassingMidBurstCreditsEachCallToItsOwnInterval() throws Exception {
        int threads = 8;
        int perPhase = 300;
        PerThreadClock perThread = new PerThreadClock(T0 + 1_000, T0 + 6_000, perPhase);
        logger(perThread);
        openIntervals(T0);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(logging("burst-" + t, () -> {
                awaitLatch(go);
                for (int i = 0; i < 2 * perPhase; i++) {
                    web.log("a");
                }
            }));
        }
        go.countDown();
        joinAll(all);
        assertEquals(String.valueOf(threads * perPhase), r.get("web:5s:last:a"), "logged before the boundary");
        assertEquals(String.valueOf(threads * perPhase), r.get("web:5s:cur:a"), "logged after it");
        assertEquals(String.valueOf(2 * threads * perPhase), r.get("web:1m:cur:a"));
        assertEquals(String.valueOf(2 * threads * perPhase), r.get("web:1h:cur:a"));
        assertEquals(null, r.get("web:5s:cur:@late"));
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void redisStoppedMidBurstLosesNoCountAndCountsNoneTwice() throws Exception {
        logger(clock);
        openIntervals(T0);
        int threads = 8;
        int perThread = 2_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(logging("burst-" + t, () -> {
                awaitLatch(go);
                for (int i = 0; i < perThread; i++) {
                    web.log("a");
                }
            }));
        }
        go.countDown();
        await(() -> Long.parseLong(r.get("web:1h:cur:a")) >= 1_000, "a thousand calls in Redis");
        redis.stop();
        await(() -> ecl.health().redisDownSince() != null, "the logger met the outage");
        redis.start();
        joinAll(all);
        Fixtures.await(() -> ecl.flush() && ecl.pendingCount() == 0, () -> "still pending: " + ecl.pendingCount());
        r = redis.client();
        for (String i : INTERVALS) {
            assertEquals(String.valueOf(threads * perThread), r.get("web:" + i + ":cur:a"), i);
        }
        assertEquals(0, ecl.context().callSlots().leased(), "every call in doubt was settled");
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Threads named {@code burst-*} see {@code before} for their first {@code calls} reads, then
     * {@code after}; every other thread (the flusher) sees {@code before}.
     */
    private static final class PerThreadClock extends Clock {
        private final long before;
        private final long after;
        private final int calls;
        private final ThreadLocal<AtomicInteger> reads = ThreadLocal.withInitial(AtomicInteger::new);

        PerThreadClock(long before, long after, int calls) {
            this.before = before;
            this.after = after;
            this.calls = calls;
        }

        @Override
        public long millis() {
            if (!Thread.currentThread().getName().startsWith("burst-")) {
                return before;
            }
            return reads.get().getAndIncrement() < calls ? before : after;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
