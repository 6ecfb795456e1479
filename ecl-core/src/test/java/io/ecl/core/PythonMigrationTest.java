package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.PythonMaster;
import io.ecl.testing.SteppedClock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * The steps of docs/migrating-from-python.md, each against the Python processes emulated
 * command for command: the Python master's rotation (SCAN, then MULTI, RENAME / SET, and
 * {@code SET cur:@ts} to {@code time.time()} when it runs, a few ms after the boundary), its
 * clients' INCRBY per interval (direct) or pipelines (local counters), with no registry.
 */
class PythonMigrationTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** T0 in the Unix seconds of @ts values. */
    private static final long S0 = T0 / 1000;

    private final SteppedClock clock = new SteppedClock(T0 + 100);
    private EclConfig config;
    private EventCountLogger ecl;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  direct:",
                "    events: [a]",
                "    intervals: ['1s']",
                "    auto_declare_events: true",
                "  local:",
                "    events: [a]",
                "    intervals: ['5s']",
                "    sync_interval: 1",
                "  masterOnly:",
                "    events: [a]",
                "    intervals: ['1s']",
                "    writers_rotate: false",
                "  dyn:",
                "    events: []",
                "    intervals: ['5s', '1m']",
                "    auto_declare_events: true",
                "  quiet:",
                "    events: []",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                ""));
        ecl = Fixtures.logger(config, clock);
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
    }

    // ---- the Python processes, as they talk to Redis ----

    /** {@code str(time.time())} at {@code millis}: microseconds, never an aligned boundary. */
    private static String pythonTime(long millis) {
        return String.format(Locale.ROOT, "%d.%03d417", millis / 1000, millis % 1000);
    }

    /** The Python master rotating one (group, interval) at {@code millis} (see {@link PythonMaster}). */
    private void pythonMaster(String group, String interval, List<String> declared, long millis) {
        PythonMaster.rotate(r, r::multi, group + ":" + interval + ":", declared, pythonTime(millis));
    }

    /** A Python client in direct mode: one INCRBY per interval, no registry. */
    private void pythonLog(String group, List<String> intervals, String event, long count) {
        for (String i : intervals) {
            r.incrBy(group + ":" + i + ":cur:" + event, count);
        }
    }

    /** A Python client's sync of its local counters: one pipeline of INCRBYs. */
    private void pythonSync(String group, List<String> intervals, Map<String, Long> counts) {
        try (AbstractPipeline p = r.pipelined()) {
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                for (String i : intervals) {
                    p.incrBy(group + ":" + i + ":cur:" + e.getKey(), e.getValue());
                }
            }
            p.sync();
        }
    }

    // ---- step 1 (or any order): ecl writers under the Python master ----

    @Test
    void aDirectWriterNeverRotatesAPythonMastersIntervalAndHoldsWhatItLogsBeforeThatMasterRuns() {
        pythonMaster("direct", "1s", List.of("a"), T0 + 3);
        EventGroup g = ecl.group("direct");
        clock.set(T0 + 500);
        g.log("a", 3);
        assertEquals("3", r.get("direct:1s:cur:a"));

        clock.set(T0 + 1_001); // the boundary passed; the Python master runs a few ms late
        g.log("a", 2);
        g.log("x");
        g.log("a", 4); // joins the held counts without a round trip
        assertEquals("3", r.get("direct:1s:cur:a"), "nothing is written before the Python master rotates");
        assertEquals(pythonTime(T0 + 3), r.get("direct:1s:cur:@ts"), "and the writer did not rotate");
        assertNull(r.get("direct:1s:cur:x"));

        pythonMaster("direct", "1s", List.of("a"), T0 + 1_004);
        Fixtures.awaitValue(r, "direct:1s:cur:a", "6");
        Fixtures.awaitValue(r, "direct:1s:cur:x", "1");
        assertEquals("3", r.get("direct:1s:last:a"), "the closed interval has exactly its own counts");
        assertNull(r.get("direct:1s:last:x"));
        Fixtures.await(() -> ecl.pendingCount() == 0, () -> "still pending: " + ecl.pendingCount());

        clock.set(T0 + 1_500);
        g.log("a");
        assertEquals("7", r.get("direct:1s:cur:a"), "back to direct calls once the interval is open");
        pythonMaster("direct", "1s", List.of("a"), T0 + 2_003);
        assertEquals("7", r.get("direct:1s:last:a"));
        assertEquals("1", r.get("direct:1s:last:x"));
    }

    @Test
    void localCountersUnderAPythonMasterAreCreditedToTheirOwnIntervalWhateverTheSyncTiming() {
        pythonMaster("local", "5s", List.of("a"), T0 + 2);
        EventGroup g = ecl.group("local");
        clock.set(T0 + 1_000);
        g.log("a", 4);
        assertTrue(ecl.flush());
        assertEquals("4", r.get("local:5s:cur:a"));

        clock.set(T0 + 5_001);
        assertTrue(ecl.flush()); // the epoch switches at the boundary
        g.log("a", 6);
        assertFalse(ecl.flush(), "held: the Python master has not rotated yet");
        assertEquals("4", r.get("local:5s:cur:a"));
        assertEquals(pythonTime(T0 + 2), r.get("local:5s:cur:@ts"));
        assertEquals(1, ecl.pendingCount());

        pythonMaster("local", "5s", List.of("a"), T0 + 5_012);
        assertTrue(ecl.flush());
        assertEquals("4", r.get("local:5s:last:a"));
        assertEquals("6", r.get("local:5s:cur:a"));
        assertNull(r.get("local:5s:cur:@late"));
    }

    @Test
    void heldCountsAreWrittenToTheOpenIntervalWhenThePythonMasterMissesAWholeIntervalOrTheLoggerCloses() {
        pythonMaster("local", "5s", List.of("a"), T0 + 2);
        EventGroup g = ecl.group("local");
        clock.set(T0 + 5_001);
        ecl.flush();
        g.log("a", 6);
        assertFalse(ecl.flush());
        clock.set(T0 + 10_001); // no master ran for a whole interval: the counts go where they can
        assertTrue(ecl.flush());
        assertEquals("6", r.get("local:5s:cur:a"));

        g.log("a", 2); // held again (the interval of T0+10s is not open either) ...
        assertFalse(ecl.flush());
        ecl.close(); // ... and not lost at close
        assertEquals("8", r.get("local:5s:cur:a"));
        assertEquals(pythonTime(T0 + 2), r.get("local:5s:cur:@ts"), "never rotated by a writer");
    }

    @Test
    void writersRotateFalseHoldsCountsUntilAMasterOpensTheInterval() {
        try (Rotator master = Rotator.connect(config.redis())) {
            GroupConfig group = config.group("masterOnly");
            ecl.flush();
            master.rotate(group, group.interval("1s"), T0);
            EventGroup g = ecl.group("masterOnly");
            g.log("a", 2);
            clock.set(T0 + 1_002);
            g.log("a", 5);
            assertEquals("2", r.get("masterOnly:1s:cur:a"));
            assertEquals(String.valueOf(S0), r.get("masterOnly:1s:cur:@ts"));

            master.rotate(group, group.interval("1s"), T0 + 1_000);
            Fixtures.awaitValue(r, "masterOnly:1s:cur:a", "5");
            assertEquals("2", r.get("masterOnly:1s:last:a"));
        }
    }

    @Test
    void rollingBackToThePythonMasterAfterEclMasterStopsWritersFromRotatingAgain() {
        try (Rotator master = Rotator.connect(config.redis())) {
            GroupConfig group = config.group("direct");
            ecl.flush();
            master.rotate(group, group.interval("1s"), T0); // ecl-master ran ...
        }
        EventGroup g = ecl.group("direct");
        g.log("a", 1);
        pythonMaster("direct", "1s", List.of("a"), T0 + 1_006); // ... then the Python master again
        clock.set(T0 + 2_001);
        g.log("a", 2);
        assertEquals("0", r.get("direct:1s:cur:a"));
        assertEquals(pythonTime(T0 + 1_006), r.get("direct:1s:cur:@ts"));
        pythonMaster("direct", "1s", List.of("a"), T0 + 2_009);
        Fixtures.awaitValue(r, "direct:1s:cur:a", "2");
        assertEquals("0", r.get("direct:1s:last:a"));
    }

    /** What ecl-master does at a boundary: the rotation, then (after every rotation of the boundary) the probe. */
    private static void rotateAndProbe(Rotator master, GroupConfig group, String interval, long boundary) {
        master.rotate(group, group.interval(interval), boundary);
        master.probe(group, List.of(group.interval(interval)), boundary);
    }

    // ---- step 2: ecl-master in place, Python clients still logging ----

    @Test
    void autoDeclaredCountersOfPythonClientsAreFoundRotatedAndReadWithoutLegacyScan() {
        GroupConfig dyn = config.group("dyn");
        List<String> intervals = List.of("5s", "1m");
        try (Rotator master = Rotator.connect(config.redis());
                CounterReader reader = CounterReader.connect(config);
                LogCapture log = new LogCapture(Rotator.class, Level.WARN)) {
            rotateAndProbe(master, dyn, "5s", T0);
            rotateAndProbe(master, dyn, "1m", T0);
            for (int i = 0; i < 5; i++) {
                pythonLog("dyn", intervals, "pyev", 1); // g.log('pyev') five times
            }
            pythonSync("dyn", intervals, Map.of("pysync", 3L));
            ecl.group("dyn").log("java", 2);

            // The first rotation found none; the next probe is a period later (the counts wait in cur).
            long probe = T0 + Rotator.PROBE_PERIOD_MILLIS;
            rotateAndProbe(master, dyn, "5s", T0 + 5_000);
            assertEquals("2", r.get("dyn:5s:last:java"));
            for (long b = T0 + 10_000; b < probe; b += 5_000) {
                rotateAndProbe(master, dyn, "5s", b);
            }
            assertEquals("5", r.get("dyn:5s:cur:pyev"));
            assertTrue(log.messages(Level.WARN).isEmpty());
            rotateAndProbe(master, dyn, "5s", probe);
            assertEquals("5", r.get("dyn:5s:last:pyev"));
            assertEquals("3", r.get("dyn:5s:last:pysync"));
            assertEquals(Map.of("pyev", 5L, "pysync", 3L), reader.read("dyn", "5s").last());
            rotateAndProbe(master, dyn, "1m", probe);
            assertEquals(Map.of("pyev", 5L, "pysync", 3L, "java", 2L), reader.read("dyn", "1m").last());
            List<String> warnings = log.messages(Level.WARN);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("group 'dyn': counters that no registry lists in dyn:5s:cur:"),
                    warnings.get(0));
            assertTrue(warnings.get(0).contains("legacy_scan: true"), warnings.get(0));

            pythonLog("dyn", intervals, "pyev", 2); // found at every rotation from now on
            rotateAndProbe(master, dyn, "5s", probe + 5_000);
            assertEquals("2", r.get("dyn:5s:last:pyev"));
            assertNull(r.get("dyn:5s:cur:pyev"));
            assertEquals(1, log.messages(Level.WARN).size(), "said once per group");
        }
    }

    @Test
    void theRotationItselfNeverScansTheKeyspaceTheProbeAfterItDoes() {
        GroupConfig quiet = config.group("quiet");
        try (Rotator master = Rotator.connect(config.redis());
                Monitor monitor = new Monitor(redis.port())) {
            monitor.clientCommands(r);
            master.rotate(quiet, quiet.interval("5s"), T0); // a probe is due: the first one
            assertEquals(List.of("evalsha"), monitor.clientCommands(r).stream().filter(c -> !c.equals("eval")).toList(),
                    "one script, no SCAN at the boundary");
            master.probe(quiet, List.of(quiet.interval("5s")), T0);
            assertTrue(monitor.clientCommands(r).contains("scan"), "the probe, after the boundary's rotations");
        }
    }

    @Test
    void aGroupWithoutPythonCountersIsScannedOnlyOncePerProbePeriod() {
        GroupConfig quiet = config.group("quiet");
        try (Rotator master = Rotator.connect(config.redis());
                LogCapture log = new LogCapture(Rotator.class, Level.WARN)) {
            rotateAndProbe(master, quiet, "5s", T0);
            ecl.group("quiet").log("java");
            ecl.group("quiet").declareEvent("declaredAtRunTime"); // its counters are no registry's either
            ecl.flush();
            try (Monitor monitor = new Monitor(redis.port())) {
                monitor.clientCommands(r);
                for (long b = T0 + 5_000; b < T0 + Rotator.PROBE_PERIOD_MILLIS; b += 5_000) {
                    rotateAndProbe(master, quiet, "5s", b);
                }
                List<String> commands = monitor.clientCommands(r);
                assertFalse(commands.contains("scan"), commands.toString());
                rotateAndProbe(master, quiet, "5s", T0 + Rotator.PROBE_PERIOD_MILLIS);
                assertTrue(monitor.clientCommands(r).contains("scan"), "probed again after the period");
            }
            assertEquals("0", r.get("quiet:5s:cur:declaredAtRunTime"));
            assertEquals(List.of(), log.messages(Level.WARN), "ecl's own counters are no reason to warn");
        }
        assertNull(r.get("quiet:5s:cur:java"));
    }
}
