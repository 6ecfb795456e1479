package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.ingest.StatsdListener;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ecl-reader serve --statsd: the listener beside the HTTP server, its metrics on /metrics, its flush at stop. */
class ServeStatsdTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    private String config(String extra) throws Exception {
        Path file = dir.resolve("ecl.yml");
        Files.writeString(file, redis.yamlRedisSection() + extra + ServeHttpTest.GROUPS, StandardCharsets.UTF_8);
        return file.toString();
    }

    @Test
    void statsdLinesAreCountedShownOnMetricsAndDeliveredAtStop() throws Exception {
        ServeCommand serve = new ServeCommand(new SteppedClock(ServeHttpTest.BOUNDARY + 1000));
        serve.handleSignals = false;
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(serve).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true));
        String cfg = config("");
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
                () -> cl.execute(cfg, "--listen", "127.0.0.1:0", "--statsd", "127.0.0.1:0"));
        MetricsHttpServer server = serve.awaitStarted(30_000);
        assertNotNull(server, err::toString);
        StatsdListener listener = serve.statsdListener();
        assertTrue(err.toString().startsWith("ecl-reader serve: receiving StatsD on udp and tcp 127.0.0.1:"
                + listener.address().getPort() + "\n"), err::toString);

        try (DatagramChannel c = DatagramChannel.open()) {
            c.send(ByteBuffer.wrap("g.a:5|c\ng.b:1|c\nnot a line".getBytes(StandardCharsets.UTF_8)), listener.address());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (listener.stats().linesHandled() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\necl_statsd_lines_total{outcome=\"parsed\"} 2\n"), r.body());
        assertTrue(r.body().contains("\necl_statsd_lines_total{outcome=\"malformed\"} 1\n"), r.body());
        assertTrue(r.body().contains("\necl_statsd_udp_socket_drops_total 0\n"), r.body());

        serve.stop();
        assertEquals(0, code.get(30, TimeUnit.SECONDS));
        assertEquals("5", redis.client().get("g:5m:cur:a"));
        assertEquals("1", redis.client().get("g:5m:cur:b"));
    }

    @Test
    void theStatsdListenKeyOfTheConfigStartsTheListener() throws Exception {
        ServeCommand serve = new ServeCommand(new SteppedClock(ServeHttpTest.BOUNDARY + 1000));
        serve.handleSignals = false;
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(serve).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true));
        String cfg = config("statsd:\n  listen: 127.0.0.1:0\n");
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cl.execute(cfg, "--listen", "127.0.0.1:0"));
        assertNotNull(serve.awaitStarted(30_000), err::toString);

        assertNotNull(serve.statsdListener());

        serve.stop();
        assertEquals(0, code.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aTakenStatsdPortIsOneErrorLineAndExit1() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            String statsd = "127.0.0.1:" + taken.getLocalPort();

            Run run = Run.reader("serve", config(""), "--listen", "127.0.0.1:0", "--statsd", statsd);

            assertEquals(1, run.code, run::toString);
            assertEquals("ERROR: cannot listen on UDP " + statsd + ": Address already in use\n", run.err);
        }
    }

    @Test
    void aBadStatsdAddressIsAUsageError() throws Exception {
        Run run = Run.reader("serve", config(""), "--statsd", "8125");

        assertEquals(2, run.code, run::toString);
        assertTrue(run.err.startsWith("Invalid value for option '--statsd': expected HOST:PORT (e.g. 127.0.0.1:8125)"
                + " but was '8125'\n"), run::toString);
    }

    @Test
    void aMistakeInTheStatsdSectionIsOneErrorLineNamingItsLine() throws Exception {
        Run run = Run.reader("serve", config("statsd:\n  listen: 127.0.0.1:0\n  recieve_buffer: 1\n"),
                "--listen", "127.0.0.1:0");

        assertEquals(1, run.code, run::toString);
        assertTrue(run.err.startsWith("ERROR: " + dir.resolve("ecl.yml") + ":6: unknown key statsd.recieve_buffer"),
                run::toString);
    }
}
