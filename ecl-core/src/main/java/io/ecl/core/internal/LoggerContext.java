package io.ecl.core.internal;

import io.ecl.core.RedisConfig.KeyMode;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What the groups and the flusher of one logger share, handed to them when they are made (so that
 * neither reaches back into the logger).
 *
 * @param clock decides which interval a count belongs to
 * @param connection the logger's pool
 * @param keyMode how keys are spelled (hash tags for Redis Cluster)
 * @param health where failures are reported, and whether Redis is down now
 * @param refusals whether the logger is closed, and what was logged after that
 * @param callSlots direct-mode call slots: the fields of the marker hashes
 * @param instanceId identifies this logger's markers in Redis; no ':', '.' or '|'
 * @param directSeq sequence of direct-mode calls, recorded per call slot so a call in doubt is never counted twice
 * @param reader reads counts back (made on first use)
 * @param probe where tests step in ({@link Probe#NONE} outside tests)
 * @param replyWait how a direct-mode group's own connections wait for Redis' reply
 */
public record LoggerContext(Clock clock, RedisConnection connection, KeyMode keyMode, HealthState health,
        Refusals refusals, CallSlots callSlots, String instanceId, AtomicLong directSeq,
        Supplier<RedisReader> reader, Probe probe, ReplyWait replyWait) {

    /** Tells a direct call waiting for a slot to count in memory instead. */
    boolean stopDirectCalls() {
        return health.redisDown() || refusals.closed();
    }
}
