package io.ecl.reader;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ecl.core.CounterReader;
import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP server of {@code ecl-reader serve}: the counts of every (group, interval) of a config,
 * read from Redis at each request, as Prometheus metrics and JSON. The JDK's own
 * {@link HttpServer}, no framework:
 *
 * <pre>
 * GET /metrics                          the text exposition format 0.0.4 of ecl-reader --all --format prometheus
 * GET /api/v1/groups                    the groups of the config: intervals and declared events
 * GET /api/v1/groups/GROUP              every interval of GROUP: last and current counts (as --format json --both)
 * GET /api/v1/groups/GROUP/INTERVAL     one interval, the same object
 * </pre>
 *
 * HEAD is allowed wherever GET is; any other method is 405 with an Allow header. Path segments are
 * percent-decoded once and then only looked up among the configured names: anything else
 * (including {@code ..}, empty segments, malformed escapes) is 404. Errors are JSON
 * {@code {"error":"..."}}; Redis unreachable is 503 with its one-line message. A (group, interval)
 * whose keys hold data ecl cannot read does not fail the others: /metrics marks it with
 * {@code ecl_interval_error 1}, the JSON gives its {@code error} (500 for that interval alone). A small fixed
 * pool of threads serves the requests, each bounded by the Redis timeout of the config; request
 * bodies are refused (413) and paths longer than {@value #MAX_PATH} characters too (414).
 */
final class MetricsHttpServer implements AutoCloseable {
    /** Threads serving requests: as many as the reader's Redis connections, so none waits for one. */
    static final int THREADS = 2;
    /** Longest raw path accepted (the longest valid one is far shorter). */
    static final int MAX_PATH = 1024;

    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final String ALLOW = "GET, HEAD";

    private final EclConfig config;
    private final Clock clock;
    private final CounterReader reader;
    private final HttpServer server;
    private final ExecutorService executor;

    static {
        // Bounds of the JDK server, read once when it is first used; a user's -D wins.
        setDefault("sun.net.httpserver.maxReqTime", "30");
        setDefault("sun.net.httpserver.maxRspTime", "60");
        setDefault("sun.net.httpserver.maxReqHeaders", "100");
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * Binds {@code address} (port 0: a free one) and starts serving.
     *
     * @throws IOException when the address cannot be bound (e.g. a {@link java.net.BindException}: port in use)
     */
    static MetricsHttpServer start(EclConfig config, InetSocketAddress address, Clock clock) throws IOException {
        return new MetricsHttpServer(config, address, clock);
    }

    private MetricsHttpServer(EclConfig config, InetSocketAddress address, Clock clock) throws IOException {
        this.config = config;
        this.clock = clock;
        this.server = HttpServer.create(address, 50);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "ecl-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.reader = CounterReader.connect(config);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The address bound: the port chosen when 0 was asked. */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops accepting, lets requests in progress finish (one second at most), closes the Redis connection. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.close();
    }

    /** A response: status, content type, body and extra headers (Allow). */
    static final class Response {
        final int status;
        final String type;
        final String body;
        final String allow;

        Response(int status, String type, String body, String allow) {
            this.status = status;
            this.type = type;
            this.body = body;
            this.allow = allow;
        }

        static Response json(int status, String body) {
            return new Response(status, JSON_TYPE, body + "\n", null);
        }

        static Response error(int status, String message) {
            StringBuilder b = new StringBuilder(message.length() + 16);
            b.append("{\"error\":");
            Formats.jsonString(b, message);
            b.append('}');
            return json(status, b.toString());
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            Response r;
            try {
                r = respond(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                        ex.getRequestHeaders().getFirst("Content-Length"),
                        ex.getRequestHeaders().getFirst("Transfer-Encoding"));
            } catch (RedisUnavailableException e) {
                r = Response.error(503, e.getMessage());
            } catch (RuntimeException e) {
                r = Response.error(500, "unexpected error: " + e);
            }
            byte[] body = r.body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", r.type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (r.allow != null) {
                ex.getResponseHeaders().set("Allow", r.allow);
            }
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(r.status, -1);
            } else {
                ex.sendResponseHeaders(r.status, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        } finally {
            ex.close();
        }
    }

    /** The response to {@code method rawPath}: routing, method and body checks, then the read. */
    Response respond(String method, String rawPath, String contentLength, String transferEncoding) {
        if (rawPath == null || rawPath.length() > MAX_PATH) {
            return Response.error(414, "path too long");
        }
        List<String> segments = segments(rawPath);
        if (segments == null) {
            return notFound(rawPath);
        }
        Route route = route(segments);
        if (route == null) {
            return notFound(rawPath);
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            Response r = Response.error(405, "method " + method + " not allowed: use GET or HEAD");
            return new Response(r.status, r.type, r.body, ALLOW);
        }
        if (transferEncoding != null || (contentLength != null && !"0".equals(contentLength.trim()))) {
            return Response.error(413, "request bodies are not accepted");
        }
        return route.run();
    }

    private static Response notFound(String rawPath) {
        return Response.error(404, "not found: " + rawPath);
    }

    /** What a known path serves, once the method has been checked. */
    private interface Route {
        Response run();
    }

    private Route route(List<String> s) {
        if (s.size() == 1 && s.get(0).equals("metrics")) {
            return this::metrics;
        }
        if (s.size() < 3 || !s.get(0).equals("api") || !s.get(1).equals("v1") || !s.get(2).equals("groups")) {
            return null;
        }
        if (s.size() == 3) {
            return this::groups;
        }
        GroupConfig g = config.group(s.get(3));
        if (g == null || s.size() > 5) {
            return null;
        }
        if (s.size() == 4) {
            return () -> group(g);
        }
        Interval i = g.interval(s.get(4));
        // interval() parses the name; only the names as configured are paths.
        if (i == null || !i.name().equals(s.get(4))) {
            return null;
        }
        return () -> interval(g, i);
    }

    /**
     * The segments of an absolute path, each percent-decoded once as UTF-8; null when the path is
     * not one we could serve: not starting with '/', an empty segment (including a trailing '/'),
     * a malformed escape or invalid UTF-8.
     */
    static List<String> segments(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return null;
        }
        List<String> out = new ArrayList<>();
        int start = 1;
        while (true) {
            int end = rawPath.indexOf('/', start);
            String seg = rawPath.substring(start, end < 0 ? rawPath.length() : end);
            if (seg.isEmpty()) {
                return null;
            }
            String decoded = decode(seg);
            if (decoded == null) {
                return null;
            }
            out.add(decoded);
            if (end < 0) {
                return out;
            }
            start = end + 1;
        }
    }

    /** Percent-decoding of one path segment ('+' is a plus); null when malformed. */
    static String decode(String seg) {
        if (seg.indexOf('%') < 0) {
            return seg;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(seg.length());
        for (int i = 0; i < seg.length(); i++) {
            char c = seg.charAt(i);
            if (c == '%') {
                if (i + 2 >= seg.length()) {
                    return null;
                }
                int hi = Character.digit(seg.charAt(i + 1), 16);
                int lo = Character.digit(seg.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ---- the endpoints ----

    /**
     * The counts of one pair; a pair whose keys hold data ecl cannot read is a failed read (marked
     * in the output), not an error of the whole response: only Redis being unreachable is a 503.
     */
    private Formats.Read read(GroupConfig g, Interval i) {
        try {
            IntervalCounts counts = reader.read(g, i);
            return new Formats.Read(counts, counts.isStale(clock.millis()));
        } catch (RedisDataException e) {
            return Formats.Read.failed(g.name(), i, e.getMessage());
        }
    }

    private Response metrics() {
        List<Formats.Read> reads = new ArrayList<>();
        for (GroupConfig g : config.groups()) {
            for (Interval i : g.intervals()) {
                reads.add(read(g, i));
            }
        }
        return new Response(200, PROMETHEUS_TYPE, Formats.prometheus(reads, Formats.Sections.LAST), null);
    }

    private Response groups() {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"groups\":[");
        boolean firstGroup = true;
        for (GroupConfig g : config.groups()) {
            if (!firstGroup) {
                b.append(',');
            }
            firstGroup = false;
            b.append("{\"group\":");
            Formats.jsonString(b, g.name());
            b.append(",\"intervals\":[");
            for (int k = 0; k < g.intervals().size(); k++) {
                Interval i = g.intervals().get(k);
                b.append(k == 0 ? "" : ",").append("{\"interval\":");
                Formats.jsonString(b, i.name());
                b.append(",\"interval_seconds\":").append(Interval.formatSeconds(i.lengthMillis())).append('}');
            }
            b.append("],\"events\":[");
            for (int k = 0; k < g.events().size(); k++) {
                if (k > 0) {
                    b.append(',');
                }
                Formats.jsonString(b, g.events().get(k));
            }
            b.append("],\"auto_declare_events\":").append(g.autoDeclareEvents()).append('}');
        }
        return Response.json(200, b.append("]}").toString());
    }

    private Response group(GroupConfig g) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"group\":");
        Formats.jsonString(b, g.name());
        b.append(",\"intervals\":[");
        for (int k = 0; k < g.intervals().size(); k++) {
            b.append(k == 0 ? "" : ",").append(Formats.json(read(g, g.intervals().get(k)), Formats.Sections.BOTH));
        }
        return Response.json(200, b.append("]}").toString());
    }

    private Response interval(GroupConfig g, Interval i) {
        Formats.Read r = read(g, i);
        return Response.json(r.error == null ? 200 : 500, Formats.json(r, Formats.Sections.BOTH));
    }
}
