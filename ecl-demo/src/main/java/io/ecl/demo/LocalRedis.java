package io.ecl.demo;

import io.ecl.core.RedisConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import redis.embedded.RedisServer;

/**
 * An embedded Redis server (the binary shipped by embedded-redis) on 127.0.0.1, in memory only,
 * for trying ecl without installing Redis.
 */
final class LocalRedis implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final RedisServer server;
    private final int port;

    private LocalRedis(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Starts a server on {@code 127.0.0.1:port} and waits until it accepts connections.
     *
     * @throws IOException when the binary cannot be run or the port is taken
     */
    static LocalRedis start(int port) throws IOException {
        RedisServer server = RedisServer.newRedisServer()
                .port(port)
                .bind(HOST)
                // Nothing on disk: this server is for trying things out, and must not leave files behind.
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
        LocalRedis redis = new LocalRedis(server, port);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!answers(HOST, port, 200)) {
            if (System.nanoTime() > deadline) {
                redis.close();
                throw new IOException("embedded Redis did not open port " + port);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                redis.close();
                throw new IOException("interrupted while starting embedded Redis", e);
            }
        }
        return redis;
    }

    int port() {
        return port;
    }

    /**
     * A config for this server, keeping db, timeout and key mode of {@code base}; no login, no TLS.
     * The key mode must be kept: loggers and readers using the same config file against this server
     * use it, and a master rotating the other key names would rotate nothing they write.
     */
    RedisConfig config(RedisConfig base) {
        return RedisConfig.builder().host(HOST).port(port).db(base.db()).timeoutMillis(base.timeoutMillis())
                .keyMode(base.keyMode()).build();
    }

    /** True when something accepts TCP connections at {@code host:port} (any of its addresses). */
    static boolean answers(String host, int port, int timeoutMillis) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return false;
        }
        for (InetAddress a : addresses) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, port), timeoutMillis);
                return true;
            } catch (IOException e) {
                // try the next address: "localhost" may resolve to ::1 and 127.0.0.1
            }
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            // the process is gone or going; nothing a user could do about it
        }
    }
}
