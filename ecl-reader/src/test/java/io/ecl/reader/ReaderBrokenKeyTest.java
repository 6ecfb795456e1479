package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * A key holding data ecl cannot read affects its own (group, interval) only: ecl-reader names the
 * key and the fix, never reads it as 0, and --all and /metrics serve every other pair.
 */
class ReaderBrokenKeyTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String GROUPS = "groups:\n"
            + "  ag:\n    events: []\n    intervals: ['5s']\n    auto_declare_events: true\n"
            + "  dg:\n    events: [x]\n    intervals: ['5s']\n"
            + "  zg:\n    events: [z]\n    intervals: ['1m']\n";
    /** 2023-11-14T22:15:00Z. */
    private static final long BOUNDARY = 1_700_000_100_000L;

    @TempDir
    Path dir;
    private String config;
    private RedisClient r;

    @BeforeEach
    void setUp() throws IOException {
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + GROUPS);
        r = redis.client();
        for (String p : new String[] {"ag:5s", "dg:5s"}) {
            r.set(p + ":cur:@ts", "1700000100");
        }
        r.set("zg:1m:cur:@ts", "1700000100");
        r.set("zg:1m:last:z", "4");
    }

    private static Run read(String... args) {
        return Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY + 1_000)), args);
    }

    @Test
    void aCounterThatIsNotAnIntegerIsAnErrorNamingTheKeyNotAZero() {
        r.set("dg:5s:cur:x", "hello");

        Run run = read(config, "-g", "dg", "--both");

        assertEquals("", run.out);
        assertEquals("ERROR: group 'dg', interval 5s: dg:5s:cur:x holds \"hello\", not an integer count;"
                + " fix: DEL dg:5s:cur:x\n", run.err);
        assertEquals(3, run.code);
        assertEquals(run.toString(), read(config, "-g", "dg", "--both", "-v").toString(), "-v prints the same error");
    }

    @Test
    void aWrongTypeKeyIsAnErrorNamingTheKeyAndTheFix() {
        r.lpush("ag:5s:cur:@reg", "junk");

        Run run = read(config, "-g", "ag");

        assertEquals("", run.out);
        assertEquals("ERROR: group 'ag', interval 5s: ag:5s:cur:@reg is a list, not the set ecl keeps there;"
                + " fix: DEL ag:5s:cur:@reg\n", run.err);
        assertEquals(3, run.code);
    }

    @Test
    void aCounterOfAnotherTypeIsNamedToo() {
        r.lpush("dg:5s:last:x", "1");

        Run run = read(config, "-g", "dg");

        assertEquals("ERROR: group 'dg', interval 5s: dg:5s:last:x is a list, not the string ecl keeps there;"
                + " fix: DEL dg:5s:last:x\n", run.err);
        assertEquals(3, run.code);
    }

    @Test
    void allPrintsEveryOtherGroupAndNamesTheBrokenOne() {
        r.lpush("ag:5s:cur:@reg", "junk");

        Run text = read(config, "--all");

        assertEquals("[dg 5s]\nx:0\n[zg 1m]\nz:4\n", text.out);
        assertEquals("ERROR: group 'ag', interval 5s: ag:5s:cur:@reg is a list, not the set ecl keeps there;"
                + " fix: DEL ag:5s:cur:@reg\n", text.err);
        assertEquals(3, text.code);

        Run prometheus = read(config, "--all", "--format", "prometheus");
        assertTrue(prometheus.out.contains("ecl_interval_error{group=\"ag\",interval=\"5s\"} 1\n"
                + "ecl_interval_error{group=\"dg\",interval=\"5s\"} 0\n"
                + "ecl_interval_error{group=\"zg\",interval=\"1m\"} 0\n"), prometheus::toString);
        assertTrue(prometheus.out.contains("ecl_events{group=\"zg\",interval=\"1m\",event=\"z\"} 4\n"), prometheus::toString);
        assertTrue(!prometheus.out.contains("ecl_events{group=\"ag\""), prometheus::toString);

        Run json = read(config, "--all", "--format", "json");
        assertTrue(json.out.startsWith("[\n{\"group\":\"ag\",\"interval\":\"5s\",\"interval_seconds\":5,\"error\":"
                + "\"group 'ag', interval 5s: ag:5s:cur:@reg is a list, not the set ecl keeps there;"
                + " fix: DEL ag:5s:cur:@reg\"},\n{\"group\":\"dg\""), json::toString);
        assertEquals(3, json.code);

        r.del("ag:5s:cur:@reg");
        Run fixed = read(config, "--all");
        assertEquals("[ag 5s]\n[dg 5s]\nx:0\n[zg 1m]\nz:4\n", fixed.out);
        assertEquals(0, fixed.code);
    }

    @Test
    void serveMetricsAnswersForEveryHealthyGroupAndMarksTheBrokenOne() throws Exception {
        r.lpush("ag:5s:cur:@reg", "junk");
        EclConfig cfg = EclConfig.load(Path.of(config), java.util.Map.of());
        try (MetricsHttpServer server = MetricsHttpServer.start(cfg, new InetSocketAddress("127.0.0.1", 0),
                new SteppedClock(BOUNDARY + 1_000))) {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, metrics.statusCode(), metrics::body);
            assertEquals(read(config, "--all", "--format", "prometheus").out, metrics.body());
            assertTrue(metrics.body().contains("ecl_interval_error{group=\"ag\",interval=\"5s\"} 1\n"), metrics::body);
        }
    }
}
