package io.ecl.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.timgroup.statsd.NonBlockingStatsDClient;
import io.ecl.core.EclConfig;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The listener end to end: a real StatsD client, UDP and TCP, counts in a real Redis, outages and shutdown. */
class StatsdListenerTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    static final String GROUPS = "groups:\n"
            + "  web:\n"
            + "    events: [get, post]\n"
            + "    uniques: [visitors]\n"
            + "    values: [latency, load]\n"
            + "    intervals: [5s, 1h]\n"
            + "  app:\n"
            + "    events: []\n"
            + "    intervals: [1h]\n"
            + "    auto_declare_events: true\n"
            + "    sync_interval: 60\n";
    /** A whole multiple of 1h: +1 s is early in an interval of both 5s and 1h. */
    static final long START = 1_800_000_000L - 1_800_000_000L % 3600 + 1;

    private SteppedClock clock;
    private StatsdListener listener;
    private EclConfig config;

    @BeforeEach
    void start() throws Exception {
        clock = SteppedClock.atSeconds(START);
        config = EclConfig.parse(redis.yamlRedisSection() + GROUPS, "test.yml");
        listener = StatsdListener.start(config, StatsdConfig.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build(), clock);
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    private int port() {
        return listener.address().getPort();
    }

    private long get(String key) {
        String v = redis.client().get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Polls (bounded) until the listener has received {@code lines}: UDP arrives when the kernel delivers it. */
    private void awaitLines(long lines) throws InterruptedException {
        awaitValue(lines, () -> listener.stats().linesHandled());
    }

    private static void awaitValue(long expected, LongSupplier actual) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (actual.getAsLong() < expected && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(expected, actual.getAsLong());
    }

    private void sendUdp(String packet) throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.send(ByteBuffer.wrap(packet.getBytes(StandardCharsets.UTF_8)), listener.address());
        }
    }

    @Test
    void aJavaStatsdClientOverUdpIsCountedInRedis() throws Exception {
        NonBlockingStatsDClient client = new NonBlockingStatsDClient("web", "127.0.0.1", port());
        client.count("get", 5);
        for (int i = 0; i < 3; i++) {
            client.incrementCounter("get");
        }
        client.count("post", 2);
        client.recordSetEvent("visitors", "203.0.113.7");
        client.recordExecutionTime("latency", 12);
        client.recordGaugeValue("load", 3);
        client.stop();

        awaitLines(8);
        assertTrue(listener.flush());

        assertEquals(8, get("web:5s:cur:get"));
        assertEquals(8, get("web:1h:cur:get"));
        assertEquals(2, get("web:1h:cur:post"));
        assertEquals(8, listener.stats().linesParsed());
        assertEquals(1, listener.stats().samples("s"));
        assertEquals(1, redis.client().pfcount("web:1h:cur:@u.visitors"));
        assertEquals("1", redis.client().hget("web:1h:cur:@v.latency", "c"));
        assertEquals("1", redis.client().hget("web:1h:cur:@v.load", "c"));
    }

    @Test
    void setsTimersAndGaugesOfAnAutoDeclaringGroupAreUniquesAndValues() throws Exception {
        NonBlockingStatsDClient client = new NonBlockingStatsDClient("app", "127.0.0.1", port());
        client.recordSetEvent("visitors", "203.0.113.7");
        client.recordSetEvent("visitors", "203.0.113.8");
        client.recordExecutionTime("latency", 12);
        client.recordGaugeValue("load", 3);
        client.stop();

        awaitLines(4);
        assertTrue(listener.flush());

        assertEquals(2, redis.client().pfcount("app:1h:cur:@u.visitors"));
        assertEquals("1", redis.client().hget("app:1h:cur:@v.latency", "c"));
        assertEquals("1", redis.client().hget("app:1h:cur:@v.load", "c"));
        assertEquals(4, listener.stats().linesParsed());
    }

    @Test
    void tcpLinesAreCountedAcrossReadsAndALastLineNeedsNoNewline() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port())) {
            OutputStream out = s.getOutputStream();
            out.write("web.get:1|c\nweb.get:2|c\r\nweb.ge".getBytes(StandardCharsets.UTF_8));
            out.flush();
            awaitLines(2);
            out.write("t:4|c\nweb.post:3|c".getBytes(StandardCharsets.UTF_8));
        }
        awaitLines(4);
        assertTrue(listener.flush());

        assertEquals(7, get("web:1h:cur:get"));
        assertEquals(3, get("web:1h:cur:post"));
        assertEquals(1, listener.stats().writePrometheusText().lines()
                .filter(l -> l.equals("ecl_statsd_tcp_connections_total 1")).count());
    }

    @Test
    void aTcpLineLongerThanTheLimitIsOneMalformedLineAndTheNextOneCounts() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port())) {
            OutputStream out = s.getOutputStream();
            out.write(("web.get:" + "1".repeat(3 * StatsdListener.MAX_TCP_LINE) + "|c\nweb.get:5|c\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        awaitLines(2);
        assertTrue(listener.flush());

        assertEquals(1, listener.stats().linesMalformed());
        assertEquals(5, get("web:1h:cur:get"));
    }

    @Test
    void aDatagramOf64KiBIsCountedWhole() throws Exception {
        StringBuilder b = new StringBuilder();
        while (b.length() + 12 <= 65_507) {
            b.append("web.get:1|c\n");
        }
        int lines = b.length() / 12;
        sendUdp(b.toString());

        awaitLines(lines);
        assertTrue(listener.flush());

        assertEquals(lines, get("web:1h:cur:get"));
        assertEquals(1, listener.stats().packets());
    }

    @Test
    void countsAreAttributedToTheIntervalTheyArrivedIn() throws Exception {
        sendUdp("web.get:3|c");
        awaitLines(1);
        clock.advance(Duration.ofSeconds(5));
        assertTrue(listener.flush()); // the flusher switches epochs at the boundary (in the background it does so by itself)
        sendUdp("web.get:2|c");
        awaitLines(2);

        assertTrue(listener.flush());

        assertEquals(3, get("web:5s:last:get"));
        assertEquals(2, get("web:5s:cur:get"));
        assertEquals(5, get("web:1h:cur:get"));
    }

    @Test
    void countsReceivedDuringARedisOutageAreDeliveredWhenItIsBack() throws Exception {
        redis.stop();
        try {
            sendUdp("web.get:4|c\nweb.post:1|c");
            awaitLines(2);
            assertFalse(listener.flush());
        } finally {
            redis.start();
        }

        assertTrue(listener.flush());

        assertEquals(4, get("web:1h:cur:get"));
        assertEquals(1, get("web:1h:cur:post"));
    }

    @Test
    void closingDeliversWhatWasReceived() throws Exception {
        sendUdp("web.get:6|c");
        awaitLines(1);

        listener.close();

        assertEquals(6, get("web:1h:cur:get"));
    }

    @Test
    void groupsWithoutLocalCountersGetTheListenersSyncInterval() {
        EclConfig derived = StatsdListener.withLocalCounters(config,
                StatsdConfig.builder().syncInterval(Duration.ofMillis(250)).build());

        assertEquals(Duration.ofMillis(250), derived.group("web").syncInterval());
        assertEquals(config.group("web").events(), derived.group("web").events());
        assertEquals(config.group("web").intervals(), derived.group("web").intervals());
        assertEquals(Duration.ofSeconds(60), derived.group("app").syncInterval());
        assertTrue(derived.group("app").autoDeclareEvents());
    }

    @Test
    void aTakenPortIsOneLineNamingTheProtocolAndAddress() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            BindException e = assertThrows(BindException.class, () -> StatsdListener.start(config,
                    StatsdConfig.builder().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).build(),
                    clock));
            assertTrue(e.getMessage().startsWith("cannot listen on UDP 127.0.0.1:" + port + ": "), e.getMessage());
        }
    }

    @Test
    void theMetricsNameEveryOutcomeAndTheKernelDrops() throws Exception {
        sendUdp("web.get:1|c\nbad line\nnogroup.x:1|c\napp.latency:3|ms");
        awaitLines(4);

        String text = listener.stats().writePrometheusText();

        assertTrue(text.contains("\necl_statsd_packets_received_total 1\n"), text);
        assertTrue(text.contains("\necl_statsd_lines_total{outcome=\"parsed\"} 2\n"), text);
        assertTrue(text.contains("\necl_statsd_lines_total{outcome=\"malformed\"} 1\n"), text);
        assertTrue(text.contains("\necl_statsd_lines_total{outcome=\"unmapped\"} 1\n"), text);
        assertTrue(text.contains("\necl_statsd_samples_total{type=\"ms\"} 1\n"), text);
        assertTrue(text.contains("\necl_statsd_udp_socket_drops_total 0\n"), text);
        assertTrue(text.contains("\n# TYPE ecl_statsd_kernel_udp_rcvbuf_errors_total counter\n"), text);
        assertTrue(listener.stats().receiveBufferBytes() > 0);
    }
}
