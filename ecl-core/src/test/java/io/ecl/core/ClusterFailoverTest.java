package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedCluster;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * What operators do to a running 3-master cluster with a replica per master, while ecl logs and
 * reads: a manual failover, a master that dies, and a slot moved to another master (ASK while
 * its keys move, MOVED after). No count is lost, and a command-line tool's one-shot reader
 * answers at every step. Each test works on groups served by a different master (in this order,
 * as a killed master leaves its shard without a replica).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverTest {
    @RegisterExtension
    static final EmbeddedCluster cluster = new EmbeddedCluster(3, 1);

    /** A direct-mode group and a local-counter group, both served at start by master {@code m}. */
    private static List<String> groupsOnMaster(int m) {
        List<String> names = new ArrayList<>();
        names.add(cluster.groupOnMaster(m, names));
        names.add(cluster.groupOnMaster(m, names));
        return names;
    }

    private static EclConfig config(String direct, String local) {
        return config(direct, local, "");
    }

    /** {@code direct} and {@code local} groups, and more group lines. */
    private static EclConfig config(String direct, String local, String moreGroups) {
        return config(direct, local, moreGroups, 1000);
    }

    private static EclConfig config(String direct, String local, String moreGroups, int timeoutMs) {
        return EclConfig.parse(cluster.yamlRedisSection() + "  timeout_ms: " + timeoutMs + "\ngroups:\n"
                + "  " + direct + ":\n    events: [a]\n    intervals: ['5s']\n"
                + "  " + local + ":\n    events: [b]\n    intervals: ['5s']\n    sync_interval: 60\n"
                + moreGroups, "cluster.yml");
    }

    /** One round of logging: {@code n} to the direct group's a, {@code 10 n} to the local group's b, flushed. */
    private static void logRound(EventCountLogger ecl, String direct, String local, long n) {
        ecl.group(direct).log("a", n);
        ecl.group(local).log("b", 10 * n);
        // A flush that meets a redirection keeps the counts and is retried, as the flusher does.
        Fixtures.await(ecl::flush, () -> "the counts never reached the cluster");
    }

    /** The current counts as a command-line tool reads them: a new one-shot reader. */
    private static long current(EclConfig config, String group, String event) {
        try (CounterReader reader = CounterReader.connectOnce(config)) {
            return reader.read(group, "5s").current().get(event);
        }
    }

    private static void assertTotals(EclConfig config, String direct, String local, long total) {
        assertEquals(total, current(config, direct, "a"), direct);
        assertEquals(10 * total, current(config, local, "b"), local);
    }

    private static EventCountLogger openIntervals(EclConfig config, String... groups) {
        EventCountLogger ecl = Fixtures.logger(config, new SteppedClock(T0 + 1_000));
        try (Rotator rotator = Rotator.connect(config.redis())) {
            for (String g : groups) {
                GroupConfig gc = config.group(g);
                assertTrue(rotator.rotate(gc, gc.interval("5s"), T0).rotated());
            }
        }
        return ecl;
    }

    @Test
    @Order(1)
    @Timeout(60)
    void countsSurviveAManualFailover() {
        List<String> g = groupsOnMaster(0);
        String direct = g.get(0);
        String local = g.get(1);
        EclConfig config = config(direct, local);
        int master = cluster.masterOf(EmbeddedCluster.slotOfGroup(direct));
        try (EventCountLogger ecl = openIntervals(config, direct, local)) {
            logRound(ecl, direct, local, 1);
            logRound(ecl, direct, local, 2);
            assertTotals(config, direct, local, 3);

            int promoted = cluster.failover(master);
            assertEquals(promoted, cluster.masterOf(EmbeddedCluster.slotOfGroup(direct)));
            assertEquals(promoted, cluster.masterOf(EmbeddedCluster.slotOfGroup(local)));

            logRound(ecl, direct, local, 4);
            assertTotals(config, direct, local, 7);
        }
    }

    @Test
    @Order(2)
    @Timeout(60)
    void countsSurviveASlotMigration() throws Exception {
        List<String> g = groupsOnMaster(1);
        String direct = g.get(0);
        String local = g.get(1);
        String quiet = cluster.groupOnMaster(1, g);
        String groups = "  " + quiet + ":\n    events: [q]\n    intervals: ['5s']\n";
        EclConfig config = config(direct, local, groups);
        int target = cluster.initialMasters().get(2);
        List<Integer> slots = List.of(EmbeddedCluster.slotOfGroup(direct), EmbeddedCluster.slotOfGroup(local),
                EmbeddedCluster.slotOfGroup(quiet));
        try (EventCountLogger ecl = openIntervals(config, direct, local, quiet)) {
            logRound(ecl, direct, local, 1);
            ecl.group(quiet).log("q", 5);
            assertTrue(ecl.flush());
            assertTotals(config, direct, local, 1);

            List<EmbeddedCluster.SlotMove> moves = new ArrayList<>();
            for (int slot : slots) {
                moves.add(cluster.beginSlotMove(slot, target));
            }
            // MIGRATING on the source, IMPORTING on the target, every key still on the source:
            // the scripts are refused before they write, the counts wait in memory.
            ecl.group(direct).log("a", 2);
            ecl.group(local).log("b", 20);
            assertFalse(ecl.flush());
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                    () -> current(config(direct, local, groups, 100), quiet, "q"));
            assertTrue(e.getMessage().contains("is moving the slot of these keys to another node (resharding)"),
                    e.getMessage());

            for (EmbeddedCluster.SlotMove move : moves) {
                assertTrue(move.moveKeys() > 0);
            }
            // Every key on the target, the slots still the source's (ASK): still refused.
            assertFalse(ecl.flush());
            // A read started now waits for the move to end, then answers.
            EclConfig patient = config(direct, local, groups, 20_000);
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(
                    () -> current(patient, quiet, "q"));

            for (EmbeddedCluster.SlotMove move : moves) {
                move.finish();
            }
            assertEquals(target, cluster.masterOf(EmbeddedCluster.slotOfGroup(direct)));
            assertEquals(5L, read.get(30, TimeUnit.SECONDS));
            Fixtures.await(ecl::flush, () -> "the counts held during the move were not delivered");
            assertTotals(config, direct, local, 3);
            // The slots are the target's: a client that still routes to the source gets MOVED.
            logRound(ecl, direct, local, 4);
            assertTotals(config, direct, local, 7);
        }
        try (Jedis t = EmbeddedCluster.node(target)) {
            assertEquals("7", t.get("{" + direct + "}:5s:cur:a"), "the counts are on the target");
            assertEquals("5", t.get("{" + quiet + "}:5s:cur:q"));
        }
    }

    @Test
    @Order(3)
    @Timeout(60)
    void countsSurviveAKilledMaster() {
        List<String> g = groupsOnMaster(2);
        String direct = g.get(0);
        String local = g.get(1);
        EclConfig config = config(direct, local);
        int master = cluster.masterOf(EmbeddedCluster.slotOfGroup(direct));
        int replica = cluster.replicaOf(master);
        try (EventCountLogger ecl = openIntervals(config, direct, local)) {
            logRound(ecl, direct, local, 1);
            logRound(ecl, direct, local, 2);
            try (Jedis m = EmbeddedCluster.node(master)) {
                // Redis replicates asynchronously: what the replica has not got dies with the master.
                assertEquals(1, m.waitReplicas(1, 5000), "the replica did not acknowledge the writes");
            }

            cluster.kill(master);
            // Logged while nobody serves the slots: held in memory (direct mode too) and delivered later.
            ecl.group(direct).log("a", 4);
            ecl.group(local).log("b", 40);
            cluster.awaitPromotion(replica);
            assertNotEquals(master, cluster.masterOf(EmbeddedCluster.slotOfGroup(direct)));

            logRound(ecl, direct, local, 8);
            assertTotals(config, direct, local, 15);
        }
    }

    @Test
    @Order(4)
    void aOneShotReaderAnswersForEveryGroupAfterwards() {
        // The cluster as the previous tests left it: one master promoted by hand, one slot moved,
        // one master dead and replaced. A reader configured with the seeds still finds every slot.
        List<String> names = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            names.add(cluster.groupOnMaster(m, names));
        }
        EclConfig config = EclConfig.parse(cluster.yamlRedisSection() + "groups:\n"
                + "  " + names.get(0) + ":\n    events: [x]\n    intervals: ['5s']\n"
                + "  " + names.get(1) + ":\n    events: [x]\n    intervals: ['5s']\n"
                + "  " + names.get(2) + ":\n    events: [x]\n    intervals: ['5s']\n", "after.yml");
        try (CounterReader reader = CounterReader.connectOnce(config)) {
            for (String name : names) {
                assertEquals(Map.of("x", 0L), reader.read(name, "5s").current(), name);
            }
        }
    }
}
