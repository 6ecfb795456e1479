package io.ecl.core.internal.kinds;

import static io.ecl.core.internal.kinds.ValueSketchTest.BIMODAL;
import static io.ecl.core.internal.kinds.ValueSketchTest.LOGNORMAL;
import static io.ecl.core.internal.kinds.ValueSketchTest.NEGATIVES_AND_ZEROS;
import static io.ecl.core.internal.kinds.ValueSketchTest.assertDescribes;
import static io.ecl.core.internal.kinds.ValueSketchTest.draw;
import static io.ecl.core.internal.kinds.ValueSketchTest.sketchOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/** The value hash on a real Redis: what processes send adds up to the statistics of all their values. */
class SketchFieldsTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    static final String KEY = "web:5m:cur:@latency_ms";

    /** min and max by compare-and-set, as the flush script must do it: store the string sent. */
    static final String MIN_MAX = String.join("\n",
            "local lo = redis.call('HGET', KEYS[1], 'lo')",
            "if ARGV[1] ~= '' and (not lo or tonumber(ARGV[1]) < tonumber(lo)) then redis.call('HSET', KEYS[1], 'lo', ARGV[1]) end",
            "local hi = redis.call('HGET', KEYS[1], 'hi')",
            "if ARGV[2] ~= '' and (not hi or tonumber(ARGV[2]) > tonumber(hi)) then redis.call('HSET', KEYS[1], 'hi', ARGV[2]) end",
            "return 1");

    /** Sends one process's snapshot the way a flush would: HINCRBY, HINCRBYFLOAT, compare-and-set. */
    static void send(RedisClient c, String key, SketchSnapshot s) {
        SketchFields.Encoded e = SketchFields.encode(s);
        try (AbstractPipeline p = c.pipelined()) {
            for (SketchFields.Increment i : e.increments()) {
                p.hincrBy(key, i.field(), i.by());
            }
            if (e.squares() != 0) {
                p.hincrByFloat(key, SketchFields.SQUARES, e.squares());
            }
            p.sync();
        }
        c.eval(MIN_MAX, List.of(key), List.of(e.minText() == null ? "" : e.minText(), e.maxText() == null ? "" : e.maxText()));
    }

    @Test
    void twoProcessesSendingIntoOneHashReadBackAsTheStatisticsOfAllTheirValues() {
        double[] a = draw(500_000, 21, LOGNORMAL);
        double[] b = draw(500_000, 22, NEGATIVES_AND_ZEROS);
        RedisClient c = redis.client();
        send(c, KEY, sketchOf(a).drain());
        send(c, KEY, sketchOf(b).drain());

        SketchSnapshot read = SketchFields.decode(c.hgetAll(KEY));
        double[] union = new double[a.length + b.length];
        System.arraycopy(a, 0, union, 0, a.length);
        System.arraycopy(b, 0, union, a.length, b.length);
        assertDescribes(union, read);
        SketchSnapshot inMemory = sketchOf(a).drain().merge(sketchOf(b).drain());
        assertEquals(SketchFields.encode(inMemory).increments(), SketchFields.encode(read).increments());
        assertEquals(inMemory.sumOfSquares(), read.sumOfSquares(), inMemory.sumOfSquares() * 1e-14);
        assertEquals(inMemory.stddev(), read.stddev(), inMemory.stddev() * 1e-9);
        assertEquals(Long.toString(union.length), c.hget(KEY, SketchFields.COUNT));
    }

    /** The wire format, pinned: bucket fields by index (γ = 1.01/0.99), the sum in millionths. */
    @Test
    void encodingOfAKnownSnapshot() {
        ValueSketch s = new ValueSketch();
        s.record(100); // γ^230 = 99.50 < 100 ≤ γ^231 = 101.51
        s.record(-0.5); // γ^-35 < 0.5 ≤ γ^-34
        s.record(0);
        s.record(2e9); // the sum passes 10^9 millionths: a second limb
        SketchFields.Encoded e = SketchFields.encode(s.drain());
        assertEquals(List.of(new SketchFields.Increment("c", 4), new SketchFields.Increment("n-34", 1),
                new SketchFields.Increment("z", 1), new SketchFields.Increment("b231", 1),
                new SketchFields.Increment("b1071", 1),
                new SketchFields.Increment("s0", 99_500_000), new SketchFields.Increment("s1", 2_000_000)),
                e.increments());
        assertEquals(10_000 + 0.25 + 4e18, Double.parseDouble(e.squaresText()), 0.0, "round trip to the last bit");
        assertEquals("-0.5", e.minText());
        assertEquals("2.0E9", e.maxText());
    }

    @Test
    void minAndMaxSurviveTheRoundTripToTheLastBit() {
        ValueSketch one = new ValueSketch();
        one.record(0.1 + 0.2); // 0.30000000000000004: 17 significant digits
        ValueSketch two = new ValueSketch();
        two.record(1.0 / 3);
        two.record(123456.78901234567);
        RedisClient c = redis.client();
        send(c, KEY, one.drain());
        send(c, KEY, two.drain());
        SketchSnapshot read = SketchFields.decode(c.hgetAll(KEY));
        assertEquals(0.1 + 0.2, read.min());
        assertEquals(123456.78901234567, read.max());
        assertEquals(new BigDecimal("123457.422345"), read.sum()); // 0.3 + 0.333333 + 123456.789012
    }

    @Test
    void sumLimbsAddUpAcrossProcessesOfOppositeSigns() {
        ValueSketch plus = new ValueSketch();
        ValueSketch minus = new ValueSketch();
        for (int i = 0; i < 100; i++) {
            plus.record(1e18);
            minus.record(-999_999_999.999999);
        }
        plus.record(5.5);
        minus.record(-7.25);
        RedisClient c = redis.client();
        send(c, KEY, plus.drain());
        send(c, KEY, minus.drain());
        SketchSnapshot read = SketchFields.decode(c.hgetAll(KEY));
        // 100·1e18 + 5.5 − 100·999,999,999.999999 − 7.25
        assertEquals(new BigDecimal("99999999900000000000.000100").add(new BigDecimal("-1.75")).stripTrailingZeros(),
                read.sum());
        assertEquals(202, read.count());
    }

    @Test
    void invalidValuesAreCountedInRedisToo() {
        ValueSketch s = new ValueSketch();
        s.record(Double.NaN);
        s.record(1);
        send(redis.client(), KEY, s.drain());
        Map<String, String> hash = redis.client().hgetAll(KEY);
        assertEquals("1", hash.get(SketchFields.INVALID));
        assertEquals(1, SketchFields.decode(hash).invalid());
    }

    @Test
    void anEmptyHashDecodesToNothing() {
        SketchSnapshot s = SketchFields.decode(redis.client().hgetAll(KEY));
        assertTrue(s.isEmpty());
        assertTrue(SketchFields.encode(new SketchSnapshot()).isEmpty());
    }

    @Test
    void decodeNamesTheFieldItCannotRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SketchFields.decode(Map.of("c", "1", "b10", "x1")));
        assertEquals("value hash field 'b10' holds 'x1', not an integer", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SketchFields.decode(Map.of("c", "2", "b10", "1")));
        assertEquals("value hash field 'c' is 2 but the buckets hold 1 values", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SketchFields.decode(Map.of("c", "1", "b99999", "1")));
        assertEquals("value hash field 'b99999': bucket index out of range [-1036, " + LogBuckets.MAX_INDEX + "]", e.getMessage());
    }

    @Test
    void fieldsOfALaterVersionAreIgnored() {
        SketchSnapshot s = SketchFields.decode(Map.of("c", "1", "b10", "1", "v", "2"));
        assertEquals(1, s.count());
    }

    /**
     * The figure in SketchFields' comment: 1,000,000 latencies, lognormal (median 100 ms, σ = 1)
     * clipped to 1..10,000 ms, sent by one process, measured with MEMORY USAGE with Redis' default
     * compact encoding limit, then the same hash with the compact encoding forbidden.
     */
    @Test
    void memoryOfATypicalLatencyHash() {
        Random r = new Random(7);
        ValueSketch s = new ValueSketch();
        for (int i = 0; i < 1_000_000; i++) {
            s.record(Math.min(10_000, Math.max(1, Math.exp(Math.log(100) + r.nextGaussian()))));
        }
        SketchSnapshot snap = s.drain();
        RedisClient c = redis.client();
        send(c, KEY, snap);
        long fields = c.hlen(KEY);
        long bytes = c.memoryUsage(KEY);
        String encoding = c.objectEncoding(KEY);
        String version = c.info("server").lines().filter(l -> l.startsWith("redis_version:")).findFirst().orElse("?");
        String setting = c.configGet("hash-max-*-entries").keySet().iterator().next();
        String limit = c.configGet(setting).get(setting);
        long table;
        try {
            c.configSet(setting, "16");
            send(c, "table", snap);
            table = c.memoryUsage("table");
        } finally {
            c.configSet(setting, limit);
        }
        System.out.printf("value hash, 1,000,000 lognormal latencies 1..10,000 ms, %s: %d fields (%d buckets),"
                + " MEMORY USAGE %d bytes (%s, %s %s); %d bytes as a %s%n",
                version, fields, snap.buckets(), bytes, encoding, setting, limit, table, c.objectEncoding("table"));
        assertEquals(SketchFields.encode(snap).increments().size() + 3, fields, "the increments, q, lo and hi");
    }
}
