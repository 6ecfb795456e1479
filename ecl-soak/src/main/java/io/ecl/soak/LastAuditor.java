package io.ecl.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Checks that every count of one group shows in a {@code last} of its 1 s interval, for as long as
 * rotations allow: until the boundary after that {@code last}'s end at least. Every 10 ms it takes,
 * in one script (so atomically), {@code cur:@ts}, {@code last:@ts} and the sums of {@code cur} and
 * {@code last} of the 1 s interval, with the sum of the long interval's {@code cur}, which every
 * count also reaches in the same atomic write. Between two snapshots, what left the 1 s interval
 * (long minus cur minus last, before and after) is exactly what the rotations in between
 * overwrote. When more than one rotation came in between (the next {@code last} does not start
 * where the previous {@code cur} did), some {@code last} was never read: that is fine when the
 * rotation that opened its successor could have run in its own interval (a writer's catch-up
 * just before a boundary lives until the boundary), and its counts are then counted as shown;
 * otherwise (a rotation to an interval already over, as a writer that rotated once per missed
 * interval did) they are lost, and the seconds are reported.
 */
final class LastAuditor implements Runnable {
    private static final String SNAPSHOT = String.join("\n",
            "local function sum(p)",
            "  local s = 0",
            "  for i = 3, #ARGV do",
            "    local v = redis.call('GET', p .. ARGV[i])",
            "    if v then s = s + tonumber(v) end",
            "  end",
            "  return string.format('%.0f', s)",
            "end",
            "return {redis.call('GET', ARGV[1] .. 'cur:@ts') or '', redis.call('GET', ARGV[1] .. 'last:@ts') or '',",
            "  sum(ARGV[1] .. 'cur:'), sum(ARGV[1] .. 'last:'), sum(ARGV[2] .. 'cur:')}");
    /** A rotation seen this much after the end of the interval it opened is not a catch-up of its own interval. */
    private static final long TOLERANCE_MS = 250;
    private static final long LEN = 1_000;

    private final String host;
    private final int port;
    private final List<String> args = new ArrayList<>();
    private volatile boolean stop;

    // Written by the auditing thread only, read after it stopped.
    private Snapshot previous;
    /** Counts that left the 1 s interval in a 'last' that was read, or that lived as long as rotations allow. */
    long shown;
    /** Counts of 'last's that were never read and were overwritten before their time. */
    long lost;
    /** The 'last's left out as never read but legitimately short-lived, and those lost. */
    final List<String> unreadShortLived = new ArrayList<>();
    final List<String> lostLasts = new ArrayList<>();
    int transitions;
    /** When the auditor could not take snapshots (its own connection failed), and the 'last's then unread. */
    final List<String> gaps = new ArrayList<>();
    final List<String> unreadInGaps = new ArrayList<>();
    private boolean gap;

    LastAuditor(String host, int port, String group, String longInterval, String... events) {
        this.host = host;
        this.port = port;
        args.add(group + ":1s:");
        args.add(group + ":" + longInterval + ":");
        args.addAll(List.of(events));
    }

    private record Snapshot(long at, String cur, String last, long curSum, long lastSum, long longSum) {
        /** What left the 1 s interval so far: overwritten by rotations. */
        long gone() {
            return longSum - curSum - lastSum;
        }
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        while (!stop) {
            try (Jedis jedis = new Jedis(new HostAndPort(host, port), DefaultJedisClientConfig.builder()
                    .timeoutMillis(10_000).protocol(RedisProtocol.RESP2).build())) {
                while (!stop) {
                    take(jedis);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                take(jedis);
            } catch (JedisException e) {
                // The auditor's own connection (a loaded machine, a busy Redis): the soak goes on,
                // and what rotated meanwhile is judged as unread, not as lost (see take()).
                gap = true;
                gaps.add(String.format(Locale.ROOT, "%tT (%s)", System.currentTimeMillis(), e.getMessage()));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void take(Jedis jedis) {
        List<?> r = (List<?>) jedis.eval(SNAPSHOT, 0, args.toArray(new String[0]));
        Snapshot s = new Snapshot(System.currentTimeMillis(), (String) r.get(0), (String) r.get(1),
                Long.parseLong((String) r.get(2)), Long.parseLong((String) r.get(3)), Long.parseLong((String) r.get(4)));
        Snapshot p = previous;
        previous = s;
        boolean afterGap = gap;
        gap = false;
        if (p == null) {
            shown += s.gone(); // nothing was logged before the first snapshot
            return;
        }
        if (s.cur.equals(p.cur)) {
            return;
        }
        if (p.cur.isEmpty()) {
            shown += s.gone() - p.gone(); // the first interval was opened: nothing was overwritten
            return;
        }
        transitions++;
        long overwritten = s.gone() - p.gone();
        long lastStart = s.last.isEmpty() ? aligned(s.cur) - LEN : aligned(s.last); // a Python master writes no last:@ts
        if (lastStart == aligned(p.cur)) {
            shown += overwritten; // one rotation: the 'last' read at p, with what reached it since
            return;
        }
        long unread = Math.max(0, overwritten - p.lastSum);
        shown += overwritten - unread;
        String what = String.format(Locale.ROOT, "%tT.%<tL-%tT.%<tL (%d counts)", aligned(p.cur), lastStart, unread);
        if (afterGap) {
            // Not seen: a rotation while the auditor had no snapshot is no evidence of loss (the
            // long interval still accounts for every count); reported apart.
            shown += unread;
            if (unread > 0) {
                unreadInGaps.add(what);
            }
        } else if (s.at < lastStart + LEN + TOLERANCE_MS) {
            shown += unread;
            if (unread > 0) {
                unreadShortLived.add(what);
            }
        } else {
            lost += unread;
            if (unread > 0) {
                lostLasts.add(what);
            }
        }
    }

    /** The final sums: what is still in the 1 s interval counts as shown. */
    long shownWithFinal() {
        return previous == null ? shown : shown + previous.curSum + previous.lastSum;
    }

    private static long aligned(String ts) {
        long ms = Math.round(Double.parseDouble(ts) * 1000);
        return ms - Math.floorMod(ms, LEN);
    }
}
