package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** ecl-log-event EVENT (one count) against a Redis that answers but refuses the write: the line says why. */
class LogEventRedisRefusalTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    @AfterEach
    void roomAgain() {
        redis.client().configSet("maxmemory", "0");
    }

    @Test
    void oneShotRefusedForLackOfMemorySaysRedisAnsweredOom() throws Exception {
        Path config = dir.resolve("ecl.yml");
        Files.writeString(config, redis.yamlRedisSection() + "groups:\n  g:\n    events: [a]\n    intervals: ['5m']\n");
        redis.client().configSet("maxmemory-policy", "noeviction");
        redis.client().configSet("maxmemory", "1");

        Run run = Run.logEvent(config.toString(), "g", "a");

        String line = run.oneErrLine("ERROR: cannot deliver the count: Redis at 127.0.0.1:" + redis.port()
                + " answered with an error: ");
        assertTrue(line.contains("OOM command not allowed when used memory > 'maxmemory'"), run::toString);
        assertTrue(line.endsWith("; it is lost\n"), run::toString);
        assertEquals(1, run.code);
        assertEquals(null, redis.client().get("g:5m:cur:a"));
    }
}
