package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * Redis going away and coming back: log() never throws nor waits twice, counts wait in memory
 * and reach Redis exactly once, max_pending bounds the memory, close() delivers or gives up.
 * The embedded server keeps no data across a restart, so after one Redis holds only what was
 * logged during the outage.
 */
class RedisOutageTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String OUTAGE_WARNING = "counting in memory and retrying in the background";

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;
    private EventCountLogger ecl;
    private LogCapture log;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  direct:",
                "    events: [a]",
                "    intervals: ['5s', '1m', '1h']",
                "  local:",
                "    events: [a, b]",
                "    intervals: ['5s', '1m']",
                "    sync_interval: 1",
                "  capped:",
                "    events: [a, b, c]",
                "    intervals: ['5s']",
                "    sync_interval: 1",
                "    max_pending: 2",
                ""));
    }

    @AfterEach
    void stop() {
        redis.start();
        if (ecl != null) {
            ecl.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private static RedisClient r() {
        return redis.client();
    }

    private EventCountLogger logger() {
        ecl = Fixtures.logger(config, clock);
        return ecl;
    }

    @Test
    void directModeKeepsCountingInMemoryAndTriesRedisOnlyOnceWhileItIsDown() {
        log = new LogCapture(Level.DEBUG);
        EventGroup direct = logger().group("direct");
        direct.log("a");
        assertEquals("1", r().get("direct:5s:cur:a"));
        assertTrue(ecl.flush()); // the flusher's declarations are out: only log() meets the outage

        redis.stop();
        direct.log("a");
        for (int i = 0; i < 10; i++) {
            direct.log("a", 2);
        }

        String me = Thread.currentThread().getName();
        List<String> mine = log.onThread(me).stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
        assertEquals(1, mine.size(), "the logging thread met the outage once, then never tried again: " + mine);
        assertTrue(mine.get(0).contains(OUTAGE_WARNING), mine.get(0));
        assertEquals(1, log.messages(Level.WARN, OUTAGE_WARNING).size());

        redis.start();
        // A connection pooled before the outage may still be idle: its first use fails once.
        Fixtures.await(ecl::flush, () -> "flush() never succeeded");
        assertEquals("21", r().get("direct:5s:cur:a"));
        assertEquals("21", r().get("direct:1m:cur:a"));
        assertEquals("21", r().get("direct:1h:cur:a"));

        direct.log("a");
        assertEquals("22", r().get("direct:5s:cur:a"), "back to direct mode: in Redis when log() returns");
        List<String> back = log.messages(Level.INFO, "reachable again");
        assertEquals(1, back.size());
        assertTrue(back.get(0).endsWith("delivered 21 counts held in memory"), back.get(0));
    }

    @Test
    void localCountersWaitInMemoryAndReachRedisOnceWhenItIsBack() {
        log = new LogCapture();
        EventGroup local = logger().group("local");
        redis.stop();
        local.log("a", 3);
        local.log("b", 4);
        assertFalse(ecl.flush());
        local.log("a", 2);
        assertFalse(ecl.flush());
        assertFalse(ecl.flush());
        assertEquals(1, log.messages(Level.WARN, OUTAGE_WARNING).size(), log.messages(Level.WARN).toString());

        redis.start();
        assertTrue(ecl.flush());
        assertTrue(ecl.flush());
        assertEquals("5", r().get("local:5s:cur:a"));
        assertEquals("4", r().get("local:5s:cur:b"));
        assertEquals("5", r().get("local:1m:cur:a"));
        assertEquals("4", r().get("local:1m:cur:b"));
        assertEquals(0, ecl.pendingCount());
        assertEquals(0, ecl.droppedCount());
    }

    @Test
    void flusherRetriesOnItsOwnWhenRedisIsBackEvenIfTheWallClockStandsStill() {
        // The retry backoff must not be measured on the wall clock: one that is frozen (here)
        // or stepped back by NTP would stop the retries until it catches up.
        EventGroup local = logger().group("local");
        EventGroup direct = ecl.group("direct");
        redis.stop();
        local.log("a", 3);
        direct.log("a", 2);
        assertFalse(ecl.flush());

        redis.start();
        Fixtures.awaitValue(r(), "local:5s:cur:a", "3");
        Fixtures.awaitValue(r(), "direct:5s:cur:a", "2");
        Fixtures.await(() -> ecl.health().redisDownSince() == null, () -> "the logger still believes Redis is down");
        direct.log("a");
        assertEquals("3", r().get("direct:5s:cur:a"));
    }

    @Test
    void maxPendingCapsWhatWaitsForRedisAndCountsWhatIsDropped() {
        log = new LogCapture();
        EventGroup capped = logger().group("capped");
        redis.stop();
        capped.log("a", 5);
        capped.log("b", 3);
        assertFalse(ecl.flush());
        assertEquals(2, ecl.pendingCount());
        capped.log("c", 7);
        assertFalse(ecl.flush());

        assertEquals(7, ecl.droppedCount());
        assertEquals(2, ecl.pendingCount());
        assertEquals(1, log.messages(Level.WARN, "max_pending").size(), log.messages(Level.WARN).toString());

        redis.start();
        assertTrue(ecl.flush());
        assertEquals("5", r().get("capped:5s:cur:a"));
        assertEquals("3", r().get("capped:5s:cur:b"));
        assertNull(r().get("capped:5s:cur:c"));
        assertEquals(7, ecl.droppedCount());
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void closeDeliversCountsHeldDuringAnOutage() {
        EventGroup local = logger().group("local");
        EventGroup direct = ecl.group("direct");
        redis.stop();
        local.log("a", 3);
        direct.log("a", 4);
        assertFalse(ecl.flush());
        redis.start();
        ecl.close();

        assertEquals("3", r().get("local:5s:cur:a"));
        assertEquals("4", r().get("direct:1h:cur:a"));
    }

    @Test
    void closeWithRedisDownGivesUpAfterTheCloseTimeoutWithOneError() {
        log = new LogCapture();
        ecl = EventCountLogger.builder(config).clock(clock).withoutShutdownHook()
                .closeTimeout(Duration.ofMillis(300)).build();
        redis.stop();
        ecl.group("local").log("a", 3);
        ecl.group("local").log("b");

        assertTimeoutPreemptively(Duration.ofSeconds(30), ecl::close);

        List<String> errors = log.messages(Level.ERROR);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("closing: 2 distinct counts could not be delivered to Redis at 127.0.0.1:"
                + redis.port() + " within 300 ms and are lost"), errors.get(0));
        ecl.close();
        assertEquals(1, log.messages(Level.ERROR).size(), "closing twice reports once");
    }

    @Test
    void closeWhileTheFlusherIsWaitingForRedisDoesNotDeadlock() {
        EventGroup local = logger().group("local");
        local.log("a", 3);
        // Redis answers nobody for a second: the flusher's send below holds the flush lock.
        r().sendCommand(Protocol.Command.CLIENT, "PAUSE", "1000");
        clock.advanceMillis(1_000); // sync_interval is due; the flusher notices within a second
        Fixtures.await(() -> ecl.flusherForTest().lock.isLocked(), () -> "the flusher never started a send");

        EventCountLogger closing = ecl;
        ecl = null; // a deadlocked logger must not hang the clean-up too
        assertTimeoutPreemptively(Duration.ofSeconds(20), closing::close);
        assertEquals("3", r().get("local:5s:cur:a"));
    }

    @Test
    void creatingALoggerDoesNoIoOnTheCallersThread() {
        log = new LogCapture();
        redis.stop();
        logger(); // has declared events to send: the flusher thread, not the constructor, tries
        Fixtures.await(() -> !log.messages(Level.WARN, OUTAGE_WARNING).isEmpty(), () -> "no outage warning");

        List<ILoggingEvent> warnings = log.at(Level.WARN);
        assertEquals(1, warnings.size());
        assertEquals("ecl-flusher", warnings.get(0).getThreadName());
    }
}
