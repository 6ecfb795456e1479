package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.RedisEventGroup;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * Direct mode (neither sync_interval nor sync_limit): every log() is one EVALSHA of direct.lua,
 * plus one of log.lua when direct.lua finds an interval other than the open one (a boundary).
 */
class DirectModeTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** T0 in the Unix seconds of @ts values. */
    private static final long S0 = T0 / 1000;
    private static final String[] WEB_INTERVALS = {"5s", "1m", "1h"};

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private EventCountLogger ecl;
    private EventGroup web;
    private EventGroup dyn;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m', '1h']",
                "  dyn:",
                "    events: []",
                "    intervals: ['5s', '1m']",
                "    auto_declare_events: true",
                ""));
        ecl = Fixtures.logger(config, clock);
        web = ecl.group("web");
        dyn = ecl.group("dyn");
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
    }

    /**
     * What a call in the open intervals sends (3 intervals, a declared event), in one round trip on
     * the group's own connection: the increments and the call's marker field in a transaction
     * that runs only if no @ts key was written since the watch began, then the watch for the next
     * call.
     */
    private static final List<String> LEAN = List.of("multi", "incrby", "incrby", "incrby", "hset", "exec", "watch", "mget");

    /** A call that direct.lua takes, on the group's own connection, then the watch for the next call. */
    private static final List<String> SCRIPT = List.of("evalsha", "unwatch", "watch", "mget");

    private static List<String> times(int n, List<String> commands) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.addAll(commands);
        }
        return all;
    }

    @Test
    void oneLogIsOneRoundTripWhateverTheNumberOfIntervals() {
        web.log("a"); // the first call after a Redis start loads the script (NOSCRIPT, then EVAL)
        web.log("a"); // the watch begins on the intervals the first call opened
        ecl.flush(); // the declarations of a and b are sent by now

        try (Monitor monitor = new Monitor(redis.port())) {
            for (int i = 0; i < 5; i++) {
                monitor.clientCommands(r);
                web.log(i % 2 == 0 ? "a" : "b", 3);
                assertEquals(LEAN, monitor.clientCommands(r), "log() number " + i);
            }
            for (int i = 0; i < 100; i++) {
                web.log("a");
            }
            assertEquals(times(100, LEAN), monitor.clientCommands(r));
        }
        assertEquals("111", r.get("web:1h:cur:a"));
    }

    @Test
    void countIsInRedisInEveryIntervalWhenLogReturns() {
        web.log("a", 3);
        assertEquals("3", r.get("web:5s:cur:a"));
        assertEquals("3", r.get("web:1m:cur:a"));
        assertEquals("3", r.get("web:1h:cur:a"));
        web.log("a");
        assertEquals("4", r.get("web:5s:cur:a"));
        assertEquals("4", r.get("web:1h:cur:a"));
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void scriptsFlushedFromRedisAreLoadedAgainWithoutLosingACount() {
        web.log("a");
        r.scriptFlush();
        web.log("a", 2);
        assertEquals("3", r.get("web:5s:cur:a"));
        assertEquals("3", r.get("web:1h:cur:a"));
    }

    @Test
    void manyThreadsLoggingDirectlyCountExactly() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    web.log(i % 5 == 0 ? "b" : "a");
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        for (String interval : new String[] {"5s", "1m", "1h"}) {
            assertEquals(String.valueOf(threads * perThread * 4 / 5), r.get("web:" + interval + ":cur:a"), interval);
            assertEquals(String.valueOf(threads * perThread / 5), r.get("web:" + interval + ":cur:b"), interval);
        }
        assertEquals(0, ecl.pendingCount());
    }

    // ---- the lean path (direct.lua) and the boundary path (log.lua) ----

    /** As a master does: opens every interval of {@code group} at {@code at} (declared events at 0). */
    private void openIntervals(String group, long at) {
        ecl.flush(); // the declarations are in Redis
        try (Rotator master = Rotator.connect(config.redis())) {
            for (Interval i : config.group(group).intervals()) {
                master.rotate(config.group(group), i, config.group(group).interval(i.name()).startOf(at));
            }
        }
    }

    private void rotate5s(long at) {
        try (Rotator master = Rotator.connect(config.redis())) {
            master.rotate(config.group("web"), config.group("web").interval("5s"), at);
        }
    }

    private String marker(String group) {
        Set<String> keys = r.keys(group + ":5s:cur:@direct.*");
        assertEquals(1, keys.size(), keys.toString());
        return keys.iterator().next();
    }

    @Test
    void aCallInTheOpenIntervalsChecksThemOnceAndOnlyIncrements() {
        openIntervals("web", T0);
        web.log("a"); // loads the script (the group's first call goes through the pool)
        web.log("a"); // the group's own connection begins its watch
        ecl.flush();

        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            web.log("a", 2);
            assertEquals(LEAN, monitor.clientCommands(r), "no script: the watch checked the intervals");
        }
        for (String interval : WEB_INTERVALS) {
            assertEquals("4", r.get("web:" + interval + ":cur:a"), interval);
            assertEquals("0", r.get("web:" + interval + ":cur:b"), interval);
            assertEquals("0", r.get("web:" + interval + ":last:a"), interval);
        }
        assertEquals(String.valueOf(S0), r.get("web:5s:cur:@ts"));
        assertEquals(Set.of("0"), r.hkeys(marker("web")), "one caller at a time: always the first call slot");
    }

    @Test
    void theFirstCallWithoutAMasterOpensTheIntervalsItWasLoggedIn() {
        web.log("a"); // loads the scripts; log.lua opens the intervals
        ecl.flush();
        assertEquals(String.valueOf(S0), r.get("web:5s:cur:@ts"));
        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            clock.set(T0 + 3_600_000 + 2_000);
            web.log("a", 4);
            assertEquals(List.of("evalsha", "unwatch", "watch", "mget", "evalsha"), monitor.clientCommands(r),
                    "direct.lua finds the 5s, 1m and 1h intervals not open, log.lua rotates them");
            web.log("a");
            assertEquals(SCRIPT, monitor.clientCommands(r), "the watch began before log.lua's rotation");
            web.log("a");
            assertEquals(LEAN, monitor.clientCommands(r));
        }
        assertEquals(String.valueOf(S0 + 3_600), r.get("web:5s:cur:@ts"));
        assertEquals(String.valueOf(S0 + 3_600), r.get("web:1h:cur:@ts"));
        assertEquals("6", r.get("web:5s:cur:a"));
        assertEquals("1", r.get("web:5s:last:a"));
    }

    @Test
    void theFirstCallAfterABoundaryTheMasterMissedRotatesThenCallsAreLeanAgain() {
        openIntervals("web", T0);
        web.log("a", 2);
        ecl.flush();
        clock.set(T0 + 5_000);

        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            web.log("a");
            assertEquals(List.of("evalsha", "unwatch", "watch", "mget", "evalsha"), monitor.clientCommands(r),
                    "direct.lua declines, log.lua rotates 5s and counts");
            web.log("a");
            assertEquals(SCRIPT, monitor.clientCommands(r), "the watch began before log.lua's rotation");
            web.log("a");
            assertEquals(LEAN, monitor.clientCommands(r));
        }
        assertEquals(String.valueOf(S0 + 5), r.get("web:5s:cur:@ts"));
        assertEquals(String.valueOf(S0), r.get("web:5s:last:@ts"));
        assertEquals("2", r.get("web:5s:last:a"));
        assertEquals("3", r.get("web:5s:cur:a"));
        assertEquals("5", r.get("web:1m:cur:a"));
        assertEquals("5", r.get("web:1h:cur:a"));
        assertEquals("0", r.get("web:1m:last:a"), "1m not rotated since the master opened it");
    }

    @Test
    void aCallLoggedBeforeABoundaryTheMasterAlreadyPassedIsCreditedToLast() {
        openIntervals("web", T0);
        web.log("a");
        rotate5s(T0 + 5_000); // the writer's clock is still in the interval before

        web.log("a", 3);
        assertEquals("4", r.get("web:5s:last:a"));
        assertEquals("0", r.get("web:5s:cur:a"));
        assertEquals("4", r.get("web:1m:cur:a"));
        assertNull(r.get("web:5s:cur:@late"));
    }

    @Test
    void aRotationAfterTheWatchBeganAbortsTheTransactionAndTheCallIsCreditedToItsOwnInterval() {
        openIntervals("web", T0);
        web.log("a"); // loads the script; the watch begins
        web.log("a"); // a transaction
        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            rotate5s(T0 + 5_000); // a master whose clock is ahead; the writer's is still in the interval before
            monitor.clientCommands(r);

            web.log("a", 3);
            assertEquals(List.of("multi", "exec", "watch", "mget", "evalsha", "unwatch", "watch", "mget", "evalsha"),
                    monitor.clientCommands(r), "EXEC ran nothing (no INCRBY ran); direct.lua declined; log.lua credited last");
        }
        assertEquals("5", r.get("web:5s:last:a"), "the interval the call was logged in");
        assertEquals("0", r.get("web:5s:cur:a"));
        assertEquals("5", r.get("web:1m:cur:a"));
        assertEquals("5", r.get("web:1h:cur:a"));
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void theGroupsOwnConnectionKilledBetweenCallsIsMadeAgainAndNoCountIsLostOrDoubled() {
        openIntervals("web", T0);
        web.log("a");
        web.log("a");
        String clients = new String((byte[]) r.sendCommand(Protocol.Command.CLIENT, "LIST"),
                java.nio.charset.StandardCharsets.UTF_8);
        long killed = 0;
        for (String client : clients.split("\n")) {
            if (client.contains(" name=" + io.ecl.core.internal.RedisConnection.DIRECT_CLIENT_NAME + " ")) {
                r.sendCommand(Protocol.Command.CLIENT, "KILL", "ID",
                        client.substring(client.indexOf("id=") + 3, client.indexOf(' ')));
                killed++;
            }
        }
        assertEquals(1, killed, clients);

        web.log("a", 3); // sent on the dead connection: in doubt, then settled by the flusher
        web.log("b"); // on a new connection
        ecl.flush();
        assertEquals(0, ecl.pendingCount());
        for (String interval : WEB_INTERVALS) {
            assertEquals("5", r.get("web:" + interval + ":cur:a"), interval);
            assertEquals("1", r.get("web:" + interval + ":cur:b"), interval);
        }
    }

    @Test
    void aCallOlderThanLastIsCountedInCurAndInLate() {
        openIntervals("web", T0);
        rotate5s(T0 + 5_000);
        rotate5s(T0 + 10_000);

        web.log("a", 3);
        assertEquals("3", r.get("web:5s:cur:a"));
        assertEquals("3", r.get("web:5s:cur:@late"));
        assertEquals("3", r.get("web:1m:cur:a"));
        assertNull(r.get("web:1m:cur:@late"));
    }

    @Test
    void aPythonMastersUnalignedTimestampsStillTakeTheLeanPath() {
        // Python's master stores the time its rotation ran, not the boundary.
        r.set("web:5s:cur:@ts", (S0 + 0) + ".2317");
        r.set("web:1m:cur:@ts", (S0 + 0) + ".9");
        r.set("web:1h:cur:@ts", (S0 + 0) + ".000125");
        clock.set(T0 + 4_999);
        web.log("b"); // loads the script
        ecl.flush();

        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            web.log("b", 2);
            // The watch's strings are not the aligned starts: direct.lua compares them aligned.
            assertEquals(SCRIPT, monitor.clientCommands(r));
        }
        assertEquals("3", r.get("web:5s:cur:b"));
        assertEquals("3", r.get("web:1h:cur:b"));
        assertEquals((S0 + 0) + ".2317", r.get("web:5s:cur:@ts"));
        assertNull(r.get("web:5s:last:b"));
    }

    @Test
    void anAutoDeclaredEventIsRegisteredWhenItsCounterIsCreatedNotOnEveryCall() {
        openIntervals("dyn", T0);
        dyn.log("x");
        dyn.log("x"); // the group's own connection begins its watch
        ecl.flush();

        try (Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            dyn.log("x");
            assertEquals(List.of("multi", "incrby", "incrby", "hset", "exec", "watch", "mget"), monitor.clientCommands(r),
                    "x was registered by this writer in this interval");
            dyn.log("y", 5);
            assertEquals(List.of("multi", "incrby", "sadd", "incrby", "sadd", "hset", "exec", "watch", "mget"),
                    monitor.clientCommands(r), "y is registered with its first increment, in the same transaction");
            dyn.log("y");
            assertEquals(List.of("multi", "incrby", "incrby", "hset", "exec", "watch", "mget"), monitor.clientCommands(r));
        }
        assertEquals(Set.of("x", "y"), r.smembers("dyn:5s:cur:@reg"));
        assertEquals(Set.of("x", "y"), r.smembers("dyn:1m:cur:@reg"));

        // Rotation renames the registry with the counters: the next increment registers again.
        clock.set(T0 + 5_000);
        dyn.log("x");
        assertEquals(Set.of("x", "y"), r.smembers("dyn:5s:last:@reg"));
        assertEquals(Set.of("x"), r.smembers("dyn:5s:cur:@reg"));
        dyn.log("x");
        dyn.log("y");
        assertEquals(Set.of("x", "y"), r.smembers("dyn:5s:cur:@reg"));
        assertEquals("2", r.get("dyn:5s:cur:x"));
        assertEquals("1", r.get("dyn:5s:cur:y"));
        assertEquals("3", r.get("dyn:5s:last:x"));
        assertEquals("6", r.get("dyn:5s:last:y"));
        assertEquals("5", r.get("dyn:1m:cur:x"));
        assertEquals(Set.of("x", "y"), r.smembers("dyn:1m:cur:@reg"));
    }

    @Test
    void theCallMarkerKeepsItsTenMinuteExpiryFreshAtMostOnceASecond() {
        openIntervals("web", T0);
        web.log("a");
        String marker = marker("web");
        assertTrue(r.pttl(marker) > 590_000, "set by the first call: " + r.pttl(marker));

        r.pexpire(marker, 50_000);
        web.log("a");
        assertTrue(r.pttl(marker) <= 50_000, "not set again within a second: " + r.pttl(marker));

        clock.advanceMillis(RedisEventGroup.MARKER_EXPIRY_REFRESH_MILLIS);
        web.log("a");
        assertTrue(r.pttl(marker) > 590_000, "set again a second later: " + r.pttl(marker));

        r.del(marker); // as if it had expired
        web.log("a");
        assertTrue(r.pttl(marker) > 590_000, "a new field sets it: " + r.pttl(marker));
        assertEquals("4", r.get("web:5s:cur:a"));
    }

    @Test
    void aCallWhoseReplyIsLostIsCheckedNotCountedTwice() throws IOException {
        EclConfig impatientConfig = EclConfig.parse(redis.yamlRedisSection() + "  timeout_ms: 300\n"
                + "groups:\n  web:\n    events: [a, b]\n    intervals: ['5s', '1m', '1h']\n", "test.yml");
        openIntervals("web", T0);
        try (EventCountLogger impatient = Fixtures.logger(impatientConfig, clock)) {
            EventGroup g = impatient.group("web");
            g.log("a"); // connected, scripts loaded
            assertTrue(impatient.flush());

            // A script that keeps Redis busy for 1.5 s is sent first: the call waits behind it, its
            // caller gives up after 300 ms, then Redis runs it and the reply goes nowhere.
            try (Socket busy = new Socket("127.0.0.1", redis.port())) {
                OutputStream out = busy.getOutputStream();
                InputStream in = busy.getInputStream();
                out.write(resp("PING"));
                out.flush();
                in.read(new byte[7]); // +PONG: Redis has accepted this connection and reads it
                out.write(resp("EVAL", "local t = redis.call('TIME') local stop = t[1] * 1000000 + t[2] + 1500000"
                        + " repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop return 1", "0"));
                out.flush();
                g.log("a");
                assertEquals(1, impatient.pendingCount(), "the call is in doubt");
                in.read(); // the busy script is over
            }
            Fixtures.await(() -> impatient.pendingCount() == 0, () -> "still pending: " + impatient.pendingCount());
        }
        for (String interval : WEB_INTERVALS) {
            assertEquals("2", r.get("web:" + interval + ":cur:a"), interval);
        }
    }

    @Test
    void theCallMarkerHasAFieldPerConcurrentCallNotPerThreadThatEverLogged() throws Exception {
        int threads = 20_000;
        int poolSize = 4;
        try (EventCountLogger small = EventCountLogger.builder(config).clock(clock).withoutShutdownHook()
                .poolSize(poolSize).build()) {
            EventGroup g = small.group("web");
            List<Thread> batch = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(null, () -> g.log("a"), "logger-" + t, 128 * 1024); // small stacks: cheap to start
                th.start();
                batch.add(th);
                if (batch.size() == 500) { // a few hundred alive at once, not 20,000 stacks
                    for (Thread b : batch) {
                        b.join();
                    }
                    batch.clear();
                }
            }
            for (Thread b : batch) {
                b.join();
            }
            assertEquals(String.valueOf(threads), r.get("web:5s:cur:a"));
            assertEquals(String.valueOf(threads), r.get("web:1h:cur:a"));
            Set<String> fields = r.hkeys(marker("web"));
            assertTrue(fields.size() <= poolSize, fields.size() + " fields");
            assertEquals(0, small.pendingCount());
            assertEquals(0, small.context().callSlots().leased(), "every slot given back");
        }
    }

    @Test
    void moreThreadsThanConnectionsWaitTheirTurnAndEveryCountIsInRedisWhenLogReturns() throws Exception {
        EclConfig impatientConfig = EclConfig.parse(redis.yamlRedisSection() + "  socket_timeout: 0.25\n"
                + "groups:\n  web:\n    events: [a, b]\n    intervals: ['5s', '1m', '1h']\n", "test.yml");
        int threads = 12;
        int perThread = 5;
        try (LogCapture log = new LogCapture();
                EventCountLogger busy = EventCountLogger.builder(impatientConfig).clock(clock).withoutShutdownHook()
                        .poolSize(2).build()) {
            EventGroup g = busy.group("web");
            g.log("b");
            // Redis is healthy but slow (each command waits up to twice 60 ms behind busy scripts,
            // less than timeout_ms): 12 threads share 2 connections, so most wait far longer than
            // timeout_ms for one.
            java.util.concurrent.atomic.AtomicBoolean slowing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread sleeper = new Thread(() -> {
                try (RedisClient s = RedisClient.create("127.0.0.1", redis.port())) {
                    while (slowing.get()) {
                        s.eval("local t = redis.call('TIME') local stop = t[1] * 1000000 + t[2] + 60000"
                                + " repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop return 1");
                    }
                }
            });
            sleeper.start();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        g.log("a");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            slowing.set(false);
            sleeper.join();
            assertEquals(String.valueOf(threads * perThread), r.get("web:5s:cur:a"), "in Redis when log() returned");
            assertEquals(String.valueOf(threads * perThread), r.get("web:1h:cur:a"));
            assertEquals(0, busy.pendingCount());
            assertEquals(List.of(), log.messages(ch.qos.logback.classic.Level.WARN));
        }
    }

    @Test
    void aPoolThatStayedBusyIsDescribedAsBusyNotAsARedisError() {
        // What Jedis throws when no pooled connection became free within timeout_ms.
        redis.clients.jedis.exceptions.JedisException busy = new redis.clients.jedis.exceptions.JedisException(
                "Could not get a resource from the pool", new java.util.NoSuchElementException("Timeout waiting for idle object"));
        try (EventCountLogger four = EventCountLogger.builder(config).withoutShutdownHook().poolSize(4).build()) {
            assertEquals("all 6 connections to Redis at 127.0.0.1:" + redis.port() + " were busy for "
                    + config.redis().timeoutMillis() + " ms (ecl_redis.timeout_ms; more threads than connections wait"
                    + " for one; the pool size is set by EventCountLogger.Builder.poolSize)", four.context().connection().describe(busy));
        }
    }

    @Test
    void aNegativeCountThatWouldOverflowACounterIsReportedNotDroppedSilently() {
        openIntervals("web", T0);
        web.log("a"); // scripts loaded
        r.set("web:5s:cur:a", Long.toString(Long.MIN_VALUE));
        try (LogCapture log = new LogCapture()) {
            web.log("a", -2);
            List<String> errors = log.messages(ch.qos.logback.classic.Level.ERROR);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("NOTCOUNTED -2 counts not stored"), errors.get(0));
            assertTrue(errors.get(0).contains("web:5s:cur:a: ERR increment or decrement would overflow"), errors.get(0));
        }
        assertEquals(Long.toString(Long.MIN_VALUE), r.get("web:5s:cur:a"));
        assertEquals("-1", r.get("web:1m:cur:a"), "negative counts decrement, as in the Python version");
        assertEquals("-1", r.get("web:1h:cur:a"));
    }

    @Test
    void readingANullEventIdIsRefusedWithAClearMessage() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> web.currentCount(null, "5s"));
        assertEquals("event ID is null (reading group 'web')", e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> web.currentCountsOf(null));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> web.lastCount(null, "5s"));
    }

    private static byte[] resp(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
