package io.ecl.master;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ops.Rotator;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's schedule: rotates every (group, interval) of a config at each boundary of the
 * interval, aligned to the Unix epoch (a 5m interval at :00, :05, ...).
 *
 * <p>The boundary is always recomputed from the clock ({@code startOf(now) + length}), never by
 * adding up sleeps, so the schedule does not drift. Rotation is idempotent in Redis (see
 * {@link Rotator}): a restart, a second master or a clock stepped back cannot rotate a boundary
 * twice, and after downtime one rotation opens the current interval, with {@code last} covering
 * everything since the last rotation.
 *
 * <p>Redis being unreachable is never fatal: the loop warns once per outage, tries again every
 * {@value #RETRY_MILLIS} ms (one failed connection attempt each, so rotations resume within that
 * time of Redis answering), says when Redis is back and then rotates every pair to the current
 * boundary.
 *
 * <p>A key holding what ecl cannot use (a list where a set belongs: a {@link RedisDataException})
 * stops only its own (group, interval): the loop says once per distinct problem which key and how
 * to fix it, rotates every other pair on time and retries the broken one every
 * {@value #BROKEN_RETRY_MILLIS} ms; its first rotation once fixed catches up like one after an outage.
 *
 * <p>Time comes from the injected {@link Clock} and waiting from the {@link Sleeper}, so tests
 * drive the loop with {@link #tick()} and a stepped clock instead of sleeping.
 */
public final class MasterLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterLoop.class);
    /** The logger of the lines an operator needs even without -v, which the daemons' logging keeps at INFO. */
    public static final String STATUS_LOGGER = "io.ecl.master.status";
    static final Logger STATUS = LoggerFactory.getLogger(STATUS_LOGGER);

    /**
     * How often an unreachable Redis is tried again. Short, as a rotation late by more than this
     * after Redis answers again costs the writers' counts their interval; an attempt against a
     * server that is down is one refused connection.
     */
    static final long RETRY_MILLIS = 250;
    /** How often the rotation of a (group, interval) whose keys hold the wrong data is tried again. */
    static final long BROKEN_RETRY_MILLIS = 1_000;

    /** Waits until a wall-clock time; {@link #wakeUp()} makes it return at once, now and later. */
    public interface Sleeper {
        /** Returns when {@code epochMillis} is reached or once {@link #wakeUp()} has been called. */
        void sleepUntil(long epochMillis);

        /** Ends the current and every later {@link #sleepUntil} immediately. */
        void wakeUp();

        /**
         * Ends the current {@link #sleepUntil} early, once (or the next one, if none is in
         * progress): how {@link #reload} gets a new config applied without waiting for a boundary.
         * Sleepers that never block need not implement it.
         */
        default void nudge() {
        }

        /** A sleeper that waits on {@code clock}. */
        static Sleeper of(Clock clock) {
            return new ClockSleeper(clock);
        }
    }

    private final Rotator rotator;
    private final Clock clock;
    private final Sleeper sleeper;
    private final String redisAddress;
    /** The groups and pairs being rotated; replaced only by the loop's own thread (see {@link #reload}). */
    private List<GroupConfig> groups;
    private List<Pair> pairs = new ArrayList<>();
    /** A config handed over by {@link #reload} and not yet applied by the loop thread. */
    private final AtomicReference<EclConfig> pendingReload = new AtomicReference<>();
    private volatile boolean verbose;
    private volatile boolean stopped;

    /** Declarations and the catch-up rotation are due: at start and after every outage. */
    private boolean needsSync = true;
    private boolean firstSync = true;
    private long retryAt;
    /** Clock time the current outage was noticed, or -1 when Redis is answering. */
    private volatile long outageSince = -1;

    /**
     * A loop over every (group, interval) of {@code config}. Nothing happens until {@link #tick()}
     * or {@link #run()}; the first step declares the groups and opens the current intervals.
     *
     * @param rotator connected to {@code config.redis()}; the caller closes it
     * @param clock the wall clock that decides the boundaries
     * @param sleeper waits on that clock ({@link Sleeper#of(Clock)} outside tests)
     */
    public MasterLoop(EclConfig config, Rotator rotator, Clock clock, Sleeper sleeper) {
        this.rotator = rotator;
        this.clock = clock;
        this.sleeper = sleeper;
        this.redisAddress = config.redis().address();
        this.groups = List.copyOf(config.groups());
        for (GroupConfig g : groups) {
            for (Interval i : g.intervals()) {
                pairs.add(new Pair(g, i));
            }
        }
    }

    /**
     * Hands a new config to the loop; safe from any thread (a SIGHUP handler). The loop thread
     * applies it at the start of its next step, waking early from a sleep for it: added groups
     * and intervals are declared and their current interval opened at once (as at start-up), so
     * they rotate from their next boundary on; removed ones are no longer rotated (their keys stay
     * in Redis); pairs in both configs keep their schedule. One INFO line says what changed. The
     * {@code redis} section of {@code newConfig} is ignored: the loop stays on the Redis it has.
     * Of several reloads before the loop gets to them, the last one wins.
     */
    public void reload(EclConfig newConfig) {
        pendingReload.set(Objects.requireNonNull(newConfig, "newConfig"));
        sleeper.nudge();
    }

    /** The groups rotated now, in config order (changes only after a {@link #reload} was applied). */
    List<GroupConfig> groups() {
        return groups;
    }

    /** Logs each rotation (and each boundary found already rotated) at INFO instead of DEBUG. */
    public MasterLoop verbose(boolean verbose) {
        this.verbose = verbose;
        return this;
    }

    /** Runs until {@link #stop()} is called or the thread is interrupted. */
    @Override
    public void run() {
        while (!stopped && !Thread.currentThread().isInterrupted()) {
            tick();
        }
    }

    /** Runs {@code n} iterations of {@link #tick()} (fewer when stopped). */
    public void runIterations(int n) {
        for (int k = 0; k < n && !stopped; k++) {
            tick();
        }
    }

    /**
     * One step: after start or an outage, declares the groups and rotates every pair to the
     * current boundary (waiting for the retry time first when Redis failed); otherwise waits for
     * the next boundary and rotates the pairs that are due.
     */
    public void tick() {
        if (stopped) {
            return;
        }
        try {
            applyPendingReload();
            if (needsSync) {
                if (retryAt > clock.millis()) {
                    sleeper.sleepUntil(retryAt);
                    if (stopped || retryAt > clock.millis()) {
                        return; // stopped, or nudged by a reload: the next step applies it
                    }
                }
                sync();
                return;
            }
            sleeper.sleepUntil(nextBoundary(clock.millis()));
            if (stopped) {
                return;
            }
            // Also after a nudge by a reload: nothing is due then, unless the boundary came at the same time.
            rotateDue();
        } catch (RedisUnavailableException e) {
            redisFailed(e.getMessage(), null);
        } catch (RuntimeException e) {
            // Not an outage we know of (a key holding the wrong data is handled per pair in rotate()): say so
            // loudly, but keep the daemon alive and retry like an outage, as the next attempt may well succeed.
            redisFailed(e.toString(), e);
        }
    }

    /** Ends {@link #run()} and any sleep in progress. Safe from any thread, e.g. a signal handler. */
    public void stop() {
        stopped = true;
        sleeper.wakeUp();
    }

    /** True once {@link #stop()} was called. */
    public boolean isStopped() {
        return stopped;
    }

    /** False from a failed Redis call until Redis answers again. */
    public boolean redisReachable() {
        return outageSince < 0;
    }

    /** The earliest boundary after {@code now} of any pair, never before an interval Redis already has open. */
    long nextBoundary(long now) {
        long next = Long.MAX_VALUE;
        for (Pair p : pairs) {
            // After the clock was stepped back, the next rotation that can do anything is the one after the
            // interval already open; the sleeper re-reads the clock, so a clock put right is noticed anyway.
            long start = Math.max(p.interval.startOf(now), p.openStart);
            next = Math.min(next, start + p.interval.lengthMillis());
            if (p.problem != null) {
                next = Math.min(next, Math.max(p.retryAt, now));
            }
        }
        return next;
    }

    private void applyPendingReload() {
        EclConfig next = pendingReload.getAndSet(null);
        if (next == null) {
            return;
        }
        Map<String, GroupConfig> before = new LinkedHashMap<>();
        for (GroupConfig g : groups) {
            before.put(g.name(), g);
        }
        Map<String, Pair> kept = new LinkedHashMap<>();
        for (Pair p : pairs) {
            kept.put(key(p.group, p.interval), p);
        }
        List<GroupConfig> newGroups = List.copyOf(next.groups());
        List<Pair> newPairs = new ArrayList<>();
        List<Pair> added = new ArrayList<>();
        List<GroupConfig> toDeclare = new ArrayList<>();
        for (GroupConfig g : newGroups) {
            GroupConfig old = before.get(g.name());
            if (old == null || !old.events().equals(g.events()) || !old.intervals().equals(g.intervals())) {
                toDeclare.add(g);
            }
            for (Interval i : g.intervals()) {
                Pair p = kept.get(key(g, i));
                Pair n = new Pair(g, i);
                if (p == null) {
                    added.add(n);
                } else {
                    n.openStart = p.openStart;
                    n.problem = p.problem;
                    n.retryAt = p.retryAt;
                }
                newPairs.add(n);
            }
        }
        String summary = describeChanges(before, newGroups);
        groups = newGroups;
        pairs = newPairs;
        STATUS.info("config reloaded from {}: {}", next.source(), summary);
        if (needsSync) {
            return; // the coming sync (start-up or after an outage) declares and opens everything
        }
        for (GroupConfig g : toDeclare) {
            rotator.declare(g);
        }
        for (Pair p : added) {
            rotate(p, p.interval.startOf(clock.millis()), "; added by a reload");
        }
    }

    private static String key(GroupConfig g, Interval i) {
        return g.name() + "\u0000" + i.name();
    }

    /** "groups added: x (5s); groups removed: y; intervals changed: z (5s -> 5s, 1h); events changed: w". */
    private static String describeChanges(Map<String, GroupConfig> before, List<GroupConfig> after) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> events = new ArrayList<>();
        Map<String, GroupConfig> removed = new LinkedHashMap<>(before);
        for (GroupConfig g : after) {
            GroupConfig old = removed.remove(g.name());
            if (old == null) {
                added.add(g.name() + " (" + intervals(g) + ")");
                continue;
            }
            if (!old.intervals().equals(g.intervals())) {
                changed.add(g.name() + " (" + intervals(old) + " -> " + intervals(g) + ")");
            }
            if (!old.events().equals(g.events())) {
                events.add(g.name());
            }
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("groups added: " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("groups removed: " + String.join(", ", removed.keySet()));
        }
        if (!changed.isEmpty()) {
            parts.add("intervals changed: " + String.join(", ", changed));
        }
        if (!events.isEmpty()) {
            parts.add("declared events changed: " + String.join(", ", events));
        }
        if (parts.isEmpty()) {
            return "no change to groups, intervals or declared events";
        }
        return String.join("; ", parts) + "; " + after.size() + (after.size() == 1 ? " group now" : " groups now");
    }

    private static String intervals(GroupConfig g) {
        return g.intervals().stream().map(Object::toString).collect(Collectors.joining(", "));
    }

    private void sync() {
        for (GroupConfig g : groups) {
            rotator.declare(g);
        }
        if (outageSince >= 0) {
            STATUS.info("Redis at {} reachable again after {} s", redisAddress,
                    String.format(Locale.ROOT, "%.1f", (clock.millis() - outageSince) / 1000.0));
            outageSince = -1;
        }
        String reason = firstSync ? "; catching up at start" : "; catching up after the Redis outage";
        Map<GroupConfig, List<Interval>> rotated = new LinkedHashMap<>();
        long last = Long.MIN_VALUE;
        for (Pair p : pairs) {
            long boundary = p.interval.startOf(clock.millis());
            if (rotate(p, boundary, reason)) {
                rotated.computeIfAbsent(p.group, g -> new ArrayList<>()).add(p.interval);
                last = Math.max(last, boundary);
            }
        }
        probe(rotated, last);
        firstSync = false;
        needsSync = false;
        retryAt = 0;
    }

    private void rotateDue() {
        long now = clock.millis();
        Map<GroupConfig, List<Interval>> rotated = new LinkedHashMap<>();
        long last = Long.MIN_VALUE;
        for (Pair p : pairs) {
            long boundary = p.interval.startOf(now);
            if (boundary > p.openStart && (p.problem == null || now >= p.retryAt)) {
                if (rotate(p, boundary, p.problem == null ? "" : "; catching up after the failed rotations")) {
                    rotated.computeIfAbsent(p.group, g -> new ArrayList<>()).add(p.interval);
                    last = Math.max(last, boundary);
                }
            }
        }
        probe(rotated, last);
    }

    /**
     * After the boundary's rotations, not between them: the probe for counters of Python clients
     * (one SCAN of the keyspace a minute per auto-declaring group) must not delay a rotation.
     */
    private void probe(Map<GroupConfig, List<Interval>> rotated, long boundary) {
        for (Map.Entry<GroupConfig, List<Interval>> e : rotated.entrySet()) {
            try {
                rotator.probe(e.getKey(), e.getValue(), boundary);
            } catch (RedisUnavailableException ex) {
                // Best effort: the next probe, a minute later, looks again.
                LOG.debug("group '{}': probe for counters of Python clients failed: {}", e.getKey().name(),
                        ex.getMessage());
            }
        }
    }

    /** Rotates one pair; true when this call closed an interval. */
    private boolean rotate(Pair p, long boundary, String reason) {
        Rotator.Result r;
        try {
            r = rotator.rotate(p.group, p.interval, boundary);
        } catch (RedisDataException e) {
            pairFailed(p, e);
            return false;
        }
        if (p.problem != null) {
            STATUS.info("group '{}', interval {} rotates again", p.group.name(), p.interval);
            p.problem = null;
        }
        long late = clock.millis() - boundary;
        if (r.rotated()) {
            p.openStart = boundary;
            if (verbose || LOG.isDebugEnabled()) {
                log("rotated {} {} at {}, {} ms late{}", p.group.name(), p.interval, Instant.ofEpochMilli(boundary),
                        late, coverage(p, r.startMillis(), boundary) + reason);
            }
        } else {
            Long open = r.startMillis();
            p.openStart = open == null ? boundary : Math.max(boundary, open);
            if (verbose || LOG.isDebugEnabled()) {
                log("{} {} at {} already rotated (by another master or a writer); open interval starts {}",
                        p.group.name(), p.interval, Instant.ofEpochMilli(boundary),
                        open == null ? "?" : Instant.ofEpochMilli(open));
            }
        }
        return r.rotated();
    }

    private static String coverage(Pair p, Long closedStart, long boundary) {
        if (closedStart == null) {
            return "; first rotation, no interval closed";
        }
        long intervals = (boundary - closedStart) / p.interval.lengthMillis();
        if (intervals == 1) {
            return "";
        }
        return "; last covers " + intervals + " intervals since " + Instant.ofEpochMilli(closedStart)
                + " (no rotation in between)";
    }

    private void log(String format, Object... args) {
        if (verbose) {
            LOG.info(format, args);
        } else {
            LOG.debug(format, args);
        }
    }

    private void redisFailed(String message, RuntimeException unexpected) {
        long now = clock.millis();
        if (outageSince < 0) {
            outageSince = now;
            if (unexpected != null) {
                if (verbose) {
                    LOG.error("rotation failed at Redis {}: {}; retrying", redisAddress, message, unexpected);
                } else {
                    LOG.error("rotation failed at Redis {}: {}; retrying (-v shows the stack trace)", redisAddress,
                            message);
                }
            } else {
                LOG.warn("{}; rotations resume as soon as it answers (retrying every {} s)", message,
                        RETRY_MILLIS / 1000.0);
            }
        } else {
            LOG.debug("Redis still unavailable: {}", message);
        }
        needsSync = true;
        retryAt = now + RETRY_MILLIS;
    }

    /**
     * A rotation refused because of what a key of the pair holds: said once per distinct problem
     * (the message names the key and the fix), retried in {@value #BROKEN_RETRY_MILLIS} ms; the
     * other pairs are not held up.
     */
    private void pairFailed(Pair p, RedisDataException e) {
        if (!e.getMessage().equals(p.problem)) {
            if (verbose) {
                LOG.error("cannot rotate {}; the other groups and intervals rotate on, this one is retried every {} s",
                        e.getMessage(), BROKEN_RETRY_MILLIS / 1000, e);
            } else {
                LOG.error("cannot rotate {}; the other groups and intervals rotate on, this one is retried every {} s",
                        e.getMessage(), BROKEN_RETRY_MILLIS / 1000);
            }
        } else {
            LOG.debug("still cannot rotate {}", e.getMessage());
        }
        p.problem = e.getMessage();
        p.retryAt = clock.millis() + BROKEN_RETRY_MILLIS;
    }

    private static final class Pair {
        final GroupConfig group;
        final Interval interval;
        /** Start of the interval known to be open in Redis; nothing is due before its end. */
        long openStart = Long.MIN_VALUE;
        /** Why the last rotation was refused (a key holding the wrong data), or null. */
        String problem;
        /** When to try a refused rotation again. */
        long retryAt;

        Pair(GroupConfig group, Interval interval) {
            this.group = group;
            this.interval = interval;
        }
    }

    /**
     * Waits on a monitor in slices of at most a second, re-reading the clock each time: a single
     * long wait runs on the monotonic clock and would miss the wall clock being corrected or the
     * machine resuming from suspend.
     */
    static final class ClockSleeper implements Sleeper {
        private final Clock clock;
        private boolean woken;
        private boolean nudged;

        ClockSleeper(Clock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized void sleepUntil(long epochMillis) {
            while (!woken) {
                if (nudged) {
                    nudged = false;
                    return;
                }
                long left = epochMillis - clock.millis();
                if (left <= 0) {
                    return;
                }
                try {
                    wait(Math.min(left, 1_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public synchronized void wakeUp() {
            woken = true;
            notifyAll();
        }

        @Override
        public synchronized void nudge() {
            nudged = true;
            notifyAll();
        }
    }
}
