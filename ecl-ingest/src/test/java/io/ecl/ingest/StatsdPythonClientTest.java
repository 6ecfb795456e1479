package io.ecl.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The listener fed by the Python StatsD client most Python applications use (Debian's
 * python3-statsd, PyPI's statsd), over UDP (single metrics and a pipeline: several per packet)
 * and TCP. Skipped, saying why, where python3 or the module is not installed.
 */
class StatsdPythonClientTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** The first interpreter with the module: the one on PATH, else the system's (where Debian's package installs it). */
    private static String python;
    private StatsdListener listener;

    @BeforeAll
    static void needsPythonStatsd() throws Exception {
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import statsd").redirectErrorStream(true).start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    python = candidate;
                    break;
                }
            } catch (IOException e) {
                // not installed: try the next
            }
        }
        Assumptions.assumeTrue(python != null, "no python3 with the statsd module on this system"
                + " (apt-get install python3-statsd, or pip install statsd)");
    }

    @BeforeEach
    void start() throws Exception {
        EclConfig config = EclConfig.parse(redis.yamlRedisSection() + StatsdListenerTest.GROUPS, "test.yml");
        listener = StatsdListener.start(config, StatsdConfig.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build(),
                SteppedClock.atSeconds(StatsdListenerTest.START));
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void thePythonClientOverUdpAndTcpIsCountedInRedis() throws Exception {
        String script = "import statsd\n"
                + "port = " + listener.address().getPort() + "\n"
                + "c = statsd.StatsClient('127.0.0.1', port, prefix='web')\n"
                + "c.incr('get')\n"
                + "c.incr('get', 4)\n"
                + "c.decr('post', 2)\n"
                + "c.timing('latency', 12)\n"
                + "with c.pipeline() as pipe:\n"
                + "    pipe.incr('get', 10)\n"
                + "    pipe.incr('post', 5)\n"
                + "    pipe.set('visitors', '203.0.113.7')\n"
                + "t = statsd.TCPStatsClient('127.0.0.1', port, prefix='web')\n"
                + "t.incr('get', 100)\n"
                + "t.gauge('load', 3)\n"
                + "t.close()\n";
        Process p = new ProcessBuilder(python, "-c", script).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (listener.stats().linesHandled() < 9 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(listener.flush());

        assertEquals(9, listener.stats().linesParsed());
        assertEquals(1 + 4 + 10 + 100, Long.parseLong(redis.client().get("web:1h:cur:get")));
        assertEquals(-2 + 5, Long.parseLong(redis.client().get("web:1h:cur:post")));
        assertEquals(1, redis.client().pfcount("web:1h:cur:@u.visitors"));
        assertEquals("1", redis.client().hget("web:1h:cur:@v.latency", "c"));
        assertEquals("1", redis.client().hget("web:1h:cur:@v.load", "c"));
    }
}
