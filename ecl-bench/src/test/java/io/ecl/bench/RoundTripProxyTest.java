package io.ecl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/** Against a real Redis: the proxy's counts are the round trips a client really makes. */
class RoundTripProxyTest {
    private static RedisServer server;
    private static RoundTripProxy proxy;
    private static RedisClient client;

    @BeforeAll
    static void start() throws Exception {
        int port = BenchRedis.freePort();
        server = BenchRedis.startEmbedded(port);
        proxy = new RoundTripProxy("127.0.0.1", port);
        client = RedisClient.create("127.0.0.1", proxy.port());
        client.ping(); // opens the pooled connection outside the counted part
    }

    @AfterAll
    static void stop() {
        client.close();
        proxy.close();
        BenchRedis.stopQuietly(server);
    }

    @BeforeEach
    void reset() {
        client.flushAll();
        proxy.reset();
    }

    @Test
    void commandsSentOneAfterTheOtherAreOneRoundTripEach() {
        for (int i = 0; i < 10; i++) {
            client.incr("k");
        }
        assertEquals(10, proxy.dataRoundTrips());
        assertEquals(10, proxy.commands("INCR"));
    }

    @Test
    void aPipelineOfAnyLengthIsOneRoundTrip() {
        try (AbstractPipeline p = client.pipelined()) {
            for (int i = 0; i < 30_000; i++) {
                p.incrBy("k" + i, 1);
            }
            p.sync();
        }
        assertEquals(1, proxy.dataRoundTrips());
        assertEquals(30_000, proxy.commands("INCRBY"));
    }

    @Test
    void aScriptIsOneRoundTrip() {
        Object reply = client.eval("for i = 1, 100 do redis.call('INCR', KEYS[1]) end return redis.call('GET', KEYS[1])",
                List.of("k"), List.of());
        assertEquals("100", reply);
        assertEquals(1, proxy.dataRoundTrips());
    }

    @Test
    void aNewConnectionsSetUpIsCountedApart() {
        try (RedisClient fresh = RedisClient.create("127.0.0.1", proxy.port())) {
            fresh.incr("k");
        }
        assertEquals(1, proxy.dataRoundTrips());
        assertEquals(proxy.totalRoundTrips() - 1,
                proxy.roundTrips().stream().filter(RoundTripProxy.RoundTrip::isSetup).count());
    }
}
