package io.ecl.soak;

import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.testing.PythonMaster;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * The Python version's {@code ecl_master}, command for command: it wakes a few milliseconds after
 * each boundary (as a Python process sleeping until then does) and rotates every (group,
 * interval) due: a SCAN for its counters, then one MULTI/EXEC that sets a declared event's
 * missing {@code cur} to 0, renames {@code cur} to {@code last}, sets {@code cur} of declared
 * events to 0, deletes an auto-declared event's {@code last} when it has no {@code cur}, and sets
 * {@code cur:@ts} to {@code time.time()} at that moment (never an aligned boundary). It keeps no
 * registry, never writes {@code last:@ts}, and skips a boundary when Redis does not answer.
 */
final class PythonStyleMaster implements Runnable {
    private final String host;
    private final int port;
    private final List<GroupConfig> groups;
    private final String interval;
    private volatile boolean stop;
    /** Rotations done, for the soak's report. */
    final AtomicLong rotations = new AtomicLong();
    /** Boundaries skipped because Redis did not answer. */
    final AtomicLong failures = new AtomicLong();

    /** Rotates {@code interval} of {@code groups} through Redis at {@code host:port}. */
    PythonStyleMaster(String host, int port, List<GroupConfig> groups, String interval) {
        this.host = host;
        this.port = port;
        this.groups = groups;
        this.interval = interval;
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        long len = groups.get(0).interval(interval).lengthMillis();
        Jedis jedis = null;
        while (!stop) {
            long now = System.currentTimeMillis();
            long next = (now / len + 1) * len;
            // Python's time.sleep() until the boundary, then its own work: a few ms late.
            sleepMillis(next - now + 2 + ThreadLocalRandom.current().nextInt(12));
            if (stop) {
                break;
            }
            try {
                if (jedis == null) {
                    // RESP2, as redis-py speaks it (and without Jedis' warning about negotiating RESP3)
                    jedis = new Jedis(new HostAndPort(host, port), DefaultJedisClientConfig.builder()
                            .timeoutMillis(1_000).protocol(RedisProtocol.RESP2).build());
                }
                for (GroupConfig g : groups) {
                    rotate(jedis, g, g.interval(interval));
                }
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                if (jedis != null) {
                    try {
                        jedis.close();
                    } catch (RuntimeException ignored) {
                        // the connection is gone anyway
                    }
                    jedis = null;
                }
            }
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    private void rotate(Jedis jedis, GroupConfig g, Interval i) {
        PythonMaster.rotate(jedis, jedis::multi, g.name() + ":" + i.name() + ":", new ArrayList<>(g.events()),
                pythonTime());
        rotations.incrementAndGet();
    }

    /** {@code str(time.time())}: Unix seconds with microseconds. */
    static String pythonTime() {
        long micros = System.currentTimeMillis() * 1000 + ThreadLocalRandom.current().nextInt(1, 1000);
        return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
