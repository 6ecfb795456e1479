package io.ecl.core.internal;

import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Settles direct-mode calls whose outcome is unknown (sent as Redis went away): Redis records the
 * sequence number of each call it applied per call slot, in the group's marker hash; a call it did
 * not apply joins the pending counts, one it applied is forgotten. So a call in doubt is counted
 * exactly once. Called before every send, with the flusher's lock held.
 */
final class InDoubtResolver {
    private final LoggerContext ctx;
    private final List<RedisEventGroup> groups;
    private final SendSchedule schedule;

    InDoubtResolver(LoggerContext ctx, List<RedisEventGroup> groups, SendSchedule schedule) {
        this.ctx = ctx;
        this.groups = groups;
        this.schedule = schedule;
    }

    /**
     * Asks Redis, in one round trip, which in-doubt direct-mode calls it applied (their sequence
     * number is recorded per call slot); the others join the pending counts. No thread of this
     * logger makes direct calls until this has run, since Redis is still marked down.
     */
    boolean resolve() {
        List<RedisEventGroup.InDoubt> doubts = new ArrayList<>();
        List<RedisEventGroup> owners = new ArrayList<>();
        List<Response<String>> applied = new ArrayList<>();
        try (AbstractPipeline p = ctx.connection().jedis().pipelined()) {
            for (RedisEventGroup g : groups) {
                for (RedisEventGroup.InDoubt d : g.inDoubt) {
                    doubts.add(d);
                    owners.add(g);
                    applied.add(p.hget(g.directMarker(), d.slot.id));
                }
            }
            if (doubts.isEmpty()) {
                return true;
            }
            p.sync();
        } catch (JedisException e) {
            schedule.failed(e);
            return false;
        }
        for (int i = 0; i < doubts.size(); i++) {
            RedisEventGroup.InDoubt d = doubts.get(i);
            String last;
            try {
                last = applied.get(i).get();
            } catch (JedisDataException e) {
                // MOVED after a failover or a resharding: asked again at the next send.
                schedule.failed(e);
                return false;
            }
            if (last == null || Long.parseLong(last) < d.seq) {
                owners.get(i).resend(d);
            }
            owners.get(i).inDoubt.remove(d);
            ctx.callSlots().release(d.slot);
        }
        return true;
    }

}
