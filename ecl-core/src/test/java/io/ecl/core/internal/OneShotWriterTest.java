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
}
