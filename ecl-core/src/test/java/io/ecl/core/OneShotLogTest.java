package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.OneShotWriter;
import io.ecl.core.ops.OneShotLog;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * ecl-log-event's single count over one plain connection ({@link OneShotLog}) leaves Redis as a
 * logger that logs the count and closes leaves it, in every case of the interval's state (each
 * case run both ways on the same Redis and compared key by key, markers aside); a write whose reply
 * was lost and is sent again is applied once; refusals are retried, then reported in one line.
 */
class OneShotLogTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final long S0 = T0 / 1000;

    private EclConfig config;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  web:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m']",
                "    auto_declare_events: true",
                "  hist:",
                "    events: [a]",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "    history: 3",
                "  py:",
                "    events: [a]",
                "    intervals: ['5s']",
                "  fixed:",
                "    events: [a]",
                "    intervals: ['5s']",
                "    writers_rotate: false",
                ""));
        r = redis.client();
        r.flushAll();
    }

    private GroupConfig group(String name) {
        return config.group(name);
    }

    private Optional<String> oneShot(String group, String event, long count, long at) {
        return oneShot(group, event, count, at, 1_000);
    }

    /** With {@code retryMillis} to wait and retry: long where a test's other thread must act meanwhile. */
    private Optional<String> oneShot(String group, String event, long count, long at, long retryMillis) {
        return OneShotWriter.log(config.redis(), group(group), event, count, retryMillis, new SteppedClock(at));
    }

    /** What a logger made for this count leaves: it logs the count at {@code at} and closes. */
    private void viaLogger(String group, String event, long count, long at) {
        try (EventCountLogger ecl = EventCountLogger.builder(EclConfig.builder().redis(config.redis())
                .group(group(group)).build()).clock(new SteppedClock(at)).withoutShutdownHook().withoutHeartbeat()
                .closeTimeout(Duration.ofSeconds(1)).build()) {
            ecl.group(group).log(event, count);
            ecl.flush();
        }
    }

    /** Every key but the exactly-once markers (whose names hold random IDs), with its value. */
    private Map<String, String> snapshot() {
        Map<String, String> all = new TreeMap<>();
        for (String key : r.keys("*")) {
            if (key.contains("@sync.") || key.contains("@direct.")) {
                continue;
            }
            String type = r.type(key);
            String value;
            switch (type) {
                case "string":
                    value = r.get(key);
                    break;
                case "set":
                    value = new TreeSet<>(r.smembers(key)).toString();
                    break;
                case "hash":
                    value = new TreeMap<>(r.hgetAll(key)).toString();
                    break;
                case "list":
                    value = r.lrange(key, 0, -1).toString();
                    break;
                default:
                    value = type;
            }
            all.put(key, value + (r.pttl(key) >= 0 ? " (expires)" : ""));
        }
        return all;
    }

    /** Runs {@code count} of {@code event} at {@code at} after {@code before} both ways; the state both left. */
    private Map<String, String> bothWays(Consumer<RedisClient> before, String group, String event, long count,
            long at) {
        r.flushAll();
        before.accept(r);
        viaLogger(group, event, count, at);
        Map<String, String> logger = snapshot();
        r.flushAll();
        before.accept(r);
        assertEquals(Optional.empty(), oneShot(group, event, count, at));
        Map<String, String> oneShot = snapshot();
        assertEquals(logger, oneShot, "one-shot vs logger");
        return oneShot;
    }

    /** EVAL commands Redis has received so far, refused ones included (INFO commandstats). */
    private static long evalCalls() {
        for (String line : redis.client().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_eval:")) {
                long calls = 0;
                for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                    String[] kv = field.split("=");
                    if (kv[0].equals("calls") || kv[0].equals("rejected_calls") || kv[0].equals("failed_calls")) {
                        calls += Long.parseLong(kv[1]);
                    }
                }
                return calls;
            }
        }
        return 0;
    }

    /** A master's rotation, after the declaration every master makes when it starts. */
    private void rotate(String group, String interval, long at) {
        try (Rotator master = Rotator.connect(config.redis())) {
            master.declare(group(group));
            master.rotate(group(group), group(group).interval(interval), at);
        }
    }

    @Test
    void aCountBeforeAnyMasterRanOpensTheIntervalItWasLoggedIn() {
        Map<String, String> state = bothWays(c -> { }, "web", "a", 3, T0 + 1_000);
        assertEquals("3", state.get("web:5s:cur:a"));
        assertEquals("3", state.get("web:1m:cur:a"));
        assertEquals(String.valueOf(S0), state.get("web:5s:cur:@ts"));
        assertEquals("[a, b]", state.get("web:5s:cur:@declared"));
    }

    @Test
    void aCountInTheOpenIntervalGoesToCurAndANewEventIsRegistered() {
        Map<String, String> state = bothWays(c -> {
            rotate("web", "5s", T0);
            rotate("web", "1m", T0);
        }, "web", "new-one", 4, T0 + 2_000);
        assertEquals("4", state.get("web:5s:cur:new-one"));
        assertEquals("[new-one]", state.get("web:5s:cur:@reg"));
    }

    @Test
    void aWriterRotatesAGroupWhoseMasterIsLateHistoryIncluded() {
        Map<String, String> state = bothWays(c -> {
            rotate("hist", "5s", T0);
            c.set("hist:5s:cur:a", "7");
        }, "hist", "a", 2, T0 + 6_000);
        assertEquals("7", state.get("hist:5s:last:a"), "the writer rotated at the boundary the master missed");
        assertEquals("2", state.get("hist:5s:cur:a"));
        assertEquals(String.valueOf(S0 + 5), state.get("hist:5s:cur:@ts"));
    }

    @Test
    void aCountLoggedBeforeTheBoundaryAndSentAfterItIsCreditedToLast() {
        // The master rotated after the count was logged: log.lua credits it to last, for both ways.
        Map<String, String> state = bothWays(c -> {
            rotate("web", "5s", T0);
            rotate("web", "5s", T0 + 5_000);
        }, "web", "a", 1, T0 + 4_000);
        assertEquals("1", state.get("web:5s:last:a"));
        assertEquals("0", state.get("web:5s:cur:a"), "a declared event's counter, restarted by the rotation");
    }

    @Test
    void aGroupWhoseWritersMayNotRotateWaitsForItsMasterThenWritesToTheOpenInterval() {
        Map<String, String> state = bothWays(c -> rotate("fixed", "5s", T0), "fixed", "a", 5, T0 + 6_000);
        assertEquals("5", state.get("fixed:5s:cur:a"));
        assertEquals(String.valueOf(S0), state.get("fixed:5s:cur:@ts"), "nobody rotated");
    }

    @Test
    void aPythonMastersIntervalNotOpenYetIsWaitedForThenTheCountGoesToTheOpenOne() {
        Map<String, String> state = bothWays(c -> c.set("py:5s:cur:@ts", S0 + ".25"), "py", "a", 2, T0 + 6_000);
        assertEquals("2", state.get("py:5s:cur:a"));
        assertEquals(S0 + ".25", state.get("py:5s:cur:@ts"), "only the Python master rotates its groups");
    }

    @Test
    void aPythonMasterThatRotatesWhileTheCountWaitsGetsItInItsNewInterval() throws Exception {
        r.set("py:5s:cur:@ts", S0 + ".25");
        r.set("py:5s:cur:a", "9");
        long evals = evalCalls();
        Thread master = new Thread(() -> {
            // Once the count has been held (Redis ran its script and wrote nothing), Python's
            // rotation, as its master does it: cur becomes last, a new @ts.
            Fixtures.await(() -> evalCalls() > evals, () -> "the one-shot write never reached Redis");
            RedisClient c = redis.client();
            c.rename("py:5s:cur:a", "py:5s:last:a");
            c.set("py:5s:last:@ts", S0 + ".25");
            c.set("py:5s:cur:@ts", (S0 + 5) + ".31");
        });
        master.start();
        assertEquals(Optional.empty(), oneShot("py", "a", 2, T0 + 6_000, 30_000));
        master.join();
        assertEquals("9", r.get("py:5s:last:a"), "the closed interval keeps its own counts");
        assertEquals("2", r.get("py:5s:cur:a"), "the count waited for the interval it was logged in");
    }

    @Test
    void aCountOfZeroDeclaresTheGroupAndWritesNoCounter() {
        assertEquals(Optional.empty(), oneShot("web", "a", 0, T0 + 1_000));
        assertEquals(new TreeSet<>(java.util.List.of("a", "b")), r.smembers("web:5s:cur:@declared"));
        assertNull(r.get("web:5s:cur:a"));
    }

    @Test
    void aCounterOfAnotherTypeIsTheLoggersLineAndTheOtherIntervalsAreStored() {
        r.hset("web:5s:cur:a", "not", "a counter");
        Optional<String> line = oneShot("web", "a", 2, T0 + 1_000);
        assertTrue(line.isPresent() && line.get().startsWith("group 'web': Redis at 127.0.0.1:" + redis.port()
                + " answered with an error: NOTCOUNTED ") && line.get().contains("web:5s:cur:a")
                && line.get().contains("WRONGTYPE"), line::toString);
        assertEquals("2", r.get("web:1m:cur:a"));
    }

    @Test
    void redisOutOfMemoryIsRetriedAndTheCountStoredOnceMemoryIsBack() throws Exception {
        r.configSet("maxmemory-policy", "noeviction");
        r.configSet("maxmemory", "1");
        try {
            long evals = evalCalls();
            Thread relief = new Thread(() -> {
                // Memory back once Redis has refused the write at least once.
                Fixtures.await(() -> evalCalls() > evals, () -> "the one-shot write never reached Redis");
                redis.client().configSet("maxmemory", "0");
            });
            relief.start();
            assertEquals(Optional.empty(), oneShot("web", "a", 6, T0 + 1_000, 30_000));
            relief.join();
        } finally {
            r.configSet("maxmemory", "0");
        }
        assertEquals("6", r.get("web:5s:cur:a"));
    }

    @Test
    void redisOutOfMemoryForLongerThanTheRetryTimeIsOneLineAndNothingIsWritten() {
        r.configSet("maxmemory-policy", "noeviction");
        r.configSet("maxmemory", "1");
        Optional<String> line;
        try {
            line = oneShot("web", "a", 6, T0 + 1_000);
        } finally {
            r.configSet("maxmemory", "0");
        }
        assertTrue(line.isPresent() && line.get().startsWith("cannot deliver the count: Redis at 127.0.0.1:"
                + redis.port() + " answered with an error: ") && line.get().contains("OOM")
                && line.get().endsWith("; it is lost"), line::toString);
        assertNull(r.get("web:5s:cur:a"));
    }

    @Test
    void aRedisThatIsDownIsThePingsLineAndNothingIsTried() {
        RedisConfig nobody = RedisConfig.builder().host("127.0.0.1").port(EmbeddedRedis.freePort()).build();
        RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                () -> OneShotLog.log(nobody, group("web"), "a", 1, Duration.ofSeconds(1)));
        assertEquals("cannot connect to Redis at 127.0.0.1:" + nobody.port() + ": Connection refused", e.getMessage());
    }

    @Test
    void anEventTheGroupWouldRefuseIsRefusedBeforeAnythingIsSent() {
        assertThrows(ConfigException.class,
                () -> OneShotLog.log(config.redis(), group("py"), "undeclared", 1, Duration.ofSeconds(1)));
        assertThrows(ConfigException.class,
                () -> OneShotLog.log(config.redis(), group("web"), "@ts", 1, Duration.ofSeconds(1)));
        assertTrue(r.keys("*").isEmpty());
    }

    @Test
    void onlyAStandaloneRedisWithoutTlsIsSupported() {
        assertTrue(OneShotLog.supports(config.redis()));
        assertTrue(!OneShotLog.supports(config.redis().toBuilder().tls(true).build()));
        assertTrue(!OneShotLog.supports(RedisConfig.builder().sentinels(java.util.List.of("127.0.0.1:26379"))
                .masterName("m").build()));
    }
}
