package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ecl.core.internal.LuaScript;
import io.ecl.core.internal.Pending;
import io.ecl.core.internal.RedisEventGroup;
import io.ecl.core.internal.Sender;
import io.ecl.core.internal.TsCodec;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The flusher's transaction path decides where counts go from the @ts values it read (TxPlan);
 * log.lua decides inside Redis. Over generated states (no interval open, opened by ecl or by a
 * Python master, last:@ts present or not, counts older, in or newer than the open interval,
 * newer counts held beside them, writers allowed to rotate or not, holding allowed or not)
 * both must agree: log.lua rotates exactly when TxPlan hands it the chunk, holds exactly when
 * TxPlan holds it, and otherwise writes where TxPlan would.
 */
class PlacementAgreementTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final long LEN = 5_000;

    private EventCountLogger ecl;
    private RedisClient r;

    @BeforeEach
    void start() {
        EclConfig config = Fixtures.config(redis, String.join("\n",
                "  rot:",
                "    events: []",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "    sync_interval: 60",
                "  fixed:",
                "    events: []",
                "    intervals: ['5s']",
                "    auto_declare_events: true",
                "    sync_interval: 60",
                "    writers_rotate: false",
                ""));
        ecl = Fixtures.logger(config, new SteppedClock(T0));
        r = redis.client();
    }

    @AfterEach
    void stop() {
        ecl.close();
    }

    @Test
    void theTransactionPathAndLogLuaPlaceCountsAlike() {
        Random random = new Random(20261130);
        int rotated = 0;
        int held = 0;
        int[] placed = new int[3];
        for (int n = 0; n < 600; n++) {
            r.flushAll();
            RedisEventGroup g = (RedisEventGroup) ecl.group(random.nextBoolean() ? "rot" : "fixed");
            long open = T0 + LEN * random.nextInt(4);
            String cur;
            switch (random.nextInt(3)) {
                case 0: cur = null; break;
                case 1: cur = TsCodec.format(open); break;
                default: cur = String.format(Locale.ROOT, "%d.%03d%03d", (open + random.nextInt(4_000)) / 1000,
                        random.nextInt(1000), 1 + random.nextInt(999)); // Python's time.time()
            }
            String last = random.nextBoolean() ? null : TsCodec.format(open - LEN * (1 + random.nextInt(2)));
            long start = open + LEN * (random.nextInt(6) - 3);
            long newest = start + LEN * random.nextInt(3);
            long current = newest + LEN * random.nextInt(2);
            boolean hold = random.nextBoolean();
            String what = String.format(Locale.ROOT, "case %d: %s cur:@ts=%s last:@ts=%s start=%d newest=%d current=%d hold=%s",
                    n, g.name(), cur, last, start - T0, newest - T0, current - T0, hold);
            if (cur != null) {
                r.set(g.prefix(0) + "cur:@ts", cur);
            }
            if (last != null) {
                r.set(g.prefix(0) + "last:@ts", last);
            }
            g.sendContext(new long[] {newest}, new long[] {current}, hold);
            Pending.Chunk chunk = new Pending.Chunk(g, "agree" + n, new long[] {start}, 1);
            chunk.add(new RedisEventGroup.Counter("ev", true), 1);

            List<String> ts = new ArrayList<>();
            ts.add(cur);
            ts.add(last);
            int[] where = new Sender.TxPlan(List.of(g), ts).decide(chunk);
            Object reply = LuaScript.LOG.eval(r, g.tsKeys, chunk.args());
            String curAfter = r.get(g.prefix(0) + "cur:@ts");

            if (where == null) {
                rotated++;
                assertNotEquals(cur, curAfter, what + ": TxPlan left it to log.lua, which must rotate");
            } else if (where == Sender.TxPlan.HELD) {
                held++;
                assertEquals(RedisEventGroup.HELD, reply, what);
                assertEquals(cur, curAfter, what);
                assertNull(r.get(g.prefix(0) + "cur:ev"), what);
                assertNull(r.get(g.prefix(0) + "last:ev"), what);
            } else {
                placed[where[0]]++;
                assertEquals(cur == null ? TsCodec.format(start) : cur, curAfter, what + ": no rotation");
                boolean inLast = where[0] == Sender.TxPlan.LAST;
                assertEquals(inLast ? null : "1", r.get(g.prefix(0) + "cur:ev"), what);
                assertEquals(inLast ? "1" : null, r.get(g.prefix(0) + "last:ev"), what);
                assertEquals(where[0] == Sender.TxPlan.LATE ? "1" : null, r.get(g.prefix(0) + "cur:@late"), what);
                assertEquals(where[0] == Sender.TxPlan.LATE ? 1L : 0L, reply, what);
            }
        }
        // The generator reaches every outcome.
        for (int k = 0; k < 3; k++) {
            assertNotEquals(0, placed[k], "placement " + k);
        }
        assertNotEquals(0, rotated);
        assertNotEquals(0, held);
    }
}
