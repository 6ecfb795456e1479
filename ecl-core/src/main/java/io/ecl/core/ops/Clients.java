package io.ecl.core.ops;

import io.ecl.core.EclConfig;
import io.ecl.core.internal.Heartbeat;
import io.ecl.core.internal.RedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The writers whose heartbeat is in Redis: every {@link io.ecl.core.EventCountLogger} (and
 * {@code ecl-log-event} stream) writes one every 10 s, which expires 30 s after the process stops.
 * What {@code ecl-reader clients} prints and {@code /metrics} exports.
 */
public final class Clients {
    private Clients() {
    }

    /**
     * One writer as its last heartbeat described it.
     *
     * @param instance the logger's ID (its markers in Redis carry it)
     * @param app the name it gave ({@code EventCountLogger.Builder.appName}, default its main class or jar)
     * @param host its host name
     * @param pid its process ID
     * @param startedMillis when the logger was made (Unix ms, by its clock)
     * @param beatMillis when it wrote this heartbeat
     * @param pendingEvents events logged and not yet in Redis
     * @param dropped counts it dropped at max_pending during outages, since it started
     * @param dataErrors counts not stored because of data, since it started
     * @param lastDeliveryMillis when Redis last took what it sent (0: nothing sent yet)
     * @param lastFailure what its last failed call to Redis met, or empty
     */
    public record Client(String instance, String app, String host, long pid, long startedMillis, long beatMillis,
            long pendingEvents, long dropped, long dataErrors, long lastDeliveryMillis, String lastFailure) {
    }

    /**
     * The writers with a live heartbeat, most recent beat first.
     *
     * @throws io.ecl.core.RedisUnavailableException when Redis cannot be reached
     */
    public static List<Client> list(EclConfig config) {
        try (RedisConnection connection = RedisConnection.single(config.redis())) {
            List<String> ids = connection.call(j -> j.zrevrange(Heartbeat.REGISTRY, 0, -1));
            List<Client> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                Map<String, String> h = connection.call(j -> j.hgetAll(Heartbeat.key(id)));
                if (!h.isEmpty()) { // expired: the process stopped beating
                    out.add(new Client(id, h.getOrDefault("app", ""), h.getOrDefault("host", ""), number(h, "pid"),
                            number(h, "started"), number(h, "beat"), number(h, "pending_events"), number(h, "dropped"),
                            number(h, "data_errors"), number(h, "last_delivery"), h.getOrDefault("last_failure", "")));
                }
            }
            return out;
        }
    }

    private static long number(Map<String, String> h, String field) {
        try {
            return Long.parseLong(h.getOrDefault(field, "0"));
        } catch (NumberFormatException e) {
            return 0; // written by a later version, or by hand: shown as 0 rather than failing the list
        }
    }
}
