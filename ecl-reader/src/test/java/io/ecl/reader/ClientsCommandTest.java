package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers' heartbeats: every logger publishes one (app, host, pid, pending, dropped, last delivery)
 * and ecl-reader clients lists them; a logger without heartbeat, or one closed, is not listed.
 */
class ClientsCommandTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;
    private String config;

    @BeforeEach
    void writeConfig() throws IOException {
        redis.client().flushAll();
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [req]\n    intervals: ['5m']\n    sync_interval: 1\n");
    }

    @Test
    void aLoggerPublishesItsHeartbeatAndClientsListsIt() throws Exception {
        EclConfig cfg = EclConfig.load(Path.of(config));
        try (EventCountLogger shop = EventCountLogger.builder(cfg).withoutShutdownHook().appName("shop").build();
                EventCountLogger quiet = EventCountLogger.builder(cfg).withoutShutdownHook().withoutHeartbeat()
                        .appName("quiet").build()) {
            shop.group("web").log("req", 3);
            assertTrue(shop.flush());
            long deadline = System.nanoTime() + 10_000_000_000L;
            Run run;
            do {
                Thread.sleep(20); // the heartbeat is written by the logger's own thread
                run = Run.reader("clients", config, "--format", "json");
            } while (!run.out.contains("\"app\":\"shop\"") && System.nanoTime() < deadline);
            assertEquals(0, run.code, run.toString());
            List<String> lines = List.of(run.out.split("\n"));
            assertEquals(1, lines.size(), run.out);
            String line = lines.get(0);
            assertTrue(line.contains("\"app\":\"shop\""), line);
            assertTrue(line.contains("\"pid\":" + ProcessHandle.current().pid()), line);
            assertTrue(line.contains("\"dropped\":0"), line);
            assertTrue(line.contains("\"last_failure\":\"\""), line);

            Run table = Run.reader("clients", config);
            assertTrue(table.out.startsWith("APP "), table.out);
            assertTrue(table.out.contains("\nshop "), table.out);
            assertTrue(redis.client().pttl("ecl:@client:" + line.substring(13, 29)) > 20_000, "expires 30 s after the last beat");
        }
    }

    @Test
    void metricsExportEachWriterWithItsLabels() throws Exception {
        StringBuilder out = new StringBuilder();
        MetricsHttpServer.writeClients(out, List.of(new io.ecl.core.ops.Clients.Client("abc123", "shop", "web1", 42,
                1_000, 9_000, 7, 3, 0, 8_000, "")), 10_000);
        String text = out.toString();
        assertTrue(text.contains("# TYPE ecl_client_up gauge\necl_client_up{app=\"shop\",host=\"web1\",pid=\"42\","
                + "instance=\"abc123\"} 1\n"), text);
        assertTrue(text.contains("ecl_client_pending{app=\"shop\",host=\"web1\",pid=\"42\",instance=\"abc123\"} 7\n"), text);
        assertTrue(text.contains("# TYPE ecl_client_dropped_total counter\necl_client_dropped_total{app=\"shop\",host=\"web1\","
                + "pid=\"42\",instance=\"abc123\"} 3\n"), text);
        assertTrue(text.contains("ecl_client_last_delivery_age_seconds{app=\"shop\",host=\"web1\",pid=\"42\","
                + "instance=\"abc123\"} 2\n"), text);
    }

    @Test
    void noWriterIsAnEmptyListAndABadFormatIsAUsageError() {
        Run none = Run.reader("clients", config);
        assertEquals(0, none.code);
        assertEquals("APP                  HOST                      PID    PENDING  DROPPED  LAST OK LAST FAILURE\n", none.out);
        Run bad = Run.reader("clients", config, "--format", "xml");
        assertEquals(2, bad.code);
        assertEquals("ERROR: --format xml: expected text or json\n", bad.err);
    }
}
