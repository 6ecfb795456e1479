package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.ecl.core.ops.CounterReader;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/** redis.password, redis.username and redis.db against a server that requires a login. */
class RedisLoginTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis()
            .setting("requirepass defaultpw")
            .setting("user alice on >alicepw ~* &* +@all");

    private RedisClient admin;

    @BeforeEach
    void start() {
        admin = RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", redis.port()))
                .clientConfig(DefaultJedisClientConfig.builder().password("defaultpw").build()).build();
        admin.flushAll();
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    private static EclConfig config(String redisLines) {
        return EclConfig.parse("redis:\n  host: 127.0.0.1\n  port: " + redis.port() + "\n" + redisLines
                + "groups:\n  g:\n    events: [a]\n    intervals: ['5s']\n", "login.yml");
    }

    private static EventCountLogger logger(EclConfig config) {
        return Fixtures.logger(config, new SteppedClock(T0 + 1_000));
    }

    @Test
    void passwordFromTheConfigLogsIn() {
        try (EventCountLogger ecl = logger(config("  password: defaultpw\n"))) {
            ecl.group("g").log("a", 2);
            assertEquals(2, ecl.group("g").currentCount("a", "5s"));
        }
        assertEquals("2", admin.get("g:5s:cur:a"));
    }

    @Test
    void usernameAndPasswordLogInAsThatUser() {
        EclConfig config = config("  url: redis://alice:alicepw@127.0.0.1:" + redis.port() + "/0\n");
        try (EventCountLogger ecl = logger(config)) {
            ecl.group("g").log("a");
            String clients = new String((byte[]) admin.sendCommand(Protocol.Command.CLIENT, "LIST"),
                    StandardCharsets.UTF_8);
            assertTrue(clients.lines().anyMatch(l -> l.contains(" name=ecl ") && l.contains(" user=alice ")), clients);
        }
        assertEquals("1", admin.get("g:5s:cur:a"));
    }

    @Test
    void dbSelectsTheDatabase() {
        try (EventCountLogger ecl = logger(config("  password: defaultpw\n  db: 3\n"))) {
            ecl.group("g").log("a", 4);
        }
        assertNull(admin.get("g:5s:cur:a"));
        try (RedisClient db3 = RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", redis.port()))
                .clientConfig(DefaultJedisClientConfig.builder().password("defaultpw").database(3).build()).build()) {
            assertEquals("4", db3.get("g:5s:cur:a"));
        }
    }

    @Test
    void wrongPasswordIsOneClearLineAndLogDoesNotThrow() {
        try (LogCapture log = new LogCapture();
                EventCountLogger ecl = EventCountLogger.builder(config("  password: wrong\n"))
                        .clock(new SteppedClock(T0 + 1_000)).withoutShutdownHook()
                        .closeTimeout(Duration.ofMillis(100)).build()) {
            ecl.group("g").log("a");
            ecl.group("g").log("a");
            assertFalse(ecl.flush());

            List<String> warnings = log.messages(Level.WARN);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("Redis at 127.0.0.1:" + redis.port() + " refused the login: "),
                    warnings.get(0));
            assertTrue(warnings.get(0).contains("check redis.username / redis.password"), warnings.get(0));
            assertFalse(warnings.get(0).contains("wrong"), "the password is not shown");

            RedisUnavailableException e = assertThrows(RedisUnavailableException.class,
                    () -> ecl.group("g").currentCounts("5s"));
            assertTrue(e.getMessage().contains("refused the login"), e.getMessage());
        }
    }

    @Test
    void countsRefusedByALoginErrorAreKeptAndDeliveredOnceTheUserExists() {
        // Direct mode: a log() refused with WRONGPASS must not lose its count (as a lost connection
        // does not); here the ACL user is created while the logger runs, as in a password rotation.
        try (LogCapture log = new LogCapture();
                EventCountLogger ecl = logger(config("  username: bob\n  password: bobpw\n"))) {
            ecl.group("g").log("a");
            ecl.group("g").log("a", 2);
            assertFalse(ecl.flush());
            assertTrue(log.messages(Level.ERROR).isEmpty(), log.messages(Level.ERROR).toString());

            admin.sendCommand(Protocol.Command.ACL, "SETUSER", "bob", "on", ">bobpw", "~*", "&*", "+@all");
            try {
                assertTrue(ecl.flush());
                assertEquals("3", admin.get("g:5s:cur:a"));
                assertEquals(0, ecl.pendingCount());
            } finally {
                admin.sendCommand(Protocol.Command.ACL, "DELUSER", "bob");
            }
        }
    }

    @Test
    void oneShotReaderLogsInAndSelectsTheDatabaseToo() {
        try (RedisClient db3 = RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", redis.port()))
                .clientConfig(DefaultJedisClientConfig.builder().password("defaultpw").database(3).build()).build()) {
            db3.set("g:5s:last:a", "7");
        }
        EclConfig config = config("  password: defaultpw\n  db: 3\n");
        try (CounterReader reader = CounterReader.connectOnce(config)) {
            assertEquals(7L, reader.read("g", "5s").last().get("a"));
            assertEquals(7L, reader.read("g", "5s").last().get("a"), "a second read on the same connection");
        }
        try (CounterReader reader = CounterReader.connectOnce(config("  url: redis://alice:alicepw@127.0.0.1:"
                + redis.port() + "/3\n"))) {
            assertEquals(7L, reader.read("g", "5s").last().get("a"));
        }
    }

    @Test
    void oneShotReaderWithAWrongPasswordIsOneClearLine() {
        try (CounterReader reader = CounterReader.connectOnce(config("  password: wrong\n"))) {
            RedisUnavailableException e = assertThrows(RedisUnavailableException.class, () -> reader.read("g", "5s"));
            assertTrue(e.getMessage().startsWith("Redis at 127.0.0.1:" + redis.port() + " refused the login: "),
                    e.getMessage());
            assertFalse(e.getMessage().contains("wrong"), "the password is not shown");
        }
    }
}
