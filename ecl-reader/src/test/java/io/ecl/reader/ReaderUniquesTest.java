package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Unique counts in every output: after the counts, so a group without them prints exactly what it
 * always printed; as name:number lines in text, an object in JSON, a gauge family in Prometheus.
 * The sketches are made with PFADD, as any process's would be merged.
 */
class ReaderUniquesTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** 2023-11-14T22:15:00Z, a 5-minute boundary. */
    private static final long BOUNDARY = 1_700_000_100_000L;

    @TempDir
    Path dir;
    private String config;
    private RedisClient r;

    @BeforeEach
    void writeConfig() throws IOException {
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [req]\n    uniques: [visitors, sessions]\n    intervals: ['5m']\n");
        r = redis.client();
        r.flushAll();
        r.set("web:5m:cur:@ts", "1700000100");
        r.set("web:5m:last:@ts", "1699999800");
        r.set("web:5m:last:req", "7");
        r.pfadd("web:5m:last:@u.visitors", "a", "b", "c");
        r.sadd("web:5m:last:@ureg", "visitors");
        r.pfadd("web:5m:cur:@u.visitors", "d");
        r.sadd("web:5m:cur:@ureg", "visitors");
    }

    private static ReaderCommand at(long millis) {
        return new ReaderCommand(new SteppedClock(millis));
    }

    @Test
    void textPrintsUniquesAfterTheCountsAndZeroForADeclaredNameWithoutValues() {
        Run run = Run.reader(at(BOUNDARY), config, "-g", "web");
        assertEquals("req:7\nsessions:0\nvisitors:3\n", run.out);
        assertEquals(0, run.code);

        assertEquals("Last:\nreq:7\nsessions:0\nvisitors:3\nCurrent:\nreq:0\nsessions:0\nvisitors:1\n",
                Run.reader(at(BOUNDARY), config, "-g", "web", "--both").out);
    }

    @Test
    void jsonHasTheUniquesOfTheSection() {
        String json = Run.reader(at(BOUNDARY), config, "-g", "web", "--format", "json").out;
        assertTrue(json.contains("\"counts\":{\"req\":7},\"late\":0,\"uniques\":{\"sessions\":0,\"visitors\":3}"), json);
    }

    @Test
    void prometheusHasAUniqueValuesGauge() {
        String text = Run.reader(at(BOUNDARY), config, "-g", "web", "--format", "prometheus").out;
        assertTrue(text.contains("# TYPE ecl_unique_values gauge\n"
                + "ecl_unique_values{group=\"web\",interval=\"5m\",name=\"sessions\"} 0\n"
                + "ecl_unique_values{group=\"web\",interval=\"5m\",name=\"visitors\"} 3\n"), text);
    }
}
