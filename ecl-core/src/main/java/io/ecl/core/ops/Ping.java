package io.ecl.core.ops;

import io.ecl.core.RedisConfig;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.internal.RedisConnection;

/**
 * Whether Redis answers, asked once, as a one-shot tool asks before it logs: an
 * {@link io.ecl.core.EventCountLogger} never fails on a dead Redis (it keeps counts in memory,
 * which is right for an application), so {@code ecl-log-event} checks first and exits with one
 * line. One plain connection to a standalone server (a Sentinel or Cluster config gets the small
 * pool {@link CounterReader#connectOnce} gets), closed before this returns.
 */
public final class Ping {
    private Ping() {
    }

    /**
     * Sends PING to the Redis of {@code redis} and waits for the answer.
     *
     * @throws RedisUnavailableException with the one-line reason (connection refused, unknown
     *     host, refused login, no answer within {@code timeout_ms}) when Redis does not answer
     * @throws io.ecl.core.ConfigException when a TLS file of the config cannot be read or used
     */
    public static void once(RedisConfig redis) {
        try (RedisConnection connection = RedisConnection.single(redis)) {
            connection.ping();
        }
    }
}
