package io.ecl.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/**
 * A real Redis server (the binary shipped by embedded-redis) for one test class, on a free port,
 * emptied (FLUSHALL) before each test. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final EmbeddedRedis redis = new EmbeddedRedis();}</pre>
 *
 * {@link #stop()} and {@link #start()} simulate an outage on the same port.
 */
public final class EmbeddedRedis implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final List<String> settings = new ArrayList<>();
    private int port;
    private RedisServer server;
    private RedisClient client;

    public EmbeddedRedis() {
    }

    /** Extra redis.conf lines, e.g. {@code requirepass secret}. */
    public EmbeddedRedis setting(String line) {
        settings.add(line);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        port = freePort();
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.close();
        }
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null || !server.isActive()) {
            start();
        }
        if (settings.stream().noneMatch(s -> s.startsWith("requirepass"))) {
            client.flushAll();
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /**
     * A client for assertions and set-up, independent of the code under test. A restart
     * ({@link #start()} after {@link #stop()}) replaces it, as its connections died with the server:
     * call this again rather than keeping the client across an outage.
     */
    public synchronized RedisClient client() {
        return client;
    }

    /** The {@code redis:} section of a config file pointing at this server. */
    public String yamlRedisSection() {
        return "redis:\n  host: 127.0.0.1\n  port: " + port + "\n";
    }

    public synchronized void start() {
        if (server != null && server.isActive()) {
            return;
        }
        try {
            var builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no");
            for (String s : settings) {
                builder.setting(s);
            }
            server = builder.build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis on port " + port, e);
        }
        awaitPort(true);
        if (client != null) {
            client.close();
        }
        client = RedisClient.create("127.0.0.1", port);
    }

    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            awaitPort(false);
        }
    }

    private void awaitPort(boolean open) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean isOpen;
            try (Socket s = new Socket("127.0.0.1", port)) {
                isOpen = true;
            } catch (IOException e) {
                isOpen = false;
            }
            if (isOpen == open) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("Redis on port " + port + " did not " + (open ? "start" : "stop"));
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
