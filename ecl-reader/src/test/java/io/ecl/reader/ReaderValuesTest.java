package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Value statistics in every output: name.stat:number lines after the counts and uniques (plain
 * decimals, no exponent), an object per value in JSON, the summary convention in Prometheus.
 */
class ReaderValuesTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** 2023-11-14T22:15:00Z, a 5-minute boundary. */
    private static final long BOUNDARY = 1_700_000_100_000L;

    @TempDir
    Path dir;
    private String config;

    @BeforeEach
    void logValues() throws IOException {
        redis.client().flushAll();
        config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [req]\n    values: [latency_ms, size]\n    intervals: ['5m']\n"
                + "    sync_interval: 1\n");
        redis.client().set("web:5m:cur:@ts", "1700000100");
        try (EventCountLogger ecl = EventCountLogger.builder(EclConfig.load(Path.of(config)))
                .clock(new SteppedClock(BOUNDARY + 1_000)).withoutShutdownHook().build()) {
            EventGroup web = ecl.group("web");
            web.log("req");
            web.logValue("latency_ms", 3);
            web.logValue("latency_ms", 5);
            web.logValue("latency_ms", 0.000001);
        }
    }

    private static ReaderCommand at(long millis) {
        return new ReaderCommand(new SteppedClock(millis));
    }

    @Test
    void textPrintsEachStatisticAsANameStatLineAfterTheCounts() {
        Run run = Run.reader(at(BOUNDARY + 2_000), config, "-g", "web", "--current");
        List<String> lines = List.of(run.out.split("\n"));
        assertEquals("req:1", lines.get(0));
        assertEquals(List.of("latency_ms.count:3", "latency_ms.sum:8.000001", "latency_ms.min:0.000001",
                "latency_ms.max:5"), lines.subList(1, 5));
        assertTrue(Pattern.matches("latency_ms\\.mean:2\\.66666\\d+", lines.get(5)), lines.get(5));
        for (String stat : List.of("stddev", "p50", "p90", "p99", "p999")) {
            assertTrue(lines.stream().anyMatch(l -> Pattern.matches("latency_ms\\." + stat + ":\\d+(\\.\\d+)?", l)), stat);
        }
        assertEquals(List.of("size.count:0", "size.sum:0"), lines.subList(lines.size() - 2, lines.size()),
                "a declared value without records: count and sum only");
        assertTrue(run.out.indexOf('E') < 0, "no exponent: " + run.out);
    }

    @Test
    void jsonHasAnObjectPerValue() {
        String json = Run.reader(at(BOUNDARY + 2_000), config, "-g", "web", "--current", "--format", "json").out;
        assertTrue(json.contains("\"values\":{\"latency_ms\":{\"count\":3,\"sum\":8.000001,\"min\":0.000001,\"max\":5,"), json);
        assertTrue(json.contains("\"size\":{\"count\":0,\"sum\":0,\"min\":null,"), json);
    }

    @Test
    void prometheusUsesTheSummaryConventionWithMinAndMax() {
        String text = Run.reader(at(BOUNDARY + 2_000), config, "-g", "web", "--current", "--format", "prometheus").out;
        assertTrue(text.contains("# TYPE ecl_value summary\n"), text);
        assertTrue(Pattern.compile("ecl_value\\{group=\"web\",interval=\"5m\",name=\"latency_ms\",quantile=\"0\\.5\"\\} \\d")
                .matcher(text).find(), text);
        assertTrue(text.contains("ecl_value_sum{group=\"web\",interval=\"5m\",name=\"latency_ms\"} 8.000001\n"), text);
        assertTrue(text.contains("ecl_value_count{group=\"web\",interval=\"5m\",name=\"latency_ms\"} 3\n"), text);
        assertTrue(text.contains("ecl_value_min{group=\"web\",interval=\"5m\",name=\"latency_ms\"} 0.000001\n"), text);
        assertTrue(text.contains("ecl_value_max{group=\"web\",interval=\"5m\",name=\"latency_ms\"} 5\n"), text);
    }
}
