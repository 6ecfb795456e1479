package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ecl.core.EclConfig;
import io.ecl.testing.EmbeddedRedis;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/** The one-shot write's commands: sent again after a lost reply, they are applied once. */
class OneShotWriterTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final long T0 = 1_699_920_000_000L;

    @Test
    void aWriteSentAgainUnderTheSameChunkIsAppliedOnce() {
        EclConfig config = EclConfig.parse(redis.yamlRedisSection()
                + "groups:\n  web:\n    events: [a, b]\n    intervals: ['5s', '1m']\n", "test.yml");
        List<String[]> commands = OneShotWriter.commands(config.redis(), config.group("web"), "a", 3,
                "0123456789abcdef.1", true, T0 + 1_000, T0 + 1_000);
        RedisClient r = redis.client();
        r.flushAll();
        for (int send = 1; send <= 2; send++) {
            Object reply = null;
            for (String[] c : commands) {
                reply = r.sendCommand(Protocol.Command.valueOf(c[0]), Arrays.copyOfRange(c, 1, c.length));
            }
            assertEquals(send == 1 ? 0L : -1L, reply, "log.lua's answer to send " + send);
        }
        assertEquals("3", r.get("web:5s:cur:a"), "the second send found its chunk applied");
        assertEquals("3", r.get("web:1m:cur:a"));
    }

    /**
     * A proxy to the test's Redis that, on its first connection, passes the replies of the login
     * and the ping ({@code keep} bytes) and then cuts the connection as soon as Redis answers
     * anything more: what the client sent next reached Redis, its reply never comes back. Later
     * connections pass everything.
     */
    private static final class ReplyCutter implements AutoCloseable {
        final java.net.ServerSocket server;
        final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

        ReplyCutter(int redisPort, int keep) throws java.io.IOException {
            server = new java.net.ServerSocket(0);
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket client = server.accept();
                        java.net.Socket redisSide = new java.net.Socket("127.0.0.1", redisPort);
                        boolean cut = connections.getAndIncrement() == 0;
                        pump(client, redisSide, Long.MAX_VALUE);
                        pump(redisSide, client, cut ? keep : Long.MAX_VALUE);
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "reply-cutter");
            accept.setDaemon(true);
            accept.start();
        }

        /** Copies {@code from} to {@code to}; after {@code limit} bytes, closes both instead. */
        private static void pump(java.net.Socket from, java.net.Socket to, long limit) {
            Thread t = new Thread(() -> {
                byte[] b = new byte[8192];
                long passed = 0;
                try {
                    int n;
                    while ((n = from.getInputStream().read(b)) > 0) {
                        int pass = (int) Math.min(n, limit - passed);
                        to.getOutputStream().write(b, 0, pass);
                        passed += pass;
                        if (pass < n) {
                            break;
                        }
                    }
                } catch (java.io.IOException closed) {
                    // either side went away
                }
                try {
                    from.close();
                    to.close();
                } catch (java.io.IOException ignored) {
                    // closing either way
                }
            }, "reply-cutter-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
        }
    }

    @Test
    void aWriteWhoseReplyIsLostIsSentAgainAndCountedOnce() throws Exception {
        RedisClient r = redis.client();
        r.flushAll();
        // "+OK\r\n" for CLIENT SETNAME, "+PONG\r\n" for the ping: then the write's replies are cut.
        try (ReplyCutter cutter = new ReplyCutter(redis.port(), 5 + 7)) {
            io.ecl.core.RedisConfig viaCutter = io.ecl.core.RedisConfig.builder().host("127.0.0.1")
                    .port(cutter.server.getLocalPort()).timeoutMillis(2000).build();
            EclConfig config = EclConfig.parse(redis.yamlRedisSection()
                    + "groups:\n  web:\n    events: [a, b]\n    intervals: ['5s', '1m']\n", "test.yml");
            java.util.Optional<String> outcome = OneShotWriter.log(viaCutter, config.group("web"), "a", 3, 1_000,
                    java.time.Clock.systemUTC());
            assertEquals(java.util.Optional.empty(), outcome);
            assertEquals(2, cutter.connections.get(), "the write went again on a new connection");
        }
        assertEquals("3", r.get("web:5s:cur:a"), "applied by the first send, found applied by the second");
        assertEquals("3", r.get("web:1m:cur:a"));
    }
}
