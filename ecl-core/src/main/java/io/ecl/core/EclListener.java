package io.ecl.core;

import java.time.Duration;

/**
 * Told what happens between the library and Redis, as it happens: an application wires these to
 * its own health checks or metrics instead of reading log lines. Every method has an empty
 * default; implement the ones you need. Methods run on the thread that noticed the event (the
 * logger's background thread, or a thread calling {@code log()} in direct mode): keep them short
 * and never call back into the logger from them. An exception they throw is logged and ignored.
 *
 * <pre>{@code
 * EventCountLogger ecl = EventCountLogger.builder(config)
 *         .listener(new EclListener() {
 *             public void redisDown(String reason) { health.markDegraded(reason); }
 *             public void redisUp(Duration downFor, long delivered) { health.markHealthy(); }
 *         })
 *         .build();
 * }</pre>
 *
 * For a snapshot at any time (pending, dropped, down since) see {@link EventCountLogger#health()}.
 */
public interface EclListener {
    /**
     * Redis stopped answering (refused, timed out, answered an error such as OOM or READONLY):
     * counts are kept in memory and retried in the background. Called once per outage.
     *
     * @param reason one line naming Redis's address and what happened
     */
    default void redisDown(String reason) {
    }

    /**
     * Redis answers again after an outage.
     *
     * @param downFor how long the outage lasted
     * @param delivered counts held in memory during the outage and now delivered
     */
    default void redisUp(Duration downFor, long delivered) {
    }

    /**
     * Counts of a group were not stored because of data: a key of the group holds a value that is
     * not a counter, or a count would leave a Redis counter's integer range (it stays at the
     * limit). Those counts are not retried. Called for every such failure (the log line is written
     * once per group and message).
     *
     * @param group the group's name
     * @param message one line saying what Redis answered and which key
     * @param countsNotStored how many counts were lost (the sum of their absolute values)
     */
    default void dataError(String group, String message, long countsNotStored) {
    }

    /**
     * Counts were dropped because {@code max_pending} distinct counts were already waiting for an
     * unreachable Redis.
     *
     * @param group the group's name
     * @param counts how many counts this drop lost
     */
    default void dropped(String group, long counts) {
    }
}
