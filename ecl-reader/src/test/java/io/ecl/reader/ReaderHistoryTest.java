package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ecl-reader --history N and GET /api/v1/groups/G/I/history?n=N: the intervals Redis keeps for a
 * group's history, oldest first, as a table and as the JSON array, with one-line errors.
 */
class ReaderHistoryTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** 2023-11-14T22:15:00Z, a 5-minute boundary. */
    private static final long BOUNDARY = 1_700_000_100_000L;
    private static final long FIVE_MINUTES = 300_000;

    @TempDir
    Path dir;
    private String config;

    /**
     * Two kept intervals of web 5m: 22:15-22:20 (req 2, one visitor, one latency of 10 ms), then
     * 22:20-22:30 closed by one catch-up rotation (req 5): it covers 2.
     */
    @BeforeEach
    void keepTwoIntervals() throws IOException {
        redis.client().flushAll();
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [req, err]\n    uniques: [visitors]\n    values: [ms]\n    intervals: ['5m']\n"
                + "    sync_interval: 1\n    history: 3\n"
                + "  plain:\n    events: [a]\n    intervals: ['5m']\n");
        EclConfig cfg = EclConfig.load(Path.of(config));
        GroupConfig web = cfg.group("web");
        try (Rotator master = Rotator.connect(cfg.redis())) {
            master.rotate(web, web.interval("5m"), BOUNDARY);
            log(cfg, BOUNDARY + 1_000, 2, true);
            master.rotate(web, web.interval("5m"), BOUNDARY + FIVE_MINUTES);
            log(cfg, BOUNDARY + FIVE_MINUTES + 1_000, 5, false);
            master.rotate(web, web.interval("5m"), BOUNDARY + 3 * FIVE_MINUTES);
        }
    }

    private static void log(EclConfig cfg, long at, int requests, boolean visitorAndLatency) {
        try (EventCountLogger ecl = EventCountLogger.builder(cfg).clock(new SteppedClock(at)).withoutShutdownHook()
                .withoutHeartbeat().build()) {
            EventGroup g = ecl.group("web");
            g.log("req", requests);
            if (visitorAndLatency) {
                g.logUnique("visitors", "alice");
                g.logValue("ms", 10);
            }
        }
    }

    private static ReaderCommand inBerlin() {
        ReaderCommand c = new ReaderCommand(new SteppedClock(BOUNDARY + 3 * FIVE_MINUTES + 1_000));
        c.zone = ZoneId.of("Europe/Berlin");
        return c;
    }

    @Test
    void textIsATableOfTheKeptIntervalsOldestFirstInLocalTime() {
        Run run = Run.reader(inBerlin(), config, "-g", "web", "--history", "10");

        assertEquals(0, run.code, run.err);
        assertEquals(""
                + "start                         err  req  visitors  ms.p50  ms.p99\n"
                + "2023-11-14T23:15:00+01:00       0    2         1      10      10\n"
                + "2023-11-14T23:20:00+01:00 x2    0    5         0       -       -\n", run.out);
        assertEquals("", run.err);
    }

    @Test
    void nLimitsToTheNewest() {
        Run run = Run.reader(inBerlin(), config, "-g", "web", "-i", "5m", "--history", "1");

        assertEquals("start                         err  req  visitors  ms.p50  ms.p99\n"
                + "2023-11-14T23:20:00+01:00 x2    0    5         0       -       -\n", run.out);
    }

    @Test
    void jsonIsTheArrayOfEntriesWithEveryKind() {
        Run run = Run.reader(inBerlin(), config, "-g", "web", "--history", "3", "--format", "json");

        assertEquals(0, run.code, run.err);
        String[] lines = run.out.split("\n");
        assertEquals(4, lines.length, run.out);
        assertEquals("[", lines[0]);
        assertTrue(lines[1].startsWith("{\"start\":\"2023-11-14T22:15:00Z\",\"end\":\"2023-11-14T22:20:00Z\",\"covers\":1,"
                + "\"counts\":{\"err\":0,\"req\":2},\"uniques\":{\"visitors\":1},\"values\":{\"ms\":{\"count\":1,\"sum\":10,"
                + "\"min\":10,\"max\":10,\"mean\":10,\"stddev\":0,\"p50\":"), lines[1]);
        assertTrue(lines[1].endsWith(",\"invalid\":0}}},"), lines[1]);
        assertEquals("{\"start\":\"2023-11-14T22:20:00Z\",\"end\":\"2023-11-14T22:30:00Z\",\"covers\":2,"
                + "\"counts\":{\"err\":0,\"req\":5},\"uniques\":{\"visitors\":0},\"values\":{\"ms\":{\"count\":0,\"sum\":0,"
                + "\"min\":null,\"max\":null,\"mean\":null,\"stddev\":null,\"p50\":null,\"p90\":null,\"p99\":null,"
                + "\"p999\":null,\"invalid\":0}}}", lines[2]);
        assertEquals("]", lines[3]);
    }

    @Test
    void aGroupWithoutHistoryIsOneErrorLine() {
        Run run = Run.reader(inBerlin(), config, "-g", "plain", "--history", "5");

        assertEquals(1, run.code);
        assertEquals("", run.out);
        assertEquals("ERROR: group 'plain' keeps no history; set history: N for it (or at the top level) in " + config
                + ", and ecl-master keeps the last N intervals from its next rotation\n", run.err);
    }

    @Test
    void aMalformedNIsOneErrorLine() {
        for (String n : new String[] {"0", "-3", "ten", "10001", "1.5"}) {
            Run run = Run.reader(inBerlin(), config, "-g", "web", "--history", n);

            assertEquals(2, run.code, n);
            assertEquals("", run.out, n);
            assertEquals("ERROR: --history '" + n + "': N must be a whole number from 1 to 10000\n", run.err, n);
        }
    }

    @Test
    void historyDoesNotGoWithAllOrASectionOrMunin() {
        for (String[] args : new String[][] {{"--all", "--history", "2"}, {"-g", "web", "--both", "--history", "2"},
            {"-g", "web", "--history", "2", "--format", "munin"}}) {
            String[] full = new String[args.length + 1];
            full[0] = config;
            System.arraycopy(args, 0, full, 1, args.length);
            Run run = Run.reader(inBerlin(), full);

            assertEquals(2, run.code, String.join(" ", args));
            assertTrue(run.err.startsWith("--history prints the kept intervals of one group as a table or as JSON"), run.err);
        }
    }

    @Test
    void httpServesTheSameArrayWithNDefaultingToTheGroupsHistory() throws Exception {
        EclConfig cfg = EclConfig.load(Path.of(config));
        try (MetricsHttpServer server = MetricsHttpServer.start(cfg,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new SteppedClock(BOUNDARY))) {
            String base = "http://127.0.0.1:" + server.address().getPort() + "/api/v1/groups/";
            String cli = Run.reader(inBerlin(), config, "-g", "web", "--history", "3", "--format", "json").out;

            HttpResponse<String> all = get(base + "web/5m/history");
            assertEquals(200, all.statusCode());
            assertEquals(cli, all.body());
            assertEquals(cli, get(base + "web/5m/history?n=3000").body(), "capped at the group's history");
            HttpResponse<String> one = get(base + "web/5m/history?n=1");
            assertEquals(Run.reader(inBerlin(), config, "-g", "web", "--history", "1", "--format", "json").out, one.body());

            HttpResponse<String> bad = get(base + "web/5m/history?n=x");
            assertEquals(400, bad.statusCode());
            assertEquals("{\"error\":\"n must be a whole number from 1 to 3, not 'x'\"}\n", bad.body());
            HttpResponse<String> off = get(base + "plain/5m/history");
            assertEquals(404, off.statusCode());
            assertEquals("{\"error\":\"group 'plain' keeps no history (history: 0 in the config)\"}\n", off.body());
            assertEquals(404, get(base + "web/5m/other").statusCode());
            assertEquals(404, get(base + "web/1h/history").statusCode());
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
