package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.RedisClient;

/**
 * ecl-reader serve --accept-writes: POST /api/v1/groups/GROUP/events as JSON or text lines, counted
 * through the library (delivered when serve stops at the latest); a bad document counts nothing and
 * says which part; the token; the limits.
 */
class ServeWritesTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;
    private String config;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void writeConfig() throws Exception {
        redis.client().flushAll();
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [get, post]\n    uniques: [visitors]\n    values: [ms]\n    intervals: ['5m']\n"
                + "  open:\n    events: []\n    intervals: ['5m']\n    auto_declare_events: true\n");
    }

    /** serve with {@code args}, until {@code body} has run against its port; then stopped (which delivers). */
    private String serve(String[] args, Checks body) throws Exception {
        ServeCommand serve = new ServeCommand(new SteppedClock(ServeHttpTest.BOUNDARY));
        serve.handleSignals = false;
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(serve).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = config;
        all[1] = "--listen";
        all[2] = "127.0.0.1:0";
        System.arraycopy(args, 0, all, 3, args.length);
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cl.execute(all));
        MetricsHttpServer server = serve.awaitStarted(30_000);
        assertNotNull(server, err::toString);
        try {
            body.run(server.address().getPort());
        } finally {
            serve.stop();
            assertEquals(0, code.get(30, TimeUnit.SECONDS), err::toString);
        }
        return err.toString();
    }

    private interface Checks {
        void run(int port) throws Exception;
    }

    private HttpResponse<String> post(int port, String group, String type, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/groups/" + group
                + "/events")).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void jsonAndTextWritesAreCountedInEveryKind() throws Exception {
        String err = serve(new String[] {"--accept-writes"}, port -> {
            assertEquals(204, post(port, "web", "application/json",
                    "{\"events\": {\"get\": 3, \"post\": 1}, \"uniques\": {\"visitors\": [\"a\", \"b\", \"a\"]},"
                            + " \"values\": {\"ms\": [12.5, 7.5]}}", null).statusCode());
            assertEquals(204, post(port, "web", "text/plain", "get\nget 2\n\npost 4\n", null).statusCode());
            assertEquals(204, post(port, "open", "text/plain", "anything 5\n", null).statusCode());
        });
        assertTrue(err.contains("accepting writes at POST /api/v1/groups/GROUP/events (loopback, no token)"), err);
        RedisClient r = redis.client();
        assertEquals("6", r.get("web:5m:cur:get"));
        assertEquals("5", r.get("web:5m:cur:post"));
        assertEquals(2, r.pfcount("web:5m:cur:@u.visitors"));
        assertEquals("2", r.hget("web:5m:cur:@v.ms", "c"));
        assertEquals("5", r.get("open:5m:cur:anything"));
    }

    @Test
    void aBadDocumentCountsNothingAndNamesTheBadPart() throws Exception {
        serve(new String[] {"--accept-writes"}, port -> {
            HttpResponse<String> notDeclared = post(port, "web", "text/plain", "get 1\nput 2\n", null);
            assertEquals(400, notDeclared.statusCode());
            assertEquals("{\"error\":\"line 2: event 'put' is not declared in group 'web' and the group does not"
                    + " auto-declare events\"}", notDeclared.body().trim());
            HttpResponse<String> badCount = post(port, "web", "application/json", "{\"events\": {\"get\": 1.5}}", null);
            assertEquals(400, badCount.statusCode());
            assertTrue(badCount.body().contains("events.get: expected a whole number, got 1.5"), badCount.body());
            assertEquals(400, post(port, "web", "application/json", "{\"events\": ", null).statusCode());
            assertEquals(404, post(port, "nope", "text/plain", "get\n", null).statusCode());
            assertEquals(413, post(port, "web", "text/plain", "get\n".repeat(300_000), null).statusCode());
        });
        assertEquals(null, redis.client().get("web:5m:cur:get"), "nothing of a refused document is counted");
    }

    @Test
    void aTokenIsRequiredWhenGivenAndMustNotBeWorldReadable() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "s3cret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        Run open = Run.reader("serve", config, "--listen", "127.0.0.1:0", "--accept-writes", "--token-file", token.toString());
        assertEquals(1, open.code);
        assertTrue(open.err.contains("the token file is readable by every user; chmod o-r"), open.err);

        Run noToken = Run.reader("serve", config, "--listen", "0.0.0.0:0", "--accept-writes");
        assertEquals(1, noToken.code);
        assertEquals("ERROR: --accept-writes on 0.0.0.0:0 needs --token-file: only loopback takes writes without a token\n",
                noToken.err);

        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        serve(new String[] {"--accept-writes", "--token-file", token.toString()}, port -> {
            assertEquals(401, post(port, "web", "text/plain", "get\n", null).statusCode());
            assertEquals(403, post(port, "web", "text/plain", "get\n", "wrong").statusCode());
            assertEquals(204, post(port, "web", "text/plain", "get\n", "s3cret").statusCode());
        });
        assertEquals("1", redis.client().get("web:5m:cur:get"));
    }

    @Test
    void theConfigCanEnableWritesWithATokenFileBesideIt() throws Exception {
        Path token = dir.resolve("write-token");
        Files.writeString(token, "t0k\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(Path.of(config), Files.readString(Path.of(config))
                + "http_writes:\n  enabled: true\n  token_file: write-token\n");
        serve(new String[0], port -> {
            assertEquals(401, post(port, "web", "text/plain", "get\n", null).statusCode());
            assertEquals(204, post(port, "web", "text/plain", "get 7\n", "t0k").statusCode());
        });
        assertEquals("7", redis.client().get("web:5m:cur:get"));

        Files.writeString(Path.of(config), Files.readString(Path.of(config)).replace("  enabled: true\n", "  enabld: true\n"));
        Run typo = Run.reader("serve", config, "--listen", "127.0.0.1:0");
        assertEquals(1, typo.code);
        int line = java.util.List.of(Files.readString(Path.of(config)).split("\n")).indexOf("  enabld: true") + 1;
        assertEquals("ERROR: " + config + ":" + line + ": http_writes.enabld: unknown key; expected enabled or token_file\n",
                typo.err);
    }

    @Test
    void withoutAcceptWritesAPostIsRefused() throws Exception {
        serve(new String[0], port -> assertEquals(404, post(port, "web", "text/plain", "get\n", null).statusCode()));
    }
}
