package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.TlsFiles;
import io.ecl.core.ops.CounterReader;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone Redis over TLS, against a real TLS server that checks client certificates (Redis'
 * default): a private CA from {@code redis.tls_ca_file}, a client certificate, the host name
 * checked. embedded-redis' binary has no TLS, so these tests use a {@code redis-server} built with
 * TLS from the PATH (Debian's has it; the CI script unpacks it when the PATH has none) and
 * {@code openssl} to make the certificates; where either is missing they are skipped with a
 * message saying so. The config checks run everywhere.
 */
class RedisTlsTest {
    @TempDir
    static Path dir;

    private static Process server;
    private static int port;
    private static String skipReason;

    @BeforeAll
    static void startTlsServer() throws Exception {
        if (!onPath("openssl") || !onPath("redis-server")) {
            skipReason = "no openssl or redis-server on the PATH (apt-get install redis-server openssl)";
            System.err.println("RedisTlsTest: TLS server tests skipped: " + skipReason);
            return;
        }
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=ecl test CA");
        for (String who : new String[] {"server", "client"}) {
            run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", who + ".key", "-out", who + ".csr", "-subj", "/CN=" + who);
            Files.writeString(dir.resolve(who + ".ext"), who.equals("server")
                    ? "subjectAltName=DNS:localhost\n" : "extendedKeyUsage=clientAuth\n");
            run("openssl", "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", who + ".crt", "-days", "2", "-extfile", who + ".ext");
        }
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "other-ca.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=another CA");
        port = EmbeddedRedis.freePort();
        server = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--tls-cert-file", "server.crt", "--tls-key-file", "server.key", "--tls-ca-cert-file", "ca.crt")
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(dir.resolve("redis.log")).contains("Ready to accept connections")) {
            if (!server.isAlive()) {
                skipReason = "redis-server on the PATH cannot serve TLS: "
                        + Files.readString(dir.resolve("redis.log")).strip().lines().reduce((a, b) -> b).orElse("");
                System.err.println("RedisTlsTest: TLS server tests skipped: " + skipReason);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server with TLS did not start: " + Files.readString(dir.resolve("redis.log")));
            }
            Thread.sleep(20);
        }
    }

    @AfterAll
    static void stopTlsServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static void needServer() {
        Assumptions.assumeTrue(skipReason == null, () -> "skipped: " + skipReason);
    }

    private static EclConfig config(String host, String tlsLines) {
        return EclConfig.parse("redis:\n  host: " + host + "\n  port: " + port + "\n  tls: true\n  timeout_ms: 2000\n"
                + tlsLines + "groups:\n  g:\n    events: [a]\n    intervals: ['5s', '1m']\n",
                dir.resolve("ecl.yml").toString());
    }

    private static final String CLIENT_FILES = "  tls_ca_file: ca.crt\n  tls_cert_file: client.crt\n"
            + "  tls_key_file: client.key\n";

    @Test
    void logsAndReadsThroughTlsWithAPrivateCaAndAClientCertificate() {
        needServer();
        EclConfig config = config("localhost", CLIENT_FILES);
        try (EventCountLogger ecl = Fixtures.logger(config, new SteppedClock(T0 + 1_000));
                CounterReader reader = CounterReader.connect(config)) {
            ecl.group("g").log("a", 3);
            assertEquals(java.util.Map.of("a", 3L), reader.read("g", "5s").current());
            assertEquals(java.util.Map.of("a", 3L), reader.read("g", "1m").current());
            for (int i = 0; i < 20; i++) {
                ecl.group("g").log("a"); // on the group's own TLS connection
            }
            assertEquals(java.util.Map.of("a", 23L), reader.read("g", "5s").current());
            // A TLS socket tells what came only after a read: its replies are never waited for spinning.
            io.ecl.core.internal.ReplyWait wait = ecl.context().replyWait();
            assertEquals(0, wait.spins(io.ecl.core.internal.ReplyWait.CAME) + wait.spins(io.ecl.core.internal.ReplyWait.RAN_OUT));
        }
    }

    @Test
    void aServerCertificateThatDoesNotNameTheHostIsRefusedUnlessVerificationIsOff() {
        needServer();
        // The certificate names "localhost" only; 127.0.0.1 reaches the same server.
        EclConfig checked = config("127.0.0.1", CLIENT_FILES);
        try (CounterReader reader = CounterReader.connect(checked)) {
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class, () -> reader.read("g", "5s"));
            assertTrue(e.getMessage().startsWith("cannot connect to Redis at 127.0.0.1:" + port + ": "), e.getMessage());
        }
        EclConfig unchecked = config("127.0.0.1", CLIENT_FILES + "  tls_verify_hostname: false\n");
        try (CounterReader reader = CounterReader.connect(unchecked)) {
            assertTrue(reader.read("g", "5s").current().containsKey("a"));
        }
    }

    @Test
    void aServerSignedByAnotherCaIsRefused() {
        needServer();
        EclConfig config = config("localhost", "  tls_ca_file: other-ca.crt\n  tls_cert_file: client.crt\n"
                + "  tls_key_file: client.key\n");
        try (CounterReader reader = CounterReader.connect(config)) {
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class, () -> reader.read("g", "5s"));
            assertTrue(e.getMessage().startsWith("cannot connect to Redis at localhost:" + port + ": "), e.getMessage());
        }
    }

    @Test
    void withoutAClientCertificateTheServerRefusesTheConnection() {
        needServer();
        EclConfig config = config("localhost", "  tls_ca_file: ca.crt\n");
        try (CounterReader reader = CounterReader.connect(config)) {
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class, () -> reader.read("g", "5s"));
            assertTrue(e.getMessage().startsWith("cannot connect to Redis at localhost:" + port + ": "), e.getMessage());
        }
    }

    // ---- config checks: need no server ----

    @Test
    void tlsFilesAreCheckedWhenTheConfigIsRead() throws IOException {
        Path config = dir.resolve("files.yml");
        Files.writeString(dir.resolve("empty.pem"), "");
        for (String[] c : List.of(
                new String[] {"  tls: true\n  tls_ca_file: missing.crt\n",
                        config + ":3: redis.tls_ca_file: " + dir.resolve("missing.crt") + ": no such file"},
                new String[] {"  tls: true\n  tls_cert_file: empty.pem\n",
                        config + ":2: redis.tls_cert_file is set but redis.tls_key_file is not"},
                new String[] {"  tls_ca_file: empty.pem\n",
                        config + ":2: redis.tls_ca_file is set but TLS is off: add tls: true"})) {
            Files.writeString(config, "redis:\n" + c[0] + "groups:\n  g:\n    events: [a]\n    intervals: ['5s']\n");
            ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.load(config));
            assertTrue(e.getMessage().startsWith(c[1]), e.getMessage());
        }
        Files.writeString(config, "redis:\n  tls: true\n  tls_ca_file: empty.pem\n"
                + "groups:\n  g:\n    events: [a]\n    intervals: ['5s']\n");
        EclConfig parsed = EclConfig.load(config);
        ConfigException e = assertThrows(ConfigException.class, () -> CounterReader.connect(parsed).close());
        assertEquals("redis.tls_ca_file: " + dir.resolve("empty.pem") + " holds no PEM certificate", e.getMessage());
    }

    @Test
    void anOlderFormKeyIsRefusedWithTheCommandThatConvertsIt() throws IOException {
        Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("c.crt"), "");
        EclConfig config = EclConfig.parse("redis:\n  tls: true\n  tls_cert_file: c.crt\n  tls_key_file: rsa.key\n"
                + "groups:\n  g:\n    events: [a]\n    intervals: ['5s']\n", dir.resolve("k.yml").toString());
        ConfigException e = assertThrows(ConfigException.class, () -> TlsFiles.socketFactory(config.redis()));
        assertEquals("redis.tls_key_file: " + dir.resolve("rsa.key") + " holds no PEM 'BEGIN PRIVATE KEY' (PKCS#8)"
                + " block (it is in the older PKCS#1/SEC1 form: convert it with"
                + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8')", e.getMessage());
    }
}
