package io.ecl.reader;

import io.ecl.cli.Cli;
import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ops.Clients;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Seconds;
import io.ecl.core.ops.StreamedCounts;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The HTTP server of {@code ecl-reader serve}: the counts of every (group, interval) of a config,
 * read from Redis at each request, as Prometheus metrics and JSON:
 *
 * <pre>
 * GET /metrics                          the text exposition format 0.0.4 of ecl-reader --all --format prometheus
 * GET /api/v1/groups                    the groups of the config: intervals and declared events
 * GET /api/v1/groups/GROUP              every interval of GROUP: last and current counts (as --format json --both)
 * GET /api/v1/groups/GROUP/INTERVAL     one interval, the same object
 * GET /api/v1/groups/GROUP/INTERVAL/history?n=N   the last N kept intervals, oldest first (as --history N --format json)
 * </pre>
 *
 * HEAD is allowed wherever GET is; any other method is 405 with an Allow header. Path segments are
 * percent-decoded once and then only looked up among the configured names: anything else
 * (including {@code ..} and empty segments) is 404. Errors are JSON {@code {"error":"..."}}, those
 * of the HTTP layer too (a malformed request line, escape or header is 400); Redis unreachable is
 * 503 with its one-line message. A (group, interval) whose keys hold data ecl cannot read does not
 * fail the others: /metrics marks it with {@code ecl_interval_error 1}, the JSON gives its
 * {@code error} (500 for that interval alone). Request bodies are refused (413) and paths longer
 * than {@value #MAX_PATH} characters too (414).
 *
 * <p>Jetty's core server (no servlets) rather than the JDK's {@code com.sun.net.httpserver}: the
 * JDK server reads a request's headers on one of its worker threads, blocking, so a few clients
 * that send a byte and stop hold every worker; and it waits for a CRLF that a bare-LF request, a
 * TLS ClientHello or garbage never sends. Jetty parses on its selector without a thread per
 * connection, answers what it cannot parse with 400 at once, and closes connections that stay
 * silent for {@value #IDLE_TIMEOUT_MS} ms. A connection must deliver a whole request within
 * {@value #FIRST_REQUEST_TIMEOUT_MS} ms of being opened, so one that trickles its headers a byte at
 * a time is closed too. Only serve loads this class and Jetty: the one-shot reader never does.
 */
final class MetricsHttpServer implements AutoCloseable {
    /**
     * Threads of Jetty's pool: one acceptor, one selector, and the rest for requests, which block on
     * the reader's Redis connections; slow or idle clients take none of them.
     */
    static final int THREADS = 8;
    /** Longest raw path accepted (the longest valid one is far shorter). */
    static final int MAX_PATH = 1024;
    /** A connection idle this long (no byte in either direction) is closed; a scraper reconnects. */
    static final long IDLE_TIMEOUT_MS = 10_000;
    /** A connection that has not delivered its first request's headers this long after it opened is closed. */
    static final long FIRST_REQUEST_TIMEOUT_MS = 10_000;
    /** Largest request line plus headers; more is 431. */
    static final int MAX_HEADER_BYTES = 8192;

    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final String ALLOW = "GET, HEAD";

    private final EclConfig config;
    private final Clock clock;
    private final CounterReader reader;
    private final Server server;
    private final ServerConnector connector;
    /** Where every 5xx answer is explained in one line (-v), or null. */
    private final PrintWriter log;

    /**
     * Binds {@code address} (port 0: a free one) and starts serving.
     *
     * @param log where to say, one line each, why a request was answered 503 or 500 ({@code serve -v}); null: nowhere
     * @throws IOException when the address cannot be bound (e.g. a {@link java.net.BindException}: port in use)
     */
    static MetricsHttpServer start(EclConfig config, InetSocketAddress address, Clock clock, PrintWriter log)
            throws IOException {
        return new MetricsHttpServer(config, address, clock, log, IDLE_TIMEOUT_MS, FIRST_REQUEST_TIMEOUT_MS,
                CounterReader.Paging.DEFAULT);
    }

    /** With other timeouts (tests: a slow client is closed in half a second rather than ten). */
    static MetricsHttpServer start(EclConfig config, InetSocketAddress address, Clock clock, PrintWriter log,
            long idleTimeoutMs, long firstRequestTimeoutMs) throws IOException {
        return new MetricsHttpServer(config, address, clock, log, idleTimeoutMs, firstRequestTimeoutMs,
                CounterReader.Paging.DEFAULT);
    }

    /** Reading big groups as {@code paging} says (tests: a group of 50 events is big). */
    static MetricsHttpServer start(EclConfig config, InetSocketAddress address, Clock clock, CounterReader.Paging paging)
            throws IOException {
        return new MetricsHttpServer(config, address, clock, null, IDLE_TIMEOUT_MS, FIRST_REQUEST_TIMEOUT_MS, paging);
    }

    static MetricsHttpServer start(EclConfig config, InetSocketAddress address, Clock clock) throws IOException {
        return start(config, address, clock, (PrintWriter) null);
    }

    private MetricsHttpServer(EclConfig config, InetSocketAddress address, Clock clock, PrintWriter log,
            long idleTimeoutMs, long firstRequestTimeoutMs, CounterReader.Paging paging) throws IOException {
        this.config = config;
        this.clock = clock;
        this.log = log;
        QueuedThreadPool threads = new QueuedThreadPool(THREADS, 2, 60_000);
        threads.setName("ecl-serve");
        threads.setDaemon(true);
        server = new Server(threads);
        server.setStopTimeout(1000);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        // The handler decodes and looks up each segment itself; Jetty must not refuse or
        // normalise ambiguous ones (%2F, %2e%2e) first, so that they are 404 like any unknown name.
        http.setUriCompliance(UriCompliance.UNSAFE);
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        h1.getHttpConfiguration().setHttpCompliance(HttpCompliance.RFC9110);
        connector = new ServerConnector(server, 1, 1, h1);
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(idleTimeoutMs);
        connector.setAcceptedTcpNoDelay(true);
        connector.addEventListener(new FirstRequestDeadline(connector.getScheduler(), firstRequestTimeoutMs));
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
                MetricsHttpServer.this.handle(request, response, callback);
                return true;
            }
        });
        this.reader = CounterReader.connect(config, paging);
        try {
            server.start();
        } catch (Exception e) {
            reader.close();
            stopQuietly();
            // Jetty wraps the BindException ("Failed to bind to /127.0.0.1:9108"): the cause says why.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    throw (java.net.BindException) t;
                }
            }
            throw e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
        }
    }

    /** Whether accepted connections have TCP_NODELAY: a keep-alive response is not held back by Nagle. */
    boolean tcpNoDelay() {
        return connector.getAcceptedTcpNoDelay();
    }

    /** The address bound: the port chosen when 0 was asked. */
    InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    /** Stops accepting, lets requests in progress finish (one second at most), closes the Redis connection. */
    @Override
    public void close() {
        stopQuietly();
        reader.close();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping anyway: the threads are daemons
        }
    }

    /**
     * Closes a connection that has not delivered a whole request header within
     * {@link #FIRST_REQUEST_TIMEOUT_MS} of opening: the idle timeout alone would let a client that
     * sends a byte every few seconds hold its connection for ever.
     */
    private static final class FirstRequestDeadline implements Connection.Listener {
        private final Scheduler scheduler;
        private final long timeoutMs;

        FirstRequestDeadline(Scheduler scheduler, long timeoutMs) {
            this.scheduler = scheduler;
            this.timeoutMs = timeoutMs;
        }

        @Override
        public void onOpened(Connection connection) {
            scheduler.schedule(() -> {
                if (connection.getMessagesIn() == 0 && connection.getEndPoint().isOpen()) {
                    connection.getEndPoint().close();
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The HTTP layer's own errors (bad request line, escape, header; header too large) as JSON, like ours. */
    private static final class JsonErrorHandler extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, org.eclipse.jetty.server.Response response, int code,
                String message, Throwable cause, Callback callback) {
            String text = message != null && !message.isEmpty() ? message : HttpStatus.getMessage(code);
            text = text.toLowerCase(java.util.Locale.ROOT);
            // Jetty decodes the path while parsing the request line; its bare "Bad Request" then
            // has a NumberFormatException ("!hex z") or IllegalArgumentException as the reason.
            for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
                if (t instanceof NumberFormatException
                        || (t instanceof IllegalArgumentException && String.valueOf(t.getMessage()).contains("% encoding"))) {
                    text = "malformed percent-escape in the request target";
                    break;
                }
                if (t instanceof IllegalArgumentException && t.getMessage() != null) {
                    text = "bad request target: " + t.getMessage();
                    break;
                }
            }
            Response r = Response.error(code, text);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Content.Sink.write(response, true, r.body, callback);
        }
    }

    /** Writes a body that is too large to hold as one string (/metrics over many events). */
    interface Streamed {
        void writeTo(Writer out) throws IOException;
    }

    /**
     * A response: status, content type, body (a string or streamed) and extra headers (Allow); a
     * streamed one also the reads it writes from, closed once it is sent or abandoned.
     */
    static final class Response {
        final int status;
        final String type;
        final String body;
        final String allow;
        final Streamed streamed;
        final List<Formats.Read> reads;

        Response(int status, String type, String body, String allow) {
            this(status, type, body, allow, null, List.of());
        }

        private Response(int status, String type, String body, String allow, Streamed streamed,
                List<Formats.Read> reads) {
            this.status = status;
            this.type = type;
            this.body = body;
            this.allow = allow;
            this.streamed = streamed;
            this.reads = reads;
        }

        /** A 200 whose body {@code body} writes from {@code reads}, which are closed after. */
        static Response streamed(String type, List<Formats.Read> reads, Streamed body) {
            return new Response(200, type, null, null, body, reads);
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

    /** The write API when {@code serve --accept-writes}, else null; and the token it requires, or null. */
    private volatile io.ecl.ingest.HttpWrites writes;
    private volatile byte[] token;

    /**
     * Accepts {@code POST /api/v1/groups/GROUP/events} from now on, applied by {@code writes};
     * with a {@code token}, only from requests that send {@code Authorization: Bearer TOKEN}.
     */
    void acceptWrites(io.ecl.ingest.HttpWrites writes, String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.writes = writes;
    }

    private void handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        String method = request.getMethod();
        String rawPath = request.getHttpURI().getPath();
        io.ecl.ingest.HttpWrites w = writes;
        if (w != null && rawPath != null && rawPath.length() <= MAX_PATH) {
            List<String> s = segments(rawPath);
            if (s != null && s.size() == 5 && s.get(0).equals("api") && s.get(1).equals("v1")
                    && s.get(2).equals("groups") && s.get(4).equals("events")) {
                Response r = "POST".equals(method) ? answer(() -> write(w, request, s.get(3)))
                        : new Response(405, JSON_TYPE, Response.error(405, "method " + method
                                + " not allowed: use POST").body, "POST");
                send(method, rawPath, r, response, callback);
                return;
            }
        }
        String query = request.getHttpURI().getQuery();
        Response r = answer(() -> respond(method, rawPath, query, request.getHeaders().get(HttpHeader.CONTENT_LENGTH),
                request.getHeaders().get(HttpHeader.TRANSFER_ENCODING)));
        try {
            send(method, rawPath, r, response, callback);
        } finally {
            Formats.closeAll(r.reads);
        }
    }

    /** One POST of the write API: the token, the body (at most {@link io.ecl.ingest.HttpWrites#MAX_BODY_BYTES}), the writes. */
    private Response write(io.ecl.ingest.HttpWrites w, Request request, String group) {
        // The body is read first, whatever the answer: a server that answers 401 or 413 while the
        // client still sends makes the connection close under the client, which then sees no
        // answer at all. Bounded: at most one byte more than is taken.
        int max = io.ecl.ingest.HttpWrites.MAX_BODY_BYTES;
        byte[] body;
        try (java.io.InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(max + 1);
        } catch (IOException e) {
            return Response.error(400, "cannot read the body: " + e.getMessage());
        }
        if (body.length > max) {
            return Response.error(413, "body larger than " + max + " bytes");
        }
        byte[] expected = token;
        if (expected != null) {
            String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (auth == null || !auth.startsWith("Bearer ")) {
                return Response.error(401, "this server takes writes with 'Authorization: Bearer TOKEN' only");
            }
            byte[] given = auth.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
            if (!java.security.MessageDigest.isEqual(expected, given)) {
                return Response.error(403, "wrong token");
            }
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        boolean plain = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/plain");
        io.ecl.ingest.HttpWrites.Result r = w.apply(group, plain, new String(body, StandardCharsets.UTF_8));
        return r.status() == 204 ? new Response(204, JSON_TYPE, "", null) : Response.error(r.status(), r.message());
    }

    /**
     * The body's writer (tests make it fail half-way, as a full disk or a vanished temporary file
     * would).
     */
    volatile java.util.function.UnaryOperator<Writer> bodyWriter = w -> w;

    private void send(String method, String rawPath, Response r, org.eclipse.jetty.server.Response response,
            Callback callback) {
        if (r.status >= 500 && log != null) {
            Cli.line(log, "ecl-reader serve: " + method + " " + rawPath + ": " + r.status + " " + r.body.trim());
        }
        response.setStatus(r.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (r.allow != null) {
            response.getHeaders().put(HttpHeader.ALLOW, r.allow);
        }
        if ("HEAD".equals(method)) {
            callback.succeeded();
        } else if (r.streamed == null) {
            byte[] body = r.body.getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, java.nio.ByteBuffer.wrap(body), callback);
        } else {
            // Chunked, a buffer at a time: the text of 500,000 events is never one string. Redis
            // has been read before the first byte (an error there is a 503 or 500 with its
            // message); what can fail now is the client going away or a big group's temporary
            // file. Nothing sent yet: the answer becomes a 500 with the reason. Once the status
            // and a part of the body are out, failing the callback aborts the connection without
            // the last chunk, so that no client takes a truncated body for a complete one: a
            // Prometheus scrape fails.
            try {
                Writer out = bodyWriter.apply(new BufferedWriter(new OutputStreamWriter(
                        Content.Sink.asOutputStream(response), StandardCharsets.UTF_8), 32 * 1024));
                r.streamed.writeTo(out);
                out.close();
            } catch (IOException | RuntimeException e) {
                String why = "response abandoned: " + (e.getMessage() != null ? e.getMessage() : e.toString());
                if (!response.isCommitted()) {
                    response.reset();
                    send(method, rawPath, Response.error(500, why), response, callback);
                    return;
                }
                if (log != null) {
                    Cli.line(log, "ecl-reader serve: " + method + " " + rawPath + ": " + r.status + " sent, then " + why);
                }
                callback.failed(e);
                return;
            }
            callback.succeeded();
        }
    }

    /**
     * {@code respond}'s response, or the error it ended with as one: Redis unavailable is 503,
     * anything else 500 with a message (never a connection closed without an answer).
     */
    static Response answer(java.util.function.Supplier<Response> respond) {
        try {
            return respond.get();
        } catch (RedisUnavailableException e) {
            return Response.error(503, e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            return Response.error(500, e.getMessage()); // a big group's temporary file: names the directory
        } catch (RuntimeException e) {
            return Response.error(500, "unexpected error: " + e);
        } catch (OutOfMemoryError e) {
            // What was read is garbage again by now: room enough for a short answer.
            return Response.error(500, "out of memory reading the counts (raise the heap, e.g. JAVA_OPTS=-Xmx512m): "
                    + e.getMessage());
        }
    }

    /** The response to {@code method rawPath}: routing, method and body checks, then the read. */
    Response respond(String method, String rawPath, String contentLength, String transferEncoding) {
        return respond(method, rawPath, null, contentLength, transferEncoding);
    }

    /** {@link #respond(String, String, String, String)} with the request's query string (or null). */
    Response respond(String method, String rawPath, String query, String contentLength, String transferEncoding) {
        if (rawPath == null || rawPath.length() > MAX_PATH) {
            return Response.error(414, "path too long");
        }
        List<String> segments = segments(rawPath);
        if (segments == null) {
            return badlyEncoded(rawPath)
                    ? Response.error(400, "malformed percent-escape or UTF-8 in path: " + rawPath)
                    : notFound(rawPath);
        }
        Route route = route(segments, query);
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

    private Route route(List<String> s, String query) {
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
        if (g == null || s.size() > 6 || (s.size() == 6 && !s.get(5).equals("history"))) {
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
        if (s.size() == 6) {
            return () -> history(g, i, query);
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

    /** Whether a segment of {@code rawPath} has a malformed escape ({@code %zz}) or decodes to invalid UTF-8. */
    static boolean badlyEncoded(String rawPath) {
        for (String seg : rawPath.split("/", -1)) {
            if (decode(seg) == null) {
                return true;
            }
        }
        return false;
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
            StreamedCounts counts = reader.readStreamed(g, i);
            return new Formats.Read(counts, counts.header().isStale(clock.millis()));
        } catch (RedisDataException e) {
            return Formats.Read.failed(g.name(), i, e.getMessage());
        }
    }

    /**
     * Every (group, interval) of {@code groups}, all read before the first byte of the answer (a
     * big group's counts wait in a temporary file); closes what was read when one fails.
     */
    private List<Formats.Read> readAll(java.util.Collection<GroupConfig> groups) {
        List<Formats.Read> reads = new ArrayList<>();
        try {
            for (GroupConfig g : groups) {
                for (Interval i : g.intervals()) {
                    reads.add(read(g, i));
                }
            }
            return reads;
        } catch (RuntimeException | Error e) {
            Formats.closeAll(reads);
            throw e;
        }
    }

    private Response metrics() {
        List<Formats.Read> reads = readAll(config.groups());
        List<Clients.Client> clients;
        try {
            // A connection of its own per scrape (one every 15 s or so): a pooled one idle across a
            // Redis restart would fail the first scrape after it.
            clients = Clients.list(config);
        } catch (RuntimeException e) {
            Formats.closeAll(reads);
            throw e;
        }
        long now = System.currentTimeMillis();
        Streamed more = moreMetrics;
        return Response.streamed(PROMETHEUS_TYPE, reads, out -> {
            Formats.prometheus(out, reads, Formats.Sections.LAST);
            writeClients(out, clients, now);
            if (more != null) {
                more.writeTo(out);
            }
        });
    }

    /**
     * The writers' heartbeats (see {@link Clients}): ecl_client_up (1 for every writer whose
     * heartbeat has not expired), ecl_client_pending (events waiting for Redis),
     * ecl_client_dropped_total (counts dropped at max_pending since it started) and
     * ecl_client_last_delivery_age_seconds, labelled by app, host, pid and instance. Nothing when no
     * writer has a live heartbeat, so that /metrics is then exactly ecl-reader --all --format prometheus.
     */
    static void writeClients(Appendable out, List<Clients.Client> clients, long now) throws IOException {
        if (clients.isEmpty()) {
            return;
        }
        String[][] families = {
            {"ecl_client_up", "gauge", "1 for every process logging to this Redis whose heartbeat (every 10 s) has not expired."},
            {"ecl_client_pending", "gauge", "Events the process logged that Redis does not have yet (it is buffering)."},
            {"ecl_client_dropped_total", "counter", "Counts the process dropped at max_pending during Redis outages, since it started."},
            {"ecl_client_last_delivery_age_seconds", "gauge", "Seconds since Redis last took what the process sent."},
        };
        StringBuilder b = new StringBuilder(256);
        for (String[] f : families) {
            out.append("# HELP ").append(f[0]).append(' ').append(f[2]).append('\n');
            out.append("# TYPE ").append(f[0]).append(' ').append(f[1]).append('\n');
            for (Clients.Client c : clients) {
                long value;
                switch (f[0]) {
                    case "ecl_client_up" -> value = 1;
                    case "ecl_client_pending" -> value = c.pendingEvents();
                    case "ecl_client_dropped_total" -> value = c.dropped();
                    default -> {
                        if (c.lastDeliveryMillis() == 0) {
                            continue;
                        }
                        value = Math.max(0, now - c.lastDeliveryMillis()) / 1000;
                    }
                }
                b.setLength(0);
                b.append(f[0]).append("{app=");
                Formats.labelValue(b, c.app());
                b.append(",host=");
                Formats.labelValue(b, c.host());
                b.append(",pid=\"").append(c.pid()).append("\",instance=");
                Formats.labelValue(b, c.instance());
                b.append("} ").append(value).append('\n');
                out.append(b);
            }
        }
    }

    /** Further metric families written after the counts on /metrics (the StatsD listener's), or null. */
    private volatile Streamed moreMetrics;

    void moreMetrics(Streamed more) {
        this.moreMetrics = more;
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
                b.append(",\"interval_seconds\":").append(Seconds.format(i.lengthMillis())).append('}');
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
        List<Formats.Read> reads = readAll(List.of(g));
        return Response.streamed(JSON_TYPE, reads, out -> {
            StringBuilder b = new StringBuilder(64);
            b.append("{\"group\":");
            Formats.jsonString(b, g.name());
            out.append(b).append(",\"intervals\":[");
            for (int k = 0; k < reads.size(); k++) {
                out.append(k == 0 ? "" : ",");
                Formats.json(out, reads.get(k), Formats.Sections.BOTH);
            }
            out.append("]}\n");
        });
    }

    /**
     * The kept intervals of one pair, oldest first ({@link Formats#historyJson}): the last {@code n}
     * of the query ({@code n=N}; the group's whole history when absent, and never more), 400 when
     * n is not a whole number from 1 up, 404 when the group keeps no history, 500 when an entry
     * cannot be read.
     */
    private Response history(GroupConfig g, Interval i, String query) {
        if (g.history() == 0) {
            return Response.error(404, "group '" + g.name() + "' keeps no history (history: 0 in the config)");
        }
        int n = g.history();
        String given = null;
        if (query != null) {
            for (String param : query.split("&")) {
                if (param.startsWith("n=")) {
                    given = param.substring(2);
                }
            }
        }
        if (given != null) {
            String value = decode(given);
            int parsed;
            try {
                parsed = value == null ? -1 : Integer.parseInt(value);
            } catch (NumberFormatException e) {
                parsed = -1;
            }
            if (parsed < 1) {
                return Response.error(400, "n must be a whole number from 1 to " + g.history() + ", not '"
                        + (value == null ? given : value) + "'");
            }
            n = Math.min(parsed, g.history());
        }
        try {
            return new Response(200, JSON_TYPE, Formats.historyJson(reader.history(g, i, n)), null);
        } catch (RedisDataException e) {
            return Response.error(500, e.getMessage());
        }
    }

    private Response interval(GroupConfig g, Interval i) {
        Formats.Read r = read(g, i);
        if (r.error != null) {
            return Response.json(500, Formats.json(r, Formats.Sections.BOTH));
        }
        return Response.streamed(JSON_TYPE, List.of(r), out -> {
            Formats.json(out, r, Formats.Sections.BOTH);
            out.append('\n');
        });
    }
}
