package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: headless Chromium loads serve's page from a real server on a
 * real Redis, where a writer logs and a rotator closes an interval every 2 s. The page must draw
 * the history, show a new event within two intervals, list the writer, and log no error. Skipped
 * only when no Chromium is installed (.ci/run installs Debian's).
 */
class DashboardBrowserTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final long INTERVAL_MS = 2000;
    /** Bounds of the waits: far above what a loaded machine needs, so that a failure means a fault. */
    private static final long HISTORY_WAIT_MS = 25_000;

    @TempDir
    Path dir;

    @Test
    void theDashboardDrawsTheHistoryAndShowsANewEventWithinTwoIntervals() throws Exception {
        Optional<Path> chromium = HeadlessChromium.binary();
        Assumptions.assumeTrue(chromium.isPresent(), "no chromium on PATH (apt-get install chromium)");
        redis.client().flushAll();
        EclConfig config = EclConfig.parse(redis.yamlRedisSection() + "groups:\n"
                + "  shop:\n"
                + "    events: [orders, errors]\n"
                + "    intervals: ['2s']\n"
                + "    auto_declare_events: true\n"
                + "    history: 30\n"
                + "    uniques: [visitors]\n"
                + "    values: [latency_ms]\n", "dashboard.yml");
        GroupConfig shop = config.group("shop");
        Interval interval = shop.intervals().get(0);

        ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
        try (Rotator rotator = Rotator.connect(config.redis());
                EventCountLogger logger = EventCountLogger.builder(config).withoutShutdownHook().appName("checkout").build();
                MetricsHttpServer server = MetricsHttpServer.start(config,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Clock.systemUTC())) {
            rotator.declare(shop);
            AtomicLong rotatedAt = new AtomicLong();
            threads.scheduleAtFixedRate(() -> {
                long boundary = interval.startOf(System.currentTimeMillis());
                if (boundary > rotatedAt.get()) {
                    rotator.rotate(shop, interval, boundary);
                    rotatedAt.set(boundary);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            EventGroup group = logger.group("shop");
            AtomicLong tick = new AtomicLong();
            threads.scheduleAtFixedRate(() -> {
                long t = tick.incrementAndGet();
                group.log("orders", 1 + t % 3);
                if (t % 4 == 0) {
                    group.log("errors");
                }
                group.logUnique("visitors", "v" + t % 7);
                group.logValue("latency_ms", 20 + (t * 37) % 80);
            }, 0, 100, TimeUnit.MILLISECONDS);

            String base = "http://127.0.0.1:" + server.address().getPort();
            try (HeadlessChromium browser = HeadlessChromium.start(chromium.get(), dir, 1200, 1000)) {
                browser.navigate(base + "/");

                // History: at least two closed intervals drawn in the chart of an event.
                String orders = "document.querySelector('.chart[data-event=\"orders\"]')";
                waitFor(browser, "(" + orders + "?.dataset.history|0) >= 2", HISTORY_WAIT_MS);
                assertTrue(Integer.parseInt(browser.evaluate(orders + ".dataset.points")) >= 3,
                        "two closed intervals and the current one");
                waitFor(browser, "(document.querySelector('.chart[data-kind=\"uniques\"]')?.dataset.points|0) >= 2",
                        2 * INTERVAL_MS + 5_000);
                waitFor(browser, "(document.querySelector('.chart[data-value=\"latency_ms\"]')?.dataset.points|0) >= 2",
                        2 * INTERVAL_MS + 5_000);
                assertEquals("true", browser.evaluate(orders + ".querySelector('canvas') != null"));

                // A new event: its chart appears within two intervals of its first count.
                assertEquals("false", browser.evaluate("document.querySelector('.chart[data-event=\"refunds\"]') != null"));
                group.log("refunds", 5);
                long loggedAt = System.nanoTime();
                waitFor(browser, "document.querySelector('.chart[data-event=\"refunds\"]') != null", 2 * INTERVAL_MS);
                long shownMs = (System.nanoTime() - loggedAt) / 1_000_000;
                assertTrue(shownMs <= 2 * INTERVAL_MS, "shown after " + shownMs + " ms");

                // The writers' health: this process's logger, with its app name.
                waitFor(browser, "document.querySelector('#clients tr[data-app=\"checkout\"]') != null", 2 * INTERVAL_MS);

                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target", "dashboard.png"), browser.screenshot());

                // A phone's screen: every chart is redrawn to the width of its card and nothing is
                // wider than the screen (the writers' table scrolls inside its own box).
                browser.call("Emulation.setDeviceMetricsOverride",
                        "{\"width\":390,\"height\":844,\"deviceScaleFactor\":1,\"mobile\":true}");
                waitFor(browser, "document.documentElement.clientWidth === 390 && [...document.querySelectorAll('.chart')]"
                        + ".every(c => c.clientWidth < 390 && Math.abs(c.querySelector('.uplot').offsetWidth"
                        + " - c.querySelector('.plot').clientWidth) <= 1)", 5_000);
                assertEquals("390", browser.evaluate("String(document.documentElement.scrollWidth)"),
                        "the page is no wider than the phone");
                Files.write(Path.of("target", "dashboard-phone.png"), browser.screenshot());
                assertEquals("[]", browser.errors().toString(), "the page logged errors");
            }
        } finally {
            threads.shutdownNow();
            threads.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Evaluates {@code condition} every 100 ms until it is true; fails after {@code timeoutMs}. */
    private static void waitFor(HeadlessChromium browser, String condition, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!"true".equals(browser.evaluate("!!(" + condition + ")"))) {
            if (System.nanoTime() > deadline) {
                List<String> errors = browser.errors();
                throw new AssertionError("not within " + timeoutMs + " ms: " + condition + "; page errors: "
                        + errors.subList(0, Math.min(3, errors.size())) + "; status: " + browser.evaluate("String(document.getElementById('status')?.textContent ?? document.body.textContent)"));
            }
            Thread.sleep(100);
        }
    }
}
