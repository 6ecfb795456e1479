package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ecl-reader serve under clients that are slow, idle, or do not speak HTTP/1.1: the others are
 * still answered, the slow ones are closed, and what cannot be parsed is a JSON 400 at once.
 */
class ServeHostileClientsTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** Generous: a hang shows as a timeout, a working server answers in milliseconds. */
    static final int WAIT_MS = 8_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> held = new ArrayList<>();
    private MetricsHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = ServeHttpTest.serve(EclConfig.parse(redis.yamlRedisSection() + ServeHttpTest.GROUPS, "test.yml"));
        redis.client().set("g:5m:last:a", "3");
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket open(MetricsHttpServer on) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), on.address().getPort()), 5_000);
        s.setSoTimeout(WAIT_MS);
        held.add(s);
        return s;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .timeout(Duration.ofMillis(WAIT_MS)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Writes {@code request} on a fresh connection and reads the whole answer (the server closes after it). */
    private String raw(byte[] request) throws IOException {
        Socket s = open(server);
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String status(String response) {
        return response.substring(0, response.indexOf('\r'));
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void serveAnswersOtherClientsWhile200SlowAndIdleConnectionsAreHeld() throws Exception {
        for (int k = 0; k < 200; k++) {
            Socket s = open(server);
            OutputStream out = s.getOutputStream();
            switch (k % 4) {
                case 0: break; // connected, never sends a byte
                case 1: out.write('G'); break; // one byte, then silence
                case 2: out.write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); break;
                default: out.write("GET /metr".getBytes(StandardCharsets.US_ASCII)); break;
            }
            out.flush();
        }

        for (int k = 0; k < 3; k++) {
            HttpResponse<String> r = get("/api/v1/groups/g/5m");
            assertEquals(200, r.statusCode(), r::body);
            assertTrue(r.body().contains("\"last_counts\":{\"a\":3,\"b\":0,\"c\":0}"), r::body);
        }
        assertEquals(200, get("/metrics").statusCode());
        // ... while every slow connection is still open (none was closed to make room).
        for (Socket s : held) {
            s.setSoTimeout(1);
            try {
                int c = s.getInputStream().read();
                org.junit.jupiter.api.Assertions.fail("closed or answered early: " + c);
            } catch (SocketTimeoutException stillOpen) {
                // nothing to read and not closed: held
            }
        }
    }

    @Test
    void serveClosesConnectionsThatTrickleOrIdleBeforeARequest() throws Exception {
        server.close();
        server = MetricsHttpServer.start(EclConfig.parse(redis.yamlRedisSection() + ServeHttpTest.GROUPS, "t.yml"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new SteppedClock(ServeHttpTest.BOUNDARY),
                null, 500, 500);
        Socket idle = open(server);
        Socket trickle = open(server);
        byte[] request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        int sent = 0;
        boolean closed = false;
        // One byte every 100 ms keeps the idle timeout from firing; the request deadline must not.
        for (long end = System.nanoTime() + WAIT_MS * 1_000_000L; !closed && System.nanoTime() < end; ) {
            try {
                trickle.getOutputStream().write(request[sent++ % (request.length - 4)]);
                trickle.getOutputStream().flush();
                Thread.sleep(100);
            } catch (IOException e) {
                closed = true;
            }
        }
        assertTrue(closed || trickle.getInputStream().read() == -1, "a trickling client is closed");
        assertEquals(-1, idle.getInputStream().read(), "an idle client is closed");
        assertEquals(200, get("/metrics").statusCode());
    }

    @Test
    void serveAnswersWhatIsNotAnHttp11RequestWithAJson400() throws Exception {
        // The start of a TLS 1.2 ClientHello: a client speaking https to the http port.
        byte[] clientHello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03, 0x5b,
            (byte) 0x90, (byte) 0x9d, (byte) 0x9b, 0x72, 0x0b, (byte) 0xbc, 0x0c, (byte) 0xbc, 0x2b};
        for (byte[] bad : new byte[][] {clientHello,
                "GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "\u0000\u0001\u0002 garbage\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".getBytes(StandardCharsets.US_ASCII)}) {
            String response = raw(bad);

            // 426 for HTTP/2.0: the client is told to speak HTTP/1.1 (there is no h2c here)
            assertTrue(status(response).matches("HTTP/1\\.1 (400 Bad Request|426 Upgrade Required|505 .*)"), response);
            assertTrue(response.contains("\r\nContent-Type: application/json; charset=utf-8\r\n"), response);
            assertTrue(body(response).startsWith("{\"error\":\""), response);
        }
        String huge = "GET /metrics HTTP/1.1\r\nHost: x\r\nX: " + "a".repeat(10_000) + "\r\n\r\n";
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large", status(raw(huge.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void serveAnswersABareLfRequest() throws Exception {
        String response = raw("GET /api/v1/groups HTTP/1.1\nHost: x\nConnection: close\n\n"
                .getBytes(StandardCharsets.US_ASCII));

        assertEquals("HTTP/1.1 200 OK", status(response));
        assertTrue(body(response).startsWith("{\"groups\":[{\"group\":\"g\""), response);
    }

    @Test
    void serveBadEscapeIsAJson400() throws Exception {
        for (String target : new String[] {"/api/v1/groups/%zz", "/api/v1/groups/%2", "/api/v1/groups/%c0%ae",
                "/api/v1/groups/g/%ff"}) {
            String response = raw(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));

            assertEquals("HTTP/1.1 400 Bad Request", status(response), response);
            assertTrue(response.contains("\r\nContent-Type: application/json; charset=utf-8\r\n"), response);
            assertTrue(body(response).matches("\\{\"error\":\"malformed percent-escape (in the request target"
                    + "|or UTF-8 in path: " + java.util.regex.Pattern.quote(target) + ")\"}\n"), response);
        }
    }

    @Test
    void serveKeepAliveResponsesAreNotHeldBackByNagle() throws Exception {
        assertTrue(server.tcpNoDelay());
        // and several requests on one connection are all answered
        Socket s = open(server);
        for (int k = 0; k < 3; k++) {
            s.getOutputStream().write("GET /api/v1/groups HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            int length = Integer.parseInt(head.replaceAll("(?s).*\r\nContent-Length: (\\d+)\r\n.*", "$1"));
            assertEquals(length, in.readNBytes(length).length);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void serveVerboseSaysWhyItAnswered503() throws Exception {
        int port = EmbeddedRedis.freePort();
        StringWriter log = new StringWriter();
        try (MetricsHttpServer down = MetricsHttpServer.start(EclConfig.parse(
                "redis:\n  host: 127.0.0.1\n  port: " + port + "\n" + ServeHttpTest.GROUPS, "down.yml"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new SteppedClock(ServeHttpTest.BOUNDARY),
                new PrintWriter(log, true))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + down.address().getPort() + "/api/v1/groups/g/5m")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(503, r.statusCode());
            assertTrue(log.toString().startsWith("ecl-reader serve: GET /api/v1/groups/g/5m: 503 {\"error\":\"cannot"
                    + " connect to Redis at 127.0.0.1:" + port + ": "), log::toString);
            assertEquals(1, log.toString().split("\n").length, log::toString);
        }
    }

    @Test
    void serveAnswersOutOfMemoryWith500AndTheReason() {
        MetricsHttpServer.Response r = MetricsHttpServer.answer(() -> {
            throw new OutOfMemoryError("Java heap space");
        });

        assertEquals(500, r.status);
        assertEquals("{\"error\":\"out of memory reading the counts (raise the heap, e.g. JAVA_OPTS=-Xmx512m):"
                + " Java heap space\"}\n", r.body);
        assertEquals(MetricsHttpServer.JSON_TYPE, r.type);
    }

    @Test
    void serveMetricsIsStreamedInChunks() throws Exception {
        EclConfig cfg = EclConfig.parse(redis.yamlRedisSection()
                + "groups:\n  auto:\n    events: []\n    intervals: ['5m']\n    auto_declare_events: true\n", "auto.yml");
        try (redis.clients.jedis.AbstractPipeline p = redis.client().pipelined()) {
            for (int k = 0; k < 20_000; k++) {
                p.set("auto:5m:last:event-" + k, Integer.toString(k));
                p.sadd("auto:5m:last:@reg", "event-" + k);
            }
        }
        server.close();
        server = ServeHttpTest.serve(cfg);

        HttpResponse<String> r = get("/metrics");

        assertEquals(200, r.statusCode());
        assertEquals(List.of("chunked"), r.headers().allValues("Transfer-Encoding"), r.headers()::toString);
        assertEquals(List.of(), r.headers().allValues("Content-Length"));
        assertTrue(r.body().contains("\necl_events{group=\"auto\",interval=\"5m\",event=\"event-19999\"} 19999\n"),
                "the last event is in it");
    }
}
