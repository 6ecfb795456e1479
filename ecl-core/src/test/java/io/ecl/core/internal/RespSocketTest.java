package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.RedisConfig;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * The plain socket of a one-shot tool's connection ({@link RedisConnection#single} on a standalone
 * server without TLS): the same replies, logins and one-line errors as the Jedis connection it
 * replaces on that path, against a real Redis; and what a peer that is not a well-behaved Redis
 * (silent, closing, sending garbage or a huge length) gets: one line, never a hang or an
 * OutOfMemoryError.
 */
class RespSocketTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis()
            .setting("requirepass defaultpw")
            .setting("user alice on >alicepw ~* &* +@all")
            .setting("user bob on >bobpw ~* &* +@all -client");

    private ServerSocket peer;

    @AfterEach
    void closePeer() throws IOException {
        if (peer != null) {
            peer.close();
        }
    }

    private static RedisConfig.Builder config() {
        return RedisConfig.builder().host("127.0.0.1").port(redis.port()).password("defaultpw").timeoutMillis(2000);
    }

    private static RedisClient admin() {
        return RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", redis.port()))
                .clientConfig(DefaultJedisClientConfig.builder().password("defaultpw").build()).build();
    }

    private static Object eval(RedisConfig config, String script, List<String> keys, List<String> args) {
        try (RedisConnection c = RedisConnection.single(config)) {
            return c.eval(script, keys, args);
        }
    }

    @Test
    void repliesAreDecodedAsTheJedisConnectionDecodedThem() {
        List<?> reply = (List<?>) eval(config().build(),
                "return {'a', 42, {'b', '\u00fc'}, false, redis.status_reply('OK')}", List.of(), List.of());
        assertEquals(5, reply.size(), reply::toString);
        assertEquals("a", reply.get(0));
        assertEquals(42L, reply.get(1));
        assertEquals(List.of("b", "\u00fc"), reply.get(2));
        assertNull(reply.get(3), "a Lua false is a nil reply");
        assertEquals("OK", reply.get(4));
        assertNull(eval(config().build(), "return false", List.of(), List.of()));
        assertEquals(7L, eval(config().build(), "return tonumber(ARGV[1]) + #KEYS", List.of("k1", "k2"), List.of("5")));
    }

    @Test
    void argumentsOfAnyBytesArriveUnchanged() {
        String odd = "line\r\nbreak \u00e9\u4e2d $*-+: \u0000 end";
        assertEquals(odd, eval(config().build(), "return ARGV[1]", List.of(), List.of(odd)));
        String big = "x".repeat(300_000);
        assertEquals(big, eval(config().build(), "return ARGV[1]", List.of(), List.of(big)));
    }

    @Test
    void theLoginTheDatabaseAndTheClientNameAreTheJedisConnections() {
        RedisConfig alice = RedisConfig.builder().url("redis://alice:alicepw@127.0.0.1:" + redis.port() + "/3")
                .timeoutMillis(2000).build();
        try (RedisClient admin = admin()) {
            admin.flushAll();
            Object clients = eval(alice, "redis.call('SET', KEYS[1], '1') return 0", List.of("in3"), List.of());
            assertEquals(0L, clients);
            assertNull(admin.get("in3"), "written to db 3, not 0");
            try (RedisConnection c = RedisConnection.single(alice)) {
                c.ping();
                String list = new String((byte[]) admin.sendCommand(Protocol.Command.CLIENT, "LIST"),
                        StandardCharsets.UTF_8);
                assertTrue(list.lines().anyMatch(l -> l.contains(" name=ecl ") && l.contains(" user=alice ")
                        && l.contains(" db=3 ")), list);
            }
        }
    }

    @Test
    void aUserWhoMayNotNameItsConnectionIsServedAsJedisServesIt() {
        // Jedis sends CLIENT SETNAME without checking the answer; a user without +client gets NOPERM.
        RedisConfig bob = RedisConfig.builder().url("redis://bob:bobpw@127.0.0.1:" + redis.port() + "/2")
                .timeoutMillis(2000).build();
        assertEquals(5L, eval(bob, "return 5", List.of(), List.of()));
        try (RedisConnection c = RedisConnection.single(bob)) {
            c.ping();
        }
    }

    @Test
    void aRefusedLoginIsOneLine() {
        RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                () -> eval(config().password("wrong").build(), "return 1", List.of(), List.of()));
        assertEquals("Redis at 127.0.0.1:" + redis.port() + " refused the login: WRONGPASS invalid username-password"
                + " pair or user is disabled. (check redis.username / redis.password)", e.getMessage());
        RedisUnavailableException none = assertThrows(RedisUnavailableException.class,
                () -> eval(config().password(null).build(), "return 1", List.of(), List.of()));
        assertEquals("Redis at 127.0.0.1:" + redis.port() + " refused the login: NOAUTH Authentication required."
                + " (check redis.username / redis.password)", none.getMessage());
    }

    @Test
    void aDatabaseOutOfRangeNamesTheKey() {
        RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                () -> eval(config().db(99).build(), "return 1", List.of(), List.of()));
        assertEquals("Redis at 127.0.0.1:" + redis.port() + " has no database 99 (redis.db; the server's 'databases'"
                + " setting is lower): ERR DB index is out of range", e.getMessage());
    }

    @Test
    void aKeyOfAnotherTypeIsADataErrorAboutThatKey() {
        try (RedisClient admin = admin()) {
            admin.flushAll();
            admin.sadd("notastring", "x");
        }
        RedisDataException e = assertThrows(RedisDataException.class,
                () -> eval(config().build(), "return redis.call('GET', KEYS[1])", List.of("notastring"), List.of()));
        assertTrue(e.getMessage().startsWith("Redis at 127.0.0.1:" + redis.port() + " answered with an error: ")
                && e.getMessage().contains("WRONGTYPE"), e.getMessage());
    }

    @Test
    void aRestartedRedisIsReachedAgainByTheNextCommand() {
        try (RedisConnection c = RedisConnection.single(config().build())) {
            c.ping();
            redis.stop();
            try {
                RedisUnavailableException e = assertThrows(RedisUnavailableException.class, c::ping);
                assertTrue(e.getMessage().startsWith("cannot connect to Redis at 127.0.0.1:" + redis.port() + ": "),
                        e.getMessage());
            } finally {
                redis.start();
            }
            c.ping();
            assertEquals(3L, c.eval("return 3", List.of(), List.of()));
        }
    }

    /** A peer on a free port that runs {@code talk} on each connection it accepts. */
    private RedisConfig peer(Talk talk) throws IOException {
        peer = new ServerSocket(0);
        Thread t = new Thread(() -> {
            while (!peer.isClosed()) {
                try (Socket s = peer.accept()) {
                    talk.run(s.getInputStream(), s.getOutputStream());
                } catch (IOException | InterruptedException closed) {
                    return;
                }
            }
        }, "peer");
        t.setDaemon(true);
        t.start();
        return RedisConfig.builder().host("127.0.0.1").port(peer.getLocalPort()).timeoutMillis(300).build();
    }

    interface Talk {
        void run(InputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    private static String failure(RedisConfig config) {
        return assertThrows(RedisUnavailableException.class,
                () -> eval(config, "return 1", List.of(), List.of())).getMessage();
    }

    @Test
    void aPeerThatNeverAnswersIsATimeoutNamed() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        RedisConfig silent = peer((in, out) -> done.await(10, TimeUnit.SECONDS));
        try {
            assertEquals("Redis at 127.0.0.1:" + silent.port() + " did not answer within 300 ms (ecl_redis.timeout_ms):"
                    + " it is overloaded, or the request is too big for that timeout", failure(silent));
        } finally {
            done.countDown();
        }
    }

    @Test
    void aPeerThatClosesMidReplyIsALostConnection() throws Exception {
        RedisConfig closing = peer((in, out) -> {
            in.read(new byte[64]);
            out.write("*3\r\n:1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
        assertEquals("cannot connect to Redis at 127.0.0.1:" + closing.port()
                + ": connection closed by the server or the network", failure(closing));
    }

    @Test
    void garbageAndHugeLengthsAreOneLineNotAnOutOfMemoryError() throws Exception {
        for (String reply : List.of("!what\r\n", "$99999999999\r\n", "*2147483647\r\n", ":12x\r\n",
                "$3\r\nabcde\r\n", "+" + "y".repeat(70_000) + "\r\n")) {
            CountDownLatch judged = new CountDownLatch(1);
            RedisConfig liar = peer((in, out) -> {
                in.read(new byte[64]);
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                judged.await(10, TimeUnit.SECONDS); // the connection stays open until the client has judged the reply
            });
            String line = failure(liar);
            judged.countDown();
            assertTrue(line.startsWith("error talking to Redis at 127.0.0.1:" + liar.port() + ": Redis at 127.0.0.1:"
                    + liar.port() + " sent "), reply.substring(0, Math.min(reply.length(), 20)) + " -> " + line);
            assertTrue(!line.contains("\n"), line);
            peer.close();
        }
    }

    @Test
    void aSocksProxyTheJvmIsGivenIsUsedAsJedisWouldUseIt() {
        java.util.Properties none = new java.util.Properties();
        assertTrue(!RespSocket.proxied(none), "no proxy: a plain socket");
        java.util.Properties socks = new java.util.Properties();
        socks.setProperty("socksProxyHost", "proxy.example");
        assertTrue(RespSocket.proxied(socks));
        java.util.Properties system = new java.util.Properties();
        system.setProperty("java.net.useSystemProxies", "true");
        assertTrue(RespSocket.proxied(system));
    }
}
