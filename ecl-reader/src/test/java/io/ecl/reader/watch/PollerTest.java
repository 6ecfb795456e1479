package io.ecl.reader.watch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.GroupConfig;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What a refresh reads from a real Redis, and what it shows while Redis is down. */
class PollerTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;
    private EclConfig cfg;

    @BeforeEach
    void config() throws Exception {
        redis.client().flushAll();
        Path file = dir.resolve("ecl.yml");
        Files.writeString(file, redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [login]\n    uniques: [visitors]\n    values: [ms]\n    intervals: ['5m']\n"
                + "  auto:\n    events: []\n    auto_declare_events: true\n    intervals: ['5m']\n");
        cfg = EclConfig.load(file);
    }

    private Poller poller() {
        return new Poller(cfg, Watch.of(cfg, null, null, "ecl.yml", 1000).targets(), Poller.HistorySource.NONE,
                Clock.systemUTC());
    }

    @Test
    void aRefreshShowsEveryKindAndTheWriters() throws Exception {
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).withoutShutdownHook().appName("shop").build();
                Poller poller = poller()) {
            ecl.group("web").log("login", 5);
            ecl.group("web").logUnique("visitors", "ann");
            ecl.group("web").logUnique("visitors", "bob");
            ecl.group("web").logValue("ms", 10);
            ecl.group("auto").log("404", 2);
            assertTrue(ecl.flush());
            Snapshot s = poller.poll(10);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (s.writers().isEmpty() && System.nanoTime() < deadline) { // the heartbeat is the logger's own thread's
                Thread.sleep(20);
                s = poller.poll(10);
            }
            assertNull(s.status());
            assertEquals(List.of("web", "auto"), s.panels().stream().map(Snapshot.Panel::group).toList());
            List<Snapshot.Row> web = s.panels().get(0).rows();
            assertEquals(List.of("login EVENT 0.0 5.0", "visitors UNIQUE 0.0 2.0", "ms P50 NaN 10.0", "ms P99 NaN 10.0"),
                    web.stream().map(r -> r.name() + " " + r.kind() + " " + r.last() + " " + r.current()).toList());
            assertEquals("404 EVENT 0.0 2.0", s.panels().get(1).rows().stream()
                    .map(r -> r.name() + " " + r.kind() + " " + r.last() + " " + r.current()).findFirst().orElseThrow());
            assertEquals(1, s.writers().size());
            assertEquals("shop", s.writers().get(0).app());
            assertTrue(s.writers().get(0).up());
        }
    }

    @Test
    void sparklinesDrawTheHistoryRedisKeepsWithACatchUpSpreadOverItsIntervals() throws Exception {
        Path file = dir.resolve("history.yml");
        Files.writeString(file, redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [req]\n    values: [ms]\n    intervals: ['5m']\n    history: 3\n");
        EclConfig keeping = EclConfig.load(file);
        GroupConfig web = keeping.group("web");
        long boundary = 1_700_000_100_000L;
        try (Rotator master = Rotator.connect(keeping.redis())) {
            master.rotate(web, web.interval("5m"), boundary);
            log(keeping, boundary + 1_000, 2);
            master.rotate(web, web.interval("5m"), boundary + 300_000);
            log(keeping, boundary + 301_000, 6);
            master.rotate(web, web.interval("5m"), boundary + 900_000); // caught up: covers two intervals
        }
        try (Poller poller = new Poller(keeping, Watch.of(keeping, "web", "5m", "history.yml", 1000).targets(),
                Poller.HistorySource.REDIS, Clock.systemUTC())) {
            Snapshot.Row req = poller.poll(10).panels().get(0).rows().get(0);
            assertEquals("req", req.name());
            assertArrayEquals(new double[] {2, 3, 3}, req.history(), java.util.Arrays.toString(req.history()));
            assertEquals("▆██", Sparkline.render(req.history(), 3, Sparkline.BLOCKS));
            assertArrayEquals(new double[] {3, 3}, poller.poll(2).panels().get(0).rows().get(0).history(),
                    "no more than the sparkline's width");
        }
    }

    private static void log(EclConfig cfg, long at, int requests) {
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).clock(new SteppedClock(at)).withoutShutdownHook()
                .withoutHeartbeat().build()) {
            ecl.group("web").log("req", requests);
        }
    }

    @Test
    void whileRedisIsDownTheStatusSaysSoAndTheLastCountsStayThenReadingResumes() throws Exception {
        try (Poller poller = poller()) {
            redis.client().set("web:5m:cur:login", "3");
            Snapshot before = poller.poll(10);
            assertNull(before.status());
            redis.stop();
            Snapshot down;
            try {
                down = poller.poll(10);
            } finally {
                redis.start();
            }
            assertTrue(down.status().contains(":" + redis.port()) && down.status().endsWith("(retrying)"), down.status());
            assertEquals(before.panels(), down.panels(), "the counts last read stay on screen");
            assertEquals(before.dataMillis(), down.dataMillis());

            redis.client().set("web:5m:cur:login", "4");
            Snapshot back = poller.poll(10);
            assertNull(back.status());
            assertEquals(4.0, back.panels().get(0).rows().get(0).current());
        }
    }

    @Test
    void aWriterWhoseHeartbeatExpiresIsShownDown() throws Exception {
        try (Poller poller = poller()) {
            try (EventCountLogger ecl = EventCountLogger.builder(cfg).withoutShutdownHook().appName("shop").build()) {
                ecl.group("web").log("login");
                assertTrue(ecl.flush());
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (poller.poll(0).writers().isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, "no heartbeat");
                    Thread.sleep(20);
                }
            }
            redis.client().flushAll(); // as when its heartbeat expires
            List<Snapshot.Writer> writers = poller.poll(0).writers();
            assertEquals(1, writers.size());
            assertEquals("shop", writers.get(0).app());
            assertEquals(false, writers.get(0).up());
        }
    }
}
