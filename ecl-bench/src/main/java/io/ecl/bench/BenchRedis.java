package io.ecl.bench;

import io.ecl.core.RedisConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/**
 * The Redis every benchmark talks to. The suite passes it to the JMH forks as system properties
 * ({@value #ADDRESS_PROPERTY}, {@value #DB_PROPERTY}); a benchmark run by hand without them (e.g.
 * {@code java -cp ecl-bench.jar org.openjdk.jmh.Main FlushBench}) starts an embedded server of its own.
 */
final class BenchRedis {
    static final String ADDRESS_PROPERTY = "ecl.bench.redis";
    static final String DB_PROPERTY = "ecl.bench.db";

    private static RedisServer ownServer;

    private BenchRedis() {
    }

    /** host:port of the benchmark Redis, starting an embedded one in this JVM if none was given. */
    static synchronized String address() {
        String given = System.getProperty(ADDRESS_PROPERTY);
        if (given != null && !given.isBlank()) {
            return given;
        }
        int port = freePort();
        ownServer = startEmbedded(port);
        String address = "127.0.0.1:" + port;
        System.setProperty(ADDRESS_PROPERTY, address);
        RedisServer s = ownServer;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(s), "embedded-redis-stop"));
        return address;
    }

    static int db() {
        return Integer.getInteger(DB_PROPERTY, 0);
    }

    static String host() {
        String a = address();
        return a.substring(0, a.lastIndexOf(':'));
    }

    static int port() {
        String a = address();
        return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }

    /** The ecl configuration of the benchmark Redis. */
    static RedisConfig config() {
        return RedisConfig.builder().host(host()).port(port()).db(db()).build();
    }

    /** A pooled Jedis client, the same kind of connection ecl-core uses, for baselines and set-up. */
    static RedisClient client() {
        return client(host(), port());
    }

    static RedisClient client(String host, int port) {
        return RedisClient.builder()
                .hostAndPort(host, port)
                .clientConfig(DefaultJedisClientConfig.builder().database(db()).build())
                .build();
    }

    /** Starts redis-server from embedded-redis on 127.0.0.1:port without persistence. */
    static RedisServer startEmbedded(int port) {
        try {
            RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
            awaitPort(port);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis on port " + port, e);
        }
    }

    static void stopQuietly(RedisServer server) {
        try {
            if (server != null && server.isActive()) {
                server.stop();
            }
        } catch (IOException | RuntimeException e) {
            // exiting anyway
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitPort(int port) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                probe.getInputStream(); // connected: the server accepts
                return;
            } catch (IOException e) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("embedded Redis on port " + port + " did not start");
    }
}
