package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.HistoryEntry;
import io.ecl.core.ops.Rotator;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The closed intervals a group with {@code history} keeps ({@code <prefix>@hist}), whoever rotates
 * it, and the totals every rotation adds up ({@code <prefix>@total}), read through
 * {@link CounterReader#history} and {@link CounterReader#totals}, with a stepped clock.
 */
class HistoryTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private final SteppedClock clock = new SteppedClock(T0 + 100);
    private EclConfig config;
    private EventCountLogger ecl;
    private Rotator master;
    private CounterReader reader;
    private RedisClient r;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, String.join("\n",
                "  kept:",
                "    events: [a, b]",
                "    uniques: [visitors]",
                "    values: [latency]",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "    history: 3",
                "  loc:",
                "    events: [a]",
                "    intervals: ['5s']",
                "    sync_interval: 1",
                "    history: 10",
                "  none:",
                "    events: [a]",
                "    intervals: ['5s']",
                ""));
        ecl = Fixtures.logger(config, clock);
        ecl.flush(); // the declarations are in Redis
        master = Rotator.connect(config.redis());
        reader = CounterReader.connect(config);
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
        master.close();
        reader.close();
    }

    /** The master's rotation at {@code at}, the loggers' clock just after it. */
    private void rotate(String group, long at) {
        clock.set(at + 100);
        GroupConfig g = config.group(group);
        assertTrue(master.rotate(g, g.interval("5s"), at).rotated());
    }

    private List<HistoryEntry> history(String group, int n) {
        GroupConfig g = config.group(group);
        return reader.history(g, g.interval("5s"), n);
    }

    private Map<String, Long> totals(String group) {
        GroupConfig g = config.group(group);
        return reader.totals(g, g.interval("5s"));
    }

    private static TreeMap<String, Long> counts(Object... pairs) {
        TreeMap<String, Long> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], ((Number) pairs[i + 1]).longValue());
        }
        return m;
    }

    @Test
    void rotationKeepsTheClosedIntervalWithEveryKind() {
        rotate("kept", T0);
        EventGroup g = ecl.group("kept");
        g.log("a", 3);
        g.log("dyn", 7);
        g.logUnique("visitors", "alice");
        g.logUnique("visitors", "bob");
        g.logUnique("visitors", "alice");
        g.logValue("latency", 10);
        g.logValue("latency", 30);
        ecl.flush();
        rotate("kept", T0 + 5_000);

        List<HistoryEntry> h = history("kept", 3);

        assertEquals(1, h.size());
        HistoryEntry e = h.get(0);
        assertEquals(T0, e.startMillis());
        assertEquals(T0 + 5_000, e.endMillis());
        assertEquals(1, e.covers());
        assertEquals(counts("a", 3, "b", 0, "dyn", 7), e.counts(), "declared b without counts is there as 0");
        assertEquals(counts("visitors", 2), e.uniques());
        ValueStats latency = e.values().get("latency");
        assertEquals(2, latency.count());
        assertEquals(0, latency.sum().compareTo(java.math.BigDecimal.valueOf(40)));
        assertEquals(10.0, latency.min());
        assertEquals(30.0, latency.max());
        assertEquals(10.0, latency.p50(), 0.1, "the quantiles come from the kept histogram");
        assertEquals(reader.read("kept", "5s").lastValues().get("latency"), latency,
                "the same statistics as last had when the entry was made");
    }

    @Test
    void historyIsTrimmedToNAndReadOldestFirst() {
        rotate("kept", T0);
        for (int k = 1; k <= 5; k++) {
            ecl.group("kept").log("a", k);
            ecl.flush();
            rotate("kept", T0 + k * 5_000L);
        }

        List<HistoryEntry> h = history("kept", 100);

        assertEquals(3, r.llen("kept:5s:@hist"), "trimmed to history: 3");
        assertEquals(List.of(T0 + 10_000, T0 + 15_000, T0 + 20_000), h.stream().map(HistoryEntry::startMillis).toList());
        assertEquals(List.of(3L, 4L, 5L), h.stream().map(e -> e.counts().get("a")).toList());
        assertEquals(List.of(5L), history("kept", 1).stream().map(e -> e.counts().get("a")).toList(),
                "n = 1: the newest");
        assertEquals(List.of(), history("kept", 0));
    }

    @Test
    void catchUpRotationKeepsOneEntryCoveringEveryIntervalItCloses() {
        rotate("kept", T0);
        ecl.group("kept").log("a", 2);
        ecl.flush();
        rotate("kept", T0 + 20_000); // the master was down for three boundaries

        HistoryEntry e = history("kept", 3).get(0);

        assertEquals(T0, e.startMillis());
        assertEquals(T0 + 20_000, e.endMillis());
        assertEquals(4, e.covers());
        assertEquals(2L, e.counts().get("a"));
    }

    @Test
    void aWriterThatRotatesAtABoundaryKeepsTheClosedIntervalToo() {
        rotate("loc", T0);
        ecl.group("loc").log("a", 4);
        ecl.flush();
        clock.set(T0 + 15_100); // no master ran since: the writer's flush rotates, catching up
        ecl.flush(); // as the background thread does at a boundary
        ecl.group("loc").log("a", 1);
        ecl.flush();

        List<HistoryEntry> h = history("loc", 10);

        assertEquals(1, h.size());
        assertEquals(T0, h.get(0).startMillis());
        assertEquals(T0 + 15_000, h.get(0).endMillis());
        assertEquals(3, h.get(0).covers());
        assertEquals(counts("a", 4), h.get(0).counts());
        assertEquals(counts("a", 5), totals("loc"));
    }

    @Test
    void countsThatCrossTheBoundaryAreInTheirIntervalsEntryAndInTheTotals() {
        rotate("loc", T0);
        ecl.group("loc").log("a", 3); // logged at T0 + 100, synced after the master's rotation
        rotate("loc", T0 + 5_000);
        ecl.flush(); // credited to last, the interval they were logged in

        assertEquals(List.of(3L), history("loc", 10).stream().map(e -> e.counts().get("a")).toList());
        assertEquals(counts("a", 3), totals("loc"));
        rotate("loc", T0 + 10_000);

        List<HistoryEntry> h = history("loc", 10);
        assertEquals(List.of(T0, T0 + 5_000), h.stream().map(HistoryEntry::startMillis).toList());
        assertEquals(List.of(3L, 0L), h.stream().map(e -> e.counts().get("a")).toList());
        assertEquals(counts("a", 3), totals("loc"));
        assertEquals(Map.of("a", "3"), r.hgetAll("loc:5s:@total"));
    }

    @Test
    void aGroupWithoutHistoryKeepsNoneButItsTotals() {
        rotate("none", T0);
        ecl.group("none").log("a", 2);
        ecl.flush();
        rotate("none", T0 + 5_000);

        assertEquals(List.of(), history("none", 5));
        assertFalse(r.exists("none:5s:@hist"));
        assertEquals(counts("a", 2), totals("none"));
    }

    @Test
    void totalsAddEveryClosedIntervalToTheCurrentOneAndOnlyGrow() {
        rotate("kept", T0);
        EventGroup g = ecl.group("kept");
        g.log("a", 2);
        g.log("dyn", 1);
        ecl.flush();
        assertEquals(counts("a", 2, "b", 0, "dyn", 1), totals("kept"));
        rotate("kept", T0 + 5_000);
        assertEquals(counts("a", 2, "b", 0, "dyn", 1), totals("kept"), "a rotation changes no total");
        g.log("a", 5);
        ecl.flush();
        rotate("kept", T0 + 10_000);
        rotate("kept", T0 + 15_000);
        g.log("a", 1);
        ecl.flush();

        assertEquals(counts("a", 8, "b", 0, "dyn", 1), totals("kept"),
                "dyn left cur and last long ago; its total stays");
        assertEquals(Map.of("a", "7", "dyn", "1"), r.hgetAll("kept:5s:@total"), "closed counts only, no zeros");
    }

    @Test
    void totalsStayExactBeyondWhatADoubleHoldsAndSkipWhatIsNoInteger() {
        rotate("kept", T0);
        rotate("kept", T0 + 5_000);
        // last as a Python client or a hand could leave it: huge, negative, not a count at all
        r.set("kept:5s:last:a", "9007199254740993"); // 2^53 + 1: a double cannot hold it
        r.set("kept:5s:last:b", "-4");
        r.sadd("kept:5s:last:@reg", "big", "text", "lead");
        r.set("kept:5s:last:big", "999999999999999"); // 15 digits: added in Lua
        r.set("kept:5s:last:text", "12abc");
        r.set("kept:5s:last:lead", "007");
        r.hset("kept:5s:@total", Map.of("a", "1", "b", "-9223372036854775807", "big", "1"));
        rotate("kept", T0 + 10_000);

        assertEquals(Map.of(
                "a", "9007199254740994", // HINCRBY: the sum is exact past 2^53
                "b", "-9223372036854775807", // would overflow a long: not added, as HINCRBY refuses it
                "big", "1000000000000000"), // summed in the script
                r.hgetAll("kept:5s:@total"), "'12abc' and '007' are no counts");
    }

    @Test
    void resetTotalsStartsAgainFromTheCurrentInterval() {
        rotate("kept", T0);
        ecl.group("kept").log("a", 2);
        ecl.flush();
        rotate("kept", T0 + 5_000);
        ecl.group("kept").log("a", 3);
        ecl.flush();
        GroupConfig g = config.group("kept");

        reader.resetTotals(g, g.interval("5s"));

        assertEquals(counts("a", 0, "b", 0), totals("kept"));
        ecl.group("kept").log("a", 4);
        ecl.flush();
        rotate("kept", T0 + 10_000);
        rotate("kept", T0 + 15_000);
        assertEquals(counts("a", 4, "b", 0), totals("kept"), "only what was counted after the reset");
        assertEquals(List.of(2L, 7L, 0L), history("kept", 3).stream().map(e -> e.counts().get("a")).toList(),
                "history is not touched");
    }

    @Test
    void aHistoryKeyOfAnotherTypeIsRefusedBeforeTheRotationWritesAnything() {
        rotate("kept", T0);
        ecl.group("kept").log("a", 2);
        ecl.flush();
        r.set("kept:5s:@hist", "not a list");
        GroupConfig g = config.group("kept");

        RedisDataException e = assertThrows(RedisDataException.class,
                () -> master.rotate(g, g.interval("5s"), T0 + 5_000));

        assertTrue(e.getMessage().contains("kept:5s:@hist is a string, not the list ecl keeps there; fix: DEL kept:5s:@hist"),
                e.getMessage());
        assertEquals("2", r.get("kept:5s:cur:a"), "nothing rotated");
        assertEquals(String.valueOf(T0 / 1000), r.get("kept:5s:cur:@ts"));
        assertFalse(r.exists("kept:5s:@total"));
        RedisDataException read = assertThrows(RedisDataException.class, () -> history("kept", 3));
        assertTrue(read.getMessage().contains("kept:5s:@hist is a string"), read.getMessage());
    }

    @Test
    void aTotalsKeyOfAnotherTypeIsRefusedBeforeTheRotationWritesAnything() {
        rotate("none", T0);
        ecl.group("none").log("a", 2);
        ecl.flush();
        r.set("none:5s:@total", "1");
        GroupConfig g = config.group("none");

        assertThrows(RedisDataException.class, () -> master.rotate(g, g.interval("5s"), T0 + 5_000));

        assertEquals("2", r.get("none:5s:cur:a"));
    }

    @Test
    void anEntryEcldidNotWriteIsAClearError() {
        r.lpush("kept:5s:@hist", "garbage");

        RedisDataException e = assertThrows(RedisDataException.class, () -> history("kept", 3));

        assertEquals("kept:5s:@hist holds an entry ecl did not write: its first line is not"
                + " '1 <start> <end> <covers>'; delete the key (DEL kept:5s:@hist) to keep history again", e.getMessage());
    }

    @Test
    void purgeListsTheHistoryAndTotalsOfARemovedPairButKeepsAConfiguredOnes() {
        rotate("kept", T0);
        rotate("none", T0);
        ecl.group("kept").log("a", 1);
        ecl.group("none").log("a", 1);
        ecl.flush();
        rotate("kept", T0 + 5_000);
        rotate("none", T0 + 5_000);
        r.set("gone:5s:cur:@ts", String.valueOf(T0 / 1000));
        r.lpush("gone:5s:@hist", "1\t0\t5000\t1");
        r.hset("gone:5s:@total", "a", "4");
        r.lpush("none:5s:@hist", "1\t0\t5000\t1"); // kept while 'none' had a history

        Map<String, String> planned = new TreeMap<>();
        for (io.ecl.core.ops.KeyPurge.Item it : io.ecl.core.ops.KeyPurge.plan(config)) {
            planned.put(it.key(), it.why());
        }

        assertEquals(Map.of(
                "gone:5s:@hist", "group 'gone' is not in the config",
                "gone:5s:@total", "group 'gone' is not in the config",
                "gone:5s:cur:@ts", "group 'gone' is not in the config",
                "none:5s:@hist", "group 'none' keeps no history (history: 0)"), planned,
                "kept:5s:@hist, kept:5s:@total and none:5s:@total belong to configured pairs");
    }

    @Test
    void anEntryWhoseCountsDoNotMatchItsEventsIsAClearError() {
        r.lpush("kept:5s:@hist", "1\t0\t5000\t1\nc\ta\tb\nn\t3");

        RedisDataException e = assertThrows(RedisDataException.class, () -> history("kept", 3));

        assertEquals("kept:5s:@hist holds an entry ecl did not write: it names 2 events but holds 1 counts;"
                + " delete the key (DEL kept:5s:@hist) to keep history again", e.getMessage());
    }

    @Test
    void aCounterThatIsNotAnIntegerGoesNeitherIntoTheTotalsNorTheHistory() {
        rotate("kept", T0);
        ecl.group("kept").log("a", 2);
        ecl.group("kept").log("dyn", 1);
        ecl.flush();
        r.set("kept:5s:cur:dyn", "many"); // written by hand

        rotate("kept", T0 + 5_000);
        assertEquals(counts("a", 2, "b", 0), history("kept", 3).get(0).counts(), "last, as a reader shows it");
        rotate("kept", T0 + 10_000);

        assertEquals(counts("a", 2, "b", 0), history("kept", 3).get(0).counts(), "retired from last");
        assertEquals(Map.of("a", "2"), r.hgetAll("kept:5s:@total"));
    }

    @Test
    void theFirstRotationEverKeepsNoEntryForItHasNoStart() {
        r.incrBy("kept:5s:cur:a", 3); // a Python client, before any ecl process opened the interval
        r.del("kept:5s:cur:@ts");

        rotate("kept", T0);

        assertEquals(List.of(), history("kept", 3));
        assertEquals(counts("a", 3, "b", 0), totals("kept"), "counted in the totals all the same");
    }
}
