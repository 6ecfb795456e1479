package io.ecl.core.internal.kinds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** The local sketch is the HLL Redis itself builds: same registers, same counts, mergeable with PFMERGE. */
class RedisHllTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static RedisClient r() {
        return redis.client();
    }

    @BeforeEach
    void clean() {
        r().flushAll();
        // Dense from the first value, so Redis's bytes can be compared with ours at any size.
        r().configSet("hll-sparse-max-bytes", "0");
    }

    @AfterEach
    void restore() {
        r().configSet("hll-sparse-max-bytes", "3000");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] registersOf(byte[] dense) {
        return Arrays.copyOfRange(dense, 16, dense.length);
    }

    @Test
    void everyRegisterIsTheOneRedisSetsForTheSameValues() {
        List<String> values = new ArrayList<>();
        StringBuilder grow = new StringBuilder();
        for (int len = 0; len <= 40; len++) { // every tail length of the hash, twice over
            values.add(grow.toString());
            grow.append((char) ('a' + len % 26));
        }
        values.addAll(List.of("203.0.113.7", "2001:db8::1", "ü", "日本語", "emoji 😀", "tab\there", "é".repeat(9)));
        for (int i = 0; i < 20_000; i++) {
            values.add("user-" + i);
        }
        RedisHll local = new RedisHll();
        for (String v : values) {
            local.add(v);
            r().pfadd("k", v);
        }
        byte[] theirs = r().get(bytes("k"));
        byte[] ours = local.toRedisDense();
        assertEquals(RedisHll.DENSE_SIZE, theirs.length);
        assertArrayEquals(registersOf(theirs), registersOf(ours));

        r().set(bytes("ours"), ours);
        assertEquals(r().pfcount("k"), r().pfcount("ours"));
    }

    @Test
    void threeProcessesSketchesMergedInRedisCountAMillionDistinctValuesWithinTwoPercent() {
        int n = 1_000_000;
        RedisHll[] processes = {new RedisHll(), new RedisHll(), new RedisHll()};
        for (int i = 0; i < n; i++) {
            String v = "visitor-" + i;
            processes[i % 3].add(v);
            if (i % 10 == 0) {
                processes[(i + 1) % 3].add(v); // the same visitor seen by two processes
            }
        }
        r().configSet("hll-sparse-max-bytes", "3000");
        r().pfadd("day", "visitor-0"); // a key that direct-mode PFADDs made (sparse)
        for (RedisHll p : processes) {
            r().set(bytes("tmp"), p.toRedisDense());
            r().pfmerge("day", "day", "tmp");
        }
        long counted = r().pfcount("day");
        assertTrue(Math.abs(counted - n) <= n * 0.02, counted + " for " + n);

        for (RedisHll p : processes) { // a chunk sent again after a lost reply
            r().set(bytes("tmp"), p.toRedisDense());
            r().pfmerge("day", "day", "tmp");
        }
        assertEquals(counted, r().pfcount("day"));
    }

    @Test
    void drainMovesTheRegistersAndLeavesTheSketchEmpty() {
        RedisHll epoch = new RedisHll();
        RedisHll all = new RedisHll();
        for (int i = 0; i < 5_000; i++) {
            epoch.add("v" + i);
            all.add("v" + i);
        }
        RedisHll drained = new RedisHll();
        epoch.drainInto(drained);

        assertTrue(epoch.isEmpty());
        assertFalse(drained.isEmpty());
        assertArrayEquals(all.toRedisDense(), drained.toRedisDense());
    }

    @Test
    void addsRacingDrainsAreNeverLost() throws InterruptedException {
        RedisHll epoch = new RedisHll();
        RedisHll drained = new RedisHll();
        RedisHll reference = new RedisHll();
        AtomicBoolean done = new AtomicBoolean();
        int threads = 4;
        int perThread = 200_000;
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    epoch.add(id + ":" + i);
                }
            });
            writers.add(w);
            w.start();
        }
        Thread drainer = new Thread(() -> {
            while (!done.get()) {
                epoch.drainInto(drained);
            }
        });
        drainer.start();
        for (Thread w : writers) {
            w.join();
        }
        done.set(true);
        drainer.join();
        epoch.drainInto(drained);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                reference.add(t + ":" + i);
            }
        }
        assertArrayEquals(reference.toRedisDense(), drained.toRedisDense());
    }
}
