package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.internal.Sender;
import io.ecl.core.internal.TsCodec;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The flush of local counters on a standalone Redis: WATCH and read the @ts keys and chunk
 * markers, then one MULTI/EXEC of plain INCRBYs; what happens when a rotation comes in between,
 * when EXEC's reply is lost, when a counter holds a non-integer, when the script cache is empty.
 */
class FlushTransactionTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** T0 in the Unix seconds of @ts values. */
    private static final long S0 = T0 / 1000;

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private EventCountLogger ecl;
    private Rotator master;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  loc:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m']",
                "    auto_declare_events: true",
                "    sync_interval: 60",
                "  big:",
                "    events: []",
                "    intervals: ['1h']",
                "    auto_declare_events: true",
                "    sync_interval: 60",
                ""));
        ecl = Fixtures.logger(config, clock);
        master = Rotator.connect(config.redis());
        r = redis.client();
        ecl.flush(); // declarations
        rotate("5s", T0);
        rotate("1m", T0);
    }

    @AfterEach
    void stop() {
        ecl.close();
        master.close();
    }

    private void rotate(String interval, long at) {
        GroupConfig g = config.group("loc");
        master.rotate(g, g.interval(interval), at);
    }

    private static int count(List<String> commands, String command) {
        return Collections.frequency(commands, command);
    }

    @Test
    void aRotationBetweenTheReadAndTheExecIsRetriedAndTheCountsGoToLast() {
        EventGroup loc = ecl.group("loc");
        loc.log("a", 5);
        loc.log("x", 2);
        AtomicInteger reads = new AtomicInteger();
        Fixtures.hooks(ecl).afterRead = () -> {
            if (reads.getAndIncrement() == 0) {
                rotate("5s", T0 + 5_000); // the master's clock is a little ahead of ours
            }
        };
        try (Monitor monitor = new Monitor(redis.port())) {
            assertTrue(ecl.flush());
            List<String> commands = monitor.clientCommands(r);
            assertEquals(2, count(commands, "exec"), "the first EXEC saw @ts change and applied nothing: " + commands);
            assertEquals(2, reads.get());
        }
        assertEquals("5", r.get("loc:5s:last:a"));
        assertEquals("0", r.get("loc:5s:cur:a"));
        assertEquals("2", r.get("loc:5s:last:x"));
        assertNull(r.get("loc:5s:cur:x"));
        assertEquals(Set.of("x"), r.smembers("loc:5s:last:@reg"));
        assertEquals(Set.of(), r.smembers("loc:5s:cur:@reg"));
        assertNull(r.get("loc:5s:cur:@late"));
        assertEquals("5", r.get("loc:1m:cur:a"), "1m had no boundary");
        assertEquals("2", r.get("loc:1m:cur:x"));
        assertEquals(Set.of("x"), r.smembers("loc:1m:cur:@reg"));
    }

    @Test
    void aChunkWhoseExecReplyWasLostIsCountedOnce() {
        EventGroup loc = ecl.group("loc");
        loc.log("a", 7);
        loc.log("x", 3);
        Fixtures.hooks(ecl).afterExec = () -> {
            Fixtures.hooks(ecl).afterExec = null;
            throw new JedisConnectionException("EXEC's reply lost (test)");
        };
        assertFalse(ecl.flush(), "the outcome is unknown to the logger");
        assertEquals("7", r.get("loc:5s:cur:a"), "Redis did apply it");
        assertEquals(2, ecl.pendingCount(), "and the logger still holds it");

        loc.log("a", 1);
        try (Monitor monitor = new Monitor(redis.port())) {
            assertTrue(ecl.flush());
            List<String> commands = monitor.clientCommands(r);
            assertEquals(1, count(commands, "exec"), "the resent chunk's marker was found: only the new count goes: "
                    + commands);
            assertEquals(2, count(commands, "incrby"), commands.toString());
        }
        for (String interval : new String[] {"5s", "1m"}) {
            assertEquals("8", r.get("loc:" + interval + ":cur:a"), interval);
            assertEquals("3", r.get("loc:" + interval + ":cur:x"), interval);
        }
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void aNonIntegerCounterLosesOnlyItsOwnCountsWhichAreReportedNotRetried() {
        r.set("loc:1m:cur:b", "not a number");
        EventGroup loc = ecl.group("loc");
        loc.log("a", 2);
        loc.log("b", 3);
        try (LogCapture log = new LogCapture(Level.ERROR)) {
            assertTrue(ecl.flush());
            List<String> errors = log.messages(Level.ERROR);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("NOTCOUNTED 3 counts not stored")
                    && errors.get(0).contains("loc:1m:cur:b"), errors.get(0));
        }
        assertEquals("2", r.get("loc:5s:cur:a"));
        assertEquals("2", r.get("loc:1m:cur:a"));
        assertEquals("3", r.get("loc:5s:cur:b"));
        assertEquals("not a number", r.get("loc:1m:cur:b"));
        assertEquals(0, ecl.pendingCount());
        assertTrue(ecl.flush());
        assertEquals("3", r.get("loc:5s:cur:b"), "not sent again");
    }

    @Test
    void anEmptyScriptCacheCostsNothingOnTheTransactionPath() {
        ecl.group("loc").log("a");
        r.scriptFlush();
        try (Monitor monitor = new Monitor(redis.port())) {
            assertTrue(ecl.flush());
            assertEquals(List.of("watch", "mget", "mget", "multi", "incrby", "incrby", "set", "exec"),
                    monitor.clientCommands(r), "round trip 1: WATCH, MGET, MGET; round trip 2: MULTI ... EXEC");
        }
        assertEquals("1", r.get("loc:5s:cur:a"));
    }

    @Test
    void anAtTsWrittenByThePythonMasterIsReadAsLogLuaReadsIt() {
        r.set("loc:5s:cur:@ts", (S0 + 2) + ".523456"); // Python writes the time its rotation ran
        r.set("loc:5s:last:@ts", (S0 - 3) + ".5");
        ecl.group("loc").log("a", 2);
        try (Monitor monitor = new Monitor(redis.port())) {
            assertTrue(ecl.flush());
            assertEquals(0, count(monitor.clientCommands(r), "eval"), "no script needed");
        }
        assertEquals("2", r.get("loc:5s:cur:a"));
        assertEquals(T0, TsCodec.aligned((S0 + 4) + ".9994", 5_000));
        assertEquals(T0 + 5_000, TsCodec.aligned((S0 + 4) + ".9995", 5_000), "rounded to ms, as log.lua does");
    }

    @Test
    void countsNewerThanTheOpenIntervalGoToLogLuaInTheSecondRoundTripEvenAfterScriptFlush() {
        clock.set(T0 + 6_000); // the master has not rotated 5s at T0+5s
        ecl.flush(); // the flusher switches epochs
        ecl.group("loc").log("a", 4);
        r.scriptFlush();
        try (Monitor monitor = new Monitor(redis.port())) {
            assertTrue(ecl.flush());
            assertEquals(List.of("watch", "mget", "mget", "unwatch", "eval"), monitor.clientCommands(r),
                    "log.lua rotates, then counts; EVAL (not EVALSHA) since this path is rare");
        }
        assertEquals("4", r.get("loc:5s:cur:a"));
        assertEquals("0", r.get("loc:5s:last:a"));
        assertEquals(String.valueOf(S0 + 5), r.get("loc:5s:cur:@ts"));
        assertEquals("4", r.get("loc:1m:cur:a"));
    }

    @Test
    void rotationsBeatingEveryAttemptHandTheChunksToLogLuaWhichRetriesNoScriptInOneRoundTrip() {
        ecl.group("loc").log("a", 5);
        AtomicInteger reads = new AtomicInteger();
        Fixtures.hooks(ecl).afterRead = () -> rotate("5s", T0 + 5_000L * reads.incrementAndGet());
        r.scriptFlush();
        try (Monitor monitor = new Monitor(redis.port())) {
            assertTrue(ecl.flush());
            List<String> commands = monitor.clientCommands(r);
            assertEquals(3, count(commands, "exec"), commands.toString());
            assertEquals(List.of("evalsha", "eval"), commands.subList(commands.size() - 2, commands.size()),
                    "one pipeline of EVALSHA answered NOSCRIPT, then one of EVAL: " + commands);
        }
        assertEquals(3, reads.get());
        assertEquals(String.valueOf(S0 + 15), r.get("loc:5s:cur:@ts"));
        assertEquals("5", r.get("loc:5s:cur:a"), "logged two intervals before the open one: late");
        assertEquals("5", r.get("loc:5s:cur:@late"));
        assertEquals("5", r.get("loc:1m:cur:a"));
        assertNull(r.get("loc:1m:cur:@late"));
    }

    @Test
    void aWriterOpensTheIntervalNoMasterOpenedAndRotatesAtTheNextBoundary() {
        r.flushDB();
        ecl.group("big").log("e", 1);
        clock.set(T0 + 3_600_000 + 1_000);
        ecl.group("big").log("f", 1); // before the flusher switches epochs: still the first hour's
        ecl.flush();
        ecl.group("big").log("e", 2);
        assertTrue(ecl.flush());
        assertEquals(String.valueOf(S0), r.get("big:1h:last:@ts"));
        assertEquals(String.valueOf(S0 + 3_600), r.get("big:1h:cur:@ts"));
        assertEquals("1", r.get("big:1h:last:e"));
        assertEquals("1", r.get("big:1h:last:f"));
        assertEquals("2", r.get("big:1h:cur:e"));
    }

    @Test
    void moreChunksThanOneTransactionTakesGoInSeveralTransactions() {
        int events = Sender.TX_MAX_INCREMENTS + 1; // one interval: one increment per event
        // 30,001 commands under MONITOR on a busy machine can take longer than the default 2 s
        // timeout; this test is about how the flush is cut into transactions, not about its speed.
        ecl.close();
        EclConfig patient = EclConfig.parse(redis.yamlRedisSection() + "  socket_timeout: 30\n"
                + "groups:\n  big:\n    events: []\n    intervals: ['1h']\n    auto_declare_events: true\n"
                + "    sync_interval: 60\n", "test.yml");
        ecl = Fixtures.logger(patient, clock);
        EventGroup big = ecl.group("big");
        for (int e = 0; e < events; e++) {
            big.log("e" + e, e + 1);
        }
        try (Monitor monitor = new Monitor(redis.port())) {
            assertTrue(ecl.flush());
            List<String> commands = monitor.clientCommands(r);
            assertEquals(2, count(commands, "exec"));
            assertEquals(events, count(commands, "incrby"));
        }
        assertEquals(events, r.scard("big:1h:cur:@reg"));
        for (int e = 0; e < events; e += 997) {
            assertEquals(String.valueOf(e + 1), r.get("big:1h:cur:e" + e), "e" + e);
        }
        assertEquals(String.valueOf(events), r.get("big:1h:cur:e" + (events - 1)));
    }
}
