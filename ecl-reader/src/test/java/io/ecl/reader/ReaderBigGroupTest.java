package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.ops.CounterReader;
import io.ecl.core.EclConfig;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * A group with more registry members than one script reads (here 50, injected, with pages of 7)
 * is read in pages and printed a count at a time: every format, section and endpoint gives exactly
 * what the one-script read gives, event-ID order included, with events that come twice across the
 * pages (in both registries, declared and registered) printed once.
 */
class ReaderBigGroupTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final CounterReader.Paging SMALL = new CounterReader.Paging(50, 7);
    private static final CounterReader.Paging ONE_SCRIPT = new CounterReader.Paging(100_000, 7);
    /** 2023-11-14T22:00:00Z, an hour boundary. */
    private static final long BOUNDARY = 1_699_999_200_000L;
    private static final String GROUPS = "groups:\n"
            + "  big:\n    events: [declared, ev3]\n    uniques: [visitors]\n    intervals: ['1h', '5m']\n"
            + "    auto_declare_events: true\n"
            + "  small:\n    events: [x]\n    intervals: ['1h']\n";

    @TempDir
    Path dir;
    private String config;

    @BeforeEach
    void fill() throws IOException {
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + GROUPS);
        fill(redis.client(), 120);
    }

    /** ev0..ev(n-1) in last, every third also in cur, and names that sort by code point, not UTF-16. */
    static void fill(RedisClient r, int events) {
        r.set("big:1h:cur:@ts", Long.toString(BOUNDARY / 1000));
        r.set("big:1h:last:@ts", Long.toString(BOUNDARY / 1000 - 3600));
        r.set("small:1h:cur:@ts", Long.toString(BOUNDARY / 1000));
        r.set("small:1h:last:x", "5");
        try (AbstractPipeline p = r.pipelined()) {
            for (int i = 0; i < events; i++) {
                String ev = "ev" + i;
                p.sadd("big:1h:last:@reg", ev);
                p.set("big:1h:last:" + ev, Integer.toString(i + 1));
                if (i % 3 == 0) {
                    p.sadd("big:1h:cur:@reg", ev);
                    p.set("big:1h:cur:" + ev, Integer.toString(2 * i));
                }
            }
            for (String ev : new String[] {"\uFFFD", "\uD83D\uDE00", "a.b", "a-b", "caf\u00e9"}) {
                p.sadd("big:1h:last:@reg", ev);
                p.set("big:1h:last:" + ev, "1");
            }
            p.set("big:1h:last:declared", "7");
            p.pfadd("big:1h:last:@u.visitors", "a", "b", "c"); // unique counts: read with the meta
            p.sadd("big:1h:last:@ureg", "visitors");
            p.sync();
        }
    }

    private Run read(CounterReader.Paging paging, String... args) {
        ReaderCommand command = new ReaderCommand(new SteppedClock(BOUNDARY + 60_000));
        command.paging = paging;
        List<String> all = new ArrayList<>(List.of(config));
        all.addAll(List.of(args));
        return Run.reader(command, all.toArray(new String[0]));
    }

    @Test
    void everyFormatAndSectionPrintsWhatTheOneScriptReadPrints() {
        String[][] cases = {
            {"-g", "big", "-i", "1h"}, {"-g", "big", "-i", "1h", "--current"}, {"-g", "big", "-i", "1h", "--both"},
            {"-g", "big", "-i", "1h", "--format", "json"}, {"-g", "big", "-i", "1h", "--format", "json", "--both"},
            {"-g", "big", "-i", "1h", "--format", "munin"}, {"-g", "big", "-i", "1h", "--format", "munin", "--current"},
            {"-g", "big", "-i", "1h", "--format", "prometheus", "--both"},
            {"--all"}, {"--all", "--format", "json"}, {"--all", "--format", "munin"}, {"--all", "--format", "prometheus"},
        };
        for (String[] args : cases) {
            Run paged = read(SMALL, args);
            Run whole = read(ONE_SCRIPT, args);
            assertEquals(0, paged.code, paged::toString);
            assertEquals(withoutTotals(whole.out), withoutTotals(paged.out), () -> String.join(" ", args));
            assertEquals(whole.err, paged.err);
            if (paged.out.contains("# TYPE ecl_events_total")) {
                assertTrue(paged.out.contains("\n# ecl_events_total of group big left out: more events than one reply"
                        + " holds"), paged.out);
            }
        }
    }

    /**
     * The output before the totals family: a group read page by page has no totals (a comment line
     * says so), one read whole has them.
     */
    static String withoutTotals(String out) {
        int at = out.indexOf("# HELP ecl_events_total ");
        return at < 0 ? out : out.substring(0, at);
    }

    @Test
    void aBigGroupIsPrintedInEventOrderEachEventOnce() {
        Run run = read(SMALL, "-g", "big", "-i", "1h", "--current");

        StringBuilder expected = new StringBuilder("declared:0\n");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 120; i += 3) {
            ids.add("ev" + i);
        }
        ids.sort(null); // ASCII: String order is code-point order
        for (String ev : ids) {
            expected.append(ev).append(':').append(2 * Integer.parseInt(ev.substring(2))).append('\n');
        }
        assertEquals(expected.append("visitors:0\n").toString(), run.out);

        String last = read(SMALL, "-g", "big", "-i", "1h").out;
        assertEquals(127, last.split("\n").length); // 120 + 5 + declared + visitors; ev3 once though declared and in both registries
        assertTrue(last.startsWith("a-b:1\na.b:1\ncaf\u00e9:1\ndeclared:7\nev0:1\nev1:2\nev10:11\n"), last);
        // by code point, as Python sorts; then the unique counts
        assertTrue(last.endsWith("ev99:100\n\uFFFD:1\n\uD83D\uDE00:1\nvisitors:3\n"), last);
    }

    // ---- serve ----

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MetricsHttpServer serve(CounterReader.Paging paging) throws IOException {
        return MetricsHttpServer.start(EclConfig.parse(redis.yamlRedisSection() + GROUPS, "ecl.yml"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new SteppedClock(BOUNDARY + 60_000), paging);
    }

    private HttpResponse<String> get(MetricsHttpServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyEndpointServesWhatTheOneScriptReadServesChunked() throws Exception {
        try (MetricsHttpServer paged = serve(SMALL); MetricsHttpServer whole = serve(ONE_SCRIPT)) {
            for (String path : new String[] {"/metrics", "/api/v1/groups/big", "/api/v1/groups/big/1h"}) {
                HttpResponse<String> p = get(paged, path);
                HttpResponse<String> w = get(whole, path);
                assertEquals(200, p.statusCode(), path);
                assertEquals(withoutTotals(w.body()), withoutTotals(p.body()), path);
                assertEquals("chunked", p.headers().firstValue("transfer-encoding").orElse(""), path);
            }
            assertTrue(get(paged, "/metrics").body().contains(
                    "ecl_events{group=\"big\",interval=\"1h\",event=\"ev3\"} 4\n"));
        }
    }

    /** A body writer that fails once {@code limit} characters have passed through it. */
    private static Writer failingAfter(Writer out, int limit) {
        return new Writer() {
            private int written;

            @Override
            public void write(char[] c, int off, int len) throws IOException {
                if (written + len > limit) {
                    throw new IOException("disk gone");
                }
                written += len;
                out.write(c, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    @Test
    void aFailureBeforeTheFirstByteIsA500WithTheReason() throws Exception {
        try (MetricsHttpServer server = serve(SMALL)) {
            server.bodyWriter = out -> failingAfter(out, 100);

            HttpResponse<String> r = get(server, "/metrics");

            assertEquals(500, r.statusCode());
            assertEquals("{\"error\":\"response abandoned: disk gone\"}\n", r.body());
            assertEquals(MetricsHttpServer.JSON_TYPE, r.headers().firstValue("content-type").orElse(""));
        }
    }

    @Test
    void aFailureHalfWayThroughTheBodyAbortsTheResponseSoNoClientTakesItForComplete() throws Exception {
        fill(redis.client(), 5_000); // about 400 kB of /metrics: more than the server's buffers
        try (MetricsHttpServer server = serve(new CounterReader.Paging(50, 1_000))) {
            server.bodyWriter = out -> failingAfter(out, 200_000);

            IOException e = assertThrows(IOException.class, () -> get(server, "/metrics"));

            assertTrue(e.getMessage() != null, e::toString);
            server.bodyWriter = out -> out;
            assertEquals(200, get(server, "/metrics").statusCode(), "the next scrape is whole");
        }
    }
}
