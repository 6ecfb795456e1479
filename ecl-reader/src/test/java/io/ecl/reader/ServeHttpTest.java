package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** The endpoints of ecl-reader serve, in-process on a free port, against a real Redis: exact bodies. */
class ServeHttpTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    static final String GROUPS = "groups:\n"
            + "  g:\n    events: [b, a, c]\n    intervals: ['5m']\n"
            + "  h:\n    events: [x]\n    intervals: ['1m', '1h']\n";

    /** 2023-11-14T22:15:00Z, a 5-minute boundary. */
    static final long BOUNDARY = 1_700_000_100_000L;

    static final String G_5M = "{\"group\":\"g\",\"interval\":\"5m\",\"interval_seconds\":300,\"section\":\"both\","
            + "\"last\":{\"start\":\"2023-11-14T22:10:00Z\",\"end\":\"2023-11-14T22:15:00Z\"},"
            + "\"current\":{\"start\":\"2023-11-14T22:15:00Z\",\"end\":\"2023-11-14T22:20:00Z\"},"
            + "\"last_counts\":{\"a\":3,\"b\":1,\"c\":0},\"current_counts\":{\"a\":0,\"b\":0,\"c\":9},"
            + "\"last_late\":2,\"current_late\":1,\"stale\":false,\"covers_several_intervals\":false}";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsHttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = serve(EclConfig.parse(redis.yamlRedisSection() + GROUPS, "test.yml"));
        base = "http://127.0.0.1:" + server.address().getPort();
        RedisClient r = redis.client();
        r.set("g:5m:cur:@ts", "1700000100");
        r.set("g:5m:last:@ts", "1699999800");
        r.set("g:5m:last:a", "3");
        r.set("g:5m:last:b", "1");
        r.set("g:5m:cur:c", "9");
        r.set("g:5m:last:@late", "2");
        r.set("g:5m:cur:@late", "1");
        r.set("h:1h:last:x", "60");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static MetricsHttpServer serve(EclConfig config) throws Exception {
        return MetricsHttpServer.start(config, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new SteppedClock(BOUNDARY));
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    private static void assertJson(int status, String body, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r::body);
        assertEquals(body + "\n", r.body());
        assertEquals(List.of("application/json; charset=utf-8"), r.headers().allValues("Content-Type"));
    }

    @Test
    void serveMetricsIsThePrometheusTextOfEveryGroupAndInterval() throws Exception {
        HttpResponse<String> r = get("/metrics");

        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("# HELP ecl_events Events counted in the interval (the last complete one unless section=\"current\").\n"
                + "# TYPE ecl_events gauge\n"
                + "ecl_events{group=\"g\",interval=\"5m\",event=\"a\"} 3\n"
                + "ecl_events{group=\"g\",interval=\"5m\",event=\"b\"} 1\n"
                + "ecl_events{group=\"g\",interval=\"5m\",event=\"c\"} 0\n"
                + "ecl_events{group=\"h\",interval=\"1m\",event=\"x\"} 0\n"
                + "ecl_events{group=\"h\",interval=\"1h\",event=\"x\"} 60\n"
                + "# HELP ecl_interval_start_seconds Start of the interval the counts cover, in Unix seconds.\n"
                + "# TYPE ecl_interval_start_seconds gauge\n"
                + "ecl_interval_start_seconds{group=\"g\",interval=\"5m\"} 1699999800\n"
                + "# HELP ecl_interval_stale 1 when the last complete interval is stale: no master or writer"
                + " rotated it at its boundary, so its counts are old.\n"
                + "# TYPE ecl_interval_stale gauge\n"
                + "ecl_interval_stale{group=\"g\",interval=\"5m\"} 0\n"
                + "ecl_interval_stale{group=\"h\",interval=\"1m\"} 1\n"
                + "ecl_interval_stale{group=\"h\",interval=\"1h\"} 1\n"
                + "# HELP ecl_interval_error 1 when the interval could not be read because a key of it holds"
                + " data ecl cannot read (ecl-reader names the key).\n"
                + "# TYPE ecl_interval_error gauge\n"
                + "ecl_interval_error{group=\"g\",interval=\"5m\"} 0\n"
                + "ecl_interval_error{group=\"h\",interval=\"1m\"} 0\n"
                + "ecl_interval_error{group=\"h\",interval=\"1h\"} 0\n"
                + "# HELP ecl_late_events Counts that reached Redis after their interval was closed, counted in this one.\n"
                + "# TYPE ecl_late_events gauge\n"
                + "ecl_late_events{group=\"g\",interval=\"5m\"} 2\n"
                + "ecl_late_events{group=\"h\",interval=\"1m\"} 0\n"
                + "ecl_late_events{group=\"h\",interval=\"1h\"} 0\n"
                + "# HELP ecl_events_total Events counted since the totals were last reset (ecl-master"
                + " --reset-totals): only grows, across rotations and restarts; use rate() or increase().\n"
                + "# TYPE ecl_events_total counter\n"
                + "ecl_events_total{group=\"g\",event=\"a\"} 3\n"
                + "ecl_events_total{group=\"g\",event=\"b\"} 1\n"
                + "ecl_events_total{group=\"g\",event=\"c\"} 9\n"
                + "ecl_events_total{group=\"h\",event=\"x\"} 0\n", r.body());
    }

    @Test
    void serveMetricsEqualsReaderAllFormatPrometheus(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path cfg = dir.resolve("ecl.yml");
        java.nio.file.Files.writeString(cfg, redis.yamlRedisSection() + GROUPS);

        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY)), cfg.toString(), "--all", "--format",
                "prometheus");

        assertEquals(run.out, get("/metrics").body());
    }

    @Test
    void serveApiGroupsListsGroupsIntervalsAndDeclaredEvents() throws Exception {
        assertJson(200, "{\"groups\":["
                + "{\"group\":\"g\",\"intervals\":[{\"interval\":\"5m\",\"interval_seconds\":300}],"
                + "\"events\":[\"b\",\"a\",\"c\"],\"auto_declare_events\":false,\"history\":0},"
                + "{\"group\":\"h\",\"intervals\":[{\"interval\":\"1m\",\"interval_seconds\":60},"
                + "{\"interval\":\"1h\",\"interval_seconds\":3600}],"
                + "\"events\":[\"x\"],\"auto_declare_events\":false,\"history\":0}]}", get("/api/v1/groups"));
    }

    @Test
    void serveApiGroupHasLastAndCurrentOfEachInterval() throws Exception {
        assertJson(200, "{\"group\":\"g\",\"intervals\":[" + G_5M + "]}", get("/api/v1/groups/g"));

        HttpResponse<String> h = get("/api/v1/groups/h");
        assertEquals(200, h.statusCode());
        assertTrue(h.body().startsWith("{\"group\":\"h\",\"intervals\":[{\"group\":\"h\",\"interval\":\"1m\","), h.body());
        assertTrue(h.body().contains("{\"group\":\"h\",\"interval\":\"1h\",\"interval_seconds\":3600,"), h.body());
        assertTrue(h.body().contains("\"last_counts\":{\"x\":60}"), h.body());
    }

    @Test
    void serveApiIntervalIsOneIntervalWithStartEndLateAndStale() throws Exception {
        assertJson(200, G_5M, get("/api/v1/groups/g/5m"));
        // percent-encoded names are decoded once
        assertJson(200, G_5M, get("/api/v1/groups/%67/%35m"));
    }

    @Test
    void serveUnknownGroupIntervalOrPathIs404Json() throws Exception {
        assertJson(404, "{\"error\":\"not found: /api/v1/groups/nope\"}", get("/api/v1/groups/nope"));
        assertJson(404, "{\"error\":\"not found: /api/v1/groups/g/1m\"}", get("/api/v1/groups/g/1m"));
        assertJson(404, "{\"error\":\"not found: /api/v1/groups/g/5m/x\"}", get("/api/v1/groups/g/5m/x"));
        assertJson(404, "{\"error\":\"not found: /metrics/\"}", get("/metrics/"));
        assertJson(404, "{\"error\":\"not found: /api/v1/groups/\"}", get("/api/v1/groups/"));
        assertJson(404, "{\"error\":\"not found: /api/v2/groups\"}", get("/api/v2/groups"));
        assertJson(404, "{\"error\":\"not found: /etc/passwd\"}", get("/etc/passwd"));
    }

    @Test
    void servePathTraversalAttemptsAre404() throws Exception {
        for (String path : new String[] {"/api/v1/groups/../groups", "/api/v1/groups/g/../../../metrics",
                "/api/v1/groups/..", "/api/v1/groups/%2e%2e", "/api/v1/groups/%2E%2E/%2e%2e/etc/passwd",
                "/api/v1/groups/g%2F5m", "/api/v1/groups/%252e%252e",
                "/api/v1/groups/./g", "/api/v1//groups"}) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path);
            assertTrue(r.body().startsWith("{\"error\":\"not found: "), r.body());
        }
    }

    @Test
    void serveMalformedOrRelativeRequestTargetsAre404() throws Exception {
        // Malformed escapes and overlong UTF-8 (%c0%ae is an overlong '.') are 400, see ServeHostileClientsTest.
        for (String target : new String[] {"/api/v1/groups/%zz", "/api/v1/groups/%2", "/api/v1/groups/%c0%ae%c0%ae"}) {
            String response = raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 400 "), target + ": " + response);
        }
        String above = raw("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        // A path above the root is refused by the HTTP layer: JSON too.
        assertTrue(above.startsWith("HTTP/1.1 400 "), above);
        assertTrue(above.endsWith("\r\n\r\n{\"error\":\"bad request target: Bad URI\"}\n"), above);
        for (String target : new String[] { "/api/v1/groups/g/..%2f..%2f..%2fetc%2fpasswd"}) {
            String response = raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 404 "), target + ": " + response);
            assertTrue(response.endsWith("{\"error\":\"not found: " + target + "\"}\n"), response);
        }
        assertEquals(null, MetricsHttpServer.segments("/a/%zz"));
        assertEquals(null, MetricsHttpServer.segments("/a//b"));
        assertEquals(List.of("a", "../b", "c+d"), MetricsHttpServer.segments("/a/..%2Fb/c+d"));
    }

    private String raw(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void servePostIs405WithAllow() throws Exception {
        for (String path : new String[] {"/metrics", "/api/v1/groups", "/api/v1/groups/g", "/api/v1/groups/g/5m"}) {
            for (String method : new String[] {"POST", "PUT", "DELETE"}) {
                HttpResponse<String> r = send(method, path);
                assertJson(405, "{\"error\":\"method " + method + " not allowed: use GET or HEAD\"}", r);
                assertEquals(List.of("GET, HEAD"), r.headers().allValues("Allow"));
            }
        }
    }

    @Test
    void serveHeadIsAllowedWithoutABody() throws Exception {
        HttpResponse<String> r = send("HEAD", "/metrics");

        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(404, send("HEAD", "/nope").statusCode());
    }

    @Test
    void serveRejectsRequestBodiesAndLongPaths() throws Exception {
        HttpResponse<String> body = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .method("GET", HttpRequest.BodyPublishers.ofString("x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertJson(413, "{\"error\":\"request bodies are not accepted\"}", body);

        assertJson(414, "{\"error\":\"path too long\"}", get("/api/v1/groups/" + "a".repeat(2000)));
        assertEquals(200, get("/metrics").statusCode(), "still serving");
    }

    @Test
    void serveRedisUnreachableIs503WithTheOneLineMessage() throws Exception {
        int port = EmbeddedRedis.freePort();
        try (MetricsHttpServer down = serve(EclConfig.parse(
                "redis:\n  host: 127.0.0.1\n  port: " + port + "\n" + GROUPS, "down.yml"))) {
            String at = "http://127.0.0.1:" + down.address().getPort();
            for (String path : new String[] {"/metrics", "/api/v1/groups/g", "/api/v1/groups/g/5m"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(at + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), path);
                assertTrue(r.body().startsWith("{\"error\":\"cannot connect to Redis at 127.0.0.1:" + port + ": "),
                        r.body());
                assertTrue(r.body().endsWith("\"}\n") && r.body().indexOf('\n') == r.body().length() - 1, r.body());
                assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            }
            // the list of groups needs no Redis
            HttpResponse<String> groups = http.send(HttpRequest.newBuilder(URI.create(at + "/api/v1/groups")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, groups.statusCode());
        }
    }

    @Test
    void serveRedisStoppedIs503ThenRecovers() throws Exception {
        assertEquals(200, get("/metrics").statusCode());
        redis.stop();
        try {
            HttpResponse<String> r = get("/metrics");
            assertEquals(503, r.statusCode(), r::body);
            assertTrue(r.body().startsWith("{\"error\":\""), r.body());
        } finally {
            redis.start();
        }
        assertEquals(200, get("/metrics").statusCode());
    }
}
