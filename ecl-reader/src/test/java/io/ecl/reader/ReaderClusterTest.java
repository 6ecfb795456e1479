package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ecl.core.ops.Seconds;
import io.ecl.testing.EmbeddedCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * ecl-reader as cron and Munin run it, against a real 3-master Redis Cluster (key mode hashtag)
 * with one group on each master.
 */
class ReaderClusterTest {
    @RegisterExtension
    static final EmbeddedCluster cluster = new EmbeddedCluster(3, 0);

    /** One group per master, in config order. */
    private static final List<String> GROUPS = new ArrayList<>();

    @TempDir
    Path dir;
    private String config;

    @BeforeAll
    static void groupsOnEveryMaster() {
        for (int m = 0; m < 3; m++) {
            GROUPS.add(cluster.groupOnMaster(m, GROUPS));
        }
        // Group i: last hit = i + 1, current hit = 10 (i + 1); the current interval opened by a master.
        long now = System.currentTimeMillis();
        String opened = Seconds.format(now - now % 300_000);
        for (int i = 0; i < GROUPS.size(); i++) {
            String g = GROUPS.get(i);
            try (Jedis node = EmbeddedCluster.node(cluster.masterOf(EmbeddedCluster.slotOfGroup(g)))) {
                node.set("{" + g + "}:5m:last:hit", String.valueOf(i + 1));
                node.set("{" + g + "}:5m:cur:hit", String.valueOf(10 * (i + 1)));
                node.set("{" + g + "}:5m:cur:@ts", opened);
            }
        }
    }

    @BeforeEach
    void writeConfig() throws Exception {
        config = Run.writeFile(dir, "ecl.yml", yaml(""));
    }

    private static String yaml(String redisExtra) {
        StringBuilder yaml = new StringBuilder(cluster.yamlRedisSection()).append(redisExtra).append("groups:\n");
        for (String g : GROUPS) {
            yaml.append("  ").append(g).append(":\n    events: [hit]\n    intervals: ['5m']\n");
        }
        return yaml.toString();
    }

    @Test
    void readsTheGroupOnEachMaster() {
        for (int i = 0; i < GROUPS.size(); i++) {
            Run run = Run.reader(config, "-g", GROUPS.get(i));
            assertEquals("hit:" + (i + 1) + "\n", run.out, run::toString);
            assertEquals("", run.err);
            assertEquals(0, run.code);
        }
    }

    @Test
    void allReadsEveryMaster() {
        Run run = Run.reader(config, "--all");

        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < GROUPS.size(); i++) {
            expected.append("[").append(GROUPS.get(i)).append(" 5m]\nhit:").append(i + 1).append('\n');
        }
        assertEquals(expected.toString(), run.out, run::toString);
        assertEquals(0, run.code);
    }

    @Test
    void muninCurrentAsAPluginRunsIt() {
        Run run = Run.reader(config, "-g", GROUPS.get(2), "--current", "--format", "munin");

        assertEquals("hit.value 30\n", run.out, run::toString);
        assertEquals(0, run.code);
    }

    @Test
    void theToolInItsOwnProcessReadsEveryMaster() throws Exception {
        ToolProcess p = ToolProcess.run(dir, ReaderCommand.class, config, "--all", "--current");

        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < GROUPS.size(); i++) {
            expected.append("[").append(GROUPS.get(i)).append(" 5m]\nhit:").append(10 * (i + 1)).append('\n');
        }
        assertEquals(expected.toString(), p.out, p::toString);
        assertEquals("", p.err);
        assertEquals(0, p.code);
    }

    @Test
    void aGroupWhoseSlotIsMovingIsOneLineUntilTheMoveEnds() throws Exception {
        String g = GROUPS.get(0);
        int target = cluster.initialMasters().get(1);
        EmbeddedCluster.SlotMove move = cluster.beginSlotMove(EmbeddedCluster.slotOfGroup(g), target);
        move.moveKeys();
        String impatient = Run.writeFile(dir, "impatient.yml", yaml("  timeout_ms: 200\n"));

        Run refused = Run.reader(impatient, "-g", g);

        String line = refused.oneErrLine("ERROR: Redis at cluster ");
        assertEquals(true, line.contains(" is moving the slot of these keys to another node (resharding)"), line);
        assertEquals("", refused.out);
        assertEquals(1, refused.code);

        move.finish();
        Run run = Run.reader(impatient, "-g", g);
        assertEquals("hit:1\n", run.out, run::toString);
        assertEquals(0, run.code);
    }
}
