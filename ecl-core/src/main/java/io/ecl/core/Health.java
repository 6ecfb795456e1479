package io.ecl.core;

import java.time.Instant;

/**
 * A snapshot of a logger's delivery state, from {@link EventCountLogger#health()}: what a health
 * endpoint or a metrics exporter shows. For the moments when these change, see {@link EclListener}.
 *
 * @param redisDownSince when the current outage began (by the logger's clock), or null while Redis answers
 * @param lastFailure what the last failed call to Redis met, in one line naming its address, or
 *     null if none failed; kept after Redis recovers
 * @param pendingEvents events logged and not yet acknowledged by Redis (see {@link EventCountLogger#pendingEvents()})
 * @param pendingEntries distinct counts waiting for Redis (see {@link EventCountLogger#pendingCount()})
 * @param dropped counts dropped because {@code max_pending} was reached during an outage
 * @param dataErrors counts not stored because of data: a key holding something else than a counter,
 *     or a sum beyond a Redis counter's range (see {@link EclListener#dataError})
 * @param refused counts logged after {@link EventCountLogger#close()}, not counted anywhere
 */
public record Health(Instant redisDownSince, String lastFailure, long pendingEvents, long pendingEntries,
        long dropped, long dataErrors, long refused) {

    /** True when Redis answers and nothing was ever dropped, refused or lost to a data error. */
    public boolean isHealthy() {
        return redisDownSince == null && dropped == 0 && dataErrors == 0 && refused == 0;
    }
}
