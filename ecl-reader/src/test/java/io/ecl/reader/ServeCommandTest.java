package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ecl-reader serve as a command: --listen, a port in use, and stopping (in-process and by SIGTERM/SIGINT). */
class ServeCommandTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;
    private String config;

    @BeforeEach
    void writeConfig() throws Exception {
        Path file = dir.resolve("ecl.yml");
        Files.writeString(file, redis.yamlRedisSection() + ServeHttpTest.GROUPS, StandardCharsets.UTF_8);
        config = file.toString();
    }

    @Test
    void serveBadListenIsAUsageError() {
        for (String bad : new String[] {"9108", "127.0.0.1", "127.0.0.1:", ":9108", "127.0.0.1:65536", "127.0.0.1:x",
                "127.0.0.1:-1", "::1:9108", "no such host.invalid:9108"}) {
            Run run = Run.reader("serve", config, "--listen", bad);

            assertEquals(2, run.code, bad + "\n" + run);
            assertTrue(run.err.startsWith("Invalid value for option '--listen': "), run::toString);
            assertTrue(run.err.contains("\nUsage: ecl-reader serve "), run::toString);
            assertEquals("", run.out);
        }
    }

    @Test
    void serveConfigAndDashCIsAUsageError() {
        Run run = Run.reader("serve", config, "-c", config);

        assertEquals(2, run.code, run::toString);
        assertTrue(run.err.startsWith("CONFIG and -c/--config cannot both be given\nUsage: ecl-reader serve "),
                run::toString);
    }

    @Test
    void servePortInUseIsOneErrorLineAndExit1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String listen = "127.0.0.1:" + taken.getLocalPort();

            Run run = Run.reader("serve", config, "--listen", listen);

            assertEquals(1, run.code, run::toString);
            assertEquals("ERROR: cannot listen on " + listen + ": Address already in use\n", run.err);
            assertEquals("", run.out);
        }
    }

    @Test
    void serveMissingConfigIsOneErrorLineAndExit1() {
        Run run = Run.reader("serve", dir.resolve("none.yml").toString(), "--listen", "127.0.0.1:0");

        assertEquals(1, run.code, run::toString);
        run.oneErrLine("ERROR: ");
    }

    @Test
    void serveRunsUntilStoppedThenExitsZero() throws Exception {
        ServeCommand serve = new ServeCommand(new SteppedClock(ServeHttpTest.BOUNDARY));
        serve.handleSignals = false;
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(serve).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
                () -> cl.execute(config, "--listen", "127.0.0.1:0"));
        MetricsHttpServer server = serve.awaitStarted(30_000);
        assertNotNull(server, err::toString);
        int port = server.address().getPort();
        assertEquals("ecl-reader serve: listening on http://127.0.0.1:" + port + "/ (dashboard), /metrics and /api/v1/groups\n",
                err.toString());

        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());

        serve.stop();
        assertEquals(0, code.get(30, TimeUnit.SECONDS));
        assertTrue(err.toString().endsWith("ecl-reader serve: stopped\n"), err::toString);
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, again.getLocalPort(), "the port is free again");
        }
    }

    @Test
    void serveSigtermAndSigintStopTheProcessWithExitZero() throws Exception {
        for (String signal : new String[] {"TERM", "INT"}) {
            int port = EmbeddedRedis.freePort();
            Path err = dir.resolve("err-" + signal);
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"),
                    "-Dlogback.configurationFile=" + logbackXml(),
                    ReaderCommand.class.getName(), "serve", config, "--listen", "127.0.0.1:" + port));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.readString(err).contains("listening on") && System.nanoTime() < deadline
                        && p.isAlive()) {
                    Thread.sleep(50);
                }
                assertTrue(Files.readString(err).contains("listening on http://127.0.0.1:" + port + "/"),
                        Files.readString(err));
                HttpResponse<String> r = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/groups/g/5m")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());

                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
                assertEquals(0, kill.waitFor());
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "did not stop on SIG" + signal);
                assertEquals(0, p.exitValue(), Files.readString(err));
                assertTrue(Files.readString(err).endsWith("ecl-reader serve: stopped\n"), Files.readString(err));
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static String logbackXml() {
        return "io/ecl/cli/logback-tool.xml";
    }
}
