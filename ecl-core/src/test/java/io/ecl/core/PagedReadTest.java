package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.RedisReader;
import io.ecl.core.ops.CounterReader;
import io.ecl.testing.EmbeddedRedis;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/**
 * A group with more events than read.lua reads in one script is read in pages (SSCAN of its
 * registries, MGET of its counters) with the same result as the one-script read: a Munin poll of a
 * group of 500,000 auto-declared events must neither block Redis for seconds nor time out.
 */
class PagedReadTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final int EVENTS = 25_000; // above read.lua's 20,000

    @Test
    void aGroupTooBigForOneScriptIsReadInPagesWithTheSameCounts() {
        EclConfig config = Fixtures.config(redis, "  big:\n    events: [declared]\n    intervals: ['1h']\n"
                + "    auto_declare_events: true\n");
        RedisClient r = redis.client();
        r.set("big:1h:cur:@ts", "1699920000");
        r.set("big:1h:last:@ts", "1699916400");
        TreeMap<String, Long> last = new TreeMap<>();
        TreeMap<String, Long> cur = new TreeMap<>();
        try (AbstractPipeline p = r.pipelined()) {
            for (int i = 0; i < EVENTS; i++) {
                String ev = "ev" + i;
                // every event in last, every third also in cur: a section lists only what has a counter
                p.sadd("big:1h:last:@reg", ev);
                p.set("big:1h:last:" + ev, Integer.toString(i + 1));
                last.put(ev, (long) i + 1);
                if (i % 3 == 0) {
                    p.sadd("big:1h:cur:@reg", ev);
                    p.set("big:1h:cur:" + ev, Integer.toString(2 * i));
                    cur.put(ev, 2L * i);
                }
            }
            p.set("big:1h:last:declared", "7");
            p.sync();
        }
        last.put("declared", 7L);
        cur.put("declared", 0L);
        try (CounterReader reader = CounterReader.connectOnce(config);
                Monitor monitor = new Monitor(redis.port())) {
            IntervalCounts counts = reader.read("big", "1h");
            List<String> commands = monitor.clientCommands(r);
            assertEquals(Map.copyOf(last), Map.copyOf(counts.last()));
            assertEquals(Map.copyOf(cur), Map.copyOf(counts.current()));
            assertEquals(Long.valueOf(1_699_916_400_000L), counts.lastStartMillis());
            assertTrue(commands.contains("sscan"), commands::toString);
            // both registries fit in a few SSCAN pages; counters in MGETs of PAGE_EVENTS events
            long mgets = commands.stream().filter("mget"::equals).count();
            assertEquals((EVENTS + 1 + RedisReader.PAGE_EVENTS - 1) / RedisReader.PAGE_EVENTS, mgets);
        }
    }
}
