package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ecl-log-event's stream mode when Redis goes away mid-stream. A class of its own: the server is
 * stopped, and EmbeddedRedis's shared client keeps a dead pooled connection after a restart, which
 * would fail the next test's FLUSHALL.
 */
class LogEventRedisOutageTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    @Test
    void streamExitsOneWithOneLineWhenCountsCannotBeDeliveredAtEndOfInput() throws IOException {
        Path config = dir.resolve("ecl.yml");
        Files.writeString(config, redis.yamlRedisSection()
                + "groups:\n  g:\n    events: [a]\n    intervals: ['5m']\n");
        // Redis answers the start-up ping, then goes away while stdin is being read.
        InputStream in = new InputStream() {
            private final byte[][] parts = {"a\n".getBytes(StandardCharsets.UTF_8), "a 2\n".getBytes(StandardCharsets.UTF_8)};
            private int part;

            @Override
            public int read() {
                throw new UnsupportedOperationException("read in blocks only");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (part == parts.length) {
                    return -1;
                }
                if (part == 1) {
                    redis.stop();
                }
                byte[] p = parts[part++];
                System.arraycopy(p, 0, b, off, p.length);
                return p.length;
            }
        };

        Run run = Run.logEventWithStdin(in, config.toString(), "g", "-");

        // Events, not distinct counts: "a" and "a 2" are one distinct count of 3 events.
        run.oneErrLine("ERROR: cannot deliver 3 events read from stdin: cannot connect to Redis at 127.0.0.1:"
                + redis.port() + ": ");
        assertTrue(run.err.endsWith("; they are lost\n"), run::toString);
        assertEquals(1, run.code);
    }
}
