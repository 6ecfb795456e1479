package io.ecl.core;

import io.ecl.core.internal.Keys;
import java.util.Map;
import java.util.SortedMap;

/**
 * The events of one group, obtained from {@link EventCountLogger#group(String)}. Thread-safe: any
 * number of threads may log. {@code log} never throws because of Redis: when Redis is slow or
 * down, counts wait in memory and are delivered when it is back.
 *
 * <p>With local counters ({@code sync_interval} / {@code sync_limit}), {@code log} touches memory
 * only: one lock-free add to a per-event counter, no allocation, no I/O. Without them
 * (direct mode), {@code log} makes one round trip to Redis and the count is there when it
 * returns.
 */
public interface EventGroup {
    /** The group's name. */
    String name();

    /** Counts one occurrence of {@code event}. */
    default void log(String event) {
        log(event, 1);
    }

    /**
     * Counts {@code count} occurrences of {@code event}. An event that is not declared in a group
     * without {@code auto_declare_events} is refused with a warning (once per event ID). A negative
     * count decrements, as in the Python version; 0 does nothing. After {@link
     * EventCountLogger#close()} the count is refused (see {@link EventCountLogger#refusedCount()}).
     */
    void log(String event, long count);

    /**
     * Counts {@code value} in the unique count {@code name}: per interval, the number of distinct
     * values logged (by every process), e.g. {@code logUnique("visitors", clientAddress)}. Estimated
     * with Redis's HyperLogLog (standard error 0.81 %, whatever the number of values), built in
     * memory and merged into Redis by the background thread with the group's counts. The name must
     * be listed in the group's {@code uniques}, unless the group auto-declares events. Values are
     * compared as UTF-8 bytes; a null value is refused with an {@code IllegalArgumentException}.
     */
    void logUnique(String name, String value);

    /**
     * Records {@code value} in the value statistics {@code name}: per interval, count, exact sum,
     * min, max, mean, standard deviation and quantiles (p50, p90, p99, p999 within 1 % relative
     * error, from a log-bucket histogram merged across every process). E.g.
     * {@code logValue("latency_ms", 12.7)}. Zero and negative values are statistics like any;
     * NaN, infinities and magnitudes above 1e18 are counted as invalid only. The name must be listed
     * in the group's {@code values}, unless the group auto-declares events.
     */
    void logValue(String name, double value);

    /** Work whose duration {@link #time} records; it may throw {@code E}. */
    @FunctionalInterface
    interface Timed<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code work}, records its duration in milliseconds as value {@code name}, and returns
     * its result. When it throws, the duration is recorded too, the events {@code <name>.error}
     * and the exception's class name are counted, and the exception is rethrown as it is.
     */
    default <T, E extends Exception> T time(String name, Timed<T, E> work) throws E {
        long start = System.nanoTime();
        try {
            return work.run();
        } catch (Exception | Error e) {
            log(name + ".error");
            logException(e);
            throw e;
        } finally {
            logValue(name, (System.nanoTime() - start) / 1e6);
        }
    }

    /**
     * Counts one occurrence of an event named after the class of {@code thrown} (e.g.
     * {@code java.io.IOException}): exceptions per interval by class. The group must auto-declare
     * events, or list the class names it counts.
     */
    default void logException(Throwable thrown) {
        log(thrown.getClass().getName());
    }

    /** Declares an event at run time, as if listed in the config's {@code events}. */
    void declareEvent(String event);

    /** Declares several events; see {@link #declareEvent(String)}. */
    default void declareEvents(String... events) {
        for (String e : events) {
            declareEvent(e);
        }
    }

    /**
     * The count of {@code event} in the current interval {@code interval}: what Redis has plus what
     * this process has not pushed yet.
     *
     * @throws RedisUnavailableException when Redis cannot be read
     * @throws IllegalArgumentException when {@code event} is null or {@code interval} is not one of the group's
     */
    long currentCount(String event, String interval);

    /** The count of {@code event} in the last complete interval {@code interval}; exceptions as {@link #currentCount}. */
    long lastCount(String event, String interval);

    /**
     * The count of {@code event} in the current interval of each of the group's intervals (Redis
     * plus what this process has not pushed yet), keyed by interval name in the config's order.
     */
    Map<String, Long> currentCountsOf(String event);

    /**
     * Counts of every event of the group (declared and auto-declared) in the current interval
     * {@code interval}, as Redis has them, sorted by event ID. Missing counters read 0.
     */
    SortedMap<String, Long> currentCounts(String interval);

    /** Counts of every event of the group in the last complete interval {@code interval}, sorted by event ID. */
    SortedMap<String, Long> lastCounts(String interval);

    /** @deprecated use {@link #currentCountsOf(String)} */
    @Deprecated(since = "2.0", forRemoval = true)
    default Map<String, Long> getCurrentCounts(String event) {
        return currentCountsOf(event);
    }

    /** @deprecated use {@link #currentCount(String, String)} */
    @Deprecated(since = "2.0", forRemoval = true)
    default long getCurrentCount(String event, String interval) {
        return currentCount(event, interval);
    }

    /** @deprecated use {@link #lastCount(String, String)} */
    @Deprecated(since = "2.0", forRemoval = true)
    default long getLastCount(String event, String interval) {
        return lastCount(event, interval);
    }

    /** @deprecated use {@link #currentCounts(String)} or {@link #lastCounts(String)} */
    @Deprecated(since = "2.0", forRemoval = true)
    default SortedMap<String, Long> getCounts(String interval, boolean current) {
        return current ? currentCounts(interval) : lastCounts(interval);
    }
}
