package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ecl.core.ops.Seconds;
import io.ecl.testing.EmbeddedRedis;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisSentinel;

/** ecl-reader as cron and Munin run it, finding the master through a real Sentinel (no host or port given). */
class ReaderSentinelTest {
    @RegisterExtension
    static final EmbeddedRedis master = new EmbeddedRedis();

    private static RedisSentinel sentinel;
    private static int sentinelPort;

    @TempDir
    Path dir;
    private String config;

    @BeforeAll
    static void startSentinel() throws Exception {
        sentinelPort = EmbeddedRedis.freePort();
        sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(sentinelPort)
                .masterName("mymaster").masterPort(master.port()).quorumSize(1).build();
        sentinel.start();
    }

    @AfterAll
    static void stopSentinel() throws Exception {
        if (sentinel != null) {
            sentinel.stop();
        }
    }

    @BeforeEach
    void writeConfigAndCounts() throws Exception {
        config = Run.writeFile(dir, "ecl.yml", "ecl_redis:\n  sentinels: ['127.0.0.1:" + sentinelPort + "']\n"
                + "  master_name: mymaster\n"
                + "groups:\n  web:\n    events: [hit, miss]\n    intervals: ['5m']\n"
                + "  api:\n    events: [call]\n    intervals: ['1m']\n");
        long now = System.currentTimeMillis();
        master.client().set("web:5m:cur:@ts", Seconds.format(now - now % 300_000));
        master.client().set("api:1m:cur:@ts", Seconds.format(now - now % 60_000));
        master.client().set("web:5m:last:hit", "4");
        master.client().set("web:5m:cur:hit", "7");
        master.client().set("web:5m:cur:miss", "2");
        master.client().set("api:1m:last:call", "9");
    }

    @Test
    void currentCountsOfAGroup() {
        Run run = Run.reader(config, "-g", "web", "--current");

        assertEquals("hit:7\nmiss:2\n", run.out, run::toString);
        assertEquals("", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void allGroups() {
        Run run = Run.reader(config, "--all");

        assertEquals("[web 5m]\nhit:4\nmiss:0\n[api 1m]\ncall:9\n", run.out, run::toString);
        assertEquals(0, run.code);
    }

    @Test
    void theToolInItsOwnProcessAsMuninRunsIt() throws Exception {
        ToolProcess p = ToolProcess.run(dir, ReaderCommand.class, config, "-g", "web", "--current", "--format", "munin");

        assertEquals("hit.value 7\nmiss.value 2\n", p.out, p::toString);
        assertEquals("", p.err);
        assertEquals(0, p.code);
    }
}
