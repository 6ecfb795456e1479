package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * ecl-reader prints a group of 200,000 auto-declared events with a 32 MB heap (the launcher gives
 * it 64 MB): the counts go from Redis to a sorted temporary file to stdout, never all in the heap.
 * Holding them (about 450 bytes an event) needed some 90 MB here, and ended with "out of memory".
 */
class ReaderBoundedMemoryTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final int EVENTS = 200_000;

    @TempDir
    Path dir;

    @Test
    void twoHundredThousandEventsArePrintedWithA32MegabyteHeap() throws Exception {
        RedisClient r = redis.client();
        r.set("big:1h:cur:@ts", "1699999200");
        try (AbstractPipeline p = r.pipelined()) {
            for (int i = 0; i < EVENTS; i++) {
                String ev = String.format("event_%06d", i);
                p.sadd("big:1h:last:@reg", ev);
                p.set("big:1h:last:" + ev, Integer.toString(i));
                p.sadd("big:1h:cur:@reg", ev); // each event in both registries: every one comes twice
                p.set("big:1h:cur:" + ev, "1");
            }
            p.sync();
        }
        String config = Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection()
                + "groups:\n  big:\n    events: []\n    intervals: ['1h']\n    auto_declare_events: true\n");

        ToolProcess run = ToolProcess.run(dir, List.of("-Xmx32m", "-Djava.io.tmpdir=" + dir),
                ReaderCommand.class, config, "--all", "--format", "prometheus");

        assertEquals(0, run.code, () -> run.err);
        assertEquals("", run.err);
        String[] lines = run.out.split("\n");
        // HELP, TYPE and a sample per event; then start (no sample: last:@ts unknown), stale, error,
        // late; then the totals' HELP, TYPE and the line saying a group read page by page has none
        assertEquals(2 + EVENTS + 2 + 3 + 3 + 3 + 3, lines.length);
        assertEquals("ecl_events{group=\"big\",interval=\"1h\",event=\"event_000000\"} 0", lines[2]);
        assertEquals("ecl_events{group=\"big\",interval=\"1h\",event=\"event_199999\"} 199999", lines[EVENTS + 1]);
        assertTrue(run.out.contains("\necl_interval_error{group=\"big\",interval=\"1h\"} 0\n"));
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            assertEquals(List.of("ecl.yml", "process.err", "process.out"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary file left behind");
        }
    }
}
