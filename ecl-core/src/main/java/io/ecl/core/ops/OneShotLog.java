package io.ecl.core.ops;

import io.ecl.core.ConfigException;
import io.ecl.core.GroupConfig;
import io.ecl.core.RedisConfig;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.internal.OneShotWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * One count written once, as a command-line tool logs it ({@code ecl-log-event GROUP EVENT}): over
 * one plain connection, without the pool, flusher thread and client an
 * {@link io.ecl.core.EventCountLogger} sets up for a process that logs for a while. The count
 * lands where a logger's would, exactly once: the group's declared events are declared, the count
 * is credited to the interval it was logged in (a writer that may rotate rotates a group whose
 * master is late; a count newer than the interval a Python master has open waits for that master,
 * up to {@code retryFor}, then goes to the open interval), and a write whose reply was lost is sent
 * again under the same chunk ID, which Redis applies once. Only for a standalone Redis without TLS
 * ({@link #supports}); otherwise use a logger.
 */
public final class OneShotLog {
    private OneShotLog() {
    }

    /** True when {@link #log} can write to this Redis: a standalone server without TLS. */
    public static boolean supports(RedisConfig redis) {
        return OneShotWriter.supports(redis);
    }

    /**
     * Pings Redis, then adds {@code count} to {@code event} in every interval of {@code group}.
     * Redis refusing the write for now (out of memory, read-only, loading) or a lost connection is
     * tried again until {@code retryFor} has passed.
     *
     * @return empty when the count is stored; else the one line saying why it is not: Redis refused
     *     it (a counter holding another type; the group's other counters are stored), or it could
     *     not be delivered within {@code retryFor} ("...; it is lost")
     * @throws RedisUnavailableException when Redis does not answer the ping; nothing was written
     * @throws ConfigException when the group would refuse the event (not declared in a group that
     *     does not auto-declare, or an ID the key scheme reserves)
     * @throws IllegalArgumentException when {@link #supports} is false for {@code redis}
     */
    public static Optional<String> log(RedisConfig redis, GroupConfig group, String event, long count,
            Duration retryFor) {
        if (!group.isDeclared(event)) {
            if (!group.autoDeclareEvents()) {
                throw new ConfigException("Event '" + event + "' not configured for group '" + group.name()
                        + "' and 'auto_declare_events' not enabled.");
            }
            GroupConfig.checkEventId(event);
        }
        return OneShotWriter.log(redis, group, event, count, retryFor.toMillis(), Clock.systemUTC());
    }
}
