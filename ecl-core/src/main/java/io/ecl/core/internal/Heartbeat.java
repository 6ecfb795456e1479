package io.ecl.core.internal;

import io.ecl.core.EventCountLogger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A logger's heartbeat in Redis, so that operators see every writer's health without its logs:
 * every {@link #PERIOD_MILLIS} the flusher writes a hash {@code ecl:@client:<instance>} (app, host,
 * pid, pending and dropped counts, last delivery, last failure) that expires after
 * {@link #TTL_MILLIS}, and scores the instance in the sorted set {@link #REGISTRY} with the time
 * of the beat, so readers list writers without a SCAN. Both keys are outside every group's key
 * space (the Python tools never read them). A beat costs one pipelined round trip on the flusher's
 * thread, never on log(); a beat that fails is skipped silently (the next delivery tells of
 * Redis's state).
 */
public final class Heartbeat {
    private static final Logger LOG = LoggerFactory.getLogger(EventCountLogger.class);
    public static final long PERIOD_MILLIS = 10_000;
    public static final long TTL_MILLIS = 3 * PERIOD_MILLIS;
    /** Instances by the Unix ms of their last beat. */
    public static final String REGISTRY = "ecl:@clients";
    /** Entries of the registry older than this are removed by any beat. */
    public static final long FORGET_MILLIS = 3_600_000;

    private final LoggerContext ctx;
    private final String app;
    /** Found on the flusher's thread at the first beat: a name lookup is I/O, which making a logger does none of. */
    private String host;
    private final long pid = ProcessHandle.current().pid();
    private final long started;
    private long next = Long.MIN_VALUE;
    private volatile long lastDelivery;

    public Heartbeat(LoggerContext ctx, String app) {
        this.ctx = ctx;
        this.app = app;
        this.started = ctx.clock().millis();
    }

    public static String key(String instance) {
        return "ecl:@client:" + instance;
    }

    /** The default app name: the JVM's main class or jar, as {@code jps} shows it. */
    public static String defaultApp() {
        String command = System.getProperty("sun.java.command", "");
        String first = command.isBlank() ? "java" : command.split(" ", 2)[0];
        int slash = Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\'));
        return first.substring(slash + 1);
    }

    /** Told by the sender when Redis took what was sent. */
    void delivered() {
        lastDelivery = ctx.clock().millis();
    }

    /** Beats when one is due and Redis answers; flusher's lock held. */
    void beat(Flusher flusher) {
        long now = ctx.clock().millis();
        if (now < next || ctx.health().redisDown()) {
            return;
        }
        next = now + PERIOD_MILLIS;
        if (host == null) {
            host = hostName();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("instance", ctx.instanceId());
        fields.put("app", app);
        fields.put("host", host);
        fields.put("pid", Long.toString(pid));
        fields.put("started", Long.toString(started));
        fields.put("beat", Long.toString(now));
        fields.put("pending_events", Long.toString(flusher.pendingEvents()));
        fields.put("pending_entries", Long.toString(flusher.pendingEntries()));
        fields.put("dropped", Long.toString(flusher.dropped()));
        fields.put("data_errors", Long.toString(ctx.health().dataErrors()));
        fields.put("refused", Long.toString(ctx.refusals().count()));
        fields.put("last_delivery", Long.toString(lastDelivery));
        String failure = ctx.health().lastFailure();
        fields.put("last_failure", failure == null ? "" : failure);
        String key = key(ctx.instanceId());
        try (AbstractPipeline p = ctx.connection().jedis().pipelined()) {
            p.hset(key, fields);
            p.pexpire(key, TTL_MILLIS);
            p.zadd(REGISTRY, now, ctx.instanceId());
            p.zremrangeByScore(REGISTRY, Double.NEGATIVE_INFINITY, now - FORGET_MILLIS);
            p.sync();
        } catch (JedisException e) {
            LOG.debug("heartbeat not written: {}", ctx.connection().describe(e));
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "unknown";
        }
    }
}
