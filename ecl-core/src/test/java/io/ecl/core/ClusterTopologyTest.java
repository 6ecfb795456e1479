package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.Keys;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedCluster;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A real 3-master Redis Cluster: groups in key mode hashtag land on different masters, and
 * logging (pipelined log.lua), rotation and reading give exact counts.
 */
class ClusterTopologyTest {
    @RegisterExtension
    static final EmbeddedCluster cluster = new EmbeddedCluster(3, 0);
    private static List<Integer> ports;

    @BeforeAll
    static void masters() {
        ports = cluster.initialMasters();
    }

    private static String yaml(String redisExtra, String groups) {
        return "redis:\n"
                + "  cluster: true\n"
                + "  nodes: ['127.0.0.1:" + ports.get(0) + "', '127.0.0.1:" + ports.get(1) + "']\n"
                + redisExtra
                + "groups:\n" + groups;
    }

    @Test
    void logRotateAndReadOnAThreeMasterCluster() {
        // Groups whose hash tags fall into different slots (and, with three masters, mostly on different nodes).
        StringBuilder groups = new StringBuilder();
        Set<Integer> slots = new HashSet<>();
        for (String g : List.of("web", "api", "db", "mail")) {
            slots.add(JedisClusterCRC16.getSlot("{" + g + "}"));
            groups.append("  ").append(g).append(":\n    events: [hit]\n    intervals: ['5s', '1m']\n"
                    + "    auto_declare_events: true\n");
        }
        assertTrue(slots.size() > 1);
        EclConfig config = EclConfig.parse(yaml("  key_mode: hashtag\n", groups.toString()), "cluster.yml");
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis());
                RedisClusterClient check = RedisClusterClient.builder()
                        .nodes(Set.of(new HostAndPort("127.0.0.1", ports.get(0)))).build()) {
            ecl.flush();
            for (String g : List.of("web", "api", "db", "mail")) {
                GroupConfig gc = config.group(g);
                assertTrue(rotator.rotate(gc, gc.interval("5s"), T0).rotated());
                assertTrue(rotator.rotate(gc, gc.interval("1m"), T0).rotated());
            }
            int n = 1;
            for (String g : List.of("web", "api", "db", "mail")) {
                EventGroup eg = ecl.group(g);
                eg.log("hit", n);
                eg.log("dyn-" + g, 10 * n);
                n++;
            }
            ecl.flush();
            assertEquals("3", check.get("{db}:5s:cur:hit"));
            assertNull(check.get("db:5s:cur:hit"), "no python-mode keys");
            clock.set(T0 + 6_000);
            for (String g : List.of("web", "api", "db", "mail")) {
                GroupConfig gc = config.group(g);
                assertTrue(rotator.rotate(gc, gc.interval("5s"), T0 + 5_000).rotated());
            }
            ecl.group("web").log("hit", 5);
            ecl.flush();
            try (CounterReader reader = CounterReader.connect(config)) {
                n = 1;
                for (String g : List.of("web", "api", "db", "mail")) {
                    IntervalCounts five = reader.read(g, "5s");
                    assertEquals(new TreeMap<>(Map.of("hit", (long) n, "dyn-" + g, 10L * n)), five.last(), g);
                    assertEquals(T0, five.lastStartMillis());
                    IntervalCounts minute = reader.read(g, "1m");
                    long hit = g.equals("web") ? n + 5 : n;
                    assertEquals(new TreeMap<>(Map.of("hit", hit, "dyn-" + g, 10L * n)), minute.current(), g);
                    n++;
                }
                assertEquals(Map.of("hit", 5L), reader.read("web", "5s").current(),
                        "as on a single server and in the Python reader: an auto-declared event without a"
                                + " counter in the current interval is not listed there");
            }
        }
    }

    @Test
    void uniqueCountsAndValueStatisticsWorkOnTheClusterToo() {
        // Local counters (sketches go by the script path on a cluster) and direct mode, on groups
        // of different masters: every kind's keys, scratch keys included, stay in the group's slot.
        // Names of their own: the cluster is shared by this class's tests.
        List<String> taken = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            taken.add("g" + i);
        }
        List<String> names = new java.util.ArrayList<>();
        StringBuilder groups = new StringBuilder();
        for (int m = 0; m < 2; m++) {
            String g = cluster.groupOnMaster(m, taken);
            taken.add(g);
            names.add(g);
            groups.append("  ").append(g).append(":\n    events: [hit]\n    uniques: [visitors]\n    values: [ms]\n"
                    + "    intervals: ['5s', '1m']\n" + (m == 0 ? "    sync_interval: 1\n" : ""));
        }
        EclConfig config = EclConfig.parse(yaml("  key_mode: hashtag\n", groups.toString()), "cluster.yml");
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis())) {
            for (String g : names) {
                GroupConfig gc = config.group(g);
                rotator.rotate(gc, gc.interval("5s"), T0);
                rotator.rotate(gc, gc.interval("1m"), T0);
            }
            for (String g : names) {
                EventGroup eg = ecl.group(g);
                for (int i = 0; i < 300; i++) {
                    eg.logUnique("visitors", "v" + (i % 100));
                    eg.logValue("ms", i);
                }
            }
            assertTrue(ecl.flush());
            clock.set(T0 + 6_000);
            for (String g : names) {
                GroupConfig gc = config.group(g);
                assertTrue(rotator.rotate(gc, gc.interval("5s"), T0 + 5_000).rotated());
            }
            try (CounterReader reader = CounterReader.connect(config)) {
                for (String g : names) {
                    IntervalCounts five = reader.read(g, "5s");
                    assertEquals(100L, five.lastUniques().get("visitors"), g);
                    ValueStats ms = five.lastValues().get("ms");
                    assertEquals(300, ms.count(), g);
                    assertEquals(0, new java.math.BigDecimal(299 * 300 / 2).compareTo(ms.sum()), g);
                    assertEquals(299.0, ms.max(), g);
                    assertEquals(300, reader.read(g, "1m").currentValues().get("ms").count(), g);
                }
            }
        }
    }

    @Test
    void historyAndTotalsAreKeptInTheGroupsSlot() {
        // A name no other test of this class takes (they share the cluster).
        List<String> taken = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            taken.add("g" + i);
        }
        String g = cluster.groupOnMaster(1, taken);
        EclConfig config = EclConfig.parse(yaml("  key_mode: hashtag\n", "  " + g
                + ":\n    events: [hit]\n    values: [ms]\n    intervals: ['5s']\n    sync_interval: 1\n"
                + "history: 2\n"), "cluster.yml");
        GroupConfig gc = config.group(g);
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis());
                CounterReader reader = CounterReader.connect(config)) {
            rotator.rotate(gc, gc.interval("5s"), T0);
            ecl.group(g).log("hit", 2);
            ecl.group(g).logValue("ms", 7);
            assertTrue(ecl.flush());
            clock.set(T0 + 10_100); // the writer rotates: no master ran at T0 + 5 s
            ecl.flush();
            ecl.group(g).log("hit", 1);
            assertTrue(ecl.flush());
            clock.set(T0 + 15_100);
            assertTrue(rotator.rotate(gc, gc.interval("5s"), T0 + 15_000).rotated());

            List<io.ecl.core.ops.HistoryEntry> h = reader.history(gc, gc.interval("5s"), 5);

            assertEquals(List.of(T0, T0 + 10_000), h.stream().map(io.ecl.core.ops.HistoryEntry::startMillis).toList());
            assertEquals(List.of(2, 1), h.stream().map(io.ecl.core.ops.HistoryEntry::covers).toList());
            assertEquals(List.of(2L, 1L), h.stream().map(e -> e.counts().get("hit")).toList());
            assertEquals(1, h.get(0).values().get("ms").count());
            assertEquals(Map.of("hit", 3L), reader.totals(gc, gc.interval("5s")));
        }
    }

    @Test
    void aOneShotReaderReadsGroupsOnEveryMaster() {
        // A command-line tool's reader (one thread, a few reads, then closed), one group per master.
        List<String> names = new java.util.ArrayList<>();
        StringBuilder groups = new StringBuilder();
        for (int m = 0; m < 3; m++) {
            String g = cluster.groupOnMaster(m, names);
            names.add(g);
            groups.append("  ").append(g).append(":\n    events: [hit]\n    intervals: ['5s']\n");
        }
        EclConfig config = EclConfig.parse(yaml("  key_mode: hashtag\n", groups.toString()), "cluster.yml");
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis())) {
            ecl.flush();
            for (String g : names) {
                GroupConfig gc = config.group(g);
                rotator.rotate(gc, gc.interval("5s"), T0);
            }
            for (int i = 0; i < names.size(); i++) {
                ecl.group(names.get(i)).log("hit", i + 1);
            }
            ecl.flush();
        }
        try (CounterReader reader = CounterReader.connectOnce(config)) {
            for (int i = 0; i < names.size(); i++) {
                IntervalCounts counts = reader.read(names.get(i), "5s");
                assertEquals(Map.of("hit", i + 1L), counts.current(), names.get(i));
                assertEquals(T0, counts.currentStartMillis());
            }
        }
    }

    @Test
    void localCountersAreFlushedThroughAClusterPipeline() {
        // Local-counter groups in several slots: one flush pipelines log.lua (and SADD of new
        // declarations) to several masters; a fresh node answers NOSCRIPT first and gets EVAL.
        StringBuilder groups = new StringBuilder();
        List<String> names = List.of("loc1", "loc2", "loc3", "loc4", "loc5");
        for (String g : names) {
            groups.append("  ").append(g).append(":\n    events: [x]\n    intervals: ['5s']\n"
                    + "    sync_interval: 60\n");
        }
        EclConfig config = EclConfig.parse(yaml("  key_mode: hashtag\n", groups.toString()), "cluster.yml");
        SteppedClock clock = new SteppedClock(T0 + 1_000);
        try (EventCountLogger ecl = Fixtures.logger(config, clock);
                Rotator rotator = Rotator.connect(config.redis())) {
            ecl.flush();
            for (String g : names) {
                GroupConfig gc = config.group(g);
                rotator.rotate(gc, gc.interval("5s"), T0);
            }
            for (int round = 0; round < 3; round++) {
                int n = 1;
                for (String g : names) {
                    ecl.group(g).log("x", n++);
                }
                ecl.flush();
            }
            ecl.group("loc1").declareEvent("late-declared");
            ecl.flush();
            try (CounterReader reader = CounterReader.connect(config)) {
                int n = 1;
                for (String g : names) {
                    assertEquals(3L * n, reader.read(g, "5s").current().get("x"), g);
                    n++;
                }
            }
            try (RedisClusterClient check = RedisClusterClient.builder()
                    .nodes(Set.of(new HostAndPort("127.0.0.1", ports.get(0)))).build()) {
                assertTrue(check.sismember("{loc1}:5s:cur:@declared", "late-declared"));
            }
        }
    }

    @Test
    void aLoggerBuiltWhileNoClusterNodeAnswersLogsToMemory() {
        int dead = EmbeddedRedis.freePort();
        EclConfig config = EclConfig.parse("redis:\n  cluster: true\n  nodes: ['127.0.0.1:" + dead + "']\n"
                + "  key_mode: hashtag\n  timeout_ms: 300\ngroups:\n  g:\n    events: [x]\n    intervals: ['5s']\n",
                "dead.yml");
        // Building does no I/O (Jedis' cluster client would fetch the slots here and throw).
        try (EventCountLogger ecl = Fixtures.logger(config, new SteppedClock(T0 + 1_000))) {
            ecl.group("g").log("x", 4);
            assertFalse(ecl.flush());
            assertEquals(1, ecl.pendingCount()); // one (event, interval) entry
        }
        RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                () -> { try (CounterReader r = CounterReader.connect(config)) { r.read("g", "5s"); } });
        assertTrue(e.getMessage().startsWith("cannot connect to Redis at cluster 127.0.0.1:" + dead + ": "),
                e.getMessage());
    }

    @Test
    void clusterWithoutHashtagKeyModeIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.parse(
                yaml("", "  g:\n    events: []\n    intervals: ['5s']\n"), "c.yml"));
        assertTrue(e.getMessage().startsWith("c.yml:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("redis.key_mode: hashtag"), e.getMessage());
    }

    @Test
    void hashtagModeRejectsBracesInGroupNames() {
        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.parse(
                yaml("  key_mode: hashtag\n", "  'a{b}':\n    events: []\n    intervals: ['5s']\n"), "c.yml"));
        assertTrue(e.getMessage().contains("'{' or '}'"), e.getMessage());
    }

    @Test
    void hashtagKeyNames() {
        Interval five = Interval.parse("5s");
        assertEquals("{web}:5s:", Keys.prefix(RedisConfig.KeyMode.HASHTAG, "web", five));
        assertEquals("web:5s:", Keys.prefix(RedisConfig.KeyMode.PYTHON, "web", five));
        assertEquals(JedisClusterCRC16.getSlot(Keys.curTs(RedisConfig.KeyMode.HASHTAG, "web", five)),
                JedisClusterCRC16.getSlot(Keys.syncMarkerPrefix(RedisConfig.KeyMode.HASHTAG, "web", five) + "x"));
    }
}
