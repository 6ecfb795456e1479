package io.ecl.core.internal;

import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisConfig;
import io.ecl.core.RedisUnavailableException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One count of one event, written once over one plain connection, as a logger with local counters
 * would write it at its first flush: the group's declared events into its {@code @declared} sets,
 * then log.lua with the count, credited to the interval the count was logged in, under a new chunk
 * ID, so that a send whose reply was lost can be sent again without counting twice. For a
 * command-line tool's single count ({@code ecl-log-event}): a logger's pool, flusher thread and
 * Jedis client are most of such a run (about 20 ms of a new JVM) and do nothing a single write
 * needs. Only for a standalone Redis without TLS ({@link #supports}).
 *
 * <p>What a logger closing with one count does, this does: a writer that may rotate rotates a
 * group whose master is late (its history N goes with it); a count newer than the interval a
 * Python master has open is held until that master opens its interval, for up to
 * {@code retryMillis}, then written to the open interval (as a logger's last flush at close
 * writes it); Redis refusing the write for now (out of memory, read-only, loading, a busy script)
 * or the connection breaking is tried again with the same chunk until {@code retryMillis} have
 * passed.
 */
public final class OneShotWriter {
    /** Pause between two tries of a write Redis refused or did not answer. */
    static final long RETRY_PAUSE_MILLIS = 50;

    private OneShotWriter() {
    }

    /** True when {@link #log} can write to this Redis: a standalone server without TLS. */
    public static boolean supports(RedisConfig redis) {
        return !redis.cluster() && !redis.sentinel() && !redis.tls();
    }

    /**
     * Pings Redis, then adds {@code count} to {@code event} in every interval of {@code group}.
     *
     * @return empty when the count is stored (a count of 0: nothing to store); else the one line
     *     saying why it is not: Redis refused it (a counter holding another type: the other
     *     intervals' counters are stored, as log.lua stores them), or it could not be delivered
     *     within {@code retryMillis}
     * @throws RedisUnavailableException when Redis does not answer the ping (nothing was written),
     *     with the line {@link io.ecl.core.ops.Ping#once} gives
     * @throws IllegalArgumentException when {@link #supports} is false for {@code redis}
     */
    public static Optional<String> log(RedisConfig redis, GroupConfig group, String event, long count,
            long retryMillis, Clock clock) {
        if (!supports(redis)) {
            throw new IllegalArgumentException("a one-shot write needs a standalone Redis without TLS, not "
                    + redis.address());
        }
        long logged = clock.millis();
        try (RedisConnection connection = RedisConnection.single(redis)) {
            RespSocket socket = connection.plainSocket();
            try {
                socket.call("PING");
            } catch (RespSocket.ErrorReply | RespSocket.Broken | IllegalStateException e) {
                throw connection.unavailable(e);
            }
            long deadline = System.nanoTime() + retryMillis * 1_000_000L;
            String chunk = InstanceIds.next() + ".1";
            boolean hold = true;
            RuntimeException last = null;
            while (true) {
                List<String[]> commands = commands(redis, group, event, count, chunk, hold, logged, clock.millis());
                try {
                    List<Object> replies = socket.callAll(commands);
                    Object reply = replies.get(replies.size() - 1);
                    if (count == 0) {
                        return Optional.empty(); // the declarations only, whose replies a logger ignores too
                    }
                    if (HELD.equals(reply)) {
                        // Its interval is not open yet and a Python master opens it: wait for it, as a
                        // logger holds such a count until it closes; then into the open interval.
                        if (deadline - System.nanoTime() <= 0) {
                            hold = false;
                            continue;
                        }
                    } else if (!(reply instanceof RespSocket.ErrorReply)) {
                        // Counts credited late (>= 0) or a chunk applied before (-1): stored.
                        return Optional.empty();
                    } else {
                        RespSocket.ErrorReply refused = (RespSocket.ErrorReply) reply;
                        if (!RedisConnection.isRetryable(refused.getMessage())) {
                            // What a logger logs as its ERROR line for such a count.
                            return Optional.of("group '" + group.name() + "': " + connection.describe(refused));
                        }
                        last = refused;
                    }
                } catch (RespSocket.ErrorReply | RespSocket.Broken | IllegalStateException e) {
                    last = e;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 && last != null) {
                    return Optional.of("cannot deliver the count: " + connection.describe(last) + "; it is lost");
                }
                try {
                    Thread.sleep(Math.max(1, Math.min(RETRY_PAUSE_MILLIS, left / 1_000_000L)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.of("cannot deliver the count: interrupted; it is lost");
                }
            }
        }
    }

    /** log.lua's answer when it held the count (nothing written): its interval is not open yet. */
    private static final Long HELD = -3L;

    /**
     * The SADDs of the group's declared events, then log.lua's EVAL with the count (none for a
     * count of 0), as the flusher's {@code Sender} makes them, with the arguments of
     * {@link LogArgs}.
     */
    static List<String[]> commands(RedisConfig redis, GroupConfig group, String event, long count, String chunk,
            boolean hold, long logged, long now) {
        List<Interval> intervals = group.intervals();
        int n = intervals.size();
        List<String[]> commands = new ArrayList<>(n + 1);
        if (!group.events().isEmpty()) {
            for (Interval i : intervals) {
                String[] sadd = new String[2 + group.events().size()];
                sadd[0] = "SADD";
                sadd[1] = Keys.declared(redis.keyMode(), group.name(), i);
                for (int k = 0; k < group.events().size(); k++) {
                    sadd[2 + k] = group.events().get(k);
                }
                commands.add(sadd);
            }
        }
        if (count == 0) {
            if (commands.isEmpty()) {
                commands.add(new String[] {"PING"});
            }
            return commands;
        }
        String[] prefixes = new String[n];
        String[] lengths = new String[n];
        long[] starts = new long[n];
        long[] current = new long[n];
        for (int i = 0; i < n; i++) {
            Interval interval = intervals.get(i);
            prefixes[i] = Keys.prefix(redis.keyMode(), group.name(), interval);
            lengths[i] = Long.toString(interval.lengthMillis());
            starts[i] = interval.startOf(logged);
            current[i] = interval.startOf(now); // the writer's current interval at this send
        }
        // The newest start of the counts this writer holds: this count's own.
        List<String> args = LogArgs.of(chunk, LogArgs.flags(group, hold), prefixes, starts, lengths, starts, current);
        String[] eval = new String[3 + n + args.size() + 3];
        int a = 0;
        eval[a++] = "EVAL";
        eval[a++] = LuaScript.LOG.source();
        eval[a++] = Integer.toString(n);
        for (Interval i : intervals) {
            eval[a++] = Keys.curTs(redis.keyMode(), group.name(), i);
        }
        for (String arg : args) {
            eval[a++] = arg;
        }
        eval[a++] = event;
        eval[a++] = Long.toString(count);
        eval[a++] = group.isDeclared(event) ? "0" : "1";
        commands.add(eval);
        return commands;
    }
}
