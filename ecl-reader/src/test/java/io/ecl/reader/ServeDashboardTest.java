package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.testing.EmbeddedRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's files and the writers' endpoint of serve: what each path answers, with which
 * type and cache headers, that nothing else is reachable under /assets/, and that the page loads
 * nothing from another host.
 */
class ServeDashboardTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsHttpServer server;
    private String base;
    private EclConfig config;

    @BeforeEach
    void start() throws Exception {
        redis.client().flushAll();
        config = EclConfig.parse(redis.yamlRedisSection() + ServeHttpTest.GROUPS, "test.yml");
        server = ServeHttpTest.serve(config);
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String ifNoneMatch) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private static String resource(String name) throws Exception {
        try (var in = DashboardAssets.class.getResourceAsStream("dashboard/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void rootIsTheDashboardPageWithAnETagToRevalidate() throws Exception {
        HttpResponse<String> r = get("/");

        assertEquals(200, r.statusCode());
        assertEquals(resource("index.html"), r.body());
        assertEquals(Optional.of("text/html; charset=utf-8"), r.headers().firstValue("Content-Type"));
        assertEquals(Optional.of("no-cache"), r.headers().firstValue("Cache-Control"));
        assertTrue(r.headers().firstValue("ETag").orElse("").matches("\"[0-9a-f]{24}\""), r.headers().toString());
    }

    @Test
    void eachAssetHasItsContentTypeAndItsOwnETag() throws Exception {
        String[][] cases = {
            {"/assets/dashboard.js", "text/javascript; charset=utf-8", "dashboard.js"},
            {"/assets/dashboard.css", "text/css; charset=utf-8", "dashboard.css"},
            {"/assets/uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot.iife.min.js"},
            {"/assets/uPlot.min.css", "text/css; charset=utf-8", "uPlot.min.css"},
        };
        List<String> etags = new ArrayList<>();
        for (String[] c : cases) {
            HttpResponse<String> r = get(c[0]);
            assertEquals(200, r.statusCode(), c[0]);
            assertEquals(Optional.of(c[1]), r.headers().firstValue("Content-Type"), c[0]);
            assertEquals(resource(c[2]), r.body(), c[0]);
            etags.add(r.headers().firstValue("ETag").orElseThrow());
        }
        assertEquals(4, etags.stream().distinct().count(), etags.toString());
        assertTrue(get("/assets/uPlot.iife.min.js").body().startsWith("/*! https://github.com/leeoniya/uPlot (v1.6.30) */"),
                "the pinned uPlot, copied from its webjar at build time");
    }

    @Test
    void aCurrentETagIs304WithoutABodyAndAStaleOneGetsTheFile() throws Exception {
        String etag = get("/assets/dashboard.js").headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> same = send("GET", "/assets/dashboard.js", etag);
        assertEquals(304, same.statusCode());
        assertEquals("", same.body());
        assertEquals(Optional.of(etag), same.headers().firstValue("ETag"));
        assertEquals(304, send("GET", "/assets/dashboard.js", "\"other\", W/" + etag).statusCode());
        assertEquals(304, send("HEAD", "/", get("/").headers().firstValue("ETag").orElseThrow()).statusCode());

        HttpResponse<String> stale = send("GET", "/assets/dashboard.js", "\"0123456789abcdef01234567\"");
        assertEquals(200, stale.statusCode());
        assertEquals(resource("dashboard.js"), stale.body());
        // Counts are never cached, whatever a client sends.
        HttpResponse<String> groups = send("GET", "/api/v1/groups", "*");
        assertEquals(200, groups.statusCode());
        assertEquals(Optional.of("no-store"), groups.headers().firstValue("Cache-Control"));
        assertEquals(Optional.empty(), groups.headers().firstValue("ETag"));
    }

    @Test
    void onlyTheListedAssetsAreServedAndNothingAboveThem() throws Exception {
        for (String path : new String[] {"/assets/nope.js", "/assets/index.html", "/assets/LICENSE", "/assets/",
                "/assets", "/index.html", "/dashboard.js", "/assets/dashboard.js/x", "/assets/..%2Fdashboard.js",
                "/assets/%2e%2e", "/assets/..%2f..%2fReaderCommand.class", "/assets/%2e%2e%2fMetricsHttpServer.class",
                "/assets/..%5cdashboard.js", "/assets/dashboard/index.html", "/assets/META-INF%2fMANIFEST.MF",
                "/assets/.%2fdashboard.js"}) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path);
            assertEquals("{\"error\":\"not found: " + path + "\"}\n", r.body(), path);
        }
        assertEquals(400, get("/assets/dashboard.js%00").statusCode(), "the HTTP layer refuses a NUL");
    }

    @Test
    void theDashboardIsReadOnlyLikeTheRestOfTheApi() throws Exception {
        for (String path : new String[] {"/", "/assets/dashboard.js", "/api/v1/clients"}) {
            HttpResponse<String> r = send("POST", path, null);
            assertEquals(405, r.statusCode(), path);
            assertEquals(List.of("GET, HEAD"), r.headers().allValues("Allow"));
        }
    }

    /** Every src and href of the page, every url() of the styles: local paths only. */
    @Test
    void thePageReferencesOnlyLocalPaths() throws Exception {
        String html = resource("index.html");
        Matcher m = Pattern.compile("(?i)\\b(src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        List<String> refs = new ArrayList<>();
        while (m.find()) {
            refs.add(m.group(2));
        }
        assertEquals(List.of("data:,", "/assets/uPlot.min.css", "/assets/dashboard.css", "/assets/uPlot.iife.min.js",
                "/assets/dashboard.js"), refs);
        for (String ref : refs.subList(1, refs.size())) {
            assertEquals(200, get(ref).statusCode(), ref);
        }
        for (String name : new String[] {"index.html", "dashboard.js", "dashboard.css", "uPlot.min.css"}) {
            String text = resource(name);
            assertFalse(text.contains("//cdn") || text.contains("http:") || text.contains("https:"), name);
            assertFalse(Pattern.compile("url\\(\\s*['\"]?(?!data:)").matcher(text).find(), name + " loads a url()");
            assertFalse(text.contains("@import"), name);
        }
        // The library's only address is the one in its licence comment.
        Matcher urls = Pattern.compile("https?://[^\\s\"')]*").matcher(resource("uPlot.iife.min.js"));
        List<String> found = new ArrayList<>();
        while (urls.find()) {
            found.add(urls.group());
        }
        assertEquals(List.of("https://github.com/leeoniya/uPlot"), found);
        assertTrue(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
                "readable on a phone");
    }

    /** The page asks for the history of the groups that keep one only. */
    @Test
    void groupsSayHowManyIntervalsEachKeeps() throws Exception {
        try (MetricsHttpServer kept = ServeHttpTest.serve(EclConfig.parse(redis.yamlRedisSection() + "history: 3\n"
                + "groups:\n  a:\n    events: [x]\n    intervals: ['1m']\n    history: 120\n"
                + "  b:\n    events: [y]\n    intervals: ['1m']\n"
                + "  c:\n    events: [z]\n    intervals: ['1m']\n    history: 0\n", "test.yml"))) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kept.address().getPort()
                    + "/api/v1/groups")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("\"group\":\"(\\w)\".*?\"history\":(\\d+)").matcher(body);
            List<String> found = new ArrayList<>();
            while (m.find()) {
                found.add(m.group(1) + "=" + m.group(2));
            }
            assertEquals(List.of("a=120", "b=3", "c=0"), found, body);
        }
    }

    @Test
    void clientsListsTheWritersWithALiveHeartbeat() throws Exception {
        HttpResponse<String> none = get("/api/v1/clients");
        assertEquals(200, none.statusCode());
        assertEquals("{\"clients\":[]}\n", none.body());
        assertEquals(Optional.of("no-store"), none.headers().firstValue("Cache-Control"));

        try (EventCountLogger shop = EventCountLogger.builder(config).withoutShutdownHook().appName("shop").build()) {
            shop.group("g").log("a", 2);
            assertTrue(shop.flush());
            long deadline = System.nanoTime() + 10_000_000_000L;
            String body;
            do {
                Thread.sleep(20); // the heartbeat is written by the logger's own thread
                body = get("/api/v1/clients").body();
            } while (!body.contains("\"app\":\"shop\"") && System.nanoTime() < deadline);
            Matcher m = Pattern.compile("\\{\"clients\":\\[\\{\"instance\":\"[^\"]+\",\"app\":\"shop\",\"host\":\"[^\"]*\","
                    + "\"pid\":" + ProcessHandle.current().pid() + ",\"beat_age_seconds\":\\d+,\"pending_events\":0,"
                    + "\"dropped\":0,\"data_errors\":0,\"last_delivery_age_seconds\":\\d+,\"last_failure\":\"\"}]}\n")
                    .matcher(body);
            assertTrue(m.matches(), body);
        }
    }

    @Test
    void clientsIs503WhenRedisIsDown() throws Exception {
        redis.stop();
        try {
            HttpResponse<String> r = get("/api/v1/clients");
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("{\"error\":\"cannot connect to Redis at 127.0.0.1:" + redis.port() + ": "), r.body());
        } finally {
            redis.start();
        }
    }
}
