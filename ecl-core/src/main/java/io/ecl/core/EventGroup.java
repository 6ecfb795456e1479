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

    /** Declares an event at run time, as if listed in the config's {@code events}. */
    void declareEvent(String event);

    /** Declares several events; see {@link #declareEvent(String)}. */
    default void declareEvents(String... events) {
        for (String e : events) {
            declareEvent(e);
        }
    }

    /**
     * The count of {@code event} in the current interval of each of the group's intervals, as
     * Redis has it plus what this process has not pushed yet. Keys are the interval names.
     *
     * @throws RedisUnavailableException when Redis cannot be read
     * @throws IllegalArgumentException when {@code event} is null (as for every read of one event)
     */
    Map<String, Long> getCurrentCounts(String event);

    /** The count of {@code event} in the current interval {@code interval} (Redis plus unsynced local counts). */
    long getCurrentCount(String event, String interval);

    /** The count of {@code event} in the last complete interval {@code interval}. */
    long getLastCount(String event, String interval);

    /**
     * Counts of every event of the group (declared and auto-declared), sorted by event ID, for the
     * current ({@code current = true}) or last complete interval. Missing counters read 0.
     */
    SortedMap<String, Long> getCounts(String interval, boolean current);
}
